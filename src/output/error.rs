//! What goes wrong with the output directory or a plot's file, said so that the user knows
//! what to do.

use std::path::PathBuf;

/// What rank 0 finds wrong with the output directory or the record's place before any work.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("--output-dir '{}' exists and is not a directory; choose another path or move the file away", .0.display())]
    OutputIsNotADirectory(PathBuf),
    #[error("--output-dir '{}' could not be created: {source}; check the path and its permissions", path.display())]
    CreateOutputDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--output-dir '{}' is not writable: {source}; check its permissions and free space", path.display())]
    OutputNotWritable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--resume: could not {action} '{}' while removing what an interrupted run left: {source}; check the directory's permissions", path.display())]
    Cleanup {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--output-dir '{}' is in use by another plotrand-mpi job ({holder}); wait for it to end or choose another --output-dir", dir.display())]
    InUse { dir: PathBuf, holder: String },
    #[error("--output-dir '{}' could not be locked against a second job: {source}; on a file system without lock support pass --no-file-locking (two jobs on one directory are then not detected)", dir.display())]
    Lock {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("--record '{}' {conflict}; choose another --record path, or --no-record", path.display())]
    RecordConflict { path: PathBuf, conflict: String },
    #[error("could not write '{}': {source}{}", path.display(), hint(source))]
    Manifest {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--record '{}' cannot be written: {source}; choose another --record path, or --no-record", path.display())]
    RecordNotWritable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--output-dir holds '{}', which is in the way: {source}", path.display())]
    InTheWay {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--record '{}': its directory does not exist", .0.display())]
    RecordDirMissing(PathBuf),
}

/// A plot's file, or its directory, that could not be made.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("could not create directory '{}': {source}{}", path.display(), hint(source))]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not write '{}': {source}{}", path.display(), hint(source))]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What to do about a failed write, where the error kind tells.
pub fn hint(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::NotFound => {
            "; every rank writes its own plots, so --output-dir must be on storage all hosts share"
        }
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
            "; free space or choose another --output-dir, then re-run"
        }
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            "; check the directory's permissions"
        }
        std::io::ErrorKind::IsADirectory => "; a directory has the plot's name: move it away",
        _ => "",
    }
}
