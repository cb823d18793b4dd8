//! Model output in its own calendars — CMIP6's noleap, 360_day — as xarray, netCDF4-python and
//! cftime write it (tests/data/make_real_files.py, `--only calendars`): titles are what xarray
//! titles the same time slices with, time axes are ticked with the calendar's own dates
//! (read from SVG output), and the unit tests' cftime expectations are what cftime prints.

use crate::common::*;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

/// The calendar files, made once for all tests of this module.
fn files() -> &'static Path {
    static FILES: OnceLock<tempfile::TempDir> = OnceLock::new();
    FILES.get_or_init(|| real_files(&["calendars"])).path()
}

fn file(name: &str) -> String {
    files().join(name).display().to_string()
}

/// Plots `name` into `out` as SVG, whose text holds every title and tick label.
fn svg_run(name: &str, out: &Path, ranks: usize, extra: &str) {
    let mut line = args!("--input {} -o {} --format svg -q", file(name), out);
    line.extend(split(extra));
    let run = mpi(ranks, &line);
    assert_eq!(run.code, 0, "{}", run.context());
}

/// Every text of an SVG with its anchor: (x, y, text).
fn texts(svg_path: &Path) -> Vec<(f64, f64, String)> {
    let svg = std::fs::read_to_string(svg_path).unwrap();
    let attr = |tag: &str, name: &str| -> Option<f64> {
        tag.split(&format!(" {name}=\""))
            .nth(1)?
            .split('"')
            .next()?
            .parse()
            .ok()
    };
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let (tag, body) = t.split_once('>')?;
            let text = body.split("</text>").next()?.trim().to_string();
            Some((attr(tag, "x")?, attr(tag, "y")?, text))
        })
        .collect()
}

/// The tick labels that are dates ("1850", "1850-05", "2000-02-21"), with their anchors.
fn date_ticks(svg_path: &Path) -> Vec<(f64, f64, String)> {
    texts(svg_path)
        .into_iter()
        .filter(|(_, _, t)| {
            let year = t.split('-').next().unwrap_or("");
            year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()) && !t.contains(' ')
        })
        .collect()
}

fn labels(ticks: &[(f64, f64, String)]) -> Vec<&str> {
    ticks.iter().map(|(_, _, t)| t.as_str()).collect()
}

/// The ticks' positions along their axis are proportional to `days`, the calendar's day
/// counts of their labels: within the 1 px the SVG rounds positions to.
fn assert_placed_by(
    ticks: &[(f64, f64, String)],
    along: impl Fn(&(f64, f64, String)) -> f64,
    days: &[f64],
) {
    assert_eq!(ticks.len(), days.len(), "{ticks:?}");
    let px_per_day =
        (along(&ticks[ticks.len() - 1]) - along(&ticks[0])) / (days[days.len() - 1] - days[0]);
    for (tick, day) in ticks.iter().zip(days) {
        let expected = along(&ticks[0]) + (day - days[0]) * px_per_day;
        assert!(
            (along(tick) - expected).abs() <= 1.0,
            "{} at {} px, expected {expected:.1} px ({px_per_day:.3} px a day): {ticks:?}",
            tick.2,
            along(tick)
        );
    }
}

#[test]
fn the_expected_cftime_dates_are_cftimes() {
    let data = repo_path("tests/data");
    let out = run(Command::new(python()).arg(data.join("cftime_dates.py")));
    assert!(out.success(), "cftime_dates.py failed: {}", out.context());
    let checked_in = std::fs::read_to_string(data.join("cftime_dates.json")).unwrap();
    assert!(
        out.stdout == checked_in,
        "tests/data/cftime_dates.json is not what cftime_dates.py prints: regenerate it with \
         \"$(scripts/pyenv.sh)\" tests/data/cftime_dates.py > tests/data/cftime_dates.json, and \
         see whether the calendar unit tests still pass"
    );
}

/// xarray's titles of the slices of `variable` along its first dimension.
fn xarray_titles(name: &str, variable: &str) -> Vec<String> {
    let script = "import sys, xarray as xr\n\
                  v = xr.open_dataset(sys.argv[1])[sys.argv[2]]\n\
                  for k in range(v.shape[0]):\n    \
                  print(v[k]._title_for_slice())\n";
    let xarray = run_within(
        Command::new(python())
            .args(["-c", script])
            .arg(file(name))
            .arg(variable),
        SLOW_LIMIT,
    );
    assert!(xarray.success(), "{}", xarray.context());
    xarray.stdout.lines().map(str::to_string).collect()
}

/// Every frame `{variable}_{k}.svg` in `out` is titled "/variable, " and xarray's title.
fn assert_titled_as_xarray(out: &Path, name: &str, variable: &str, titles: &[String]) {
    let digits = (titles.len() - 1).to_string().len();
    for (k, title) in titles.iter().enumerate() {
        let t = texts(&out.join(format!("{variable}_{k:0digits$}.svg")));
        let ours = format!("/{variable}, {title}");
        assert!(
            t.iter().any(|(_, _, x)| *x == ours),
            "{name}: {ours} in {t:?}"
        );
    }
}

#[test]
fn cmip6_noleap_frames_are_titled_as_xarray_titles_them() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    svg_run("cmip6_noleap.nc", &out, 2, "--datasets /tas");
    // cftime.DatetimeNoLeap times, at CMIP6's mid-months: January's middle is 15.5 days
    // after 1850-01-01.
    let titles = xarray_titles("cmip6_noleap.nc", "tas");
    assert_eq!(titles.len(), 24);
    assert_eq!(titles[0], "time = 1850-01-16 12:00:00");
    assert_eq!(titles[1], "time = 1850-02-15 00:00:00");
    assert_titled_as_xarray(&out, "cmip6_noleap.nc", "tas", &titles);
}

#[test]
fn the_standard_calendar_is_julian_before_1582_as_in_xarray() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    svg_run("standard_calendar.nc", &out, 2, "");
    // NCEP's hours since Julian 0001-01-01: datetime64 in xarray, 2000-01-01 (not the
    // 2000-01-03 of a proleptic Gregorian count).
    let titles = xarray_titles("standard_calendar.nc", "air");
    assert_eq!(titles[0], "time = 2000-01-01");
    assert_eq!(titles[1], "time = 2000-01-01T06:00:00");
    assert_titled_as_xarray(&out, "standard_calendar.nc", "air", &titles);
    // Before 1582-10-15 xarray keeps cftime objects, and October 4 is followed by 15.
    let titles = xarray_titles("standard_calendar.nc", "early");
    assert_eq!(titles[3], "time_1582 = 1582-10-04 00:00:00");
    assert_eq!(titles[4], "time_1582 = 1582-10-15 00:00:00");
    assert_titled_as_xarray(&out, "standard_calendar.nc", "early", &titles);
}

#[test]
fn noleap_axes_have_no_february_29() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    svg_run("noleap_series.nc", &out, 1, "");
    // 6-hourly from 2000-02-20 to 2000-03-10 (noleap): every fourth day, the count starting
    // again on March 1, which follows February 28.
    let ticks = date_ticks(&out.join("tas.svg"));
    assert_eq!(
        labels(&ticks),
        [
            "2000-02-21",
            "2000-02-25",
            "2000-03-01",
            "2000-03-05",
            "2000-03-09"
        ]
    );
    // Four days from February 25 to March 1, as from March 1 to 5 (five in Gregorian 2000).
    assert_placed_by(&ticks, |t| t.0, &[0.0, 4.0, 8.0, 12.0, 16.0]);

    svg_run("cmip6_noleap.nc", &out, 1, "--datasets /tas_global");
    let ticks = date_ticks(&out.join("tas_global.svg"));
    assert_eq!(
        labels(&ticks),
        ["1850-01", "1850-05", "1850-09", "1851-01", "1851-05", "1851-09", "1852-01"]
    );
    let noleap_days = [0.0, 120.0, 243.0, 365.0, 485.0, 608.0, 730.0];
    assert_placed_by(&ticks, |t| t.0, &noleap_days);
}

#[test]
fn day360_axes_have_twelve_months_of_30_days() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    svg_run("day360_series.nc", &out, 2, "");
    let ticks = date_ticks(&out.join("pr.svg"));
    assert_eq!(labels(&ticks), ["2000-01", "2000-02", "2000-03", "2000-04"]);
    assert_placed_by(&ticks, |t| t.0, &[0.0, 30.0, 60.0, 90.0]);
    // The heatmap's time runs up its y axis (SVG y grows downwards).
    let ticks = date_ticks(&out.join("ua.svg"));
    assert_eq!(
        labels(&ticks),
        [
            "2000-01-01",
            "2000-01-15",
            "2000-02-01",
            "2000-02-15",
            "2000-03-01",
            "2000-03-15"
        ]
    );
    assert_placed_by(&ticks, |t| -t.1, &[0.0, 14.0, 30.0, 44.0, 60.0, 74.0]);
}
