//! `--pack --resume`'s work on a rank's archive, on raw bytes: scan, cut back, index.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| plotrand_mpi_fuzz::tar::check(data));
