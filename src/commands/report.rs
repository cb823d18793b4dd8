//! `plotrand-mpi report RECORD`: one row per plot of a run record (with `--pack`, each plot's
//! archive and offset too), as a table for people or as CSV or JSON Lines for pandas, jq or a
//! spreadsheet — the run's job log. `--failed` keeps the plots a `--resume` would make again
//! (failed or not done).

use crate::cli::ReportFormat;
use crate::exit::{Error, Exit};
use crate::sinks::console;
use crate::sinks::record::{RecordedRow, ResultsReader};
use crate::text::escape_controls;
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
                        host(r, hosts),
                        r.status.name(),
                        r.attempt,
                        r.elapsed * 1e3,
                        r.bytes,
                        r.dropped,
                        escape_controls(&packed_file(r)),
                    );
                    for extra in [r.object.as_str(), r.reason.as_str()] {
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
                    "file": r.file.as_str(),
                    "object": r.object.as_str(),
                    "elapsed_s": r.elapsed,
                    "bytes": r.bytes,
                    "dropped": r.dropped,
                    "reason": r.reason.as_str(),
                    "archive": r.archive.as_str(),
                    "offset": r.offset,
                });
                writeln!(out, "{object}")?;
            }
            Ok(())
        }),
    };
    if let Some(note) = reader.unknown_status_note() {
        eprintln!("warning: {note}");
    }
    written
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
        "" => r.file.to_string(),
        archive => format!("{archive}:{}", r.file.as_str()),
    }
}

fn fields(r: &RecordedRow, hosts: &[String]) -> [String; 13] {
    [
        r.plot.to_string(),
        rank(r).map_or(String::new(), |k| k.to_string()),
        host(r, hosts).to_string(),
        r.status.name().to_string(),
        r.attempt.to_string(),
        r.file.to_string(),
        r.object.to_string(),
        r.elapsed.to_string(),
        r.bytes.to_string(),
        r.dropped.to_string(),
        r.reason.to_string(),
        r.archive.to_string(),
        r.offset.to_string(),
    ]
}
