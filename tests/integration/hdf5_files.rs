//! HDF5 for real: the run record (read back through the crate and with h5dump), the data
//! kept by --save-data behind external links, and plots of data read with --input.

use crate::common::library::{random, PlotStatus, RanksRow};
use crate::common::*;
use hdf5::types::VarLenUnicode;
use hdf5::H5Type;
use std::path::Path;
use std::process::Command;

/// h5dump from Debian's hdf5-tools; the tests fail, never skip, without it.
fn h5dump(args: &[&str], cwd: &Path) -> String {
    let out = run_tool(
        Command::new("h5dump").args(args).current_dir(cwd),
        "sudo apt-get install hdf5-tools",
    );
    assert!(out.success(), "{}", out.context());
    out.stdout
}

#[test]
fn the_run_record_holds_the_run_field_by_field() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let before = std::time::SystemTime::now();
    let run = mpi(3, &args!("-o {} -n 7 --seed 99 -q", out));
    let after = std::time::SystemTime::now();
    assert_eq!(run.code, 0, "{}", run.context());
    let path = out.join("plotrand.h5");
    assert!(
        run.stdout
            .contains(&format!("Run record: {}", path.display())),
        "{}",
        run.context()
    );

    let f = hdf5::File::open(&path).unwrap();
    assert_eq!(text_attr(&f, "program_version"), env!("CARGO_PKG_VERSION"));
    assert!(text_attr(&f, "build").contains("commit: "));
    let library = text_attr(&f, "mpi_library");
    let expected = if is_open_mpi() { "Open MPI" } else { "MPICH" };
    assert!(
        library.starts_with(expected) && library.contains("MPI standard"),
        "{library}"
    );
    let cmd = text_attr(&f, "command_line");
    assert!(
        cmd.contains("plotrand-mpi") && cmd.contains("-n 7") && cmd.contains("--seed 99"),
        "{cmd}"
    );
    let start = text_attr(&f, "start_time");
    let started = humantime::parse_rfc3339(&start).unwrap_or_else(|e| panic!("{start}: {e}"));
    // Within the run (the text keeps whole seconds, hence the second's allowance).
    let second = std::time::Duration::from_secs(1);
    assert!(
        before - second <= started && started <= after,
        "start time {start} is not within the run"
    );
    assert_eq!(text_attr(&f, "format"), "png");
    assert_eq!(text_attr(&f, "input"), "");
    for (name, value) in [
        ("seed", 99),
        ("ranks", 3),
        ("plots_done", 7),
        ("plots_failed", 0),
        ("plots_skipped", 0),
        ("points", 500),
        ("width", 640),
        ("height", 480),
    ] {
        assert_eq!(u64_attr(&f, name), value, "attribute {name}");
    }
    assert!(
        f.attr("wall_seconds")
            .unwrap()
            .read_scalar::<f64>()
            .unwrap()
            > 0.0
    );
    let hosts = f
        .attr("hosts")
        .unwrap()
        .read_raw::<VarLenUnicode>()
        .unwrap();
    assert_eq!(hosts.len(), 1, "one machine");

    let results = record_rows(&path);
    assert_eq!(
        results.iter().map(|r| r.plot).collect::<Vec<_>>(),
        (1..=7).collect::<Vec<_>>()
    );
    assert_eq!(
        results.iter().map(|r| r.rank).collect::<Vec<_>>(),
        [0, 0, 0, 1, 1, 2, 2]
    );
    for r in &results {
        assert_eq!(r.status, PlotStatus::Ok);
        assert_eq!(r.file.as_str(), format!("plot_{}.png", r.plot));
        assert_eq!(
            r.bytes,
            std::fs::metadata(out.join(r.file.as_str())).unwrap().len()
        );
        assert!(r.elapsed > 0.0 && r.host == 0 && r.reason.as_str().is_empty());
    }
    let ranks = f.dataset("ranks").unwrap().read_raw::<RanksRow>().unwrap();
    assert_eq!(
        ranks
            .iter()
            .map(|r| (r.rank, r.drawn, r.skipped))
            .collect::<Vec<_>>(),
        [(0, 3, 0), (1, 2, 0), (2, 2, 0)]
    );
    assert!(ranks
        .iter()
        .all(|r| r.drawing > 0.0 && r.waiting >= 0.0 && r.max > 0.0 && r.mean > 0.0));

    // Standard tools read it too.
    let attrs = h5dump(&["-A", path_arg(&path)], tmp.path());
    assert!(
        attrs.contains("ATTRIBUTE \"seed\"") && attrs.contains("(0): 99"),
        "{attrs}"
    );
    let table = h5dump(&["-d", "/results", path_arg(&path)], tmp.path());
    assert!(
        table.contains("\"plot_7.png\"") && table.contains("H5T_ENUM"),
        "{table}"
    );
}

#[test]
fn the_record_can_go_elsewhere_or_nowhere() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let elsewhere = tmp.path().join("records/run 1.h5");
    std::fs::create_dir(tmp.path().join("records")).unwrap();
    let run = mpi(2, &args!("-o {} -n 2 --record {} -q", a, elsewhere));
    assert_eq!(run.code, 0, "{}", run.context());
    assert!(elsewhere.is_file() && !a.join("plotrand.h5").exists());
    let run = mpi(2, &args!("-o {} -n 2 --no-record -q", b));
    assert_eq!(run.code, 0, "{}", run.context());
    assert_eq!(file_names(&b), ["plot_1.png", "plot_2.png"]);
    assert!(!run.stdout.contains("Run record"));
    let missing = tmp.path().join("nowhere/r.h5");
    let run = mpi(2, &args!("-o {} -n 2 --record {}", b, missing));
    assert_eq!(run.code, 2, "{}", run.context());
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.starts_with("error: --record"))
            .count(),
        1,
        "{}",
        run.context()
    );
}

#[test]
fn saved_data_is_linked_from_the_record_and_replots() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let run = mpi(3, &args!("-o {} -n 5 --seed 5 --save-data -q", out));
    assert_eq!(run.code, 0, "{}", run.context());
    assert_eq!(
        file_names(&out.join("data")),
        ["rank_0000.h5", "rank_0001.h5", "rank_0002.h5"]
    );

    let record = out.join("plotrand.h5");
    let f = hdf5::File::open(&record).unwrap();
    for k in 1..=5u64 {
        let g = f.group(&format!("data/plot_{k}")).unwrap();
        let expected = random::points(5, k, 500);
        assert_eq!(
            g.dataset("x").unwrap().read_raw::<f64>().unwrap(),
            expected.x,
            "plot {k} x"
        );
        assert_eq!(
            g.dataset("y").unwrap().read_raw::<f64>().unwrap(),
            expected.y,
            "plot {k} y"
        );
        assert_eq!(
            g.dataset("size").unwrap().read_raw::<f64>().unwrap(),
            expected.area,
            "plot {k} size"
        );
        assert_eq!(g.attr("plot").unwrap().read_scalar::<u64>().unwrap(), k);
    }
    drop(f);
    // Links are relative to the record: h5dump resolves them from any working directory,
    // and the whole output directory can move.
    let moved = tmp.path().join("moved");
    std::fs::rename(&out, &moved).unwrap();
    let moved_record = moved.join("plotrand.h5");
    let dump = h5dump(
        &["-d", "/data/plot_4/size", path_arg(&moved_record)],
        Path::new("/"),
    );
    assert!(dump.contains("( 500 )"), "{dump}");
    let links = run_tool(
        Command::new("h5ls").args(["-r", path_arg(&moved_record)]),
        "sudo apt-get install hdf5-tools",
    )
    .stdout;
    assert!(
        links.contains("External Link {data/rank_0001.h5//plot_3}"),
        "{links}"
    );

    // The record is a valid input: one plot per linked group.
    let replot = tmp.path().join("replot");
    let run = mpi(
        2,
        &args!("--input {} -o {} --no-record", moved_record, replot),
    );
    assert_eq!(run.code, 0, "{}", run.context());
    let expected: Vec<String> = (1..=5).map(|k| format!("data_plot_{k}.png")).collect();
    assert_eq!(file_names(&replot), expected);
    for name in expected {
        assert_eq!(png_size(&replot.join(name)), (640, 480));
    }
}

/// The run's "Failed:" lines are exactly these plots', each ending with its reason.
fn assert_failed(run: &Run, expected: &[(u64, &str)]) {
    let failed = run.lines_starting("Failed:");
    assert_eq!(failed.len(), expected.len(), "{}", run.context());
    for (line, (k, reason)) in failed.iter().zip(expected) {
        assert!(
            line.starts_with(&format!("Failed: plot {k} on rank ")) && line.ends_with(reason),
            "{line}\nwanted {reason}"
        );
    }
}

fn write_2d<T: H5Type>(g: &hdf5::Group, name: &str, columns: usize, flat: &[T]) {
    g.new_dataset::<T>()
        .shape((flat.len() / columns, columns))
        .create(name)
        .unwrap()
        .write_raw(flat)
        .unwrap();
}

fn write_1d<T: H5Type>(g: &hdf5::Group, name: &str, values: &[T]) {
    g.new_dataset_builder()
        .with_data(values)
        .create(name)
        .unwrap();
}

fn text(loc: &hdf5::Location, name: &str, value: &str) {
    let v: VarLenUnicode = value.parse().unwrap();
    loc.new_attr::<VarLenUnicode>()
        .create(name)
        .unwrap()
        .write_scalar(&v)
        .unwrap();
}

/// Every layout and numeric type, nested, with non-plottable objects beside them.
fn layouts_file(path: &Path) {
    let _writing = writing_hdf5();
    let f = hdf5::File::create(path).unwrap();
    let deep = f.create_group("a/b/c").unwrap();
    write_2d(&deep, "xy", 2, &[0.0f64, 1.0, 1.0, 0.5, 2.0, 3.0]);
    let a = f.group("a").unwrap();
    write_2d(&a, "xyz", 3, &[1i32, 2, 30, 3, -4, 60, 5, 6, 90, 7, 8, 120]);
    write_2d(&f, "u16", 2, &[1u16, 2, 3, 4, 5, 6]);
    write_2d(
        &f,
        "f32",
        3,
        &[
            0.5f32, 0.25, 10.0, 1.5, 0.75, 20.0, 2.5, 1.0, 5.0, 3.0, 2.0, 1.0,
        ],
    );
    let g = f.create_group("g").unwrap();
    write_1d(&g, "x", &[1u8, 2, 3]);
    write_1d(&g, "y", &[-5i64, 0, 5]);
    write_1d(&g, "size", &[10.0f32, 20.0, 30.0]);
    text(&g, "x_label", "time (s)");
    text(&g, "y_label", "height (m)");
    let h = f.create_group("h").unwrap();
    write_1d(&h, "x", &[0.1f64, 0.2]);
    write_1d(&h, "y", &[0.3f64, 0.4]);
    // Not plottable, so not listed by default.
    let names: Vec<VarLenUnicode> = ["a", "b"].iter().map(|s| s.parse().unwrap()).collect();
    write_1d(&f, "names", &names);
    write_2d::<f64>(&f, "no_rows", 2, &[]);
    // A soft link back to the root must not make the walk loop.
    f.link_soft("/", "loop").unwrap();
}

#[test]
fn every_layout_and_type_becomes_one_plot_in_path_order() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("layouts.h5");
    layouts_file(&input);
    let out = tmp.path().join("out");
    let run = mpi(2, &args!("--input {} -o {}", input, out));
    assert_eq!(run.code, 0, "{}", run.context());
    assert!(
        run.stdout.starts_with(&format!(
            "Making 6 plots of HDF5 data from {} on 2 ranks",
            input.display()
        )),
        "{}",
        run.context()
    );
    let stems = ["a_b_c_xy", "a_xyz", "f32", "g", "h", "u16"];
    let lines = run.lines_starting("Result:");
    assert_eq!(lines.len(), 6, "{}", run.context());
    for (k, (line, stem)) in lines.iter().zip(stems).enumerate() {
        assert!(
            line.starts_with(&format!(
                "Result: plot {} written to {}/{stem}.png",
                k + 1,
                out.display()
            )),
            "{line}"
        );
        assert_eq!(png_size(&out.join(format!("{stem}.png"))), (640, 480));
    }
    let f = hdf5::File::open(out.join("plotrand.h5")).unwrap();
    assert_eq!(text_attr(&f, "input"), input.display().to_string());

    let only_a = tmp.path().join("only_a");
    let run = mpi(
        2,
        &args!(
            "--input {} -o {} --datasets '/a/**' -q --no-record",
            input,
            only_a
        ),
    );
    assert_eq!(run.code, 0, "{}", run.context());
    assert_eq!(file_names(&only_a), ["a_b_c_xy.png", "a_xyz.png"]);
    let one_level = tmp.path().join("one_level");
    let run = mpi(
        1,
        &args!(
            "--input {} -o {} --datasets 'a/*' -q --no-record",
            input,
            one_level
        ),
    );
    assert_eq!(run.code, 0, "{}", run.context());
    assert_eq!(
        file_names(&one_level),
        ["a_xyz.png"],
        "'*' stays within one group"
    );
}

#[test]
fn bad_data_fails_its_own_plot_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("bad.h5");
    {
        let _writing = writing_hdf5();
        let f = hdf5::File::create(&input).unwrap();
        let bad = f.create_group("bad").unwrap();
        bad.new_dataset::<f64>()
            .create("a_scalar")
            .unwrap()
            .write_scalar(&1.0)
            .unwrap();
        write_2d(&bad, "b_booleans", 2, &[true, false, true, true]);
        let strings: Vec<VarLenUnicode> = ["a", "b", "c", "d"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        write_2d(&bad, "c_strings", 2, &strings);
        #[derive(H5Type, Clone, Copy)]
        #[repr(C)]
        struct Pair {
            a: f64,
            b: f64,
        }
        write_1d(
            &bad,
            "d_compound",
            &[Pair { a: 1.0, b: 2.0 }, Pair { a: 3.0, b: 4.0 }],
        );
        write_2d::<f64>(&bad, "e_zero_rows", 2, &[]);
        write_2d(
            &bad,
            "f_all_nan",
            2,
            &[f64::NAN, 1.0, 2.0, f64::INFINITY, f64::NAN, f64::NAN],
        );
        write_2d(
            &bad,
            "g_some_nan",
            2,
            &[f64::NAN, 1.0, 2.0, 3.0, 5.0, 6.0, f64::NEG_INFINITY, 7.0],
        );
        let g = bad.create_group("h_mismatch").unwrap();
        write_1d(&g, "x", &[1.0f64, 2.0, 3.0]);
        write_1d(&g, "y", &[1.0f64, 2.0]);
    }
    let out = tmp.path().join("out");
    let run = mpi(
        3,
        &args!("--input {} -o {} --datasets '/bad/*'", input, out),
    );
    assert_eq!(run.code, 1, "{}", run.context());
    let expected = [
        (1, "/bad/a_scalar holds a single value"),
        (2, "/bad/b_booleans holds booleans, not numbers"),
        (3, "/bad/c_strings holds strings, not numbers"),
        (
            4,
            "/bad/d_compound holds columns a, b, none named x and y; choose two (or three, with marker sizes) with --columns X,Y[,SIZE] (fields a, b)",
        ),
        (5, "/bad/e_zero_rows is empty, of shape (0, 2)"),
        (
            6,
            "/bad/f_all_nan has no finite points (all 3 rows hold NaN or infinity)",
        ),
        (8, "/bad/h_mismatch: y has 2 values but x has 3"),
    ];
    assert_failed(&run, &expected);
    let ok = run.lines_starting("Result:");
    assert_eq!(ok.len(), 1);
    assert!(
        ok[0].contains("g_some_nan.png")
            && ok[0].ends_with(", 2 rows with NaN or infinity left out)"),
        "{}",
        ok[0]
    );
    let results = record_rows(&out.join("plotrand.h5"));
    assert_eq!(results[6].dropped, 2);
    assert_eq!(results[2].status, PlotStatus::Failed);
    assert_eq!(
        results[2].reason.as_str(),
        "/bad/c_strings holds strings, not numbers"
    );
}

#[test]
fn object_names_cannot_escape_or_collide() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("names.h5");
    let names = [
        "..",
        "...",
        "a b",
        "a_b",
        "A_B",
        "tab\there",
        "ünï",
        "-rf",
        &"long".repeat(80),
    ];
    {
        let _writing = writing_hdf5();
        let f = hdf5::File::create(&input).unwrap();
        let g = f.create_group("..x").unwrap();
        for name in names {
            write_2d(&g, name, 2, &[0.0f64, 1.0, 1.0, 2.0]);
        }
    }
    let box_dir = tmp.path().join("box");
    std::fs::create_dir(&box_dir).unwrap();
    let out = box_dir.join("out");
    let run = mpi(2, &args!("--input {} -o {} -q", input, out));
    assert_eq!(run.code, 0, "{}", run.context());
    assert_eq!(
        file_names(&box_dir),
        ["out"],
        "nothing written beside the output directory"
    );
    let made = file_names(&out);
    assert_eq!(
        made.len(),
        names.len() + 1,
        "one file per object plus the record: {made:?}"
    );
    let folded: std::collections::HashSet<String> = made.iter().map(|n| n.to_lowercase()).collect();
    assert_eq!(
        folded.len(),
        made.len(),
        "no two names differ only in case: {made:?}"
    );
    for name in &made {
        assert!(
            !name.starts_with('.') && !name.starts_with('-'),
            "no hidden or option-like names: {name}"
        );
        assert!(
            name.len() <= 140 && name.is_ascii() && !name.contains(char::is_whitespace),
            "{name}"
        );
        assert!(out.join(name).is_file());
    }
}

#[test]
fn unusable_input_files_are_rejected_once_with_status_2() {
    let tmp = tempfile::tempdir().unwrap();
    let random_bytes = tmp.path().join("noise.h5");
    std::fs::write(
        &random_bytes,
        (0..4096u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    let empty = tmp.path().join("empty.h5");
    let good = tmp.path().join("good.h5");
    {
        let _writing = writing_hdf5();
        let names: Vec<VarLenUnicode> = ["a"].iter().map(|s| s.parse().unwrap()).collect();
        write_1d(&hdf5::File::create(&empty).unwrap(), "only_text", &names);
        write_2d(&hdf5::File::create(&good).unwrap(), "xy", 2, &[0.0f64, 1.0]);
    }
    let missing = tmp.path().join("missing.h5");
    let out = tmp.path().join("out");
    let cases = [
        (args!("--input {} -o {}", missing, out), "does not exist"),
        (
            args!("--input {} -o {}", random_bytes, out),
            "could not be opened as HDF5",
        ),
        (
            args!("--input {} -o {}", empty, out),
            "holds no plottable object",
        ),
        (
            args!("--input {} --datasets '/nothing*' -o {}", good, out),
            "matching --datasets '/nothing*'",
        ),
        (
            args!("--input {} --datasets '[oops' -o {}", good, out),
            "not a valid glob",
        ),
    ];
    for (args, reason) in cases {
        mpi(2, &args).assert_one_error(reason, &format!("{args:?}"));
    }
}

#[test]
fn file_locking_can_be_turned_off() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in.h5");
    {
        let _writing = writing_hdf5();
        write_2d(
            &hdf5::File::create(&input).unwrap(),
            "xy",
            2,
            &[0.0f64, 1.0, 2.0, 3.0],
        );
    }
    // A writer holds the file open; with locking on, HDF5 refuses a second open.
    let _writer = hdf5::File::append(&input).unwrap();
    let out = tmp.path().join("out");
    let locked = mpi(2, &args!("--input {} -o {} -q", input, out));
    assert_eq!(locked.code, 2, "{}", locked.context());
    assert!(
        locked.stderr.contains("--no-file-locking"),
        "the error says what to do:\n{}",
        locked.stderr
    );
    let unlocked = mpi(
        2,
        &args!("--input {} -o {} -q --no-file-locking", input, out),
    );
    assert_eq!(unlocked.code, 0, "{}", unlocked.context());
    assert_eq!(png_size(&out.join("xy.png")), (640, 480));
}

#[test]
fn the_sample_subcommand_writes_a_skewed_input_that_plots() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("skewed.h5");
    let made = alone(&args!("sample {} --datasets 6 --max-points 5000", file));
    assert_eq!(made.code, 0, "{}", made.context());
    let out = tmp.path().join("out");
    let run = mpi(
        2,
        &args!("--input {} -o {} --schedule dynamic -q", file, out),
    );
    assert_eq!(run.code, 0, "{}", run.context());
    let expected: Vec<String> = ["plotrand.h5".to_string()]
        .into_iter()
        .chain((0..6).map(|i| format!("skewed_d{i:03}.png")))
        .collect();
    assert_eq!(file_names(&out), expected);
}

/// Datasets too big to plot are refused from their shape, before any of the data is read
/// (which would take minutes and gigabytes). `huge_elsewhere`'s data would be read from a
/// file that does not exist, so any attempt to read it would fail with another reason.
#[test]
fn a_dataset_too_big_to_plot_fails_alone_and_fast() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("huge.h5");
    {
        let _writing = writing_hdf5();
        let f = hdf5::File::create(&input).unwrap();
        // 100 million rows, chunked and never written: a small file that claims 1.6 GB.
        f.new_dataset::<f64>()
            .chunk((1_000_000, 2))
            .shape((100_000_000, 2))
            .create("huge")
            .unwrap();
        let nowhere = tmp.path().join("nowhere.bin");
        let elsewhere = f
            .new_dataset::<f64>()
            .shape((100_000_000, 2))
            .external(path_arg(&nowhere), 0, 1_600_000_000)
            .create("huge_elsewhere")
            .unwrap();
        assert!(
            elsewhere.read_slice_2d::<f64, _>((0..1, ..)).is_err(),
            "reading huge_elsewhere fails"
        );
        write_2d(&f, "small", 2, &[0.0f64, 1.0, 2.0, 3.0]);
    }
    let out = tmp.path().join("out");
    let run = mpi(2, &args!("--input {} -o {} -q", input, out));
    assert_eq!(run.code, 1, "{}", run.context());
    let failed = run.lines_starting("Failed:");
    assert_eq!(failed.len(), 2, "{}", run.context());
    for (line, name) in failed.iter().zip(["huge", "huge_elsewhere"]) {
        let reason = format!("/{name} has 100000000 rows, more than the 10000000 one plot may have; split it or select another dataset");
        assert!(line.ends_with(&reason), "{line}");
    }
    assert!(out.join("small.png").exists());
}

#[test]
fn thousands_of_tiny_datasets_are_listed_and_plotted() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("many.h5");
    let (groups, per_group) = (50u32, 60u32);
    {
        let _writing = writing_hdf5();
        let f = hdf5::File::create(&input).unwrap();
        for g in 0..groups {
            let group = f.create_group(&format!("g{g:03}")).unwrap();
            for d in 0..per_group {
                write_2d(
                    &group,
                    &format!("d{d:03}"),
                    2,
                    &[f64::from(d), f64::from(g)],
                );
            }
        }
    }
    let out = tmp.path().join("out");
    let run = mpi(
        2,
        &args!(
            "--input {} -o {} -q --width 32 --height 32 --max-files-per-dir 1000 \
             --schedule dynamic --progress 0",
            input,
            out
        ),
    );
    assert_eq!(run.code, 0, "{}", run.context());
    let n = (groups * per_group) as usize;
    assert!(
        summary_line(&run.stdout).starts_with(&format!("{n} plots in ")),
        "{}",
        run.context()
    );
    let dirs: Vec<String> = file_names(&out)
        .into_iter()
        .filter(|d| d.starts_with("000"))
        .collect();
    assert_eq!(dirs, ["0000", "0001", "0002"]);
    let total: usize = dirs.iter().map(|d| file_names(&out.join(d)).len()).sum();
    assert_eq!(total, n);
}

#[test]
fn an_object_whose_name_is_not_utf8_fails_with_the_reason() {
    use hdf5::Location;
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("names.h5");
    {
        let _writing = writing_hdf5();
        let f = hdf5::File::create(&input).unwrap();
        write_2d(&f, "placeholder", 2, &[0.0f64, 1.0]);
        write_2d(&f, "good", 2, &[0.0f64, 1.0]);
        // The safe API takes &str: rename the link with the raw call to Latin-1 bytes.
        let (from, to) = (c"placeholder", c"caf\xe9 \xff");
        let loc: &Location = &f;
        let status = unsafe {
            hdf5_sys::h5l::H5Lmove(
                loc.id(),
                from.as_ptr(),
                loc.id(),
                to.as_ptr(),
                hdf5_sys::h5p::H5P_DEFAULT,
                hdf5_sys::h5p::H5P_DEFAULT,
            )
        };
        assert!(status >= 0, "H5Lmove");
    }
    let out = tmp.path().join("out");
    let run = mpi(2, &args!("--input {} -o {} -q", input, out));
    assert_eq!(run.code, 1, "{}", run.context());
    let failed = run.lines_starting("Failed:");
    assert_eq!(failed.len(), 1, "{}", run.context());
    assert!(
        failed[0].ends_with("the object's name is not valid UTF-8 and cannot be read; rename it"),
        "{}",
        failed[0]
    );
    assert!(out.join("good.png").exists());
}

#[test]
fn lines_and_heatmaps_without_a_finite_value_fail_and_infinite_cells_are_left_out() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("nonfinite.h5");
    {
        let f = hdf5::File::create(&input).unwrap();
        let ramp: Vec<f64> = (0..16).map(f64::from).collect();
        let mut frames = [ramp.clone(), vec![f64::NAN; 16], ramp.clone()].concat();
        frames[20] = f64::NAN; // a missing cell in an all-missing frame changes nothing
        f.new_dataset::<f64>()
            .shape((3, 4, 4))
            .create("frames")
            .unwrap()
            .write_raw(&frames)
            .unwrap();
        write_2d(&f, "h_all_inf", 4, &[f64::INFINITY; 16]);
        write_2d(&f, "h_all_nan", 4, &[f64::NAN; 16]);
        let mut some_inf = ramp.clone();
        (some_inf[3], some_inf[12]) = (f64::INFINITY, f64::NEG_INFINITY);
        write_2d(&f, "h_some_inf", 4, &some_inf);
        write_1d(&f, "l_all_nan", &[f64::NAN; 5]);
    }
    let out = tmp.path().join("out");
    let run = mpi(2, &args!("--input {} -o {} --format svg", input, out));
    assert_eq!(run.code, 1, "{}", run.context());
    let expected = [
        (
            2,
            "has no finite value to draw (all 16 cells hold NaN or infinity)",
        ),
        (
            4,
            "/h_all_inf has no finite value to draw (all 16 cells hold NaN or infinity)",
        ),
        (
            5,
            "/h_all_nan has no finite value to draw (all 16 cells hold NaN or infinity)",
        ),
        (
            7,
            "/l_all_nan has no finite value to draw (all 5 points hold NaN or infinity)",
        ),
    ];
    assert_failed(&run, &expected);
    let results = record_rows(&out.join("plotrand.h5"));
    let statuses: Vec<PlotStatus> = results.iter().map(|r| r.status.known().unwrap()).collect();
    use PlotStatus::{Failed, Ok};
    assert_eq!(statuses, [Ok, Failed, Ok, Failed, Failed, Ok, Failed]);
    // ±∞ cells are left out and counted, and drawn as missing cells are: the plot is the
    // one of the same field with NaN there (colour bar and all), byte for byte.
    assert_eq!(results[5].dropped, 2, "{}", run.context());
    assert!(
        run.stdout.contains("h_some_inf.svg")
            && run
                .stdout
                .contains(", 2 rows with NaN or infinity left out)"),
        "{}",
        run.context()
    );
    let with_nan = tmp.path().join("nan.h5");
    {
        let f = hdf5::File::create(&with_nan).unwrap();
        let mut some_nan: Vec<f64> = (0..16).map(f64::from).collect();
        (some_nan[3], some_nan[12]) = (f64::NAN, f64::NAN);
        write_2d(&f, "h_some_inf", 4, &some_nan);
    }
    let nan_out = tmp.path().join("nan");
    let run = mpi(
        1,
        &args!("--input {} -o {} --format svg", with_nan, nan_out),
    );
    assert_eq!(run.code, 0, "{}", run.context());
    assert!(
        std::fs::read(out.join("h_some_inf.svg")).unwrap()
            == std::fs::read(nan_out.join("h_some_inf.svg")).unwrap(),
        "±∞ cells are drawn as NaN cells are"
    );
}
