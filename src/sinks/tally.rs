//! What the timing table and the summary need, added up a window of results at a time, so
//! that rank 0 never holds every result at once.

use crate::plan::{Counts, PlotResult, PlotStatus};

/// One rank's line of the timing table.
#[derive(Debug, Clone, PartialEq)]
pub struct RankTiming {
    pub rank: usize,
    pub host: String,
    /// Plots drawn (written or failed); skipped ones (`--resume`) apart.
    pub drawn: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Seconds spent drawing: the sum of the drawn plots' times.
    pub drawing: f64,
    /// Seconds of the rank's span not spent on its plots: waiting for work (the dynamic
    /// schedule's requests) and, on rank 0, handing it out.
    pub waiting: f64,
    /// Slowest single plot drawn, in seconds.
    pub max: f64,
}

impl RankTiming {
    pub fn ms_per_plot(&self) -> Option<f64> {
        (self.drawn > 0).then(|| self.drawing * 1e3 / self.drawn as f64)
    }
}

/// One rank's sums over its results.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct RankTally {
    drawn: usize,
    failed: usize,
    skipped: usize,
    drawing: f64,
    /// Seconds on all handled plots, skipped ones included.
    handling: f64,
    max: f64,
}

/// What the timing table and the summary need, added up a window of results at a time, so
/// that rank 0 never holds every result at once.
#[derive(Debug, Clone)]
pub struct Tally {
    ranks: Vec<RankTally>,
    counts: Counts,
}

impl Tally {
    pub fn new(ranks: usize) -> Tally {
        Tally {
            ranks: vec![RankTally::default(); ranks],
            counts: Counts::default(),
        }
    }

    pub fn add(&mut self, results: &[PlotResult]) {
        for r in results {
            self.counts.add(r.status);
            let Some(rank) = usize::try_from(r.rank)
                .ok()
                .and_then(|k| self.ranks.get_mut(k))
            else {
                continue;
            };
            rank.handling += r.elapsed;
            match r.status {
                PlotStatus::Skipped => rank.skipped += 1,
                PlotStatus::NotDone => {}
                PlotStatus::Ok | PlotStatus::Failed => {
                    rank.drawn += 1;
                    rank.failed += usize::from(r.is_failed());
                    rank.drawing += r.elapsed;
                    rank.max = rank.max.max(r.elapsed);
                }
            }
        }
    }

    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// The timing table's rows, given each rank's span (seconds from its start of work to
    /// its end) and host.
    pub fn rank_rows(&self, spans: &[f64], hosts: &[String]) -> Vec<RankTiming> {
        self.ranks
            .iter()
            .zip(spans.iter().zip(hosts))
            .enumerate()
            .map(|(rank, (t, (&span, host)))| RankTiming {
                rank,
                host: host.clone(),
                drawn: t.drawn,
                failed: t.failed,
                skipped: t.skipped,
                drawing: t.drawing,
                waiting: (span - t.handling).max(0.0),
                max: t.max,
            })
            .collect()
    }
}

/// The distinct host names, in rank order of first appearance.
pub fn distinct(hosts: &[String]) -> Vec<&String> {
    let mut seen: Vec<&String> = Vec::new();
    for h in hosts {
        if !seen.contains(&h) {
            seen.push(h);
        }
    }
    seen
}
