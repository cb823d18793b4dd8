//! The whole program under real `mpirun` with several ranks: files, output, reproducibility.

use crate::common::library::PlotStatus;
use crate::common::*;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn result_plots(run: &Run) -> Vec<u64> {
    run.lines_starting("Result: plot ")
        .iter()
        .map(|l| {
            l["Result: plot ".len()..]
                .split(' ')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect()
}

/// A run of `n` plots on `ranks` ranks must give every file, one result line per plot in
/// plot order, and a table whose counts sum to `n` with block sizes differing by at most one.
fn check_complete_run(ranks: usize, n: u64, dir: &Path) -> Run {
    let run = mpi(ranks, &args!("-o {} -n {} --seed 1234567", dir, n));
    assert_eq!(run.code, 0, "{}", run.context());
    assert_eq!(
        result_plots(&run),
        (1..=n).collect::<Vec<_>>(),
        "{}",
        run.context()
    );
    let header = format!("Making {n} plots of random data on {ranks} rank");
    assert!(run.stdout.starts_with(&header), "{}", run.context());
    for k in 1..=n {
        assert_eq!(png_size(&plot_path(dir, k, "png")), (640, 480));
    }
    let rows = table_rows(&run.stdout);
    assert_eq!(rows.len(), ranks, "{}", run.context());
    assert_eq!(rows.iter().map(|r| r.1 as u64).sum::<u64>(), n);
    let counts: BTreeSet<usize> = rows.iter().map(|r| r.1).collect();
    assert!(
        counts.last().unwrap() - counts.first().unwrap() <= 1,
        "{counts:?}"
    );
    let summary = summary_line(&run.stdout);
    assert!(
        summary.starts_with(&format!("{n} plots in ")) && summary.contains("load imbalance"),
        "{summary}"
    );
    no_temporaries(dir);
    run
}

#[test]
fn one_two_and_four_ranks_give_byte_identical_plots() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs: Vec<_> = [1, 2, 4]
        .iter()
        .map(|p| tmp.path().join(format!("p{p}")))
        .collect();
    for (ranks, dir) in [1, 2, 4].into_iter().zip(&dirs) {
        check_complete_run(ranks, 7, dir);
    }
    for k in 1..=7 {
        let one = std::fs::read(plot_path(&dirs[0], k, "png")).unwrap();
        for dir in &dirs[1..] {
            assert!(
                one == std::fs::read(plot_path(dir, k, "png")).unwrap(),
                "plot {k} differs in {}",
                dir.display()
            );
        }
    }
}

/// FNV-1a, 64 bits: a fingerprint of a file's bytes.
fn fingerprint(path: &Path) -> u64 {
    std::fs::read(path)
        .unwrap()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
}

#[test]
fn the_default_plot_is_the_same_bytes_as_it_has_always_been() {
    // Fingerprints of the random default plot, PNG and SVG: new plot kinds and options must
    // not change it by a bit. (Last changed on purpose when text came to be set as
    // matplotlib sets it: glyphs hinted, kerned, at 1/64 pixel, lines placed by its rules.)
    let tmp = tempfile::tempdir().unwrap();
    let png = tmp.path().join("png");
    assert_eq!(mpi(2, &args!("-o {} -n 12 --seed 1 -q", png)).code, 0);
    assert_eq!(fingerprint(&png.join("plot_01.png")), 0x9365_c429_cfaf_9be8);
    assert_eq!(fingerprint(&png.join("plot_12.png")), 0x0653_814b_d766_48ad);
    let svg = tmp.path().join("svg");
    assert_eq!(
        mpi(1, &args!("-o {} -n 3 --seed 1 -q --format svg", svg)).code,
        0
    );
    assert_eq!(fingerprint(&svg.join("plot_2.svg")), 0xc5c0_feb3_ff07_9061);
}

#[test]
fn svg_and_pdf_are_byte_identical_across_rank_counts_too() {
    let tmp = tempfile::tempdir().unwrap();
    for format in ["svg", "pdf"] {
        let dirs: Vec<_> = [1, 3]
            .iter()
            .map(|p| tmp.path().join(format!("{format}{p}")))
            .collect();
        for (ranks, dir) in [1, 3].into_iter().zip(&dirs) {
            let args = args!(
                "-o {} -n 4 --seed 77 --format {} --points 60 -q",
                dir,
                format
            );
            let run = mpi(ranks, &args);
            assert_eq!(run.code, 0, "{}", run.context());
        }
        for k in 1..=4 {
            let a = std::fs::read(plot_path(&dirs[0], k, format)).unwrap();
            let b = std::fs::read(plot_path(&dirs[1], k, format)).unwrap();
            assert!(a == b, "{format} plot {k} differs between 1 and 3 ranks");
        }
    }
}

#[test]
fn more_ranks_than_plots_leaves_some_ranks_idle() {
    let tmp = tempfile::tempdir().unwrap();
    let run = check_complete_run(4, 2, tmp.path());
    let rows = table_rows(&run.stdout);
    assert_eq!(rows.iter().map(|r| r.1).collect::<Vec<_>>(), [1, 1, 0, 0]);
}

#[test]
fn without_mpirun_it_runs_as_one_rank() {
    let tmp = tempfile::tempdir().unwrap();
    let run = alone(&args!("-o {} -n 3 --seed 1", tmp.path()));
    assert_eq!(run.code, 0, "{}", run.context());
    assert!(run
        .stdout
        .starts_with("Making 3 plots of random data on 1 rank (1 host), seed 1\n"));
    assert_eq!(result_plots(&run), [1, 2, 3]);
}

#[test]
fn a_run_without_seed_prints_the_seed_that_repeats_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let first = mpi(2, &args!("-o {} -n 2 -q", a));
    assert_eq!(first.code, 0, "{}", first.context());
    let head = first.stdout.lines().next().unwrap();
    let seed = head.rsplit("--seed ").next().unwrap().trim_end_matches(')');
    assert!(seed.parse::<u64>().is_ok(), "{head}");
    let again = mpi(1, &args!("-o {} -n 2 --seed {} -q", b, seed));
    assert_eq!(again.code, 0, "{}", again.context());
    for k in 1..=2 {
        assert_eq!(
            std::fs::read(plot_path(&a, k, "png")).unwrap(),
            std::fs::read(plot_path(&b, k, "png")).unwrap()
        );
    }
}

#[test]
fn quiet_prints_only_header_table_and_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let run = mpi(2, &args!("-o {} -n 5 --quiet --seed 3", tmp.path()));
    assert_eq!(run.code, 0, "{}", run.context());
    assert!(
        run.lines_starting("Result:").is_empty(),
        "{}",
        run.context()
    );
    assert_eq!(table_rows(&run.stdout).len(), 2);
    assert_eq!(
        file_names(tmp.path()).len(),
        6,
        "5 plots and the run record"
    );
}

#[test]
fn svg_and_pdf_have_the_requested_size() {
    let tmp = tempfile::tempdir().unwrap();
    for format in ["svg", "pdf"] {
        let dir = tmp.path().join(format);
        let args = args!(
            "-o {} -n 3 --format {} --width 300 --height 200 --points 50",
            dir,
            format
        );
        let run = mpi(2, &args);
        assert_eq!(run.code, 0, "{}", run.context());
        for k in 1..=3 {
            let path = plot_path(&dir, k, format);
            let bytes = std::fs::read(&path).unwrap();
            let (w, h) = if format == "svg" {
                let tree = svg2pdf::usvg::Tree::from_data(&bytes, &Default::default())
                    .unwrap_or_else(|e| panic!("{} is not SVG: {e}", path.display()));
                (tree.size().width() as f64, tree.size().height() as f64)
            } else {
                pdf_page_size(&bytes)
            };
            // SVG in px; PDF in pt at 100 px per inch (300 px = 3 in = 216 pt).
            let expected = if format == "svg" {
                (300.0, 200.0)
            } else {
                (216.0, 144.0)
            };
            assert!(
                (w - expected.0).abs() < 0.01 && (h - expected.1).abs() < 0.01,
                "{format}: {w}×{h}"
            );
        }
    }
}

fn pdf_page_size(bytes: &[u8]) -> (f64, f64) {
    let doc = lopdf::Document::load_mem(bytes).expect("a parseable PDF");
    let pages = doc.get_pages();
    assert_eq!(pages.len(), 1, "one page per plot");
    let page = doc.get_dictionary(*pages.values().next().unwrap()).unwrap();
    let media = page.get(b"MediaBox").unwrap().as_array().unwrap();
    let num = |o: &lopdf::Object| {
        o.as_float()
            .map(f64::from)
            .or_else(|_| o.as_i64().map(|v| v as f64))
            .unwrap()
    };
    (
        num(&media[2]) - num(&media[0]),
        num(&media[3]) - num(&media[1]),
    )
}

#[test]
fn version_names_the_build_and_the_mpi_library_once() {
    let run = mpi(2, &["--version"]);
    assert_eq!(run.code, 0, "{}", run.context());
    assert_eq!(
        run.lines_starting("plotrand-mpi ").len(),
        1,
        "{}",
        run.context()
    );
    for key in ["commit: ", "build: ", "MPI: "] {
        assert_eq!(
            run.lines_starting(key).len(),
            1,
            "{key} once:\n{}",
            run.context()
        );
    }
    assert!(
        run.stdout.contains("Open MPI") || run.stdout.contains("MPICH"),
        "{}",
        run.stdout
    );
}

#[test]
fn max_files_per_dir_spreads_plots_over_subdirectories() {
    let tmp = tempfile::tempdir().unwrap();
    let run = mpi(
        2,
        &args!("-o {} -n 7 --seed 4 --max-files-per-dir 3", tmp.path()),
    );
    assert_eq!(run.code, 0, "{}", run.context());
    assert_eq!(
        file_names(tmp.path()),
        ["0000", "0001", "0002", "plotrand.h5"]
    );
    assert_eq!(
        file_names(&tmp.path().join("0001")),
        ["plot_4.png", "plot_5.png", "plot_6.png"]
    );
    assert_eq!(file_names(&tmp.path().join("0002")), ["plot_7.png"]);
    let line = format!(
        "Result: plot 7 written to {}/0002/plot_7.png ",
        tmp.path().display()
    );
    assert!(run.stdout.contains(&line), "{}", run.context());
    // The same plots as a flat run.
    let flat = tmp.path().join("flat");
    assert_eq!(mpi(1, &args!("-o {} -n 7 --seed 4 -q", flat)).code, 0);
    assert_eq!(
        std::fs::read(flat.join("plot_5.png")).unwrap(),
        std::fs::read(tmp.path().join("0001/plot_5.png")).unwrap()
    );
}

/// The rank each `Result:` line names, in the order printed.
fn printed_ranks(run: &Run) -> Vec<i32> {
    run.lines_starting("Result: plot ")
        .iter()
        .map(|l| {
            let after = l.split("(rank ").nth(1).unwrap();
            after.split(',').next().unwrap().parse().unwrap()
        })
        .collect()
}

/// Which rank draws what under the dynamic schedule depends on timing (a rank the OS leaves
/// waiting may get no chunk at all), so the test does not ask that every rank took work. It
/// asks what holds however the chunks fell: every plot drawn once, byte for byte the static
/// schedule's, and each rank's row of the table counting exactly the plots it reported.
#[test]
fn the_dynamic_schedule_makes_the_same_plots_and_reports_progress() {
    let tmp = tempfile::tempdir().unwrap();
    let (stat, dynamic) = (tmp.path().join("static"), tmp.path().join("dynamic"));
    let run = mpi(1, &args!("-o {} -n 40 --seed 6 -q --points 100", stat));
    assert_eq!(run.code, 0, "{}", run.context());
    // Progress at least every microsecond: rank 0 prints a line after each plot it draws
    // (drawing one takes longer), and it draws at least one before all 40 are done.
    let args = args!(
        "-o {} -n 40 --seed 6 --points 100 --schedule dynamic --chunk 3 --progress 0.000001",
        dynamic
    );
    let run = mpi(3, &args);
    assert_eq!(run.code, 0, "{}", run.context());
    assert_eq!(
        result_plots(&run),
        (1..=40).collect::<Vec<_>>(),
        "{}",
        run.context()
    );
    let rows = table_rows(&run.stdout);
    assert_eq!(
        rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        [0, 1, 2],
        "{}",
        run.context()
    );
    assert_eq!(rows.iter().map(|r| r.1).sum::<usize>(), 40);
    let printed = printed_ranks(&run);
    for (rank, plots, failed) in &rows {
        let reported = printed.iter().filter(|&&r| r as usize == *rank).count();
        assert_eq!(
            (reported, *failed),
            (*plots, 0),
            "rank {rank}'s table row:\n{}",
            run.context()
        );
    }
    assert!(
        !run.lines_starting("progress: ").is_empty(),
        "progress lines:\n{}",
        run.context()
    );
    for k in 1..=40 {
        assert!(
            std::fs::read(plot_path(&stat, k, "png")).unwrap()
                == std::fs::read(plot_path(&dynamic, k, "png")).unwrap(),
            "plot {k} differs between schedules"
        );
    }
    // Fewer plots than ranks, and one rank alone.
    let few = tmp.path().join("few");
    let run = mpi(4, &args!("-o {} -n 2 --schedule dynamic -q", few));
    assert_eq!(run.code, 0, "{}", run.context());
    assert_eq!(
        table_rows(&run.stdout).iter().map(|r| r.1).sum::<usize>(),
        2
    );
    assert_eq!(
        file_names(&few),
        ["plot_1.png", "plot_2.png", "plotrand.h5"]
    );
    let alone = tmp.path().join("alone");
    let run = mpi(1, &args!("-o {} -n 3 --schedule dynamic -q", alone));
    assert_eq!(run.code, 0, "{}", run.context());
    assert_eq!(table_rows(&run.stdout), [(0, 3, 0)], "{}", run.context());
}

/// Results reach rank 0 a window of plots at a time. With windows of 4 plots (the test knob
/// PLOTRAND_GATHER_WINDOW), 23 plots on 3 ranks cross five window boundaries under both
/// schedules: the lines, the table and the record must still hold every plot once, in order,
/// with the rank that drew it.
#[test]
fn results_gathered_in_many_windows_stay_in_plot_order() {
    let tmp = tempfile::tempdir().unwrap();
    for schedule in ["static", "dynamic"] {
        let dir = tmp.path().join(schedule);
        let args = args!(
            "-o {} -n 23 --seed 5 --points 20 --width 160 --height 120 --schedule {}",
            dir,
            schedule
        );
        let run = mpi_env(3, &[("PLOTRAND_GATHER_WINDOW", "4")], &args);
        assert_eq!(run.code, 0, "{schedule}: {}", run.context());
        assert_eq!(
            result_plots(&run),
            (1..=23).collect::<Vec<_>>(),
            "{schedule}"
        );
        let printed_ranks = printed_ranks(&run);
        let rows = table_rows(&run.stdout);
        assert_eq!(rows.iter().map(|r| r.1).sum::<usize>(), 23, "{schedule}");
        for (rank, plots, _) in &rows {
            let printed = printed_ranks
                .iter()
                .filter(|&&r| r as usize == *rank)
                .count();
            assert_eq!(printed, *plots, "{schedule}: rank {rank}'s table row");
        }
        assert!(summary_line(&run.stdout).starts_with("23 plots in "));

        let path = dir.join("plotrand.h5");
        let results = record_rows(&path);
        assert_eq!(
            results.iter().map(|r| r.plot).collect::<Vec<_>>(),
            (1..=23).collect::<Vec<_>>(),
            "{schedule}"
        );
        assert_eq!(
            results.iter().map(|r| r.rank).collect::<Vec<_>>(),
            printed_ranks,
            "{schedule}"
        );
        for r in &results {
            assert_eq!(r.file.as_str(), format!("plot_{:02}.png", r.plot));
            assert_eq!(r.status, PlotStatus::Ok);
        }
        let _reading = writing_hdf5();
        let record = hdf5::File::open(&path).unwrap();
        let attr = |name: &str| u64_attr(&record, name);
        assert_eq!(
            [
                attr("plots_done"),
                attr("plots_failed"),
                attr("plots_not_done")
            ],
            [23, 0, 0]
        );
    }
}

/// `mpirun … plotrand-mpi args` in a pseudo-terminal made by `script`, as a person at a
/// terminal runs it; its output as the terminal received it, with `\r\n` line ends.
fn in_terminal(ranks: usize, args: &[String]) -> Run {
    let mut words = vec![mpirun().to_string()];
    if is_open_mpi() {
        words.extend(["--allow-run-as-root".into(), "--oversubscribe".into()]);
    }
    words.extend(["-n".into(), ranks.to_string(), BIN.into()]);
    words.extend(args.iter().cloned());
    let line = shlex::try_join(words.iter().map(String::as_str)).unwrap();
    let mut run = run_tool(
        Command::new("script").args(["-qec", &line, "/dev/null"]),
        "sudo apt-get install bsdutils (util-linux's `script` runs a command in a terminal)",
    );
    assert!(
        run.signal.is_none(),
        "killed by a signal:\n{}",
        run.context()
    );
    run.stdout = run.stdout.replace("\r\n", "\n");
    run
}

/// In a terminal, the dynamic schedule draws a bar (redrawn in place, never a `progress:`
/// line) that ends on a line of its own before the results; `--progress-bar never` gives the
/// periodic lines instead. In a file the lines stay (see the test above).
#[test]
fn a_terminal_gets_a_progress_bar_that_leaves_the_results_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bar");
    // Progress every microsecond: rank 0 draws (plots take longer) and so ticks before the
    // end, which the periodic lines of the second run rely on.
    let mut args = args!(
        "-o {} -n 150 --points 20 --width 160 --height 120 --schedule dynamic --chunk 2 \
         --progress 0.000001 --no-record",
        dir
    );
    let run = in_terminal(2, &args);
    assert_eq!(run.code, 0, "{}", run.context());
    assert!(
        run.stdout.contains("\x1b[2K") && run.stdout.contains("] 150/150 plots (100 %)"),
        "a bar redrawn in place:\n{}",
        run.context()
    );
    assert!(
        run.lines_starting("progress: ").is_empty(),
        "{}",
        run.context()
    );
    assert_eq!(result_plots(&run), (1..=150).collect::<Vec<_>>());
    let first = run.stdout.find("Result: plot 1 ").unwrap();
    assert!(run.stdout[..first].ends_with('\n'), "{}", run.context());
    assert_eq!(table_rows(&run.stdout).len(), 2, "{}", run.context());

    args.extend(split("--progress-bar never -q"));
    let run = in_terminal(2, &args);
    assert_eq!(run.code, 0, "{}", run.context());
    assert!(!run.stdout.contains('\x1b'), "{}", run.context());
    assert!(
        !run.lines_starting("progress: ").is_empty(),
        "{}",
        run.context()
    );
}

/// The circles' centres of an SVG plot, in pixels inside its axes box.
fn circle_centres(svg: &str) -> Vec<(f64, f64)> {
    let number = |circle: &str, attr: &str| -> f64 {
        let start = circle.find(&format!(" {attr}=\"")).unwrap() + attr.len() + 3;
        let len = circle[start..].find('"').unwrap();
        circle[start..start + len].parse().unwrap()
    };
    svg.split("<circle")
        .skip(1)
        .map(|c| (number(c, "cx"), number(c, "cy")))
        .collect()
}

/// `--xlim`/`--ylim` fix the axes of random plots too (they were accepted and ignored): with
/// x in 0..10 the lesson's data (x, y in [0, 1)) fill the left tenth of the axes box, with y
/// in −3..3 the sixth above the middle.
#[test]
fn fixed_limits_apply_to_random_data() {
    let tmp = tempfile::tempdir().unwrap();
    let common = "-n 2 --seed 4 --points 200 --width 160 --height 120 --format svg -q";
    let (fixed, free) = (tmp.path().join("fixed"), tmp.path().join("free"));
    let run = mpi(2, &args!("-o {} {common} --xlim 0,10 --ylim -3,3", fixed));
    assert_eq!(run.code, 0, "{}", run.context());
    assert_eq!(mpi(2, &args!("-o {} {common}", free)).code, 0);
    // The axes box of a 160 × 120 figure: 124 × 92.4 px (matplotlib's, scaled).
    let (box_w, box_h) = (124.0, 92.4);
    for k in 1..=2 {
        let read = |dir: &Path| std::fs::read_to_string(plot_path(dir, k, "svg")).unwrap();
        let centres = circle_centres(&read(&fixed));
        assert_eq!(centres.len(), 200);
        for (x, y) in centres {
            assert!((0.0..=box_w / 10.0 + 0.01).contains(&x), "plot {k}: x {x}");
            let (top, middle) = (box_h / 3.0, box_h / 2.0);
            assert!((top - 0.01..=middle + 0.01).contains(&y), "plot {k}: y {y}");
        }
        let spread = circle_centres(&read(&free));
        assert!(
            spread.iter().any(|&(x, _)| x > box_w * 0.8),
            "without limits"
        );
    }
}
