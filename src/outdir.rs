//! Every path and file the program makes: plot names and subdirectories, temporary names and
//! atomic writes, the writability probe, the clean-up of what a killed run left, where the
//! data files and the run record go, and what to do when a write fails. Nothing else in the
//! program creates, renames or removes files; "where is a plot written?" is answered here.

use crate::figure::Format;
use crate::plan::Plan;
use std::collections::HashSet;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// The run record's name inside the output directory, unless `--record` says otherwise.
pub const RECORD_FILE_NAME: &str = "plotrand.h5";
/// Where `--save-data` puts the ranks' data files, inside the output directory.
pub const DATA_DIR: &str = "data";
const TEMP_SUFFIX: &str = ".tmp";
const PROBE_PREFIX: &str = ".plotrand-probe.";

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
    #[error("--resume: could not remove the temporary files of an earlier run in '{}': {source}; check the directory's permissions", path.display())]
    Cleanup {
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
    /// Input runs: a safe, unique file stem per object, in plan order.
    stems: Option<Vec<String>>,
    /// fsync each file before its rename (`--sync`).
    sync: bool,
}

impl OutputDir {
    pub fn new(
        root: &Path,
        plan: &Plan,
        format: Format,
        per_dir: Option<u64>,
        sync: bool,
    ) -> OutputDir {
        let stems = match plan {
            Plan::Random { .. } => None,
            Plan::Input { objects } => Some(unique_stems(objects)),
        };
        OutputDir {
            root: root.to_path_buf(),
            extension: format.extension(),
            per_dir,
            stems,
            sync,
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Plot `plot_num`'s file name without extension: the lesson's `plot_<k>`, or the
    /// object's sanitised path. Its group in a data file has the same name.
    pub fn stem(&self, plot_num: u64) -> String {
        match &self.stems {
            None => format!("plot_{plot_num}"),
            Some(stems) => stems[plot_num as usize - 1].clone(),
        }
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

    /// `--resume`: the size of plot `plot_num`'s file if it is already there. Files only ever
    /// appear complete (temporary name, then rename).
    pub fn existing(&self, plot_num: u64) -> Option<u64> {
        std::fs::metadata(self.path(plot_num)).ok().map(|m| m.len())
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
        write_atomically(&dir, &name, bytes, self.sync).map_err(|source| FileError::Write {
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

/// [`write_atomically`] to a path.
pub fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    write_atomically(parent_or_dot(path), &name, bytes, false)
}

/// Creates the output directory if needed and proves it writable by creating (and dropping)
/// a temporary file in it, so an unusable directory is reported before any plotting.
pub fn prepare(dir: &Path) -> Result<(), SetupError> {
    if dir.exists() && !dir.is_dir() {
        return Err(SetupError::OutputIsNotADirectory(dir.to_path_buf()));
    }
    std::fs::create_dir_all(dir).map_err(|source| SetupError::CreateOutputDir {
        path: dir.to_path_buf(),
        source,
    })?;
    tempfile::Builder::new()
        .prefix(PROBE_PREFIX)
        .tempfile_in(dir)
        .map(drop)
        .map_err(|source| SetupError::OutputNotWritable {
            path: dir.to_path_buf(),
            source,
        })
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
/// subdirectories (`0000`, `0001`, …) and in `data/` — nowhere else — and only names this
/// program makes (`.<file>.<6 random characters>.tmp` for a plot, record or data file, and
/// the writability probe), so other programs' files are left alone.
pub fn remove_stale_temporaries(dir: &Path) -> Result<usize, SetupError> {
    let cleanup = |source| SetupError::Cleanup {
        path: dir.to_path_buf(),
        source,
    };
    let mut removed = remove_in(dir).map_err(cleanup)?;
    for entry in std::fs::read_dir(dir).map_err(cleanup)? {
        let entry = entry.map_err(cleanup)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours =
            name == DATA_DIR || (name.len() >= 4 && name.bytes().all(|b| b.is_ascii_digit()));
        if ours && entry.file_type().map_err(cleanup)?.is_dir() {
            removed += remove_in(&entry.path()).map_err(cleanup)?;
        }
    }
    Ok(removed)
}

fn remove_in(dir: &Path) -> std::io::Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() && is_temporary(&entry.file_name().to_string_lossy()) {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// `.<name>.<6 alphanumerics>.tmp` where `<name>` ends in an extension this program writes,
/// or the probe `.plotrand-probe.<6 alphanumerics>`.
fn is_temporary(name: &str) -> bool {
    let random = |s: &str| s.len() == 6 && s.bytes().all(|b| b.is_ascii_alphanumeric());
    if let Some(rest) = name.strip_prefix(PROBE_PREFIX) {
        return random(rest);
    }
    let Some(inner) = name
        .strip_prefix('.')
        .and_then(|n| n.strip_suffix(TEMP_SUFFIX))
    else {
        return false;
    };
    let Some((file, tag)) = inner.rsplit_once('.') else {
        return false;
    };
    let extensions = Format::ALL.map(Format::extension);
    let ours = file
        .rsplit_once('.')
        .is_some_and(|(_, ext)| ext == "h5" || extensions.contains(&ext));
    ours && random(tag)
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
        let out = OutputDir::new(Path::new("o"), &random, Format::Png, None, false);
        assert_eq!(out.path(3), Path::new("o/plot_3.png"));
        let input = Plan::Input {
            objects: vec!["/g/xy".into(), "/z".into()],
        };
        let out = OutputDir::new(Path::new("o"), &input, Format::Svg, Some(1), false);
        assert_eq!(out.relative_path(1), Path::new("0000/g_xy.svg"));
        assert_eq!(out.stem(2), "z");
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
        for sub in ["0001", "data", "other"] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
        }
        let ours = [
            ".plot_1.png.aB3xYz.tmp",
            "0001/.plot_2.png.Qw9eR2.tmp",
            ".plotrand-probe.X1y2Z3",
            "data/.rank_0001.h5.abcdef.tmp",
            ".plotrand.h5.Zz9Zz9.tmp",
        ];
        let theirs = [
            "plot_3.png",
            ".hidden",
            "notes.tmp",
            ".x.tmp",
            ".notes.txt.abcdef.tmp",
            ".plot_4.png.short.tmp",
            "0001/plot_2.png",
            "other/.plot_9.png.abcdef.tmp",
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
