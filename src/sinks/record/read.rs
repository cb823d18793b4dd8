//! Reading run records back: whether a file is one, which attempt made each plot (for
//! --resume), `/results` a block of rows at a time, and the run-wide facts (`report`,
//! `extract`, `speedup`).

use super::{attr, ResultsRow};
use crate::plan::Counts;
use crate::plan::PlotStatus;
use crate::text;
use hdf5::types::VarLenUnicode;
use hdf5::H5Type;
use std::borrow::Cow;
use std::path::Path;
use std::path::PathBuf;

/// Whether `path` is a run record this program wrote (which a new run may replace).
pub fn is_run_record(path: &Path) -> bool {
    // Only a regular file is opened: HDF5 would wait forever on a named pipe.
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
        && hdf5::File::open(path)
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

/// A string of the record as text, read from its bytes: HDF5 does not check that a "UTF-8"
/// string is UTF-8, and hdf5's `&str` view of one that is not would be invalid (undefined
/// behaviour: a forged or damaged record could make it anything). Bytes that are not UTF-8
/// are shown as `\xNN`.
pub fn text(s: &VarLenUnicode) -> Cow<'_, str> {
    text::from_bytes(s.as_bytes())
}

/// A string of the record exactly as written, if it is UTF-8: for what must not be changed
/// by escaping, such as a file name to write.
pub fn exact_text(s: &VarLenUnicode) -> Option<&str> {
    std::str::from_utf8(s.as_bytes()).ok()
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
    pub fn open(path: &Path) -> Result<ResultsReader, Box<dyn std::error::Error + Send + Sync>> {
        if !is_run_record(path) {
            return Err("it is not a plotrand-mpi run record (no /results)".into());
        }
        let f = hdf5::File::open(path)?;
        let hosts = f
            .attr(attr::HOSTS)?
            .read_raw::<VarLenUnicode>()?
            .iter()
            .map(|h| text(h).into_owned())
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
        mut each: impl FnMut(&[ResultsRow]) -> Result<(), Box<dyn std::error::Error + Send + Sync>>,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
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
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return Err("it is not a regular file".into());
    }
    let f = hdf5::File::open(path)?;
    let number = |name: &str| f.attr(name).and_then(|a| a.read_scalar::<u64>());
    let text_attr = |name: &str| {
        f.attr(name)
            .and_then(|a| a.read_scalar::<VarLenUnicode>())
            .map(|s| text(&s).into_owned())
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
        format: text_attr(attr::FORMAT)?,
        input: text_attr(attr::INPUT)?,
    })
}
