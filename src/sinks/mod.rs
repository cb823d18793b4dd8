//! Rank 0's side of the results: each gathered window goes to the console (a line a plot)
//! and to the run record (its `/results` rows) as it arrives, keeping only the per-rank
//! tallies; at the end come the timing table, the summary and the record's run-wide part.

pub mod console;
pub mod progress;
pub mod record;

use crate::exit::Exit;
use crate::output::h5::h5_string;
use crate::output::pack::{self, PackIndex};
use crate::output::{self, OutputDir};
use crate::plan::{PlotResult, PlotStatus};
use crate::run::plotter::RunContext;
use console::Tally;
use record::{DataLink, RanksRow, RunAttributes};
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// What the ranks said about single plots, by plot number.
pub struct Notes {
    /// Why a plot failed.
    pub reasons: HashMap<u64, String>,
    /// `--resume`: what was under a plot's name that made it be drawn again.
    pub remade: HashMap<u64, String>,
}

pub struct Results<'a> {
    ctx: &'a RunContext<'a>,
    notes: Notes,
    /// This run's attempt, and (--resume) which earlier attempt made each plot.
    attempt: u32,
    made_before: Vec<u32>,
    /// Each rank's span: seconds from its start of work to its end.
    spans: Vec<f64>,
    hosts: Vec<String>,
    /// Each rank's host as an index into the distinct hosts.
    host_index: Vec<u32>,
    tally: Tally,
    out: std::io::BufWriter<std::io::Stdout>,
    /// The first printing error: rank 0 must still reach every collective, so it is kept.
    printed: std::io::Result<()>,
    /// None without a record; an error once writing it failed.
    record: Option<Result<record::Writer, record::RecordError>>,
    /// Seconds spent writing the record.
    record_time: f64,
    /// Rows of `/results` written so far.
    rows: usize,
    /// Where `/data` links point, with --save-data.
    data_base: Option<PathBuf>,
    /// Where the archives are, seen from the record, with --pack.
    archive_base: Option<PathBuf>,
    pack_index: Option<&'a PackIndex>,
}

impl<'a> Results<'a> {
    pub fn new(
        ctx: &'a RunContext<'a>,
        notes: Notes,
        spans: Vec<f64>,
        hosts: Vec<String>,
        attempt: u32,
    ) -> Results<'a> {
        let distinct = distinct(&hosts);
        let host_index = hosts
            .iter()
            .map(|h| distinct.iter().position(|d| *d == h).unwrap_or(0) as u32)
            .collect();
        let began = Instant::now();
        let config = ctx.config;
        // Read before the new record is made: it replaces the earlier one at the end.
        let made_before = match &config.record {
            Some(path) if config.resume => record::made_by(path, ctx.plan.num_plots()),
            _ => Vec::new(),
        };
        let record = config
            .record
            .as_ref()
            .map(|path| record::Writer::create(path, ctx.plan.num_plots()));
        let data_base = match &config.record {
            Some(path) if config.save_data => {
                Some(output::data_link_base(&config.output_dir, path))
            }
            _ => None,
        };
        let archive_base = match &config.record {
            Some(path) if config.pack => Some(output::data_link_base(&config.output_dir, path)),
            _ => None,
        };
        Results {
            archive_base,
            ctx,
            notes,
            attempt,
            made_before,
            tally: Tally::new(spans.len()),
            spans,
            hosts,
            host_index,
            out: std::io::BufWriter::new(std::io::stdout()),
            printed: Ok(()),
            record,
            record_time: began.elapsed().as_secs_f64(),
            rows: 0,
            data_base,
            pack_index: None,
        }
    }

    /// `--pack --resume`: where the plots already packed are (rank 0 alone knows).
    pub fn packed_at(mut self, index: Option<&'a PackIndex>) -> Results<'a> {
        self.pack_index = index;
        self
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
        if self.printed.is_ok() {
            self.printed = self.print(&results);
        }
        let began = Instant::now();
        // A failed write drops the writer, and with it the temporary file.
        self.record = match self.record.take() {
            Some(Ok(mut writer)) => Some(self.write(&mut writer, &results).map(|()| writer)),
            other => other,
        };
        self.rows += results.len();
        self.record_time += began.elapsed().as_secs_f64();
    }

    fn print(&mut self, results: &[PlotResult]) -> std::io::Result<()> {
        for r in results {
            if let Some(note) = self.notes.remade.get(&r.plot_num) {
                writeln!(self.out, "Remade: plot {}: {note}", r.plot_num)?;
            }
            if !self.ctx.config.quiet || r.is_failed() {
                let path = match u32::try_from(r.archive) {
                    // Packed: ARCHIVE:MEMBER, as ar(1) and friends name a member.
                    Ok(archive) => PathBuf::from(format!(
                        "{}:{}",
                        self.ctx
                            .out
                            .root()
                            .join(pack::archive_name(archive))
                            .display(),
                        self.ctx.out.relative_path(r.plot_num).display()
                    )),
                    Err(_) => self.ctx.out.path(r.plot_num),
                };
                let reason = self.notes.reasons.get(&r.plot_num).map(String::as_str);
                writeln!(self.out, "{}", console::result_line(r, &path, reason))?;
            }
        }
        Ok(())
    }

    fn write(
        &self,
        writer: &mut record::Writer,
        results: &[PlotResult],
    ) -> Result<(), record::RecordError> {
        let out = self.ctx.out;
        let made_by = |r: &PlotResult| match r.status {
            PlotStatus::Ok => self.attempt,
            PlotStatus::Skipped => self
                .made_before
                .get(r.plot_num as usize - 1)
                .copied()
                .unwrap_or(0),
            PlotStatus::Failed | PlotStatus::NotDone => 0,
        };
        let plan = self.ctx.plan;
        let rows = record::results_rows(
            results,
            |k| out.relative_path(k).display().to_string(),
            |r| match (u32::try_from(r.archive), &self.archive_base) {
                (Ok(archive), Some(base)) => {
                    base.join(pack::archive_name(archive)).display().to_string()
                }
                _ => String::new(),
            },
            |k| plan.object(k).map(|of| of.describe()),
            &self.notes.reasons,
            &self.host_index,
            made_by,
        );
        writer.write_results(self.rows, &rows)?;
        if let Some(base) = &self.data_base {
            writer.link_data(&data_links(out, base, results))?;
        }
        Ok(())
    }

    /// The table, the summary and the record's run-wide part; how the run ends, and whether
    /// everything could be printed.
    pub fn finish(mut self, attributes: &RunAttributes) -> (Exit, std::io::Result<()>) {
        let rows = self.tally.rank_rows(&self.spans, &self.hosts);
        let drawing: Vec<f64> = rows.iter().map(|r| r.drawing).collect();
        let counts = self.tally.counts();
        if self.printed.is_ok() {
            let wall = attributes.wall_seconds;
            self.printed = (|| {
                writeln!(self.out)?;
                writeln!(self.out, "{}", console::rank_table(&rows))?;
                writeln!(self.out, "{}", console::summary(&counts, wall, &drawing))?;
                self.out.flush()
            })();
        }
        let mut exit = if counts.not_done > 0 {
            Exit::Interrupted
        } else if counts.failed > 0 {
            Exit::SomeFailed
        } else {
            Exit::AllWritten
        };
        let began = Instant::now();
        let ranks: Vec<RanksRow> = rows
            .iter()
            .map(|r| RanksRow {
                rank: r.rank as i32,
                host: h5_string(&r.host),
                drawn: r.drawn as u64,
                failed: r.failed as u64,
                skipped: r.skipped as u64,
                drawing: r.drawing,
                waiting: r.waiting,
                mean: r.ms_per_plot().map_or(0.0, |ms| ms / 1e3),
                max: r.max,
            })
            .collect();
        let recorded = self
            .record
            .take()
            .map(|writer| writer.and_then(|w| w.finish(attributes, &counts, &ranks)));
        let took = self.record_time + began.elapsed().as_secs_f64();
        match (recorded, &self.ctx.config.record) {
            (Some(Ok(())), Some(path)) => {
                let line = format!("Run record: {} ({took:.2} s)", path.display());
                self.printed = self
                    .printed
                    .and_then(|()| writeln!(std::io::stdout(), "{line}"));
            }
            (Some(Err(e)), _) => {
                eprintln!("plotrand-mpi: {e}");
                if exit == Exit::AllWritten {
                    exit = Exit::SomeFailed;
                }
            }
            _ => {}
        }
        (exit, self.printed)
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

/// `/data/<plot>` links to each written plot's group in its rank's data file.
fn data_links(out: &OutputDir, base: &std::path::Path, results: &[PlotResult]) -> Vec<DataLink> {
    results
        .iter()
        .filter(|r| r.is_ok())
        .map(|r| {
            let name = out.stem(r.plot_num);
            DataLink {
                file: base
                    .join(output::data_file_name(r.rank))
                    .display()
                    .to_string(),
                object: format!("/{name}"),
                name,
            }
        })
        .collect()
}
