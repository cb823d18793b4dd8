//! One run: rank 0's checks and plan, shared with every rank → the schedule draws each
//! rank's plots → results reach rank 0 in windows → console report and run record.
//! Rank 0 alone touches the file system before the work and alone prints and records.

pub mod gather;
pub mod manifest;
pub mod plotter;
pub mod schedule;

mod frame_ranges;
mod signals;
mod start;

use crate::about;
use crate::comm::{self, wire, Comm};
use crate::config::Config;
use crate::exit::{Error, Exit};
use crate::output::fsinfo::{self, WriteStrategy};
use crate::output::pack::Packed;
use crate::plan::{Agreement, Plan};
use crate::run::plotter::RunContext;
use crate::sinks::console::{self, SeedOrigin};
use crate::sinks::record::{RecordOptions, RecordSink, RunAttributes};
use crate::sinks::{distinct, Console, Notes, Sink, SinkError, Sinks};
use crate::text::escape_controls;
use start::{output_dir, RootSetup};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::AtomicBool;

/// The plotting run `config` asks for, on every rank. Only rank 0 returns errors; the other
/// ranks learn from rank 0 that the run cannot start and end with its status, silently.
pub fn plot(comm: &Comm, config: &Config) -> Result<Exit, Error> {
    let build = about::build_text();
    guarded(comm, |stop| run(comm, config, &build, stop))
}

/// Runs `work` as every part of a plotting run runs (`--list` too): a signal only sets the
/// flag `work` is given (a second one ends the rank, exit 75), and a panic aborts every rank
/// with exit 70 rather than leave the others waiting in a collective.
pub fn guarded(
    comm: &Comm,
    work: impl FnOnce(&AtomicBool) -> Result<Exit, Error>,
) -> Result<Exit, Error> {
    // Installed before any plotting; a signal then only asks the ranks to stop between plots.
    let stop = match signals::stop_on_signals() {
        Ok(stop) => stop,
        Err(e) => comm.abort(
            &format!("could not install signal handlers: {e}"),
            Exit::Internal.code().into(),
        ),
    };
    match panic::catch_unwind(AssertUnwindSafe(|| work(&stop))) {
        Ok(outcome) => outcome,
        Err(_) => comm.abort(
            "internal error (see the panic message above)",
            Exit::Internal.code().into(),
        ),
    }
}

/// Runs the plots; `build` is the version text for the record and `stop` the flag the signal
/// handlers set.
fn run(comm: &Comm, config: &Config, build: &str, stop: &AtomicBool) -> Result<Exit, Error> {
    let agreed = match start::agree(comm, config) {
        Ok(Some(agreed)) => agreed,
        Ok(None) => return Ok(Exit::Usage),
        Err(e) => return Err(e.into_error()),
    };
    let Agreement {
        plan,
        seed,
        began_ns,
    } = &agreed.agreement;
    let began = std::time::UNIX_EPOCH + std::time::Duration::from_nanos(*began_ns);
    let mut out = output_dir(config, plan, config.resume.then_some(began));
    let strategy = fsinfo::resolve(config.write_strategy, &config.output_dir);
    if strategy == WriteStrategy::RankDir && !config.pack {
        out = out.staged_for(comm.rank());
    }
    let packed = share_packed(comm, config, plan, agreed.root.as_ref());
    let ctx = RunContext {
        config,
        plan,
        out: &out,
        seed: *seed,
        packed: packed.as_ref(),
        stop,
        choice: &config.choice,
    };
    plot_and_report(comm, &ctx, build, agreed.root.as_ref())
}

/// `--pack --resume`: which plots the archives hold, as rank 0 found them, on every rank.
fn share_packed(
    comm: &Comm,
    config: &Config,
    plan: &Plan,
    root: Option<&RootSetup>,
) -> Option<Packed> {
    if !(config.pack && config.resume) {
        return None;
    }
    let bits = root
        .and_then(|r| r.pack_index.as_ref())
        .map_or_else(Vec::new, |index| {
            index.packed(plan.num_plots()).as_bytes().to_vec()
        });
    Some(Packed::from_bytes(comm.broadcast_bytes(bits)))
}

fn plot_and_report(
    comm: &Comm,
    ctx: &RunContext,
    build: &str,
    root: Option<&RootSetup>,
) -> Result<Exit, Error> {
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
    let header_printed = match (&hosts, root) {
        (Some(hosts), Some(root)) => console::print(&header_lines(ctx, comm.size(), hosts, root)),
        _ => Ok(()),
    };

    comm.barrier();
    let start = comm.time();
    // Frames of one dataset share their scale: agreed before any is drawn.
    let choice = frame_ranges::shared_ranges(comm, ctx);
    let ctx = &RunContext {
        choice: &choice,
        ..*ctx
    };
    let (work, progress) = schedule::run(comm, ctx);
    comm.wait_for_all();
    // The drawing time: gathering, printing and recording the results come after.
    let wall = comm.time() - start;
    // Rank 0 counted only what the others had reported when they asked for work.
    let handled = comm.gather_one(&(work.results.len() as u64));
    if let (Some(progress), Some(handled)) = (progress, handled) {
        progress.finish(handled.iter().sum());
    }

    let spans = comm.gather_one(&work.span);
    // The typed errors become text here, once, to travel to rank 0.
    let failures = comm.gather_bytes(&wire::encode_reasons(&work.failures));
    let remade = comm.gather_bytes(&wire::encode_reasons(&work.remade));
    let n = ctx.plan.num_plots();
    let (Some(spans), Some(failures), Some(remade), Some(hosts), Some(root)) =
        (spans, failures, remade, hosts, root)
    else {
        gather::gather_in_windows(comm, work.results, n, None);
        return Ok(Exit::AllWritten); // not rank 0: nothing to report
    };
    let attempt = root.attempt;
    let attributes = run_attributes(ctx, build, &hosts, start_time, wall, attempt);
    let notes = Notes {
        reasons: wire::decode_reasons(&failures),
        remade: wire::decode_reasons(&remade),
    };
    let mut sinks = sinks(ctx, &notes, spans, hosts, root, header_printed);
    gather::gather_in_windows(comm, work.results, n, Some(&mut |w| sinks.window(w)));
    match sinks.finish(&attributes) {
        (exit, errors) if errors.is_empty() => Ok(exit),
        (exit, errors) => Err(Error::all(
            exit,
            errors.into_iter().map(Into::into).collect(),
        )),
    }
}

/// The console (unless stdout failed already, for the header), and the run record unless
/// `--no-record`, fed the same windows.
fn sinks<'a>(
    ctx: &'a RunContext,
    notes: &'a Notes,
    spans: Vec<f64>,
    hosts: Vec<String>,
    root: &'a RootSetup,
    header_printed: std::io::Result<()>,
) -> Sinks<'a> {
    let config = ctx.config;
    let mut list: Vec<Box<dyn Sink + 'a>> = Vec::new();
    let mut failed = Vec::new();
    match header_printed {
        Ok(()) => list.push(Box::new(Console::new(ctx.out, notes, config.quiet))),
        Err(e) => failed.push(SinkError::Print(e)),
    }
    if let Some(path) = &config.record {
        let options = RecordOptions {
            path,
            out: ctx.out,
            plan: ctx.plan,
            notes,
            attempt: root.attempt,
            resume: config.resume,
            save_data: config.save_data,
            pack: config.pack,
        };
        match RecordSink::create(options, &hosts) {
            Ok(record) => list.push(Box::new(record)),
            Err(e) => failed.push(e.into()),
        }
    }
    let mut sinks = Sinks::new(list, spans, hosts, root.pack_index.as_ref());
    failed.into_iter().for_each(|e| sinks.failed(e));
    sinks
}

/// The run's first lines: what it makes, and what it cleaned up of an interrupted run.
fn header_lines(ctx: &RunContext, ranks: usize, hosts: &[String], root: &RootSetup) -> String {
    let distinct = distinct(hosts).len();
    let mut text = header(ctx, ranks, distinct, root.attempt) + "\n";
    let removed = root.removed_temporaries;
    if removed > 0 {
        text += &format!("Removed {removed} temporary file(s) left by an interrupted run\n");
    }
    let removed = root.removed_archives;
    if removed > 0 {
        text += &format!("Removed {removed} archive(s) an earlier run left, to make them anew\n");
    }
    let cut = root.cut_archives;
    if cut > 0 {
        text += &format!(
            "Cut {cut} archive(s) back to their last whole plot, after an interrupted run\n"
        );
    }
    text
}

fn header(ctx: &RunContext, ranks: usize, hosts: usize, attempt: u32) -> String {
    match (&ctx.config.input, ctx.plan) {
        (Some(input), Plan::Input { objects }) => {
            let input = escape_controls(&input.display().to_string()).into_owned();
            console::input_header(objects.len(), ctx.plan.num_plots(), &input, ranks, hosts)
        }
        _ => {
            let origin = match ctx.config.seed {
                Some(_) => SeedOrigin::Given,
                None if attempt > 1 => SeedOrigin::Earlier,
                None => SeedOrigin::Drawn,
            };
            console::header(ctx.plan.num_plots(), ranks, hosts, ctx.seed, origin)
        }
    }
}

/// The run-wide facts of the record.
fn run_attributes(
    ctx: &RunContext,
    build: &str,
    hosts: &[String],
    start_time: String,
    wall: f64,
    attempt: u32,
) -> RunAttributes {
    let config = ctx.config;
    RunAttributes {
        program_version: env!("CARGO_PKG_VERSION").into(),
        build: build.to_string(),
        mpi_library: comm::library_version(),
        command_line: command_line(),
        seed: ctx.seed,
        attempt,
        ranks: hosts.len() as u32,
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
            .map(|p| {
                std::path::absolute(p)
                    .unwrap_or_else(|_| p.clone())
                    .display()
                    .to_string()
            })
            .unwrap_or_default(),
    }
}

/// This process's argv as one shell-quoted line.
fn command_line() -> String {
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    shlex::try_join(args.iter().map(String::as_str)).unwrap_or_else(|_| args.join(" "))
}
