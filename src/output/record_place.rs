//! Where the run record may go: never over the input, a plot, a rank's data file or archive,
//! or a file that is not a run record; and where its links find the data files.

use super::atomic::{parent_or_dot, PendingFile};
use super::error::SetupError;
use super::names::{is_archive, DATA_DIR};
use super::OutputDir;
use std::path::{Path, PathBuf};

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
        if is_archive(&inside) {
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
pub(super) fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// `path` relative to `dir`, if it lies inside it (both resolved through links).
pub(super) fn relative_to(path: &Path, dir: &Path) -> Option<PathBuf> {
    let parent = parent_or_dot(path).canonicalize().ok()?;
    let inside = parent.strip_prefix(dir.canonicalize().ok()?).ok()?;
    Some(inside.join(path.file_name()?))
}

pub(super) fn is_data_file(relative: &Path) -> bool {
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

pub(super) fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figure::Format;
    use crate::plan::Plan;

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
}
