//! Entry point: parse the command line, start MPI, dispatch (plot | speedup | sample |
//! generate), and map the outcome to an exit status (`cli::Exit`, listed by `--help`).

use clap::Parser;
use plotrand_mpi::cli::{self, Cli, Command, Exit};
use plotrand_mpi::comm::{self, Comm};
use plotrand_mpi::config::Config;
use plotrand_mpi::{driver, export, report, sample, scaling};
use signal_hook::consts::{SIGINT, SIGTERM, SIGUSR1};
use std::panic::{self, AssertUnwindSafe};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

fn main() -> ExitCode {
    // Parsed before MPI starts: what the command line puts in the environment must be there
    // before MPI's (and HDF5's) threads may read it.
    let parsed = Cli::try_parse();
    if parsed.as_ref().is_ok_and(|cli| cli.no_file_locking) {
        // Read by the HDF5 library when it opens a file.
        std::env::set_var("HDF5_USE_FILE_LOCKING", "FALSE");
    }
    let comm = match Comm::init() {
        Ok(comm) => comm,
        Err(e) => {
            eprintln!("plotrand-mpi: could not start MPI: {e}");
            return Exit::Internal.into();
        }
    };
    // Every rank parses the same argv and reaches the same verdict; only rank 0 speaks.
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            if comm.is_root() {
                let _ = e.print();
            }
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    // A study, a sample file, a man page, the version: rank 0's job alone.
    let root_only = cli.command.is_some() || cli.version;
    let exit = if root_only && !comm.is_root() {
        Exit::AllWritten
    } else {
        match cli.command {
            Some(Command::Speedup { records, chart }) => scaling::run(&records, &chart),
            Some(Command::Sample {
                file,
                datasets,
                max_points,
                force,
            }) => sample::run(&file, datasets as usize, max_points, force),
            Some(Command::Report {
                record,
                format,
                failed,
            }) => export::run(&record, format, failed),
            Some(Command::Generate { what }) => generate(what),
            None if cli.version => version(),
            None => plot(&comm, cli),
        }
    };
    exit.into()
}

fn plot(comm: &Comm, cli: Cli) -> Exit {
    let config = Config::from_cli(cli);
    // Installed before any plotting; a signal then only asks the ranks to stop between plots.
    let stop = match stop_on_signals() {
        Ok(stop) => stop,
        Err(e) => comm.abort(
            &format!("could not install signal handlers: {e}"),
            Exit::Internal.code().into(),
        ),
    };
    match panic::catch_unwind(AssertUnwindSafe(|| {
        driver::run(comm, &config, &build_text(), &stop)
    })) {
        Ok(exit) => exit,
        // A rank that panicked outside a plot can no longer take part in collectives;
        // aborting is the only way not to leave the others waiting for it.
        Err(_) => comm.abort(
            "internal error (see the panic message above)",
            Exit::Internal.code().into(),
        ),
    }
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
            Exit::Interrupted.code().into(),
            Arc::clone(&stop),
        )?;
    }
    for signal in [SIGTERM, SIGUSR1, SIGINT] {
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }
    Ok(stop)
}

fn generate(what: cli::Generated) -> Exit {
    match cli::generate(what, &mut std::io::stdout().lock()) {
        // `| head` read what it wanted: the Unix convention is to end quietly.
        Ok(()) => Exit::AllWritten,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::AllWritten,
        Err(e) => {
            eprintln!("plotrand-mpi: could not print it: {e}");
            Exit::SomeFailed
        }
    }
}

fn version() -> Exit {
    let text = format!(
        "plotrand-mpi {}\n{}\nMPI: {}\n",
        env!("CARGO_PKG_VERSION"),
        build_text(),
        comm::library_version()
    );
    match report::print(&text) {
        Ok(()) => Exit::AllWritten,
        Err(e) => {
            eprintln!("plotrand-mpi: could not print it: {e}");
            Exit::SomeFailed
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
