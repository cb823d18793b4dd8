//! The HDF5 run record rank 0 writes as the results arrive: what ran, where, how long, and the
//! fate of every plot. It appears under its final name complete or not at all.

use crate::output::h5::h5_string;
use crate::output::PendingFile;
use crate::plan::{Counts, PlotResult, PlotStatus};
use hdf5::types::VarLenUnicode;
use hdf5::H5Type;
use std::path::{Path, PathBuf};

/// The root attributes' names, for the writer and the reader alike.
pub mod attr {
    pub const PROGRAM_VERSION: &str = "program_version";
    pub const BUILD: &str = "build";
    pub const MPI_LIBRARY: &str = "mpi_library";
    pub const COMMAND_LINE: &str = "command_line";
    pub const START_TIME: &str = "start_time";
    pub const FORMAT: &str = "format";
    pub const INPUT: &str = "input";
    pub const HOSTS: &str = "hosts";
    pub const SEED: &str = "seed";
    pub const ATTEMPT: &str = "attempt";
    pub const RANKS: &str = "ranks";
    pub const PLOTS_DONE: &str = "plots_done";
    pub const PLOTS_FAILED: &str = "plots_failed";
    pub const PLOTS_SKIPPED: &str = "plots_skipped";
    pub const PLOTS_NOT_DONE: &str = "plots_not_done";
    pub const POINTS: &str = "points";
    pub const WIDTH: &str = "width";
    pub const HEIGHT: &str = "height";
    pub const WALL_SECONDS: &str = "wall_seconds";
}

/// One row of `/results`.
#[derive(H5Type, Clone, Debug)]
#[repr(C)]
pub struct ResultsRow {
    pub plot: u64,
    pub rank: i32,
    /// Index into the root attribute `hosts`.
    pub host: u32,
    pub elapsed: f64,
    pub bytes: u64,
    pub status: PlotStatus,
    /// The attempt (1, then one more for each --resume) whose run made the plot's file;
    /// 0 for none (failed, not done) or unknown.
    pub attempt: u32,
    /// Input rows left out for holding NaN or infinity.
    pub dropped: u64,
    pub file: VarLenUnicode,
    /// `--pack`: the archive holding the plot (relative to the record when the record is in
    /// the output directory, else absolute), its data's offset in it and its length
    /// (`bytes`); empty when not packed.
    pub archive: VarLenUnicode,
    pub offset: u64,
    /// The `--input` object the plot draws; empty for random data.
    pub object: VarLenUnicode,
    /// Empty unless the plot failed.
    pub reason: VarLenUnicode,
}

/// One row of `/ranks`: the timing table.
#[derive(H5Type, Clone, Debug)]
#[repr(C)]
pub struct RanksRow {
    pub rank: i32,
    pub host: VarLenUnicode,
    /// Plots drawn (written or failed).
    pub drawn: u64,
    pub failed: u64,
    /// `--resume`: plots already there.
    pub skipped: u64,
    /// Seconds drawing: the sum of the drawn plots' times.
    pub drawing: f64,
    /// Seconds of the rank's span not spent on plots (waiting for work, handing it out).
    pub waiting: f64,
    /// Mean seconds per drawn plot.
    pub mean: f64,
    /// Slowest drawn plot, in seconds.
    pub max: f64,
}

/// The run as a whole: the root attributes.
#[derive(Debug, Clone, Default)]
pub struct RunAttributes {
    pub program_version: String,
    pub build: String,
    pub mpi_library: String,
    pub command_line: String,
    pub seed: u64,
    /// 1 for a fresh run, one more for each --resume.
    pub attempt: u32,
    pub ranks: u32,
    /// Distinct host names; `/results` rows index into it.
    pub hosts: Vec<String>,
    pub start_time: String,
    pub wall_seconds: f64,
    pub format: String,
    pub points: u64,
    pub width: u32,
    pub height: u32,
    /// The `--input` file, as an absolute path; empty for random data.
    pub input: String,
}

/// An external link from `/data/<name>` to `object` in `file` (relative to the record).
#[derive(Debug, Clone, PartialEq)]
pub struct DataLink {
    pub name: String,
    pub file: String,
    pub object: String,
}

#[derive(Debug, thiserror::Error)]
#[error("could not write the run record '{}': {source}; pass --record PATH to put it elsewhere or --no-record to skip it", path.display())]
pub struct RecordError {
    pub path: PathBuf,
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

/// Why a plot is not done, in `/results`.
pub const NOT_DONE_REASON: &str =
    "the run was stopped before this plot was drawn; run again with --resume";

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
) -> Vec<ResultsRow> {
    results
        .iter()
        .map(|r| ResultsRow {
            plot: r.plot_num,
            rank: r.rank,
            // u32::MAX: no host (a plot nobody drew).
            host: usize::try_from(r.rank).map_or(u32::MAX, |rank| host_index[rank]),
            elapsed: r.elapsed,
            bytes: r.bytes,
            status: r.status,
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
    pending: PendingFile,
    file: hdf5::File,
    results: hdf5::Dataset,
    /// `/data`, created with the first link.
    data: Option<hdf5::Group>,
}

impl Writer {
    /// Creates the temporary file and its `/results` dataset, sized for `num_plots` rows.
    pub fn create(path: &Path, num_plots: u64) -> Result<Writer, RecordError> {
        let fail = |source: Box<dyn std::error::Error + Send + Sync>| RecordError {
            path: path.to_path_buf(),
            source,
        };
        let pending = PendingFile::beside(path).map_err(|e| fail(e.into()))?;
        let file = hdf5::File::create(pending.temp_path()).map_err(|e| fail(e.into()))?;
        let results = file
            .new_dataset::<ResultsRow>()
            .shape(num_plots as usize)
            .create("results")
            .map_err(|e| fail(e.into()))?;
        Ok(Writer {
            pending,
            file,
            results,
            data: None,
        })
    }

    fn fail(&self, source: hdf5::Error) -> RecordError {
        RecordError {
            path: self.pending.path().to_path_buf(),
            source: source.into(),
        }
    }

    /// Writes `rows` as rows `first ..` of `/results`.
    pub fn write_results(&mut self, first: usize, rows: &[ResultsRow]) -> Result<(), RecordError> {
        self.results
            .write_slice(rows, first..first + rows.len())
            .map_err(|e| self.fail(e))
    }

    /// Adds external links under `/data`.
    pub fn link_data(&mut self, links: &[DataLink]) -> Result<(), RecordError> {
        if links.is_empty() {
            return Ok(());
        }
        if self.data.is_none() {
            self.data = Some(self.file.create_group("data").map_err(|e| self.fail(e))?);
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
            pending,
            file,
            results,
            data,
        } = self;
        let path = pending.path().to_path_buf();
        let fail = |source: Box<dyn std::error::Error + Send + Sync>| RecordError {
            path: path.clone(),
            source,
        };
        drop((results, data));
        write_run(&file, attributes, counts, ranks).map_err(|e| fail(e.into()))?;
        file.close().map_err(|e| fail(e.into()))?;
        pending.commit().map_err(|e| fail(e.into()))
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

/// Whether `path` is a run record this program wrote (which a new run may replace).
pub fn is_run_record(path: &Path) -> bool {
    hdf5::File::open(path)
        .is_ok_and(|f| f.attr(attr::PROGRAM_VERSION).is_ok() && f.dataset("results").is_ok())
}

/// Which attempt made each plot, by plot number − 1, as an earlier record at `path` says
/// (0: none or unknown): what a resumed record carries over for the plots it skips. Empty
/// when there is no readable earlier record.
pub fn made_by(path: &Path, num_plots: u64) -> Vec<u32> {
    #[derive(H5Type, Clone)]
    #[repr(C)]
    struct Made {
        plot: u64,
        status: PlotStatus,
        attempt: u32,
    }
    #[derive(H5Type, Clone)]
    #[repr(C)]
    struct MadeBeforeAttempts {
        plot: u64,
        status: PlotStatus,
    }
    let read = || -> hdf5::Result<Vec<u32>> {
        let f = hdf5::File::open(path)?;
        let results = f.dataset("results")?;
        let mut made = vec![0; num_plots as usize];
        let mut mark = |plot: u64, attempt: u32| {
            if let Some(slot) = made.get_mut((plot as usize).wrapping_sub(1)) {
                *slot = attempt;
            }
        };
        match results.read_raw::<Made>() {
            Ok(rows) => rows.iter().for_each(|r| mark(r.plot, r.attempt)),
            // A record of a version without attempts: its own plots are attempt 1's.
            Err(_) => results
                .read_raw::<MadeBeforeAttempts>()?
                .iter()
                .filter(|r| r.status == PlotStatus::Ok)
                .for_each(|r| mark(r.plot, 1)),
        }
        Ok(made)
    };
    read().unwrap_or_default()
}

/// Rows of `/results` read at a time.
const ROWS_AT_A_TIME: usize = 65_536;

/// A finished record's `/results`, opened for reading a slice at a time.
pub struct ResultsReader {
    results: hdf5::Dataset,
    /// The distinct host names the rows' `host` indexes.
    pub hosts: Vec<String>,
}

impl ResultsReader {
    pub fn open(path: &Path) -> Result<ResultsReader, Box<dyn std::error::Error>> {
        if !is_run_record(path) {
            return Err("it is not a plotrand-mpi run record (no /results)".into());
        }
        let f = hdf5::File::open(path)?;
        let hosts = f
            .attr(attr::HOSTS)?
            .read_raw::<VarLenUnicode>()?
            .iter()
            .map(|h| h.to_string())
            .collect();
        Ok(ResultsReader {
            results: f.dataset("results")?,
            hosts,
        })
    }

    /// Calls `each` with the rows in plot order, [`ROWS_AT_A_TIME`] at a time, so that a
    /// report of millions of plots never holds them all.
    pub fn for_each(
        &self,
        mut each: impl FnMut(&[ResultsRow]) -> Result<(), Box<dyn std::error::Error>>,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let n = self.results.shape().first().copied().unwrap_or(0);
        let mut first = 0;
        while first < n {
            let last = (first + ROWS_AT_A_TIME).min(n);
            let rows = self.results.read_slice_1d::<ResultsRow, _>(first..last)?;
            each(rows.as_slice().expect("a 1-D slice is contiguous"))?;
            first = last;
        }
        Ok(())
    }
}

/// What a finished record says about its run as a whole: what the speedup study compares.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRun {
    pub path: PathBuf,
    pub ranks: u64,
    pub wall_seconds: f64,
    pub counts: Counts,
    pub points: u64,
    pub width: u64,
    pub height: u64,
    pub format: String,
    pub input: String,
}

/// Reads a finished record's root attributes.
pub fn read(path: &Path) -> hdf5::Result<RecordedRun> {
    let f = hdf5::File::open(path)?;
    let number = |name: &str| f.attr(name).and_then(|a| a.read_scalar::<u64>());
    let text = |name: &str| {
        f.attr(name)
            .and_then(|a| a.read_scalar::<VarLenUnicode>())
            .map(|s| s.to_string())
    };
    Ok(RecordedRun {
        path: path.to_path_buf(),
        ranks: number(attr::RANKS)?,
        wall_seconds: f.attr(attr::WALL_SECONDS)?.read_scalar::<f64>()?,
        counts: Counts {
            done: number(attr::PLOTS_DONE)?,
            failed: number(attr::PLOTS_FAILED)?,
            skipped: number(attr::PLOTS_SKIPPED)?,
            not_done: number(attr::PLOTS_NOT_DONE)?,
        },
        points: number(attr::POINTS)?,
        width: number(attr::WIDTH)?,
        height: number(attr::HEIGHT)?,
        format: text(attr::FORMAT)?,
        input: text(attr::INPUT)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    type Sample = (RunAttributes, Vec<ResultsRow>, Counts, Vec<RanksRow>);

    fn sample() -> Sample {
        let attributes = RunAttributes {
            program_version: "0.1.0".into(),
            command_line: "plotrand-mpi -o 'a b' -n 2".into(),
            seed: 42,
            ranks: 2,
            hosts: vec!["node01".into()],
            format: "png".into(),
            ..RunAttributes::default()
        };
        let results = [
            PlotResult {
                plot_num: 1,
                rank: 0,
                elapsed: 0.5,
                bytes: 10,
                status: PlotStatus::Ok,
                dropped: 0,
                ..PlotResult::default()
            },
            PlotResult {
                plot_num: 2,
                rank: 1,
                elapsed: 0.25,
                bytes: 0,
                status: PlotStatus::Failed,
                dropped: 3,
                ..PlotResult::default()
            },
        ];
        let reasons = HashMap::from([(2, "disk full".to_string())]);
        let rows = results_rows(
            &results,
            |k| format!("plot_{k}.png"),
            |_| String::new(),
            |_| None,
            &reasons,
            &[0, 0],
            |r| u32::from(r.is_ok()),
        );
        let mut counts = Counts::default();
        results.iter().for_each(|r| counts.add(r.status));
        let ranks = vec![RanksRow {
            rank: 0,
            host: h5_string("node01"),
            drawn: 1,
            failed: 0,
            skipped: 0,
            drawing: 0.5,
            waiting: 0.0,
            mean: 0.5,
            max: 0.5,
        }];
        (attributes, rows, counts, ranks)
    }

    /// Writes the sample's rows in two windows, as the driver does.
    fn write(
        path: &Path,
        (attributes, results, counts, ranks): &Sample,
    ) -> Result<(), RecordError> {
        let mut writer = Writer::create(path, results.len() as u64)?;
        writer.write_results(0, &results[..1])?;
        writer.write_results(1, &results[1..])?;
        writer.finish(attributes, counts, ranks)
    }

    #[test]
    fn the_record_reads_back_field_by_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.h5");
        write(&path, &sample()).unwrap();

        let f = hdf5::File::open(&path).unwrap();
        assert_eq!(f.attr("seed").unwrap().read_scalar::<u64>().unwrap(), 42);
        assert_eq!(
            f.attr("plots_done").unwrap().read_scalar::<u64>().unwrap(),
            1
        );
        assert_eq!(
            f.attr("plots_failed")
                .unwrap()
                .read_scalar::<u64>()
                .unwrap(),
            1
        );
        let cmd = f
            .attr("command_line")
            .unwrap()
            .read_scalar::<VarLenUnicode>()
            .unwrap();
        assert_eq!(cmd.as_str(), "plotrand-mpi -o 'a b' -n 2");
        let back = f
            .dataset("results")
            .unwrap()
            .read_raw::<ResultsRow>()
            .unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(
            (back[1].plot, back[1].rank, back[1].status, back[1].dropped),
            (2, 1, PlotStatus::Failed, 3)
        );
        assert_eq!(back[1].reason.as_str(), "disk full");
        assert_eq!(back[0].file.as_str(), "plot_1.png");
        let ranks = f.dataset("ranks").unwrap().read_raw::<RanksRow>().unwrap();
        assert_eq!(
            (ranks[0].drawn, ranks[0].drawing, ranks[0].mean),
            (1, 0.5, 0.5)
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary left"
        );
    }

    #[test]
    fn an_unwritable_place_is_an_error_naming_the_path() {
        let err = write(Path::new("/proc/no/such/run.h5"), &sample()).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("/proc/no/such/run.h5") && text.contains("--no-record"),
            "{text}"
        );
    }

    #[test]
    fn an_unfinished_record_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.h5");
        let mut writer = Writer::create(&path, 3).unwrap();
        let (_, results, _, _) = sample();
        writer.write_results(0, &results).unwrap();
        drop(writer);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
