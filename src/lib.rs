//! plotrand-mpi: render many plots in parallel across the ranks of an MPI job.

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
