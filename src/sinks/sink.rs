//! What every sink shares: the trait each implements, what it is told of single plots, and the
//! run's end it is given.

use super::record::{RecordError, RunAttributes};
use super::tally::RankTiming;
use crate::plan::{Counts, PlotResult};
use std::collections::HashMap;

/// What the ranks said about single plots, by plot number.
#[derive(Debug, Default)]
pub struct Notes {
    /// Why a plot failed.
    pub reasons: HashMap<u64, String>,
    /// `--resume`: what was under a plot's name that made it be drawn again.
    pub remade: HashMap<u64, String>,
}

/// The end of a run, the same for every sink.
pub struct RunEnd<'a> {
    pub counts: Counts,
    /// The timing table, a row a rank.
    pub ranks: &'a [RankTiming],
    pub attributes: &'a RunAttributes,
}

/// Why a sink stopped: it takes no more windows after its first error.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// Rank 0's stdout is gone (a closed pipe, a full disk).
    #[error("could not print the report: {0}")]
    Print(#[from] std::io::Error),
    #[error(transparent)]
    Record(#[from] RecordError),
}

/// One consumer of the gathered results.
pub trait Sink {
    /// One window of results, complete and in plot order.
    fn window(&mut self, results: &[PlotResult]) -> Result<(), SinkError>;
    /// The run's end; a line to tell the user (where the sink put its output), if any.
    fn finish(&mut self, end: &RunEnd<'_>) -> Result<Option<String>, SinkError>;
}
