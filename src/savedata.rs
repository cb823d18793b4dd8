//! `--save-data`: every rank keeps the arrays it plotted in a file of its own
//! (`data/rank_0003.h5`, one group per plot), so no data is funnelled through rank 0; the
//! run record then links every plot's group into one tree.

use crate::record::h5_string;
use crate::source::Points;
use hdf5::types::VarLenUnicode;
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// The data directory, inside the output directory.
pub const DIR: &str = "data";

/// The data file of `rank`, relative to the output directory.
pub fn rank_file(rank: i32) -> String {
    format!("{DIR}/rank_{rank:04}.h5")
}

/// A rank's data file, open for writing under a temporary name until `finish`.
pub struct DataFile {
    tmp: NamedTempFile,
    file: hdf5::File,
    path: PathBuf,
}

impl DataFile {
    pub fn create(output_dir: &Path, rank: i32) -> Result<DataFile, String> {
        let path = output_dir.join(rank_file(rank));
        let fail = |e: &dyn std::fmt::Display| {
            format!("could not create data file '{}': {e}", path.display())
        };
        let dir = path.parent().expect("rank files live in a directory");
        std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("ASCII name");
        let tmp = crate::render::temp_file_for(dir, name).map_err(|e| fail(&e))?;
        let file = hdf5::File::create(tmp.path()).map_err(|e| fail(&e))?;
        Ok(DataFile { tmp, file, path })
    }

    /// Stores one plot's arrays as group `/name` with datasets `x`, `y`, `size` (float64;
    /// `size` is the marker area in pt², matplotlib's `s`), and where they came from.
    pub fn write(
        &self,
        name: &str,
        plot_num: u64,
        source: &str,
        points: &Points,
    ) -> Result<(), String> {
        let write = || -> hdf5::Result<()> {
            let g = self.file.create_group(name)?;
            for (column, values) in [("x", &points.x), ("y", &points.y), ("size", &points.area)] {
                g.new_dataset_builder()
                    .with_data(&values[..])
                    .create(column)?;
            }
            g.new_attr::<u64>()
                .create("plot")?
                .write_scalar(&plot_num)?;
            g.new_attr::<VarLenUnicode>()
                .create("source")?
                .write_scalar(&h5_string(source))?;
            Ok(())
        };
        write().map_err(|e| {
            format!(
                "could not save the data of plot {plot_num} in '{}': {e}",
                self.path.display()
            )
        })
    }

    /// Closes the file and renames it into place.
    pub fn finish(self) -> Result<(), String> {
        let fail = |e: &dyn std::fmt::Display| {
            format!("could not finish data file '{}': {e}", self.path.display())
        };
        self.file.close().map_err(|e| fail(&e))?;
        self.tmp.persist(&self.path).map_err(|e| fail(&e.error))?;
        Ok(())
    }
}
