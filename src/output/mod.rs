//! Every path and file the program makes: plot names and subdirectories, temporary names and
//! atomic writes, the writability probe, the clean-up of what a killed run left, where the
//! data files and the run record go, and what to do when a write fails. Nothing else in the
//! program creates, renames or removes files; "where is a plot written?" is answered here.

pub mod fsinfo;
pub mod h5;
pub mod pack;
pub mod savedata;

use crate::figure::Format;
use crate::plan::Plan;
use std::collections::HashSet;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The run record's name inside the output directory, unless `--record` says otherwise.
pub const RECORD_FILE_NAME: &str = "plotrand.h5";
/// Where `--save-data` puts the ranks' data files, inside the output directory.
pub const DATA_DIR: &str = "data";
/// What defines the plots of the directory (see `manifest`), written before the first plot.
pub const MANIFEST_FILE_NAME: &str = "plotrand-manifest.txt";
/// Rank 0 holds a lock on this file in the output directory for the whole run.
pub const LOCK_FILE_NAME: &str = ".plotrand.lock";
/// The end of every temporary file's name: a marker no other program uses, so that
/// `--resume` removes only what this program left.
const TEMP_SUFFIX: &str = ".plotrand-tmp";
const PROBE_PREFIX: &str = ".plotrand-probe.";
/// Ranks' directories for temporaries (`--write-strategy rank-dir`): `.plotrand-rank-RRRR`.
const STAGING_PREFIX: &str = ".plotrand-rank-";

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

/// Where the plots of one run go, and under which names. Every rank builds the same one from
/// the same plan, so rank 0 can name any plot's file from its number.
#[derive(Debug, Clone)]
pub struct OutputDir {
    root: PathBuf,
    extension: &'static str,
    /// At most this many plots per subdirectory (`--max-files-per-dir`).
    per_dir: Option<u64>,
    /// How plots are named.
    names: Names,
    /// fsync each file before its rename (`--sync`).
    sync: bool,
    /// When the run's first attempt began: `--resume` takes an older plot file for another
    /// run's.
    began: Option<SystemTime>,
    /// `--write-strategy rank-dir`: this rank's directory for temporaries (see `fsinfo`).
    staging: Option<PathBuf>,
}

impl OutputDir {
    pub fn new(
        root: &Path,
        plan: &Plan,
        format: Format,
        per_dir: Option<u64>,
        sync: bool,
        began: Option<SystemTime>,
        template: Option<&str>,
    ) -> OutputDir {
        OutputDir {
            root: root.to_path_buf(),
            extension: format.extension(),
            per_dir,
            names: Names::new(plan, template),
            sync,
            began,
            staging: None,
        }
    }

    /// The same directory, with `rank`'s temporaries made in a directory of its own and
    /// renamed into place from there (`--write-strategy rank-dir`).
    pub fn staged_for(mut self, rank: i32) -> OutputDir {
        self.staging = Some(self.root.join(staging_dir_name(rank)));
        self
    }

    /// Removes this rank's directory for temporaries, if it has one and it is empty.
    pub fn remove_staging(&self) {
        if let Some(staging) = &self.staging {
            let _ = std::fs::remove_dir(staging);
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Plot `plot_num`'s file name without extension: the lesson's `plot_<k>` with `k`
    /// zero-padded so that names sort in plot order, or for input runs the `--name`
    /// template, by default the object's sanitised path (and `_<frame>`, zero-padded, for
    /// frames). Its group in a data file has the same name.
    pub fn stem(&self, plot_num: u64) -> String {
        self.names.stem(plot_num)
    }

    pub fn file_name(&self, plot_num: u64) -> String {
        format!("{}.{}", self.stem(plot_num), self.extension)
    }

    /// Plot `plot_num`'s file relative to the output directory: with `--max-files-per-dir`,
    /// in subdirectory `NNNN` of its block of plots.
    pub fn relative_path(&self, plot_num: u64) -> PathBuf {
        let name = self.file_name(plot_num);
        match subdir(plot_num, self.per_dir) {
            Some(sub) => Path::new(&sub).join(name),
            None => PathBuf::from(name),
        }
    }

    pub fn path(&self, plot_num: u64) -> PathBuf {
        self.root.join(self.relative_path(plot_num))
    }

    /// The plot, among `1..=num_plots`, whose file is `relative` (to the output directory).
    pub(crate) fn plot_at(&self, relative: &Path, num_plots: u64) -> Option<u64> {
        let stem = relative
            .file_name()?
            .to_str()?
            .strip_suffix(self.extension)?
            .strip_suffix('.')?;
        let plot_num = match &self.names {
            Names::Random { .. } => stem.strip_prefix("plot_")?.parse().ok()?,
            // Only asked when the record could be a plot file: once, on rank 0.
            Names::Input { .. } => (1..=num_plots).find(|&k| self.stem(k) == stem)?,
        };
        ((1..=num_plots).contains(&plot_num) && self.relative_path(plot_num) == relative)
            .then_some(plot_num)
    }

    /// `--resume`: whether plot `plot_num` is already there, whole. Files only ever appear
    /// under their final name complete (temporary name, then rename), but a node that
    /// crashed before the data reached the disk can leave a short file there, and anything
    /// at all may have been put there by hand.
    pub fn existing(&self, plot_num: u64) -> Existing {
        let path = self.path(plot_num);
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(_) => return Existing::Missing,
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            return Existing::Incomplete("a symbolic link, not a file".into());
        }
        if !kind.is_file() {
            return Existing::Incomplete("not a regular file".into());
        }
        let before_this_run = self
            .began
            .zip(meta.modified().ok())
            .is_some_and(|(began, modified)| modified < began);
        if before_this_run {
            return Existing::Incomplete("made before this run began: another run's".into());
        }
        match is_whole(&path, self.extension) {
            Ok(true) => Existing::Whole(meta.len()),
            Ok(false) => Existing::Incomplete(format!("{} bytes", meta.len())),
            Err(e) => Existing::Incomplete(format!("unreadable: {e}")),
        }
    }

    /// Writes plot `plot_num`'s bytes under its final name, creating its subdirectory first.
    pub fn write_plot(&self, plot_num: u64, bytes: &[u8]) -> Result<(), FileError> {
        let dir = match subdir(plot_num, self.per_dir) {
            Some(sub) => {
                let dir = self.root.join(sub);
                std::fs::create_dir_all(&dir).map_err(|source| FileError::CreateDir {
                    path: dir.clone(),
                    source,
                })?;
                dir
            }
            None => self.root.clone(),
        };
        let name = self.file_name(plot_num);
        let written = match &self.staging {
            Some(staging) => write_staged(staging, &dir, &name, bytes, self.sync),
            None => write_atomically(&dir, &name, bytes, self.sync),
        };
        written.map_err(|source| FileError::Write {
            path: dir.join(&name),
            source,
        })
    }

    /// The data file of `rank` (`--save-data`).
    pub fn data_file(&self, rank: i32) -> PathBuf {
        self.root.join(data_file_name(rank))
    }

    /// The data file of `rank` under a temporary name until committed; the data directory
    /// is made if need be.
    pub fn new_data_file(&self, rank: i32) -> std::io::Result<PendingFile> {
        let path = self.data_file(rank);
        std::fs::create_dir_all(parent_or_dot(&path))?;
        PendingFile::beside(&path)
    }
}

/// What `--resume` finds under a plot's name.
#[derive(Debug, Clone, PartialEq)]
pub enum Existing {
    Missing,
    /// A whole plot of this many bytes.
    Whole(u64),
    /// Something else, described: to be made again.
    Incomplete(String),
}

/// Whether the file at `path` ends as a whole file of its format does: a PNG's `IEND` chunk,
/// a PDF's `%%EOF`, an SVG's closing tag.
fn is_whole(path: &Path, extension: &str) -> std::io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let mut head = [0u8; 8];
    let head_len = file.read(&mut head)?;
    let tail_len = len.min(32);
    file.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = vec![0u8; tail_len as usize];
    file.read_exact(&mut tail)?;
    Ok(ends_whole(extension, &head[..head_len], &tail))
}

pub(crate) fn ends_whole(extension: &str, head: &[u8], tail: &[u8]) -> bool {
    let trimmed = tail.trim_ascii_end();
    match extension {
        "png" => {
            head == b"\x89PNG\r\n\x1a\n"
                && tail.ends_with(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xae, 0x42, 0x60, 0x82])
        }
        "pdf" => head.starts_with(b"%PDF-") && trimmed.ends_with(b"%%EOF"),
        "svg" => trimmed.ends_with(b"</svg>"),
        _ => false,
    }
}

/// The data file of `rank`, relative to the output directory.
pub fn data_file_name(rank: i32) -> String {
    format!("{DATA_DIR}/rank_{rank:04}.h5")
}

/// The directory a file path lies in: its parent, or `.` for a bare name.
pub fn parent_or_dot(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The subdirectory of plot `plot_num` when directories hold at most `per_dir` plots:
/// plots 1..=per_dir in `0000`, the next block in `0001`, and so on.
fn subdir(plot_num: u64, per_dir: Option<u64>) -> Option<String> {
    per_dir.map(|n| format!("{:04}", (plot_num - 1) / n))
}

/// A file written under a temporary name beside its final path (by this program or by the
/// HDF5 library, through [`PendingFile::temp_path`]) and renamed into place by
/// [`PendingFile::commit`]. Dropped uncommitted, it leaves nothing behind.
pub struct PendingFile {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
}

impl PendingFile {
    pub fn beside(path: &Path) -> std::io::Result<PendingFile> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(PendingFile {
            tmp: temp_file_for(parent_or_dot(path), &name)?,
            path: path.to_path_buf(),
        })
    }

    pub fn temp_path(&self) -> &Path {
        self.tmp.path()
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn commit(self) -> std::io::Result<()> {
        self.tmp.persist(&self.path).map(drop).map_err(|e| e.error)
    }
}

/// A new temporary file in `dir` for what will be renamed to `name`: `.<name>.<random>.tmp`,
/// so a killed run's leftovers are recognisable and never mistaken for plots, with the
/// permissions umask gives (tempfile's default 0600 would hide plots from the group).
fn temp_file_for(dir: &Path, name: &str) -> std::io::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(TEMP_SUFFIX)
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
}

/// Writes `bytes` to a temporary file in `dir`, then renames it to `name`: readers see either
/// no file or the whole file, even if this process is killed mid-write. Surviving a crash of
/// the node itself also needs the data on disk before the rename: `sync`.
pub fn write_atomically(dir: &Path, name: &str, bytes: &[u8], sync: bool) -> std::io::Result<()> {
    let mut tmp = temp_file_for(dir, name)?;
    tmp.write_all(bytes)?;
    if sync {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(dir.join(name)).map_err(|e| e.error)?;
    Ok(())
}

/// [`write_atomically`] with the temporary made in `staging` (created if missing), so that
/// ranks do not create files in one shared directory.
fn write_staged(
    staging: &Path,
    dir: &Path,
    name: &str,
    bytes: &[u8],
    sync: bool,
) -> std::io::Result<()> {
    let mut tmp = match temp_file_for(staging, name) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(staging)?;
            temp_file_for(staging, name)?
        }
        made => made?,
    };
    tmp.write_all(bytes)?;
    if sync {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(dir.join(name)).map_err(|e| e.error)?;
    Ok(())
}

/// Rank `rank`'s directory for temporaries, in the output directory.
fn staging_dir_name(rank: i32) -> String {
    format!("{STAGING_PREFIX}{rank:04}")
}

/// [`write_atomically`] to a path.
pub fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    write_atomically(parent_or_dot(path), &name, bytes, false)
}

/// Creates the output directory if needed and proves it writable by creating (and dropping)
/// a temporary file in it, so an unusable directory is reported before any plotting. Returns
/// that file's modification time: now, on the clock that stamps the plots' files.
pub fn prepare(dir: &Path) -> Result<SystemTime, SetupError> {
    if dir.exists() && !dir.is_dir() {
        return Err(SetupError::OutputIsNotADirectory(dir.to_path_buf()));
    }
    std::fs::create_dir_all(dir).map_err(|source| SetupError::CreateOutputDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let not_writable = |source| SetupError::OutputNotWritable {
        path: dir.to_path_buf(),
        source,
    };
    let probe = tempfile::Builder::new()
        .prefix(PROBE_PREFIX)
        .tempfile_in(dir)
        .map_err(not_writable)?;
    probe
        .as_file()
        .metadata()
        .and_then(|m| m.modified())
        .map_err(not_writable)
}

/// The run record's directory must exist before any work starts (the output directory, the
/// default home of the record, is made by [`prepare`]).
pub fn check_record_dir(record: &Path) -> Result<(), SetupError> {
    if parent_or_dot(record).is_dir() {
        Ok(())
    } else {
        Err(SetupError::RecordDirMissing(record.to_path_buf()))
    }
}

/// Removes the temporary files a killed run left: in `dir`, in its plot-block
/// subdirectories (`0000`, `0001`, …), in the ranks' directories for temporaries
/// (`.plotrand-rank-RRRR`, removed too) and in `data/` — nowhere else — and only names this
/// program makes (`.<file>.<6 random characters>.tmp` for a plot, record or data file, and
/// the writability probe), so other programs' files are left alone.
pub fn remove_stale_temporaries(dir: &Path) -> Result<usize, SetupError> {
    let fail = |action, path: &Path| {
        let path = path.to_path_buf();
        move |source| SetupError::Cleanup {
            action,
            path,
            source,
        }
    };
    let mut removed = remove_in(dir)?;
    for entry in std::fs::read_dir(dir).map_err(fail("list", dir))? {
        let entry = entry.map_err(fail("list", dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours =
            name == DATA_DIR || (name.len() >= 4 && name.bytes().all(|b| b.is_ascii_digit()));
        let staging = name
            .strip_prefix(STAGING_PREFIX)
            .is_some_and(|n| n.len() >= 4 && n.bytes().all(|b| b.is_ascii_digit()));
        if (ours || staging) && entry.path().is_dir() && !entry.path().is_symlink() {
            removed += remove_in(&entry.path())?;
            if staging {
                // Made again by its rank when needed.
                let _ = std::fs::remove_dir(entry.path());
            }
        }
    }
    Ok(removed)
}

fn remove_in(dir: &Path) -> Result<usize, SetupError> {
    let list = |source| SetupError::Cleanup {
        action: "list",
        path: dir.to_path_buf(),
        source,
    };
    let mut removed = 0;
    for entry in std::fs::read_dir(dir).map_err(list)? {
        let entry = entry.map_err(list)?;
        let is_file = entry.file_type().map_err(list)?.is_file();
        if is_file && is_temporary(&entry.file_name().to_string_lossy()) {
            std::fs::remove_file(entry.path()).map_err(|source| SetupError::Cleanup {
                action: "remove",
                path: entry.path(),
                source,
            })?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// `.<name>.<6 alphanumerics>.plotrand-tmp`, or the probe `.plotrand-probe.<6 alphanumerics>`.
fn is_temporary(name: &str) -> bool {
    let random = |s: &str| s.len() == 6 && s.bytes().all(|b| b.is_ascii_alphanumeric());
    if let Some(rest) = name.strip_prefix(PROBE_PREFIX) {
        return random(rest);
    }
    name.strip_prefix('.')
        .and_then(|n| n.strip_suffix(TEMP_SUFFIX))
        .and_then(|inner| inner.rsplit_once('.'))
        .is_some_and(|(file, tag)| !file.is_empty() && random(tag))
}

/// Writes the run's manifest (see `manifest`) into the output directory, atomically.
pub fn write_manifest(dir: &Path, text: &str) -> Result<(), SetupError> {
    let name = MANIFEST_FILE_NAME;
    write_atomically(dir, name, text.as_bytes(), true).map_err(|source| SetupError::Manifest {
        path: dir.join(name),
        source,
    })
}

/// Whether `dir`, or one of its plot-block subdirectories, holds a file with a plot's
/// extension: an earlier run's plots, for `--resume` without a manifest.
pub fn holds_plots(dir: &Path, extension: &str) -> bool {
    let has_plot = |dir: &Path| {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                !name.starts_with('.') && name.ends_with(&format!(".{extension}"))
            })
    };
    let block_dirs = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            name.len() >= 4 && name.to_string_lossy().bytes().all(|b| b.is_ascii_digit())
        })
        .map(|e| e.path());
    has_plot(dir) || block_dirs.into_iter().any(|d| has_plot(&d))
}

/// The lock rank 0 holds on the output directory while a run uses it; released when dropped
/// (or when the process ends, however it ends).
pub struct OutputLock {
    _file: std::fs::File,
}

/// Locks `dir` against a second job and writes `holder` (host, pid, start time) into the lock
/// file for that job's error message.
pub fn lock(dir: &Path, holder: &str) -> Result<OutputLock, SetupError> {
    let path = dir.join(LOCK_FILE_NAME);
    let lock_error = |source| SetupError::Lock {
        dir: dir.to_path_buf(),
        source,
    };
    let writable = || {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
    };
    writable().map_err(lock_error)?;
    // Held through a read-only descriptor where the file system allows it, so that no file
    // of ours stays open for writing all run long (that would block a read-only remount);
    // NFS emulates flock with POSIX locks, which need a writable one.
    let file = std::fs::File::open(&path).map_err(lock_error)?;
    let file = match try_lock(&file) {
        Err(fs4::TryLockError::Error(e)) if e.raw_os_error() == Some(EBADF) => {
            let file = writable().map_err(lock_error)?;
            try_lock(&file).map(|()| file)
        }
        other => other.map(|()| file),
    };
    match file {
        Ok(file) => {
            // What the lock file says is only a message for a second job: failing to write
            // it is not worth stopping for.
            let _ = std::fs::write(&path, holder);
            Ok(OutputLock { _file: file })
        }
        Err(fs4::TryLockError::WouldBlock) => {
            let holder = std::fs::read_to_string(&path).unwrap_or_default();
            let holder = holder.trim();
            Err(SetupError::InUse {
                dir: dir.to_path_buf(),
                holder: if holder.is_empty() {
                    "holder unknown".into()
                } else {
                    holder.to_string()
                },
            })
        }
        Err(fs4::TryLockError::Error(e)) => Err(lock_error(e)),
    }
}

/// An exclusive lock that does not wait. Through the trait: std's own `File::try_lock` is
/// newer than the minimum Rust version.
fn try_lock(file: &std::fs::File) -> Result<(), fs4::TryLockError> {
    fs4::FileExt::try_lock(file)
}

/// Linux's EBADF: what flock says of a read-only descriptor where it is emulated by POSIX
/// locks.
const EBADF: i32 = 9;

/// What rank 0 checks of the run record's place before any work: not the input, a plot, a
/// data file, a directory or a file of some other kind (`is_run_record` tells an earlier
/// record, which may be replaced, from anything else), and writable.
pub fn check_record_place(
    record: &Path,
    out: &OutputDir,
    num_plots: u64,
    input: Option<&Path>,
    is_run_record: impl Fn(&Path) -> bool,
) -> Result<(), SetupError> {
    let conflict = |conflict: String| SetupError::RecordConflict {
        path: record.to_path_buf(),
        conflict,
    };
    if let Some(input) = input.filter(|input| same_file(input, record)) {
        return Err(conflict(format!(
            "is the --input file '{}': the record would overwrite it",
            input.display()
        )));
    }
    if let Some(inside) = relative_to(record, &out.root) {
        if let Some(k) = out.plot_at(&inside, num_plots) {
            return Err(conflict(format!("is where plot {k} is written")));
        }
        if is_data_file(&inside) {
            return Err(conflict("is a rank's --save-data file".into()));
        }
        if crate::output::pack::is_archive(&inside) {
            return Err(conflict("is a rank's --pack archive".into()));
        }
    }
    match std::fs::symlink_metadata(record) {
        Ok(meta) if meta.is_dir() => return Err(conflict("is a directory".into())),
        Ok(_) if !is_run_record(record) => {
            return Err(conflict(
                "exists and is not a plotrand-mpi run record: it would be overwritten".into(),
            ))
        }
        _ => {}
    }
    PendingFile::beside(record)
        .map(drop)
        .map_err(|source| SetupError::RecordNotWritable {
            path: record.to_path_buf(),
            source,
        })
}

/// Whether two paths name one existing file (the same device and inode).
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// `path` relative to `dir`, if it lies inside it (both resolved through links).
fn relative_to(path: &Path, dir: &Path) -> Option<PathBuf> {
    let parent = parent_or_dot(path).canonicalize().ok()?;
    let inside = parent.strip_prefix(dir.canonicalize().ok()?).ok()?;
    Some(inside.join(path.file_name()?))
}

fn is_data_file(relative: &Path) -> bool {
    let Some(name) = relative
        .strip_prefix(DATA_DIR)
        .ok()
        .and_then(|n| n.to_str())
    else {
        return false;
    };
    name.strip_prefix("rank_")
        .and_then(|n| n.strip_suffix(".h5"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Where the run record's `/data` links find the data files: the output directory, relative
/// to the record (empty) when the record sits in it — so the directory can be moved as a
/// whole — else absolute.
pub fn data_link_base(output_dir: &Path, record: &Path) -> PathBuf {
    if same_dir(parent_or_dot(record), output_dir) {
        PathBuf::new()
    } else {
        std::path::absolute(output_dir).unwrap_or_else(|_| output_dir.to_path_buf())
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Longest file stem made from an object path, in bytes: far below NAME_MAX (255).
const MAX_STEM: usize = 120;

/// A file stem from an HDF5 object path that cannot leave the output directory: `/` becomes
/// `_`, anything but ASCII letters, digits, `-` and `.` becomes `_`, runs of `_` shrink to
/// one, and leading dots and dashes go (no hidden files, no `..`, nothing a shell command
/// would take for an option).
fn sanitize(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        let keep = c.is_ascii_alphanumeric() || c == '-' || c == '.';
        let c = if keep { c } else { '_' };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    let trimmed = out
        .trim_start_matches(['_', '.', '-'])
        .trim_end_matches(['_', '.']);
    let mut stem = if trimmed.is_empty() {
        "dataset".to_string()
    } else {
        trimmed.to_string()
    };
    if stem.len() > MAX_STEM {
        stem.truncate(MAX_STEM);
        stem = format!(
            "{}-{:08x}",
            stem.trim_end_matches(['_', '.']),
            short_hash(path)
        );
    }
    stem
}

/// FNV-1a, 32 bits: a stable tag to tell apart paths that sanitise alike.
fn short_hash(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// How the plots of a run are named.
#[derive(Debug, Clone)]
enum Names {
    /// `plot_<k>`, `k` zero-padded to `width` digits.
    Random { width: usize },
    Input {
        objects: Vec<ObjectNames>,
        template: Option<String>,
        /// Digits of the largest plot number, for `{n}`.
        width: usize,
    },
}

/// The names of one object's plots.
#[derive(Debug, Clone)]
struct ObjectNames {
    /// The object's path as a safe, unique file stem (`{object}`).
    stem: String,
    first_plot: u64,
    has_frames: bool,
    /// Digits of the largest frame index, for `{frame}`.
    frame_width: usize,
}

fn digits(n: u64) -> usize {
    n.max(1).ilog10() as usize + 1
}

impl Names {
    fn new(plan: &Plan, template: Option<&str>) -> Names {
        let width = digits(plan.num_plots());
        let Plan::Input { objects } = plan else {
            return Names::Random { width };
        };
        let paths: Vec<String> = objects.iter().map(|o| o.path.clone()).collect();
        let mut first_plot = 1;
        let objects = unique_stems(&paths)
            .into_iter()
            .zip(objects)
            .map(|(stem, object)| {
                let names = ObjectNames {
                    stem,
                    first_plot,
                    has_frames: object.has_frames(),
                    frame_width: digits(object.frames().saturating_sub(1)),
                };
                first_plot += object.frames();
                names
            })
            .collect();
        Names::Input {
            objects,
            template: template.map(str::to_owned),
            width,
        }
    }

    fn stem(&self, plot_num: u64) -> String {
        match self {
            Names::Random { width } => format!("plot_{plot_num:0width$}"),
            Names::Input {
                objects,
                template,
                width,
            } => {
                let at = objects.partition_point(|o| o.first_plot <= plot_num) - 1;
                let object = &objects[at];
                let frame = plot_num - object.first_plot;
                let frame_width = object.frame_width;
                let default = if object.has_frames {
                    "{object}_{frame}"
                } else {
                    "{object}"
                };
                template
                    .as_deref()
                    .unwrap_or(default)
                    .replace("{object}", &object.stem)
                    .replace("{frame}", &format!("{frame:0frame_width$}"))
                    .replace("{n}", &format!("{plot_num:0width$}"))
            }
        }
    }
}

/// A `--name` template that would give two plots of `plan` one name, and why.
pub fn name_clash(template: &str, plan: &Plan) -> Option<String> {
    let Plan::Input { objects } = plan else {
        return None;
    };
    if template.contains("{n}") {
        return None;
    }
    let framed = objects.iter().any(|o| o.has_frames());
    if framed && !template.contains("{frame}") {
        return Some(
            "the input has datasets of several frames; put {frame} or {n} in the template".into(),
        );
    }
    if objects.len() > 1 && !template.contains("{object}") {
        return Some("the input has several objects; put {object} or {n} in the template".into());
    }
    None
}

/// Sanitised stems, made unique: a stem already taken gets the path's hash, then a counter.
/// Case is folded when comparing, so that case-insensitive file systems cannot merge files.
fn unique_stems(paths: &[String]) -> Vec<String> {
    let mut taken = HashSet::new();
    paths
        .iter()
        .map(|path| {
            let base = sanitize(path);
            let mut stem = base.clone();
            let mut n = 1;
            while !taken.insert(stem.to_ascii_lowercase()) {
                stem = if n == 1 {
                    format!("{base}-{:08x}", short_hash(path))
                } else {
                    format!("{base}-{:08x}-{n}", short_hash(path))
                };
                n += 1;
            }
            stem
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Kind, PlanObject};

    #[test]
    fn object_paths_become_safe_file_names() {
        assert_eq!(sanitize("/exp1/run 3/xy"), "exp1_run_3_xy");
        assert_eq!(sanitize("/../../etc/passwd"), "etc_passwd");
        assert_eq!(sanitize("/.."), "dataset");
        assert_eq!(sanitize("/.hidden"), "hidden");
        assert_eq!(sanitize("/a\nb\u{7}c/ünï"), "a_b_c_n");
        assert_eq!(sanitize("/a/b.c"), "a_b.c");
        let long = format!("/{}", "x".repeat(500));
        let stem = sanitize(&long);
        assert!(
            stem.len() <= MAX_STEM + 9 && stem.starts_with("xxx"),
            "{stem}"
        );
        for stem in [sanitize("/\u{0}/\u{1}"), sanitize("/a/../../b")] {
            assert!(
                !stem.contains('/') && !stem.starts_with('.') && !stem.is_empty(),
                "{stem}"
            );
        }
    }

    #[test]
    fn two_objects_never_share_a_file() {
        let paths: Vec<String> = ["/a b", "/a_b", "/a/b", "/A_B", "/a?b"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let stems = unique_stems(&paths);
        let folded: HashSet<String> = stems.iter().map(|s| s.to_ascii_lowercase()).collect();
        assert_eq!(folded.len(), paths.len(), "{stems:?}");
        assert_eq!(stems[0], "a_b");
        assert!(stems[1].starts_with("a_b-"));
        assert_eq!(unique_stems(&paths), stems, "deterministic");
    }

    #[test]
    fn blocks_of_plots_share_a_subdirectory() {
        assert_eq!(subdir(1, None), None);
        assert_eq!(subdir(1, Some(1000)).as_deref(), Some("0000"));
        assert_eq!(subdir(1000, Some(1000)).as_deref(), Some("0000"));
        assert_eq!(subdir(1001, Some(1000)).as_deref(), Some("0001"));
        assert_eq!(subdir(2_000_000, Some(100)).as_deref(), Some("19999"));
    }

    #[test]
    fn plots_are_named_from_the_plan() {
        let random = Plan::Random { num_plots: 3 };
        let out = OutputDir::new(
            Path::new("o"),
            &random,
            Format::Png,
            None,
            false,
            None,
            None,
        );
        assert_eq!(out.path(3), Path::new("o/plot_3.png"));
        let ten = Plan::Random { num_plots: 10 };
        let out = OutputDir::new(Path::new("o"), &ten, Format::Png, None, false, None, None);
        assert_eq!(out.path(3), Path::new("o/plot_03.png"));
        let object = |path: &str, frame_shape: Vec<u64>| PlanObject {
            path: path.into(),
            kind: Kind::Heatmap,
            frame_shape,
        };
        let input = Plan::Input {
            objects: vec![
                object("/g/xy", vec![]),
                object("/z", vec![]),
                object("/t", vec![12]),
            ]
            .into(),
        };
        let out = OutputDir::new(
            Path::new("o"),
            &input,
            Format::Svg,
            Some(1),
            false,
            None,
            None,
        );
        assert_eq!(out.relative_path(1), Path::new("0000/g_xy.svg"));
        assert_eq!(out.stem(2), "z");
        assert_eq!(out.stem(3), "t_00");
        assert_eq!(out.stem(14), "t_11");
        let template = Some("{n}-{object}-f{frame}");
        let out = OutputDir::new(
            Path::new("o"),
            &input,
            Format::Png,
            None,
            false,
            None,
            template,
        );
        assert_eq!(out.stem(1), "01-g_xy-f0");
        assert_eq!(out.stem(13), "13-t-f10");
        assert_eq!(
            name_clash("{object}", &input).unwrap(),
            "the input has datasets of several frames; put {frame} or {n} in the template"
        );
        assert_eq!(name_clash("{object}_{frame}", &input), None);
        assert_eq!(name_clash("plot_{n}", &input), None);
    }

    #[test]
    fn staged_writes_leave_only_the_final_file() {
        let dir = tempfile::tempdir().unwrap();
        let plan = Plan::Random { num_plots: 2 };
        let out = OutputDir::new(dir.path(), &plan, Format::Png, Some(1), false, None, None)
            .staged_for(3);
        out.write_plot(2, b"abc").unwrap();
        assert_eq!(std::fs::read(out.path(2)).unwrap(), b"abc");
        let staging = dir.path().join(".plotrand-rank-0003");
        assert_eq!(std::fs::read_dir(&staging).unwrap().count(), 0);
        out.remove_staging();
        assert!(!staging.exists());
    }

    #[test]
    fn atomic_write_leaves_only_the_final_file() {
        let dir = tempfile::tempdir().unwrap();
        write_atomically(dir.path(), "plot_1.png", b"abc", true).unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["plot_1.png"]);
        assert_eq!(
            std::fs::read(dir.path().join("plot_1.png")).unwrap(),
            b"abc"
        );
    }

    #[test]
    fn stale_temporaries_and_only_they_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for sub in ["0001", "0003", "data", "other", ".plotrand-rank-0001"] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
        }
        let ours = [
            ".plot_1.png.aB3xYz.plotrand-tmp",
            "0001/.plot_2.png.Qw9eR2.plotrand-tmp",
            ".plotrand-probe.X1y2Z3",
            "data/.rank_0001.h5.abcdef.plotrand-tmp",
            ".plotrand.h5.Zz9Zz9.plotrand-tmp",
            ".plotrand-rank-0001/.plot_5.png.Ab12Cd.plotrand-tmp",
        ];
        // Other programs' temporaries of the same shape, and ours where we do not look.
        let theirs = [
            "plot_3.png",
            ".hidden",
            "notes.tmp",
            ".x.tmp",
            ".thesis_figure.png.Ab12Cd.tmp",
            ".mydata.h5.abcdef.tmp",
            "0003/.x.pdf.123456.tmp",
            ".plot_4.png.short.plotrand-tmp",
            "0001/plot_2.png",
            "other/.plot_9.png.abcdef.plotrand-tmp",
        ];
        for name in ours.iter().chain(&theirs) {
            std::fs::write(d.join(name), b"x").unwrap();
        }
        assert_eq!(remove_stale_temporaries(d).unwrap(), ours.len());
        for name in ours {
            assert!(!d.join(name).exists(), "{name} is ours and must go");
        }
        for name in theirs {
            assert!(d.join(name).exists(), "{name} is not ours and must stay");
        }
    }

    #[test]
    fn our_temporaries_carry_the_marker() {
        let dir = tempfile::tempdir().unwrap();
        let pending = PendingFile::beside(&dir.path().join("plotrand.h5")).unwrap();
        let name = pending.temp_path().file_name().unwrap().to_str().unwrap();
        assert!(is_temporary(name), "{name}");
    }

    #[test]
    fn a_failed_clean_up_names_what_it_could_not_do() {
        let dir = tempfile::tempdir().unwrap();
        // A directory with a temporary's name cannot be removed as a file.
        let stuck = dir.path().join("data");
        std::fs::create_dir(&stuck).unwrap();
        std::fs::create_dir(stuck.join(".rank_0001.h5.abcdef.plotrand-tmp")).unwrap();
        assert_eq!(
            remove_stale_temporaries(dir.path()).unwrap(),
            0,
            "not a file"
        );
        let e = remove_in(&dir.path().join("missing"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("could not list") && e.contains("missing"), "{e}");
    }

    #[test]
    fn only_whole_files_count_as_done() {
        let png_end = [0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xae, 0x42, 0x60, 0x82];
        let png_head = b"\x89PNG\r\n\x1a\n";
        assert!(ends_whole("png", png_head, &png_end));
        assert!(!ends_whole("png", png_head, &png_end[..8]));
        assert!(!ends_whole("png", b"", b""));
        assert!(ends_whole("pdf", b"%PDF-1.7", b"trailer\n%%EOF\n"));
        assert!(!ends_whole("pdf", b"%PDF-1.7", b"0 obj <<"));
        assert!(ends_whole("svg", b"<svg", b"</g>\n</svg>\n"));
        assert!(!ends_whole("svg", b"<svg", b"<circle"));

        let dir = tempfile::tempdir().unwrap();
        let plan = Plan::Random { num_plots: 4 };
        let out = OutputDir::new(dir.path(), &plan, Format::Png, None, false, None, None);
        out.write_plot(1, &[png_head.as_slice(), &png_end].concat())
            .unwrap();
        assert_eq!(out.existing(1), Existing::Whole(20));
        std::fs::write(out.path(2), b"").unwrap();
        assert_eq!(out.existing(2), Existing::Incomplete("0 bytes".into()));
        std::fs::create_dir(out.path(3)).unwrap();
        assert!(matches!(out.existing(3), Existing::Incomplete(_)));
        std::os::unix::fs::symlink(out.path(1), out.path(4)).unwrap();
        assert!(matches!(out.existing(4), Existing::Incomplete(_)));
    }

    #[test]
    fn a_second_lock_on_a_directory_is_refused_naming_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let held = lock(dir.path(), "host node7, pid 42").unwrap();
        let e = lock(dir.path(), "me").err().unwrap().to_string();
        assert!(
            e.contains("in use by another") && e.contains("node7, pid 42"),
            "{e}"
        );
        drop(held);
        lock(dir.path(), "me").unwrap();
    }

    #[test]
    fn the_record_may_not_overwrite_input_plots_data_or_strangers() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let plan = Plan::Random { num_plots: 4 };
        let out = OutputDir::new(d, &plan, Format::Png, None, false, None, None);
        let check = |record: &Path, input: Option<&Path>| {
            check_record_place(record, &out, 4, input, |_| false)
                .err()
                .map(|e| e.to_string())
        };
        let input = d.join("a.h5");
        std::fs::write(&input, b"x").unwrap();
        assert!(check(&input, Some(&input))
            .unwrap()
            .contains("is the --input file"));
        assert!(check(&d.join("plot_2.png"), None)
            .unwrap()
            .contains("plot 2"));
        assert_eq!(check(&d.join("plot_5.png"), None), None, "no such plot");
        std::fs::create_dir(d.join("data")).unwrap();
        assert!(check(&d.join("data/rank_0001.h5"), None)
            .unwrap()
            .contains("--save-data"));
        assert!(check(&d.join("plots-0002.tar"), None)
            .unwrap()
            .contains("--pack archive"));
        assert!(check(d, None).unwrap().contains("is a directory"));
        std::fs::write(d.join("notes.txt"), b"x").unwrap();
        assert!(check(&d.join("notes.txt"), None)
            .unwrap()
            .contains("not a plotrand-mpi run record"));
        assert_eq!(check(&d.join("plotrand.h5"), None), None);
        let e = check(Path::new("/proc/plotrand.h5"), None).unwrap();
        assert!(e.contains("cannot be written"), "{e}");
    }

    #[test]
    fn atomic_write_onto_a_directory_fails_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("plot_3.png")).unwrap();
        assert!(write_atomically(dir.path(), "plot_3.png", b"abc", false).is_err());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary left"
        );
    }

    #[test]
    fn output_dir_checks_name_the_flag_and_the_path() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("a-file");
        std::fs::write(&file, b"x").unwrap();
        let err = prepare(&file).unwrap_err().to_string();
        assert!(
            err.contains("--output-dir")
                && err.contains("a-file")
                && err.contains("not a directory"),
            "{err}"
        );

        let under_file = file.join("sub");
        let err = prepare(&under_file).unwrap_err().to_string();
        assert!(err.contains("could not be created"), "{err}");

        let fresh = tmp.path().join("x/y/z");
        prepare(&fresh).unwrap();
        assert!(fresh.is_dir());
        assert_eq!(
            std::fs::read_dir(&fresh).unwrap().count(),
            0,
            "the probe file is removed"
        );
    }
}
