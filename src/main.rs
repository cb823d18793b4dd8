//! Entry point: parse the command line, start MPI, dispatch (plot | speedup | sample |
//! generate), and map the outcome to an exit status (`cli::Exit`, listed by `--help`).

use clap::Parser;
use plotrand_mpi::cli::{self, Cli, Command};
use plotrand_mpi::comm::{self, Comm};
use plotrand_mpi::commands::{extract, report as export, sample, speedup as scaling};
use plotrand_mpi::config::Config;
use plotrand_mpi::exit::Exit;
use plotrand_mpi::run as driver;
use plotrand_mpi::sinks::console as report;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2};
use std::ffi::c_int;
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
            Some(Command::Extract {
                record,
                plots,
                all,
                output_dir,
            }) => extract::run(&record, &plots, all, &output_dir),
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

/// The signals that ask every rank to stop between plots (exit 75, run again with --resume):
/// SIGTERM (`scancel`, SLURM at the time limit, srun and MPICH's mpiexec forward it), SIGUSR1
/// and SIGUSR2 (`#SBATCH --signal`; Open MPI's mpirun forwards both, MPICH's SIGUSR1),
/// SIGINT (Ctrl-C; MPICH's mpiexec forwards it) and SIGHUP (a closed terminal or ssh
/// session). docs/operations.md has what each launcher does with each of them.
const STOP_SIGNALS: [c_int; 5] = [SIGTERM, SIGUSR1, SIGUSR2, SIGINT, SIGHUP];

/// A second one of these ends a rank at once (exit 75, nothing more recorded): a rank stuck in
/// a huge plot can still be stopped without SIGKILL.
const URGENT_SIGNALS: [c_int; 3] = [SIGTERM, SIGINT, SIGHUP];

/// Sets the returned flag on any of `STOP_SIGNALS` instead of letting it kill the rank. A
/// signal the rank was started with ignored stays ignored: `nohup` (SIGHUP) and a shell's
/// background jobs (SIGINT) ask for exactly that.
fn stop_on_signals() -> std::io::Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    let ignored = ignored_signals();
    let caught = |signal: &c_int| ignored & signal_bit(*signal) == 0;
    // Registered first: it looks at the flag before the first signal sets it.
    for &signal in URGENT_SIGNALS.iter().filter(|s| caught(s)) {
        signal_hook::flag::register_conditional_shutdown(
            signal,
            Exit::Interrupted.code().into(),
            Arc::clone(&stop),
        )?;
    }
    for &signal in STOP_SIGNALS.iter().filter(|s| caught(s)) {
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }
    Ok(stop)
}

/// The signals this process was started with ignored, as the kernel's mask (bit `n - 1` for
/// signal `n`); none where `/proc` cannot tell (not Linux).
fn ignored_signals() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| parse_sig_ign(&status))
        .unwrap_or(0)
}

/// The `SigIgn:` mask of a `/proc/<pid>/status` text.
fn parse_sig_ign(status: &str) -> Option<u64> {
    let mask = status
        .lines()
        .find_map(|line| line.strip_prefix("SigIgn:"))?;
    u64::from_str_radix(mask.trim(), 16).ok()
}

fn signal_bit(signal: c_int) -> u64 {
    1 << (signal - 1)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ignored_mask_is_read_from_proc_status() {
        let status = "Name:\tplotrand-mpi\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000100001\n";
        let mask = parse_sig_ign(status).unwrap();
        assert_ne!(mask & signal_bit(SIGHUP), 0, "SIGHUP (1) is ignored");
        assert_eq!(mask & signal_bit(SIGINT), 0, "SIGINT (2) is not");
        assert_eq!(parse_sig_ign("Name:\tx\n"), None);
    }
}
