//! The HDF5 run record rank 0 writes as the results arrive: what ran, where, how long, and the
//! fate of every plot. It appears under its final name complete or not at all.

mod read;
mod write;

pub use read::{is_run_record, made_by, read, RecordedRow, RecordedRun, ResultsReader};
pub use write::{results_rows, RecordOptions, RecordSink, Writer};

use crate::plan::PlotStatus;
use hdf5::types::VarLenUnicode;
use hdf5::H5Type;
use std::borrow::Cow;
use std::path::PathBuf;

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

/// The run record's dataset of each plot's value range, row k beside `/results` row k.
pub const VALUE_RANGES: &str = "value_ranges";
pub const VALUE_RANGES_DESCRIPTION: &str = "The value range each plot was drawn with, (low, \
     high): a heatmap's colour limits, a line's y values' (those its frames share, see --range \
     and --robust); NaN for plots not drawn (failed, skipped by --resume, not done).";

/// One row of `/results` as HDF5 holds it. `S` is how the status is held: written as the
/// HDF5 enum ([`StatusEnum`](crate::output::h5::StatusEnum)), read back as its plain integer ([`Status`], the default),
/// because a record may hold a value this version does not know. Its strings are HDF5's
/// unchecked views: readers take [`RecordedRow`]s from [`ResultsReader`] instead.
#[derive(H5Type, Clone, Debug)]
#[repr(C)]
pub struct ResultsRow<S: H5Type = Status> {
    pub plot: u64,
    pub rank: i32,
    /// Index into the root attribute `hosts`.
    pub host: u32,
    pub elapsed: f64,
    pub bytes: u64,
    pub status: S,
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

/// A row's status as read back from a record: the integer stored, whichever it is. HDF5
/// converts the file's enum (of whatever members) to it by value, so a newer version's status
/// arrives as its number, where reading into [`PlotStatus`] would have been undefined
/// behaviour (a segfault in `report`) or, with an enum of other members, an error.
#[derive(H5Type, Clone, Copy, Debug, PartialEq, Eq)]
#[repr(transparent)]
pub struct Status(pub i32);

impl Status {
    /// The status, if it is one of this version's.
    pub fn known(self) -> Option<PlotStatus> {
        PlotStatus::ALL.into_iter().find(|&s| s as i32 == self.0)
    }

    /// `Ok`, `Failed`, `Skipped`, `NotDone`, or `Unknown(N)` for a value this version does not
    /// know.
    pub fn name(self) -> Cow<'static, str> {
        match self.known() {
            Some(status) => status.name().into(),
            None => format!("Unknown({})", self.0).into(),
        }
    }

    /// Whether the plot's file was made, by this run or an earlier one; an unknown status is
    /// not known to be done.
    pub fn is_made(self) -> bool {
        matches!(self.known(), Some(PlotStatus::Ok | PlotStatus::Skipped))
    }
}

impl From<PlotStatus> for Status {
    fn from(status: PlotStatus) -> Status {
        Status(status as i32)
    }
}

impl PartialEq<PlotStatus> for Status {
    fn eq(&self, other: &PlotStatus) -> bool {
        self.0 == *other as i32
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::h5::{h5_string, StatusEnum};
    use crate::plan::{Counts, PlotResult};
    use std::collections::HashMap;
    use std::path::Path;

    type Sample = (
        RunAttributes,
        Vec<ResultsRow<StatusEnum>>,
        Counts,
        Vec<RanksRow>,
    );

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

    /// Writes the sample's rows in two windows, as a run does.
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
            (2, 1, Status::from(PlotStatus::Failed), 3)
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
    fn statuses_are_written_as_the_enum_and_read_as_any_integer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.h5");
        write(&path, &sample()).unwrap();
        let f = hdf5::File::open(&path).unwrap();
        let row = f.dataset("results").unwrap().dtype().unwrap();
        let hdf5::types::TypeDescriptor::Compound(row) = row.to_descriptor().unwrap() else {
            panic!("a compound row");
        };
        let status = row.fields.iter().find(|f| f.name == "status").unwrap();
        let hdf5::types::TypeDescriptor::Enum(status) = &status.ty else {
            panic!("the status is an HDF5 enum: {:?}", status.ty);
        };
        let names: Vec<&str> = status.members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["Ok", "Failed", "Skipped", "NotDone"]);

        assert_eq!(Status(9).name(), "Unknown(9)");
        assert_eq!(Status(-1).known(), None);
        assert_eq!(Status(3).known(), Some(PlotStatus::NotDone));
        assert!(Status(2).is_made() && !Status(9).is_made() && !Status(1).is_made());
    }

    #[test]
    fn a_record_without_attempts_gives_its_made_plots_to_attempt_1() {
        // As a version before attempts wrote `/results`: HDF5 would read the missing
        // `attempt` as whatever memory held, so the reader must see that it is missing.
        #[derive(H5Type, Clone)]
        #[repr(C)]
        struct Before {
            plot: u64,
            status: StatusEnum,
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.h5");
        let rows: Vec<Before> = [PlotStatus::Ok, PlotStatus::Failed, PlotStatus::Skipped]
            .into_iter()
            .zip(1..)
            .map(|(status, plot)| Before {
                plot,
                status: status.into(),
            })
            .collect();
        hdf5::File::create(&path)
            .unwrap()
            .new_dataset_builder()
            .with_data(&rows)
            .create("results")
            .unwrap();
        assert_eq!(made_by(&path, 4), [1, 0, 0, 0]);
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
