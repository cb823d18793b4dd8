//! What rank 0 prints: result lines, the per-rank timing table and the summary, as strings.
//! Also the compact text form in which failure reasons travel to rank 0.

use crate::plan::{Counts, PlotResult, PlotStatus};
use crate::source::input::layouts::Found;
use crate::source::input::Listing;
use comfy_table::{presets, CellAlignment, Table};
use std::collections::HashMap;
use std::fmt::Write;
use std::path::Path;

/// Longest failure reason sent to rank 0, so one bad plot cannot flood the gather.
pub const MAX_REASON_BYTES: usize = 1024;
/// Reasons one rank sends at most (about 1 MiB); beyond, its failures are only counted,
/// so that a run where every plot fails (a full disk) cannot overflow MPI's int counts.
pub const MAX_REASONS_PER_RANK: usize = 1000;

/// Writes `text` to stdout. A closed pipe (`| head`) is not an error: the reader has what it
/// wanted, and the Unix way is to stop quietly.
pub fn print(text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

fn plural(n: u64, word: &str) -> String {
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

/// `--list`: each object of the input and what it gives, then what is left out and why.
pub fn listing(input: &std::path::Path, listing: &Listing) -> String {
    let mut out = format!(
        "{}: {} from {}\n",
        escape_controls(&input.display().to_string()),
        plural(
            listing.objects.iter().map(|o| o.frames()).sum::<u64>(),
            "plot"
        ),
        plural(listing.objects.len() as u64, "object"),
    );
    for (object, what) in listing.objects.iter().zip(&listing.described) {
        let plots = if object.has_frames() {
            format!("{} {}s", object.frames(), object.kind.name())
        } else {
            format!("1 {}", object.kind.name())
        };
        out += &format!(
            "  {}  {plots}: {}\n",
            escape_controls(&object.path),
            escape_controls(what)
        );
    }
    let left_out: Vec<_> = listing.others.iter().collect();
    if !left_out.is_empty() || !listing.unopened.is_empty() {
        out += "Not plotted:\n";
    }
    for (path, found) in left_out {
        let why = match found {
            Found::Support(why) | Found::Unplottable(why) => why.as_str(),
            Found::Plots { what, .. } => what.as_str(),
        };
        out += &format!("  {}  {}\n", escape_controls(path), escape_controls(why));
    }
    for u in &listing.unopened {
        out += &format!(
            "  {}  could not be opened: {}\n",
            escape_controls(&u.path),
            escape_controls(&u.reason)
        );
    }
    out
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

/// One rank's line of the timing table.
#[derive(Debug, Clone, PartialEq)]
pub struct RankTiming {
    pub rank: usize,
    pub host: String,
    /// Plots drawn (written or failed); skipped ones (`--resume`) apart.
    pub drawn: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Seconds spent drawing: the sum of the drawn plots' times.
    pub drawing: f64,
    /// Seconds of the rank's span not spent on its plots: waiting for work (the dynamic
    /// schedule's requests) and, on rank 0, handing it out.
    pub waiting: f64,
    /// Slowest single plot drawn, in seconds.
    pub max: f64,
}

impl RankTiming {
    pub fn ms_per_plot(&self) -> Option<f64> {
        (self.drawn > 0).then(|| self.drawing * 1e3 / self.drawn as f64)
    }
}

/// One rank's sums over its results.
#[derive(Debug, Clone, Copy, Default)]
struct RankTally {
    drawn: usize,
    failed: usize,
    skipped: usize,
    drawing: f64,
    /// Seconds on all handled plots, skipped ones included.
    handling: f64,
    max: f64,
}

/// What the timing table and the summary need, added up a window of results at a time, so
/// that rank 0 never holds every result at once.
#[derive(Debug, Clone)]
pub struct Tally {
    ranks: Vec<RankTally>,
    counts: Counts,
}

impl Tally {
    pub fn new(ranks: usize) -> Tally {
        Tally {
            ranks: vec![RankTally::default(); ranks],
            counts: Counts::default(),
        }
    }

    pub fn add(&mut self, results: &[PlotResult]) {
        for r in results {
            self.counts.add(r.status);
            let Some(rank) = usize::try_from(r.rank)
                .ok()
                .and_then(|k| self.ranks.get_mut(k))
            else {
                continue;
            };
            rank.handling += r.elapsed;
            match r.status {
                PlotStatus::Skipped => rank.skipped += 1,
                PlotStatus::NotDone => {}
                PlotStatus::Ok | PlotStatus::Failed => {
                    rank.drawn += 1;
                    rank.failed += usize::from(r.is_failed());
                    rank.drawing += r.elapsed;
                    rank.max = rank.max.max(r.elapsed);
                }
            }
        }
    }

    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// The timing table's rows, given each rank's span (seconds from its start of work to
    /// its end) and host.
    pub fn rank_rows(&self, spans: &[f64], hosts: &[String]) -> Vec<RankTiming> {
        self.ranks
            .iter()
            .zip(spans.iter().zip(hosts))
            .enumerate()
            .map(|(rank, (t, (&span, host)))| RankTiming {
                rank,
                host: host.clone(),
                drawn: t.drawn,
                failed: t.failed,
                skipped: t.skipped,
                drawing: t.drawing,
                waiting: (span - t.handling).max(0.0),
                max: t.max,
            })
            .collect()
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
            row.host.clone(),
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

/// `text` with its control characters (a terminal escape in an object's name) written as
/// escapes, so that printing it can neither drive a terminal nor hide in a log.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// Per-plot texts (failure reasons, notes) as `plot<TAB>text` lines: the first `MAX_REASONS_PER_RANK`, each cut
/// to `MAX_REASON_BYTES`.
pub fn encode_reasons<E: std::fmt::Display>(failures: &[(u64, E)]) -> Vec<u8> {
    let mut out = String::new();
    for (plot, reason) in failures.iter().take(MAX_REASONS_PER_RANK) {
        let one_line = reason.to_string().replace(['\n', '\r', '\t'], " ");
        let one_line = escape_controls(&one_line);
        let mut end = one_line.len().min(MAX_REASON_BYTES);
        while !one_line.is_char_boundary(end) {
            end -= 1;
        }
        let _ = writeln!(out, "{plot}\t{}", &one_line[..end]);
    }
    out.into_bytes()
}

pub fn decode_reasons(blobs: &[Vec<u8>]) -> HashMap<u64, String> {
    let mut reasons = HashMap::new();
    for blob in blobs {
        for line in String::from_utf8_lossy(blob).lines() {
            if let Some((plot, reason)) = line.split_once('\t') {
                if let Ok(plot) = plot.parse() {
                    reasons.insert(plot, reason.to_string());
                }
            }
        }
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn failure_reasons_round_trip_and_are_bounded() {
        let long = "é".repeat(MAX_REASON_BYTES);
        let blob = encode_reasons(&[(3, "line\nbreak".into()), (7, long)]);
        let back = decode_reasons(&[blob, Vec::new()]);
        assert_eq!(back[&3], "line break");
        assert!(back[&7].len() <= MAX_REASON_BYTES && back[&7].starts_with('é'));
    }

    #[test]
    fn a_rank_sends_a_bounded_number_of_reasons() {
        let many: Vec<(u64, String)> = (0..5000).map(|k| (k, "x".repeat(2000))).collect();
        let blob = encode_reasons(&many);
        assert!(blob.len() <= MAX_REASONS_PER_RANK * (MAX_REASON_BYTES + 8));
        assert_eq!(decode_reasons(&[blob]).len(), MAX_REASONS_PER_RANK);
    }
}
