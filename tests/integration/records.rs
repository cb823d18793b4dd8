//! Run records this version did not write as it writes them: a `/results` status that is none
//! of this version's four (a newer version's enum with a member more, or a damaged byte),
//! made with h5py from a real record. `report`, `extract` and `--resume` read them without
//! undefined behaviour: the status is read as its integer, shown as `Unknown(N)`, and never
//! taken for done.

use crate::common::library::PlotStatus;
use crate::common::*;
use std::path::Path;
use std::process::Command;

/// h5py rewrites `record`'s `/results` with plot 2's status 9: in place, with the record's
/// own enum type (`damaged`), or in a new dataset whose enum has a member `Cancelled = 9`, as
/// a newer version might write.
const SET_STATUS_9: &str = r#"
import sys, h5py, numpy as np
path, how = sys.argv[1], sys.argv[2]
with h5py.File(path, "r+") as f:
    rows = f["results"][...]
    if how == "damaged":
        rows["status"][1] = 9
        f["results"][...] = rows
    else:
        members = dict(h5py.check_enum_dtype(rows.dtype["status"]), Cancelled=9)
        status = h5py.enum_dtype(members, basetype="i4")
        dtype = np.dtype([(n, status if n == "status" else rows.dtype[n]) for n in rows.dtype.names])
        newer = np.empty(rows.shape, dtype=dtype)
        for n in rows.dtype.names:
            newer[n] = rows[n]
        newer["status"][1] = 9
        del f["results"]
        f.create_dataset("results", data=newer)
"#;

fn set_status_9(record: &Path, how: &str) {
    let done = run(Command::new(python())
        .args(["-c", SET_STATUS_9])
        .arg(record)
        .arg(how));
    assert!(done.success(), "{}", done.context());
}

/// A run of 4 plots into `dir` (with `extra` arguments); its record.
fn record_of_4(dir: &Path, extra: &[&str]) -> std::path::PathBuf {
    let mut line = vec!["-o", path_arg(dir), "-n", "4", "-q"];
    line.extend(SMALL.split(' '));
    line.extend(extra);
    let made = alone(&line);
    assert_eq!(made.code, 0, "{}", made.context());
    dir.join("plotrand.h5")
}

#[test]
fn report_shows_a_status_it_does_not_know_as_unknown() {
    let tmp = tempfile::tempdir().unwrap();
    let record = record_of_4(&tmp.path().join("out"), &[]);
    for how in ["damaged", "newer"] {
        let copy = tmp.path().join(format!("{how}.h5"));
        std::fs::copy(&record, &copy).unwrap();
        set_status_9(&copy, how);
        let report = |format: &str, failed: bool| {
            let mut line = vec!["report", path_arg(&copy), "--format", format];
            line.extend(failed.then_some("--failed"));
            let run = alone(&line);
            assert_eq!(run.code, 0, "{how}: {}", run.context());
            assert!(
                run.stderr.contains("does not know, shown as Unknown(N)"),
                "{how}: {}",
                run.context()
            );
            assert_eq!(
                run.stderr.contains("9 is 'Cancelled'"),
                how == "newer",
                "{how}: the newer record's own name for 9: {}",
                run.context()
            );
            run.stdout
        };

        let table = report("table", false);
        let plot_2: Vec<&str> = table.lines().nth(2).unwrap().split_whitespace().collect();
        assert_eq!(
            (plot_2[0], plot_2[3]),
            ("2", "Unknown(9)"),
            "{how}: {table}"
        );
        assert_eq!(table.matches(" Ok ").count(), 3, "{how}: {table}");

        let csv = report("csv", false);
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let statuses: Vec<String> = reader
            .records()
            .map(|r| r.unwrap()[3].to_string())
            .collect();
        assert_eq!(statuses, ["Ok", "Unknown(9)", "Ok", "Ok"], "{how}: {csv}");

        let json = report("json", false);
        let rows: Vec<serde_json::Value> = json
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(rows.len(), 4, "{how}: {json}");
        assert_eq!(rows[1]["status"], "Unknown(9)", "{how}: {json}");
        assert_eq!(rows[1]["file"], "plot_2.png", "{how}: {json}");

        // Not known to be done: what `--failed` lists.
        let failed = report("json", true);
        assert_eq!(failed.lines().count(), 1, "{how}: {failed}");
        assert!(failed.contains(r#""plot":2"#), "{how}: {failed}");
    }
}

#[test]
fn extract_refuses_a_plot_whose_status_it_does_not_know() {
    let tmp = tempfile::tempdir().unwrap();
    let record = record_of_4(&tmp.path().join("out"), &["--pack"]);
    set_status_9(&record, "damaged");
    let into = tmp.path().join("into");
    let run = alone(&args!("extract {} --all -o {}", record, into));
    assert_eq!(run.code, 1, "{}", run.context());
    assert!(
        run.stderr.contains(
            "Failed: plot 2: its status in the record is 9, which this version does not know"
        ),
        "{}",
        run.context()
    );
    assert!(
        run.stdout.contains("Extracted 3 plot(s)"),
        "{}",
        run.context()
    );
    assert!(!into.join("plot_2.png").exists());
    assert!(into.join("plot_3.png").exists());
}

#[test]
fn resume_takes_a_status_it_does_not_know_for_made_by_no_known_attempt() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let record = record_of_4(&dir, &[]);
    set_status_9(&record, "damaged");
    let mut line = vec!["-o", path_arg(&dir), "-n", "4", "-q", "--resume"];
    line.extend(SMALL.split(' '));
    let resumed = alone(&line);
    assert_eq!(resumed.code, 0, "{}", resumed.context());
    let made: Vec<(u64, u32)> = record_rows(&record)
        .iter()
        .inspect(|r| assert_eq!(r.status, PlotStatus::Skipped, "plot {}", r.plot))
        .map(|r| (r.plot, r.attempt))
        .collect();
    // Plot 2's file is whole, so it is skipped; which attempt made it, the record no longer
    // says.
    assert_eq!(made, [(1, 1), (2, 0), (3, 1), (4, 1)]);
}

/// h5py rewrites `/results` without its `object` field, and plot 2's status as 9.
const DROP_OBJECT: &str = r#"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r+") as f:
    rows = f["results"][...]
    names = [n for n in rows.dtype.names if n != "object"]
    fewer = np.empty(rows.shape, dtype=np.dtype([(n, rows.dtype[n]) for n in names]))
    for n in names:
        fewer[n] = rows[n]
    fewer["status"][1] = 9
    del f["results"]
    f.create_dataset("results", data=fewer)
"#;

/// Found by the `record_read` fuzz target: HDF5 converts rows field by field and leaves a
/// field the file lacks as whatever memory held; for a string, a pointer to anywhere
/// (`report` segfaulted). `--resume` reads the fields it needs only.
#[test]
fn a_record_without_a_field_is_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let record = record_of_4(&dir, &[]);
    let done = run(Command::new(python())
        .args(["-c", DROP_OBJECT])
        .arg(&record));
    assert!(done.success(), "{}", done.context());
    for format in ["table", "csv", "json"] {
        alone(&["report", path_arg(&record), "--format", format])
            .assert_one_error("/results has no field 'object'", format);
    }
    let into = tmp.path().join("into");
    alone(&args!("extract {} --all -o {}", record, into))
        .assert_one_error("/results has no field 'object'", "extract");

    let mut line = vec!["-o", path_arg(&dir), "-n", "4", "-q", "--resume"];
    line.extend(SMALL.split(' '));
    let resumed = alone(&line);
    assert_eq!(resumed.code, 0, "{}", resumed.context());
    let made: Vec<u32> = record_rows(&record).iter().map(|r| r.attempt).collect();
    assert_eq!(made, [1, 0, 1, 1]);
}
