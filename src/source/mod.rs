//! Where a plot's points come from: the lesson's random data, or an object of an HDF5 file.

pub mod data;
pub mod input;
pub mod random;
pub mod ranges;
pub mod seed;

pub use data::{finite_range, Content, Grid, Limits, PlotData, Points, Scale, Series, Values};
pub use input::layouts::Choice;

use crate::plan::Plan;
use input::object::ObjectError;
use std::cell::RefCell;
use std::sync::Arc;

/// Why a plot's data could not be had, for its "Failed:" line.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LoadError {
    /// The input file could not be opened on this rank: every plot of the rank fails with it.
    #[error("could not open the input on this rank: {0}")]
    Unavailable(Arc<input::InputError>),
    /// The object is unusable; the reason names it.
    #[error(transparent)]
    Object(#[from] ObjectError),
}

/// A rank's source of plot data, opened once and used for each of its plots.
pub enum Source {
    Random {
        seed: u64,
        points: usize,
    },
    Input {
        file: hdf5::File,
        /// The array last read from: a rank's frames of an array come one after another.
        frames: RefCell<Option<Box<input::frames::Frames>>>,
    },
}

impl Source {
    /// The `--input` file, opened on this rank.
    pub fn input(path: &std::path::Path) -> Result<Source, LoadError> {
        input::open(path)
            .map(|file| Source::Input {
                file,
                frames: RefCell::new(None),
            })
            .map_err(|e| LoadError::Unavailable(Arc::new(e)))
    }

    pub fn load(&self, plan: &Plan, plot_num: u64, choice: &Choice) -> Result<PlotData, LoadError> {
        match (self, plan.object(plot_num)) {
            (Source::Random { seed, points }, _) => Ok(PlotData {
                content: Content::Scatter(random::points(*seed, plot_num, *points)),
                // --xlim/--ylim; a colour range has nothing to act on (the command line
                // refuses --vmin/--vmax without --input).
                limits: Limits {
                    colour: None,
                    ..choice.limits
                },
                ..PlotData::default()
            }),
            (Source::Input { file, frames }, Some(of)) => {
                input::read::read(file, of, choice, &mut frames.borrow_mut())
                    .map_err(LoadError::Object)
            }
            (Source::Input { .. }, None) => unreachable!("an input plan names every plot's object"),
        }
    }

    /// The values plot `of` shows, if it is a frame of an array (see
    /// [`input::read::frame_values`]).
    pub fn frame_values(&self, of: crate::plan::PlotOf<'_>) -> Result<Option<Values>, ObjectError> {
        match self {
            Source::Random { .. } => Ok(None),
            Source::Input { file, frames } => {
                input::read::frame_values(file, of, &mut frames.borrow_mut())
            }
        }
    }
}
