//! Everything the tests take from the library itself, named in one place: when a module of
//! `src/` moves, the paths here change and no test does. Tests use these through
//! `crate::common::library`.
#![allow(unused_imports)] // each binary uses its own subset

pub use plotrand_mpi::pack;
pub use plotrand_mpi::random;
pub use plotrand_mpi::read;
pub use plotrand_mpi::record::{RanksRow, ResultsReader, ResultsRow};
pub use plotrand_mpi::seed;
pub use plotrand_mpi::Renderer;
pub use plotrand_mpi::{listing, InputError, Listing, Selection};
pub use plotrand_mpi::{Choice, Content};
pub use plotrand_mpi::{FigureSpec, Format};
pub use plotrand_mpi::{Plan, PlotStatus};
