//! `--save-data`: every rank keeps the arrays it plotted in a file of its own
//! (`data/rank_0003.h5`, one group per plot), so no data is funnelled through rank 0; the
//! run record then links every plot's group into one tree.

use super::h5::PendingH5;
use crate::output::h5::h5_string;
use crate::output::OutputDir;
use crate::source::{Content, Values};
use hdf5::types::VarLenUnicode;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SaveDataError {
    #[error("could not create data file '{}': {source}", path.display())]
    Create {
        path: PathBuf,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("could not save the data of plot {plot_num} in '{}': {source}", path.display())]
    Write {
        plot_num: u64,
        path: PathBuf,
        source: hdf5::Error,
    },
    #[error("could not finish data file '{}': {source}", path.display())]
    Finish {
        path: PathBuf,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// A rank's data file, open for writing under a temporary name until `finish`.
pub struct DataFile {
    h5: PendingH5,
}

impl DataFile {
    pub fn create(out: &OutputDir, rank: i32) -> Result<DataFile, SaveDataError> {
        let fail = |source: Box<dyn std::error::Error + Send + Sync>| SaveDataError::Create {
            path: out.data_file(rank),
            source,
        };
        let pending = out.new_data_file(rank).map_err(|e| fail(e.into()))?;
        let h5 = PendingH5::create_beside(pending).map_err(fail)?;
        Ok(DataFile { h5 })
    }

    /// Stores one plot's arrays as group `/name`, with where they came from: a scatter plot's
    /// `x`, `y`, `size` (float64; `size` is the marker area in pt², matplotlib's `s`), a
    /// line's `x`, `y`, a heatmap's `values` (rows × columns, row 0 at the bottom) and the
    /// cell edges `x_edges`, `y_edges`.
    pub fn write(
        &self,
        name: &str,
        plot_num: u64,
        source: &str,
        content: &Content,
    ) -> Result<(), SaveDataError> {
        let write = || -> hdf5::Result<()> {
            let g = self.h5.file().create_group(name)?;
            let columns: Vec<(&str, &[f64])> = match content {
                Content::Scatter(p) => vec![("x", &p.x), ("y", &p.y), ("size", &p.area)],
                Content::Line(l) => vec![("x", &l.x), ("y", &l.y)],
                Content::Heatmap(h) => vec![("x_edges", &h.x_edges), ("y_edges", &h.y_edges)],
            };
            for (column, values) in columns {
                g.new_dataset_builder().with_data(values).create(column)?;
            }
            if let Content::Heatmap(h) = content {
                match &h.values {
                    Values::F32(v) => write_grid(&g, (h.rows, h.cols), v)?,
                    Values::F64(v) => write_grid(&g, (h.rows, h.cols), v)?,
                }
            }
            g.new_attr::<u64>()
                .create("plot")?
                .write_scalar(&plot_num)?;
            g.new_attr::<VarLenUnicode>()
                .create("source")?
                .write_scalar(&h5_string(source))?;
            Ok(())
        };
        write().map_err(|source| SaveDataError::Write {
            plot_num,
            path: self.h5.path().to_path_buf(),
            source,
        })
    }

    /// Closes the file and renames it into place.
    pub fn finish(self) -> Result<(), SaveDataError> {
        let path = self.h5.path().to_path_buf();
        self.h5
            .commit()
            .map_err(|source| SaveDataError::Finish { path, source })
    }
}

/// A heatmap's values as a (rows, cols) dataset `values`, in their own type.
fn write_grid<T: hdf5::H5Type>(
    g: &hdf5::Group,
    shape: (usize, usize),
    values: &[T],
) -> hdf5::Result<()> {
    let view = ndarray::ArrayView2::from_shape(shape, values)
        .map_err(|e| hdf5::Error::from(e.to_string().as_str()))?;
    g.new_dataset_builder().with_data(&view).create("values")?;
    Ok(())
}
