//! The fuzz targets' bodies, a module each, so that `cargo test` here can run them on the
//! checked-in corpus without libFuzzer. What each checks beyond "no crash" is in its module.

pub mod record;
pub mod tar;

use std::path::{Path, PathBuf};

/// An empty directory for one input: the same one for every input of the thread (made
/// once, emptied each time), since making a fresh one costs more than the work it holds.
fn work_dir() -> PathBuf {
    thread_local! {
        static DIR: tempfile::TempDir = tempfile::tempdir().expect("a temporary directory");
    }
    let dir = DIR.with(|d| d.path().to_path_buf());
    for entry in std::fs::read_dir(&dir).expect("the work directory") {
        let path = entry.expect("an entry").path();
        let gone = match path.symlink_metadata().map(|m| m.is_dir()) {
            Ok(true) => std::fs::remove_dir_all(&path),
            _ => std::fs::remove_file(&path),
        };
        gone.unwrap_or_else(|e| panic!("could not empty {}: {e}", path.display()));
    }
    dir
}

/// Every path under `dir` (not following links), relative to it, sorted.
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path.clone());
            }
            found.push(path.strip_prefix(dir).unwrap().to_path_buf());
        }
    }
    found.sort();
    found
}
