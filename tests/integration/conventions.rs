//! The CF details real files need, on files as WRF, CMOR (CMIP6) and the CDS (ERA5) write
//! them (tests/data/make_real_files.py, netCDF4-python): auxiliary coordinates named by
//! `coordinates` are not plots; axes without coordinate variables are labelled with their
//! netCDF dimension names; titles carry scalar coordinates, in the file's order, integers
//! as integers. Every title and axis label is compared with what xarray's `.plot()` draws
//! for the same data.

use crate::common::*;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

/// The WRF-, CMIP6- and ERA5-like files, made once for all tests of this module.
fn files() -> &'static Path {
    static FILES: OnceLock<tempfile::TempDir> = OnceLock::new();
    FILES
        .get_or_init(|| real_files(&["wrf", "cmip6", "era5"]))
        .path()
}

fn file(name: &str) -> String {
    files().join(name).display().to_string()
}

/// (object, what `--list` says of it) lines.
type Entries = Vec<(String, String)>;

/// `--list`'s lines: the plots, then those under "Not plotted:".
fn listed(name: &str, extra: &str) -> (Entries, Entries) {
    let mut line = args!("--input {} --list", file(name));
    line.extend(split(extra));
    let run = alone(&line);
    assert_eq!(run.code, 0, "{}", run.context());
    let (mut plots, mut others) = (Vec::new(), Vec::new());
    let mut into = &mut plots;
    for line in run.stdout.lines().skip(1) {
        if line == "Not plotted:" {
            into = &mut others;
            continue;
        }
        let (object, what) = line.trim().split_once("  ").expect("object  what");
        into.push((object.to_string(), what.to_string()));
    }
    (plots, others)
}

fn pairs(expected: &[(&str, &str)]) -> Entries {
    expected
        .iter()
        .map(|(o, w)| (o.to_string(), w.to_string()))
        .collect()
}

/// The texts of an SVG plot, in drawing order.
fn texts(svg: &Path) -> Vec<String> {
    std::fs::read_to_string(svg)
        .unwrap()
        .split("<text")
        .skip(1)
        .filter_map(|t| {
            Some(
                t.split_once('>')?
                    .1
                    .split("</text>")
                    .next()?
                    .trim()
                    .to_string(),
            )
        })
        .collect()
}

/// What xarray draws for `var.isel(isel)` of each case, with either engine: the axes'
/// title, x and y labels, and the colour bar's label (xarray wraps it at 30 characters;
/// unwrapped here).
const XARRAY_PLOT: &str = r#"
import json, sys, warnings
warnings.simplefilter("ignore")
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import xarray as xr
drawn = []
for path, var, isel in json.loads(sys.argv[1]):
    seen = set()
    for engine in ["netcdf4", "h5netcdf"]:
        with xr.open_dataset(path, engine=engine) as ds:
            fig = plt.figure()
            ds[var].isel(**isel).plot()
            ax, bar = fig.axes
            seen.add((ax.get_title(), ax.get_xlabel(), ax.get_ylabel(),
                      bar.get_ylabel().replace("\n", " ")))
            plt.close(fig)
    assert len(seen) == 1, seen
    drawn.append(list(seen.pop()))
print(json.dumps(drawn))
"#;

/// One plot compared with xarray's: the program's SVG `svg`, of `var.isel(isel)` in file
/// `name`; the program's title is the object's path, the leading indices xarray does not
/// name (`Time = 0`: dimensions without coordinate variables), then xarray's title.
struct Case {
    name: &'static str,
    svg: &'static str,
    var: &'static str,
    isel: &'static str,
    title: &'static str,
    x: &'static str,
    y: &'static str,
    bar: &'static str,
}

fn xarray_draws(cases: &[Case]) -> Vec<[String; 4]> {
    let wanted: Vec<serde_json::Value> = cases
        .iter()
        .map(|c| {
            let isel: serde_json::Value = serde_json::from_str(c.isel).unwrap();
            serde_json::json!([file(c.name), c.var, isel])
        })
        .collect();
    let run = run_within(
        Command::new(python())
            .args(["-c", XARRAY_PLOT])
            .arg(serde_json::Value::Array(wanted).to_string()),
        SLOW_LIMIT,
    );
    assert!(run.success(), "xarray could not plot: {}", run.context());
    serde_json::from_str(run.stdout.trim()).unwrap()
}

/// Draws the cases' files as SVG and checks each case's texts against what it expects and
/// what xarray draws. `program_only`: the start of the title xarray has not.
fn check_against_xarray(cases: &[Case], program_only: &[(&str, &str)]) {
    let tmp = tempfile::tempdir().unwrap();
    let mut names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    names.dedup();
    for name in names {
        let out = tmp.path().join(name);
        let run = mpi(
            2,
            &args!("--input {} -o {} --format svg -q", file(name), out),
        );
        assert_eq!(run.code, 0, "{}", run.context());
    }
    for (case, drawn) in cases.iter().zip(xarray_draws(cases)) {
        let t = texts(&tmp.path().join(case.name).join(case.svg));
        let [title, x, y, bar] = &drawn;
        let only = program_only
            .iter()
            .find(|(svg, _)| *svg == case.svg)
            .map_or("", |(_, s)| s);
        let expected = [case.title, case.x, case.y, case.bar];
        let from_xarray = [
            format!("/{}, {only}{title}", case.var)
                .trim_end_matches(", ")
                .to_string(),
            x.clone(),
            y.clone(),
            bar.clone(),
        ];
        assert_eq!(expected.map(String::from), from_xarray, "{}", case.svg);
        for text in expected {
            assert!(t.iter().any(|s| s == text), "{}: {text} in {t:?}", case.svg);
        }
    }
}

#[test]
fn a_wrf_file_gives_its_data_only_and_names_its_auxiliary_coordinates() {
    let (plots, others) = listed("wrf_like.nc", "");
    assert_eq!(
        plots,
        pairs(&[
            (
                "/HGT_M",
                "1 heatmap: (6, 8) array over south_north × west_east"
            ),
            (
                "/T2",
                "3 heatmaps: (3, 6, 8) array over south_north × west_east, one heatmap per Time"
            ),
        ])
    );
    assert_eq!(
        others,
        pairs(&[
            ("/DateStrLen", "a netCDF dimension without values"),
            ("/Time", "a netCDF dimension without values"),
            ("/Times", "holds strings, not numbers"),
            // XLONG names XLAT too (WRF's `coordinates = "XLONG XLAT"`): the data variable
            // is the one named.
            ("/XLAT", "an auxiliary coordinate of /T2 (CF)"),
            ("/XLAT_M", "an auxiliary coordinate of /HGT_M (CF)"),
            ("/XLONG", "an auxiliary coordinate of /T2 (CF)"),
            ("/XLONG_M", "an auxiliary coordinate of /HGT_M (CF)"),
            ("/XTIME", "an auxiliary coordinate of /T2 (CF)"),
            ("/south_north", "a netCDF dimension without values"),
            ("/west_east", "a netCDF dimension without values"),
        ])
    );
    // Named alone, an auxiliary coordinate is drawn, as `ds.XLAT.plot()` draws it; a
    // pattern matching it leaves it out.
    let (plots, _) = listed("wrf_like.nc", "--datasets /XLAT");
    assert_eq!(
        plots,
        pairs(&[(
            "/XLAT",
            "3 heatmaps: (3, 6, 8) array over south_north × west_east, one heatmap per Time"
        )])
    );
    let pattern = alone(&args!(
        "--input {} --list --datasets '/X*'",
        file("wrf_like.nc")
    ));
    assert_eq!(pattern.code, 2, "{}", pattern.context());

    let tmp = tempfile::tempdir().unwrap();
    let run = mpi(
        2,
        &args!("--input {} -o {} -q", file("wrf_like.nc"), tmp.path()),
    );
    assert_eq!(run.code, 0, "{}", run.context());
    let made: Vec<String> = file_names(tmp.path())
        .into_iter()
        .filter(|n| n.ends_with(".png"))
        .collect();
    assert_eq!(made, ["HGT_M.png", "T2_0.png", "T2_1.png", "T2_2.png"]);

    // A dimension without a coordinate variable is picked by its netCDF name.
    let picked = tmp.path().join("picked");
    let run = alone(&args!(
        "--input {} -o {} -q --format svg --datasets /T2 --isel Time=2",
        file("wrf_like.nc"),
        picked
    ));
    assert_eq!(run.code, 0, "{}", run.context());
    let t = texts(&picked.join("T2_0.svg"));
    assert!(
        t.iter()
            .any(|s| s == "/T2, Time = 2, XTIME = 2020-01-01T12:00:00"),
        "{t:?}"
    );
}

#[test]
fn axes_without_coordinates_are_labelled_with_their_dimension_names_as_xarray_labels_them() {
    let wrf = |svg, isel, title| Case {
        name: "wrf_like.nc",
        svg,
        var: "T2",
        isel,
        title,
        x: "west_east",
        y: "south_north",
        bar: "T2 [K]",
    };
    check_against_xarray(
        &[
            wrf(
                "T2_0.svg",
                r#"{"Time": 0}"#,
                "/T2, Time = 0, XTIME = 2020-01-01",
            ),
            wrf(
                "T2_2.svg",
                r#"{"Time": 2}"#,
                "/T2, Time = 2, XTIME = 2020-01-01T12:00:00",
            ),
            // 2-D latitude and longitude (a curvilinear grid): the axes stay in index
            // space, labelled by the dimensions, as xarray draws them without x=, y=.
            Case {
                svg: "HGT_M.svg",
                var: "HGT_M",
                isel: "{}",
                title: "/HGT_M",
                bar: "HGT_M [meters MSL]",
                ..wrf("", "", "")
            },
        ],
        // xarray names no dimension without a coordinate variable; the program names its
        // index, as it names every leading index.
        &[("T2_0.svg", "Time = 0, "), ("T2_2.svg", "Time = 2, ")],
    );
}

#[test]
fn scalar_and_integer_coordinates_are_titled_as_xarray_titles_them() {
    let era5 = |svg, isel, title| Case {
        name: "era5_like.nc",
        svg,
        var: "t",
        isel,
        title,
        x: "longitude [degrees_east]",
        y: "latitude [degrees_north]",
        bar: "Temperature [K]",
    };
    check_against_xarray(
        &[
            // CMIP6's scalar height, after the time it follows in the file.
            Case {
                name: "cmip6_tas.nc",
                svg: "tas_0.svg",
                var: "tas",
                isel: r#"{"time": 0}"#,
                title: "/tas, time = 1850-01-16T12:00:00, height = 2.0 [m]",
                x: "Longitude [degrees_east]",
                y: "Latitude [degrees_north]",
                bar: "Near-Surface Air Temperature [K]",
            },
            // ERA5's int32 levels, before time as in the file (frames go time × level).
            era5(
                "t_1.svg",
                r#"{"time": 0, "level": 1}"#,
                "/t, level = 850 [hPa], time = 2020-01-01",
            ),
            era5(
                "t_3.svg",
                r#"{"time": 1, "level": 0}"#,
                "/t, level = 1000 [hPa], time = 2020-01-01T06:00:00",
            ),
            era5(
                "t_5.svg",
                r#"{"time": 1, "level": 2}"#,
                "/t, level = 500 [hPa], time = 2020-01-01T06:00:00",
            ),
        ],
        &[],
    );
    let (_, others) = listed("cmip6_tas.nc", "");
    assert!(
        others.contains(&(
            "/height".into(),
            "an auxiliary coordinate of /tas (CF)".into()
        )),
        "{others:?}"
    );
}
