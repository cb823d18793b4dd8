//! Run records that hold what the program would not write — bytes that are not UTF-8,
//! terminal escapes, bidirectional overrides, two plots in one file, an archive that is a
//! named pipe — as a forged or damaged record does: `report` prints valid, escaped text in
//! every format, and `extract` writes only what it safely can, saying why not the rest.

use crate::common::*;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// A run record made by a real run, then edited with h5py: `edits` are Python statements on
/// `a`, the `/results` rows as a NumPy array (strings as bytes, written back as they are),
/// and `f`, the open file.
fn edit_record(record: &Path, edits: &str) {
    let script = format!(
        "import sys, h5py, numpy as np\n\
         f = h5py.File(sys.argv[1], 'r+')\n\
         a = f['results'][...]\n\
         {edits}\n\
         f['results'][...] = a\n\
         f.close()\n"
    );
    let edited = run(Command::new(python()).args(["-c", &script]).arg(record));
    assert!(edited.success(), "{}", edited.context());
}

/// `plotrand-mpi args…` with its stdout kept as the bytes it wrote (the runs' own capture
/// reads it as UTF-8, lossily, which would hide what is under test).
fn stdout_bytes(args: &[&str], into: &Path) -> (Run, Vec<u8>) {
    let file = std::fs::File::create(into).unwrap();
    let run = Started::spawn_with_stdout(Command::new(BIN).args(args), Stdio::from(file)).finish();
    (run, std::fs::read(into).unwrap())
}

/// What must never reach a terminal raw: C0 controls but the line ends of the format, DEL,
/// C1 controls, the bidirectional formatting characters and the line separators.
fn unsafe_chars(text: &str, line_ends: &[char]) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            !line_ends.contains(&c)
                && (c.is_control()
                    || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}'
                        | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}'))
        })
        .collect()
}

/// The name of an input object: any bytes but '/' and NUL, here a terminal escape and a
/// right-to-left override (which shows `exe.png` as `gnp.exe`).
const HOSTILE_OBJECT: &str = "\x1b[31mred\u{202e}gnp.exe";

/// Bytes that are not UTF-8, an escape that clears the screen, a C1 CSI, a newline and an
/// isolate, as a damaged or forged record may hold them (Python bytes literal).
const HOSTILE_BYTES: &str = r"b'caf\xe9 \x1b[2J\xc2\x9b1m\nnext\xe2\x81\xa6'";

/// How `report` shows [`HOSTILE_BYTES`] in JSON, decoded: the byte that is not UTF-8 as
/// `\xe9`, every character that is as itself (JSON escapes them, `json.loads` gives them back).
const HOSTILE_IN_JSON: &str = "caf\\xe9 \x1b[2J\u{9b}1m\nnext\u{2066}";

/// ... and in CSV and the table: every unsafe character escaped, as the console does.
const HOSTILE_SHOWN: &str = "caf\\xe9 \\u{1b}[2J\\u{9b}1m\\nnext\\u{2066}";

/// [`HOSTILE_OBJECT`]'s path as the table and CSV show it.
const NAME_SHOWN: &str = "/\\u{1b}[31mred\\u{202e}gnp.exe";

/// The host name the test writes into the record, as the table and CSV show it.
const HOST_SHOWN: &str = "node\\u{1b}]0;owned\\u{7}\\xe9";

#[test]
fn report_of_hostile_strings_is_utf8_and_escaped_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in.h5");
    let made = run(Command::new(python())
        .args([
            "-c",
            "import sys, h5py, numpy as np\n\
             with h5py.File(sys.argv[1], 'w') as f:\n    \
                 f[sys.argv[2]] = np.arange(6.0)\n    \
                 f['ok'] = np.arange(4.0)\n",
        ])
        .arg(&input)
        .arg(HOSTILE_OBJECT));
    assert!(made.success(), "{}", made.context());
    let out = tmp.path().join("out");
    let plotted = mpi(
        2,
        &args!("--input {} -o {} --width 160 --height 120", input, out),
    );
    assert_eq!(plotted.code, 0, "{}", plotted.context());
    let printed = format!("{}{}", plotted.stdout, plotted.stderr);
    assert_eq!(
        unsafe_chars(&printed, &['\n']),
        Vec::<char>::new(),
        "{printed}"
    );

    let record = out.join("plotrand.h5");
    edit_record(
        &record,
        &format!(
            "a['reason'][1] = {HOSTILE_BYTES}\n\
             a['archive'][1] = b'\\xff.tar'\n\
             f.attrs.modify('hosts', np.array([b'node\\x1b]0;owned\\x07\\xe9'], \
                 dtype=h5py.string_dtype('utf-8')))"
        ),
    );

    let mut outputs = Vec::new();
    for format in ["table", "csv", "json"] {
        let path = tmp.path().join(format!("report.{format}"));
        let (run, bytes) = stdout_bytes(&["report", path_arg(&record), "--format", format], &path);
        assert_eq!(run.code, 0, "{format}: {}", run.context());
        let text = String::from_utf8(bytes)
            .unwrap_or_else(|e| panic!("{format}: the report is not UTF-8: {e}"));
        let line_ends: &[char] = if format == "csv" {
            &['\n', '\r']
        } else {
            &['\n']
        };
        assert_eq!(
            unsafe_chars(&text, line_ends),
            Vec::<char>::new(),
            "{format}:\n{text}"
        );
        assert_eq!(
            text.lines().count(),
            3 - usize::from(format == "json"),
            "{text}"
        );
        outputs.push(path);
    }
    let table = std::fs::read_to_string(&outputs[0]).unwrap();
    for shown in [HOSTILE_SHOWN, NAME_SHOWN, HOST_SHOWN, "\\xff.tar:"] {
        assert!(table.contains(shown), "{shown}:\n{table}");
    }

    // What pandas, Python's csv module and json.loads make of them.
    let script = r#"
import sys, csv, json, pandas as pd
csv_path, json_path, name, name_shown, host_shown, in_json, shown = sys.argv[1:8]
host_in_json = 'node\x1b]0;owned\x07\\xe9'
rows = list(csv.DictReader(open(csv_path, encoding='utf-8', newline='')))
assert len(rows) == 2, rows
assert (rows[0]['object'], rows[0]['host']) == (name_shown, host_shown), rows[0]
assert (rows[1]['reason'], rows[1]['archive']) == (shown, '\\xff.tar'), rows[1]
lines = [json.loads(l) for l in open(json_path, encoding='utf-8')]
assert (lines[0]['object'], lines[0]['host']) == (name, host_in_json), lines[0]
assert lines[1]['reason'] == in_json, lines[1]
frame = pd.read_csv(csv_path)
assert list(frame['plot']) == [1, 2] and frame['reason'][1] == shown, frame
frame = pd.read_json(json_path, lines=True)
assert frame['object'][0] == name and frame['reason'][1] == in_json, frame
print('ok')
"#;
    let name = format!("/{HOSTILE_OBJECT}");
    let checked = run(Command::new(python())
        .args(["-c", script])
        .args([&outputs[1], &outputs[2]])
        .args([
            &name,
            NAME_SHOWN,
            HOST_SHOWN,
            HOSTILE_IN_JSON,
            HOSTILE_SHOWN,
        ]));
    assert_eq!(checked.stdout, "ok\n", "{}", checked.context());
}

/// A packed run of 4 plots on one rank, its record then edited by `edits` (see
/// [`edit_record`]): the run's directory and its record.
fn packed_run_edited(tmp: &Path, edits: &str) -> (PathBuf, PathBuf) {
    let dir = tmp.join("run");
    let run = alone(&args!("-o {} -n 4 --seed 5 {SMALL} -q --pack", dir));
    assert_eq!(run.code, 0, "{}", run.context());
    let record = dir.join("plotrand.h5");
    edit_record(&record, edits);
    (dir, record)
}

/// `extract RECORD --all -o OUT`, within a minute: a named pipe that blocked the open would
/// hang it, and the limit makes that a failure.
fn extract_all_within_a_minute(record: &Path, out: &Path) -> Run {
    run_within(
        Command::new(BIN).args(args!("extract {} --all -o {}", record, out)),
        Duration::from_secs(60),
    )
}

/// The "Failed: plot K: …" lines of an extract, checked against (start, part) pairs; and no
/// raw control or bidirectional character among them.
fn assert_failed_lines(extracted: &Run, expected: &[(&str, &str)]) {
    let failed: Vec<&str> = extracted
        .stderr
        .lines()
        .filter(|l| l.starts_with("Failed: plot "))
        .collect();
    assert_eq!(failed.len(), expected.len(), "{}", extracted.context());
    for (line, (start, why)) in failed.iter().zip(expected) {
        assert!(line.starts_with(start) && line.contains(why), "{line}");
    }
    assert_eq!(unsafe_chars(&extracted.stderr, &['\n']), Vec::<char>::new());
}

/// The names of the files directly in `dir`, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// Plot `k`'s bytes as its archive holds them, at the place the record gives.
fn member(dir: &Path, record: &Path, k: usize) -> Vec<u8> {
    let row = &record_rows(record)[k - 1];
    let mut bytes = vec![0; row.bytes as usize];
    std::fs::File::open(dir.join("plots-0000.tar"))
        .unwrap()
        .read_exact_at(&mut bytes, row.offset)
        .unwrap();
    bytes
}

#[test]
fn extract_refuses_an_archive_that_is_a_named_pipe_without_waiting_on_it() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("pipe.tar");
    make_fifo(&fifo);
    let edit = format!("a['archive'][1] = {:?}.encode()", path_arg(&fifo));
    let (_, record) = packed_run_edited(tmp.path(), &edit);
    let out = tmp.path().join("out");
    let extracted = extract_all_within_a_minute(&record, &out);
    assert_eq!(extracted.code, 1, "{}", extracted.context());
    assert_failed_lines(
        &extracted,
        &[("Failed: plot 2: could not open", "a named pipe")],
    );
    assert_eq!(names_in(&out), ["plot_1.png", "plot_3.png", "plot_4.png"]);
}

#[test]
fn extract_writes_a_file_two_rows_name_once_and_counts_what_it_wrote() {
    let tmp = tempfile::tempdir().unwrap();
    let edit = "a['file'][2] = a['file'][1]\na['file'][3] = b'PLOT_2.png'";
    let (dir, record) = packed_run_edited(tmp.path(), edit);
    let out = tmp.path().join("out");
    let extracted = extract_all_within_a_minute(&record, &out);
    assert_eq!(extracted.code, 1, "{}", extracted.context());
    assert_failed_lines(
        &extracted,
        &[
            (
                "Failed: plot 3: the record names it 'plot_2.png'",
                "as it names plot 2",
            ),
            // One file on a case-insensitive file system (the program's names never differ
            // by case alone).
            (
                "Failed: plot 4: the record names it 'PLOT_2.png'",
                "as it names plot 2",
            ),
        ],
    );
    assert_eq!(
        extracted.stdout,
        format!(
            "Extracted 2 plot(s) into {}; 2 failed (see above)\n",
            out.display()
        ),
        "the count is what was written"
    );
    assert_eq!(names_in(&out), ["plot_1.png", "plot_2.png"]);
    assert!(
        std::fs::read(out.join("plot_2.png")).unwrap() == member(&dir, &record, 2),
        "plot 2's bytes, not plot 3's written over them"
    );
}

#[test]
fn extract_refuses_record_names_that_are_not_plot_names() {
    let tmp = tempfile::tempdir().unwrap();
    let edit = "a['file'][0] = b'\\x1b[31mred\\xe2\\x80\\xaegnp.exe.png'\n\
                a['file'][1] = b'caf\\xe9.png'\n\
                a['file'][2] = b'0000/../../x.png'";
    let (dir, record) = packed_run_edited(tmp.path(), edit);
    let out = tmp.path().join("out");
    let extracted = extract_all_within_a_minute(&record, &out);
    assert_eq!(extracted.code, 1, "{}", extracted.context());
    assert_failed_lines(
        &extracted,
        &[
            (
                "Failed: plot 1: the record names it '\\u{1b}[31mred\\u{202e}gnp.exe.png'",
                "control or bidirectional",
            ),
            (
                "Failed: plot 2: the record names it 'caf\\xe9.png'",
                "bytes that are not UTF-8",
            ),
            (
                "Failed: plot 3: the record names it '0000/../../x.png'",
                "leave",
            ),
        ],
    );
    assert_eq!(names_in(&out), ["plot_4.png"]);
    assert_eq!(
        names_in(tmp.path()),
        ["out", "run"],
        "nothing beside the output"
    );
    assert!(std::fs::read(out.join("plot_4.png")).unwrap() == member(&dir, &record, 4));
}
