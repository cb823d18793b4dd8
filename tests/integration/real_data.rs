//! Files as scientists write them — xarray (both NetCDF-4 engines), netCDF4-python, h5py,
//! pandas (fixed and table formats) — made here by the real libraries
//! (tests/data/make_real_files.py, in the venv scripts/pyenv.sh makes), and what the program
//! makes of them: which objects are plots of which kind, labels and titles from their
//! conventions, frames that share one colour range and are the same bytes at any rank count.

use crate::common::library::ResultsReader;
use crate::common::*;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

/// The real files, made once for all tests of this binary.
fn files() -> &'static Path {
    static FILES: OnceLock<tempfile::TempDir> = OnceLock::new();
    FILES.get_or_init(|| real_files(&[])).path()
}

fn file(name: &str) -> String {
    files().join(name).display().to_string()
}

/// `--list`'s lines for a file: (object, what it gives) for plots, then the rest.
/// (object, what `--list` says of it) lines.
type Entries = Vec<(String, String)>;

fn listed(name: &str) -> (Entries, Entries) {
    let run = alone(&args!("--input {} --list", file(name)));
    assert_eq!(run.code, 0, "{}", run.context());
    let mut plots = Vec::new();
    let mut others = Vec::new();
    let mut into_others = false;
    for line in run.stdout.lines().skip(1) {
        if line == "Not plotted:" {
            into_others = true;
            continue;
        }
        let (object, what) = line.trim().split_once("  ").expect("object  what");
        let entry = (object.to_string(), what.to_string());
        if into_others {
            others.push(entry);
        } else {
            plots.push(entry);
        }
    }
    (plots, others)
}

fn objects(entries: &[(String, String)]) -> Vec<&str> {
    entries.iter().map(|(o, _)| o.as_str()).collect()
}

#[test]
fn xarray_files_give_a_line_heatmaps_and_a_frame_per_time_step_with_either_engine() {
    for name in ["xr_netcdf4.nc", "xr_h5netcdf.nc"] {
        let (plots, others) = listed(name);
        assert_eq!(
            plots,
            [
                ("/nino34", "1 line: (4,) array against time"),
                ("/orog", "1 heatmap: (18, 36) array over lat × lon"),
                ("/sst", "1 heatmap: (18, 36) array over lat × lon"),
                (
                    "/tas",
                    "4 heatmaps: (4, 18, 36) array over lat × lon, one heatmap per time"
                ),
            ]
            .map(|(o, w)| (o.to_string(), w.to_string())),
            "{name}"
        );
        // Coordinates are axes, bounds and netCDF's dimension placeholders are not data.
        assert_eq!(
            objects(&others),
            ["/bnds", "/lat", "/lon", "/time", "/time_bnds"],
            "{name}"
        );
        assert!(others[4].1.contains("cell bounds of time"), "{others:?}");
    }
}

#[test]
fn h5py_netcdf4_and_pandas_files_give_what_their_layout_says() {
    let (plots, others) = listed("h5py_sim.h5");
    assert_eq!(
        objects(&plots),
        [
            "/fields/density",
            "/image",
            "/particles",
            "/positions",
            "/signal"
        ]
    );
    assert!(plots[0].1.starts_with("6 heatmaps"), "{plots:?}");
    assert!(plots[1].1.starts_with("1 heatmap"), "{plots:?}");
    // Records by their field names; x, y, z positions are not marker sizes.
    assert!(
        plots[2].1.contains("fields x, y, size as x, y, size"),
        "{plots:?}"
    );
    assert!(plots[3].1.ends_with("as x, y"), "{plots:?}");
    assert!(plots[4].1.starts_with("1 line"), "{plots:?}");
    assert_eq!(objects(&others), ["/fields/time"]);

    let (plots, others) = listed("nc4_timeseries.nc");
    assert_eq!(objects(&plots), ["/discharge", "/water_level"]);
    assert_eq!(objects(&others), ["/time"]);

    let (plots, _) = listed("pandas_fixed.h5");
    assert_eq!(
        plots,
        [
            (
                "/particles",
                "1 scatter: pandas DataFrame, columns x, y, size as x, y, size"
            ),
            ("/signal", "1 line: pandas Series, values against index"),
        ]
        .map(|(o, w)| (o.to_string(), w.to_string()))
    );
    // PyTables' index tables are not data; a frame stored without data columns is read by
    // the column names pandas pickled.
    let (plots, others) = listed("pandas_table.h5");
    assert_eq!(
        objects(&plots),
        ["/frame/table", "/particles/table", "/signal/table"]
    );
    assert!(plots[0].1.contains("x, y, size as x, y, size"), "{plots:?}");
    assert!(plots[2].1.starts_with("1 line"), "{plots:?}");
    assert!(
        others
            .iter()
            .all(|(o, why)| o.ends_with("/_i_table") && why.contains("PyTables")),
        "{others:?}"
    );
}

/// Plots `name` into `out` as SVG, whose text holds every title, label and tick.
fn svg_run(name: &str, out: &Path, ranks: usize, extra: &str) -> Run {
    let mut line = args!("--input {} -o {} --format svg -q", file(name), out);
    line.extend(split(extra));
    let run = mpi(ranks, &line);
    assert_eq!(run.code, 0, "{}", run.context());
    run
}

fn texts(svg_path: &Path) -> Vec<String> {
    svg_texts(&std::fs::read_to_string(svg_path).unwrap())
}

#[test]
fn labels_and_titles_come_from_the_conventions_of_either_engine() {
    for name in ["xr_netcdf4.nc", "xr_h5netcdf.nc"] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        svg_run(name, &out, 2, "");
        let t = texts(&out.join("tas_0.svg"));
        for expected in [
            "/tas, time = 2000-01-15",
            "longitude [degrees_east]",
            "latitude [degrees_north]",
            "near-surface air temperature [K]",
        ] {
            assert!(
                t.iter().any(|x| x == expected),
                "{name}: {expected} in {t:?}"
            );
        }
        let t = texts(&out.join("tas_3.svg"));
        assert!(t.iter().any(|x| x == "/tas, time = 2000-04-15"), "{t:?}");
        let t = texts(&out.join("nino34.svg"));
        assert!(t.iter().any(|x| x == "Nino 3.4 index [K]"), "{t:?}");
        assert!(t.iter().any(|x| x == "time"), "{t:?}");
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    svg_run("h5py_sim.h5", &out, 1, "");
    // Fixed-length string attributes (np.bytes_) and a plain-number dimension scale.
    let t = texts(&out.join("image.svg"));
    assert!(t.iter().any(|x| x == "detector counts [counts]"), "{t:?}");
    let t = texts(&out.join("fields_density_3.svg"));
    assert!(
        t.iter().any(|x| x == "/fields/density, time = 1.5 [s]"),
        "{t:?}"
    );
}

/// The colour bar's tick labels of a heatmap SVG: the texts right of the axes.
fn colour_bar_ticks(svg_path: &Path) -> Vec<String> {
    let svg = std::fs::read_to_string(svg_path).unwrap();
    let bar_left = 500.0;
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let x: f64 = t.split("x=\"").nth(1)?.split('"').next()?.parse().ok()?;
            let body = t.split_once('>')?.1.split("</text>").next()?.trim();
            (x > bar_left && body.parse::<f64>().is_ok()).then(|| body.to_string())
        })
        .collect()
}

#[test]
fn frames_share_one_colour_range_and_are_the_same_bytes_at_any_rank_count() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("svg");
    svg_run("xr_netcdf4.nc", &out, 3, "");
    let first = colour_bar_ticks(&out.join("tas_0.svg"));
    assert!(first.len() >= 3, "{first:?}");
    for k in 1..4 {
        assert_eq!(colour_bar_ticks(&out.join(format!("tas_{k}.svg"))), first);
    }

    let png = |ranks: usize, schedule: &str| {
        let out = tmp.path().join(format!("png-{ranks}-{schedule}"));
        let run = mpi(
            ranks,
            &args!(
                "--input {} -o {} -q --schedule {schedule}",
                file("h5py_sim.h5"),
                out
            ),
        );
        assert_eq!(run.code, 0, "{}", run.context());
        file_names(&out)
            .into_iter()
            .filter(|n| n.ends_with(".png"))
            .map(|n| (std::fs::read(out.join(&n)).unwrap(), n))
            .collect::<Vec<_>>()
    };
    let one = png(1, "static");
    assert_eq!(one.len(), 10);
    assert!(one.iter().any(|(_, n)| n == "fields_density_5.png"));
    for (ranks, schedule) in [(2, "static"), (3, "dynamic"), (4, "static")] {
        let other = png(ranks, schedule);
        assert_eq!(other.len(), one.len());
        for ((a, name), (b, _)) in one.iter().zip(&other) {
            assert!(a == b, "{name} differs at {ranks} ranks ({schedule})");
        }
    }
}

#[test]
fn vmin_vmax_and_limits_override_the_data() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    svg_run(
        "xr_netcdf4.nc",
        &out,
        1,
        "--datasets /tas --vmin 250 --vmax 300 --xlim 0,180",
    );
    let ticks = colour_bar_ticks(&out.join("tas_2.svg"));
    assert_eq!(ticks, ["250", "260", "270", "280", "290", "300"]);
    let t = texts(&out.join("tas_2.svg"));
    assert!(
        t.iter().any(|x| x == "180") && !t.iter().any(|x| x == "200"),
        "{t:?}"
    );

    let bad = alone(&args!(
        "--input {} -o {} --vmin 3 --vmax 2",
        file("xr_netcdf4.nc"),
        tmp.path().join("bad")
    ));
    bad.assert_one_error("--vmin 3 is not below --vmax 2", "vmin above vmax");
}

#[test]
fn packed_and_missing_values_are_unpacked_and_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let run = mpi(
        2,
        &args!("--input {} -o {} -q", file("nc4_timeseries.nc"), out),
    );
    assert_eq!(run.code, 0, "{}", run.context());
    let reader = ResultsReader::open(&out.join("plotrand.h5")).unwrap();
    let mut dropped: Vec<(String, u64)> = Vec::new();
    reader
        .for_each(|rows| {
            dropped.extend(rows.iter().map(|r| (r.object.to_string(), r.dropped)));
            Ok(())
        })
        .unwrap();
    // water_level's three _FillValue entries are gaps in its line.
    assert_eq!(
        dropped,
        [
            ("/discharge".to_string(), 0),
            ("/water_level".to_string(), 3)
        ]
    );
    let svg_out = tmp.path().join("svg");
    svg_run("nc4_timeseries.nc", &svg_out, 1, "--datasets /water_level");
    let t = texts(&svg_out.join("water_level.svg"));
    assert!(t.iter().any(|x| x == "water level [m]"), "{t:?}");
    // Unpacked values are metres around 10, not raw int16 counts.
    assert!(
        t.iter()
            .any(|x| x.parse::<f64>().is_ok_and(|v| (8.0..12.0).contains(&v))),
        "{t:?}"
    );
}

#[test]
fn kind_columns_and_name_templates_choose_what_is_drawn_and_how_it_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    // Every row of the image as a line: 64 frames, named by the template.
    let out = tmp.path().join("lines");
    let run = mpi(
        2,
        &args!(
            "--input {} -o {} -q --datasets /image --kind line --name 'img-{{frame}}'",
            file("h5py_sim.h5"),
            out
        ),
    );
    assert_eq!(run.code, 0, "{}", run.context());
    let names: Vec<String> = file_names(&out)
        .into_iter()
        .filter(|n| n.ends_with(".png"))
        .collect();
    assert_eq!(names.len(), 64);
    assert_eq!(
        (names[0].as_str(), names[63].as_str()),
        ("img-00.png", "img-63.png")
    );

    let out = tmp.path().join("columns");
    let (plots, _) = {
        let run = alone(&args!(
            "--input {} --list --datasets /particles --columns x,y,mass",
            file("h5py_sim.h5")
        ));
        assert_eq!(run.code, 0, "{}", run.context());
        (run.stdout, out)
    };
    assert!(plots.contains("fields x, y, mass as x, y, size"), "{plots}");

    let same = alone(&args!(
        "--input {} -o {} --name same",
        file("h5py_sim.h5"),
        tmp.path().join("clash")
    ));
    same.assert_one_error("names every plot alike", "a template without fields");
    let clash = alone(&args!(
        "--input {} -o {} --name '{{object}}'",
        file("h5py_sim.h5"),
        tmp.path().join("clash")
    ));
    clash.assert_one_error(
        "--name '{object}' would give several plots one name: the input has datasets of several frames",
        "frames without {frame}",
    );
}

#[test]
fn a_dataset_larger_than_a_ranks_memory_share_is_read_frame_by_frame() {
    // 128 frames of 512×512 float32: 128 MiB on disk, 256 MiB as the f64s a whole read
    // would make. One rank draws them all while its peak memory stays far below that.
    let tmp = tempfile::tempdir().unwrap();
    let made = run_within(
        Command::new(python())
            .arg(repo_path("tests/data/make_real_files.py"))
            .arg(tmp.path())
            .args(["--only", "big", "--big-mb", "127"]),
        SLOW_LIMIT,
    );
    assert!(made.success(), "{}", made.context());
    let big = tmp.path().join("big_frames.h5");
    let run = alone(&args!("--input {} -o {} -q", big, tmp.path().join("out")));
    assert_eq!(run.code, 0, "{}", run.context());
    let frames = file_names(&tmp.path().join("out"))
        .into_iter()
        .filter(|n| n.ends_with(".png"))
        .count();
    assert_eq!(frames, 128);
    // The run's own peak (wait4's ru_maxrss), whatever other tests' processes use.
    assert!(
        run.peak_rss_kib < 200 * 1024,
        "peak RSS {} MiB while drawing a 128 MiB dataset",
        run.peak_rss_kib / 1024
    );
}
