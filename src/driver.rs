//! One run: plan → scatter → render → gather → report → record. Rank 0 plans, reports and
//! records; every rank renders its own block. Results reach rank 0 a window of plots at a
//! time (see `window`), so its memory does not grow with the number of plots.

use crate::comm::{self, Comm};
use crate::config::{Config, Schedule};
use crate::progress::{self, Progress};
use crate::record::{self, DataLink, RunInfo};
use crate::render::Renderer;
use crate::report::{self, Tally};
use crate::savedata::{self, DataFile};
use crate::source::{self, Source};
use crate::task::{self, Plan, Record};
use crate::window;
use std::collections::HashMap;
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// How a run ended, as rank 0 saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    AllWritten,
    SomeFailed,
    /// A signal stopped the run before every plot was drawn.
    Interrupted,
}

/// What every rank knows before the work starts.
pub struct Run<'a> {
    pub config: &'a Config,
    pub plan: &'a Plan,
    pub seed: u64,
    /// Version and build line for the record.
    pub build: String,
    /// Set by SIGTERM, SIGUSR1 or SIGINT: finish the plot in hand, take no new one.
    pub stop: &'a AtomicBool,
    /// Stale temporary files rank 0 removed before the run (--resume).
    pub removed_temporaries: usize,
}

/// The outcome of one rank's block.
struct Block {
    records: Vec<Record>,
    failures: Vec<(u64, String)>,
    busy: f64,
}

pub fn run(comm: &Comm, run: &Run) -> std::io::Result<Outcome> {
    let start_time = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let hosts = comm
        .gather_bytes(comm::processor_name().as_bytes())
        .map(|h| {
            h.iter()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .collect::<Vec<_>>()
        });
    // Rank 0 must reach every collective even if it cannot print (a closed pipe, a full
    // disk), or the other ranks would wait for it forever: errors are kept, not returned.
    let header_printed = hosts.as_ref().map_or(Ok(()), |hosts| {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", header(run, comm.size(), distinct(hosts).len()))?;
        if run.removed_temporaries > 0 {
            let n = run.removed_temporaries;
            writeln!(
                out,
                "Removed {n} temporary file(s) left by an interrupted run"
            )?;
        }
        out.flush()
    });

    comm.barrier();
    let start = comm.time();
    let n = run.plan.num_plots();
    let (block, progress) = match run.config.schedule {
        Schedule::Static => {
            let pairs = if comm.is_root() {
                task::blocks(n, comm.size())
            } else {
                Vec::new()
            };
            let [first, count] = comm.scatter_pairs(&pairs);
            (render_block(comm, run, first..first + count), None)
        }
        Schedule::Dynamic if comm.size() == 1 => (render_block(comm, run, 1..n + 1), None),
        Schedule::Dynamic if comm.is_root() => {
            let (block, progress) = coordinate(comm, run, chunk_size(run, comm.size()));
            (block, Some(progress))
        }
        Schedule::Dynamic => (work_on_request(comm, run), None),
    };
    comm.wait_for_all();
    // The drawing time: gathering, printing and recording the results come after.
    let wall = comm.time() - start;
    // Rank 0 counted only what the others had reported when they asked for work.
    let handled = comm.gather_one(&(block.records.len() as u64));
    if let (Some(progress), Some(handled)) = (progress, handled) {
        progress.finish(handled.iter().sum());
    }

    let busy = comm.gather_one(&block.busy);
    let failures = comm.gather_bytes(&report::encode_failures(&block.failures));
    let mut window = [window::size_from_env()];
    comm.broadcast(&mut window);
    let mut reporter = match (busy, failures, hosts) {
        (Some(busy), Some(failures), Some(hosts)) => Some(Reporter::new(
            run,
            report::decode_failures(&failures),
            busy,
            hosts,
        )),
        _ => None,
    };
    gather_in_windows(comm, block.records, n, window[0], reporter.as_mut());
    let Some(reporter) = reporter else {
        return Ok(Outcome::AllWritten); // not rank 0: nothing to report
    };
    let outcome = reporter.finish(comm, start_time, wall);
    header_printed.and(outcome)
}

/// Every rank sends its records a window of plots at a time (the same rounds on every rank);
/// rank 0 hands each window, in plot order and complete, to its reporter.
fn gather_in_windows(
    comm: &Comm,
    mut records: Vec<Record>,
    n: u64,
    size: u64,
    mut reporter: Option<&mut Reporter>,
) {
    // Both schedules hand out plots in increasing order; the windows must not depend on it.
    records.sort_by_key(|r| r.plot_num);
    for w in 0..window::count(n, size) {
        let plots = window::plots(w, size, n);
        let gathered = comm.gather_all(window::records_in(&records, &plots));
        if let (Some(reporter), Some(gathered)) = (reporter.as_deref_mut(), gathered) {
            reporter.window(window::assemble(gathered, plots));
        }
    }
}

/// Rank 0's side of the results: prints each window's lines and writes its rows to the run
/// record as it arrives, keeping only the per-rank tallies the table and summary need.
struct Reporter<'a> {
    run: &'a Run<'a>,
    reasons: HashMap<u64, String>,
    busy: Vec<f64>,
    hosts: Vec<String>,
    /// Each rank's host as an index into the distinct hosts.
    host_index: Vec<u32>,
    tally: Tally,
    out: std::io::BufWriter<std::io::Stdout>,
    /// The first printing error: rank 0 must still reach every collective, so it is kept.
    printed: std::io::Result<()>,
    /// None without a record; an error once writing it failed.
    record: Option<Result<record::Writer, record::RecordError>>,
    /// Seconds spent writing the record.
    record_time: f64,
    /// Rows of `/results` written so far.
    rows: usize,
    /// Where `/data` links point, with --save-data.
    data_base: Option<PathBuf>,
}

impl<'a> Reporter<'a> {
    fn new(
        run: &'a Run<'a>,
        reasons: HashMap<u64, String>,
        busy: Vec<f64>,
        hosts: Vec<String>,
    ) -> Reporter<'a> {
        let distinct = distinct(&hosts);
        let host_index = hosts
            .iter()
            .map(|h| distinct.iter().position(|d| *d == h).unwrap_or(0) as u32)
            .collect();
        let began = Instant::now();
        let record = run
            .config
            .record
            .as_ref()
            .map(|path| record::Writer::create(path, run.plan.num_plots()));
        let data_base = match &run.config.record {
            Some(path) if run.config.save_data => Some(data_base(run, path)),
            _ => None,
        };
        Reporter {
            run,
            reasons,
            tally: Tally::new(busy.len()),
            busy,
            hosts,
            host_index,
            out: std::io::BufWriter::new(std::io::stdout()),
            printed: Ok(()),
            record,
            record_time: began.elapsed().as_secs_f64(),
            rows: 0,
            data_base,
        }
    }

    /// One window of records, in plot order and complete.
    fn window(&mut self, records: Vec<Record>) {
        self.tally.add(&records);
        if self.printed.is_ok() {
            self.printed = self.print(&records);
        }
        let began = Instant::now();
        // A failed write drops the writer, and with it the temporary file.
        self.record = match self.record.take() {
            Some(Ok(mut writer)) => Some(self.write(&mut writer, &records).map(|()| writer)),
            other => other,
        };
        self.rows += records.len();
        self.record_time += began.elapsed().as_secs_f64();
    }

    fn print(&mut self, records: &[Record]) -> std::io::Result<()> {
        let config = self.run.config;
        for r in records {
            if !config.quiet || r.is_failed() {
                let path = config.output_dir.join(relative_path(self.run, r.plot_num));
                let reason = self.reasons.get(&r.plot_num).map(String::as_str);
                writeln!(self.out, "{}", report::result_line(r, &path, reason))?;
            }
        }
        Ok(())
    }

    fn write(
        &self,
        writer: &mut record::Writer,
        records: &[Record],
    ) -> Result<(), record::RecordError> {
        let rows = record::result_rows(
            records,
            |k| relative_path(self.run, k).display().to_string(),
            &self.reasons,
            &self.host_index,
        );
        writer.write_results(self.rows, &rows)?;
        if let Some(base) = &self.data_base {
            writer.link_data(&data_links(self.run, base, records))?;
        }
        Ok(())
    }

    /// The table, the summary and the record's run-wide part.
    fn finish(mut self, comm: &Comm, start_time: String, wall: f64) -> std::io::Result<Outcome> {
        let rows = self.tally.rank_rows(&self.busy, &self.hosts);
        let counts = self.tally.counts();
        if self.printed.is_ok() {
            self.printed = (|| {
                writeln!(self.out)?;
                writeln!(self.out, "{}", report::rank_table(&rows))?;
                writeln!(self.out, "{}", report::summary(&counts, wall, &self.busy))?;
                self.out.flush()
            })();
        }
        let mut outcome = if counts.not_done > 0 {
            Outcome::Interrupted
        } else if counts.failed > 0 {
            Outcome::SomeFailed
        } else {
            Outcome::AllWritten
        };
        let began = Instant::now();
        let recorded = self.record.take().map(|writer| {
            let info = run_info(self.run, &self.hosts, start_time, wall, comm.size());
            writer.and_then(|w| w.finish(&info, &counts, &record::rank_records(&rows)))
        });
        let took = self.record_time + began.elapsed().as_secs_f64();
        match (recorded, &self.run.config.record) {
            (Some(Ok(())), Some(path)) => {
                let line = format!("Run record: {} ({took:.2} s)", path.display());
                self.printed = self
                    .printed
                    .and_then(|()| writeln!(std::io::stdout(), "{line}"));
            }
            (Some(Err(e)), _) => {
                eprintln!("plotrand-mpi: {e}");
                if outcome == Outcome::AllWritten {
                    outcome = Outcome::SomeFailed;
                }
            }
            _ => {}
        }
        self.printed.map(|()| outcome)
    }
}

impl Run<'_> {
    fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

/// Plots per request: `--chunk`, else about 8 requests per rank, at most 256 plots.
fn chunk_size(run: &Run, ranks: usize) -> u64 {
    run.config
        .chunk
        .unwrap_or_else(|| (run.plan.num_plots() / (ranks as u64 * 8)).clamp(1, 256))
}

fn header(run: &Run, ranks: usize, hosts: usize) -> String {
    match (&run.config.input, run.plan) {
        (Some(input), Plan::Input { objects, .. }) => {
            report::input_header(objects.len(), &input.display().to_string(), ranks, hosts)
        }
        _ => report::header(
            run.plan.num_plots(),
            ranks,
            hosts,
            run.seed,
            run.config.seed.is_some(),
        ),
    }
}

fn distinct(hosts: &[String]) -> Vec<&String> {
    let mut seen: Vec<&String> = Vec::new();
    for h in hosts {
        if !seen.contains(&h) {
            seen.push(h);
        }
    }
    seen
}

/// Draws plots one by one for this rank. A plot that fails — even by panicking — is recorded
/// with its reason and the rank goes on to the next. A rank that cannot read the input or
/// create its data file fails each of its plots with the reason, rather than stopping and
/// leaving the others waiting.
struct Plotter<'a> {
    comm: &'a Comm,
    run: &'a Run<'a>,
    source: Result<Source, String>,
    /// Created at the first plot, so ranks without plots leave no empty file.
    data_file: Option<Result<DataFile, String>>,
    renderer: Renderer,
    block: Block,
    begin: f64,
}

impl<'a> Plotter<'a> {
    fn new(comm: &'a Comm, run: &'a Run<'a>) -> Plotter<'a> {
        Plotter {
            comm,
            run,
            source: open_source(run),
            data_file: None,
            renderer: Renderer::new(run.config.figure, run.config.sync),
            block: Block {
                records: Vec::new(),
                failures: Vec::new(),
                busy: 0.0,
            },
            begin: comm.time(),
        }
    }

    fn plot(&mut self, plot_num: u64) {
        let (run, config) = (self.run, self.run.config);
        let t0 = self.comm.time();
        if config.resume {
            let path = config.output_dir.join(relative_path(run, plot_num));
            if let Ok(meta) = std::fs::metadata(path) {
                // Files only ever appear complete (temporary name, then rename): keep it.
                self.block.records.push(Record {
                    plot_num,
                    rank: self.comm.rank(),
                    bytes: meta.len(),
                    status: Record::SKIPPED,
                    elapsed: self.comm.time() - t0,
                    ..Record::default()
                });
                return;
            }
        }
        if config.save_data && self.data_file.is_none() {
            self.data_file = Some(DataFile::create(&config.output_dir, self.comm.rank()));
        }
        let name = run
            .plan
            .file_name(plot_num, config.figure.format.extension());
        let (source, data_file, renderer) = (&self.source, &self.data_file, &mut self.renderer);
        let result = panic::catch_unwind(AssertUnwindSafe(|| -> Result<(u64, u64), String> {
            let source = source.as_ref().map_err(Clone::clone)?;
            let data = source.load(run.plan, plot_num)?;
            let dir = plot_dir(config, plot_num)?;
            let bytes = renderer
                .plot_to_file(&data, &dir, &name)
                .map_err(|e| e.to_string())?;
            if let Some(f) = data_file {
                let f = f.as_ref().map_err(Clone::clone)?;
                let origin = run
                    .plan
                    .object(plot_num)
                    .map_or_else(|| format!("random, seed {}", run.seed), str::to_owned);
                f.write(stem(&name), plot_num, &origin, &data.points)?;
            }
            Ok((bytes, data.dropped))
        }));
        let outcome = result
            .unwrap_or_else(|panic| Err(format!("internal error: {}", panic_message(&*panic))));
        let mut record = Record {
            plot_num,
            rank: self.comm.rank(),
            elapsed: self.comm.time() - t0,
            ..Record::default()
        };
        match outcome {
            Ok((bytes, dropped)) => (record.bytes, record.dropped) = (bytes, dropped),
            Err(reason) => {
                record.status = Record::FAILED;
                self.block.failures.push((plot_num, reason));
            }
        }
        self.block.records.push(record);
    }

    fn finish(mut self) -> Block {
        if let Some(Ok(f)) = self.data_file {
            if let Err(reason) = f.finish() {
                // Without its data file a plot's saved data is lost: the plot did not do its job.
                for r in self.block.records.iter_mut().filter(|r| r.is_ok()) {
                    r.status = Record::FAILED;
                    self.block.failures.push((r.plot_num, reason.clone()));
                }
            }
        }
        self.block.busy = self.comm.time() - self.begin;
        self.block
    }
}

/// Static schedule: this rank's contiguous block, as scattered.
fn render_block(comm: &Comm, run: &Run, plots: std::ops::Range<u64>) -> Block {
    let mut plotter = Plotter::new(comm, run);
    for plot_num in plots {
        if run.stopping() {
            break;
        }
        plotter.plot(plot_num);
    }
    plotter.finish()
}

/// Dynamic schedule, rank 0: hands out chunks of plots on request and draws plots itself,
/// one at a time, answering requests between them; prints progress every few seconds.
fn coordinate(comm: &Comm, run: &Run, chunk: u64) -> (Block, Progress) {
    let n = run.plan.num_plots();
    let mut plotter = Plotter::new(comm, run);
    let mut next = 1u64;
    let mut finished_workers = 0;
    let config = run.config;
    let display = progress::choose(
        config.progress_bar,
        config.progress_every,
        progress::output_is_terminal,
    );
    let mut progress = Progress::new(n, config.progress_every, display, comm.time());
    let mut reported = vec![0u64; comm.size()];
    let serve = |next: &mut u64, finished: &mut usize, reported: &mut [u64]| {
        while let Some((rank, done, stopping)) = comm.poll_request() {
            reported[rank as usize] = done;
            // A stopping rank, or a stopping run, gets no more work.
            let count = if stopping || run.stopping() {
                0
            } else {
                chunk.min(n + 1 - *next)
            };
            comm.assign(rank, *next, count);
            *next += count;
            if count == 0 {
                *finished += 1;
            }
        }
    };
    loop {
        serve(&mut next, &mut finished_workers, &mut reported);
        if next <= n && !run.stopping() {
            let plot_num = next;
            next += 1;
            plotter.plot(plot_num);
        } else if finished_workers == comm.size() - 1 {
            break;
        } else {
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
        let done = plotter.block.records.len() as u64 + reported.iter().sum::<u64>();
        progress.tick(done, comm.time());
    }
    (plotter.finish(), progress)
}

/// Dynamic schedule, other ranks: ask rank 0 for a chunk, and ask for the next one before
/// drawing the current one, so that rank 0's answer (given between its own plots) is never
/// waited for while there is work in hand.
fn work_on_request(comm: &Comm, run: &Run) -> Block {
    let mut plotter = Plotter::new(comm, run);
    comm.request_work(0, false);
    loop {
        let (start, count) = comm.receive_work();
        if count == 0 {
            break;
        }
        // Ask for the next chunk now, or, once stopping, say so: rank 0 then answers 0.
        let stopping = run.stopping();
        comm.request_work(plotter.block.records.len() as u64, stopping);
        if stopping {
            continue; // this chunk stays undone; rank 0 reports it
        }
        for plot_num in start..start + count {
            if run.stopping() {
                break;
            }
            plotter.plot(plot_num);
        }
    }
    plotter.finish()
}

/// Where plot `plot_num`'s file goes, relative to the output directory: with
/// --max-files-per-dir, in subdirectory `NNNN` of its block of plots.
fn relative_path(run: &Run, plot_num: u64) -> PathBuf {
    let name = run
        .plan
        .file_name(plot_num, run.config.figure.format.extension());
    match task::subdir(plot_num, run.config.max_files_per_dir) {
        Some(sub) => Path::new(&sub).join(name),
        None => PathBuf::from(name),
    }
}

/// The directory plot `plot_num` is written to, created if need be.
fn plot_dir(config: &Config, plot_num: u64) -> Result<PathBuf, String> {
    let Some(sub) = task::subdir(plot_num, config.max_files_per_dir) else {
        return Ok(config.output_dir.clone());
    };
    let dir = config.output_dir.join(sub);
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("could not create directory '{}': {e}", dir.display()))?;
    Ok(dir)
}

fn open_source(run: &Run) -> Result<Source, String> {
    match &run.config.input {
        None => Ok(Source::Random {
            seed: run.seed,
            points: run.config.points,
        }),
        Some(path) => source::hdf5::open(path)
            .map(|file| Source::Input { file })
            .map_err(|e| format!("could not open the input on this rank: {e}")),
    }
}

fn stem(file_name: &str) -> &str {
    file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem)
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic with a non-text payload".into())
}

/// The run-wide facts of the record.
fn run_info(run: &Run, hosts: &[String], start_time: String, wall: f64, ranks: usize) -> RunInfo {
    let config = run.config;
    RunInfo {
        program_version: env!("CARGO_PKG_VERSION").into(),
        build: run.build.clone(),
        mpi_library: comm::library_version(),
        command_line: command_line(),
        seed: run.seed,
        ranks: ranks as u32,
        hosts: distinct(hosts).into_iter().cloned().collect(),
        start_time,
        wall_seconds: wall,
        format: config.figure.format.extension().into(),
        points: if config.input.is_some() {
            0
        } else {
            config.points as u64
        },
        width: config.figure.width,
        height: config.figure.height,
        input: config
            .input
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
    }
}

/// Where the record's `/data` links find the data files: the output directory, relative to
/// the record (empty) when the record sits in it, else absolute.
fn data_base(run: &Run, record: &Path) -> PathBuf {
    let out = &run.config.output_dir;
    let beside = record.parent().map(|p| same_dir(p, out)).unwrap_or(false);
    if beside {
        PathBuf::new()
    } else {
        std::path::absolute(out).unwrap_or_else(|_| out.clone())
    }
}

/// `/data/<plot>` links to each written plot's group in its rank's data file, by a path
/// relative to the record when the record sits in the output directory (so the directory
/// can be moved as a whole), else by an absolute path.
fn data_links(run: &Run, base: &Path, records: &[Record]) -> Vec<DataLink> {
    let extension = run.config.figure.format.extension();
    records
        .iter()
        .filter(|r| r.is_ok())
        .map(|r| {
            let name = stem(&run.plan.file_name(r.plot_num, extension)).to_string();
            DataLink {
                file: base.join(savedata::rank_file(r.rank)).display().to_string(),
                object: format!("/{name}"),
                name,
            }
        })
        .collect()
}

fn same_dir(a: &Path, b: &Path) -> bool {
    let a = if a.as_os_str().is_empty() {
        Path::new(".")
    } else {
        a
    };
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// This process's argv as one shell-quoted line.
fn command_line() -> String {
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    shlex::try_join(args.iter().map(String::as_str)).unwrap_or_else(|_| args.join(" "))
}
