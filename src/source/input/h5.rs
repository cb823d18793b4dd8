//! What this program needs of HDF5 beyond the `hdf5` crate: its errors as one line, the
//! checks of a dataset's storage before reading (a filter the library lacks, a virtual
//! dataset's missing source), the names of types and shapes in reasons, and the limits of
//! one plot's read.

use hdf5::dataset::Layout;
use hdf5::types::TypeDescriptor;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Most rows one plot reads (as `--points` allows for random data).
pub const MAX_ROWS: u64 = crate::plan::MAX_POINTS;
/// matplotlib's default marker area (`lines.markersize`² = 6²) for data without sizes.
pub const DEFAULT_AREA_PT2: f64 = 36.0;

/// Why a dataset's storage is not read: HDF5 would fail naming only its plugin directory, or
/// read fill values in place of a virtual dataset's missing source.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StorageError {
    #[error("{path} is stored with HDF5 filter {}, which this HDF5 library does not have; install the filter's plugin (HDF5_PLUGIN_PATH names the directory HDF5 loads plugins from), or rewrite the file without it where the filter is available (h5repack -f NONE)", filter_names(.filters))]
    MissingFilter {
        path: String,
        filters: Vec<hdf5::filters::H5Z_filter_t>,
    },
    #[error("{path} is a virtual dataset and {source}; HDF5 would read fill values in its place, so it is not plotted: restore the source or select another dataset")]
    VirtualSource {
        path: String,
        source: VirtualSourceError,
    },
}

/// What is wrong with a virtual dataset's source, said of the virtual dataset.
#[derive(Debug, Clone, thiserror::Error)]
pub enum VirtualSourceError {
    #[error("its source file '{file}' is missing")]
    MissingFile { file: String },
    #[error("its source file '{}' could not be opened: {}", .file.display(), reason(.source))]
    Unopenable { file: PathBuf, source: hdf5::Error },
    #[error("its source dataset '{dataset}' is missing from '{}'", .file.display())]
    MissingDataset { dataset: String, file: PathBuf },
}

/// HDF5's error as one line: the outermost call and the innermost cause.
pub(super) fn reason(e: &hdf5::Error) -> String {
    e.to_string().replace('\n', " ")
}

/// What HDF5 would not say, or would paper over, when reading: a filter it lacks (it names
/// only its plugin directory), and a virtual dataset's missing source (read as fill values).
pub(super) fn check_storage(ds: &hdf5::Dataset, path: &str) -> Result<(), StorageError> {
    let Ok(dcpl) = ds.dcpl() else {
        return Ok(());
    };
    if !dcpl.all_filters_avail() {
        return Err(StorageError::MissingFilter {
            path: path.to_string(),
            filters: dcpl
                .filters()
                .iter()
                .filter(|f| !f.is_available())
                .map(|f| f.id())
                .collect(),
        });
    }
    if dcpl.layout() == Layout::Virtual {
        let vds_file = super::raw::file_name(ds);
        let mut checked = HashSet::new();
        for mapping in dcpl.virtual_map() {
            // Many mappings often share a source: each (file, dataset) is checked once.
            if !checked.insert((mapping.src_filename.clone(), mapping.src_dataset.clone())) {
                continue;
            }
            check_virtual_source(&vds_file, &mapping.src_filename, &mapping.src_dataset).map_err(
                |source| StorageError::VirtualSource {
                    path: path.to_string(),
                    source,
                },
            )?;
        }
    }
    Ok(())
}

fn filter_names(ids: &[hdf5::filters::H5Z_filter_t]) -> String {
    let names: Vec<String> = ids.iter().map(|&id| filter_name(id)).collect();
    names.join(", ")
}

/// Registered ids of common third-party filters (https://github.com/HDFGroup/hdf5_plugins).
fn filter_name(id: hdf5::filters::H5Z_filter_t) -> String {
    let name = match id {
        1 => "deflate",
        2 => "shuffle",
        3 => "fletcher32",
        4 => "szip",
        5 => "nbit",
        6 => "scaleoffset",
        307 => "bzip2",
        32000 => "lzf",
        32001 => "blosc",
        32004 => "lz4",
        32008 => "bitshuffle",
        32013 => "zfp",
        32015 => "zstd",
        32017 => "sz",
        32026 => "blosc2",
        _ => return id.to_string(),
    };
    format!("{id} ({name})")
}

/// Whether a virtual dataset's source can be read, looked for where HDF5 1.10 looks: under
/// `HDF5_VDS_PREFIX` (`${ORIGIN}` is the virtual dataset's directory), beside the virtual
/// dataset's file, and as given (relative to the working directory). Names with printf-style
/// patterns (`%b`) stand for many files and are not checked; "." is the file itself.
fn check_virtual_source(
    vds_file: &Path,
    src_file: &str,
    src_dataset: &str,
) -> Result<(), VirtualSourceError> {
    if src_file.contains('%') {
        return Ok(());
    }
    let dir = vds_file.parent().unwrap_or(Path::new(""));
    let name = Path::new(src_file);
    let mut candidates = Vec::new();
    if src_file == "." {
        candidates.push(vds_file.to_path_buf());
    } else {
        let relative: &Path = if name.is_absolute() {
            candidates.push(name.to_path_buf());
            name.file_name().map(Path::new).unwrap_or(name)
        } else {
            name
        };
        if let Ok(prefixes) = std::env::var("HDF5_VDS_PREFIX") {
            for prefix in prefixes.split(':').filter(|p| !p.is_empty()) {
                let prefix = prefix.replace("${ORIGIN}", &dir.to_string_lossy());
                candidates.push(Path::new(&prefix).join(relative));
            }
        }
        candidates.push(dir.join(relative));
        candidates.push(relative.to_path_buf());
    }
    let Some(found) = candidates.into_iter().find(|c| c.is_file()) else {
        return Err(VirtualSourceError::MissingFile {
            file: src_file.to_string(),
        });
    };
    let source = match hdf5::File::open(&found) {
        Ok(source) => source,
        Err(source) => {
            return Err(VirtualSourceError::Unopenable {
                file: found,
                source,
            })
        }
    };
    match source.loc_type_by_name(src_dataset) {
        Ok(hdf5::LocationType::Dataset) => Ok(()),
        _ => Err(VirtualSourceError::MissingDataset {
            dataset: src_dataset.to_string(),
            file: found,
        }),
    }
}

/// A shape as numpy writes it: `(16,)`, `(3, 4)`.
pub(super) fn shape_text(shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    match dims.as_slice() {
        [one] => format!("({one},)"),
        _ => format!("({})", dims.join(", ")),
    }
}

pub(super) fn type_name(t: &TypeDescriptor) -> &'static str {
    match t {
        TypeDescriptor::Compound(_) => "compound records",
        TypeDescriptor::FixedAscii(_)
        | TypeDescriptor::FixedUnicode(_)
        | TypeDescriptor::VarLenAscii
        | TypeDescriptor::VarLenUnicode => "strings",
        TypeDescriptor::Boolean => "booleans",
        TypeDescriptor::Enum(_) => "enumeration values",
        TypeDescriptor::Reference(_) => "references",
        _ => "arrays",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_virtual_source_is_looked_for_beside_the_virtual_file() {
        let dir = tempfile::tempdir().unwrap();
        let vds = dir.path().join("vds.h5");
        let missing = check_virtual_source(&vds, "src.h5", "/data").unwrap_err();
        assert_eq!(missing.to_string(), "its source file 'src.h5' is missing");
        let absolute = dir.path().join("elsewhere/src.h5");
        let missing = check_virtual_source(&vds, absolute.to_str().unwrap(), "/d")
            .unwrap_err()
            .to_string();
        assert!(
            missing.ends_with("elsewhere/src.h5' is missing"),
            "{missing}"
        );
        // printf-style names stand for many files: not checked.
        assert!(check_virtual_source(&vds, "part-%b.h5", "/data").is_ok());
        // Found beside the virtual file (also when named by a moved absolute path), but
        // not HDF5.
        std::fs::write(dir.path().join("src.h5"), b"not hdf5").unwrap();
        for name in ["src.h5", "/moved/away/src.h5"] {
            let unreadable = check_virtual_source(&vds, name, "/data")
                .unwrap_err()
                .to_string();
            assert!(unreadable.contains("could not be opened"), "{unreadable}");
        }
    }
}
