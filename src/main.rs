//! Entry point: start MPI, parse and check the command line, run, map the outcome to an
//! exit status (0 all written, 1 some plots failed, 2 bad command line, 70 internal error).

use clap::Parser;
use plotrand_mpi::cli::Cli;
use plotrand_mpi::comm::{self, Comm};
use plotrand_mpi::config::{self, Config, ConfigError};
use plotrand_mpi::driver::{self, Outcome};
use plotrand_mpi::seed;
use std::panic::{self, AssertUnwindSafe};
use std::process::ExitCode;

const EXIT_FAILED_PLOTS: u8 = 1;
const EXIT_USAGE: u8 = 2;
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
    if cli.version {
        if root {
            print!("{}", version_text());
        }
        return ExitCode::SUCCESS;
    }
    let Some((config, run_seed)) = checked_config(&comm, cli) else {
        return ExitCode::from(EXIT_USAGE);
    };

    match panic::catch_unwind(AssertUnwindSafe(|| driver::run(&comm, &config, run_seed))) {
        Ok(Ok(Outcome::AllWritten)) => ExitCode::SUCCESS,
        Ok(Ok(Outcome::SomeFailed)) => ExitCode::from(EXIT_FAILED_PLOTS),
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

/// The config and run seed every rank agrees on, or `None` after rank 0 has reported why not.
/// Rank 0 alone checks the file system and draws a seed; its verdict is broadcast.
fn checked_config(comm: &Comm, cli: Cli) -> Option<(Config, u64)> {
    let config = Config::from_cli(cli);
    let mut verdict = [0u64; 2]; // [ok, seed]
    if comm.is_root() {
        match root_checks(&config) {
            Ok(run_seed) => verdict = [1, run_seed],
            Err(e) => eprintln!("error: {e}\n\nFor more information, try '--help'."),
        }
    }
    comm.broadcast(&mut verdict);
    (verdict[0] == 1).then_some((config, verdict[1]))
}

/// Rank 0's checks: a usable output directory and a run seed.
fn root_checks(config: &Config) -> Result<u64, ConfigError> {
    config::prepare_output_dir(&config.output_dir)?;
    match config.seed {
        Some(s) => Ok(s),
        None => seed::from_os().map_err(ConfigError::NoSeed),
    }
}

fn version_text() -> String {
    format!(
        "plotrand-mpi {}\ncommit: {}\nbuild: {} profile, {}, {}\nMPI: {}\n",
        env!("CARGO_PKG_VERSION"),
        env!("PLOTRAND_GIT_COMMIT"),
        env!("PLOTRAND_PROFILE"),
        env!("PLOTRAND_TARGET"),
        env!("PLOTRAND_RUSTC"),
        comm::library_version(),
    )
}
