//! plotrand-mpi: render many plots in parallel across the ranks of an MPI job.
//!
//! The folders follow a plot's way through the program. Each line uses only what is on the
//! lines below it (docs/internals.md has what every file does):
//!
//! ```text
//! main.rs          parse, start MPI, dispatch, print every error once
//! run/ commands/   a plotting run, in order | what rank 0 does alone
//! sinks/           rank 0's consumers of the gathered results: console, run record, progress
//! config.rs cli/   the checked command line | its clap definitions
//! render/ output/ comm/   data → bytes | the only file writer | the only `use mpi`
//! source/          the data a plot is made of: random streams, input files
//! plan.rs figure.rs calendar/ exit.rs text.rs about.rs   plain data, dates, statuses, text
//! ```
//!
//! Everything but `comm` is plain Rust, testable without `mpirun`. The modules are private:
//! what is public below is what `main`, the tests, the benchmarks and the examples use.

mod about;
mod calendar;
mod cli;
mod comm;
mod commands;
mod config;
mod exit;
mod figure;
mod output;
mod plan;
mod render;
mod run;
mod sinks;
mod source;
mod text;

// What `main` wires together: one function per thing the user can ask for.
pub use cli::{Cli, Command};
pub use comm::Comm;
pub use commands::{extract, generate, list, report, sample, speedup, version};
pub use config::Config;
pub use exit::{Error, Exit};
pub use run::{guarded, plot};

// The data the tests check and the benchmarks and examples build: plans, results and their
// statuses, figures and the data a plot is drawn from.
pub use figure::{FigureSpec, Format, PngCompression};
pub use plan::{block, blocks, partition, Plan, PlotResult, PlotStatus};
pub use source::{Choice, Content, PlotData};

// The steps the benchmarks and examples time on their own, and the files the tests read back
// as the program itself does.
pub use output::{pack, write_atomically, OutputDir};
pub use render::{layout, raster, Renderer, MATPLOTLIB_BLUE};
pub use run::gather;
pub use sinks::record;
pub use source::input::{listing, read::read, InputError, Listing, Selection};
pub use source::{random, seed};

/// What the fuzz targets in `fuzz/` drive beyond the public items above (`pack::prepare`,
/// `record::made_by`, `extract`, …): not an API, and free to change with them.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::cli::ReportFormat;

    /// `plotrand-mpi report RECORD [--format F] [--failed]`, written to `out` instead of stdout.
    pub fn report(
        record: &std::path::Path,
        format: ReportFormat,
        failed_only: bool,
        out: &mut dyn std::io::Write,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        crate::commands::report_into(record, format, failed_only, out)
    }
}
