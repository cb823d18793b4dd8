//! Where a plot's points come from: the lesson's random data, or an object of an HDF5 file.

pub mod hdf5;
pub mod random;

use crate::task::Plan;

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

/// A rank's source of plot data, opened once and used for each of its plots.
pub enum Source {
    Random { seed: u64, points: usize },
    Input { file: ::hdf5::File },
}

impl Source {
    pub fn load(&self, plan: &Plan, plot_num: u64) -> Result<PlotData, String> {
        match (self, plan.object(plot_num)) {
            (Source::Random { seed, points }, _) => Ok(PlotData {
                points: random::points(*seed, plot_num, *points),
                ..PlotData::default()
            }),
            (Source::Input { file }, Some(object)) => hdf5::read(file, object),
            (Source::Input { .. }, None) => unreachable!("an input plan names every plot's object"),
        }
    }
}
