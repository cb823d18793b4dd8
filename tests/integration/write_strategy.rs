//! `--write-strategy`: plots made through each rank's own directory or beside the plot are
//! the same files, nothing of the per-rank directories stays, and `--resume` clears what a
//! killed run left in them.

use crate::common::*;
use std::path::Path;

/// 12 small plots on 2 ranks into `dir`, quietly, with `extra` arguments.
fn twelve_plots(dir: &Path, extra: &[&str]) -> Run {
    let mut args = args!("-o {} -n 12 --seed 4 -q", dir);
    args.extend(split(SMALL));
    args.extend(extra.iter().map(|a| a.to_string()));
    mpi(2, &args)
}

fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    file_names(dir)
        .into_iter()
        .filter(|n| n.ends_with(".png"))
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

#[test]
fn every_strategy_makes_the_same_files_and_leaves_no_staging() {
    let tmp = tempfile::tempdir().unwrap();
    let mut made = Vec::new();
    for strategy in ["same-dir", "rank-dir", "auto"] {
        let dir = tmp.path().join(strategy);
        let out = twelve_plots(&dir, &["--write-strategy", strategy]);
        assert_eq!(out.code, 0, "{strategy}: {}", out.context());
        let names = file_names(&dir);
        assert!(
            names
                .iter()
                .all(|n| n.ends_with(".png") || n == "plotrand.h5"),
            "{strategy}: {names:?}"
        );
        made.push(contents(&dir));
    }
    assert_eq!(made[0].len(), 12);
    assert!(made.iter().all(|m| *m == made[0]));
}

#[test]
fn resume_removes_what_a_killed_run_left_in_a_rank_s_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    assert_eq!(
        twelve_plots(&dir, &["--write-strategy", "rank-dir"]).code,
        0
    );
    std::fs::remove_file(dir.join("plot_12.png")).unwrap();
    let staging = dir.join(".plotrand-rank-0001");
    std::fs::create_dir(&staging).unwrap();
    std::fs::write(staging.join(".plot_12.png.Ab12Cd.plotrand-tmp"), b"half").unwrap();
    let out = twelve_plots(&dir, &["--write-strategy", "rank-dir", "--resume"]);
    assert_eq!(out.code, 0, "{}", out.context());
    assert!(
        out.stdout.contains("Removed 1 temporary file"),
        "{}",
        out.context()
    );
    assert!(!staging.exists());
    assert_eq!(contents(&dir).len(), 12);
}

#[test]
fn an_unknown_strategy_is_refused_naming_the_flag() {
    let out = alone(&["-o", "/nonexistent/x", "--write-strategy", "fastest"]);
    assert_eq!(out.code, 2, "{}", out.context());
    assert!(out.stderr.contains("--write-strategy"), "{}", out.context());
}
