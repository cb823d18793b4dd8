//! The output directory's life around a run: made and proved writable before any work, locked
//! against a second job, the manifest written, and (--resume) what a killed run left removed.

use super::atomic::{
    open_ours, parent_or_dot, read_ours, write_atomically, STAGING_PREFIX, TEMP_SUFFIX,
};
use super::error::SetupError;
use super::names::{DATA_DIR, LOCK_FILE_NAME, MANIFEST_FILE_NAME};
use std::path::Path;
use std::time::SystemTime;

/// The writability probe: a temporary file made and dropped in the output directory.
const PROBE_PREFIX: &str = ".plotrand-probe.";

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

pub(super) fn remove_in(dir: &Path) -> Result<usize, SetupError> {
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
pub(super) fn is_temporary(name: &str) -> bool {
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
/// The manifest an earlier run left in `dir`, if any: a file of ours, of a manifest's size.
pub fn read_manifest(dir: &Path) -> std::io::Result<Option<String>> {
    read_ours(&dir.join(MANIFEST_FILE_NAME), 64 * 1024)
}

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
    let lock_error = |source: std::io::Error| match source.kind() {
        std::io::ErrorKind::InvalidInput => SetupError::InTheWay {
            path: path.clone(),
            source,
        },
        _ => SetupError::Lock {
            dir: dir.to_path_buf(),
            source,
        },
    };
    let writable = || {
        open_ours(
            &path,
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false),
        )
    };
    writable().map_err(lock_error)?;
    // Held through a read-only descriptor where the file system allows it, so that no file
    // of ours stays open for writing all run long (that would block a read-only remount);
    // NFS emulates flock with POSIX locks, which need a writable one.
    let file = open_ours(&path, std::fs::OpenOptions::new().read(true)).map_err(lock_error)?;
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
            let _ = writable().and_then(|mut f| {
                f.set_len(0)?;
                std::io::Write::write_all(&mut f, holder.as_bytes())
            });
            Ok(OutputLock { _file: file })
        }
        Err(fs4::TryLockError::WouldBlock) => {
            let holder = read_ours(&path, 4096).ok().flatten().unwrap_or_default();
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
pub(super) fn try_lock(file: &std::fs::File) -> Result<(), fs4::TryLockError> {
    fs4::FileExt::try_lock(file)
}

/// Linux's EBADF: what flock says of a read-only descriptor where it is emulated by POSIX
/// locks.
pub(super) const EBADF: i32 = 9;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::PendingFile;

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
    fn the_lock_is_never_taken_or_written_through_a_link_or_a_pipe() {
        let dir = tempfile::tempdir().unwrap();
        let precious = dir.path().join("precious.txt");
        std::fs::write(&precious, b"keep").unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::os::unix::fs::symlink(&precious, out.join(LOCK_FILE_NAME)).unwrap();
        let e = lock(&out, "host node7, pid 42").err().unwrap().to_string();
        assert!(
            e.contains("symbolic link") && e.contains(LOCK_FILE_NAME),
            "{e}"
        );
        assert_eq!(std::fs::read(&precious).unwrap(), b"keep");

        std::fs::remove_file(out.join(LOCK_FILE_NAME)).unwrap();
        rustix::fs::mknodat(
            rustix::fs::CWD,
            out.join(LOCK_FILE_NAME),
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let e = lock(&out, "me").err().unwrap().to_string();
        assert!(e.contains("not a regular file"), "{e}");
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
