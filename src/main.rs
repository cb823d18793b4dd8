//! Entry point: start MPI, parse and check the command line, run, map the outcome to an
//! exit status (0 all written, 1 some plots failed, 2 bad command line, 70 internal error).

use clap::Parser;
use plotrand_mpi::cli::{Cli, Command};
use plotrand_mpi::comm::{self, Comm};
use plotrand_mpi::config::{self, Config, ConfigError};
use plotrand_mpi::driver::{self, Outcome, Run};
use plotrand_mpi::source::hdf5::{self as input, Selection};
use plotrand_mpi::task::Plan;
use plotrand_mpi::{render, sample, scaling, seed};
use signal_hook::consts::{SIGINT, SIGTERM, SIGUSR1};
use std::panic::{self, AssertUnwindSafe};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

const EXIT_FAILED_PLOTS: u8 = 1;
const EXIT_USAGE: u8 = 2;
/// EX_TEMPFAIL: stopped by a signal before the end; run again with --resume.
const EXIT_INTERRUPTED: u8 = 75;
const EXIT_INTERNAL: i32 = 70;

fn main() -> ExitCode {
    let comm = match Comm::init() {
        Ok(comm) => comm,
        Err(e) => {
            eprintln!("plotrand-mpi: could not start MPI: {e}");
            return ExitCode::from(EXIT_INTERNAL as u8);
        }
    };
    let root = comm.is_root();

    // Every rank parses the same argv and reaches the same verdict; only rank 0 speaks.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            if root {
                let _ = e.print();
            }
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    match &cli.command {
        // A study reads files and draws one chart, a sample is one file: rank 0's job alone.
        Some(Command::Speedup { records, chart }) if root => return speedup(records, chart),
        Some(Command::Sample {
            file,
            datasets,
            max_points,
        }) if root => {
            return write_sample(file, *datasets as usize, *max_points);
        }
        Some(_) => return ExitCode::SUCCESS,
        None => {}
    }
    if cli.version {
        if root {
            println!(
                "plotrand-mpi {}\n{}\nMPI: {}",
                env!("CARGO_PKG_VERSION"),
                build_text(),
                comm::library_version()
            );
        }
        return ExitCode::SUCCESS;
    }
    let config = Config::from_cli(cli);
    if !config.file_locking {
        // Read by the HDF5 library when it opens a file; nothing has been opened yet.
        std::env::set_var("HDF5_USE_FILE_LOCKING", "FALSE");
    }
    // Installed before any plotting; a signal then only asks the ranks to stop between plots.
    let stop = match stop_on_signals() {
        Ok(stop) => stop,
        Err(e) => comm.abort(
            &format!("could not install signal handlers: {e}"),
            EXIT_INTERNAL,
        ),
    };
    let Some((plan, run_seed, removed_temporaries)) = agreed_plan(&comm, &config) else {
        return ExitCode::from(EXIT_USAGE);
    };
    let run = Run {
        config: &config,
        plan: &plan,
        seed: run_seed,
        build: build_text(),
        stop: &stop,
        removed_temporaries,
    };

    match panic::catch_unwind(AssertUnwindSafe(|| driver::run(&comm, &run))) {
        Ok(Ok(Outcome::AllWritten)) => ExitCode::SUCCESS,
        Ok(Ok(Outcome::SomeFailed)) => ExitCode::from(EXIT_FAILED_PLOTS),
        Ok(Ok(Outcome::Interrupted)) => ExitCode::from(EXIT_INTERRUPTED),
        // Rank 0's stdout is gone (a closed pipe, a full disk): the run itself finished.
        Ok(Err(e)) => {
            eprintln!(
                "plotrand-mpi: rank {}: could not print the report: {e}",
                comm.rank()
            );
            ExitCode::from(EXIT_FAILED_PLOTS)
        }
        // A rank that panicked outside a plot can no longer take part in collectives;
        // aborting is the only way not to leave the others waiting for it.
        Err(_) => comm.abort(
            "internal error (see the panic message above)",
            EXIT_INTERNAL,
        ),
    }
}

/// The plan and run seed every rank agrees on, or `None` after rank 0 has reported why not.
/// Rank 0 alone touches the file system (output directory, input file) and draws the seed;
/// its verdict, seed and input object list are broadcast.
fn agreed_plan(comm: &Comm, config: &Config) -> Option<(Plan, u64, usize)> {
    let mut verdict = [0u64; 2]; // [ok, seed]
    let mut removed = 0;
    let mut objects = Vec::new();
    if comm.is_root() {
        match root_checks(config) {
            Ok((run_seed, listed, stale)) => {
                verdict = [1, run_seed];
                objects = listed;
                removed = stale;
            }
            Err(e) => eprintln!("error: {e}\n\nFor more information, try '--help'."),
        }
    }
    comm.broadcast(&mut verdict);
    if verdict[0] != 1 {
        return None;
    }
    let plan = if config.input.is_some() {
        // HDF5 names are C strings: NUL cannot occur inside one.
        let bytes = comm.broadcast_bytes(objects.join("\0").into_bytes());
        let joined = String::from_utf8(bytes).expect("object names were sent as UTF-8");
        Plan::input(joined.split('\0').map(str::to_owned).collect())
    } else {
        Plan::Random {
            num_plots: config.num_plots,
        }
    };
    Some((plan, verdict[1], removed))
}

/// Rank 0's checks: a usable output directory and record place, a run seed, and with
/// --input, the list of objects to plot.
fn root_checks(config: &Config) -> Result<(u64, Vec<String>, usize), ConfigError> {
    config::check_limits(config)?;
    config::prepare_output_dir(&config.output_dir)?;
    // Before any rank writes: what a killed run left half-written can only be its own.
    let removed = if config.resume {
        render::remove_stale_temporaries(&config.output_dir).map_err(|source| {
            ConfigError::CreateOutputDir {
                path: config.output_dir.clone(),
                source,
            }
        })?
    } else {
        0
    };
    if let Some(record) = &config.record {
        config::check_record_dir(record)?;
    }
    let run_seed = match config.seed {
        Some(s) => s,
        None => seed::from_os().map_err(ConfigError::NoSeed)?,
    };
    let objects = match &config.input {
        Some(path) => input::list(path, &Selection::new(config.datasets.as_deref())?)?,
        None => Vec::new(),
    };
    Ok((run_seed, objects, removed))
}

/// SIGTERM (SLURM at the time limit, `scancel`), SIGUSR1 (`--signal`, mpirun forwards it) and
/// SIGINT set the returned flag instead of killing the rank.
fn stop_on_signals() -> std::io::Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    // A second SIGTERM or SIGINT ends the rank at once: a rank stuck in a huge plot can
    // still be stopped without SIGKILL. (Registered first: it looks at the flag before the
    // first signal sets it.)
    for signal in [SIGTERM, SIGINT] {
        signal_hook::flag::register_conditional_shutdown(
            signal,
            EXIT_INTERRUPTED.into(),
            Arc::clone(&stop),
        )?;
    }
    for signal in [SIGTERM, SIGUSR1, SIGINT] {
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }
    Ok(stop)
}

fn write_sample(file: &std::path::Path, datasets: usize, max_points: u64) -> ExitCode {
    match sample::write(file, datasets, max_points) {
        Ok(()) => {
            println!(
                "Wrote {datasets} datasets of 10 to {max_points} points to {}",
                file.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: could not write '{}': {e}", file.display());
            ExitCode::from(EXIT_FAILED_PLOTS)
        }
    }
}

fn speedup(records: &[std::path::PathBuf], chart: &std::path::Path) -> ExitCode {
    let study = records
        .iter()
        .map(|r| scaling::read_run(r))
        .collect::<Result<Vec<_>, _>>()
        .and_then(|runs| scaling::study(&runs));
    let points = match study {
        Ok(points) => points,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    print!("{}", scaling::table(&points));
    match scaling::chart(&points, chart) {
        Ok(()) => {
            println!("Chart: {}", chart.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("plotrand-mpi: {e}");
            ExitCode::from(EXIT_FAILED_PLOTS)
        }
    }
}

fn build_text() -> String {
    format!(
        "commit: {}\nbuild: {} profile, {}, {}",
        env!("PLOTRAND_GIT_COMMIT"),
        env!("PLOTRAND_PROFILE"),
        env!("PLOTRAND_TARGET"),
        env!("PLOTRAND_RUSTC"),
    )
}
