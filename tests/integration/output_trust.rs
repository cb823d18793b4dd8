//! What a hostile user or a flaky cluster does to a run's trust, provoked for real: a resume
//! with other parameters or without the seed, broken files under plots' names, a record
//! placed on top of data, a second job in the same directory, other programs' temporaries,
//! terminal escapes in object names. Nothing may be mixed, overwritten or removed silently.

use crate::common::library::PlotStatus;
use crate::common::*;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The seed a run's header names.
fn header_seed(run: &Run) -> String {
    let header = run.stdout.lines().next().unwrap_or_default();
    let after = header
        .split(", seed ")
        .nth(1)
        .unwrap_or_else(|| panic!("no seed in the header:\n{}", run.context()));
    after.split_whitespace().next().unwrap().to_string()
}

/// The plots of an uninterrupted run of `args` (plus `-o`), for comparison.
fn reference(tmp: &Path, args: &[&str]) -> std::path::PathBuf {
    let dir = tmp.join("reference");
    let run = alone(&[&["-o", path_arg(&dir), "-q"], args].concat());
    assert_eq!(run.code, 0, "{}", run.context());
    dir
}

#[test]
fn resume_without_seed_takes_the_earlier_seed_and_refuses_other_parameters() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let out = path_arg(&dir);
    let first = alone(&["-o", out, "-n", "12", "-q"]);
    assert_eq!(first.code, 0, "{}", first.context());
    let seed = header_seed(&first);
    // An interrupted run: only plots 1 and 2 were made.
    for k in 3..=12 {
        std::fs::remove_file(plot_path(&dir, k, "png")).unwrap();
    }

    let resumed = alone(&["-o", out, "-n", "12", "--resume"]);
    assert_eq!(resumed.code, 0, "{}", resumed.context());
    assert_eq!(
        header_seed(&resumed),
        seed,
        "the earlier run's seed is taken"
    );
    assert!(
        resumed.stdout.contains("the earlier run's"),
        "{}",
        resumed.stdout
    );
    let reference = reference(tmp.path(), &["-n", "12", "--seed", &seed]);
    for k in 1..=12 {
        assert!(
            bytes(&plot_path(&dir, k, "png")) == bytes(&plot_path(&reference, k, "png")),
            "plot {k} comes from another seed"
        );
    }
    {
        let _reading = writing_hdf5();
        let record = hdf5::File::open(dir.join("plotrand.h5")).unwrap();
        assert_eq!(u64_attr(&record, "attempt"), 2);
    }
    let rows = record_rows(&dir.join("plotrand.h5"));
    let made_by: Vec<(PlotStatus, u32)> = rows
        .iter()
        .map(|r| (r.status.known().unwrap(), r.attempt))
        .collect();
    assert_eq!(made_by[..2], [(PlotStatus::Skipped, 1); 2]);
    assert_eq!(made_by[2..], [(PlotStatus::Ok, 2); 10]);

    for (args, needle) in [
        (
            &["--points", "300"][..],
            "--points 500, this one --points 300",
        ),
        (
            &["--seed", "1"],
            &format!("--seed {seed}, this one --seed 1"),
        ),
        (&["--format", "svg"], "--format png, this one --format svg"),
        (&["--width", "800"], "--width 640, this one --width 800"),
        (&["--max-files-per-dir", "5"], "--max-files-per-dir flat"),
    ] {
        let run = alone(&[&["-o", out, "-n", "12", "--resume"], args].concat());
        run.assert_one_error(needle, &format!("{args:?}"));
    }
}

#[test]
fn resume_refuses_a_changed_input() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in.h5");
    let out = tmp.path().join("out");
    let versions = ["a.h5", "b.h5"].map(|name| tmp.path().join(name));
    for (path, datasets) in versions.iter().zip(["3", "4"]) {
        let run = alone(&["sample", path_arg(path), "--datasets", datasets]);
        assert_eq!(run.code, 0, "{}", run.context());
    }
    std::fs::copy(&versions[0], &input).unwrap();
    let first = alone(&["--input", path_arg(&input), "-o", path_arg(&out), "-q"]);
    assert_eq!(first.code, 0, "{}", first.context());
    std::fs::copy(&versions[1], &input).unwrap();
    let resumed = alone(&[
        "--input",
        path_arg(&input),
        "-o",
        path_arg(&out),
        "--resume",
    ]);
    resumed.assert_one_error("used --input", "changed input");
}

#[test]
fn resume_remakes_what_is_not_a_whole_plot() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let out = path_arg(&dir);
    for format in ["png", "svg", "pdf"] {
        let args = ["-n", "4", "--seed", "3", "--format", format];
        let first = alone(&[&["-o", out, "-q"], &args[..]].concat());
        assert_eq!(first.code, 0, "{}", first.context());
        // What a node crash or a hand can leave under final names.
        std::fs::write(plot_path(&dir, 2, format), b"").unwrap();
        let whole = bytes(&plot_path(&dir, 3, format));
        std::fs::write(plot_path(&dir, 3, format), &whole[..whole.len() / 2]).unwrap();
        let elsewhere = tmp.path().join(format!("elsewhere.{format}"));
        std::fs::write(&elsewhere, b"not a plot").unwrap();
        std::fs::remove_file(plot_path(&dir, 4, format)).unwrap();
        std::os::unix::fs::symlink(&elsewhere, plot_path(&dir, 4, format)).unwrap();

        let resumed = alone(&[&["-o", out, "--resume"], &args[..]].concat());
        assert_eq!(resumed.code, 0, "{format}: {}", resumed.context());
        assert_eq!(
            resumed.lines_starting("Remade: plot 2"),
            ["Remade: plot 2: existing file is incomplete (0 bytes); made again"],
            "{format}"
        );
        assert_eq!(resumed.lines_starting("Remade:").len(), 3, "{format}");
        assert_eq!(resumed.lines_starting("Skipped:").len(), 1, "{format}");
        let reference = reference(tmp.path(), &args);
        for k in 1..=4 {
            let path = plot_path(&dir, k, format);
            assert!(
                !path.is_symlink(),
                "{format}: plot {k} is a file of its own"
            );
            assert!(
                bytes(&path) == bytes(&plot_path(&reference, k, format)),
                "{format}: plot {k} is not whole"
            );
        }
        assert_eq!(bytes(&elsewhere), b"not a plot", "written through a link");
        std::fs::remove_dir_all(&reference).unwrap();
    }
}

#[test]
fn a_directory_under_a_plots_name_is_not_a_plot() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let out = path_arg(&dir);
    assert_eq!(alone(&["-o", out, "-n", "3", "--seed", "1", "-q"]).code, 0);
    std::fs::remove_file(plot_path(&dir, 2, "png")).unwrap();
    std::fs::create_dir(plot_path(&dir, 2, "png")).unwrap();
    let run = alone(&["-o", out, "-n", "3", "--seed", "1", "--resume"]);
    assert_eq!(run.code, 1, "{}", run.context());
    let failed = run.lines_starting("Failed: plot 2");
    assert!(
        failed.len() == 1 && failed[0].contains("move it away"),
        "{}",
        run.context()
    );
}

#[test]
fn the_record_never_overwrites_what_is_not_a_record() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let input = t.join("in.h5");
    assert_eq!(
        alone(&["sample", path_arg(&input), "--datasets", "2"]).code,
        0
    );
    let dir = t.join("out");
    assert_eq!(
        alone(&["-o", path_arg(&dir), "-n", "3", "--save-data"]).code,
        0
    );
    let notes = t.join("notes.txt");
    std::fs::write(&notes, b"my notes").unwrap();
    let in_dir = dir.join("plotrand.h5");
    std::fs::copy(&input, &in_dir).unwrap();
    let watched = [&input, &notes, &in_dir]
        .iter()
        .chain([&plot_path(&dir, 2, "png"), &dir.join("data/rank_0000.h5")].iter())
        .map(|p| (p.to_path_buf(), bytes(p)))
        .collect::<Vec<_>>();
    let (i, o) = (path_arg(&input), path_arg(&dir));
    let cases: [(Vec<&str>, &str); 6] = [
        (vec!["--input", i, "--record", i], "is the --input file"),
        (
            vec!["--input", path_arg(&in_dir), "-o", o],
            "is the --input file",
        ),
        (
            vec!["-o", o, "-n", "3", "--record", path_arg(&watched[3].0)],
            "is where plot 2 is written",
        ),
        (
            vec!["-o", o, "-n", "3", "--record", path_arg(&watched[4].0)],
            "--save-data file",
        ),
        (
            vec!["-o", o, "-n", "3", "--record", path_arg(&notes)],
            "not a plotrand-mpi run record",
        ),
        (vec!["-o", o, "-n", "3", "--record", o], "is a directory"),
    ];
    for (args, needle) in cases {
        alone(&args).assert_one_error(needle, &format!("{args:?}"));
    }
    for (path, before) in watched {
        assert!(bytes(&path) == before, "{} was changed", path.display());
    }
    // An earlier run record may be replaced: that is what re-running does.
    let again = alone(&[
        "-o",
        o,
        "-n",
        "3",
        "--record",
        path_arg(&dir.join("plotrand.h5")),
    ]);
    assert_eq!(
        again.code,
        2,
        "the copied input is no record: {}",
        again.context()
    );
    let record = t.join("run.h5");
    for _ in 0..2 {
        let run = alone(&["-o", o, "-n", "3", "--record", path_arg(&record)]);
        assert_eq!(run.code, 0, "{}", run.context());
    }
}

#[test]
fn sample_refuses_to_replace_and_never_writes_through_a_link() {
    let tmp = tempfile::tempdir().unwrap();
    let existing = tmp.path().join("mine.h5");
    std::fs::write(&existing, b"keep").unwrap();
    alone(&["sample", path_arg(&existing)]).assert_one_error("--force", "existing file");
    assert_eq!(bytes(&existing), b"keep");

    let link = tmp.path().join("link.h5");
    std::os::unix::fs::symlink(&existing, &link).unwrap();
    let run = alone(&["sample", path_arg(&link), "--datasets", "2", "--force"]);
    assert_eq!(run.code, 0, "{}", run.context());
    assert_eq!(bytes(&existing), b"keep", "written through the link");
    assert!(!link.is_symlink() && hdf5::File::open(&link).is_ok());
    assert_eq!(
        file_names(tmp.path()),
        ["link.h5", "mine.h5"],
        "no temporary left"
    );

    // Not even --force replaces what is not a regular file (as root, /dev/null was replaced).
    let pipe = tmp.path().join("pipe.h5");
    make_fifo(&pipe);
    alone(&["sample", path_arg(&pipe), "--force"]).assert_one_error("not a regular file", "FIFO");
    assert!(std::fs::symlink_metadata(&pipe)
        .unwrap()
        .file_type()
        .is_fifo());
}

#[test]
fn a_second_job_on_one_output_directory_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let out = path_arg(&dir);
    // More plots than could ever be drawn before the second job starts; killed when the
    // test ends, however it ends.
    let first = Started::spawn(Command::new(BIN).args([
        "-o",
        out,
        "-n",
        "1000000000",
        "-q",
        "--no-record",
    ]));
    let deadline = Instant::now() + TIME_LIMIT;
    while !plot_file(&dir, 1, 1_000_000_000, "png").exists() {
        assert!(Instant::now() < deadline, "the first job drew nothing");
        std::thread::sleep(Duration::from_millis(20));
    }
    let second = alone(&["-o", out, "-n", "3", "--resume", "--seed", "1"]);
    let holder = format!("pid {}", first.pid());
    second.assert_one_error("is in use by another plotrand-mpi job", "second job");
    assert!(
        !second.stderr.contains("--help"),
        "no use sending to --help: {}",
        second.stderr
    );
    assert!(second.stderr.contains(&holder), "{}", second.context());
    drop(first);
    let after = alone(&["-o", out, "-n", "3", "--seed", "1"]);
    assert_eq!(
        after.code,
        0,
        "the lock ends with its job: {}",
        after.context()
    );
}

#[test]
fn resume_removes_only_files_with_our_marker() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let out = path_arg(&dir);
    let args = [
        "-o",
        out,
        "-n",
        "4",
        "--seed",
        "1",
        "--max-files-per-dir",
        "1",
    ];
    assert_eq!(alone(&args).code, 0);
    let theirs = [
        ".thesis_figure.png.Ab12Cd.tmp",
        ".mydata.h5.abcdef.tmp",
        "0003/.x.pdf.123456.tmp",
    ];
    let ours = ["0001/.plot_2.png.AbCdEf.plotrand-tmp"];
    for name in theirs.iter().chain(&ours) {
        std::fs::write(dir.join(name), b"x").unwrap();
    }
    let run = alone(&[&args[..], &["--resume"]].concat());
    assert_eq!(run.code, 0, "{}", run.context());
    assert!(
        run.stdout
            .contains("Removed 1 temporary file(s) left by an interrupted run"),
        "{}",
        run.stdout
    );
    for name in theirs {
        assert!(dir.join(name).exists(), "{name} was not ours to remove");
    }
    assert!(!dir.join(ours[0]).exists());
}

#[test]
fn terminal_escapes_in_object_names_are_printed_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("escapes.h5");
    {
        let _guard = writing_hdf5();
        let file = hdf5::File::create(&input).unwrap();
        // Text: not plottable, so its plot fails with a reason naming it.
        let text: Vec<hdf5::types::VarLenUnicode> =
            ["a", "b"].iter().map(|s| s.parse().unwrap()).collect();
        file.new_dataset_builder()
            .with_data(&text)
            .create("red\u{1b}[31mname")
            .unwrap();
    }
    let dir = tmp.path().join("out");
    let run = alone(&[
        "--input",
        path_arg(&input),
        "--datasets",
        "/**",
        "-o",
        path_arg(&dir),
    ]);
    assert_eq!(run.code, 1, "{}", run.context());
    assert!(!run.stdout.contains('\u{1b}'), "a raw escape was printed");
    let failed = run.lines_starting("Failed:");
    assert!(
        failed.len() == 1 && failed[0].contains("red\\u{1b}[31mname"),
        "{}",
        run.context()
    );
    let rows = record_rows(&dir.join("plotrand.h5"));
    assert!(!rows[0].reason.as_str().contains('\u{1b}'));
}

#[test]
fn resume_remakes_plots_an_earlier_run_left_in_the_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let out = path_arg(&dir);
    // Run A made 6 plots of seed 1; run B, seed 2, was interrupted after its first 2.
    assert_eq!(alone(&["-o", out, "-n", "6", "--seed", "1", "-q"]).code, 0);
    assert_eq!(alone(&["-o", out, "-n", "2", "--seed", "2", "-q"]).code, 0);
    let resumed = alone(&["-o", out, "-n", "6", "--resume"]);
    assert_eq!(resumed.code, 0, "{}", resumed.context());
    assert_eq!(
        resumed.lines_starting("Remade:").len(),
        4,
        "run A's plots 3-6 are not this run's: {}",
        resumed.context()
    );
    assert!(resumed.stdout.contains("made before this run began"));
    let reference = reference(tmp.path(), &["-n", "6", "--seed", "2"]);
    for k in 1..=6 {
        assert!(
            bytes(&plot_path(&dir, k, "png")) == bytes(&plot_path(&reference, k, "png")),
            "plot {k} is from another run"
        );
    }
}

#[test]
fn a_link_under_one_of_our_directory_names_is_never_written_through() {
    let tmp = tempfile::tempdir().unwrap();
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    // A block of plots, the data directory and a rank's staging directory, each a link to a
    // directory outside the output directory.
    let cases = [
        ("0000", "--max-files-per-dir 2"),
        ("data", "--save-data"),
        (".plotrand-rank-0001", "--write-strategy rank-dir"),
    ];
    for (name, flags) in cases {
        let dir = tmp.path().join(format!("out-{name}"));
        std::fs::create_dir(&dir).unwrap();
        std::os::unix::fs::symlink(&elsewhere, dir.join(name)).unwrap();
        let line = format!("-o {} -n 4 --seed 1 {SMALL} -q {flags}", dir.display());
        let run = mpi(2, &split(&line));
        assert_eq!(run.code, 1, "{name}: {}", run.context());
        assert!(
            run.stdout
                .contains("it is a symbolic link, not one this program made")
                || run
                    .stderr
                    .contains("it is a symbolic link, not one this program made"),
            "{name}: {}",
            run.context()
        );
        assert_eq!(
            std::fs::read_dir(&elsewhere).unwrap().count(),
            0,
            "{name}: written through the link"
        );
    }
}

#[test]
fn pipes_and_endless_files_under_our_names_are_refused_not_waited_on() {
    let tmp = tempfile::tempdir().unwrap();
    let line = |dir: &Path, extra: &str| {
        split(&format!(
            "-o {} -n 2 --seed 1 {SMALL} -q {extra}",
            dir.display()
        ))
    };
    // The manifest --resume reads: a pipe would block it, /dev/zero never end.
    for (case, make) in [
        ("pipe", &(|p: &Path| make_fifo(p)) as &dyn Fn(&Path)),
        ("link to /dev/zero", &|p: &Path| {
            std::os::unix::fs::symlink("/dev/zero", p).unwrap()
        }),
    ] {
        let dir = tmp.path().join(format!("manifest-{}", case.len()));
        std::fs::create_dir(&dir).unwrap();
        make(&dir.join("plotrand-manifest.txt"));
        let run = mpi(2, &line(&dir, "--resume"));
        assert_eq!(run.code, 2, "{case}: {}", run.context());
        assert!(
            run.stderr.contains("plotrand-manifest.txt"),
            "{case}: {}",
            run.context()
        );
    }
    // The run record's place, and speedup and report given a pipe.
    let dir = tmp.path().join("record");
    std::fs::create_dir(&dir).unwrap();
    make_fifo(&dir.join("plotrand.h5"));
    mpi(2, &line(&dir, ""))
        .assert_one_error("is not a plotrand-mpi run record", "a pipe as record");
    let pipe = dir.join("plotrand.h5");
    for command in [
        vec!["report", path_arg(&pipe)],
        vec!["speedup", path_arg(&pipe), path_arg(&pipe)],
    ] {
        let run = alone(&command);
        assert_ne!(run.code, 0, "{}", run.context());
    }
}
