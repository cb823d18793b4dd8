//! The tick unit tests' expectations (tests/data/matplotlib_ticks.json) are what matplotlib
//! prints today: tests/data/matplotlib_ticks.py, run with the venv's pinned matplotlib, gives
//! the checked-in file byte for byte.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The script draws about a hundred axes in a second or two; a hung interpreter must not
/// hang the test run.
const TIME_LIMIT: Duration = Duration::from_secs(120);

/// The venv's Python: `$PLOTRAND_TEST_PYTHON` (scripts/test.sh sets it), else the one
/// scripts/pyenv.sh makes in target/pyenv. Fails — never skips — without it.
fn python() -> PathBuf {
    let path = std::env::var_os("PLOTRAND_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pyenv/bin/python"));
    assert!(
        path.exists(),
        "no Python with the pinned matplotlib at {}: make it with scripts/pyenv.sh (or run \
         scripts/test.sh, which does), or point PLOTRAND_TEST_PYTHON at one",
        path.display()
    );
    path
}

#[test]
fn the_expected_tick_labels_are_matplotlibs() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let out = assert_cmd::Command::new(python())
        .arg(data.join("matplotlib_ticks.py"))
        .timeout(TIME_LIMIT)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "matplotlib_ticks.py failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).expect("the script prints UTF-8");
    let checked_in = std::fs::read_to_string(data.join("matplotlib_ticks.json")).unwrap();
    if printed != checked_in {
        let first = printed
            .lines()
            .zip(checked_in.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(printed.lines().count().min(checked_in.lines().count()));
        panic!(
            "tests/data/matplotlib_ticks.json is not what matplotlib_ticks.py prints (first \
             difference at line {}):\n  printed:     {}\n  checked in:  {}\nregenerate it with \
             \"$(scripts/pyenv.sh)\" tests/data/matplotlib_ticks.py > \
             tests/data/matplotlib_ticks.json, and see whether the unit tests still pass",
            first + 1,
            printed.lines().nth(first).unwrap_or("(end)"),
            checked_in.lines().nth(first).unwrap_or("(end)"),
        );
    }
}
