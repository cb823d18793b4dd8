//! An HDF5 (or NetCDF-4) input file: opening it with errors a user can act on, and walking
//! it for the objects to plot (rank 0). What each object gives is `layouts`' to say.
//!
//! The files of `input/` use one another in one direction only, each those before it:
//! `links` (opening objects by name, files other files name) and `conventions` (CF,
//! netCDF-4, PyTables) use no other; `h5` (HDF5's errors, storage checks, limits) uses
//! `links`; `layouts` classifies objects with them; `object` opens a plot's object and
//! holds why it gave no data; `frames` reads an array's frames; `read` reads a plot's data;
//! this file lists the file with `layouts`. Of the rest of `source/`, they use only `data`.

pub mod conventions;
pub mod frames;
pub mod h5;
pub mod layouts;
pub mod links;
pub mod object;
pub mod raw;
pub mod read;
pub mod slices;

use crate::plan::PlanObject;
use layouts::{Choice, Found};
use links::OpenError;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("--input '{}' does not exist", .0.display())]
    Missing(PathBuf),
    #[error("--input '{}' could not be read: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--input '{}' is a directory; pass an HDF5 file", .0.display())]
    Directory(PathBuf),
    /// A named pipe, socket or device: HDF5 would wait forever on a pipe, and reads the
    /// others as if they were files.
    #[error("--input '{}' is not a regular file ({kind}); pass an HDF5 file (a pipe cannot be read as HDF5: copy the data to a file first)", path.display())]
    NotRegular { path: PathBuf, kind: &'static str },
    #[error("--input '{}' is held open for writing by another process (HDF5 could not take its read lock: {source}); wait for that program to finish or close the file, then re-run. Only if no program has it open and the file system does not support locking (some NFS or Lustre mounts), pass --no-file-locking", path.display())]
    Locked { path: PathBuf, source: hdf5::Error },
    #[error("--input '{}' could not be locked for reading: {source}; if the file system does not support locking (some NFS or Lustre mounts), pass --no-file-locking", path.display())]
    LockFailed { path: PathBuf, source: hdf5::Error },
    #[error("--input '{}' is a NetCDF-3 {kind} file, not HDF5; convert it to NetCDF-4 (which is HDF5) with `nccopy -k nc4 '{}' OUT.nc` and pass --input OUT.nc", path.display(), path.display())]
    NetCdf3 { path: PathBuf, kind: &'static str },
    #[error("--input '{}' could not be opened as HDF5: it is not an HDF5 file (no HDF5 signature at byte 0, 512, 1024, 2048, …); check the path", path.display())]
    NotHdf5 { path: PathBuf },
    #[error("--input '{}' could not be opened as HDF5: {source}", path.display())]
    Open { path: PathBuf, source: hdf5::Error },
    #[error("--input '{}' could not be listed: {source}", path.display())]
    List { path: PathBuf, source: OpenError },
    #[error("--input '{}' holds no plottable object{}{}; a plottable object is a numeric dataset (1-D: a line; 2-D: a heatmap, or a scatter of an (n, 2) or (n, 3) table; more dimensions: a heatmap per frame), records with fields x and y, a group with datasets x and y, or a pandas frame or series{}; run with --list to see what each object is", path.display(), match .glob { Some(g) => format!(" matching --datasets '{g}'"), None => String::new() }, first_reason(.others), unopened_note(.unopened))]
    Empty {
        path: PathBuf,
        glob: Option<String>,
        others: Vec<(String, Found)>,
        unopened: Vec<Unopened>,
    },
    #[error("--datasets '{glob}' is not a valid glob: {reason}")]
    BadGlob { glob: String, reason: String },
    #[error(transparent)]
    Slice(#[from] slices::SliceError),
}

/// An object the HDF5 library could not open while listing (a feature newer than the
/// library, a dangling link), with the library's reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Unopened {
    pub path: String,
    pub reason: String,
}

fn unopened_note(unopened: &[Unopened]) -> String {
    match unopened {
        [] => String::new(),
        [one] => format!("; {} could not be opened: {}", one.path, one.reason),
        [first, ..] => format!(
            "; {} objects could not be opened (the first, {}: {})",
            unopened.len(),
            first.path,
            first.reason
        ),
    }
}

/// The first unplottable data object's reason, for a file with nothing to plot.
fn first_reason(others: &[(String, Found)]) -> String {
    others
        .iter()
        .find_map(|(path, found)| match found {
            Found::Unplottable(why) => Some(format!(" ({path} {why})")),
            _ => None,
        })
        .unwrap_or_default()
}

/// What `listing` found: the objects to plot; the others with what they are (for `--list`);
/// and the objects it could not open and left out (only without `--datasets`: selected ones
/// are listed, so that their plots fail with the reason).
#[derive(Debug, Default)]
pub struct Listing {
    pub objects: Vec<PlanObject>,
    /// What each plotted object is (`--list`), in `objects` order.
    pub described: Vec<String>,
    pub others: Vec<(String, Found)>,
    pub unopened: Vec<Unopened>,
    /// `--select` values met by their nearest, said before plotting.
    pub notes: Vec<String>,
}

impl Listing {
    /// The line rank 0 prints (before plotting) when objects were left out, or `None`.
    pub fn note(&self, input: &Path) -> Option<String> {
        let first = self.unopened.first()?;
        let n = self.unopened.len();
        let objects = if n == 1 { "object" } else { "objects" };
        Some(format!(
            "warning: {n} {objects} of --input '{}' could not be opened and will not be plotted (the first, {}: {}); select them with --datasets to see each one's reason",
            input.display(),
            first.path,
            first.reason
        ))
    }
}

/// A compiled `--datasets` pattern. Patterns match whole object paths (`/exp1/run3/xy`); a
/// pattern without a leading `/` gets one. `*` stays within one level, `**` crosses levels.
pub struct Selection {
    glob: Option<(String, globset::GlobMatcher)>,
}

impl Selection {
    pub fn new(pattern: Option<&str>) -> Result<Selection, InputError> {
        let Some(pattern) = pattern else {
            return Ok(Selection { glob: None });
        };
        let full = if pattern.starts_with('/') {
            pattern.to_string()
        } else {
            format!("/{pattern}")
        };
        let matcher = globset::GlobBuilder::new(&full)
            .literal_separator(true)
            .build()
            .map_err(|e| InputError::BadGlob {
                glob: pattern.to_string(),
                reason: e.kind().to_string(),
            })?
            .compile_matcher();
        Ok(Selection {
            glob: Some((pattern.to_string(), matcher)),
        })
    }

    fn matches(&self, path: &str) -> bool {
        self.glob.as_ref().is_none_or(|(_, m)| m.is_match(path))
    }

    fn explicit(&self) -> bool {
        self.glob.is_some()
    }
}

pub fn open(path: &Path) -> Result<hdf5::File, InputError> {
    check_file_type(path)?;
    hdf5::File::open(path).map_err(|source| open_error(path, source))
}

/// A path HDF5 should not be handed: missing, a directory (HDF5 prints its internals), or
/// not a regular file (HDF5 waits forever for a named pipe's writer).
fn check_file_type(path: &Path) -> Result<(), InputError> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(InputError::Missing(path.to_path_buf()))
        }
        Err(source) => {
            return Err(InputError::Unreadable {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    let file_type = meta.file_type();
    if file_type.is_dir() {
        return Err(InputError::Directory(path.to_path_buf()));
    }
    if let Some(kind) = links::special_kind(file_type) {
        return Err(InputError::NotRegular {
            path: path.to_path_buf(),
            kind,
        });
    }
    Ok(())
}

/// HDF5's reason for refusing to open a regular file, turned into what the user can act on.
fn open_error(path: &Path, source: hdf5::Error) -> InputError {
    let path = path.to_path_buf();
    let text = source.to_string();
    // HDF5 (1.10) takes a shared flock() to read; a writer holds an exclusive one, and the
    // refusal is EAGAIN (errno 11). Other errnos (ENOSYS, ENOLCK) mean no lock support.
    if source.contains_minor(hdf5::MinorErrorCode::CantLockFile)
        || text.contains("unable to lock file")
    {
        return if text.contains("errno = 11,") || text.contains("Resource temporarily unavailable")
        {
            InputError::Locked { path, source }
        } else {
            InputError::LockFailed { path, source }
        };
    }
    if source.contains_minor(hdf5::MinorErrorCode::NotHdf5)
        || text.contains("file signature not found")
    {
        return match netcdf3_kind(&path) {
            Some(kind) => InputError::NetCdf3 { path, kind },
            None => InputError::NotHdf5 { path },
        };
    }
    InputError::Open { path, source }
}

/// NetCDF-3 files begin "CDF" and a version byte; NetCDF-4 files are HDF5 and open as such.
fn netcdf3_kind(path: &Path) -> Option<&'static str> {
    use std::io::Read;
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .ok()?
        .read_exact(&mut magic)
        .ok()?;
    match &magic {
        b"CDF\x01" => Some("classic"),
        b"CDF\x02" => Some("64-bit offset"),
        b"CDF\x05" => Some("64-bit data (CDF-5)"),
        _ => None,
    }
}

/// Every plottable object under `/` that `selection` matches, in sorted path order, with
/// what `choice` makes of each; the objects HDF5 could not open (without an explicit
/// selection) for the caller to report ([`Listing::note`]). With an explicit selection,
/// matching objects that are not plottable or cannot be opened are listed too, so that
/// their plots fail with the reason instead of silently vanishing.
pub fn listing(path: &Path, selection: &Selection, choice: &Choice) -> Result<Listing, InputError> {
    let file = open(path)?;
    let mut listing = walk(&file, selection, choice).map_err(|source| InputError::List {
        path: path.to_path_buf(),
        source,
    })?;
    if listing.objects.is_empty() {
        return Err(InputError::Empty {
            path: path.to_path_buf(),
            glob: selection.glob.as_ref().map(|(g, _)| g.clone()),
            others: listing.others,
            unopened: listing.unopened,
        });
    }
    listing.notes = slices::apply(
        &file,
        &mut listing.objects,
        &mut listing.described,
        &choice.slices,
    )?;
    Ok(listing)
}

/// Walks every group reachable from `/`, however deep, without recursion (a deep file cannot
/// overflow the stack). A group reached again — a soft link to an ancestor, an external link
/// back into a file already walked, under whatever spelling of its name — is walked once:
/// groups are known by their file's device and inode and their address in it.
fn walk(file: &hdf5::File, sel: &Selection, choice: &Choice) -> Result<Listing, OpenError> {
    let mut found: Vec<(String, Found)> = Vec::new();
    let mut unopened = Vec::new();
    let mut visited = HashSet::new();
    let mut pending = vec![String::new()];
    // Objects HDF5 cannot open are plotted (to fail with the reason) only when selected.
    let failing = |why: String| Found::Plots {
        kind: crate::plan::Kind::Scatter,
        frame_shape: Vec::new(),
        what: why,
    };
    while let Some(prefix) = pending.pop() {
        let group = if prefix.is_empty() {
            (**file).clone()
        } else {
            links::group(file, &prefix)?
        };
        if !visited.insert(h5::identity(&group).map_err(OpenError::Hdf5)?) {
            continue;
        }
        for name in group.member_names().map_err(OpenError::Hdf5)? {
            let path = format!("{prefix}/{name}");
            match open_member(&group, &name) {
                Member::Group(g) => match layouts::classify_group(&g, choice) {
                    Some(f) if sel.matches(&path) => found.push((path, f)),
                    Some(_) => {}
                    None if conventions::is_pytables_index(&g, &name) => {
                        if sel.matches(&path) {
                            found.push((
                                path,
                                Found::Support("an index PyTables keeps of a table column".into()),
                            ));
                        }
                    }
                    None => pending.push(path),
                },
                Member::Dataset(ds) => {
                    if sel.matches(&path) {
                        let f = match layouts::classify_dataset(&ds, &group, &name, choice) {
                            Found::Unplottable(why) if sel.explicit() => failing(why),
                            f => f,
                        };
                        found.push((path, f));
                    }
                }
                Member::Other => {}
                Member::Unopened(reason) => {
                    // Not UTF-8 names cannot be opened by name at all; either way, a
                    // selected object is listed so that its plot fails with the reason.
                    if sel.explicit() {
                        if sel.matches(&path) {
                            found.push((path, failing(reason)));
                        }
                    } else if name.contains(char::REPLACEMENT_CHARACTER) {
                        found.push((path, failing(reason)));
                    } else {
                        unopened.push(Unopened { path, reason });
                    }
                }
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found.dedup_by(|a, b| a.0 == b.0);
    let mut listing = Listing {
        unopened,
        ..Listing::default()
    };
    for (path, f) in found {
        match f {
            Found::Plots {
                kind,
                frame_shape,
                what,
            } => {
                listing.objects.push(PlanObject {
                    path,
                    kind,
                    frame_shape,
                    picks: Vec::new(),
                });
                listing.described.push(what);
            }
            other => listing.others.push((path, other)),
        }
    }
    Ok(listing)
}

enum Member {
    Group(hdf5::Group),
    Dataset(hdf5::Dataset),
    /// A committed datatype: not data, never plotted.
    Other,
    /// The library's reason, for a "Failed:" line or the count of objects left out.
    Unopened(String),
}

/// Opens member `name` of `group` as a group or dataset, or says why it cannot be opened: a
/// feature newer than this HDF5 library, a dangling soft or external link, an external link
/// to a named pipe, a damaged header.
fn open_member(group: &hdf5::Group, name: &str) -> Member {
    let group_error = match links::group(group, name) {
        Ok(g) => return Member::Group(g),
        Err(e @ OpenError::Link(_)) => return Member::Unopened(e.to_string()),
        Err(e) => e,
    };
    let dataset_error = match links::dataset(group, name) {
        Ok(ds) => return Member::Dataset(ds),
        Err(e) => e,
    };
    if name.contains(char::REPLACEMENT_CHARACTER) {
        return Member::Unopened(
            "the object's name is not valid UTF-8 and cannot be read; rename it".into(),
        );
    }
    match links::loc_type(group, name) {
        Ok(hdf5::LocationType::Dataset) => Member::Unopened(dataset_error.to_string()),
        Ok(hdf5::LocationType::Group) => Member::Unopened(group_error.to_string()),
        Ok(_) => Member::Other,
        // The link leads nowhere (dangling), or the object's header cannot be read at all.
        Err(e) => Member::Unopened(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netcdf3_files_are_told_by_their_magic() {
        let dir = tempfile::tempdir().unwrap();
        for (bytes, kind) in [
            (&b"CDF\x01\0\0\0\0"[..], Some("classic")),
            (b"CDF\x02\0\0\0\0", Some("64-bit offset")),
            (b"CDF\x05\0\0\0\0", Some("64-bit data (CDF-5)")),
            (b"\x89HDF\r\n\x1a\n", None),
            (b"CD", None),
        ] {
            let path = dir.path().join("f");
            std::fs::write(&path, bytes).unwrap();
            assert_eq!(netcdf3_kind(&path), kind, "{bytes:?}");
        }
    }

    #[test]
    fn the_note_counts_objects_left_out() {
        let unopened = |path: &str| Unopened {
            path: path.into(),
            reason: "why".into(),
        };
        let mut listing = Listing::default();
        assert_eq!(listing.note(Path::new("in.h5")), None);
        listing.unopened = vec![unopened("/b"), unopened("/c")];
        assert_eq!(
            listing.note(Path::new("in.h5")).unwrap(),
            "warning: 2 objects of --input 'in.h5' could not be opened and will not be plotted (the first, /b: why); select them with --datasets to see each one's reason"
        );
        assert_eq!(
            unopened_note(&listing.unopened[..1]),
            "; /b could not be opened: why"
        );
    }
}
