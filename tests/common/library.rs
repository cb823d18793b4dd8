//! Everything the tests take from the library itself, named in one place: when a module of
//! `src/` moves, the paths here change and no test does. Tests use these through
//! `crate::common::library`.
#![allow(unused_imports)] // each binary uses its own subset

pub use plotrand_mpi::figure::{FigureSpec, Format};
pub use plotrand_mpi::pack;
pub use plotrand_mpi::plan::{Plan, PlotStatus};
pub use plotrand_mpi::render::Renderer;
pub use plotrand_mpi::run_record::{RanksRow, ResultsReader, ResultsRow};
pub use plotrand_mpi::seed;
pub use plotrand_mpi::source::hdf5::{listing, InputError, Listing, Selection};
pub use plotrand_mpi::source::random;
pub use plotrand_mpi::source::read::read;
pub use plotrand_mpi::source::{Choice, Content};
