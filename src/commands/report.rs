//! `plotrand-mpi report RECORD`: one row per plot of a run record (with `--pack`, each plot's
//! archive and offset too), as a table for people or as CSV or JSON Lines for pandas, jq or a
//! spreadsheet — the run's job log. `--failed` keeps the plots a `--resume` would make again
//! (failed or not done).
//!
//! One rule per format for what the record's strings hold: bytes that are not UTF-8 are
//! `\xNN` in all three (so CSV and JSON Lines are UTF-8 always); the table and CSV escape
//! control and bidirectional formatting characters as the console does (`\u{1b}`); JSON
//! escapes them as JSON does (`\u001b`), giving the text back exactly.

use crate::cli::ReportFormat;
use crate::exit::{Error, Exit};
use crate::sinks::console;
use crate::sinks::record::{RecordedRow, ResultsReader};
use crate::text::{escape_controls, is_unsafe_to_show};
use std::io::Write;
use std::path::Path;

/// The columns, in order, for CSV and JSON.
const COLUMNS: [&str; 13] = [
    "plot",
    "rank",
    "host",
    "status",
    "attempt",
    "file",
    "object",
    "elapsed_s",
    "bytes",
    "dropped",
    "reason",
    "archive",
    "offset",
];

pub fn run(record: &Path, format: ReportFormat, failed_only: bool) -> Result<Exit, Error> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match write(record, format, failed_only, &mut out).and_then(|()| Ok(out.flush()?)) {
        Err(e) if !console::stdout_closed(&*e) => {
            let message = format!("could not report run record '{}': {e}", record.display());
            Err(Error::usage(message))
        }
        _ => Ok(Exit::AllWritten),
    }
}

/// The report of `record` written to `out`: what `run` prints.
pub(crate) fn write(
    record: &Path,
    format: ReportFormat,
    failed_only: bool,
    out: &mut dyn Write,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let reader = ResultsReader::open(record)?;
    let hosts = &reader.hosts;
    // A status this version does not know is kept: it is not known to be done.
    let keep = |r: &RecordedRow| !failed_only || !r.status.is_made();
    let written = match format {
        ReportFormat::Table => {
            writeln!(
                out,
                "{:>8} {:>5} {:<12} {:<8} {:>7} {:>10} {:>9} {:>7}  file  [object]  reason",
                "plot", "rank", "host", "status", "attempt", "ms", "bytes", "dropped"
            )?;
            let mut shown = 0;
            reader.for_each(|rows| {
                for r in rows.iter().filter(|r| keep(r)) {
                    let mut line = format!(
                        "{:>8} {:>5} {:<12} {:<8} {:>7} {:>10.2} {:>9} {:>7}  {}",
                        r.plot,
                        rank(r).map_or("-".into(), |k| k.to_string()),
                        escape_controls(host(r, hosts)),
                        r.status.name(),
                        r.attempt,
                        r.elapsed * 1e3,
                        r.bytes,
                        r.dropped,
                        escape_controls(&packed_file(r)),
                    );
                    for extra in [&r.object, &r.reason] {
                        if !extra.is_empty() {
                            line += &format!("  {}", escape_controls(extra));
                        }
                    }
                    writeln!(out, "{line}")?;
                    shown += 1;
                }
                Ok(())
            })?;
            if shown == 0 && failed_only {
                writeln!(out, "(no plot failed or was left undone)")?;
            }
            Ok(())
        }
        ReportFormat::Csv => {
            let mut csv = csv::Writer::from_writer(out);
            csv.write_record(COLUMNS)?;
            reader.for_each(|rows| {
                for r in rows.iter().filter(|r| keep(r)) {
                    csv.write_record(fields(r, hosts))?;
                }
                Ok(())
            })?;
            csv.flush()?;
            Ok(())
        }
        ReportFormat::Json => reader.for_each(|rows| {
            for r in rows.iter().filter(|r| keep(r)) {
                let object = serde_json::json!({
                    "plot": r.plot,
                    "rank": rank(r),
                    "host": host(r, hosts),
                    "status": r.status.name(),
                    "attempt": r.attempt,
                    "file": r.file,
                    "object": r.object,
                    "elapsed_s": r.elapsed,
                    "bytes": r.bytes,
                    "dropped": r.dropped,
                    "reason": r.reason,
                    "archive": r.archive,
                    "offset": r.offset,
                });
                writeln!(out, "{}", json_safe(object.to_string()))?;
            }
            Ok(())
        }),
    };
    if let Some(note) = reader.unknown_status_note() {
        eprintln!("warning: {note}");
    }
    written
}

/// A JSON text with what [`is_unsafe_to_show`] names and JSON leaves raw (DEL, C1 controls,
/// U+202E and the other bidirectional formatting characters) written as `\uXXXX`, as JSON
/// writes the controls below U+0020, so that no line can drive a terminal or read other than
/// it is, while `json.loads` still gives the text exactly. Outside strings JSON is ASCII, so
/// every such character is inside a string, where the escape means the same character.
fn json_safe(json: String) -> String {
    if !json.contains(is_unsafe_to_show) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_unsafe_to_show(c) {
            // Every such character is in the Basic Multilingual Plane: one \uXXXX.
            out += &format!("\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// The rank that drew the plot; none for a plot nobody drew.
fn rank(r: &RecordedRow) -> Option<i32> {
    (r.rank >= 0).then_some(r.rank)
}

/// The host name a row's index names; empty for a plot nobody drew.
fn host<'a>(r: &RecordedRow, hosts: &'a [String]) -> &'a str {
    hosts.get(r.host as usize).map_or("", String::as_str)
}

/// The plot's file; for a packed plot `ARCHIVE:FILE`, as the result lines name it.
fn packed_file(r: &RecordedRow) -> String {
    match r.archive.as_str() {
        "" => r.file.clone(),
        archive => format!("{archive}:{}", r.file),
    }
}

/// A row's CSV fields: text as the table shows it (controls and bidirectional formatting
/// escaped, bytes that are not UTF-8 as `\xNN`), so that the file is UTF-8 and one record
/// a line, whatever the record holds.
fn fields(r: &RecordedRow, hosts: &[String]) -> [String; 13] {
    let shown = |s: &str| escape_controls(s).into_owned();
    [
        r.plot.to_string(),
        rank(r).map_or(String::new(), |k| k.to_string()),
        shown(host(r, hosts)),
        r.status.name().to_string(),
        r.attempt.to_string(),
        shown(&r.file),
        shown(&r.object),
        r.elapsed.to_string(),
        r.bytes.to_string(),
        r.dropped.to_string(),
        shown(&r.reason),
        shown(&r.archive),
        r.offset.to_string(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_what_it_would_leave_raw_and_keeps_the_text() {
        let text = "a\u{1b}[31m\u{202e}b\u{9b}\u{7f}\u{2066}ü";
        let line = json_safe(serde_json::json!({ "object": text }).to_string());
        assert!(!line.contains(is_unsafe_to_show), "{line}");
        assert_eq!(
            line,
            r#"{"object":"a\u001b[31m\u202eb\u009b\u007f\u2066ü"}"#
        );
        let back: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back["object"], text, "the text itself, exactly");
    }
}
