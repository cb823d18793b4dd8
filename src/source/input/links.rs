//! Files an HDF5 file names — an external link's target, a virtual dataset's source — and
//! the opening of objects by name. HDF5 opens such files itself, trying several places in
//! turn, and open(2) on a named pipe waits for a writer that never comes: so each place is
//! looked at before HDF5 may open it, and every object of the input is opened by name
//! through this file, whose property lists have HDF5 ask first before it follows an
//! external link.
//!
//! Why a callback (`H5Pset_elink_cb`) rather than inspecting each link of a path
//! (`H5Lget_info2`, `H5Lunpack_elink_val`) before opening it: HDF5 calls it for every
//! external link it follows — one reached through a soft link, one in the middle of a path,
//! one inside the target file — exactly when it is about to open the target, so nothing
//! here re-implements HDF5's path traversal.

use hdf5_sys::h5::herr_t;
use hdf5_sys::h5i::hid_t;
use std::cell::RefCell;
use std::ffi::{c_char, c_uint, c_void, CStr, CString};
use std::fs::FileType;
use std::path::{Path, PathBuf};

/// Which of HDF5's searches: they differ in the environment variable read first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    /// An external link's target file (`HDF5_EXT_PREFIX`).
    ExternalLink,
    /// A virtual dataset's source file (`HDF5_VDS_PREFIX`, where `${ORIGIN}` is the
    /// virtual dataset's directory).
    VirtualSource,
}

/// Where HDF5 (1.10's `H5F_prefix_open_file`) looks, in order, for file `name` named by
/// file `parent`: an absolute name as given, then by its last component only under each
/// prefix of the environment variable, beside `parent` (as opened, then with its symbolic
/// links resolved) and relative to the working directory. This program sets no prefix of
/// its own on the property lists.
pub fn candidates(named: Named, parent: &Path, name: &str) -> Vec<PathBuf> {
    let given = Path::new(name);
    let mut places = Vec::new();
    let relative = if given.is_absolute() {
        places.push(given.to_path_buf());
        given.file_name().map(Path::new).unwrap_or(given)
    } else {
        given
    };
    let parent = std::path::absolute(parent).unwrap_or_else(|_| parent.to_path_buf());
    let dir = parent.parent().unwrap_or(Path::new("/"));
    let variable = match named {
        Named::ExternalLink => "HDF5_EXT_PREFIX",
        Named::VirtualSource => "HDF5_VDS_PREFIX",
    };
    if let Ok(prefixes) = std::env::var(variable) {
        for prefix in prefixes.split(':').filter(|p| !p.is_empty()) {
            let prefix = match (named, prefix.strip_prefix("${ORIGIN}")) {
                (Named::VirtualSource, Some(rest)) => format!("{}{rest}", dir.display()),
                _ => prefix.to_string(),
            };
            places.push(Path::new(&prefix).join(relative));
        }
    }
    places.push(dir.join(relative));
    places.push(relative.to_path_buf());
    if let Some(real_dir) = std::fs::canonicalize(&parent)
        .ok()
        .and_then(|real| real.parent().map(Path::to_path_buf))
    {
        if real_dir != dir {
            places.push(real_dir.join(relative));
        }
    }
    places
}

/// The first of `places` that holds something HDF5 must not be handed, with what it is.
/// Every place is looked at, not only the first that exists: HDF5 goes on to the next when
/// a file does not open as HDF5.
pub fn unsafe_place(places: &[PathBuf]) -> Option<(PathBuf, &'static str)> {
    places.iter().find_map(|place| {
        let meta = std::fs::metadata(place).ok()?;
        special_kind(meta.file_type()).map(|kind| (place.clone(), kind))
    })
}

/// What a file that is neither a regular file nor a directory is: open(2) on a named pipe
/// waits for a writer, a terminal for input, and HDF5 would read a device as if it were a
/// file. A directory is not special: HDF5 fails on it at once.
pub fn special_kind(file_type: FileType) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_file() || file_type.is_dir() {
        None
    } else if file_type.is_fifo() {
        Some("a named pipe")
    } else if file_type.is_socket() {
        Some("a socket")
    } else if file_type.is_char_device() {
        Some("a character device")
    } else if file_type.is_block_device() {
        Some("a block device")
    } else {
        Some("not a file")
    }
}

/// An external link HDF5 was not let follow: where it is, what it names, and what is in
/// the way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("it is reached through an external link (in group '{group}' of '{parent}') to '{object}' in '{target}', and '{}' is {kind}, not an HDF5 file: HDF5 would wait on it for ever, so it is not opened; point the link at a regular file", .place.display())]
pub struct LinkRefused {
    pub parent: String,
    pub group: String,
    pub target: String,
    pub object: String,
    pub place: PathBuf,
    pub kind: &'static str,
}

/// Why an object could not be opened by name: an external link refused here, or HDF5's
/// own reason.
#[derive(Debug, Clone, thiserror::Error)]
pub enum OpenError {
    /// Boxed: it is rare, and every error that may hold it would grow by its size.
    #[error(transparent)]
    Link(Box<LinkRefused>),
    #[error("{}", reason(.0))]
    Hdf5(hdf5::Error),
}

/// HDF5's error as one line: the outermost call and the innermost cause.
pub fn reason(e: &hdf5::Error) -> String {
    e.to_string().replace('\n', " ")
}

thread_local! {
    /// The refusal of the callback running on this thread, for the call that ran it. HDF5
    /// calls the callback on the thread of the API call that follows the link.
    static REFUSED: RefCell<Option<LinkRefused>> = const { RefCell::new(None) };
}

/// HDF5's external-link callback: looks at every place HDF5 is about to try for the target
/// and refuses (a negative value ends the traversal) when one is not a regular file.
extern "C" fn check_link_target(
    parent_file: *const c_char,
    parent_group: *const c_char,
    target_file: *const c_char,
    target_object: *const c_char,
    _access_flags: *mut c_uint,
    _fapl: hid_t,
    _data: *mut c_void,
) -> herr_t {
    let text = |p: *const c_char| {
        if p.is_null() {
            String::new()
        } else {
            // SAFETY: HDF5 passes NUL-terminated strings that live for the call.
            unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
        }
    };
    // No panic may unwind into C; one that happens refuses the link.
    let refused = std::panic::catch_unwind(|| {
        let (parent, target) = (text(parent_file), text(target_file));
        let places = candidates(Named::ExternalLink, Path::new(&parent), &target);
        unsafe_place(&places).map(|(place, kind)| LinkRefused {
            parent,
            group: text(parent_group),
            target,
            object: text(target_object),
            place,
            kind,
        })
    });
    match refused {
        Ok(None) => 0,
        Ok(Some(refusal)) => {
            REFUSED.with(|r| *r.borrow_mut() = Some(refusal));
            -1
        }
        Err(_) => -1,
    }
}

/// Runs `open` with a new access property list of `class` that carries the callback, and
/// returns what it opened, the callback's refusal, or HDF5's error.
fn guarded<T>(
    class: hid_t,
    uncached: bool,
    open: impl FnOnce(hid_t) -> hid_t,
    wrap: impl FnOnce(hid_t) -> hdf5::Result<T>,
) -> Result<T, OpenError> {
    use hdf5_sys::h5p::{H5Pclose, H5Pcreate, H5Pset_chunk_cache, H5Pset_elink_cb};
    let opened = hdf5::sync::sync(|| {
        REFUSED.with(|r| r.borrow_mut().take());
        // SAFETY: plain HDF5 calls on a property list made and closed here; the callback
        // is a plain function that makes no HDF5 call.
        let plist = hdf5::h5check(unsafe { H5Pcreate(class) })?;
        let mut set =
            unsafe { H5Pset_elink_cb(plist, Some(check_link_target), std::ptr::null_mut()) };
        if uncached && set >= 0 {
            // No chunk cache: a rank reads each frame once, so caching chunks only costs.
            set = unsafe { H5Pset_chunk_cache(plist, 0, 0, 1.0) };
        }
        let id = if set >= 0 { open(plist) } else { -1 };
        let result = hdf5::h5check(set).and_then(|_| hdf5::h5check(id));
        unsafe { H5Pclose(plist) };
        result.and_then(wrap)
    });
    let refused = REFUSED.with(|r| r.borrow_mut().take());
    match (opened, refused) {
        (Ok(object), _) => Ok(object),
        (Err(_), Some(refusal)) => Err(OpenError::Link(Box::new(refusal))),
        (Err(e), None) => Err(OpenError::Hdf5(e)),
    }
}

fn c_name(name: &str) -> Result<CString, OpenError> {
    CString::new(name).map_err(|_| {
        OpenError::Hdf5(hdf5::Error::from(format!(
            "the name {name:?} holds a NUL byte"
        )))
    })
}

/// Member (or path) `name` of `parent` opened as a group.
pub fn group(parent: &hdf5::Group, name: &str) -> Result<hdf5::Group, OpenError> {
    let name = c_name(name)?;
    guarded(
        *hdf5_sys::h5p::H5P_CLS_GROUP_ACCESS,
        false,
        |gapl| unsafe { hdf5_sys::h5g::H5Gopen2(parent.id(), name.as_ptr(), gapl) },
        // SAFETY: a group identifier just returned by H5Gopen2, owned by nothing else.
        |id| unsafe { hdf5::from_id(id) },
    )
}

/// Member (or path) `name` of `parent` opened as a dataset.
pub fn dataset(parent: &hdf5::Group, name: &str) -> Result<hdf5::Dataset, OpenError> {
    open_dataset(parent, name, false)
}

/// [`dataset`] without a chunk cache.
pub fn dataset_uncached(parent: &hdf5::Group, name: &str) -> Result<hdf5::Dataset, OpenError> {
    open_dataset(parent, name, true)
}

fn open_dataset(
    parent: &hdf5::Group,
    name: &str,
    uncached: bool,
) -> Result<hdf5::Dataset, OpenError> {
    let name = c_name(name)?;
    guarded(
        *hdf5_sys::h5p::H5P_CLS_DATASET_ACCESS,
        uncached,
        |dapl| unsafe { hdf5_sys::h5d::H5Dopen2(parent.id(), name.as_ptr(), dapl) },
        // SAFETY: a dataset identifier just returned by H5Dopen2, owned by nothing else.
        |id| unsafe { hdf5::from_id(id) },
    )
}

/// What member (or path) `name` of `parent` is, without opening it: its way there is
/// followed under the callback first, then HDF5 is asked (with its default list, which is
/// safe once the way has been followed).
pub fn loc_type(parent: &hdf5::Group, name: &str) -> Result<hdf5::LocationType, OpenError> {
    let c = c_name(name)?;
    let followed = hdf5::sync::sync(|| {
        REFUSED.with(|r| r.borrow_mut().take());
        // SAFETY: as in `guarded`.
        let lapl = unsafe { hdf5_sys::h5p::H5Pcreate(*hdf5_sys::h5p::H5P_CLS_LINK_ACCESS) };
        if lapl >= 0 {
            unsafe {
                hdf5_sys::h5p::H5Pset_elink_cb(lapl, Some(check_link_target), std::ptr::null_mut());
                // Only whether the way was refused matters: a name that leads nowhere
                // gets HDF5's own reason below.
                hdf5_sys::h5o::H5Oexists_by_name(parent.id(), c.as_ptr(), lapl);
                hdf5_sys::h5p::H5Pclose(lapl);
            }
        }
        REFUSED.with(|r| r.borrow_mut().take())
    });
    if let Some(refusal) = followed {
        return Err(OpenError::Link(Box::new(refusal)));
    }
    parent.loc_type_by_name(name).map_err(OpenError::Hdf5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_tried_in_hdf5s_order() {
        let dir = tempfile::tempdir().unwrap();
        let parent = dir.path().join("in.h5");
        std::fs::write(&parent, b"").unwrap();
        let here = |name: &str| dir.path().join(name);
        assert_eq!(
            candidates(Named::ExternalLink, &parent, "t.h5"),
            [here("t.h5"), PathBuf::from("t.h5")]
        );
        // An absolute name as given, then by its last component.
        assert_eq!(
            candidates(Named::VirtualSource, &parent, "/gone/t.h5"),
            [
                PathBuf::from("/gone/t.h5"),
                here("t.h5"),
                PathBuf::from("t.h5")
            ]
        );
        // A parent reached through a symbolic link: beside the link, then beside its target.
        let sub = here("sub");
        std::fs::create_dir(&sub).unwrap();
        std::os::unix::fs::symlink(&parent, sub.join("link.h5")).unwrap();
        let real_dir = std::fs::canonicalize(dir.path()).unwrap();
        let places = candidates(Named::ExternalLink, &sub.join("link.h5"), "t.h5");
        assert_eq!(places[0], sub.join("t.h5"));
        assert_eq!(places.last().unwrap(), &real_dir.join("t.h5"));
    }

    #[test]
    fn a_named_pipe_anywhere_hdf5_would_look_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let regular = dir.path().join("a.h5");
        std::fs::write(&regular, b"").unwrap();
        let fifo = dir.path().join("p.h5");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let missing = dir.path().join("missing.h5");
        assert_eq!(unsafe_place(&[missing.clone(), regular.clone()]), None);
        assert_eq!(unsafe_place(&[dir.path().to_path_buf()]), None);
        // Behind a regular file too: HDF5 goes on when that one is not HDF5.
        assert_eq!(
            unsafe_place(&[missing, regular, fifo.clone()]),
            Some((fifo, "a named pipe"))
        );
        assert_eq!(
            unsafe_place(&[PathBuf::from("/dev/null")]),
            Some((PathBuf::from("/dev/null"), "a character device"))
        );
    }
}
