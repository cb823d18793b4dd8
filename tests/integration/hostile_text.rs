//! Text from files that a figure must not take as it is (issue 26, items 3 and 4): a
//! megabyte-long `long_name`, and names and attributes holding every C0 control, the
//! characters XML forbids, a bidi override, markup, CDATA's end and bytes that are not UTF-8.
//! Every plot is recorded Ok, its text is at most the cap, every SVG parses with Python's
//! strict XML parser and every PDF opens in real readers.

use crate::common::library::PlotStatus;
use crate::common::*;
use hdf5::types::VarLenUnicode;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `plotrand_mpi::figure::MAX_TEXT_CHARS`: the most characters one text of a figure holds.
const MAX_TEXT_CHARS: usize = 256;

/// The hostile file: tests/data/hostile_text.py, with h5py.
fn hostile_file(dir: &Path) -> PathBuf {
    let path = dir.join("hostile.h5");
    let made = run(Command::new(python())
        .arg(repo_path("tests/data/hostile_text.py"))
        .arg(&path));
    assert!(made.success(), "hostile_text.py: {}", made.context());
    path
}

/// A line and a heatmap whose `long_name`, `standard_name` and `units` are a megabyte each
/// (variable-length UTF-8, as h5py writes `str`), under a group with a 20,000-character name.
fn long_text_file(dir: &Path) -> PathBuf {
    let path = dir.join("long.h5");
    let _writing = writing_hdf5();
    let f = hdf5::File::create(&path).unwrap();
    let g = f.create_group(&"g".repeat(20_000)).unwrap();
    let megabyte: VarLenUnicode = "ü".repeat(1 << 19).parse().unwrap();
    let line = g.new_dataset::<f64>().shape(5).create("line").unwrap();
    line.write_raw(&[0.0, 1.0, 4.0, 9.0, 16.0]).unwrap();
    let grid = g.new_dataset::<f64>().shape((3, 4)).create("grid").unwrap();
    grid.write_raw(&(0..12).map(f64::from).collect::<Vec<_>>())
        .unwrap();
    for ds in [&line, &grid] {
        for name in ["long_name", "standard_name", "units"] {
            ds.new_attr::<VarLenUnicode>()
                .create(name)
                .unwrap()
                .write_scalar(&megabyte)
                .unwrap();
        }
    }
    path
}

/// Plots `input` in `format` on 2 ranks; every plot must be recorded Ok. The plot files.
fn plot(input: &Path, out: &Path, format: &str, plots: usize) -> Vec<PathBuf> {
    // Wide enough to show every title whole (at most MAX_TEXT_CHARS characters), which a
    // default figure cuts to its width.
    let run = mpi(
        2,
        &args!(
            "--input {} --datasets /plots/** -o {} --format {} -q --width 6000",
            input,
            out,
            format
        ),
    );
    assert_eq!(run.code, 0, "{format}: {}", run.context());
    let rows = record_rows(&out.join("plotrand.h5"));
    assert_eq!(rows.len(), plots, "{format}: {}", run.context());
    for row in &rows {
        assert!(
            row.status == PlotStatus::Ok,
            "{format}: plot {} of {:?}: {:?} {}",
            row.plot,
            row.object.as_str(),
            row.status,
            row.reason.as_str()
        );
    }
    let files: Vec<PathBuf> = file_names(out)
        .into_iter()
        .filter(|n| n.ends_with(&format!(".{format}")))
        .map(|n| out.join(n))
        .collect();
    assert_eq!(files.len(), plots, "{format}: {files:?}");
    files
}

/// The texts of each SVG, as Python's xml.etree.ElementTree (expat, strict XML 1.0) parses
/// them: the test fails if any file is not well-formed.
fn svg_texts(svgs: &[PathBuf]) -> Vec<Vec<String>> {
    const SCRIPT: &str = r#"
import json, sys, xml.etree.ElementTree as ET
print(json.dumps([[t.text.strip() for t in ET.parse(p).getroot().iter()
                   if t.tag.endswith("text") and t.text] for p in sys.argv[1:]]))
"#;
    let parsed = run(Command::new(python()).arg("-c").arg(SCRIPT).args(svgs));
    assert!(
        parsed.success(),
        "not well-formed XML: {}",
        parsed.context()
    );
    serde_json::from_str(&parsed.stdout).expect("the script's JSON")
}

/// Each PDF loads with lopdf and poppler's pdftoppm renders its page without an error.
fn pdfs_open(pdfs: &[PathBuf]) {
    let pages = tempfile::tempdir().unwrap();
    for pdf in pdfs {
        let doc = lopdf::Document::load(pdf)
            .unwrap_or_else(|e| panic!("{}: lopdf cannot load it: {e}", pdf.display()));
        assert_eq!(doc.get_pages().len(), 1, "{}", pdf.display());
        let rendered = run_tool(
            Command::new("pdftoppm")
                .args(["-f", "1", "-l", "1", "-r", "20", "-png"])
                .arg(pdf)
                .arg(pages.path().join("page")),
            "sudo apt-get install poppler-utils",
        );
        assert!(
            rendered.success() && !rendered.stderr.contains("Error"),
            "{}: {}",
            pdf.display(),
            rendered.context()
        );
    }
}

#[test]
fn hostile_names_and_attributes_give_well_formed_svg_and_readable_pdf() {
    let tmp = tempfile::tempdir().unwrap();
    let input = hostile_file(tmp.path());
    // A line, a heatmap, two frames of a 3-D array, an x/y group.
    let plots = 5;
    let svgs = plot(&input, &tmp.path().join("svg"), "svg", plots);
    let texts: Vec<String> = svg_texts(&svgs).concat();
    assert!(texts.iter().all(|t| t.chars().count() <= MAX_TEXT_CHARS));
    // Controls and noncharacters spelled as the console spells them, markup kept as text.
    let escaped = r#"\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}\u{8}\t\n\u{b}\u{c}\r\u{e}\u{f}"#;
    let tail = r#"\u{1f}\u{7f}\u{85}\u{fffe}\u{ffff}\u{fff9}\u{202e}<b>&amp; ]]> "'"#;
    let title = texts
        .iter()
        .find(|t| t.starts_with("/plots/line "))
        .unwrap_or_else(|| panic!("the line's title in {texts:?}"));
    assert!(title.contains(escaped) && title.ends_with(tail), "{title}");
    for shown in [
        // A coordinate named in the byte 0xFF, and one in 0xFF ESC whose units are
        // fixed-length "ASCII" holding 0xFF: Latin-1, the control escaped.
        "ÿ",
        r"lonÿ\u{1b} [cafÿ]",
        // The same "ASCII", and variable-length "UTF-8" holding 0xFF 0xFE.
        "cafÿ [ÿþ]",
    ] {
        assert!(texts.iter().any(|t| t == shown), "{shown} in {texts:?}");
    }
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with(r"/plots/frames \u{1}") && t.contains(", tÿ\\u{1}")),
        "a frame's title names its coordinate: {texts:?}"
    );
    let pdfs = plot(&input, &tmp.path().join("pdf"), "pdf", plots);
    pdfs_open(&pdfs);
    for png in plot(&input, &tmp.path().join("png"), "png", plots) {
        png_size(&png);
    }
}

#[test]
fn a_megabyte_long_name_gives_small_plots_whose_text_is_cut_to_the_figure() {
    let tmp = tempfile::tempdir().unwrap();
    let input = long_text_file(tmp.path());
    let select = |out: &Path, format: &str| {
        let run = mpi(
            2,
            &args!("--input {} -o {} --format {} -q", input, out, format),
        );
        assert_eq!(run.code, 0, "{format}: {}", run.context());
        let rows = record_rows(&out.join("plotrand.h5"));
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(|r| r.status == PlotStatus::Ok), "{format}");
        let files: Vec<PathBuf> = file_names(out)
            .into_iter()
            .filter(|n| n.ends_with(&format!(".{format}")))
            .map(|n| out.join(n))
            .collect();
        assert_eq!(files.len(), 2, "{format}: {files:?}");
        files
    };
    let svgs = select(&tmp.path().join("svg"), "svg");
    for svg in &svgs {
        let bytes = std::fs::metadata(svg).unwrap().len();
        assert!(bytes < 32 << 10, "{}: {bytes} bytes", svg.display());
    }
    let texts = svg_texts(&svgs).concat();
    let cut: Vec<&String> = texts.iter().filter(|t| t.ends_with('…')).collect();
    // Both titles (the group's long name), the line's y label and the heatmap's colour bar
    // label (`long_name [units]`).
    assert_eq!(cut.len(), 4, "{texts:?}");
    for t in cut {
        assert!(t.chars().count() < MAX_TEXT_CHARS, "{t}");
    }
    let pdfs = select(&tmp.path().join("pdf"), "pdf");
    for pdf in &pdfs {
        let bytes = std::fs::metadata(pdf).unwrap().len();
        assert!(bytes < 256 << 10, "{}: {bytes} bytes", pdf.display());
    }
    pdfs_open(&pdfs);
    for png in select(&tmp.path().join("png"), "png") {
        png_size(&png);
    }
}

#[test]
fn field_and_member_names_that_are_not_utf8_fail_their_plot_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("names.h5");
    // h5py writes names from bytes as they are: a compound field and an enumeration member
    // named in Latin-1, beside a dataset that plots.
    let script = r#"
import sys, h5py, numpy as np
from h5py import h5t, h5s, h5d
with h5py.File(sys.argv[1], "w") as f:
    f["good"] = np.arange(6.0)
    record = h5t.create(h5t.COMPOUND, 16)
    record.insert(b"x\xff", 0, h5t.IEEE_F64LE)
    record.insert(b"y", 8, h5t.IEEE_F64LE)
    h5d.create(f.id, b"records", record, h5s.create_simple((5,)))
    enum = h5t.enum_create(h5t.STD_I8LE)
    enum.enum_insert(b"caf\xe9", 1)
    h5d.create(f.id, b"flags", enum, h5s.create_simple((4,)))
"#;
    let made = run(Command::new(python()).arg("-c").arg(script).arg(&input));
    assert!(made.success(), "{}", made.context());
    let list = alone(&args!("--input {} --list", input));
    assert_eq!(list.code, 0, "{}", list.context());
    let out = tmp.path().join("out");
    let run = mpi(2, &args!("--input {} -o {} --datasets '/*'", input, out));
    assert_eq!(run.code, 1, "{}", run.context());
    let failed = run.lines_starting("Failed:");
    assert_eq!(failed.len(), 2, "{}", run.context());
    for line in failed {
        assert!(line.contains("bytes that are not UTF-8"), "{line}");
    }
    let rows = record_rows(&out.join("plotrand.h5"));
    let ok: Vec<bool> = rows.iter().map(|r| r.status == PlotStatus::Ok).collect();
    assert_eq!(ok, [false, true, false], "flags, good, records");
}
