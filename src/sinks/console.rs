//! What rank 0 prints: the header, a result line a plot, the per-rank timing table and the
//! summary — the console sink — as strings first, so that they are tested without a terminal.

use super::sink::{Notes, RunEnd, Sink, SinkError};
use super::tally::RankTiming;
use crate::output::pack::archive_name;
use crate::output::OutputDir;
use crate::plan::{Counts, PlotResult, PlotStatus};
use crate::text::escape_controls;
use comfy_table::{presets, CellAlignment, Table};
use std::fmt::Write;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Writes `text` to stdout. A closed pipe (`| head`) is not an error: the reader has what it
/// wanted, and the Unix way is to stop quietly.
pub fn print(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    quiet_when_closed(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
}

/// The one rule for a closed stdout (`| head` read what it wanted): what was being printed
/// ends there, quietly, and that is no error.
pub fn quiet_when_closed(printed: std::io::Result<()>) -> std::io::Result<()> {
    match printed {
        Err(e) if stdout_closed(&e) => Ok(()),
        other => other,
    }
}

/// Whether `e`, or an error under it, is the broken pipe of a closed stdout.
pub fn stdout_closed(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(e);
    while let Some(e) = next {
        // csv keeps its I/O error inside, without a `source()`.
        let io = e.downcast_ref::<std::io::Error>().or_else(|| {
            e.downcast_ref::<csv::Error>().and_then(|c| match c.kind() {
                csv::ErrorKind::Io(io) => Some(io),
                _ => None,
            })
        });
        if io.is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) {
            return true;
        }
        next = e.source();
    }
    false
}

/// The console sink: a line a plot as the windows arrive (failures only with `--quiet`), the
/// timing table and the summary at the end.
pub struct Console<'a> {
    out: &'a OutputDir,
    notes: &'a Notes,
    quiet: bool,
    stdout: std::io::BufWriter<std::io::Stdout>,
    /// Set when stdout was closed: nothing more is printed, and that is no error.
    closed: bool,
}

impl<'a> Console<'a> {
    pub fn new(out: &'a OutputDir, notes: &'a Notes, quiet: bool) -> Console<'a> {
        Console {
            out,
            notes,
            quiet,
            stdout: std::io::BufWriter::new(std::io::stdout()),
            closed: false,
        }
    }

    /// Where plot `r` is: its file, or for a packed plot `ARCHIVE:MEMBER`, as ar(1) and
    /// friends name a member.
    fn place(&self, r: &PlotResult) -> PathBuf {
        match u32::try_from(r.archive) {
            Ok(archive) => PathBuf::from(format!(
                "{}:{}",
                self.out.root().join(archive_name(archive)).display(),
                self.out.relative_path(r.plot_num).display()
            )),
            Err(_) => self.out.path(r.plot_num),
        }
    }

    fn print_window(&mut self, results: &[PlotResult]) -> std::io::Result<()> {
        for r in results {
            if let Some(note) = self.notes.remade.get(&r.plot_num) {
                writeln!(self.stdout, "Remade: plot {}: {note}", r.plot_num)?;
            }
            if !self.quiet || r.is_failed() {
                let reason = self.notes.reasons.get(&r.plot_num).map(String::as_str);
                let line = result_line(r, &self.place(r), reason);
                writeln!(self.stdout, "{line}")?;
            }
        }
        Ok(())
    }

    fn print_end(&mut self, end: &RunEnd<'_>) -> std::io::Result<()> {
        let drawing: Vec<f64> = end.ranks.iter().map(|r| r.drawing).collect();
        let wall = end.attributes.wall_seconds;
        writeln!(self.stdout)?;
        writeln!(self.stdout, "{}", rank_table(end.ranks))?;
        writeln!(self.stdout, "{}", summary(&end.counts, wall, &drawing))?;
        self.stdout.flush()
    }

    /// A printing error, unless stdout was closed: then printing stops quietly.
    fn printed(&mut self, printed: std::io::Result<()>) -> Result<(), SinkError> {
        if printed.is_err() {
            self.closed = true;
        }
        Ok(quiet_when_closed(printed)?)
    }
}

impl Sink for Console<'_> {
    fn window(&mut self, results: &[PlotResult]) -> Result<(), SinkError> {
        if self.closed {
            return Ok(());
        }
        let printed = self.print_window(results);
        self.printed(printed)
    }

    fn finish(&mut self, end: &RunEnd<'_>) -> Result<Option<String>, SinkError> {
        if !self.closed {
            let printed = self.print_end(end);
            self.printed(printed)?;
        }
        Ok(None)
    }
}

pub fn plural(n: u64, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Where a run's seed came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedOrigin {
    Given,
    Drawn,
    /// `--resume` without `--seed`: the earlier run's, from the manifest.
    Earlier,
}

pub fn header(num_plots: u64, ranks: usize, hosts: usize, seed: u64, origin: SeedOrigin) -> String {
    let mut line = format!(
        "Making {} of random data on {} ({}), seed {seed}",
        plural(num_plots, "plot"),
        plural(ranks as u64, "rank"),
        plural(hosts as u64, "host"),
    );
    match origin {
        SeedOrigin::Given => {}
        SeedOrigin::Drawn => {
            let _ = write!(line, " (drawn at random; repeat with --seed {seed})");
        }
        SeedOrigin::Earlier => line.push_str(" (the earlier run's, from its manifest)"),
    }
    line
}

pub fn input_header(objects: usize, plots: u64, input: &str, ranks: usize, hosts: usize) -> String {
    let what = if plots == objects as u64 {
        plural(plots, "plot")
    } else {
        format!(
            "{} of {}",
            plural(plots, "plot"),
            plural(objects as u64, "object")
        )
    };
    format!(
        "Making {what} of HDF5 data from {input} on {} ({})",
        plural(ranks as u64, "rank"),
        plural(hosts as u64, "host"),
    )
}

/// "progress: 1200/2000 plots (60 %), 160 plots/s, about 5 s to go"
pub fn progress_line(done: u64, total: u64, elapsed: f64) -> String {
    let rate = if elapsed > 0.0 {
        done as f64 / elapsed
    } else {
        0.0
    };
    let left = if rate > 0.0 {
        format!(
            "about {:.0} s to go",
            (total - done.min(total)) as f64 / rate
        )
    } else {
        "time to go unknown".to_string()
    };
    let percent = 100.0 * done as f64 / total.max(1) as f64;
    format!("progress: {done}/{total} plots ({percent:.0} %), {rate:.0} plots/s, {left}")
}

pub fn result_line(record: &PlotResult, path: &Path, reason: Option<&str>) -> String {
    let path = escape_controls(&path.display().to_string()).into_owned();
    if record.status == PlotStatus::Skipped {
        return format!("Skipped: plot {}, {path} is already there", record.plot_num,);
    }
    if record.status == PlotStatus::NotDone {
        return format!("Not done: plot {} (interrupted)", record.plot_num);
    }
    if record.is_ok() {
        let mut line = format!(
            "Result: plot {} written to {path} (rank {}, {:.1} ms",
            record.plot_num,
            record.rank,
            record.elapsed * 1e3
        );
        if record.dropped > 0 {
            let _ = write!(
                line,
                ", {} rows with NaN or infinity left out",
                record.dropped
            );
        }
        line.push(')');
        line
    } else {
        format!(
            "Failed: plot {} on rank {}: {}",
            record.plot_num,
            record.rank,
            reason.unwrap_or(
                "reason not sent (more than 1000 failures on that rank; see the first ones)"
            )
        )
    }
}

pub fn rank_table(rows: &[RankTiming]) -> String {
    let mut table = Table::new();
    table.load_preset(presets::NOTHING);
    table.set_header([
        "rank", "host", "drawn", "failed", "skipped", "draw s", "wait s", "ms/plot", "max ms",
    ]);
    for row in rows {
        let ms = row
            .ms_per_plot()
            .map_or("-".into(), |ms| format!("{ms:.2}"));
        table.add_row([
            row.rank.to_string(),
            // A host's name is whatever the node calls itself.
            escape_controls(&row.host).into_owned(),
            row.drawn.to_string(),
            row.failed.to_string(),
            row.skipped.to_string(),
            format!("{:.3}", row.drawing),
            format!("{:.3}", row.waiting),
            ms,
            if row.drawn > 0 {
                format!("{:.2}", row.max * 1e3)
            } else {
                "-".into()
            },
        ]);
    }
    for column in [0, 2, 3, 4, 5, 6, 7, 8] {
        if let Some(c) = table.column_mut(column) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    // comfy-table pads the last column; trailing blanks only get in the way of tools.
    table
        .lines()
        .map(|l| l.trim_end().to_string() + "\n")
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// Max over mean of the ranks' drawing seconds: 1.0 is perfect balance. `None` if nobody
/// drew.
pub fn imbalance(drawing: &[f64]) -> Option<f64> {
    let mean = drawing.iter().sum::<f64>() / drawing.len() as f64;
    let max = drawing.iter().copied().fold(0.0, f64::max);
    (mean > 0.0).then(|| max / mean)
}

/// The last line: plots, wall time, rate, balance of the drawing work, and what was not done.
pub fn summary(counts: &Counts, wall: f64, drawing: &[f64]) -> String {
    let Counts {
        done,
        failed,
        skipped,
        not_done,
    } = *counts;
    let rate = if wall > 0.0 { done as f64 / wall } else { 0.0 };
    // Slow runs (big plots, PDF) still get a readable rate.
    let rate = if rate < 10.0 {
        format!("{rate:.2}")
    } else {
        format!("{rate:.0}")
    };
    let balance = imbalance(drawing).map_or("n/a".into(), |i| format!("{i:.2}"));
    let mut line = format!(
        "{} in {wall:.2} s on {}: {rate} plots/s, load imbalance {balance} (max drawing / mean drawing)",
        plural(done, "plot"),
        plural(drawing.len() as u64, "rank"),
    );
    if skipped > 0 {
        let _ = write!(line, "; {skipped} skipped (already there)");
    }
    if failed > 0 {
        let _ = write!(line, "; {failed} FAILED");
    }
    if not_done > 0 {
        let _ = write!(
            line,
            "; {not_done} NOT DONE (interrupted: run again with --resume)"
        );
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sinks::Tally;

    fn rec(plot_num: u64, rank: i32, elapsed: f64, status: PlotStatus) -> PlotResult {
        PlotResult {
            plot_num,
            rank,
            elapsed,
            status,
            bytes: 1,
            dropped: 0,
            ..PlotResult::default()
        }
    }

    #[test]
    fn header_says_where_the_seed_came_from() {
        assert_eq!(
            header(64, 16, 2, 1234567, SeedOrigin::Given),
            "Making 64 plots of random data on 16 ranks (2 hosts), seed 1234567"
        );
        let drawn = header(1, 1, 1, 9, SeedOrigin::Drawn);
        assert!(drawn.starts_with("Making 1 plot of random data on 1 rank (1 host), seed 9"));
        assert!(drawn.contains("--seed 9"));
    }

    #[test]
    fn result_lines_for_success_and_failure() {
        let ok = result_line(
            &rec(1, 0, 0.0021, PlotStatus::Ok),
            Path::new("plots/plot_1.png"),
            None,
        );
        assert_eq!(
            ok,
            "Result: plot 1 written to plots/plot_1.png (rank 0, 2.1 ms)"
        );
        let failed = result_line(
            &rec(3, 2, 0.0, PlotStatus::Failed),
            Path::new("x"),
            Some("disk full"),
        );
        assert_eq!(failed, "Failed: plot 3 on rank 2: disk full");
    }

    #[test]
    fn table_rows_count_every_plot_once() {
        let records = [
            rec(1, 0, 0.002, PlotStatus::Ok),
            rec(2, 0, 0.004, PlotStatus::Ok),
            rec(3, 1, 0.003, PlotStatus::Failed),
            rec(4, 1, 0.001, PlotStatus::Skipped),
        ];
        let hosts = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        let mut tally = Tally::new(3);
        tally.add(&records[..1]);
        tally.add(&records[1..]);
        // Rank 1 spent 0.010 s in all: 0.004 on its plots, the rest waiting for work.
        let rows = tally.rank_rows(&[0.006, 0.010, 0.0], &hosts);
        assert_eq!(rows.iter().map(|r| r.drawn).collect::<Vec<_>>(), [2, 1, 0]);
        assert_eq!((rows[1].failed, rows[1].skipped), (1, 1));
        assert!(
            (rows[1].waiting - 0.006).abs() < 1e-12,
            "{}",
            rows[1].waiting
        );
        assert_eq!(rows[0].max, 0.004);
        assert_eq!(rows[0].ms_per_plot(), Some(3.0));
        assert_eq!(
            rows[1].ms_per_plot(),
            Some(3.0),
            "skipped plots are not drawn"
        );
        assert_eq!(rows[2].ms_per_plot(), None);

        let table = rank_table(&rows);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4, "{table}");
        assert!(lines[0].contains("rank") && lines[0].contains("ms/plot"));
        let cells: Vec<&str> = lines[1].split_whitespace().collect();
        assert_eq!(
            cells,
            ["0", "a", "2", "0", "0", "0.006", "0.000", "3.00", "4.00"]
        );
        assert!(
            lines[3].split_whitespace().any(|c| c == "-"),
            "idle rank has no ms/plot"
        );
    }

    #[test]
    fn the_table_escapes_what_a_host_calls_itself() {
        let row = RankTiming {
            rank: 0,
            host: "node\u{1b}[2J\u{202e}1".into(),
            drawn: 0,
            failed: 0,
            skipped: 0,
            drawing: 0.0,
            waiting: 0.0,
            max: 0.0,
        };
        let table = rank_table(&[row]);
        for line in table.lines() {
            assert!(!line.contains(crate::text::is_unsafe_to_show), "{line:?}");
        }
        assert!(table.contains("node\\u{1b}[2J\\u{202e}1"), "{table}");
    }

    #[test]
    fn progress_says_how_far_and_how_long() {
        assert_eq!(
            progress_line(1200, 2000, 7.5),
            "progress: 1200/2000 plots (60 %), 160 plots/s, about 5 s to go"
        );
        assert!(progress_line(0, 10, 0.0).ends_with("time to go unknown"));
    }

    #[test]
    fn imbalance_is_max_over_mean() {
        assert_eq!(imbalance(&[1.0, 1.0]), Some(1.0));
        assert_eq!(imbalance(&[3.0, 1.0]), Some(1.5));
        assert_eq!(imbalance(&[0.0, 0.0]), None);
    }

    #[test]
    fn summary_counts_failures() {
        let mut tally = Tally::new(2);
        tally.add(&[
            rec(1, 0, 0.1, PlotStatus::Ok),
            rec(2, 1, 0.1, PlotStatus::Failed),
            PlotResult::not_done(3),
        ]);
        let counts = tally.counts();
        assert_eq!((counts.done, counts.failed, counts.not_done), (1, 1, 1));
        let s = summary(
            &Counts {
                not_done: 0,
                ..counts
            },
            0.5,
            &[0.1, 0.1],
        );
        assert_eq!(s, "1 plot in 0.50 s on 2 ranks: 2.00 plots/s, load imbalance 1.00 (max drawing / mean drawing); 1 FAILED");
    }
}
