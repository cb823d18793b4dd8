//! plotrand-mpi: render many plots in parallel across the ranks of an MPI job.
//!
//! Dependencies run one way: `main → driver → {schedule, plotter, gathering, results,
//! report, run_record, progress} → {render, source, savedata, outdir, plan, comm}`. Only
//! `comm` talks MPI; only `outdir` creates, renames or removes files; `render` turns data
//! into bytes. Everything but `comm` is plain Rust, testable without `mpirun`.

pub mod calendar;
pub mod cli;
pub mod comm;
pub mod config;
pub mod driver;
pub mod export;
pub mod extract;
pub mod figure;
pub mod fsinfo;
pub mod gathering;
pub mod h5;
pub mod manifest;
pub mod outdir;
pub mod pack;
pub mod plan;
pub mod plotter;
pub mod progress;
pub mod render;
pub mod report;
pub mod results;
pub mod run_record;
pub mod sample;
pub mod savedata;
pub mod scaling;
pub mod schedule;
pub mod seed;
pub mod source;
