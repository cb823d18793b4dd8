//! The suite's own rules, checked on its sources: every process a test starts goes through
//! tests/common/process.rs (a time limit, killed with its tree on a hang or when the test
//! fails), and no test passes by returning before it has tested anything.

use crate::common::repo_path;
use std::path::{Path, PathBuf};

/// Every `.rs` file under tests/, with its text.
fn test_sources() -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    let mut dirs = vec![repo_path("tests")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                found.push((path, text));
            }
        }
    }
    assert!(found.len() > 10, "the test sources are not where they were");
    found
}

/// The lines of `text` outside comments that contain one of `needles`.
fn offending(path: &Path, text: &str, needles: &[&str]) -> Vec<String> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
        .filter(|(_, line)| needles.iter().any(|n| line.contains(n)))
        .map(|(i, line)| format!("{}:{}: {}", path.display(), i + 1, line.trim()))
        .collect()
}

#[test]
fn every_process_a_test_starts_has_a_time_limit() {
    let own = repo_path("tests/common/process.rs");
    let starts = [".output()", ".status()", ".spawn()", "assert_cmd"];
    let found: Vec<String> = test_sources()
        .iter()
        .filter(|(path, _)| *path != own && !path.ends_with("suite.rs"))
        .flat_map(|(path, text)| offending(path, text, &starts))
        .collect();
    assert!(
        found.is_empty(),
        "start processes with common::run / run_within / run_tool / Started, which kill them \
         on a hang:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_test_returns_before_it_has_tested() {
    let found: Vec<String> = test_sources()
        .iter()
        .filter(|(path, _)| !path.ends_with("suite.rs"))
        .flat_map(|(path, text)| offending(path, text, &["return;"]))
        .collect();
    assert!(
        found.is_empty(),
        "a test that cannot run fails, or is #[ignore = \"reason\"]; it never returns early \
         as if it had passed:\n{}",
        found.join("\n")
    );
}
