//! plotrand-mpi: render many plots in parallel across the ranks of an MPI job.

pub mod about;
pub mod calendar;
pub mod cli;
pub mod comm;
pub mod commands;
pub mod config;
pub mod exit;
pub mod figure;
pub mod output;
pub mod plan;
pub mod render;
pub mod run;
pub mod sinks;
pub mod source;
pub mod text;

pub use cli::{Cli, Command};
pub use comm::Comm;
pub use config::Config;
pub use exit::{Error, Exit};
pub use run::plot;
