//! What this program needs of HDF5 beyond the `hdf5` crate: its errors as one line, the
//! checks of a dataset's storage before reading (a filter the library lacks, a virtual
//! dataset's missing source), the names of types and shapes in reasons, and the limits of
//! one plot's read.

pub(super) use super::links::reason;
use super::links::{self, OpenError};
use hdf5::dataset::{DatasetCreate, Layout};
use hdf5::types::TypeDescriptor;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Most rows one plot reads (as `--points` allows for random data).
pub const MAX_ROWS: u64 = crate::plan::MAX_POINTS;
/// matplotlib's default marker area (`lines.markersize`² = 6²) for data without sizes.
pub const DEFAULT_AREA_PT2: f64 = 36.0;

/// Virtual datasets whose sources are virtual datasets, followed this deep at most (as HDF5
/// follows at most 16 soft or external links on a path): every level is opened and read
/// through on each read — a chain 10,000 deep took HDF5 64 s to read 4 rows — and files
/// nest a few levels at most.
pub const MAX_VIRTUAL_DEPTH: usize = 16;

/// Why a dataset's storage is not read: HDF5 would fail naming only its plugin directory, or
/// read fill values in place of a virtual dataset's missing source, wait on a named pipe, or
/// recurse through a virtual dataset that is its own source until the process crashes.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StorageError {
    #[error("{path} is stored with HDF5 filter {}, which this HDF5 library does not have; install the filter's plugin (HDF5_PLUGIN_PATH names the directory HDF5 loads plugins from), or rewrite the file without it where the filter is available (h5repack -f NONE)", filter_names(.filters))]
    MissingFilter {
        path: String,
        filters: Vec<hdf5::filters::H5Z_filter_t>,
    },
    #[error("{path} is a virtual dataset and {source}")]
    VirtualSource {
        path: String,
        source: VirtualSourceError,
    },
}

/// What is wrong with a virtual dataset's sources, said of the virtual dataset, with what
/// HDF5 would do and what to do.
#[derive(Debug, Clone, thiserror::Error)]
pub enum VirtualSourceError {
    #[error("its source file '{file}' is missing; HDF5 would read fill values in its place, so it is not plotted: restore the source or select another dataset")]
    MissingFile { file: String },
    #[error("its source file '{}' could not be opened: {}; HDF5 would read fill values in its place, so it is not plotted: restore the source or select another dataset", .file.display(), reason(.source))]
    Unopenable { file: PathBuf, source: hdf5::Error },
    #[error("its source dataset '{dataset}' is missing from '{}'; HDF5 would read fill values in its place, so it is not plotted: restore the source or select another dataset", .file.display())]
    MissingDataset { dataset: String, file: PathBuf },
    #[error("its source dataset '{dataset}' in '{}' could not be opened: {source}", .file.display())]
    DatasetUnopenable {
        dataset: String,
        file: PathBuf,
        source: OpenError,
    },
    #[error("its source file '{file}' is {kind} ('{}'), not an HDF5 file: HDF5 would wait on it for ever, so it is not read: make the source a regular file or select another dataset", .place.display())]
    NotAFile {
        file: String,
        place: PathBuf,
        kind: &'static str,
    },
    #[error("its sources form a loop ({}): HDF5 would follow them until the process crashes, so it is not read: correct the file's virtual mapping or select another dataset", .chain.join(" → "))]
    Loop { chain: Vec<String> },
    #[error("its sources are virtual datasets nested more than {MAX_VIRTUAL_DEPTH} deep ({}): HDF5 would open and read through every level on each read, so it is not read: select the sources themselves", .chain.join(" → "))]
    TooDeep { chain: Vec<String> },
    #[error("its mapping could not be read: {}; select another dataset", reason(.source))]
    Mapping { source: hdf5::Error },
}

/// What HDF5 would not say, or would paper over, when reading: a filter it lacks (it names
/// only its plugin directory), and a virtual dataset's sources that are missing (read as
/// fill values), a named pipe (waited on for ever) or a loop back to itself (followed until
/// the stack overflows).
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
        let mut sources = Sources::default();
        sources
            .check(ds, &dcpl, path.to_string())
            .map_err(|source| StorageError::VirtualSource {
                path: path.to_string(),
                source,
            })?;
    }
    Ok(())
}

/// Whether `ds`'s values may be read at all (see [`check_storage`]): for the values read
/// beside a plot's own — coordinates, column names, an index — which are left out if not.
pub(super) fn readable(ds: &hdf5::Dataset) -> bool {
    check_storage(ds, "").is_ok()
}

/// The virtual datasets met while following a virtual dataset's sources: those on the way
/// from it to the one in hand (known by file and address, whatever the spelling of their
/// file's name), and those whose sources were all found sound.
#[derive(Default)]
struct Sources {
    way: Vec<(String, String)>,
    sound: HashSet<String>,
}

impl Sources {
    /// Checks every source of virtual dataset `ds` (`label`: how to name it), following
    /// sources that are virtual themselves, before HDF5 reads one.
    fn check(
        &mut self,
        ds: &hdf5::Dataset,
        dcpl: &DatasetCreate,
        label: String,
    ) -> Result<(), VirtualSourceError> {
        let me = identity(ds).map_err(|source| VirtualSourceError::Mapping { source })?;
        if let Some(at) = self.way.iter().position(|(id, _)| *id == me) {
            let mut chain: Vec<String> = self.way[at..].iter().map(|w| w.1.clone()).collect();
            chain.push(label);
            return Err(VirtualSourceError::Loop { chain });
        }
        if self.sound.contains(&me) {
            return Ok(());
        }
        if self.way.len() == MAX_VIRTUAL_DEPTH {
            let mut chain: Vec<String> = self.way.iter().map(|w| w.1.clone()).collect();
            chain.push(label);
            return Err(VirtualSourceError::TooDeep { chain });
        }
        self.way.push((me.clone(), label));
        let vds_file = super::raw::file_name(ds);
        let mut checked = HashSet::new();
        for (file, dataset) in virtual_sources(dcpl)? {
            // Many mappings often share a source: each (file, dataset) is checked once.
            // Names with printf-style patterns (`%b`) stand for many files: not checked.
            if file.contains('%')
                || dataset.contains('%')
                || !checked.insert((file.clone(), dataset.clone()))
            {
                continue;
            }
            let source_file = if file == "." {
                ds.file().map_err(|source| VirtualSourceError::Unopenable {
                    file: vds_file.clone(),
                    source,
                })?
            } else {
                open_source_file(&vds_file, &file)?
            };
            let source = open_source_dataset(&source_file, &dataset)?;
            if let Ok(inner) = source.dcpl() {
                if inner.layout() != Layout::Virtual {
                    continue;
                }
                // Source datasets are named from their file's root group.
                let absolute = format!("/{}", dataset.trim_start_matches('/'));
                let label = if file == "." {
                    absolute
                } else {
                    format!("{absolute} in '{file}'")
                };
                self.check(&source, &inner, label)?;
            }
        }
        self.way.pop();
        self.sound.insert(me);
        Ok(())
    }
}

/// The (source file, source dataset) of each mapping, read with `H5Pget_virtual_*`: the
/// crate's `virtual_map()` also decodes each mapping's selections, fails on those h5py
/// writes, and then returns no mapping at all.
fn virtual_sources(dcpl: &DatasetCreate) -> Result<Vec<(String, String)>, VirtualSourceError> {
    use hdf5_sys::h5p::{H5Pget_virtual_count, H5Pget_virtual_dsetname, H5Pget_virtual_filename};
    let id = dcpl.id();
    hdf5::sync::sync(|| {
        let mut count = 0;
        // SAFETY: a dataset creation property list's identifier, alive for the call.
        hdf5::h5check(unsafe { H5Pget_virtual_count(id, &mut count) })?;
        (0..count)
            .map(|i| {
                let file =
                    c_text(|buf, size| unsafe { H5Pget_virtual_filename(id, i, buf, size) })?;
                let dataset =
                    c_text(|buf, size| unsafe { H5Pget_virtual_dsetname(id, i, buf, size) })?;
                Ok((file, dataset))
            })
            .collect::<hdf5::Result<Vec<_>>>()
    })
    .map_err(|source| VirtualSourceError::Mapping { source })
}

/// A string HDF5 copies out: asked for its length first, then for the bytes.
fn c_text(get: impl Fn(*mut std::ffi::c_char, usize) -> isize) -> hdf5::Result<String> {
    let len = hdf5::h5check(get(std::ptr::null_mut(), 0))?;
    let mut bytes = vec![0u8; len as usize + 1];
    hdf5::h5check(get(bytes.as_mut_ptr().cast(), bytes.len()))?;
    bytes.truncate(len as usize);
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A virtual dataset's source file, looked for where HDF5 looks (see
/// [`links::candidates`]) and opened if it is a regular file at the first place that holds
/// one; refused if any place holds a named pipe, socket or device.
fn open_source_file(vds_file: &Path, name: &str) -> Result<hdf5::File, VirtualSourceError> {
    let places = links::candidates(links::Named::VirtualSource, vds_file, name);
    if let Some((place, kind)) = links::unsafe_place(&places) {
        return Err(VirtualSourceError::NotAFile {
            file: name.to_string(),
            place,
            kind,
        });
    }
    let Some(found) = places.into_iter().find(|p| p.is_file()) else {
        return Err(VirtualSourceError::MissingFile {
            file: name.to_string(),
        });
    };
    hdf5::File::open(&found).map_err(|source| VirtualSourceError::Unopenable {
        file: found,
        source,
    })
}

/// Source dataset `name` of `file`, opened through [`links`] (its path may hold external
/// links too).
fn open_source_dataset(file: &hdf5::File, name: &str) -> Result<hdf5::Dataset, VirtualSourceError> {
    let file_name = || super::raw::file_name(file);
    match links::loc_type(file, name) {
        Ok(hdf5::LocationType::Dataset) => {}
        Err(OpenError::Link(refused)) => {
            return Err(VirtualSourceError::DatasetUnopenable {
                dataset: name.to_string(),
                file: file_name(),
                source: OpenError::Link(refused),
            })
        }
        _ => {
            return Err(VirtualSourceError::MissingDataset {
                dataset: name.to_string(),
                file: file_name(),
            })
        }
    }
    links::dataset(file, name).map_err(|source| VirtualSourceError::DatasetUnopenable {
        dataset: name.to_string(),
        file: file_name(),
        source,
    })
}

/// An object's identity across spellings of its file's name: the file's device and inode
/// (falling back to HDF5's file number) and the object's address in the file.
pub(super) fn identity(object: &hdf5::Location) -> hdf5::Result<String> {
    use std::os::unix::fs::MetadataExt;
    let info = object.loc_info()?;
    let file = match std::fs::metadata(super::raw::file_name(object)) {
        Ok(meta) => format!("{}:{}", meta.dev(), meta.ino()),
        Err(_) => format!("fileno {}", info.fileno),
    };
    Ok(format!("{file}\0{:?}", info.token))
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
        let missing = open_source_file(&vds, "src.h5").unwrap_err().to_string();
        assert!(
            missing.starts_with("its source file 'src.h5' is missing;"),
            "{missing}"
        );
        let absolute = dir.path().join("elsewhere/src.h5");
        let missing = open_source_file(&vds, absolute.to_str().unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            missing.contains("elsewhere/src.h5' is missing"),
            "{missing}"
        );
        // Found beside the virtual file (also when named by a moved absolute path), but
        // not HDF5.
        std::fs::write(dir.path().join("src.h5"), b"not hdf5").unwrap();
        for name in ["src.h5", "/moved/away/src.h5"] {
            let unreadable = open_source_file(&vds, name).unwrap_err().to_string();
            assert!(unreadable.contains("could not be opened"), "{unreadable}");
        }
    }
}
