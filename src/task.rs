//! The work list: which plots exist and how they are split across ranks.
//!
//! A task is identified by its plot number alone (1-based, as in the lesson); everything
//! else a rank needs is rebuilt from the run's `Config`, so tasks travel through MPI as plain
//! `u64`s and rank 0 can rebuild every output path from the plot number.

use std::ops::Range;

/// Largest number of plots in one run: MPI counts and displacements are C `int`s.
pub const MAX_PLOTS: u64 = i32::MAX as u64;

/// The plot numbers of a run of `num_plots` plots, in order.
pub fn plan(num_plots: u64) -> Vec<u64> {
    (1..=num_plots).collect()
}

/// Contiguous blocks whose sizes differ by at most one: the first `n % ranks` ranks get one
/// extra task. Returns MPI-ready `(counts, displacements)`.
///
/// # Panics
/// If `ranks` is zero or `n` exceeds [`MAX_PLOTS`]; both are ruled out by the caller.
pub fn partition(n: u64, ranks: usize) -> (Vec<i32>, Vec<i32>) {
    assert!(ranks > 0, "partition over zero ranks");
    assert!(n <= MAX_PLOTS, "{n} tasks do not fit MPI's int counts");
    let ranks_u64 = ranks as u64;
    let (base, extra) = (n / ranks_u64, n % ranks_u64);
    let counts: Vec<i32> = (0..ranks_u64)
        .map(|r| (base + u64::from(r < extra)) as i32)
        .collect();
    let displs = displacements(&counts);
    (counts, displs)
}

/// Where each block starts when blocks of `counts` items are laid end to end.
pub fn displacements(counts: &[i32]) -> Vec<i32> {
    counts
        .iter()
        .scan(0i32, |acc, &c| {
            let start = *acc;
            *acc += c;
            Some(start)
        })
        .collect()
}

/// The index range of rank `rank`'s block, as `partition` assigns it.
pub fn block(counts: &[i32], displs: &[i32], rank: usize) -> Range<usize> {
    let start = displs[rank] as usize;
    start..start + counts[rank] as usize
}

/// What a rank reports about one plot: fixed-size plain data, so it crosses MPI as one
/// derived datatype (see `comm`). Paths are rebuilt on rank 0 from the plot number and error
/// text travels separately.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Record {
    pub plot_num: u64,
    /// Bytes written, 0 for a failed plot.
    pub bytes: u64,
    /// Seconds from the start of the plot to its file being in place.
    pub elapsed: f64,
    pub rank: i32,
    pub status: i32,
}

impl Record {
    pub const OK: i32 = 0;
    pub const FAILED: i32 = 1;

    pub fn is_ok(&self) -> bool {
        self.status == Record::OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(n: u64, ranks: usize) {
        let (counts, displs) = partition(n, ranks);
        assert_eq!(counts.len(), ranks);
        assert_eq!(counts.iter().map(|&c| c as u64).sum::<u64>(), n);
        let (min, max) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
        assert!(max - min <= 1, "n={n} ranks={ranks}: {counts:?}");
        let mut next = 0;
        for r in 0..ranks {
            assert_eq!(displs[r], next, "blocks must be contiguous");
            next += counts[r];
        }
    }

    #[test]
    fn blocks_cover_everything_once_and_differ_by_at_most_one() {
        for n in [1, 2, 3, 7, 16, 63, 64, 65, 1000] {
            for ranks in [1, 2, 3, 4, 5, 16, 17, 100] {
                check(n, ranks);
            }
        }
    }

    #[test]
    fn more_ranks_than_plots_leaves_the_last_ranks_idle() {
        let (counts, displs) = partition(3, 5);
        assert_eq!(counts, [1, 1, 1, 0, 0]);
        assert_eq!(displs, [0, 1, 2, 3, 3]);
    }

    #[test]
    fn one_plot_goes_to_rank_zero() {
        assert_eq!(partition(1, 4).0, [1, 0, 0, 0]);
    }

    #[test]
    fn remainder_goes_to_the_first_ranks() {
        let (counts, displs) = partition(10, 4);
        assert_eq!(counts, [3, 3, 2, 2]);
        assert_eq!(block(&counts, &displs, 2), 6..8);
    }

    #[test]
    fn plan_numbers_plots_from_one() {
        assert_eq!(plan(4), [1, 2, 3, 4]);
        assert!(plan(0).is_empty());
    }

    #[test]
    fn the_largest_run_still_partitions() {
        check(MAX_PLOTS, 7);
    }
}
