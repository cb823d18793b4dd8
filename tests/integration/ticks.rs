//! The tick unit tests' expectations (tests/data/matplotlib_ticks.json) are what matplotlib
//! prints today: tests/data/matplotlib_ticks.py, run with the venv's pinned matplotlib, gives
//! the checked-in file byte for byte.

use crate::common::*;
use std::process::Command;

#[test]
fn the_expected_tick_labels_are_matplotlibs() {
    let data = repo_path("tests/data");
    let out = run(Command::new(python()).arg(data.join("matplotlib_ticks.py")));
    assert!(
        out.success(),
        "matplotlib_ticks.py failed: {}",
        out.context()
    );
    let printed = out.stdout;
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
