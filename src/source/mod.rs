//! Where a plot's points come from: the lesson's random data, or an object of an HDF5 file.

pub mod hdf5;
pub mod random;

use crate::plan::Plan;
use std::sync::Arc;

/// One plot's data: positions in data units and marker areas in pt² (matplotlib's `s`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Points {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub area: Vec<f64>,
}

impl Points {
    pub fn len(&self) -> usize {
        self.x.len()
    }

    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }
}

/// Everything a figure shows besides the frame: points, title and axis labels.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlotData {
    pub points: Points,
    pub title: Option<String>,
    pub x_label: Option<String>,
    pub y_label: Option<String>,
    /// Input rows left out for holding NaN or infinity.
    pub dropped: u64,
}

/// Why a plot's data could not be had, for its "Failed:" line.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LoadError {
    /// The input file could not be opened on this rank: every plot of the rank fails with it.
    #[error("could not open the input on this rank: {0}")]
    Unavailable(Arc<hdf5::InputError>),
    /// The object is unusable; the reason names it.
    #[error("{0}")]
    Object(String),
}

/// A rank's source of plot data, opened once and used for each of its plots.
pub enum Source {
    Random { seed: u64, points: usize },
    Input { file: ::hdf5::File },
}

impl Source {
    /// The `--input` file, opened on this rank.
    pub fn input(path: &std::path::Path) -> Result<Source, LoadError> {
        hdf5::open(path)
            .map(|file| Source::Input { file })
            .map_err(|e| LoadError::Unavailable(Arc::new(e)))
    }

    pub fn load(&self, plan: &Plan, plot_num: u64) -> Result<PlotData, LoadError> {
        match (self, plan.object(plot_num)) {
            (Source::Random { seed, points }, _) => Ok(PlotData {
                points: random::points(*seed, plot_num, *points),
                ..PlotData::default()
            }),
            (Source::Input { file }, Some(object)) => {
                hdf5::read(file, object).map_err(LoadError::Object)
            }
            (Source::Input { .. }, None) => unreachable!("an input plan names every plot's object"),
        }
    }
}
