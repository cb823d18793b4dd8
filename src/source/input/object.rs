//! A plot's object of the file: opened by its path, and why it gave no data. Each reason
//! names the object, for the plot's "Failed:" line.

use super::h5::{reason, shape_text, StorageError, MAX_ROWS};
use super::layouts::LayoutError;
use super::links::{self, OpenError};
use crate::plan::Kind;

/// An opened object of the file.
pub enum Object {
    Group(hdf5::Group),
    Dataset(hdf5::Dataset),
}

/// Why a plot's object gave no data: it could not be opened, is no longer what the run
/// planned, lacks a part, or its rows make no plot.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ObjectError {
    #[error("{path}: the object's name is not valid UTF-8 and cannot be read; rename it")]
    NameNotUtf8 { path: String },
    #[error("{path} could not be opened: {source}")]
    Unopenable { path: String, source: OpenError },
    #[error("{path} is a committed datatype, not a dataset or group")]
    CommittedDatatype { path: String },
    #[error("{path} {source}")]
    Unplottable { path: String, source: LayoutError },
    #[error("{path} is a group without datasets x and y")]
    NotXyGroup { path: String },
    /// A coordinate, an index, bookkeeping: `what` says which.
    #[error("{path} is {what}")]
    Support { path: String, what: &'static str },
    #[error("{path} changed since the run was planned (it is now a {} of {frames} frames); run again", .kind.name())]
    ChangedKind {
        path: String,
        kind: Kind,
        frames: u64,
    },
    #[error("{path} changed since the run was planned (it now has shape {}); run again", shape_text(.shape))]
    ChangedShape { path: String, shape: Vec<usize> },
    /// Its file was cut short or rewritten while its frames were drawn: HDF5 would read what
    /// is no longer there as fill values, a uniform field.
    #[error("{path} changed since the run was planned (its file '{}' was {was} bytes and is now {}); run again", .file.display(), .now.map_or("unreadable".to_string(), |n| format!("{n} bytes")))]
    ChangedFile {
        path: String,
        file: std::path::PathBuf,
        was: u64,
        now: Option<u64>,
    },
    #[error("group {path} has no dataset '{name}'")]
    NoDataset { path: String, name: &'static str },
    /// A pandas frame's block of values could not be opened.
    #[error("{path}: {source}")]
    PandasBlock { path: String, source: OpenError },
    #[error("{path}: a pandas Series without values: {source}")]
    PandasSeries { path: String, source: OpenError },
    #[error("{path}: {column} has {len} values but x has {x_len}")]
    Lengths {
        path: String,
        column: &'static str,
        len: usize,
        x_len: usize,
    },
    #[error("{path} has zero rows")]
    ZeroRows { path: String },
    #[error("{path} has no finite points (all {rows} rows hold NaN or infinity)")]
    NoFinitePoints { path: String, rows: usize },
    #[error("{path} has no finite value to draw (all {len} {of} hold NaN or infinity)")]
    NoFiniteValues {
        path: String,
        len: usize,
        of: &'static str,
    },
    #[error(transparent)]
    Read(#[from] ReadError),
}

impl From<StorageError> for ObjectError {
    fn from(e: StorageError) -> Self {
        ObjectError::Read(e.into())
    }
}

/// Why a dataset's values could not be read.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("{path} has shape {}, not {dims}-D", shape_text(.shape))]
    Dimensions {
        path: String,
        shape: Vec<usize>,
        dims: usize,
    },
    #[error("{path} has {rows} rows, more than the {MAX_ROWS} one plot may have; split it or select another dataset")]
    TooManyRows { path: String, rows: u64 },
    #[error("{path} has {rows} records, more than the {MAX_ROWS} one plot may have")]
    TooManyRecords { path: String, rows: usize },
    #[error("{path} holds {what}, not numbers")]
    NotNumbers { path: String, what: &'static str },
    #[error("{path} no longer holds records")]
    NotRecords { path: String },
    #[error("{path} has no column {column}")]
    NoColumn { path: String, column: String },
    #[error("{path}: field name with NUL")]
    NulInField { path: String },
    #[error("{path}: column {column} could not be read as numbers")]
    Field { path: String, column: String },
    #[error("{path} could not be read: {}", reason(.source))]
    Hdf5 { path: String, source: hdf5::Error },
    #[error("{path} could not be opened again: {source}")]
    Reopen { path: String, source: OpenError },
}

/// Opens `path` of `file` as a group or dataset, or says why it cannot be (an external link
/// on its way to a named pipe among the reasons).
pub fn open_object(file: &hdf5::File, path: &str) -> Result<Object, ObjectError> {
    let group_error = match links::group(file, path) {
        Ok(g) => return Ok(Object::Group(g)),
        Err(source @ OpenError::Link(_)) => {
            return Err(ObjectError::Unopenable {
                path: path.to_string(),
                source,
            })
        }
        Err(e) => e,
    };
    let dataset_error = match links::dataset(file, path) {
        Ok(ds) => return Ok(Object::Dataset(ds)),
        Err(e) => e,
    };
    let path = path.to_string();
    if path.contains(char::REPLACEMENT_CHARACTER) {
        return Err(ObjectError::NameNotUtf8 { path });
    }
    let source = match links::loc_type(file, &path) {
        Ok(hdf5::LocationType::Dataset) => dataset_error,
        Ok(hdf5::LocationType::Group) => group_error,
        Ok(_) => return Err(ObjectError::CommittedDatatype { path }),
        Err(e) => e,
    };
    Err(ObjectError::Unopenable { path, source })
}
