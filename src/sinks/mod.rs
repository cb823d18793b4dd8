//! Rank 0's side of the results. Each gathered window goes, as it arrives, to every sink — the
//! console (a line a plot) and the run record (its `/results` rows) — behind one small trait,
//! as hyperfine's exporters; rank 0 keeps only the per-rank tallies. At the end every sink gets
//! the same run's end: the timing table and summary, the record's run-wide part.
//! `progress` is the live view while the plots are drawn, before any window arrives.

pub mod console;
pub mod progress;
pub mod record;
mod sink;
mod tally;

pub use console::Console;
pub use sink::{Notes, RunEnd, Sink, SinkError};
pub use tally::{distinct, Tally};

use crate::exit::Exit;
use crate::output::pack::PackIndex;
use crate::plan::{Counts, PlotResult, PlotStatus};
use record::RunAttributes;

/// Every sink of a run, fed the same windows, and the tallies behind the timing table.
pub struct Sinks<'a> {
    /// `None` once a sink failed: dropping it lets it clean up (the record's temporary file).
    sinks: Vec<Option<Box<dyn Sink + 'a>>>,
    /// The first error of each sink that failed.
    errors: Vec<SinkError>,
    tally: Tally,
    /// Each rank's span: seconds from its start of work to its end.
    spans: Vec<f64>,
    hosts: Vec<String>,
    /// `--pack --resume`: where the plots already packed are (rank 0 alone knows).
    pack_index: Option<&'a PackIndex>,
}

impl<'a> Sinks<'a> {
    pub fn new(
        sinks: Vec<Box<dyn Sink + 'a>>,
        spans: Vec<f64>,
        hosts: Vec<String>,
        pack_index: Option<&'a PackIndex>,
    ) -> Sinks<'a> {
        Sinks {
            sinks: sinks.into_iter().map(Some).collect(),
            errors: Vec::new(),
            tally: Tally::new(spans.len()),
            spans,
            hosts,
            pack_index,
        }
    }

    /// A sink that could not even be made (stdout already failed for the header, a record
    /// that could not be created): its error is reported at the end with the others.
    pub fn failed(&mut self, e: SinkError) {
        // A stdout that failed once fails every print after: say so once.
        if !(matches!(e, SinkError::Print(_)) && self.stdout_failed()) {
            self.errors.push(e);
        }
    }

    fn stdout_failed(&self) -> bool {
        self.errors.iter().any(|e| matches!(e, SinkError::Print(_)))
    }

    /// One window of results, in plot order and complete.
    pub fn window(&mut self, mut results: Vec<PlotResult>) {
        if let Some(index) = self.pack_index {
            // Skipped plots' places: ranks know only that they are packed.
            for r in results
                .iter_mut()
                .filter(|r| r.status == PlotStatus::Skipped)
            {
                if let Some(place) = index.find(r.plot_num) {
                    r.archive = i64::from(place.archive);
                    (r.offset, r.bytes) = (place.offset, place.len);
                }
            }
        }
        self.tally.add(&results);
        let mut failures = Vec::new();
        for slot in &mut self.sinks {
            if let Some(Err(e)) = slot.as_mut().map(|sink| sink.window(&results)) {
                *slot = None;
                failures.push(e);
            }
        }
        failures.into_iter().for_each(|e| self.failed(e));
    }

    /// Every sink's end, in order; how the run ends, and the errors of the sinks that failed.
    pub fn finish(mut self, attributes: &RunAttributes) -> (Exit, Vec<SinkError>) {
        let ranks = self.tally.rank_rows(&self.spans, &self.hosts);
        let end = RunEnd {
            counts: self.tally.counts(),
            ranks: &ranks,
            attributes,
        };
        let mut told = Vec::new();
        let mut failures = Vec::new();
        for sink in self.sinks.iter_mut().flatten() {
            match sink.finish(&end) {
                Ok(line) => told.extend(line),
                Err(e) => failures.push(e),
            }
        }
        failures.into_iter().for_each(|e| self.failed(e));
        if !self.stdout_failed() {
            if let Err(e) = console::print(
                &told
                    .iter()
                    .map(|line| format!("{line}\n"))
                    .collect::<String>(),
            ) {
                self.failed(e.into());
            }
        }
        let mut exit = exit_for(&end.counts);
        // A report or record that could not be made is a failure of the run, not of a plot.
        if exit == Exit::AllWritten && !self.errors.is_empty() {
            exit = Exit::SomeFailed;
        }
        (exit, self.errors)
    }
}

/// How a run whose plots ended so ends.
fn exit_for(counts: &Counts) -> Exit {
    if counts.not_done > 0 {
        Exit::Interrupted
    } else if counts.failed > 0 {
        Exit::SomeFailed
    } else {
        Exit::AllWritten
    }
}
