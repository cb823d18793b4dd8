//! Failing plots and bad command lines: reported once, with the right exit status, no hang.

mod common;
use common::*;

#[test]
fn a_plot_that_cannot_be_written_fails_alone() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(plot_path(tmp.path(), 3, "png")).unwrap();
    // 6 plots on 2 ranks: plot 3 belongs to rank 0, whose other plots must still be written.
    let run = mpi(2, &["-o", path_arg(tmp.path()), "-n", "6", "--seed", "9"]);
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
        run.stdout.trim_end().ends_with("1 FAILED"),
        "{}",
        run.context()
    );
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with('.')),
        "temporary files left: {names:?}"
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
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["-n", "0"], "--num-plots"),
        (vec!["-n", "-3"], "--num-plots"),
        (vec!["-n", "ten"], "--num-plots"),
        (vec!["--format", "gif"], "--format"),
        (vec!["--points", "0"], "--points"),
        (vec!["--width", "99999"], "--width"),
        (vec!["--bogus"], "--bogus"),
        (vec!["-o", path_arg(&file)], "--output-dir"),
        (vec!["-o", path_arg(&under_file)], "--output-dir"),
    ];
    for (args, flag) in cases {
        let mut all = args.clone();
        if !args.contains(&"-o") {
            all.extend(["-o", path_arg(&out)]);
        }
        let run = mpi(3, &all);
        assert_eq!(run.code, 2, "{args:?}: {}", run.context());
        let errors: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .collect();
        assert_eq!(
            errors.len(),
            1,
            "{args:?}: one error expected:\n{}",
            run.context()
        );
        assert!(errors[0].contains(flag), "{args:?}: {}", errors[0]);
        assert!(
            run.stdout.is_empty(),
            "{args:?}: nothing on stdout:\n{}",
            run.context()
        );
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
    for flag in [
        "--output-dir",
        "--num-plots",
        "--seed",
        "--points",
        "--width",
        "--height",
        "--format",
        "--quiet",
        "--version",
    ] {
        assert!(run.stdout.contains(flag), "help lacks {flag}");
    }
}
