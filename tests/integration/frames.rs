//! Which frames are drawn (`--select`, `--isel`) and which share a value range (`--range`,
//! `--robust`), on an ERA5-like (time, level, lat, lon) field written by xarray: frames
//! picked by coordinate value, date or index, refused once when nothing matches; each level
//! its own range by default, the ranges recorded per plot (`/value_ranges`), robust limits
//! the same on any rank count and within the stated bound of numpy's percentiles.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// levels.nc: t(time 8, level 3, latitude 12, longitude 16), made once for these tests.
fn levels() -> &'static Path {
    static FILE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &FILE
        .get_or_init(|| {
            let dir = real_files(&["levels"]);
            let file = dir.path().join("levels.nc");
            (dir, file)
        })
        .1
}

const LEVELS: usize = 3;
const TIMES: usize = 8;

/// The `/value_ranges` rows of the record in `out`.
fn recorded_ranges(out: &Path) -> Vec<(f64, f64)> {
    let file = hdf5::File::open(out.join("plotrand.h5")).unwrap();
    let rows = file
        .dataset("value_ranges")
        .unwrap()
        .read_2d::<f64>()
        .unwrap();
    rows.outer_iter().map(|r| (r[0], r[1])).collect()
}

/// `--input levels.nc` with `extra` on `ranks` ranks; the recorded ranges.
fn ranges_of(ranks: usize, extra: &str) -> Vec<(f64, f64)> {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let run = mpi(
        ranks,
        &args!("--input {} -o {} -q --format svg {extra}", levels(), out),
    );
    assert_eq!(run.code, 0, "{}", run.context());
    recorded_ranges(&out)
}

/// What numpy says of t's values: `expression` of an array `v` (a level's series, a frame,
/// all), one (low, high) pair per line, for each of `what`: "level", "frame" or "all".
fn numpy(what: &str, expression: &str) -> Vec<(f64, f64)> {
    let script = format!(
        "import sys, numpy as np, xarray as xr\n\
         t = xr.open_dataset(sys.argv[1]).t.values.astype(np.float64)\n\
         groups = {{'level': [t[:, l] for l in range({LEVELS})],\n\
                    'frame': [t[i, l] for i in range({TIMES}) for l in range({LEVELS})],\n\
                    'all': [t]}}['{what}']\n\
         for v in groups: lo, hi = {expression}; print(repr(float(lo)), repr(float(hi)))\n"
    );
    let run = run_within(
        Command::new(python()).args(["-c", &script]).arg(levels()),
        SLOW_LIMIT,
    );
    assert!(run.success(), "{}", run.context());
    run.stdout
        .lines()
        .map(|line| {
            let (lo, hi) = line.split_once(' ').unwrap();
            (lo.parse().unwrap(), hi.parse().unwrap())
        })
        .collect()
}

/// Frame k of the plot order is (time k / 3, level k % 3).
fn level_of(plot: usize) -> usize {
    plot % LEVELS
}

#[test]
fn each_level_of_a_time_level_field_gets_its_own_range_by_default() {
    let recorded = ranges_of(2, "");
    let extremes = numpy("level", "v.min(), v.max()");
    assert_eq!(recorded.len(), TIMES * LEVELS);
    for (plot, &range) in recorded.iter().enumerate() {
        // float32 values: their extremes are exact in f64.
        assert_eq!(range, extremes[level_of(plot)], "plot {}", plot + 1);
    }
    assert!(
        extremes[0].0 > extremes[2].1 - 30.0 && extremes[0] != extremes[1],
        "the levels differ: {extremes:?}"
    );
}

#[test]
fn range_object_shares_one_range_over_all_frames_and_range_frame_none() {
    let all = numpy("all", "v.min(), v.max()")[0];
    assert!(ranges_of(1, "--range object").iter().all(|&r| r == all));
    let frames = numpy("frame", "v.min(), v.max()");
    assert_eq!(ranges_of(3, "--range frame"), frames);
}

#[test]
fn robust_limits_are_the_same_on_any_rank_count_and_within_a_bin_of_numpys() {
    let one = ranges_of(1, "--robust");
    for ranks in [2, 3] {
        assert_eq!(ranges_of(ranks, "--robust"), one, "{ranks} ranks");
    }
    let percentiles = numpy("level", "np.percentile(v, [2, 98])");
    let extremes = numpy("level", "v.min(), v.max()");
    for (plot, &(lo, hi)) in one.iter().enumerate() {
        let level = level_of(plot);
        let (min, max) = extremes[level];
        let bound = (max - min) / 4096.0;
        let (p2, p98) = percentiles[level];
        assert!(
            (lo - p2).abs() <= bound && (hi - p98).abs() <= bound,
            "plot {}: {lo}, {hi} against numpy's {p2}, {p98} (bound {bound})",
            plot + 1
        );
        // The outliers (400 K, 150 K) are passed over.
        assert!(lo > min + 1.0 || hi < max - 1.0, "plot {}", plot + 1);
    }
}

#[test]
fn robust_limits_of_frames_alone_are_numpys_exactly() {
    let recorded = ranges_of(2, "--robust --range frame");
    assert_eq!(recorded, numpy("frame", "np.percentile(v, [2, 98])"));
}

#[test]
fn range_and_robust_are_refused_without_input_and_a_bad_range_is_named() {
    for flag in ["--robust", "--range frame"] {
        let run = alone(&args!("-n 2 {flag}"));
        let name = flag.split(' ').next().unwrap();
        run.assert_one_error(&format!("{name} needs --input"), flag);
    }
    let run = alone(&args!("--input {} --range level", levels()));
    run.assert_one_error("'level'", "an unknown --range");
    assert!(run.stderr.contains("series"), "{}", run.context());
}

/// The titles of the SVG plots `--input levels.nc` with `extra` draws, in plot order, and
/// what it printed on stderr.
fn titles_of(extra: &str) -> (Vec<String>, String) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let run = mpi(
        2,
        &args!("--input {} -o {} -q --format svg {extra}", levels(), out),
    );
    assert_eq!(run.code, 0, "{}", run.context());
    let mut names: Vec<String> = file_names(&out)
        .into_iter()
        .filter(|n| n.ends_with(".svg"))
        .collect();
    names.sort();
    let titles = names
        .iter()
        .map(|n| {
            let svg = std::fs::read_to_string(out.join(n)).unwrap();
            svg_texts(&svg)
                .into_iter()
                .find(|t| t.starts_with("/t, "))
                .unwrap_or_else(|| panic!("{n} has no title"))
        })
        .collect();
    (titles, run.stderr)
}

#[test]
fn select_picks_a_level_by_value_and_isel_times_by_index() {
    let (titles, _) = titles_of("--select level=850");
    assert_eq!(titles.len(), TIMES, "{titles:?}");
    assert!(
        titles.iter().all(|t| t.contains("level = 850")),
        "{titles:?}"
    );
    assert!(
        titles[1].contains("time = 2020-01-01T06:00:00"),
        "{titles:?}"
    );
    let (titles, _) = titles_of("--select level=850 --isel time=0:8:3");
    let times: Vec<&str> = titles
        .iter()
        .map(|t| &t[..t.find(", level").unwrap()])
        .collect();
    assert_eq!(
        times,
        [
            "/t, time = 2020-01-01",
            "/t, time = 2020-01-01T18:00:00",
            "/t, time = 2020-01-02T12:00:00"
        ]
    );
    let (titles, stderr) = titles_of("--select level=800 --isel time=-1");
    assert_eq!(titles.len(), 1, "{titles:?}");
    assert!(titles[0].contains("level = 850"), "{titles:?}");
    assert!(
        stderr.contains(
            "note: --select level=800: /t has no level 800; the nearest, 850 hPa, is drawn"
        ),
        "{stderr}"
    );
}

#[test]
fn select_picks_every_time_of_a_day_and_its_range_is_that_of_the_frames_drawn() {
    let (titles, _) = titles_of("--select time=2020-01-02 --select level=500..1000");
    // 2020-01-02 holds the 4 six-hourly times 4 to 7; level 500..1000 is every level.
    assert_eq!(titles.len(), 4 * LEVELS, "{titles:?}");
    assert!(
        titles.iter().all(|t| t.contains("2020-01-02")),
        "{titles:?}"
    );
}

#[test]
fn a_selection_that_matches_nothing_is_refused_once_with_the_coordinates_values() {
    for (flags, needle) in [
        (
            "--select level=2000",
            "--select level=2000 matches no frame of /t: 2000 is outside level's values (its 3 values run from 500 hPa to 1000 hPa)",
        ),
        ("--select time=2021", "matches no frame of /t: no time lies in 2021 (its 8 values run from 2020-01-01"),
        ("--isel time=8", "index 8 is beyond it: time has indices 0 to 7"),
        ("--select height=2", "no array of --input has a dimension 'height' to pick frames along; the frames' dimensions are time, level"),
        ("--isel latitude=0", "'latitude' is an axis of /t's frames"),
        ("--select level=850 --select level=500", "--select level=500 given twice"),
    ] {
        let run = mpi(3, &args!("--input {} -o {} {flags}", levels(), tempfile::tempdir().unwrap().path()));
        run.assert_one_error(needle, flags);
    }
}

#[test]
fn list_says_which_frames_are_picked() {
    let run = alone(&args!(
        "--input {} --list --select level=850 --isel time=0:4",
        levels()
    ));
    assert_eq!(run.code, 0, "{}", run.context());
    assert!(
        run.stdout.contains("4 heatmaps: ")
            && run.stdout.contains(
                "1 level of 3 picked by --select level=850; 4 times of 8 picked by --isel time"
            ),
        "{}",
        run.stdout
    );
}
