//! One run: rank 0's checks and plan, shared with every rank → the schedule draws each
//! rank's plots → results reach rank 0 in windows → console report and run record.
//! Rank 0 alone touches the file system before the work and alone prints and records.

pub mod gather;
pub mod manifest;
pub mod plotter;
pub mod schedule;

use crate::comm::{self, Comm};
use crate::config::{self, Config, ConfigError};
use crate::exit::Exit;
use crate::output::fsinfo::{self, WriteStrategy};
use crate::output::pack::{self, PackIndex, Packed};
use crate::output::{self, OutputDir, OutputLock};
use crate::plan::{Agreement, Kind, Plan};
use crate::run::manifest::{Manifest, ManifestError};
use crate::run::plotter::RunContext;
use crate::sinks::console::{self, SeedOrigin};
use crate::sinks::record::{self, RunAttributes};
use crate::sinks::{self as results, Notes, Results};
use crate::source::input::InputError;
use crate::source::input::{self as input, Selection};
use crate::source::seed;
use crate::source::{Choice, Source};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::SystemTime;

/// Why a run cannot start: reported once, by rank 0, with exit status 2.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Setup(#[from] output::SetupError),
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Resume(#[from] ManifestError),
    #[error("--name '{template}' would give several plots one name: {why}")]
    NameClash { template: String, why: String },
    #[error(transparent)]
    Pack(#[from] pack::PrepareError),
    #[error("no --seed given and {0}; pass --seed")]
    NoSeed(std::io::Error),
}

/// What rank 0 settles before any rank starts.
struct Agreed {
    agreement: Agreement,
    /// Rank 0's own part; `None` on the other ranks.
    root: Option<RootSetup>,
}

/// What only rank 0 holds during the run.
struct RootSetup {
    /// Stale temporary files removed (--resume).
    removed_temporaries: usize,
    /// Archives cut back to their last whole plot (--resume --pack).
    cut_archives: usize,
    /// --resume --pack: where the plots already packed are.
    pack_index: Option<PackIndex>,
    /// 1 for a fresh run, one more for each --resume.
    attempt: u32,
    /// Held until the run ends; `None` with --no-file-locking.
    _lock: Option<OutputLock>,
}

/// Runs the plots `config` asks for; `build` is the version text for the record and `stop`
/// the flag the signal handlers set.
pub fn run(comm: &Comm, config: &Config, build: &str, stop: &AtomicBool) -> Exit {
    if config.list {
        return if comm.is_root() {
            list(config)
        } else {
            Exit::AllWritten
        };
    }
    let Some(agreed) = agree(comm, config) else {
        return Exit::Usage;
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
    match plot_and_report(comm, &ctx, build, agreed.root.as_ref()) {
        (exit, Ok(())) => exit,
        // `| head` read what it wanted: the Unix way is to stop printing quietly (the record
        // is written all the same).
        (exit, Err(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => exit,
        // Rank 0's stdout is gone otherwise (a full disk): the run itself finished.
        (exit, Err(e)) => {
            eprintln!(
                "plotrand-mpi: rank {}: could not print the report: {e}",
                comm.rank()
            );
            if exit == Exit::AllWritten {
                Exit::SomeFailed
            } else {
                exit
            }
        }
    }
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

fn output_dir(config: &Config, plan: &Plan, began: Option<SystemTime>) -> OutputDir {
    OutputDir::new(
        &config.output_dir,
        plan,
        config.figure.format,
        config.max_files_per_dir,
        config.sync,
        began,
        config.name_template.as_deref(),
    )
}

/// `--list`: what the input gives, object by object, on stdout; nothing is drawn.
fn list(config: &Config) -> Exit {
    let Some(path) = &config.input else {
        return Exit::Usage;
    };
    let listed = Selection::new(config.datasets.as_deref())
        .and_then(|selection| input::listing(path, &selection, &config.choice));
    match listed {
        Ok(listing) => {
            let text = console::listing(path, &listing);
            match console::print(&text) {
                Ok(()) => Exit::AllWritten,
                Err(_) => Exit::SomeFailed,
            }
        }
        Err(e) => {
            eprintln!("plotrand-mpi: {}", console::escape_controls(&e.to_string()));
            Exit::Usage
        }
    }
}

/// The plan and run seed every rank agrees on, or `None` after rank 0 has reported why not.
fn agree(comm: &Comm, config: &Config) -> Option<Agreed> {
    let mut root = None;
    let root_agreement = if comm.is_root() {
        match root_checks(config) {
            Ok((agreement, setup)) => {
                root = Some(setup);
                Some(agreement)
            }
            Err(e) => {
                let message = console::escape_controls(&e.to_string()).into_owned();
                // Only a command-line mistake is helped by --help.
                let hint = match e {
                    StartError::Config(_) => "\n\nFor more information, try '--help'.",
                    _ => "",
                };
                eprintln!("error: {message}{hint}");
                None
            }
        }
    } else {
        None
    };
    let agreement = comm.share_agreement(root_agreement.as_ref())?;
    Some(Agreed { agreement, root })
}

/// Rank 0's checks and preparations before any work: limits; a usable output directory,
/// locked against a second job; (--resume) the clean-up of what a killed run left; the plan;
/// a safe place for the record; the seed and the manifest that pins what the plots are.
fn root_checks(config: &Config) -> Result<(Agreement, RootSetup), StartError> {
    config::check_limits(config)?;
    let dir = &config.output_dir;
    let now = output::prepare(dir)?;
    let lock = if config.file_locking {
        let holder = format!(
            "host {}, pid {}, started {}",
            comm::processor_name(),
            std::process::id(),
            humantime::format_rfc3339_seconds(std::time::SystemTime::now())
        );
        Some(output::lock(dir, &holder)?)
    } else {
        None
    };
    let plan = match &config.input {
        Some(path) => {
            let selection = Selection::new(config.datasets.as_deref())?;
            let listing = input::listing(path, &selection, &config.choice)?;
            // Objects HDF5 could not open are left out: say so, with the first one's reason.
            if let Some(note) = listing.note(path) {
                eprintln!("{}", console::escape_controls(&note));
            }
            Plan::Input {
                objects: listing.objects.into(),
            }
        }
        None => Plan::Random {
            num_plots: config.num_plots,
        },
    };
    if let Some(template) = &config.name_template {
        if let Some(why) = output::name_clash(template, &plan) {
            return Err(StartError::NameClash {
                template: template.clone(),
                why,
            });
        }
    }
    if let Some(record) = &config.record {
        output::check_record_dir(record)?;
        output::check_record_place(
            record,
            &output_dir(config, &plan, None),
            plan.num_plots(),
            config.input.as_deref(),
            record::is_run_record,
        )?;
    }
    let manifest = pin_down(config, &plan, nanos_since_epoch(now))?;
    // Before any rank writes, and with the directory locked: what a killed run left
    // half-written can only be its own.
    let removed_temporaries = if config.resume {
        output::remove_stale_temporaries(dir)?
    } else {
        0
    };
    let prepared = if config.pack {
        let out = output_dir(config, &plan, None);
        let extension = config.figure.format.extension();
        let resolve = pack::resolver(&out, &plan);
        pack::prepare(dir, config.resume, extension, &resolve)?
    } else {
        pack::Prepared::default()
    };
    output::write_manifest(dir, &manifest.to_text())?;
    let agreement = Agreement {
        plan,
        seed: manifest.seed,
        began_ns: manifest.began_ns,
    };
    let setup = RootSetup {
        removed_temporaries,
        cut_archives: prepared.cut,
        pack_index: prepared.index,
        attempt: manifest.attempt,
        _lock: lock,
    };
    Ok((agreement, setup))
}

fn nanos_since_epoch(t: SystemTime) -> u64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// The manifest of this run: a fresh one beginning `now_ns`, or with --resume one that agrees
/// with the earlier run's, whose seed it takes when --seed is not given, and whose start it
/// keeps.
fn pin_down(config: &Config, plan: &Plan, now_ns: u64) -> Result<Manifest, StartError> {
    let dir = &config.output_dir;
    let earlier = if config.resume {
        read_manifest(dir)?
    } else {
        None
    };
    let extension = config.figure.format.extension();
    let seed = match (config.seed, &earlier) {
        (Some(seed), _) => seed,
        (None, Some(earlier)) => earlier.seed,
        (None, None) if config.resume && output::holds_plots(dir, extension) => {
            return Err(ManifestError::NoSeed(dir.clone()).into());
        }
        (None, None) => seed::from_os().map_err(StartError::NoSeed)?,
    };
    let (attempt, began_ns) = earlier
        .as_ref()
        .map_or((1, now_ns), |m| (m.attempt + 1, m.began_ns));
    let identity = config.input.as_deref().map(input_identity);
    let manifest = Manifest::new(config, plan, seed, attempt, began_ns, identity);
    if let Some(earlier) = &earlier {
        manifest.check_against(earlier, config.seed.is_some(), dir)?;
    }
    Ok(manifest)
}

fn read_manifest(dir: &Path) -> Result<Option<Manifest>, ManifestError> {
    let path = dir.join(output::MANIFEST_FILE_NAME);
    match std::fs::read_to_string(&path) {
        Ok(text) => Manifest::parse(&text)
            .map(Some)
            .map_err(|reason| ManifestError::Unreadable { path, reason }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ManifestError::Unreadable {
            path,
            reason: e.to_string(),
        }),
    }
}

/// The input file as the manifest pins it: absolute path, size and modification time, so
/// that a file changed between attempts is noticed.
fn input_identity(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let facts = std::fs::metadata(path).map(|m| {
        let modified = m
            .modified()
            .ok()
            .map(|t| humantime::format_rfc3339_nanos(t).to_string())
            .unwrap_or_default();
        format!("{} bytes, modified {modified}", m.len())
    });
    format!(
        "{} ({})",
        absolute.display(),
        facts.unwrap_or_else(|e| e.to_string())
    )
}

fn plot_and_report(
    comm: &Comm,
    ctx: &RunContext,
    build: &str,
    root: Option<&RootSetup>,
) -> (Exit, std::io::Result<()>) {
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
        let (removed, attempt) = root.map_or((0, 1), |r| (r.removed_temporaries, r.attempt));
        let cut = root.map_or(0, |r| r.cut_archives);
        writeln!(out, "{}", header(ctx, comm.size(), distinct, attempt))?;
        if removed > 0 {
            let n = removed;
            writeln!(
                out,
                "Removed {n} temporary file(s) left by an interrupted run"
            )?;
        }
        if cut > 0 {
            writeln!(
                out,
                "Cut {cut} archive(s) back to their last whole plot, after an interrupted run"
            )?;
        }
        out.flush()
    });

    comm.barrier();
    let start = comm.time();
    // Frames of one dataset share their scale: agreed before any is drawn.
    let choice = shared_ranges(comm, ctx);
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
    let failures = comm.gather_bytes(&console::encode_reasons(&work.failures));
    let remade = comm.gather_bytes(&console::encode_reasons(&work.remade));
    let mut results = match (spans, failures, remade, hosts, root) {
        (Some(spans), Some(failures), Some(remade), Some(hosts), Some(root)) => {
            let attempt = root.attempt;
            let attributes = run_attributes(ctx, build, &hosts, start_time, wall, attempt);
            let notes = Notes {
                reasons: console::decode_reasons(&failures),
                remade: console::decode_reasons(&remade),
            };
            let results =
                Results::new(ctx, notes, spans, hosts, attempt).packed_at(root.pack_index.as_ref());
            Some((results, attributes))
        }
        _ => None,
    };
    let n = ctx.plan.num_plots();
    match results.as_mut() {
        Some((results, _)) => {
            gather::gather_in_windows(comm, work.results, n, Some(&mut |w| results.window(w)))
        }
        None => gather::gather_in_windows(comm, work.results, n, None),
    }
    let Some((results, attributes)) = results else {
        return (Exit::AllWritten, Ok(())); // not rank 0: nothing to report
    };
    let (exit, printed) = results.finish(&attributes);
    (exit, header_printed.and(printed))
}

/// The value range of every object with frames over all its frames: each rank reads the
/// frames of its static block (the same blocks whatever the schedule) and keeps each
/// object's smallest and largest value; an all-reduce gives every rank the whole range.
/// Minimum and maximum are exact in any order, so the range is the same at any rank count.
fn shared_ranges(comm: &Comm, ctx: &RunContext) -> Choice {
    let mut choice = ctx.choice.clone();
    let Plan::Input { objects } = ctx.plan else {
        return choice;
    };
    // Limits given on the command line for both ends need no agreeing.
    let limits = &ctx.choice.limits;
    let fixed = |kind: Kind| match kind {
        Kind::Heatmap => limits
            .colour
            .is_some_and(|(lo, hi)| !lo.is_nan() && !hi.is_nan()),
        Kind::Line => limits.y.is_some(),
        Kind::Scatter => true,
    };
    let shares = |o: &crate::plan::PlanObject| o.has_frames() && !fixed(o.kind);
    if !objects.iter().any(shares) {
        return choice;
    }
    // [min, -max] per object, so that one minimum-reduction gives both.
    let mut extremes = vec![f64::INFINITY; 2 * objects.len()];
    let (counts, displs) = crate::plan::partition(ctx.plan.num_plots(), comm.size());
    let mine = crate::plan::block(&counts, &displs, comm.rank() as usize);
    if let Some(source) = ctx
        .config
        .input
        .as_deref()
        .and_then(|p| Source::input(p).ok())
    {
        for plot_num in mine.start as u64 + 1..=mine.end as u64 {
            if ctx.stopping() {
                break;
            }
            let Some(of) = ctx.plan.object(plot_num) else {
                continue;
            };
            if !shares(of.object) {
                continue;
            }
            // A frame that cannot be read fails when it is drawn, with the reason.
            if let Ok(Some((lo, hi))) = source.value_range(of) {
                extremes[2 * of.index] = extremes[2 * of.index].min(lo);
                extremes[2 * of.index + 1] = extremes[2 * of.index + 1].min(-hi);
            }
        }
    }
    comm.all_min(&mut extremes);
    choice.shared = extremes
        .chunks(2)
        .map(|e| (e[0] <= -e[1]).then_some((e[0], -e[1])))
        .collect();
    choice
}

fn header(ctx: &RunContext, ranks: usize, hosts: usize, attempt: u32) -> String {
    match (&ctx.config.input, ctx.plan) {
        (Some(input), Plan::Input { objects }) => {
            let input = console::escape_controls(&input.display().to_string()).into_owned();
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
