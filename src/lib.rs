//! plotrand-mpi: render many plots in parallel across the ranks of an MPI job.
//!
//! The folders follow a plot's way through the program; dependencies go one way, downward:
//!
//! ```text
//! main ─► run/ (one plotting run)  commands/ (rank 0 alone: list, report, extract, speedup, sample)
//!           ├─► sinks/ (console, run record, progress) ◄─┘
//!           ├─► comm/ (the only `use mpi`; wire.rs: what crosses it)
//!           └─► config ─► cli/
//!                 ├─► render/ (data → bytes)
//!                 ├─► output/ (the only module that creates, renames or removes files)
//!                 └─► source/ (the data a plot is made of)
//!                       └─► plan, figure, calendar, exit, text, about
//! ```
//!
//! Everything but `comm` is plain Rust, testable without `mpirun`. The modules are private:
//! what is public below is what `main`, the tests, the benchmarks and the examples use.

mod about;
mod calendar;
mod cli;
mod comm;
pub mod commands;
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

// What `main` wires together.
pub use cli::{Cli, Command};
pub use comm::Comm;
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
