//! Entry point: parse the command line, start MPI, dispatch to what the user typed, print
//! every error once (`error: …`) and map the outcome to an exit status (`Exit`, listed by
//! `--help`).

use plotrand_mpi::{
    extract, generate, guarded, list, plot, report, sample, speedup, version, Cli, Comm, Command,
    Config, Error, Exit,
};
use std::process::ExitCode;

fn main() -> ExitCode {
    // Parsed before MPI starts: what the command line puts in the environment must be there
    // before MPI's (and HDF5's) threads may read it.
    let parsed = Cli::try_parse_checked();
    if parsed.as_ref().is_ok_and(|cli| cli.no_file_locking) {
        // Read by the HDF5 library when it opens a file.
        std::env::set_var("HDF5_USE_FILE_LOCKING", "FALSE");
    }
    let comm = match Comm::init() {
        Ok(comm) => comm,
        Err(e) => {
            return print_error(Error::with_exit(
                Exit::Internal,
                format!("could not start MPI: {e}"),
            ))
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
    // A study, a sample file, a listing, a man page, the version: rank 0's job alone.
    let root_only = cli.command.is_some() || cli.version || cli.list;
    let outcome = if root_only && !comm.is_root() {
        Ok(Exit::AllWritten)
    } else {
        dispatch(&comm, cli)
    };
    match outcome {
        Ok(exit) => exit.into(),
        Err(e) => print_error(e),
    }
}

/// One small function per thing the user can ask for.
fn dispatch(comm: &Comm, cli: Cli) -> Result<Exit, Error> {
    match cli.command {
        Some(Command::Speedup { records, chart }) => speedup(&records, &chart),
        Some(Command::Sample {
            file,
            datasets,
            max_points,
            force,
        }) => sample(&file, datasets as usize, max_points, force),
        Some(Command::Report {
            record,
            format,
            failed,
        }) => report(&record, format, failed),
        Some(Command::Extract {
            record,
            plots,
            all,
            output_dir,
        }) => extract(&record, &plots, all, &output_dir),
        Some(Command::Generate { what }) => generate(what),
        None if cli.version => version(),
        None if cli.list => guarded(comm, |_| list(&Config::from_cli(cli))),
        None => plot(comm, &Config::from_cli(cli)),
    }
}

/// Every error once, on stderr, with one prefix.
fn print_error(e: Error) -> ExitCode {
    for line in e.lines() {
        eprintln!("{line}");
    }
    e.exit().into()
}
