//! Inputs that used to vanish or mislead (issue 11, items 5 and 9), each provoked for real:
//! a named pipe, a directory, a file a writer holds locked, NetCDF-3 and other non-HDF5
//! files; objects nested 70 groups deep, objects this HDF5 library cannot open, a missing
//! filter, a virtual dataset whose source is gone. And hostile links (issue 25): virtual
//! datasets that are their own sources or nest too deep, external links and virtual sources
//! that lead to a named pipe — h5py's files, run under `mpirun` with time limits.

use crate::common::library::{listing, Choice, Listing, PlotStatus, Selection};
use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A (rows, 2) float64 dataset of 0, 1, 2, ….
fn write_xy(g: &hdf5::Group, name: &str, rows: usize) {
    let flat: Vec<f64> = (0..rows * 2).map(|i| i as f64).collect();
    g.new_dataset::<f64>()
        .shape((rows, 2))
        .create(name)
        .unwrap()
        .write_raw(&flat)
        .unwrap();
}

/// Replaces the one occurrence of `from` in the file by `to` (the same length or shorter).
fn patch_once(path: &Path, from: &[u8], to: &[u8]) {
    let mut bytes = std::fs::read(path).unwrap();
    let hits: Vec<usize> = bytes
        .windows(from.len())
        .enumerate()
        .filter(|(_, w)| *w == from)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(hits.len(), 1, "{from:x?} occurs once in {}", path.display());
    bytes[hits[0]..hits[0] + to.len()].copy_from_slice(to);
    std::fs::write(path, bytes).unwrap();
}

/// `/good` (plottable) and `/new`, a (3, 2) dataset whose datatype message names class 11 —
/// the complex-number class of HDF5 2.0, which this library (1.10) cannot decode, so it
/// cannot open the dataset: what a file written by a newer HDF5 looks like to an older one.
fn file_with_a_newer_feature(path: &Path, with_good: bool) {
    {
        let _writing = writing_hdf5();
        let f = hdf5::File::create(path).unwrap();
        if with_good {
            write_xy(&f, "good", 3);
        }
        f.new_dataset::<f32>()
            .shape((3, 2))
            .create("new")
            .unwrap()
            .write_raw(&[1f32, 2., 3., 4., 5., 6.])
            .unwrap();
    }
    // The float32 datatype message: version 1 class 1 (0x11), bit field 0x20 0x1f 0x00,
    // size 4. Object headers of version 1 carry no checksum.
    patch_once(path, &[0x11, 0x20, 0x1f, 0x00, 0x04, 0, 0, 0], &[0x1b]);
}

fn out_dir(tmp: &Path) -> PathBuf {
    tmp.join("out")
}

#[test]
fn a_named_pipe_as_input_is_refused_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("data.h5");
    make_fifo(&fifo);
    // Opening a pipe waits for a writer that never comes: before the fix this hung until the
    // time limit killed it (the test fails then, it does not hang the suite).
    let run = alone(&[
        "--input",
        path_arg(&fifo),
        "-o",
        path_arg(&out_dir(tmp.path())),
    ]);
    run.assert_one_error("is not a regular file (a named pipe)", "fifo");
    assert!(run.stderr.contains(path_arg(&fifo)), "{}", run.stderr);
}

#[test]
fn a_directory_as_input_is_called_a_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data.h5");
    std::fs::create_dir(&dir).unwrap();
    let run = mpi(
        2,
        &[
            "--input",
            path_arg(&dir),
            "-o",
            path_arg(&out_dir(tmp.path())),
        ],
    );
    run.assert_one_error(
        &format!("--input '{}' is a directory", dir.display()),
        "dir",
    );
    assert!(
        !run.stderr.contains("H5Fopen") && !run.stderr.contains("file descriptor"),
        "no HDF5 internals:\n{}",
        run.stderr
    );
}

/// A child process holding an exclusive flock() on a file — what an HDF5 1.10 writer holds
/// (h5py, another program) — killed when dropped.
struct LockHolder {
    _flock: Started,
}

impl LockHolder {
    fn hold(path: &Path) -> LockHolder {
        // --no-fork: the lock is held by the process spawned here (flock execs sleep), so
        // killing it releases the lock; a forked sleep would keep it. (No test thread has an
        // HDF5 file open while it is forked, or it would inherit, and keep locked, its
        // descriptor: every process is started so.)
        let holder = LockHolder {
            _flock: Started::spawn(
                Command::new("flock")
                    .args(["--exclusive", "--no-fork"])
                    .arg(path)
                    .args(["sleep", "600"]),
            ),
        };
        // Wait until the lock is really held: a shared non-blocking flock then fails.
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let free = run_tool(
                Command::new("flock")
                    .args(["--shared", "--nonblock"])
                    .arg(path)
                    .arg("true"),
                "apt-get install util-linux",
            )
            .success();
            if !free {
                return holder;
            }
            assert!(Instant::now() < deadline, "flock never took the lock");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn a_file_a_writer_holds_is_said_to_be_held_by_another_process() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("busy.h5");
    {
        let _writing = writing_hdf5();
        write_xy(&hdf5::File::create(&input).unwrap(), "xy", 3);
    }
    let out = out_dir(tmp.path());
    {
        let _writer = LockHolder::hold(&input);
        let run = mpi(2, &["--input", path_arg(&input), "-o", path_arg(&out)]);
        run.assert_one_error("is held open for writing by another process", "locked");
        let error = run
            .stderr
            .lines()
            .find(|l| l.starts_with("error:"))
            .unwrap();
        assert!(!error.contains("is it an HDF5 file"), "{error}");
        // Turning locking off is a last resort for file systems without locks, not the
        // answer to a writer: it comes after what to do, as its own sentence.
        let (wait, off) = (
            error.find("wait for that program").expect("says to wait"),
            error.find("--no-file-locking").expect("mentions the flag"),
        );
        assert!(wait < off, "{error}");
        assert!(
            error.contains(
                "Only if no program has it open and the file system does not support locking"
            ),
            "{error}"
        );
    }
    // The writer gone, the same file plots.
    let run = mpi(
        2,
        &["--input", path_arg(&input), "-o", path_arg(&out), "-q"],
    );
    assert_eq!(run.code, 0, "{}", run.context());
}

/// A valid, empty NetCDF-3 file: magic, record count, and absent dimension, attribute and
/// variable lists (each a zero tag and zero count; 64-bit counts in CDF-5).
fn netcdf3(version: u8) -> Vec<u8> {
    let mut bytes = vec![b'C', b'D', b'F', version];
    let count = if version == 5 { 8 } else { 4 };
    bytes.extend(vec![0u8; count]); // numrecs
    for _ in 0..3 {
        bytes.extend([0u8; 4]); // ABSENT tag
        bytes.extend(vec![0u8; count]); // nelems
    }
    bytes
}

#[test]
fn a_netcdf3_file_is_named_with_the_conversion_to_use() {
    let tmp = tempfile::tempdir().unwrap();
    let out = out_dir(tmp.path());
    for (version, kind) in [
        (1, "NetCDF-3 classic file"),
        (2, "NetCDF-3 64-bit offset file"),
        (5, "NetCDF-3 64-bit data (CDF-5) file"),
    ] {
        let input = tmp.path().join(format!("cdf{version}.nc"));
        std::fs::write(&input, netcdf3(version)).unwrap();
        let run = mpi(2, &["--input", path_arg(&input), "-o", path_arg(&out)]);
        run.assert_one_error(kind, kind);
        for needle in ["not HDF5", "nccopy -k nc4"] {
            assert!(run.stderr.contains(needle), "{kind}: {}", run.stderr);
        }
        assert!(!run.stderr.contains("--no-file-locking"), "{}", run.stderr);
    }
}

#[test]
fn a_file_that_is_not_hdf5_is_said_to_be_so_without_a_locking_hint() {
    let tmp = tempfile::tempdir().unwrap();
    let out = out_dir(tmp.path());
    let noise = tmp.path().join("noise.h5");
    std::fs::write(
        &noise,
        (0..4096u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    let text = tmp.path().join("notes.h5");
    std::fs::write(&text, "x,y\n1,2\n3,4\n").unwrap();
    for input in [&noise, &text] {
        let run = mpi(2, &["--input", path_arg(input), "-o", path_arg(&out)]);
        run.assert_one_error("not an HDF5 file", path_arg(input));
        assert!(!run.stderr.contains("--no-file-locking"), "{}", run.stderr);
        assert!(!run.stderr.contains("NetCDF"), "{}", run.stderr);
    }
    // HDF5's signature may sit after a user block (at 512, 1024, …): such files still open.
    let plain = tmp.path().join("plain.h5");
    let jammed = tmp.path().join("jammed.h5");
    let block = tmp.path().join("block.txt");
    {
        let _writing = writing_hdf5();
        write_xy(&hdf5::File::create(&plain).unwrap(), "xy", 3);
    }
    std::fs::write(&block, "a user block\n").unwrap();
    let jam = run_tool(
        Command::new("h5jam")
            .arg("-i")
            .arg(&plain)
            .arg("-u")
            .arg(&block)
            .arg("-o")
            .arg(&jammed),
        "sudo apt-get install hdf5-tools",
    );
    assert!(jam.success(), "{}", jam.context());
    assert_ne!(&std::fs::read(&jammed).unwrap()[..8], b"\x89HDF\r\n\x1a\n");
    let run = mpi(
        2,
        &["--input", path_arg(&jammed), "-o", path_arg(&out), "-q"],
    );
    assert_eq!(run.code, 0, "{}", run.context());
}

#[test]
fn an_object_nested_70_groups_deep_is_plotted() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("deep.h5");
    {
        let _writing = writing_hdf5();
        let f = hdf5::File::create(&input).unwrap();
        write_xy(&f, "top", 3);
        let mut g: hdf5::Group = (*f).clone();
        for level in 0..70 {
            g = g.create_group(&format!("g{level}")).unwrap();
        }
        write_xy(&g, "xy", 3);
    }
    let out = out_dir(tmp.path());
    let run = mpi(2, &["--input", path_arg(&input), "-o", path_arg(&out)]);
    assert_eq!(run.code, 0, "{}", run.context());
    assert!(
        run.stdout.contains("Making 2 plots of HDF5 data"),
        "both objects are plotted:\n{}",
        run.context()
    );
    assert!(summary_line(&run.stdout).starts_with("2 plots in"));
}

#[test]
fn a_selected_object_the_library_cannot_open_fails_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("newer.h5");
    file_with_a_newer_feature(&input, true);
    let out = out_dir(tmp.path());
    for glob in ["/new", "/*"] {
        let run = mpi(
            2,
            &[
                "--input",
                path_arg(&input),
                "-o",
                path_arg(&out),
                "--datasets",
                glob,
            ],
        );
        assert_eq!(run.code, 1, "{glob}: {}", run.context());
        let failed = run.lines_starting("Failed:");
        assert_eq!(failed.len(), 1, "{glob}: {}", run.context());
        assert!(
            failed[0].contains("/new could not be opened: ")
                && failed[0].contains("unknown datatype class"),
            "{glob}: {}",
            failed[0]
        );
    }
    // Alone in its file and not selected, it is not passed over as "nothing plottable"
    // without a word: the error says what could not be opened, and why.
    let alone_in_file = tmp.path().join("only_new.h5");
    file_with_a_newer_feature(&alone_in_file, false);
    let run = mpi(
        2,
        &["--input", path_arg(&alone_in_file), "-o", path_arg(&out)],
    );
    run.assert_one_error("/new could not be opened: ", "only /new");
    assert!(
        run.stderr.contains("unknown datatype class"),
        "HDF5's reason:\n{}",
        run.stderr
    );
}

#[test]
fn objects_that_cannot_be_opened_are_counted_when_not_selected() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("newer.h5");
    file_with_a_newer_feature(&input, true);
    {
        let _writing = writing_hdf5();
        let f = hdf5::File::open_rw(&input).unwrap();
        f.link_soft("/nowhere", "dangling").unwrap();
    }
    let _reading = writing_hdf5();
    let choice = Choice::default();
    let paths = |l: &Listing| l.objects.iter().map(|o| o.path.clone()).collect::<Vec<_>>();
    let found = listing(&input, &Selection::new(None).unwrap(), &choice).unwrap();
    assert_eq!(paths(&found), ["/good"]);
    let unopened: Vec<&str> = found.unopened.iter().map(|u| u.path.as_str()).collect();
    assert_eq!(unopened, ["/dangling", "/new"]);
    let new = &found.unopened[1];
    assert!(new.reason.contains("unknown datatype class"), "{new:?}");
    let note = found.note(&input).expect("a note to print");
    assert!(
        note.starts_with("warning: 2 objects of --input '")
            && note.contains("could not be opened and will not be plotted")
            && note.contains("--datasets"),
        "{note}"
    );
    // Selected, they are listed instead, so that their plots fail with the reason.
    let selected = listing(&input, &Selection::new(Some("/*")).unwrap(), &choice).unwrap();
    assert_eq!(paths(&selected), ["/dangling", "/good", "/new"]);
    assert!(selected.unopened.is_empty());
}

#[test]
fn a_dataset_whose_filter_is_missing_fails_naming_the_filter() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("lz4.h5");
    {
        let _writing = writing_hdf5();
        let f = hdf5::File::create(&input).unwrap();
        write_xy(&f, "good", 3);
        f.new_dataset::<f64>()
            .shape((4, 2))
            .chunk((4, 2))
            .deflate(4)
            .create("packed")
            .unwrap()
            .write_raw(&[1f64, 2., 3., 4., 5., 6., 7., 8.])
            .unwrap();
    }
    // The filter pipeline message names deflate (id 1, optional); make it LZ4 (id 32004,
    // mandatory), as h5py with hdf5plugin writes it. No LZ4 plugin is installed here, and
    // HDF5_PLUGIN_PATH points at an empty directory to be sure.
    patch_once(
        &input,
        b"\x01\x00\x08\x00\x01\x00\x01\x00deflate\0",
        b"\x04\x7d\x08\x00\x00\x00\x01\x00lz4\0\0\0\0\0",
    );
    let plugins = tmp.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    let out = out_dir(tmp.path());
    let run = mpi_env(
        2,
        &[("HDF5_PLUGIN_PATH", path_arg(&plugins))],
        &["--input", path_arg(&input), "-o", path_arg(&out)],
    );
    assert_eq!(run.code, 1, "{}", run.context());
    let failed = run.lines_starting("Failed:");
    assert_eq!(failed.len(), 1, "{}", run.context());
    assert!(
        failed[0].contains("/packed is stored with HDF5 filter 32004 (lz4)")
            && failed[0].contains("HDF5_PLUGIN_PATH"),
        "{}",
        failed[0]
    );
    assert!(out.join("good.png").exists());
}

#[test]
fn a_virtual_dataset_whose_source_is_missing_fails_instead_of_plotting_fill_values() {
    let tmp = tempfile::tempdir().unwrap();
    let source = tmp.path().join("src.h5");
    let input = tmp.path().join("vds.h5");
    let make_source = |with_data: bool| {
        let _writing = writing_hdf5();
        let f = hdf5::File::create(&source).unwrap();
        if with_data {
            write_xy(&f, "data", 4);
        }
    };
    make_source(true);
    {
        let _writing = writing_hdf5();
        let f = hdf5::File::create(&input).unwrap();
        write_xy(&f, "good", 3);
        // A relative source name, found beside the virtual dataset's file.
        f.new_dataset::<f64>()
            .shape((4, 2))
            .virtual_map("src.h5", "/data", (4, 2), .., (4, 2), ..)
            .create("virtual")
            .unwrap();
    }
    let out = out_dir(tmp.path());
    let args = ["--input", path_arg(&input), "-o", path_arg(&out), "-q"];
    let with_source = mpi(2, &args);
    assert_eq!(with_source.code, 0, "{}", with_source.context());
    assert!(out.join("virtual.png").exists());

    std::fs::remove_file(&source).unwrap();
    let missing = mpi(2, &args);
    assert_eq!(missing.code, 1, "{}", missing.context());
    let failed = missing.lines_starting("Failed:");
    assert_eq!(failed.len(), 1, "{}", missing.context());
    assert!(
        failed[0].contains("/virtual is a virtual dataset and its source file 'src.h5' is missing"),
        "{}",
        failed[0]
    );

    make_source(false);
    let no_dataset = mpi(2, &args);
    assert_eq!(no_dataset.code, 1, "{}", no_dataset.context());
    let failed = no_dataset.lines_starting("Failed:");
    assert!(
        failed.len() == 1 && failed[0].contains("its source dataset '/data' is missing from"),
        "{}",
        no_dataset.context()
    );
}

#[test]
fn objects_left_out_unopened_are_reported_by_rank_0() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("newer.h5");
    file_with_a_newer_feature(&input, true);
    let out = out_dir(tmp.path());
    let run = mpi(
        2,
        &["--input", path_arg(&input), "-o", path_arg(&out), "-q"],
    );
    assert_eq!(run.code, 0, "{}", run.context());
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    assert_eq!(warnings.len(), 1, "once, from rank 0:\n{}", run.context());
    assert!(
        warnings[0].starts_with("warning: 1 object of --input '")
            && warnings[0]
                .contains("could not be opened and will not be plotted (the first, /new: ")
            && warnings[0].contains("unknown datatype class"),
        "{}",
        warnings[0]
    );
    assert!(out.join("good.png").exists());
}

#[test]
fn half_floats_are_read_and_what_cannot_plot_is_not_listed_unasked() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("kinds.h5");
    {
        let _guard = writing_hdf5();
        let file = hdf5::File::create(&input).unwrap();
        let half = hdf5::Datatype::from_descriptor(&hdf5::types::TypeDescriptor::Float(
            hdf5::types::FloatSize::U2,
        ))
        .unwrap();
        let values: Vec<f64> = (0..20).map(|i| f64::from(i) / 4.0).collect();
        file.new_dataset_builder()
            .empty_as(&half)
            .shape((10, 2))
            .create("half")
            .unwrap()
            .write_raw(&values)
            .unwrap();
        file.new_dataset::<bool>()
            .shape((3, 2))
            .create("flags")
            .unwrap();
        file.new_dataset::<f64>()
            .shape((0, 2))
            .create("empty")
            .unwrap();
    }
    let out = out_dir(tmp.path());
    let run = alone(&["--input", path_arg(&input), "-o", path_arg(&out)]);
    assert_eq!(run.code, 0, "{}", run.context());
    assert_eq!(run.lines_starting("Result:").len(), 1, "{}", run.context());
    assert!(out.join("half.png").exists());

    let asked = alone(&[
        "--input",
        path_arg(&input),
        "-o",
        path_arg(&out),
        "--datasets",
        "/*",
    ]);
    assert_eq!(asked.code, 1, "{}", asked.context());
    let failed = asked.lines_starting("Failed:");
    assert!(
        failed.len() == 2
            && failed
                .iter()
                .any(|l| l.contains("/empty is empty, of shape (0, 2)"))
            && failed.iter().any(|l| l.contains("/flags holds booleans")),
        "{}",
        asked.context()
    );
}

/// Runs a Python script with h5py (`args`: its `sys.argv[1:]`), failing the test if it fails.
fn h5py(script: &str, args: &[&Path]) {
    let made = run(Command::new(python()).arg("-c").arg(script).args(args));
    assert!(made.success(), "h5py: {}", made.context());
}

/// A run that must end by itself well within a minute: a regression that blocks in open(2)
/// fails the test instead of holding it for the suite's time limit.
fn prompt(cmd: &mut Command) -> Run {
    let run = run_within(cmd, Duration::from_secs(60));
    assert!(run.signal.is_none(), "killed:\n{}", run.context());
    run
}

fn prompt_mpi(ranks: usize, args: &[&str]) -> Run {
    prompt(launcher(ranks).arg(BIN).args(args))
}

/// The statuses the run record holds, by object.
fn statuses(record: &Path) -> Vec<(String, PlotStatus)> {
    record_rows(record)
        .iter()
        .map(|r| (r.object.to_string(), r.status.known().unwrap()))
        .collect()
}

/// `dir/vds.h5` as h5py writes it: `/good`, and `/virtual`, mapping the whole of
/// `dir/<source>`'s `/data`, a 4×2 array written beside it.
fn h5py_virtual(dir: &Path, source: &str) {
    let script = r#"
import sys, h5py, numpy as np
d, source = sys.argv[1], sys.argv[2]
with h5py.File(f"{d}/{source}", "w") as f:
    f["data"] = np.arange(8.0).reshape(4, 2)
layout = h5py.VirtualLayout(shape=(4, 2), dtype="f8")
layout[:] = h5py.VirtualSource(source, "data", shape=(4, 2))
with h5py.File(f"{d}/vds.h5", "w") as f:
    f["good"] = np.arange(6.0).reshape(3, 2)
    f.create_virtual_dataset("virtual", layout, fillvalue=0)
"#;
    let made = run(Command::new(python())
        .arg("-c")
        .arg(script)
        .arg(dir)
        .arg(source));
    assert!(made.success(), "h5py: {}", made.context());
}

#[test]
fn a_virtual_dataset_h5py_wrote_whose_source_is_missing_fails_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    // h5py's mapping (a source selected whole) is one the hdf5 crate's `virtual_map()`
    // cannot decode: it returned no mapping, and the plot was drawn from fill values.
    h5py_virtual(tmp.path(), "src.h5");
    let input = tmp.path().join("vds.h5");
    let out = out_dir(tmp.path());
    let args = ["--input", path_arg(&input), "-o", path_arg(&out), "-q"];
    let with_source = mpi(2, &args);
    assert_eq!(with_source.code, 0, "{}", with_source.context());

    std::fs::remove_file(tmp.path().join("src.h5")).unwrap();
    let missing = mpi(2, &args);
    assert_eq!(missing.code, 1, "{}", missing.context());
    let failed = missing.lines_starting("Failed:");
    assert_eq!(failed.len(), 1, "{}", missing.context());
    assert!(
        failed[0].contains("/virtual is a virtual dataset and its source file 'src.h5' is missing"),
        "{}",
        failed[0]
    );
    let recorded = statuses(&out.join("plotrand.h5"));
    assert_eq!(
        recorded,
        [
            ("/good".to_string(), PlotStatus::Ok),
            ("/virtual".to_string(), PlotStatus::Failed)
        ]
    );
}

#[test]
fn virtual_datasets_whose_sources_loop_fail_and_the_run_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    // Reading any of these made HDF5 recurse until the stack overflowed (SIGSEGV), taking
    // the whole MPI job down with no record. Sound nesting (a virtual dataset of virtual
    // datasets, two mappings of one source) is drawn.
    h5py(
        r#"
import sys, h5py, numpy as np
d = sys.argv[1]
def vds(f, name, sources):
    layout = h5py.VirtualLayout(shape=(4 * len(sources), 2), dtype="f8")
    for i, (file, dataset) in enumerate(sources):
        layout[4 * i:4 * i + 4] = h5py.VirtualSource(file, dataset, shape=(4, 2))
    f.create_virtual_dataset(name, layout, fillvalue=0)
with h5py.File(f"{d}/loops.h5", "w") as f:
    f["data"] = np.arange(8.0).reshape(4, 2)
    vds(f, "self", [(".", "self")])
    vds(f, "a", [(".", "b")])
    vds(f, "b", [(".", "a")])
    vds(f, "mid", [(".", "data")])
    vds(f, "nested", [(".", "mid"), (".", "mid")])
    vds(f, "across", [("other.h5", "back")])
with h5py.File(f"{d}/other.h5", "w") as f:
    vds(f, "back", [("loops.h5", "across")])
"#,
        &[tmp.path()],
    );
    let input = tmp.path().join("loops.h5");
    let out = out_dir(tmp.path());
    let run = prompt_mpi(
        2,
        &["--input", path_arg(&input), "-o", path_arg(&out), "-q"],
    );
    assert_eq!(run.code, 1, "{}", run.context());
    let failed = run.lines_starting("Failed:");
    assert_eq!(failed.len(), 4, "{}", run.context());
    for (object, chain) in [
        ("/a", "(/a → /b → /a)"),
        (
            "/across",
            "(/across → /back in 'other.h5' → /across in 'loops.h5')",
        ),
        ("/b", "(/b → /a → /b)"),
        ("/self", "(/self → /self)"),
    ] {
        let line = failed
            .iter()
            .find(|l| l.contains(&format!(": {object} is a virtual dataset")))
            .unwrap_or_else(|| panic!("{object} fails:\n{}", run.context()));
        assert!(
            line.contains(&format!("its sources form a loop {chain}"))
                && line.contains("correct the file's virtual mapping"),
            "{line}"
        );
    }
    for drawn in ["data", "mid", "nested"] {
        assert!(out.join(format!("{drawn}.png")).exists(), "{drawn}");
    }
    let failed_in_record: Vec<String> = statuses(&out.join("plotrand.h5"))
        .into_iter()
        .filter(|(_, status)| *status == PlotStatus::Failed)
        .map(|(object, _)| object)
        .collect();
    assert_eq!(failed_in_record, ["/a", "/across", "/b", "/self"]);
}

#[test]
fn virtual_datasets_nested_too_deep_are_not_read() {
    let tmp = tempfile::tempdir().unwrap();
    let depth = 17;
    h5py(
        r#"
import sys, h5py, numpy as np
d, depth = sys.argv[1], int(sys.argv[2])
with h5py.File(f"{d}/deep.h5", "w") as f:
    f[f"d{depth}"] = np.arange(8.0).reshape(4, 2)
    for i in reversed(range(depth)):
        layout = h5py.VirtualLayout(shape=(4, 2), dtype="f8")
        layout[:] = h5py.VirtualSource(".", f"d{i + 1}", shape=(4, 2))
        f.create_virtual_dataset(f"d{i}", layout, fillvalue=0)
"#,
        &[tmp.path(), Path::new(&depth.to_string())],
    );
    let input = tmp.path().join("deep.h5");
    let out = out_dir(tmp.path());
    // 16 virtual datasets deep is read; 17 is not.
    for (object, code) in [("/d1", 0), ("/d0", 1)] {
        let run = prompt_mpi(
            2,
            &[
                "--input",
                path_arg(&input),
                "-o",
                path_arg(&out),
                "--datasets",
                object,
            ],
        );
        assert_eq!(run.code, code, "{object}: {}", run.context());
        if code == 1 {
            let failed = run.lines_starting("Failed:");
            assert!(
                failed.len() == 1
                    && failed[0].contains(
                        "its sources are virtual datasets nested more than 16 deep (/d0 → /d1 → "
                    ),
                "{}",
                run.context()
            );
        }
    }
}

#[test]
fn an_external_link_to_a_named_pipe_is_refused_instead_of_waited_on() {
    let tmp = tempfile::tempdir().unwrap();
    make_fifo(&tmp.path().join("pipe.h5"));
    // Also reached through a soft link, and from within a group.
    h5py(
        r#"
import sys, h5py, numpy as np
d = sys.argv[1]
with h5py.File(f"{d}/links.h5", "w") as f:
    f["good"] = np.arange(6.0).reshape(3, 2)
    f["ext"] = h5py.ExternalLink("pipe.h5", "/data")
    f["soft"] = h5py.SoftLink("/ext")
    f.create_group("g")["ext"] = h5py.ExternalLink("pipe.h5", "/group")
"#,
        &[tmp.path()],
    );
    let input = tmp.path().join("links.h5");
    let out = out_dir(tmp.path());
    let pipe = format!(
        "and '{}' is a named pipe, not an HDF5 file",
        tmp.path().join("pipe.h5").display()
    );

    // Before, --list and every run blocked for ever in open(2).
    let list = prompt(Command::new(BIN).args(["--input", path_arg(&input), "--list"]));
    assert_eq!(list.code, 0, "{}", list.context());
    for object in ["/ext", "/g/ext", "/soft"] {
        let line = list
            .stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{object}  ")))
            .unwrap_or_else(|| panic!("{object} listed:\n{}", list.context()));
        assert!(
            line.contains("could not be opened: it is reached through an external link")
                && line.contains(&pipe),
            "{line}"
        );
    }

    // Not selected: left out, counted, and the reason given once.
    let run = prompt_mpi(
        2,
        &["--input", path_arg(&input), "-o", path_arg(&out), "-q"],
    );
    assert_eq!(run.code, 0, "{}", run.context());
    let warning = run
        .stderr
        .lines()
        .find(|l| l.starts_with("warning: "))
        .unwrap_or_else(|| panic!("a warning:\n{}", run.context()));
    assert!(
        warning.starts_with("warning: 3 objects of --input '") && warning.contains(&pipe),
        "{warning}"
    );
    assert!(out.join("good.png").exists());

    // Selected: its plot fails naming the link and the pipe; the others are drawn.
    let run = prompt_mpi(
        2,
        &[
            "--input",
            path_arg(&input),
            "-o",
            path_arg(&out),
            "--datasets",
            "/*",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.context());
    let failed = run.lines_starting("Failed:");
    assert_eq!(failed.len(), 2, "/ext and /soft:\n{}", run.context());
    for line in failed {
        assert!(
            line.contains(
                "could not be opened: it is reached through an external link (in group '/' of '"
            ) && line.contains("to '/data' in 'pipe.h5'")
                && line.contains(&pipe),
            "{line}"
        );
    }
    assert_eq!(run.lines_starting("Result:").len(), 1, "{}", run.context());
}

#[test]
fn a_virtual_dataset_whose_source_is_a_named_pipe_fails_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    // The source is made a regular file first, to write the mapping, then a pipe.
    h5py_virtual(tmp.path(), "pipe.h5");
    let source = tmp.path().join("pipe.h5");
    std::fs::remove_file(&source).unwrap();
    make_fifo(&source);
    let input = tmp.path().join("vds.h5");
    let out = out_dir(tmp.path());
    let run = prompt_mpi(2, &["--input", path_arg(&input), "-o", path_arg(&out)]);
    assert_eq!(run.code, 1, "{}", run.context());
    let failed = run.lines_starting("Failed:");
    assert_eq!(failed.len(), 1, "{}", run.context());
    assert!(
        failed[0].contains(&format!(
            "/virtual is a virtual dataset and its source file 'pipe.h5' is a named pipe ('{}'), not an HDF5 file",
            source.display()
        )),
        "{}",
        failed[0]
    );
    assert!(out.join("good.png").exists());
}
