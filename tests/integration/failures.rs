//! Failing plots and bad command lines: reported once, with the right exit status, no hang.

use crate::common::*;

#[test]
fn a_plot_that_cannot_be_written_fails_alone() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(plot_file(tmp.path(), 3, 6, "png")).unwrap();
    // 6 plots on 2 ranks: plot 3 belongs to rank 0, whose other plots must still be written.
    let run = mpi(2, &args!("-o {} -n 6 --seed 9", tmp.path()));
    assert_eq!(run.code, 1, "{}", run.context());
    let failed = run.lines_starting("Failed:");
    assert_eq!(failed.len(), 1, "{}", run.context());
    assert!(
        failed[0].starts_with("Failed: plot 3 on rank 0: could not write '"),
        "{}",
        failed[0]
    );
    assert!(
        failed[0].contains("plot_3.png") && failed[0].contains("directory"),
        "{}",
        failed[0]
    );
    assert_eq!(run.lines_starting("Result:").len(), 5);
    for k in [1, 2, 4, 5, 6] {
        assert_eq!(png_size(&plot_path(tmp.path(), k, "png")), (640, 480));
    }
    let rows = table_rows(&run.stdout);
    assert_eq!(rows, [(0, 3, 1), (1, 3, 0)]);
    assert!(
        summary_line(&run.stdout).ends_with("1 FAILED"),
        "{}",
        run.context()
    );
    no_temporaries(tmp.path());
}

#[test]
fn failures_on_other_ranks_travel_back_with_their_reasons() {
    let tmp = tempfile::tempdir().unwrap();
    // 6 plots on 3 ranks: plots 5 and 6 belong to rank 2.
    for k in [5, 6] {
        std::fs::create_dir(plot_file(tmp.path(), k, 6, "png")).unwrap();
    }
    let run = mpi(3, &args!("-o {} -n 6 --seed 2 -q", tmp.path()));
    assert_eq!(run.code, 1, "{}", run.context());
    let failed = run.lines_starting("Failed:");
    assert_eq!(failed.len(), 2, "{}", run.context());
    for (line, k) in failed.iter().zip([5, 6]) {
        assert!(
            line.starts_with(&format!("Failed: plot {k} on rank 2: could not write '")),
            "{line}"
        );
        assert!(line.contains("move it away"), "says what to do: {line}");
    }
}

/// Rank 0 cannot print (its stdout is a full device): the others must not be left waiting
/// in a collective, and the plots must still be made.
#[test]
fn rank_zero_unable_to_print_hangs_nobody() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let rank0 = format!(
        "exec {} -o {} -n 4 --seed 1 >/dev/full",
        quoted(&BIN),
        quoted(&dir)
    );
    let mut cmd = launcher(1);
    cmd.args(args!(
        "sh -c {} : -n 1 {} -o {} -n 4 --seed 1",
        rank0,
        BIN,
        dir
    ));
    let out = run(&mut cmd);
    assert_eq!(out.code, 1, "{}", out.context());
    assert!(
        out.stderr.contains("could not print the report"),
        "{}",
        out.context()
    );
    for k in 1..=4 {
        assert_eq!(png_size(&plot_path(tmp.path(), k, "png")), (640, 480));
    }
    assert!(
        tmp.path().join("plotrand.h5").exists(),
        "the record is written even so"
    );
}

/// Each bad command line gives status 2 and exactly one error, from rank 0, before any plot.
#[test]
fn bad_arguments_are_reported_once_with_status_2() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, b"not a directory").unwrap();
    let under_file = file.join("sub");
    let out = tmp.path().join("out");
    let cases = [
        (args!("-n 0 -o {}", out), "--num-plots"),
        (args!("-n -3 -o {}", out), "--num-plots"),
        (args!("-n ten -o {}", out), "--num-plots"),
        (args!("--format gif -o {}", out), "--format"),
        (args!("--points 0 -o {}", out), "--points"),
        (args!("--width 99999 -o {}", out), "--width"),
        (args!("--bogus -o {}", out), "--bogus"),
        (args!("-o {}", file), "--output-dir"),
        (args!("-o {}", under_file), "--output-dir"),
    ];
    for (args, flag) in cases {
        mpi(3, &args).assert_one_error(flag, &format!("{args:?}"));
        assert!(!out.exists(), "{args:?}: no work may start");
    }
}

/// The flags that act on `--input`'s objects, without `--input`: refused once, by rank 0,
/// naming the flag, also beside a random-data flag (clap's own `requires` let those through:
/// `-n 3 --list` ended with status 2 and no word, `--seed 1 --kind line` drew random plots).
#[test]
fn input_only_flags_are_refused_once_without_input() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let input_only = [
        "--list",
        "--kind line",
        "--columns x,y",
        "--name {n}",
        "--datasets /g/*",
        "--vmin 0",
        "--vmax 1",
    ];
    let random = ["-n 3", "--seed 1", "--points 5", ""];
    let mut cases: Vec<(&str, &str)> = input_only
        .iter()
        .zip(random.iter().cycle())
        .map(|(flag, other)| (*flag, *other))
        .collect();
    cases.extend(random[1..].iter().map(|other| ("--list", *other)));
    for (flag, other) in cases {
        let args = args!("-o {} {other} {flag}", out);
        let name = flag.split(' ').next().unwrap();
        mpi(3, &args).assert_one_error(&format!("{name} needs --input"), &format!("{args:?}"));
        assert!(!out.exists(), "{args:?}: no work may start");
    }
}

#[test]
fn help_is_printed_once() {
    let run = mpi(3, &["--help"]);
    assert_eq!(run.code, 0, "{}", run.context());
    assert_eq!(
        run.stdout.matches("Usage: plotrand-mpi").count(),
        1,
        "{}",
        run.context()
    );
    let flags =
        "--output-dir --num-plots --seed --points --width --height --format --quiet --version";
    for flag in split(flags) {
        assert!(run.stdout.contains(&flag), "help lacks {flag}");
    }
}

#[test]
fn failures_travel_back_under_the_dynamic_schedule_too() {
    let tmp = tempfile::tempdir().unwrap();
    for k in [2, 9] {
        std::fs::create_dir(plot_file(tmp.path(), k, 12, "png")).unwrap();
    }
    let run = mpi(
        3,
        &args!("-o {} -n 12 --schedule dynamic --chunk 1 -q", tmp.path()),
    );
    assert_eq!(run.code, 1, "{}", run.context());
    let failed = run.lines_starting("Failed:");
    assert_eq!(failed.len(), 2, "{}", run.context());
    assert!(
        failed[0].starts_with("Failed: plot 2 on rank ")
            && failed[1].starts_with("Failed: plot 9 on rank ")
    );
    assert!(failed.iter().all(|l| l.contains("move it away")));
}
