//! How results reach rank 0: one window of consecutive plot numbers at a time, so that what
//! it holds for reporting and recording is bounded by the window size, not by the number of
//! plots.
//!
//! Window `w` (from 0) covers plots `w·size + 1 ..= (w + 1)·size` (the last one may be
//! shorter). Every rank sorts its own results by plot number once; in round `w` it sends the
//! slice of them that falls in window `w`. Rank 0 puts the window in plot order and fills
//! the plots nobody reported with "not done" results.

use crate::comm::Comm;
use crate::plan::PlotResult;
use std::ops::Range;

/// Every rank sends its results a window of plots at a time (the same rounds on every rank,
/// the window size broadcast from rank 0); rank 0 hands each window, in plot order and
/// complete, to `sink`.
pub fn gather_in_windows(
    comm: &Comm,
    mut results: Vec<PlotResult>,
    n: u64,
    mut sink: Option<&mut dyn FnMut(Vec<PlotResult>)>,
) {
    let mut size = [size_from_env()];
    comm.broadcast(&mut size);
    let size = size[0];
    // Both schedules hand out plots in increasing order; the windows must not depend on it.
    results.sort_by_key(|r| r.plot_num);
    for w in 0..count(n, size) {
        let plots = plots(w, size, n);
        let gathered = comm.gather_all(results_in(&results, &plots));
        if let (Some(sink), Some(gathered)) = (sink.as_deref_mut(), gathered) {
            sink(assemble(gathered, plots));
        }
    }
}

/// Plots per window: 65,536 results of 56 bytes are 3.5 MiB on rank 0, plus about as many
/// again for the window's rows of the run record and its result lines.
pub const DEFAULT_SIZE: u64 = 65_536;

/// Environment variable overriding [`DEFAULT_SIZE`]. A test knob, not a user setting: it lets
/// the integration tests cross many window boundaries with a few dozen plots. Rank 0's value
/// is broadcast, so ranks never disagree on it.
pub const SIZE_VAR: &str = "PLOTRAND_GATHER_WINDOW";

/// The window size from [`SIZE_VAR`], else [`DEFAULT_SIZE`]; never 0.
fn size_from_env() -> u64 {
    parse_size(std::env::var(SIZE_VAR).ok().as_deref())
}

fn parse_size(value: Option<&str>) -> u64 {
    value
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&w| w > 0)
        .unwrap_or(DEFAULT_SIZE)
}

/// How many windows `n` plots make: every rank runs this many gather rounds.
fn count(n: u64, size: u64) -> u64 {
    n.div_ceil(size)
}

/// The plot numbers of window `index`.
fn plots(index: u64, size: u64, n: u64) -> Range<u64> {
    let first = index.saturating_mul(size).saturating_add(1);
    first..first.saturating_add(size).min(n + 1)
}

/// The results among `sorted` (sorted by plot number) that fall in `plots`.
fn results_in<'a>(sorted: &'a [PlotResult], plots: &Range<u64>) -> &'a [PlotResult] {
    let start = sorted.partition_point(|r| r.plot_num < plots.start);
    let end = sorted.partition_point(|r| r.plot_num < plots.end);
    &sorted[start..end]
}

/// One window's results in plot order, a "not done" result standing in for every plot no
/// rank reported (a signal stopped the run before it was drawn).
fn assemble(mut gathered: Vec<PlotResult>, plots: Range<u64>) -> Vec<PlotResult> {
    gathered.sort_by_key(|r| r.plot_num);
    let mut out = Vec::with_capacity((plots.end - plots.start) as usize);
    let mut reported = gathered.into_iter().peekable();
    for k in plots {
        let before = out.len();
        while let Some(r) = reported.next_if(|r| r.plot_num == k) {
            out.push(r);
        }
        if out.len() == before {
            out.push(PlotResult::not_done(k));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(plot_num: u64, rank: i32) -> PlotResult {
        PlotResult {
            plot_num,
            rank,
            ..PlotResult::default()
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
        let in_window: Vec<u64> = results_in(&mine, &(3..7))
            .iter()
            .map(|r| r.plot_num)
            .collect();
        assert_eq!(in_window, [3]);
        assert!(results_in(&mine, &(10..12)).is_empty());
        assert_eq!(results_in(&mine, &(1..11)).len(), 4);
    }

    /// Three ranks, a dynamic-style interleaving, a window of 4, plots 5 and 10 never
    /// reported: every window comes out in order, complete, with the gaps "not done".
    #[test]
    fn windows_merge_ranks_and_fill_the_gaps() {
        let size = 4;
        let n = 10;
        let ranks: [Vec<PlotResult>; 3] = [
            vec![rec(1, 0), rec(4, 0), rec(9, 0)],
            vec![rec(2, 1), rec(3, 1), rec(8, 1)],
            vec![rec(6, 2), rec(7, 2)],
        ];
        let mut merged = Vec::new();
        for w in 0..count(n, size) {
            let window = plots(w, size, n);
            let gathered: Vec<PlotResult> = ranks
                .iter()
                .flat_map(|mine| results_in(mine, &window).iter().copied())
                .collect();
            merged.extend(assemble(gathered, window));
        }
        let plots: Vec<u64> = merged.iter().map(|r| r.plot_num).collect();
        assert_eq!(plots, (1..=10).collect::<Vec<_>>());
        let not_done: Vec<u64> = merged
            .iter()
            .filter(|r| r.status == crate::plan::PlotStatus::NotDone)
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
