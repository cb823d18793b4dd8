//! What rank 0 does alone, one file per subcommand, named as the user types it; `--list`,
//! `--version` and `generate` are small enough to live here.

mod extract;
mod list;
mod report;
mod sample;
mod speedup;

pub use extract::run as extract;
pub use list::run as list;
pub use report::run as report;
pub(crate) use report::write as report_into;
pub use sample::run as sample;
pub use speedup::run as speedup;

use crate::cli::{self, Generated};
use crate::exit::{Error, Exit};
use crate::sinks::console;

/// `plotrand-mpi generate WHAT`: the man page or a shell's completions, on stdout.
pub fn generate(what: Generated) -> Result<Exit, Error> {
    let mut text = Vec::new();
    cli::generate(what, &mut text).map_err(Error::failed)?;
    console::print(&String::from_utf8_lossy(&text))
        .map_err(|e| Error::failed(format!("could not print it: {e}")))?;
    Ok(Exit::AllWritten)
}

/// `plotrand-mpi --version`: the program, its build and the MPI library it runs with.
pub fn version() -> Result<Exit, Error> {
    let text = format!(
        "plotrand-mpi {}\n{}\nMPI: {}\n",
        env!("CARGO_PKG_VERSION"),
        crate::about::build_text(),
        crate::comm::library_version()
    );
    console::print(&text).map_err(|e| Error::failed(format!("could not print it: {e}")))?;
    Ok(Exit::AllWritten)
}
