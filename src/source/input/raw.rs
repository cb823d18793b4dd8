//! What hdf5-metno reads as strings without checking their bytes — the names of compound
//! fields and enumeration members in a type's description, a file's name — read here from
//! their bytes first, so that a name that is not UTF-8 (written by h5py from `bytes`, or by
//! a C program) is a reason, never an invalid `String` (undefined behaviour, seen as an
//! abort when the name was printed).

use hdf5::types::TypeDescriptor;
use hdf5_sys::h5t::{
    H5T_class_t, H5Tclose, H5Tget_class, H5Tget_member_name, H5Tget_member_type, H5Tget_nmembers,
    H5Tget_super,
};
use std::ffi::CStr;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

/// How deep types nest before the description is refused (h5py's deepest are a few levels).
const MAX_NESTING: usize = 32;

/// `dtype`'s description, as `to_descriptor` gives it, once every field and member name in it
/// is known to be UTF-8.
pub fn descriptor(dtype: &hdf5::Datatype) -> hdf5::Result<TypeDescriptor> {
    hdf5::sync::sync(|| check_names(dtype.id(), 0))?;
    dtype.to_descriptor()
}

/// Whether the names in type `id` and the types inside it are UTF-8.
fn check_names(id: hdf5_sys::h5i::hid_t, depth: usize) -> hdf5::Result<()> {
    if depth > MAX_NESTING {
        return Err(format!("its type nests more than {MAX_NESTING} levels deep").into());
    }
    // SAFETY: `id` is an open datatype; every name HDF5 returns is a NUL-terminated string we
    // own and free, every type id one we own and close.
    unsafe {
        let class = H5Tget_class(id);
        match class {
            H5T_class_t::H5T_COMPOUND | H5T_class_t::H5T_ENUM => {
                let compound = class == H5T_class_t::H5T_COMPOUND;
                for i in 0..H5Tget_nmembers(id).max(0) as u32 {
                    member_name(id, i)?;
                    if compound {
                        with_type(H5Tget_member_type(id, i), depth, check_names)?;
                    }
                }
                if !compound {
                    with_type(H5Tget_super(id), depth, check_names)?;
                }
                Ok(())
            }
            H5T_class_t::H5T_ARRAY | H5T_class_t::H5T_VLEN => {
                with_type(H5Tget_super(id), depth, check_names)
            }
            _ => Ok(()),
        }
    }
}

/// Runs `check` on the type `id` one level deeper, then closes it.
unsafe fn with_type(
    id: hdf5_sys::h5i::hid_t,
    depth: usize,
    check: fn(hdf5_sys::h5i::hid_t, usize) -> hdf5::Result<()>,
) -> hdf5::Result<()> {
    if id < 0 {
        return Err("its type could not be read".into());
    }
    let checked = check(id, depth + 1);
    // SAFETY: `id` is a type id this call owns.
    unsafe { H5Tclose(id) };
    checked
}

/// Member `i`'s name, which must be UTF-8.
unsafe fn member_name(id: hdf5_sys::h5i::hid_t, i: u32) -> hdf5::Result<()> {
    // SAFETY: as in `check_names`.
    let name = unsafe { H5Tget_member_name(id, i) };
    if name.is_null() {
        return Err("a field of its type has no name".into());
    }
    let bytes = unsafe { CStr::from_ptr(name) }.to_bytes().to_vec();
    unsafe { hdf5_sys::h5::H5free_memory(name.cast()) };
    match String::from_utf8(bytes) {
        Ok(_) => Ok(()),
        Err(e) => Err(format!(
            "its type names a field or member in bytes that are not UTF-8 ({}); rename it",
            e.as_bytes().escape_ascii()
        )
        .into()),
    }
}

/// The name of the file `loc` is in, as the bytes HDF5 holds (a path need not be UTF-8).
pub fn file_name(loc: &hdf5::Location) -> PathBuf {
    use hdf5_sys::h5f::H5Fget_name;
    // SAFETY: as `h5_bytes` asks.
    let bytes = h5_bytes(|buf, len| unsafe { H5Fget_name(loc.id(), buf, len) });
    PathBuf::from(std::ffi::OsString::from_vec(bytes))
}

/// The path `loc` was opened by, as the bytes HDF5 holds.
pub fn name_bytes(loc: &hdf5::Location) -> Vec<u8> {
    use hdf5_sys::h5i::H5Iget_name;
    // SAFETY: as `h5_bytes` asks.
    h5_bytes(|buf, len| unsafe { H5Iget_name(loc.id(), buf, len) })
}

/// What an HDF5 call that fills a buffer with a NUL-terminated name returns: `get` writes at
/// most `len` bytes, the NUL included, to `buf` (nothing when `buf` is null) and returns the
/// name's length, or a negative number on failure (then: no bytes).
fn h5_bytes(get: impl Fn(*mut std::ffi::c_char, usize) -> isize) -> Vec<u8> {
    hdf5::sync::sync(|| {
        let Ok(len @ 1..) = usize::try_from(get(std::ptr::null_mut(), 0)) else {
            return Vec::new();
        };
        let mut buf = vec![0u8; len + 1];
        let written = get(buf.as_mut_ptr().cast(), buf.len());
        buf.truncate(usize::try_from(written).unwrap_or(0).min(len));
        buf
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_name_that_is_not_utf8_is_a_reason_and_a_good_one_a_description() {
        use hdf5_sys::h5t::{H5T_class_t::H5T_COMPOUND, H5Tcreate, H5Tinsert, H5T_NATIVE_DOUBLE};
        let dir = tempfile::tempdir().unwrap();
        let file = hdf5::File::create(dir.path().join("f.h5")).unwrap();
        let make = |first: &[u8]| {
            hdf5::sync::sync(|| unsafe {
                let t = H5Tcreate(H5T_COMPOUND, 16);
                let first = std::ffi::CString::new(first).unwrap();
                H5Tinsert(t, first.as_ptr(), 0, *H5T_NATIVE_DOUBLE);
                H5Tinsert(t, c"y".as_ptr(), 8, *H5T_NATIVE_DOUBLE);
                hdf5::from_id::<hdf5::Datatype>(t).unwrap()
            })
        };
        let bad = descriptor(&make(b"x\xff")).unwrap_err().to_string();
        assert!(bad.contains("not UTF-8 (x\\xff)"), "{bad}");
        let TypeDescriptor::Compound(good) = descriptor(&make(b"x")).unwrap() else {
            panic!("a compound type");
        };
        assert_eq!(good.fields[0].name, "x");
        assert_eq!(file_name(&file), dir.path().join("f.h5"));
    }
}
