//! Writing the run record as the results arrive (`/results` a window of rows at a time, `/data`
//! links with --save-data), and its run-wide part at the end: the record sink.

use super::read::made_by;
use super::{
    attr, DataLink, RanksRow, RecordError, ResultsRow, RunAttributes, NOT_DONE_REASON,
    VALUE_RANGES, VALUE_RANGES_DESCRIPTION,
};
use crate::output::h5::h5_string;
use crate::output::h5::{PendingH5, StatusEnum};
use crate::output::pack::archive_name;
use crate::output::{data_file_name, data_link_base, OutputDir};
use crate::plan::{Counts, Plan, PlotResult, PlotStatus};
use crate::sinks::sink::{Notes, RunEnd, Sink, SinkError};
use crate::sinks::tally::{distinct, RankTiming};
use hdf5::types::VarLenUnicode;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The `/results` rows of `results`, given each plot's file, the failure reasons, each
/// rank's host as an index into the distinct hosts, and the attempt that made each plot.
pub fn results_rows(
    results: &[PlotResult],
    file_name: impl Fn(u64) -> String,
    archive: impl Fn(&PlotResult) -> String,
    object: impl Fn(u64) -> Option<String>,
    reasons: &std::collections::HashMap<u64, String>,
    host_index: &[u32],
    made_by: impl Fn(&PlotResult) -> u32,
) -> Vec<ResultsRow<StatusEnum>> {
    results
        .iter()
        .map(|r| ResultsRow {
            plot: r.plot_num,
            rank: r.rank,
            // u32::MAX: no host (a plot nobody drew).
            host: usize::try_from(r.rank).map_or(u32::MAX, |rank| host_index[rank]),
            elapsed: r.elapsed,
            bytes: r.bytes,
            status: r.status.into(),
            attempt: made_by(r),
            dropped: r.dropped,
            file: h5_string(&file_name(r.plot_num)),
            archive: h5_string(&archive(r)),
            offset: r.offset,
            object: h5_string(&object(r.plot_num).unwrap_or_default()),
            reason: h5_string(match (reasons.get(&r.plot_num), r.status) {
                (Some(reason), _) => reason,
                (None, PlotStatus::NotDone) => NOT_DONE_REASON,
                (None, _) => "",
            }),
        })
        .collect()
}

/// The run record being written: created before the results arrive, filled a window of
/// rows at a time, given its run-wide attributes at the end. It is written under a temporary
/// name beside its path and renamed into place by [`Writer::finish`]; dropped unfinished,
/// it leaves nothing behind.
pub struct Writer {
    // Before the file, so that they are dropped before it is closed.
    results: hdf5::Dataset,
    /// `/value_ranges`, created with the first ranges.
    ranges: Option<hdf5::Dataset>,
    /// `/data`, created with the first link.
    data: Option<hdf5::Group>,
    h5: PendingH5,
    num_plots: u64,
}

impl Writer {
    /// Creates the temporary file and its `/results` dataset, sized for `num_plots` rows.
    pub fn create(path: &Path, num_plots: u64) -> Result<Writer, RecordError> {
        let fail = |source: Box<dyn std::error::Error + Send + Sync>| RecordError {
            path: path.to_path_buf(),
            source,
        };
        let h5 = PendingH5::create(path).map_err(fail)?;
        let results = h5
            .file()
            .new_dataset::<ResultsRow<StatusEnum>>()
            .shape(num_plots as usize)
            .create("results")
            .map_err(|e| fail(e.into()))?;
        Ok(Writer {
            results,
            ranges: None,
            data: None,
            h5,
            num_plots,
        })
    }

    fn fail(&self, source: hdf5::Error) -> RecordError {
        RecordError {
            path: self.h5.path().to_path_buf(),
            source: source.into(),
        }
    }

    /// Writes `rows` as rows `first ..` of `/results`.
    pub fn write_results(
        &mut self,
        first: usize,
        rows: &[ResultsRow<StatusEnum>],
    ) -> Result<(), RecordError> {
        self.results
            .write_slice(rows, first..first + rows.len())
            .map_err(|e| self.fail(e))
    }

    /// Writes `ranges` as rows `first ..` of `/value_ranges`: one (low, high) row per plot,
    /// beside its `/results` row.
    pub fn write_ranges(&mut self, first: usize, ranges: &[[f64; 2]]) -> Result<(), RecordError> {
        if self.ranges.is_none() {
            let ranges = self
                .h5
                .file()
                .new_dataset::<f64>()
                .shape((self.num_plots as usize, 2))
                .fill_value(f64::NAN)
                .create(VALUE_RANGES)
                .map_err(|e| self.fail(e))?;
            ranges
                .new_attr::<VarLenUnicode>()
                .create("description")
                .and_then(|a| a.write_scalar(&h5_string(VALUE_RANGES_DESCRIPTION)))
                .map_err(|e| self.fail(e))?;
            self.ranges = Some(ranges);
        }
        let dataset = self.ranges.as_ref().expect("created above");
        let rows = ndarray::Array2::from(ranges.to_vec());
        dataset
            .write_slice(&rows, (first..first + ranges.len(), ..))
            .map_err(|e| self.fail(e))
    }

    /// Adds external links under `/data`.
    pub fn link_data(&mut self, links: &[DataLink]) -> Result<(), RecordError> {
        if links.is_empty() {
            return Ok(());
        }
        if self.data.is_none() {
            self.data = Some(
                self.h5
                    .file()
                    .create_group("data")
                    .map_err(|e| self.fail(e))?,
            );
        }
        let data = self.data.as_ref().expect("created above");
        for link in links {
            data.link_external(&link.file, &link.object, &link.name)
                .map_err(|e| self.fail(e))?;
        }
        Ok(())
    }

    /// Writes the attributes and `/ranks`, closes the file and renames it into place.
    pub fn finish(
        self,
        attributes: &RunAttributes,
        counts: &Counts,
        ranks: &[RanksRow],
    ) -> Result<(), RecordError> {
        let Writer {
            results,
            ranges,
            data,
            h5,
            ..
        } = self;
        let path = h5.path().to_path_buf();
        let fail = |source: Box<dyn std::error::Error + Send + Sync>| RecordError {
            path: path.clone(),
            source,
        };
        drop((results, ranges, data));
        write_run(h5.file(), attributes, counts, ranks).map_err(|e| fail(e.into()))?;
        h5.commit().map_err(fail)
    }
}

/// The root attributes and `/ranks`.
fn write_run(
    file: &hdf5::File,
    a: &RunAttributes,
    counts: &Counts,
    ranks: &[RanksRow],
) -> hdf5::Result<()> {
    let text = |name: &str, value: &str| -> hdf5::Result<()> {
        file.new_attr::<VarLenUnicode>()
            .create(name)?
            .write_scalar(&h5_string(value))
    };
    text(attr::PROGRAM_VERSION, &a.program_version)?;
    text(attr::BUILD, &a.build)?;
    text(attr::MPI_LIBRARY, &a.mpi_library)?;
    text(attr::COMMAND_LINE, &a.command_line)?;
    text(attr::START_TIME, &a.start_time)?;
    text(attr::FORMAT, &a.format)?;
    text(attr::INPUT, &a.input)?;
    let hosts: Vec<VarLenUnicode> = a.hosts.iter().map(|h| h5_string(h)).collect();
    file.new_attr_builder()
        .with_data(&hosts[..])
        .create(attr::HOSTS)?;
    for (name, value) in [
        (attr::SEED, a.seed),
        (attr::ATTEMPT, u64::from(a.attempt)),
        (attr::RANKS, u64::from(a.ranks)),
        (attr::PLOTS_DONE, counts.done),
        (attr::PLOTS_FAILED, counts.failed),
        (attr::PLOTS_SKIPPED, counts.skipped),
        (attr::PLOTS_NOT_DONE, counts.not_done),
        (attr::POINTS, a.points),
        (attr::WIDTH, u64::from(a.width)),
        (attr::HEIGHT, u64::from(a.height)),
    ] {
        file.new_attr::<u64>().create(name)?.write_scalar(&value)?;
    }
    file.new_attr::<f64>()
        .create(attr::WALL_SECONDS)?
        .write_scalar(&a.wall_seconds)?;
    file.new_dataset_builder()
        .with_data(ranks)
        .create("ranks")?;
    Ok(())
}

/// What the record sink is told of the run before the results arrive.
pub struct RecordOptions<'a> {
    pub path: &'a Path,
    pub out: &'a OutputDir,
    pub plan: &'a Plan,
    pub notes: &'a Notes,
    pub attempt: u32,
    /// `--resume`: the record this one replaces says which attempt made each plot skipped.
    pub resume: bool,
    /// `--save-data`: `/data` links to each plot's group in its rank's data file.
    pub save_data: bool,
    /// `--pack`: each plot's archive, named from the record.
    pub pack: bool,
}

/// The run record sink: `/results` rows a window at a time, the run-wide part at the end.
pub struct RecordSink<'a> {
    writer: Option<Writer>,
    path: PathBuf,
    out: &'a OutputDir,
    plan: &'a Plan,
    notes: &'a Notes,
    /// Each rank's host as an index into the distinct hosts.
    host_index: Vec<u32>,
    attempt: u32,
    /// (--resume) which earlier attempt made each plot.
    made_before: Vec<u32>,
    /// Where `/data` links point, with --save-data.
    data_base: Option<PathBuf>,
    /// Where the archives are, seen from the record, with --pack.
    archive_base: Option<PathBuf>,
    /// Rows of `/results` written so far.
    rows: usize,
    /// Seconds spent writing the record.
    took: f64,
}

impl<'a> RecordSink<'a> {
    /// Creates the record (under a temporary name); `hosts` are each rank's host.
    pub fn create(
        options: RecordOptions<'a>,
        hosts: &[String],
    ) -> Result<RecordSink<'a>, RecordError> {
        let began = Instant::now();
        let RecordOptions {
            path, out, plan, ..
        } = options;
        let distinct = distinct(hosts);
        let host_index = hosts
            .iter()
            .map(|h| distinct.iter().position(|d| *d == h).unwrap_or(0) as u32)
            .collect();
        // Read before the new record is made: it replaces the earlier one at the end.
        let made_before = if options.resume {
            made_by(path, plan.num_plots())
        } else {
            Vec::new()
        };
        let writer = Writer::create(path, plan.num_plots())?;
        let base = || data_link_base(out.root(), path);
        Ok(RecordSink {
            writer: Some(writer),
            path: path.to_path_buf(),
            out,
            plan,
            notes: options.notes,
            host_index,
            attempt: options.attempt,
            made_before,
            data_base: options.save_data.then(base),
            archive_base: options.pack.then(base),
            rows: 0,
            took: began.elapsed().as_secs_f64(),
        })
    }

    /// Which attempt made plot `r`: this one, an earlier one (skipped), or none.
    fn made_by(&self, r: &PlotResult) -> u32 {
        match r.status {
            PlotStatus::Ok => self.attempt,
            PlotStatus::Skipped => self
                .made_before
                .get(r.plot_num as usize - 1)
                .copied()
                .unwrap_or(0),
            PlotStatus::Failed | PlotStatus::NotDone => 0,
        }
    }

    fn archive_of(&self, r: &PlotResult) -> String {
        match (u32::try_from(r.archive), &self.archive_base) {
            (Ok(archive), Some(base)) => base.join(archive_name(archive)).display().to_string(),
            _ => String::new(),
        }
    }

    fn write(&mut self, results: &[PlotResult]) -> Result<(), RecordError> {
        let rows = results_rows(
            results,
            |k| self.out.relative_path(k).display().to_string(),
            |r| self.archive_of(r),
            |k| self.plan.object(k).map(|of| of.describe()),
            &self.notes.reasons,
            &self.host_index,
            |r| self.made_by(r),
        );
        let links = self
            .data_base
            .as_ref()
            .map(|base| data_links(self.out, base, results));
        let writer = self.writer.as_mut().expect("written until finished");
        writer.write_results(self.rows, &rows)?;
        if matches!(self.plan, Plan::Input { .. }) {
            let ranges: Vec<[f64; 2]> = results.iter().map(|r| [r.range_lo, r.range_hi]).collect();
            writer.write_ranges(self.rows, &ranges)?;
        }
        if let Some(links) = links {
            writer.link_data(&links)?;
        }
        self.rows += results.len();
        Ok(())
    }
}

impl Sink for RecordSink<'_> {
    fn window(&mut self, results: &[PlotResult]) -> Result<(), SinkError> {
        let began = Instant::now();
        self.write(results)?;
        self.took += began.elapsed().as_secs_f64();
        Ok(())
    }

    fn finish(&mut self, end: &RunEnd<'_>) -> Result<Option<String>, SinkError> {
        let began = Instant::now();
        let ranks: Vec<RanksRow> = end.ranks.iter().map(ranks_row).collect();
        let writer = self.writer.take().expect("finished once");
        writer.finish(end.attributes, &end.counts, &ranks)?;
        let took = self.took + began.elapsed().as_secs_f64();
        Ok(Some(format!(
            "Run record: {} ({took:.2} s)",
            self.path.display()
        )))
    }
}

/// A rank's `/ranks` row, from its line of the timing table.
fn ranks_row(r: &RankTiming) -> RanksRow {
    RanksRow {
        rank: r.rank as i32,
        host: h5_string(&r.host),
        drawn: r.drawn as u64,
        failed: r.failed as u64,
        skipped: r.skipped as u64,
        drawing: r.drawing,
        waiting: r.waiting,
        mean: r.ms_per_plot().map_or(0.0, |ms| ms / 1e3),
        max: r.max,
    }
}

/// `/data/<plot>` links to each written plot's group in its rank's data file.
fn data_links(out: &OutputDir, base: &Path, results: &[PlotResult]) -> Vec<DataLink> {
    results
        .iter()
        .filter(|r| r.is_ok())
        .map(|r| {
            let name = out.stem(r.plot_num);
            DataLink {
                file: base.join(data_file_name(r.rank)).display().to_string(),
                object: format!("/{name}"),
                name,
            }
        })
        .collect()
}
