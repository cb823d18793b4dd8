//! What the HDF5 writers share: the file made under a temporary name and renamed into place
//! when whole, strings HDF5 can store, and the plot status as an HDF5 enum (written as one, held as an
//! integer).

use super::atomic::PendingFile;
use crate::plan::PlotStatus;
use hdf5::types::{EnumMember, EnumType, IntSize, TypeDescriptor, VarLenUnicode};
use std::path::Path;

type Cause = Box<dyn std::error::Error + Send + Sync>;

/// An HDF5 file (a run record, a data file, a sample input) created by the HDF5 library at a
/// temporary name beside its final path, and renamed into place by [`PendingH5::commit`]
/// once closed. Dropped uncommitted, it leaves nothing behind.
pub struct PendingH5 {
    // Declared first, so dropped (closed) before the temporary name is removed.
    file: hdf5::File,
    pending: PendingFile,
}

impl PendingH5 {
    pub fn create(path: &Path) -> Result<PendingH5, Cause> {
        PendingH5::create_beside(PendingFile::beside(path)?)
    }

    /// The file at `pending`'s temporary name.
    pub fn create_beside(pending: PendingFile) -> Result<PendingH5, Cause> {
        let file = hdf5::File::create(pending.temp_path())?;
        Ok(PendingH5 { file, pending })
    }

    pub fn file(&self) -> &hdf5::File {
        &self.file
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        self.pending.path()
    }

    /// Closes the file and renames it into place. Objects opened in it must be dropped first.
    pub fn commit(self) -> Result<(), Cause> {
        self.file.close()?;
        Ok(self.pending.commit()?)
    }
}

/// A string HDF5 can store: interior NULs (impossible in HDF5 strings) become U+FFFD.
pub fn h5_string(s: &str) -> VarLenUnicode {
    let clean = s.replace('\0', "\u{fffd}");
    clean.parse().unwrap_or_default()
}

/// A plot's status as the run record writes it: the HDF5 enum of [`PlotStatus`]'s members,
/// which h5dump and h5py show by name. The value is a plain `i32`, never the Rust enum:
/// HDF5 hands back whatever integer a file holds (a newer version's status, a damaged byte),
/// and an `i32` has no invalid values, where a `PlotStatus` read from such a file would be
/// undefined behaviour (seen as a segfault).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(transparent)]
pub struct StatusEnum(pub i32);

impl From<PlotStatus> for StatusEnum {
    fn from(status: PlotStatus) -> StatusEnum {
        StatusEnum(status as i32)
    }
}

// SAFETY: `StatusEnum` is `repr(transparent)` over an `i32`, which the descriptor's 4-byte
// signed integer base is, and every bit pattern is a valid `i32`.
unsafe impl hdf5::H5Type for StatusEnum {
    fn type_descriptor() -> TypeDescriptor {
        TypeDescriptor::Enum(EnumType {
            size: IntSize::U4,
            signed: true,
            members: PlotStatus::ALL
                .iter()
                .map(|&s| EnumMember {
                    name: s.name().to_string(),
                    value: s as i32 as u64,
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_bytes_do_not_break_strings() {
        assert_eq!(h5_string("a\0b").as_str(), "a\u{fffd}b");
    }
}
