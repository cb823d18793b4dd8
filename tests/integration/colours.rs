//! Heatmap colours against xarray's own choices for the same file: fields written by xarray
//! (tests/data/make_real_files.py, `colours`), drawn by the program and by xarray's `.plot()`
//! (tests/data/xarray_colours.py), compared by colour-bar labels (read from SVG) and by the
//! colour of every cell (read from PNG). Then the flags and limits that cannot give an honest
//! colour scale: refused once at start, or the plot fails with the reason.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// xr_colours.nc, made once for all tests of this module.
fn colours_file() -> &'static Path {
    static FILE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = FILE.get_or_init(|| {
        let dir = real_files(&["colours"]);
        let path = dir.path().join("xr_colours.nc");
        (dir, path)
    });
    path
}

/// What xarray draws `variable` with (frame `frame` of a series), given xarray's spelling of
/// the options.
fn xarray(variable: &str, frame: usize, options: &str) -> serde_json::Value {
    let out = run_within(
        Command::new(python())
            .arg(repo_path("tests/data/xarray_colours.py"))
            .arg(colours_file())
            .arg(variable)
            .arg(format!("--frame={frame}"))
            .args(split(options)),
        SLOW_LIMIT,
    );
    assert!(out.success(), "xarray_colours.py: {}", out.context());
    serde_json::from_str(&out.stdout).expect("xarray_colours.py prints JSON")
}

/// Draws `variable` with `flags` in `format` into `out` on `ranks` ranks.
fn draw(variable: &str, flags: &str, format: &str, out: &Path, ranks: usize) -> Run {
    let mut line = args!(
        "--input {} --datasets /{variable} -o {} --format {format}",
        colours_file(),
        out
    );
    line.extend(split(flags));
    mpi(ranks, &line)
}

fn drawn(variable: &str, flags: &str, format: &str, out: &Path) -> Run {
    let run = draw(variable, flags, format, out, 2);
    assert_eq!(run.code, 0, "{}", run.context());
    run
}

/// One `<text>` of an SVG: where it is, how big, what it says.
struct SvgText {
    x: f64,
    y: f64,
    size: f64,
    body: String,
}

fn svg_texts(svg: &str) -> Vec<SvgText> {
    let attr = |t: &str, name: &str| -> Option<f64> {
        t.split(&format!(" {name}=\""))
            .nth(1)?
            .split('"')
            .next()?
            .parse()
            .ok()
    };
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = t.split_once('>')?.1.split("</text>").next()?.trim();
            Some(SvgText {
                x: attr(t, "x")?,
                y: attr(t, "y")?,
                size: attr(t, "font-size")?,
                body: body.to_string(),
            })
        })
        .collect()
}

/// The colour bar's tick labels, from its bottom to its top: the unrotated texts right of the
/// bar, a smaller text just above and right of a label being its raised exponent (`10^k`).
fn bar_labels(svg_path: &Path) -> Vec<String> {
    let svg = std::fs::read_to_string(svg_path).unwrap();
    let texts: Vec<SvgText> = svg_texts(&svg)
        .into_iter()
        .filter(|t| t.x > 500.0 && !svg_path_is_rotated(&svg, &t.body))
        .collect();
    let full = texts.iter().map(|t| t.size).fold(0.0, f64::max);
    let mut labels: Vec<(f64, String)> = Vec::new();
    for t in &texts {
        if t.size < full {
            let base = labels
                .iter_mut()
                .filter(|(y, _)| (t.y - y).abs() < 8.0)
                .min_by(|a, b| (t.y - a.0).abs().total_cmp(&(t.y - b.0).abs()))
                .unwrap_or_else(|| panic!("an exponent {:?} without its base", t.body));
            base.1 = format!("{}^{}", base.1, t.body);
        } else {
            labels.push((t.y, t.body.replace(" × ", "×")));
        }
    }
    labels.sort_by(|a, b| b.0.total_cmp(&a.0));
    labels.into_iter().map(|(_, l)| l).collect()
}

/// Whether the text `body` is drawn rotated (the colour bar's own label).
fn svg_path_is_rotated(svg: &str, body: &str) -> bool {
    svg.split("<text")
        .any(|t| t.contains("rotate(") && t.contains(&format!(">\n{body}\n</text>")))
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .expect("a list")
        .iter()
        .map(|s| s.as_str().expect("text").to_string())
        .collect()
}

/// The figure's pixels as RGB.
fn pixels(png_path: &Path) -> (usize, Vec<u8>) {
    let file = std::fs::File::open(png_path).unwrap();
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap();
    let mut rgb = vec![0; reader.output_buffer_size().unwrap()];
    reader.next_frame(&mut rgb).unwrap();
    (reader.info().width as usize, rgb)
}

/// Every cell's colour in our PNG is xarray's, within the colour map's step there (our
/// palette holds 222 of its 256 colours), or exactly for discrete levels; cells xarray leaves
/// transparent are white. The grid is make_real_files.py's 18 × 36 of 10° cells, drawn in the
/// default figure's axes (x 80 to 476.8 px over 0 to 360°, y 427.2 to 57.6 px over −90 to
/// 90°).
fn assert_cells_are_xarrays(png_path: &Path, expected: &serde_json::Value) {
    let (width, rgb) = pixels(png_path);
    let (rows, cols) = (
        expected["rows"].as_u64().unwrap(),
        expected["cols"].as_u64().unwrap(),
    );
    let cells = expected["cells"].as_array().unwrap();
    assert_eq!(cells.len() as u64, rows * cols);
    let mut compared = 0;
    for r in 0..rows {
        for c in 0..cols {
            let lon = 5.0 + 10.0 * c as f64;
            let lat = -85.0 + 10.0 * r as f64;
            let x = (80.0 + lon / 360.0 * 396.8) as usize;
            let y = (427.2 - (lat + 90.0) / 180.0 * 369.6) as usize;
            let got = &rgb[(y * width + x) * 3..][..3];
            let cell = &cells[(r * cols + c) as usize];
            let (want, slack) = match cell.as_array() {
                None => ([255, 255, 255], 0),
                Some(v) => {
                    let n: Vec<i64> = v.iter().map(|n| n.as_i64().unwrap()).collect();
                    ([n[0], n[1], n[2]], n[3] + 1)
                }
            };
            for (g, w) in got.iter().zip(want) {
                assert!(
                    (i64::from(*g) - w).abs() <= slack,
                    "{}: cell ({r}, {c}) at ({x}, {y}) is {got:?}, xarray's {want:?} ± {slack}",
                    png_path.display()
                );
            }
            compared += 1;
        }
    }
    assert_eq!(compared, 18 * 36);
}

#[test]
fn an_anomaly_crossing_zero_is_rdbu_r_symmetric_about_zero_as_xarray_draws_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (svg, png) = (tmp.path().join("svg"), tmp.path().join("png"));
    drawn("anomaly", "", "svg", &svg);
    drawn("anomaly", "", "png", &png);
    for frame in [0, 2] {
        let expected = xarray("anomaly", frame, "");
        assert_eq!(expected["cmap"], "RdBu_r");
        assert_eq!(
            expected["vmin"].as_f64(),
            expected["vmax"].as_f64().map(|v| -v)
        );
        let labels = bar_labels(&svg.join(format!("anomaly_{frame}.svg")));
        assert_eq!(labels, strings(&expected["bar labels"]), "frame {frame}");
        assert_eq!(
            labels.first().map(|l| l.replace('−', "")),
            labels.last().cloned()
        );
        assert_cells_are_xarrays(&png.join(format!("anomaly_{frame}.png")), &expected);
    }
}

#[test]
fn cmap_center_and_no_center_steer_the_rule_as_in_xarray() {
    let tmp = tempfile::tempdir().unwrap();
    for (ours, theirs) in [
        ("--cmap viridis", "--cmap viridis"),
        ("--no-center", "--no-center"),
        ("--center 2 --cmap PuOr_r", "--center 2 --cmap PuOr_r"),
        // One limit alone keeps the data's other end (the rule needs --center then; xarray
        // would make the limits symmetric about 0 here).
        (
            "--cmap coolwarm --vmin -3",
            "--cmap coolwarm --vmin -3 --vmax 7.341797828674316",
        ),
        (
            "--cmap coolwarm --vmin -3 --center 0",
            "--cmap coolwarm --vmin -3",
        ),
    ] {
        let out = tmp.path().join(ours.replace(' ', ""));
        drawn("anomaly", ours, "png", &out);
        drawn("anomaly", ours, "svg", &out);
        let expected = xarray("anomaly", 1, theirs);
        assert_cells_are_xarrays(&out.join("anomaly_1.png"), &expected);
        let labels = bar_labels(&out.join("anomaly_1.svg"));
        assert_eq!(labels, strings(&expected["bar labels"]), "{ours}");
    }
}

#[test]
fn a_log_norm_ticks_decades_with_raised_exponents_and_colours_as_matplotlib() {
    let tmp = tempfile::tempdir().unwrap();
    drawn("concentration", "--norm log", "svg", tmp.path());
    drawn("concentration", "--norm log", "png", tmp.path());
    let expected = xarray("concentration", 0, "--norm log");
    let labels = bar_labels(&tmp.path().join("concentration.svg"));
    assert_eq!(
        labels,
        ["10^−3", "10^−2", "10^−1", "10^0", "10^1", "10^2"],
        "six decades"
    );
    assert_eq!(labels, strings(&expected["bar labels"]));
    assert_cells_are_xarrays(&tmp.path().join("concentration.png"), &expected);
}

#[test]
fn a_log_norm_leaves_out_values_not_above_zero_and_counts_them() {
    let tmp = tempfile::tempdir().unwrap();
    let run = drawn("rain", "--norm log", "png", tmp.path());
    let expected = xarray("rain", 0, "--norm log");
    assert_cells_are_xarrays(&tmp.path().join("rain.png"), &expected);
    let dry = expected["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c.is_null())
        .count() as u64;
    assert_eq!(dry, 424, "make_real_files.py's dry cells");
    let result = run.lines_starting("Result:");
    assert!(result[0].contains("424 rows"), "{}", run.context());
    let rows = record_rows(&tmp.path().join("plotrand.h5"));
    assert_eq!(rows[0].dropped, dry);
    drawn("rain", "--norm log", "svg", tmp.path());
    // Less than two decades: minor ticks are labelled too, as 2×10^k.
    let labels = bar_labels(&tmp.path().join("rain.svg"));
    assert_eq!(labels, strings(&expected["bar labels"]));
    assert!(labels.contains(&"3×10^0".to_string()), "{labels:?}");
    // Without the log norm nothing is left out.
    let linear = tmp.path().join("linear");
    drawn("rain", "", "png", &linear);
    assert_eq!(record_rows(&linear.join("plotrand.h5"))[0].dropped, 0);
}

#[test]
fn a_symlog_norm_ticks_and_colours_as_matplotlib() {
    let tmp = tempfile::tempdir().unwrap();
    let flags = "--norm symlog --linthresh 1";
    drawn("anomaly", flags, "svg", tmp.path());
    drawn("anomaly", flags, "png", tmp.path());
    let expected = xarray("anomaly", 2, flags);
    assert_eq!(
        bar_labels(&tmp.path().join("anomaly_2.svg")),
        strings(&expected["bar labels"])
    );
    assert_cells_are_xarrays(&tmp.path().join("anomaly_2.png"), &expected);
}

#[test]
fn levels_colour_in_blocks_with_ticks_at_the_boundaries() {
    let tmp = tempfile::tempdir().unwrap();
    for (ours, theirs, blocks) in [
        ("--levels 7", "--levels 7", 6),
        // Data beyond both ends: colours of their own below and above, in triangles.
        ("--levels -4,-1,0,1,4", "--levels=-4,-1,0,1,4", 4 + 2),
        (
            "--levels 5 --vmin 0 --vmax 4",
            "--levels 5 --vmin 0 --vmax 4",
            4 + 2,
        ),
    ] {
        let out = tmp.path().join(blocks.to_string() + &ours.replace(' ', ""));
        drawn("anomaly", ours, "png", &out);
        drawn("anomaly", ours, "svg", &out);
        let expected = xarray("anomaly", 0, theirs);
        assert_cells_are_xarrays(&out.join("anomaly_0.png"), &expected);
        let labels = bar_labels(&out.join("anomaly_0.svg"));
        assert_eq!(labels, strings(&expected["bar labels"]), "{ours}");
        // The bar's middle column, from near the tip of its top to near the tip of its
        // bottom: one colour a block, and one for each triangle.
        let (width, rgb) = pixels(&out.join("anomaly_0.png"));
        let mut runs: Vec<&[u8]> = Vec::new();
        for y in 64..421 {
            let p = &rgb[(y * width + 511) * 3..][..3];
            if runs.last() != Some(&p) {
                runs.push(p);
            }
        }
        assert_eq!(runs.len(), blocks, "{ours}: {runs:?}");
    }
}

#[test]
fn data_beyond_the_limits_get_the_colour_bars_triangles_as_in_xarray() {
    let tmp = tempfile::tempdir().unwrap();
    for (ours, theirs, below, above) in [
        (
            "--vmin -2 --vmax 2 --cmap RdBu_r",
            "--vmin -2 --vmax 2 --cmap RdBu_r",
            true,
            true,
        ),
        ("--vmin -6 --vmax 2", "--vmin -6 --vmax 2", false, true),
        ("--levels=-4,-1,0,1,4", "--levels=-4,-1,0,1,4", true, true),
        ("", "", false, false),
    ] {
        let out = tmp.path().join(format!("t{}", ours.replace(' ', "")));
        drawn("anomaly", ours, "png", &out);
        let expected = xarray("anomaly", 0, theirs);
        let want = |key: &str| -> Vec<u8> { colour_of(&expected[key]) };
        assert_eq!(
            expected["extend"],
            match (below, above) {
                (true, true) => "both",
                (false, true) => "max",
                _ => "neither",
            },
            "{ours}"
        );
        let (width, rgb) = pixels(&out.join("anomaly_0.png"));
        let at = |y: usize| rgb[(y * width + 511) * 3..][..3].to_vec();
        // matplotlib's triangles are 5 % of the range's length: 16.8 px with two, 17.6 with one.
        let (low, high) = (at(420), at(64));
        assert_eq!(low == want("under"), below, "{ours}: {low:?} below");
        assert_eq!(high == want("over"), above, "{ours}: {high:?} above");
        if !below {
            // Without a triangle the range reaches the box's bottom.
            assert_ne!(at(426), vec![255, 255, 255], "{ours}");
        }
    }
}

/// An sRGB colour of xarray_colours.py's output.
fn colour_of(v: &serde_json::Value) -> Vec<u8> {
    v.as_array()
        .expect("a colour")
        .iter()
        .map(|c| c.as_u64().expect("a channel") as u8)
        .collect()
}

#[test]
fn colour_flags_that_cannot_work_are_refused_once_at_start() {
    let tmp = tempfile::tempdir().unwrap();
    let input = colours_file();
    for (flags, needle) in [
        ("--vmin 3 --vmax 1", "--vmin 3 is not below --vmax 1"),
        (
            "--cmap Viridis",
            "'Viridis' is not a colour map (names are case-sensitive: viridis?)",
        ),
        ("--norm symlog", "--norm symlog needs --linthresh V"),
        (
            "--linthresh 2",
            "--linthresh sets the linear range of --norm symlog",
        ),
        (
            "--norm log --vmin 0",
            "--vmin 0 is not above 0, and --norm log",
        ),
        (
            "--norm log --center 1",
            "--center diverges the colours about a value",
        ),
        ("--norm log --levels 5", "--levels colours by the bins"),
        ("--levels 2,2", "gives a boundary twice"),
        ("--center 0 --no-center", "--no-center"),
    ] {
        let out = tmp.path().join("out");
        let mut line = args!("--input {} -o {}", input, out);
        line.extend(split(flags));
        mpi(2, &line).assert_one_error(needle, flags);
    }
    for flags in ["--cmap viridis", "--norm log", "--levels 5", "--no-center"] {
        let mut line = args!("-n 2 -o {}", tmp.path().join("random"));
        line.extend(split(flags));
        let needle = format!("{} needs --input", flags.split(' ').next().unwrap());
        mpi(2, &line).assert_one_error(&needle, flags);
    }
}

#[test]
fn limits_beyond_the_data_and_a_log_norm_without_positive_values_fail_the_plot_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    for (variable, flags, reason, plots) in [
        (
            "anomaly",
            "--vmin 100",
            "--vmin 100 is not below the data's largest value, 7.341797828674316, so the \
             colour scale would have no top above its bottom; give a --vmin below \
             7.341797828674316, or --vmax as well",
            3,
        ),
        (
            "anomaly",
            "--vmax -10",
            "--vmax -10 is not above the data's smallest value, -5.1413469314575195",
            3,
        ),
        (
            "sea_floor",
            "--norm log",
            "no value above 0 to colour on a log scale (--norm log leaves out values at or \
             below 0, and all 648 finite cells are); use --norm symlog --linthresh V, or \
             --norm linear",
            1,
        ),
    ] {
        let out = tmp
            .path()
            .join(format!("{variable}{}", flags.replace(' ', "")));
        let run = draw(variable, flags, "png", &out, 2);
        assert_eq!(run.code, 1, "{}", run.context());
        let failed = run.lines_starting("Failed:");
        assert_eq!(failed.len(), plots, "{flags}: {}", run.context());
        for line in failed {
            assert!(
                line.contains(&format!("no colour scale: {reason}")),
                "{line}"
            );
        }
        assert!(
            file_names(&out).iter().all(|n| !n.ends_with(".png")),
            "{flags}: no plot drawn on an invented range"
        );
    }
}

/// src/render/colormaps.rs is what scripts/colormaps.py prints from the venv's pinned
/// matplotlib: the colours are matplotlib's own.
#[test]
fn the_colour_tables_are_what_matplotlib_gives() {
    let out = run_within(
        Command::new(python()).arg(repo_path("scripts/colormaps.py")),
        SLOW_LIMIT,
    );
    assert!(out.success(), "colormaps.py: {}", out.context());
    let checked_in = std::fs::read_to_string(repo_path("src/render/colormaps.rs")).unwrap();
    assert!(
        out.stdout == checked_in,
        "src/render/colormaps.rs is not what scripts/colormaps.py prints; remake it with \
         \"$(scripts/pyenv.sh)\" scripts/colormaps.py > src/render/colormaps.rs"
    );
}
