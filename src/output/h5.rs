//! What the HDF5 writers share: strings HDF5 can store, and the plot status as an HDF5 enum.

use crate::plan::PlotStatus;
use hdf5::types::{EnumMember, EnumType, IntSize, TypeDescriptor, VarLenUnicode};

/// A string HDF5 can store: interior NULs (impossible in HDF5 strings) become U+FFFD.
pub fn h5_string(s: &str) -> VarLenUnicode {
    let clean = s.replace('\0', "\u{fffd}");
    clean.parse().unwrap_or_default()
}

// SAFETY: `PlotStatus` is `repr(i32)` and the descriptor lists every variant with its value.
unsafe impl hdf5::H5Type for PlotStatus {
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
