//! plotrand-mpi: render many plots in parallel across the ranks of an MPI job.
//!
//! Everything but `comm` is plain Rust, testable without `mpirun`.

pub mod cli;
pub mod comm;
pub mod config;
pub mod driver;
pub mod progress;
pub mod record;
pub mod render;
pub mod report;
pub mod sample;
pub mod savedata;
pub mod scaling;
pub mod seed;
pub mod source;
pub mod task;
pub mod window;
