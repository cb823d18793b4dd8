//! The HDF5 run record rank 0 writes as the results arrive: what ran, where, how long, and the
//! fate of every plot. It appears under its final name complete or not at all.

use crate::report::{Counts, RankRow};
use crate::task::Record;
use hdf5::types::VarLenUnicode;
use hdf5::H5Type;
use std::path::{Path, PathBuf};

/// The default record file name, inside the output directory.
pub const FILE_NAME: &str = "plotrand.h5";

/// A plot's fate, stored as an HDF5 enum so `h5dump` shows names, not numbers.
#[derive(H5Type, Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum Status {
    Ok = 0,
    Failed = 1,
    Skipped = 2,
    NotDone = 3,
}

/// One row of `/results`.
#[derive(H5Type, Clone, Debug)]
#[repr(C)]
pub struct ResultRow {
    pub plot: u64,
    pub rank: i32,
    /// Index into the root attribute `hosts`.
    pub host: u32,
    pub elapsed: f64,
    pub bytes: u64,
    pub status: Status,
    /// Input rows left out for holding NaN or infinity.
    pub dropped: u64,
    pub file: VarLenUnicode,
    /// Empty unless the plot failed.
    pub reason: VarLenUnicode,
}

/// One row of `/ranks`: the timing table.
#[derive(H5Type, Clone, Debug)]
#[repr(C)]
pub struct RankRecord {
    pub rank: i32,
    pub host: VarLenUnicode,
    pub plots: u64,
    pub failed: u64,
    pub busy: f64,
    pub mean: f64,
    pub max: f64,
}

/// The run as a whole: the root attributes.
#[derive(Debug, Clone, Default)]
pub struct RunInfo {
    pub program_version: String,
    pub build: String,
    pub mpi_library: String,
    pub command_line: String,
    pub seed: u64,
    pub ranks: u32,
    /// Distinct host names; `/results` rows index into it.
    pub hosts: Vec<String>,
    pub start_time: String,
    pub wall_seconds: f64,
    pub format: String,
    pub points: u64,
    pub width: u32,
    pub height: u32,
    /// The `--input` file, or empty for random data.
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

/// A string HDF5 can store: interior NULs (impossible in HDF5 strings) become U+FFFD.
pub fn h5_string(s: &str) -> VarLenUnicode {
    let clean = s.replace('\0', "\u{fffd}");
    clean.parse().unwrap_or_default()
}

pub fn result_rows(
    records: &[Record],
    file_name: impl Fn(u64) -> String,
    reasons: &std::collections::HashMap<u64, String>,
    host_index: &[u32],
) -> Vec<ResultRow> {
    records
        .iter()
        .map(|r| ResultRow {
            plot: r.plot_num,
            rank: r.rank,
            // u32::MAX: no host (a plot nobody drew).
            host: usize::try_from(r.rank).map_or(u32::MAX, |rank| host_index[rank]),
            elapsed: r.elapsed,
            bytes: r.bytes,
            status: match r.status {
                Record::OK => Status::Ok,
                Record::SKIPPED => Status::Skipped,
                Record::NOT_DONE => Status::NotDone,
                _ => Status::Failed,
            },
            dropped: r.dropped,
            file: h5_string(&file_name(r.plot_num)),
            reason: h5_string(reasons.get(&r.plot_num).map_or("", String::as_str)),
        })
        .collect()
}

pub fn rank_records(rows: &[RankRow]) -> Vec<RankRecord> {
    rows.iter()
        .map(|r| RankRecord {
            rank: r.rank as i32,
            host: h5_string(&r.host),
            plots: r.plots as u64,
            failed: r.failed as u64,
            busy: r.busy,
            mean: r.ms_per_plot().map_or(0.0, |ms| ms / 1e3),
            max: r.max,
        })
        .collect()
}

/// The run record being written: created before the results arrive, filled a window of
/// rows at a time, given its run-wide attributes at the end. It is written under a temporary
/// name beside its path and renamed into place by [`Writer::finish`]; dropped unfinished,
/// it leaves nothing behind.
pub struct Writer {
    path: PathBuf,
    tmp: tempfile::NamedTempFile,
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
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(FILE_NAME);
        let tmp = crate::render::temp_file_for(dir, name).map_err(|e| fail(e.into()))?;
        let file = hdf5::File::create(tmp.path()).map_err(|e| fail(e.into()))?;
        let results = file
            .new_dataset::<ResultRow>()
            .shape(num_plots as usize)
            .create("results")
            .map_err(|e| fail(e.into()))?;
        Ok(Writer {
            path: path.to_path_buf(),
            tmp,
            file,
            results,
            data: None,
        })
    }

    fn fail(&self, source: hdf5::Error) -> RecordError {
        RecordError {
            path: self.path.clone(),
            source: source.into(),
        }
    }

    /// Writes `rows` as rows `first ..` of `/results`.
    pub fn write_results(&mut self, first: usize, rows: &[ResultRow]) -> Result<(), RecordError> {
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
        info: &RunInfo,
        counts: &Counts,
        ranks: &[RankRecord],
    ) -> Result<(), RecordError> {
        let Writer {
            path,
            tmp,
            file,
            results,
            data,
        } = self;
        let fail = |source: Box<dyn std::error::Error + Send + Sync>| RecordError {
            path: path.clone(),
            source,
        };
        drop((results, data));
        write_run(&file, info, counts, ranks).map_err(|e| fail(e.into()))?;
        file.close().map_err(|e| fail(e.into()))?;
        tmp.persist(&path).map_err(|e| fail(e.error.into()))?;
        Ok(())
    }
}

/// The root attributes and `/ranks`.
fn write_run(
    file: &hdf5::File,
    info: &RunInfo,
    counts: &Counts,
    ranks: &[RankRecord],
) -> hdf5::Result<()> {
    let text = |name: &str, value: &str| -> hdf5::Result<()> {
        file.new_attr::<VarLenUnicode>()
            .create(name)?
            .write_scalar(&h5_string(value))
    };
    text("program_version", &info.program_version)?;
    text("build", &info.build)?;
    text("mpi_library", &info.mpi_library)?;
    text("command_line", &info.command_line)?;
    text("start_time", &info.start_time)?;
    text("format", &info.format)?;
    text("input", &info.input)?;
    let hosts: Vec<VarLenUnicode> = info.hosts.iter().map(|h| h5_string(h)).collect();
    file.new_attr_builder()
        .with_data(&hosts[..])
        .create("hosts")?;
    for (name, value) in [
        ("seed", info.seed),
        ("ranks", u64::from(info.ranks)),
        ("plots_done", counts.done),
        ("plots_failed", counts.failed),
        ("plots_skipped", counts.skipped),
        ("plots_not_done", counts.not_done),
        ("points", info.points),
        ("width", u64::from(info.width)),
        ("height", u64::from(info.height)),
    ] {
        file.new_attr::<u64>().create(name)?.write_scalar(&value)?;
    }
    file.new_attr::<f64>()
        .create("wall_seconds")?
        .write_scalar(&info.wall_seconds)?;
    file.new_dataset_builder()
        .with_data(ranks)
        .create("ranks")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn sample() -> (RunInfo, Vec<ResultRow>, Counts, Vec<RankRecord>) {
        let info = RunInfo {
            program_version: "0.1.0".into(),
            command_line: "plotrand-mpi -o 'a b' -n 2".into(),
            seed: 42,
            ranks: 2,
            hosts: vec!["node01".into()],
            format: "png".into(),
            ..RunInfo::default()
        };
        let records = [
            Record {
                plot_num: 1,
                rank: 0,
                elapsed: 0.5,
                bytes: 10,
                status: Record::OK,
                dropped: 0,
            },
            Record {
                plot_num: 2,
                rank: 1,
                elapsed: 0.25,
                bytes: 0,
                status: Record::FAILED,
                dropped: 3,
            },
        ];
        let reasons = HashMap::from([(2, "disk full".to_string())]);
        let results = result_rows(&records, |k| format!("plot_{k}.png"), &reasons, &[0, 0]);
        let mut tally = crate::report::Tally::new(2);
        tally.add(&records);
        let ranks =
            rank_records(&tally.rank_rows(&[0.5, 0.25], &["node01".into(), "node01".into()]));
        (info, results, tally.counts(), ranks)
    }

    /// Writes the sample's rows in two windows, as the driver does.
    fn write(
        path: &Path,
        (info, results, counts, ranks): &(RunInfo, Vec<ResultRow>, Counts, Vec<RankRecord>),
    ) -> Result<(), RecordError> {
        let mut writer = Writer::create(path, results.len() as u64)?;
        writer.write_results(0, &results[..1])?;
        writer.write_results(1, &results[1..])?;
        writer.finish(info, counts, ranks)
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
            .read_raw::<ResultRow>()
            .unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(
            (back[1].plot, back[1].rank, back[1].status, back[1].dropped),
            (2, 1, Status::Failed, 3)
        );
        assert_eq!(back[1].reason.as_str(), "disk full");
        assert_eq!(back[0].file.as_str(), "plot_1.png");
        let ranks = f
            .dataset("ranks")
            .unwrap()
            .read_raw::<RankRecord>()
            .unwrap();
        assert_eq!(
            (ranks[0].plots, ranks[0].busy, ranks[0].mean),
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

    #[test]
    fn nul_bytes_do_not_break_strings() {
        assert_eq!(h5_string("a\0b").as_str(), "a\u{fffd}b");
    }
}
