//! One run: rank 0's checks and plan, shared with every rank → the schedule draws each
//! rank's plots → results reach rank 0 in windows → console report and run record.
//! Rank 0 alone touches the file system before the work and alone prints and records.

use crate::cli::Exit;
use crate::comm::{self, Comm};
use crate::config::{self, Config, ConfigError};
use crate::gathering;
use crate::outdir::{self, OutputDir};
use crate::plan::Plan;
use crate::plotter::RunContext;
use crate::report;
use crate::results::{self, Results};
use crate::run_record::RunAttributes;
use crate::schedule;
use crate::seed;
use crate::source::hdf5::{self as input, Selection};
use std::io::Write;
use std::sync::atomic::AtomicBool;

/// What rank 0 settles before any rank starts.
struct Agreed {
    plan: Plan,
    seed: u64,
    /// Stale temporary files rank 0 removed (--resume); 0 elsewhere.
    removed_temporaries: usize,
}

/// Runs the plots `config` asks for; `build` is the version text for the record and `stop`
/// the flag the signal handlers set.
pub fn run(comm: &Comm, config: &Config, build: &str, stop: &AtomicBool) -> Exit {
    let Some(agreed) = agree(comm, config) else {
        return Exit::Usage;
    };
    let out = OutputDir::new(
        &config.output_dir,
        &agreed.plan,
        config.figure.format,
        config.max_files_per_dir,
        config.sync,
    );
    let ctx = RunContext {
        config,
        plan: &agreed.plan,
        out: &out,
        seed: agreed.seed,
        stop,
    };
    match plot_and_report(comm, &ctx, build, agreed.removed_temporaries) {
        Ok(exit) => exit,
        // Rank 0's stdout is gone (a closed pipe, a full disk): the run itself finished.
        Err(e) => {
            eprintln!(
                "plotrand-mpi: rank {}: could not print the report: {e}",
                comm.rank()
            );
            Exit::SomeFailed
        }
    }
}

/// The plan and run seed every rank agrees on, or `None` after rank 0 has reported why not.
fn agree(comm: &Comm, config: &Config) -> Option<Agreed> {
    let mut removed_temporaries = 0;
    let root_plan = if comm.is_root() {
        match root_checks(config) {
            Ok((plan, seed, removed)) => {
                removed_temporaries = removed;
                Some((plan, seed))
            }
            Err(e) => {
                eprintln!("error: {e}\n\nFor more information, try '--help'.");
                None
            }
        }
    } else {
        None
    };
    let (plan, seed) = comm.share_plan(root_plan.as_ref().map(|(p, s)| (p, *s)))?;
    Some(Agreed {
        plan,
        seed,
        removed_temporaries,
    })
}

/// Rank 0's checks before any work: limits, a usable output directory and record place,
/// (--resume) the clean-up of what a killed run left, a run seed, and the plan.
fn root_checks(config: &Config) -> Result<(Plan, u64, usize), ConfigError> {
    config::check_limits(config)?;
    outdir::prepare(&config.output_dir)?;
    // Before any rank writes: what a killed run left half-written can only be its own.
    let removed = if config.resume {
        outdir::remove_stale_temporaries(&config.output_dir)?
    } else {
        0
    };
    if let Some(record) = &config.record {
        outdir::check_record_dir(record)?;
    }
    let seed = match config.seed {
        Some(s) => s,
        None => seed::from_os().map_err(ConfigError::NoSeed)?,
    };
    let plan = match &config.input {
        Some(path) => Plan::Input {
            objects: input::list(path, &Selection::new(config.datasets.as_deref())?)?,
        },
        None => Plan::Random {
            num_plots: config.num_plots,
        },
    };
    Ok((plan, seed, removed))
}

fn plot_and_report(
    comm: &Comm,
    ctx: &RunContext,
    build: &str,
    removed_temporaries: usize,
) -> std::io::Result<Exit> {
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
        let distinct = results::distinct(hosts).len();
        writeln!(out, "{}", header(ctx, comm.size(), distinct))?;
        if removed_temporaries > 0 {
            let n = removed_temporaries;
            writeln!(
                out,
                "Removed {n} temporary file(s) left by an interrupted run"
            )?;
        }
        out.flush()
    });

    comm.barrier();
    let start = comm.time();
    let (work, progress) = schedule::run(comm, ctx);
    comm.wait_for_all();
    // The drawing time: gathering, printing and recording the results come after.
    let wall = comm.time() - start;
    // Rank 0 counted only what the others had reported when they asked for work.
    let handled = comm.gather_one(&(work.results.len() as u64));
    if let (Some(progress), Some(handled)) = (progress, handled) {
        progress.finish(handled.iter().sum());
    }

    let busy = comm.gather_one(&work.busy);
    // The typed errors become text here, once, to travel to rank 0.
    let failures = comm.gather_bytes(&report::encode_failures(&work.failures));
    let mut results = match (busy, failures, hosts) {
        (Some(busy), Some(failures), Some(hosts)) => {
            let attributes = run_attributes(ctx, build, &hosts, start_time, wall);
            let reasons = report::decode_failures(&failures);
            Some((Results::new(ctx, reasons, busy, hosts), attributes))
        }
        _ => None,
    };
    let n = ctx.plan.num_plots();
    match results.as_mut() {
        Some((results, _)) => {
            gathering::gather_in_windows(comm, work.results, n, Some(&mut |w| results.window(w)))
        }
        None => gathering::gather_in_windows(comm, work.results, n, None),
    }
    let Some((results, attributes)) = results else {
        return Ok(Exit::AllWritten); // not rank 0: nothing to report
    };
    header_printed.and(results.finish(&attributes))
}

fn header(ctx: &RunContext, ranks: usize, hosts: usize) -> String {
    match (&ctx.config.input, ctx.plan) {
        (Some(input), Plan::Input { objects }) => {
            report::input_header(objects.len(), &input.display().to_string(), ranks, hosts)
        }
        _ => report::header(
            ctx.plan.num_plots(),
            ranks,
            hosts,
            ctx.seed,
            ctx.config.seed.is_some(),
        ),
    }
}

/// The run-wide facts of the record.
fn run_attributes(
    ctx: &RunContext,
    build: &str,
    hosts: &[String],
    start_time: String,
    wall: f64,
) -> RunAttributes {
    let config = ctx.config;
    RunAttributes {
        program_version: env!("CARGO_PKG_VERSION").into(),
        build: build.to_string(),
        mpi_library: comm::library_version(),
        command_line: command_line(),
        seed: ctx.seed,
        ranks: hosts.len() as u32,
        hosts: results::distinct(hosts).into_iter().cloned().collect(),
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

/// This process's argv as one shell-quoted line.
fn command_line() -> String {
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    shlex::try_join(args.iter().map(String::as_str)).unwrap_or_else(|_| args.join(" "))
}
