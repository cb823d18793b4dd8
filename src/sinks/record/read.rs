//! Reading run records back: whether a file is one, which attempt made each plot (for
//! --resume), `/results` a block of rows at a time, and the run-wide facts (`report`,
//! `extract`, `speedup`).

use super::{attr, ResultsRow, Status};
use crate::plan::Counts;
use crate::plan::PlotStatus;
use crate::source::input::raw;
use crate::text::escape_controls;
use hdf5::types::{TypeDescriptor, VarLenUnicode};
use hdf5::H5Type;
use std::cell::Cell;
use std::collections::BTreeMap;
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
/// when there is no readable earlier record. A status this version does not know is not
/// known to be done: its plot gets 0.
pub fn made_by(path: &Path, num_plots: u64) -> Vec<u32> {
    #[derive(H5Type, Clone)]
    #[repr(C)]
    struct Made {
        plot: u64,
        status: Status,
        attempt: u32,
    }
    #[derive(H5Type, Clone)]
    #[repr(C)]
    struct MadeBeforeAttempts {
        plot: u64,
        status: Status,
    }
    let read = || -> hdf5::Result<Vec<u32>> {
        let f = hdf5::File::open(path)?;
        let results = f.dataset("results")?;
        if let Some(missing) = lacks::<MadeBeforeAttempts>(&results) {
            return Err(missing.into());
        }
        let mut made = vec![0; num_plots as usize];
        let mut mark = |plot: u64, attempt: u32| {
            if let Some(slot) = made.get_mut((plot as usize).wrapping_sub(1)) {
                *slot = attempt;
            }
        };
        let with_attempts = match lacks::<Made>(&results) {
            None => results.read_raw::<Made>(),
            Some(missing) => Err(missing.into()),
        };
        match with_attempts {
            Ok(rows) => rows
                .iter()
                .filter(|r| r.status.is_made())
                .for_each(|r| mark(r.plot, r.attempt)),
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

/// One row of `/results` as `report` and `extract` see it: its strings taken from their bytes
/// (HDF5 does not check that "UTF-8" strings are, and a `&str` view of bytes that are not
/// would be undefined behaviour; they become `\xNN`), its status an integer that may be one
/// this version does not know.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRow {
    pub plot: u64,
    pub rank: i32,
    /// Index into the root attribute `hosts`.
    pub host: u32,
    pub elapsed: f64,
    pub bytes: u64,
    pub status: Status,
    pub attempt: u32,
    pub dropped: u64,
    pub file: String,
    pub archive: String,
    pub offset: u64,
    pub object: String,
    pub reason: String,
}

impl From<&ResultsRow> for RecordedRow {
    fn from(r: &ResultsRow) -> RecordedRow {
        RecordedRow {
            plot: r.plot,
            rank: r.rank,
            host: r.host,
            elapsed: r.elapsed,
            bytes: r.bytes,
            status: r.status,
            attempt: r.attempt,
            dropped: r.dropped,
            file: text(&r.file),
            archive: text(&r.archive),
            offset: r.offset,
            object: text(&r.object),
            reason: text(&r.reason),
        }
    }
}

/// A string of the record as text, read from its bytes: HDF5 does not check that a "UTF-8"
/// string is UTF-8, and hdf5's `&str` view of one that is not would be invalid (undefined
/// behaviour: a forged or damaged record could make it anything). Bytes that are not UTF-8
/// are shown as `\xNN`, which no name the program writes holds.
fn text(s: &VarLenUnicode) -> String {
    crate::text::from_bytes(s.as_bytes()).into_owned()
}

/// A finished record's `/results`, opened for reading a slice at a time.
pub struct ResultsReader {
    results: hdf5::Dataset,
    /// The distinct host names the rows' `host` indexes; empty when the record has none.
    pub hosts: Vec<String>,
    /// The program version that wrote the record, as it says.
    version: String,
    /// The names the record's status enum gives values this version does not know.
    unknown_names: BTreeMap<i32, String>,
    /// Rows read so far whose status this version does not know.
    unknown_rows: Cell<u64>,
}

impl ResultsReader {
    pub fn open(path: &Path) -> Result<ResultsReader, Box<dyn std::error::Error + Send + Sync>> {
        if !is_run_record(path) {
            return Err("it is not a plotrand-mpi run record (no /results)".into());
        }
        let f = hdf5::File::open(path)?;
        let results = f.dataset("results")?;
        if let Some(missing) = lacks::<ResultsRow>(&results) {
            return Err(missing.into());
        }
        Ok(ResultsReader {
            unknown_names: unknown_status_names(&results),
            results,
            // The host column is only informative: a record without a readable list shows none.
            hosts: texts(&f, attr::HOSTS).unwrap_or_default(),
            version: texts(&f, attr::PROGRAM_VERSION)
                .and_then(|v| v.into_iter().next())
                .unwrap_or_default(),
            unknown_rows: Cell::new(0),
        })
    }

    /// Calls `each` with the rows in plot order, [`ROWS_AT_A_TIME`] at a time, so that a
    /// report of millions of plots never holds them all.
    pub fn for_each(
        &self,
        mut each: impl FnMut(&[RecordedRow]) -> Result<(), Box<dyn std::error::Error + Send + Sync>>,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let n = self.results.shape().first().copied().unwrap_or(0);
        let mut first = 0;
        while first < n {
            let last = (first + ROWS_AT_A_TIME).min(n);
            let stored = self.results.read_slice_1d::<ResultsRow, _>(first..last)?;
            let rows: Vec<RecordedRow> = stored.iter().map(RecordedRow::from).collect();
            let unknown = rows.iter().filter(|r| r.status.known().is_none()).count();
            self.unknown_rows
                .set(self.unknown_rows.get() + unknown as u64);
            each(&rows)?;
            first = last;
        }
        Ok(())
    }

    /// After [`ResultsReader::for_each`]: what to tell the user when rows had a status this
    /// version does not know (shown as `Unknown(N)`), printable as it is.
    pub fn unknown_status_note(&self) -> Option<String> {
        let rows = self.unknown_rows.get();
        if rows == 0 {
            return None;
        }
        let named: Vec<String> = self
            .unknown_names
            .iter()
            .map(|(value, name)| format!("{value} is '{name}'"))
            .collect();
        let named = match named.is_empty() {
            true => String::new(),
            false => format!(" (the record's own names: {})", named.join(", ")),
        };
        Some(
            escape_controls(&format!(
                "{rows} row(s) have a status this version ({ours}) does not know, shown as \
             Unknown(N){named}; the record says plotrand-mpi {theirs} wrote it: a newer \
             version's report knows them, or the record is damaged",
                ours = env!("CARGO_PKG_VERSION"),
                theirs = self.version,
            ))
            .into_owned(),
        )
    }
}

/// Why `results`' rows cannot be read as `T`s: the first field of `T` they lack, if any. HDF5
/// converts rows field by field, by name, and leaves a field the file lacks as whatever
/// memory held — for a string, a pointer to anywhere (a segfault, found by the `record_read`
/// fuzz target) — so every field must be there.
fn lacks<T: H5Type>(results: &hdf5::Dataset) -> Option<String> {
    let TypeDescriptor::Compound(wanted) = T::type_descriptor() else {
        return None;
    };
    let stored = match results.dtype().and_then(|t| raw::descriptor(&t)) {
        Ok(TypeDescriptor::Compound(stored)) => stored,
        _ => return Some("/results is not a table of rows (not a compound type)".into()),
    };
    let missing = wanted
        .fields
        .iter()
        .find(|w| !stored.fields.iter().any(|s| s.name == w.name))?;
    Some(format!(
        "/results has no field '{}': the record was written by another version of \
         plotrand-mpi, or it is damaged",
        missing.name
    ))
}

/// The members of `/results`' status enum whose values this version does not know: a newer
/// version's, by the names it gave them.
fn unknown_status_names(results: &hdf5::Dataset) -> BTreeMap<i32, String> {
    let Ok(TypeDescriptor::Compound(row)) = results.dtype().and_then(|t| raw::descriptor(&t))
    else {
        return BTreeMap::new();
    };
    let members = row.fields.into_iter().find_map(|f| match f.ty {
        TypeDescriptor::Enum(e) if f.name == "status" => Some(e.members),
        _ => None,
    });
    members
        .unwrap_or_default()
        .into_iter()
        // The low 32 bits: what a status is read as.
        .map(|m| (m.value as i32, m.name))
        .filter(|&(value, _)| Status(value).known().is_none())
        .collect()
}

/// A string attribute's values, from their bytes; `None` if absent, empty (a null
/// dataspace: reading one returns whatever memory held) or not variable-length strings.
fn texts(f: &hdf5::File, name: &str) -> Option<Vec<String>> {
    let a = f.attr(name).ok()?;
    if a.space().ok()?.is_null() {
        return None;
    }
    let values = a.read_raw::<VarLenUnicode>().ok()?;
    Some(values.iter().map(text).collect())
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
    let text_attr = |name: &str| -> hdf5::Result<String> {
        texts(&f, name)
            .and_then(|v| v.into_iter().next())
            .ok_or_else(|| format!("no string attribute '{name}'").into())
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
