//! What an operator reads: the timing table after a resume, the version line, a report cut
//! short by `| head`.

use crate::common::*;
use std::path::Path;
use std::process::{Command, Stdio};

/// The table's rows as `(rank, drawn, failed, skipped)`.
fn drawn_and_skipped(stdout: &str) -> Vec<(usize, usize, usize, usize)> {
    let mut lines = stdout
        .lines()
        .skip_while(|l| !(l.contains("drawn") && l.contains("skipped")));
    assert!(lines.next().is_some(), "no timing table in:\n{stdout}");
    lines
        .take_while(|l| !l.trim().is_empty() && !l.contains(" in "))
        .map(|l| {
            let c: Vec<usize> = l
                .split_whitespace()
                .enumerate()
                .filter(|(i, _)| [0, 2, 3, 4].contains(i))
                .map(|(_, v)| v.parse().unwrap())
                .collect();
            (c[0], c[1], c[2], c[3])
        })
        .collect()
}

#[test]
fn after_a_resume_the_table_counts_drawn_and_skipped_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let out = path_arg(tmp.path());
    let first = mpi(2, &["-o", out, "-n", "8", "--seed", "4", "-q"]);
    assert_eq!(first.code, 0, "{}", first.context());
    for k in [2, 7, 8] {
        std::fs::remove_file(plot_path(tmp.path(), k, "png")).unwrap();
    }
    let resumed = mpi(2, &["-o", out, "-n", "8", "--seed", "4", "-q", "--resume"]);
    assert_eq!(resumed.code, 0, "{}", resumed.context());
    // Static blocks: rank 0 has plots 1-4 (2 to draw), rank 1 plots 5-8 (7 and 8).
    assert_eq!(
        drawn_and_skipped(&resumed.stdout),
        [(0, 1, 0, 3), (1, 2, 0, 2)],
        "{}",
        resumed.stdout
    );
    assert!(summary_line(&resumed.stdout).contains("(max drawing / mean drawing)"));
}

#[test]
fn the_version_line_holds_no_nul() {
    let run = alone(&["--version"]);
    assert_eq!(run.code, 0, "{}", run.context());
    assert!(run.stdout.contains("MPI: "), "{}", run.stdout);
    assert!(!run.stdout.contains('\0'), "{:?}", run.stdout);
}

#[test]
fn a_report_cut_short_by_a_closed_pipe_ends_quietly_and_keeps_the_record() {
    let tmp = tempfile::tempdir().unwrap();
    // A pipe whose reader is gone before the program starts, as `| head` is after its line:
    // every write to it fails with EPIPE.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let result = Started::spawn_with_stdout(
        Command::new(BIN).args(["-o", path_arg(tmp.path()), "-n", "3", "--seed", "2"]),
        Stdio::from(writer),
    )
    .finish();
    assert_eq!(result.code, 0, "{}", result.context());
    assert!(
        result.stderr.is_empty(),
        "nothing to say: {}",
        result.context()
    );
    assert!(
        tmp.path().join("plotrand.h5").exists(),
        "the record is written"
    );
    assert_eq!(file_names(tmp.path()).len(), 4);
}

#[test]
fn speedup_takes_the_smallest_rank_count_as_base_and_refuses_broken_records() {
    let tmp = tempfile::tempdir().unwrap();
    let record = |ranks: usize| {
        let path = tmp.path().join(format!("p{ranks}.h5"));
        let out = tmp.path().join(format!("out{ranks}"));
        let run = mpi(
            ranks,
            &[
                "-o",
                path_arg(&out),
                "-n",
                "6",
                "--seed",
                "1",
                "-q",
                "--record",
                path_arg(&path),
            ],
        );
        assert_eq!(run.code, 0, "{}", run.context());
        path
    };
    let (p2, p3) = (record(2), record(3));
    let chart = tmp.path().join("chart.png");
    let study = alone(&[
        "speedup",
        path_arg(&p3),
        path_arg(&p2),
        "--chart",
        path_arg(&chart),
    ]);
    assert_eq!(study.code, 0, "{}", study.context());
    assert!(
        study.stdout.starts_with("No 1-rank run: relative to p = 2"),
        "{}",
        study.stdout
    );
    assert_eq!(png_size(&chart), (800, 600));
    let svg = tmp.path().join("chart.svg");
    alone(&[
        "speedup",
        path_arg(&p2),
        path_arg(&p3),
        "--chart",
        path_arg(&svg),
    ])
    .assert_one_error("give a path ending in .png", "--chart .svg");
    assert!(!svg.exists());

    for (attr, value, problem) in [
        ("ranks", None, "says the run had 0 ranks"),
        ("wall_seconds", Some(f64::NAN), "has a wall time of NaN s"),
        ("wall_seconds", Some(-1.0), "has a wall time of -1 s"),
        // Finite and positive, but the speedup over it overflows and its chart never ends.
        ("wall_seconds", Some(1e-320), "has a wall time of 1e-320 s"),
        ("wall_seconds", Some(1e300), "has a wall time of 1e300 s"),
    ] {
        let broken = tmp.path().join("broken.h5");
        std::fs::copy(&p2, &broken).unwrap();
        {
            let _guard = writing_hdf5();
            let f = hdf5::File::open_rw(&broken).unwrap();
            f.delete_attr(attr).unwrap();
            match value {
                None => f
                    .new_attr::<u64>()
                    .create(attr)
                    .unwrap()
                    .write_scalar(&0u64),
                Some(v) => f.new_attr::<f64>().create(attr).unwrap().write_scalar(&v),
            }
            .unwrap();
        }
        let run = alone(&["speedup", path_arg(&p2), path_arg(&broken)]);
        run.assert_one_error(problem, attr);
    }
}

#[test]
fn the_static_schedule_shows_progress_and_refuses_chunk() {
    let tmp = tempfile::tempdir().unwrap();
    let out = path_arg(tmp.path());
    // A plot of 200,000 points takes far longer than the 10 ms between progress lines.
    let run = mpi(
        2,
        &[
            "-o",
            out,
            "-n",
            "6",
            "--seed",
            "1",
            "--points",
            "200000",
            "--progress",
            "0.01",
            "-q",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.context());
    let lines = run.lines_starting("progress: ");
    assert!(!lines.is_empty(), "{}", run.context());
    assert!(lines.iter().all(|l| l.contains("/6 plots")), "{lines:?}");
    let header_then_progress = run.stdout.lines().nth(1).unwrap_or_default();
    assert!(
        header_then_progress.starts_with("progress: "),
        "progress comes before the table: {}",
        run.context()
    );

    let quiet = mpi(2, &["-o", out, "-n", "2", "--progress", "0", "-q"]);
    assert!(
        quiet.lines_starting("progress: ").is_empty(),
        "{}",
        quiet.context()
    );

    mpi(2, &["-o", out, "-n", "3", "--chunk", "4"])
        .assert_one_error("--chunk sets the plots per request", "--chunk, static");
}

#[test]
fn report_prints_one_row_per_plot_for_people_and_tools() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in.h5");
    assert_eq!(
        alone(&["sample", path_arg(&input), "--datasets", "3"]).code,
        0
    );
    let out = tmp.path().join("out");
    std::fs::create_dir_all(out.join("skewed_d001.png")).unwrap(); // plot 2 fails
    let run = mpi(
        2,
        &["--input", path_arg(&input), "-o", path_arg(&out), "-q"],
    );
    assert_eq!(run.code, 1, "{}", run.context());
    let record = out.join("plotrand.h5");

    let csv = alone(&["report", path_arg(&record), "--format", "csv"]);
    assert_eq!(csv.code, 0, "{}", csv.context());
    let mut reader = csv::Reader::from_reader(csv.stdout.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header[..7],
        ["plot", "rank", "host", "status", "attempt", "file", "object"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[1][3], "Failed");
    assert_eq!(&rows[1][6], "/skewed/d001");
    assert!(rows[1][10].contains("move it away"), "{:?}", rows[1]);
    assert!(!rows[0][2].is_empty(), "the host by name");

    let json = alone(&["report", path_arg(&record), "--format", "json", "--failed"]);
    assert_eq!(json.code, 0, "{}", json.context());
    let failed: Vec<serde_json::Value> = json
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(failed.len(), 1, "{}", json.stdout);
    assert_eq!(failed[0]["plot"], 2);
    assert_eq!(failed[0]["status"], "Failed");

    let table = alone(&["report", path_arg(&record)]);
    assert_eq!(table.code, 0, "{}", table.context());
    assert_eq!(table.stdout.lines().count(), 4, "{}", table.stdout);

    let absolute = hdf5::File::open(&record)
        .unwrap()
        .attr("input")
        .unwrap()
        .read_scalar::<hdf5::types::VarLenUnicode>()
        .unwrap();
    assert!(Path::new(absolute.as_str()).is_absolute(), "{absolute}");
    alone(&["report", path_arg(&input)]).assert_one_error("could not report", "not a record");

    let clean = tmp.path().join("clean");
    assert_eq!(alone(&["-o", path_arg(&clean), "-n", "2", "-q"]).code, 0);
    let none = alone(&["report", path_arg(&clean.join("plotrand.h5")), "--failed"]);
    assert_eq!(none.code, 0, "{}", none.context());
    assert!(
        none.stdout
            .ends_with("(no plot failed or was left undone)\n"),
        "{}",
        none.stdout
    );
}
