//! The everyday integration tests, as one binary (`cargo test --test integration`): they run
//! the real binary, alone and under the real `mpirun`, and need no root. A module per feature;
//! `cargo test --test integration -- signals::` runs one. The tests that need root (SLURM
//! daemons, network namespaces, tmpfs mounts) are the `root` binary's (tests/root/), ignored
//! unless asked for. What both share is tests/common/.

#[path = "../common/mod.rs"]
mod common;

// The program under mpirun: files, output, reproducibility; bad plots and command lines.
mod failures;
mod mpi_run;
// What an operator reads: the timing table, the version line, reports.
mod operating;
// The shipped launch files and the README's examples, run as written.
mod launchers;
mod readme;

// Input: HDF5 files, files written by Python's libraries, hostile and generated files.
mod calendars;
mod conventions;
mod frames;
mod fuzz_input;
mod hdf5_files;
mod hostile_text;
mod input_trust;
mod real_data;

// The tick labels' expectations are matplotlib's own, and so is where text is drawn;
// heatmap colours are xarray's.
mod colours;
mod matplotlib_text;
mod ticks;

// Output: archives, write strategies, what `--resume`, `report` and `extract` may trust,
// records this version did not write.
mod hostile_records;
mod output_trust;
mod pack;
mod records;
mod write_strategy;

// Faults: killed jobs, dead ranks, signals from users and schedulers.
mod reliability;
mod signals;

// The suite keeps its own rules.
mod suite;
