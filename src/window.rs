//! Windows of plots: rank 0 receives the ranks' records one window of consecutive plot
//! numbers at a time, so that what it holds for reporting and recording is bounded by the
//! window size, not by the number of plots.
//!
//! Window `w` (from 0) covers plots `w·size + 1 ..= (w + 1)·size` (the last one may be
//! shorter). Every rank sorts its own records by plot number once; in round `w` it sends the
//! slice of them that falls in window `w`. Rank 0 puts the window in plot order and fills
//! the plots nobody reported with "not done" records.

use crate::task::Record;
use std::ops::Range;

/// Plots per window: 65,536 records of 40 bytes are 2.5 MiB on rank 0, plus about as many
/// again for the window's rows of the run record and its result lines.
pub const DEFAULT_SIZE: u64 = 65_536;

/// Environment variable overriding [`DEFAULT_SIZE`]. A test knob, not a user setting: it lets
/// the integration tests cross many window boundaries with a few dozen plots. Rank 0's value
/// is broadcast, so ranks never disagree on it.
pub const SIZE_VAR: &str = "PLOTRAND_GATHER_WINDOW";

/// The window size from [`SIZE_VAR`], else [`DEFAULT_SIZE`]; never 0.
pub fn size_from_env() -> u64 {
    parse_size(std::env::var(SIZE_VAR).ok().as_deref())
}

fn parse_size(value: Option<&str>) -> u64 {
    value
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&w| w > 0)
        .unwrap_or(DEFAULT_SIZE)
}

/// How many windows `n` plots make: every rank runs this many gather rounds.
pub fn count(n: u64, size: u64) -> u64 {
    n.div_ceil(size)
}

/// The plot numbers of window `index`.
pub fn plots(index: u64, size: u64, n: u64) -> Range<u64> {
    let first = index.saturating_mul(size).saturating_add(1);
    first..first.saturating_add(size).min(n + 1)
}

/// The records among `sorted` (sorted by plot number) that fall in `plots`.
pub fn records_in<'a>(sorted: &'a [Record], plots: &Range<u64>) -> &'a [Record] {
    let start = sorted.partition_point(|r| r.plot_num < plots.start);
    let end = sorted.partition_point(|r| r.plot_num < plots.end);
    &sorted[start..end]
}

/// One window's records in plot order, a "not done" record standing in for every plot no
/// rank reported (a signal stopped the run before it was drawn).
pub fn assemble(mut gathered: Vec<Record>, plots: Range<u64>) -> Vec<Record> {
    gathered.sort_by_key(|r| r.plot_num);
    let mut out = Vec::with_capacity((plots.end - plots.start) as usize);
    let mut reported = gathered.into_iter().peekable();
    for k in plots {
        let before = out.len();
        while let Some(r) = reported.next_if(|r| r.plot_num == k) {
            out.push(r);
        }
        if out.len() == before {
            out.push(Record::not_done(k));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(plot_num: u64, rank: i32) -> Record {
        Record {
            plot_num,
            rank,
            ..Record::default()
        }
    }

    #[test]
    fn windows_cover_every_plot_once() {
        for (n, size) in [(0, 4), (1, 4), (4, 4), (5, 4), (10, 3), (7, 1), (3, 100)] {
            let all: Vec<u64> = (0..count(n, size))
                .flat_map(|w| plots(w, size, n))
                .collect();
            assert_eq!(all, (1..=n).collect::<Vec<_>>(), "n={n} size={size}");
        }
        assert_eq!(plots(2, 4, 10), 9..11);
    }

    #[test]
    fn a_rank_sends_only_its_records_in_the_window() {
        let mine = [rec(2, 1), rec(3, 1), rec(7, 1), rec(9, 1)];
        let in_window: Vec<u64> = records_in(&mine, &(3..7))
            .iter()
            .map(|r| r.plot_num)
            .collect();
        assert_eq!(in_window, [3]);
        assert!(records_in(&mine, &(10..12)).is_empty());
        assert_eq!(records_in(&mine, &(1..11)).len(), 4);
    }

    /// Three ranks, a dynamic-style interleaving, a window of 4, plots 5 and 10 never
    /// reported: every window comes out in order, complete, with the gaps "not done".
    #[test]
    fn windows_merge_ranks_and_fill_the_gaps() {
        let size = 4;
        let n = 10;
        let ranks: [Vec<Record>; 3] = [
            vec![rec(1, 0), rec(4, 0), rec(9, 0)],
            vec![rec(2, 1), rec(3, 1), rec(8, 1)],
            vec![rec(6, 2), rec(7, 2)],
        ];
        let mut merged = Vec::new();
        for w in 0..count(n, size) {
            let window = plots(w, size, n);
            let gathered: Vec<Record> = ranks
                .iter()
                .flat_map(|mine| records_in(mine, &window).iter().copied())
                .collect();
            merged.extend(assemble(gathered, window));
        }
        let plots: Vec<u64> = merged.iter().map(|r| r.plot_num).collect();
        assert_eq!(plots, (1..=10).collect::<Vec<_>>());
        let not_done: Vec<u64> = merged
            .iter()
            .filter(|r| r.status == Record::NOT_DONE)
            .map(|r| r.plot_num)
            .collect();
        assert_eq!(not_done, [5, 10]);
        assert_eq!(merged[5].rank, 2);
        assert_eq!(merged[4].rank, -1);
    }

    #[test]
    fn the_window_size_comes_from_the_test_knob_or_the_default() {
        assert_eq!(parse_size(None), DEFAULT_SIZE);
        assert_eq!(parse_size(Some("7")), 7);
        assert_eq!(parse_size(Some("0")), DEFAULT_SIZE);
        assert_eq!(parse_size(Some("x")), DEFAULT_SIZE);
    }
}
