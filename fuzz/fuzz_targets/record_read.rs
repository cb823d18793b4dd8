//! `report`, `extract` and `--resume`'s readers on a run record made from the fuzz input.
#![no_main]

libfuzzer_sys::fuzz_target!(|record: plotrand_mpi_fuzz::record::Record| {
    plotrand_mpi_fuzz::record::check(&record)
});
