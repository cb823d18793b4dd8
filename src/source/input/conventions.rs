//! What the libraries scientists write with put around the numbers: string attributes of
//! every HDF5 flavour, CF labels (`long_name [units]`), CF times ("days since 2000-01-01",
//! read here and placed on dates by `crate::calendar`), packed and missing values,
//! coordinates attached as dimension scales, and the bookkeeping objects of netCDF-4 and
//! PyTables that are not data.

pub use crate::calendar::TimeUnits;
use crate::figure::capped;
use hdf5::types::{FixedAscii, FixedUnicode, TypeDescriptor, VarLenAscii, VarLenUnicode};

/// Longest fixed-length string attribute read whole; longer ones are cut (HDF5 converts
/// between fixed lengths).
const MAX_FIXED: usize = 4096;

/// A string attribute's values, whatever HDF5 string type holds them: fixed- or
/// variable-length, ASCII or UTF-8, scalar or array (netCDF4 and h5py's `np.bytes_` write
/// fixed-length ASCII, h5py's `str` variable-length UTF-8). `None` if absent or not text.
pub fn strings(loc: &hdf5::Location, name: &str) -> Option<Vec<String>> {
    texts(&*readable_attr(loc, name)?)
}

/// The strings an attribute or dataset holds, whatever HDF5 string type holds them;
/// `None` if it does not hold text.
pub fn texts(container: &hdf5::Container) -> Option<Vec<String>> {
    let descriptor = super::raw::descriptor(&container.dtype().ok()?).ok()?;
    let texts = match descriptor {
        TypeDescriptor::VarLenUnicode => read_texts(container, VarLenUnicode::as_bytes),
        TypeDescriptor::VarLenAscii => read_texts(container, VarLenAscii::as_bytes),
        TypeDescriptor::FixedUnicode(_) => {
            read_texts(container, FixedUnicode::<MAX_FIXED>::as_bytes)
        }
        TypeDescriptor::FixedAscii(_) => read_texts(container, FixedAscii::<MAX_FIXED>::as_bytes),
        _ => None,
    }?;
    // Fixed-length strings come NUL- or space-padded. Every text a file holds is cut here,
    // where it enters the program, so plots, the console, the record and --list show the
    // same, and none spends minutes on a megabyte-long attribute.
    Some(
        texts
            .into_iter()
            .map(|s| capped(s.trim_end_matches(['\0', ' ']).to_owned()))
            .collect(),
    )
}

/// The values as text, from their bytes: HDF5 does not check that "ASCII" strings are ASCII
/// nor "UTF-8" ones UTF-8 (legacy files and `np.bytes_` hold Latin-1), and hdf5's `&str`
/// views of them would be invalid — undefined behaviour, seen as a crash.
fn read_texts<T: hdf5::H5Type>(
    container: &hdf5::Container,
    bytes: impl Fn(&T) -> &[u8],
) -> Option<Vec<String>> {
    let values = container.read_raw::<T>().ok()?;
    Some(values.iter().map(|v| text_of(bytes(v))).collect())
}

/// UTF-8 where the bytes are (ASCII is), else Latin-1: every byte one character, as the
/// legacy files that hold such bytes meant them (`caf\xe9` is "café").
fn text_of(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// An object's path as text, from its bytes (UTF-8 where valid, else Latin-1):
/// `hdf5::Location::name` views them as `str` unchecked, and an object reached by reference
/// rather than by a name this program opened — a coordinate through `DIMENSION_LIST` — may
/// be named in any bytes; an invalid `str` is undefined behaviour, seen as the whole rank
/// aborting when the name was listed or drawn.
pub fn name_of(loc: &hdf5::Location) -> String {
    text_of(&super::raw::name_bytes(loc))
}

/// Attribute `name`, unless it has no value at all (a null dataspace, as PyTables writes
/// empty titles): reading one returns whatever memory held.
fn readable_attr(loc: &hdf5::Location, name: &str) -> Option<hdf5::Attribute> {
    let attr = loc.attr(name).ok()?;
    let space = attr.space().ok()?;
    (!space.is_null()).then_some(attr)
}

/// The first value of a string attribute, if it is a non-empty string.
pub fn string(loc: &hdf5::Location, name: &str) -> Option<String> {
    strings(loc, name)?
        .into_iter()
        .next()
        .filter(|s| !s.is_empty())
}

/// A numeric attribute's values as f64s.
pub fn numbers(loc: &hdf5::Location, name: &str) -> Option<Vec<f64>> {
    let attr = readable_attr(loc, name)?;
    match super::raw::descriptor(&attr.dtype().ok()?).ok()? {
        TypeDescriptor::Integer(_) | TypeDescriptor::Unsigned(_) | TypeDescriptor::Float(_) => {
            attr.read_raw::<f64>().ok()
        }
        _ => None,
    }
}

fn number(loc: &hdf5::Location, name: &str) -> Option<f64> {
    numbers(loc, name)?.first().copied()
}

/// The label of a variable as xarray writes it: `long_name` (else `standard_name`, else
/// `fallback`), with `[units]` when there are units.
pub fn label(loc: &hdf5::Location, fallback: &str) -> String {
    let name = string(loc, "long_name")
        .or_else(|| string(loc, "standard_name"))
        .unwrap_or_else(|| fallback.to_owned());
    match units(loc) {
        Some(units) => format!("{name} [{units}]"),
        None => name,
    }
}

/// The `units` attribute when it is one string (a time's "days since …" included).
pub fn units(loc: &hdf5::Location) -> Option<String> {
    let units = strings(loc, "units")?;
    match units.as_slice() {
        [one] if !one.is_empty() => Some(one.clone()),
        _ => None,
    }
}

/// The last path component, the variable's name.
pub fn base_name(path: &str) -> &str {
    path.rsplit('/').find(|s| !s.is_empty()).unwrap_or(path)
}

/// CF's packing and missing values: `raw · scale_factor + add_offset`, and NaN where the
/// raw value is `_FillValue` or `missing_value` or outside `valid_min`/`valid_max`/
/// `valid_range`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Unpacking {
    scale: Option<f64>,
    offset: Option<f64>,
    missing: Vec<f64>,
    valid: (Option<f64>, Option<f64>),
}

impl Unpacking {
    pub fn of(loc: &hdf5::Location) -> Unpacking {
        let mut missing = numbers(loc, "_FillValue").unwrap_or_default();
        missing.extend(numbers(loc, "missing_value").unwrap_or_default());
        missing.retain(|v| !v.is_nan());
        let range = numbers(loc, "valid_range").filter(|r| r.len() == 2);
        Unpacking {
            scale: number(loc, "scale_factor"),
            offset: number(loc, "add_offset"),
            missing,
            valid: (
                number(loc, "valid_min").or(range.as_ref().map(|r| r[0])),
                number(loc, "valid_max").or(range.as_ref().map(|r| r[1])),
            ),
        }
    }

    pub fn apply(&self, values: &mut [f64]) {
        if *self == Unpacking::default() {
            return;
        }
        let (lo, hi) = self.valid;
        for v in values {
            let raw = *v;
            let invalid = self.missing.contains(&raw)
                || lo.is_some_and(|lo| raw < lo)
                || hi.is_some_and(|hi| raw > hi);
            *v = if invalid {
                f64::NAN
            } else {
                raw * self.scale.unwrap_or(1.0) + self.offset.unwrap_or(0.0)
            };
        }
    }
}

impl TimeUnits {
    /// The time units of a variable, if its `units` are CF time units in a calendar cftime
    /// knows (CF's default, standard, without a `calendar`). Here rather than in the
    /// calendar, which reads no files.
    pub fn of(loc: &hdf5::Location) -> Option<TimeUnits> {
        TimeUnits::in_calendar(&units(loc)?, string(loc, "calendar").as_deref())
    }
}

/// A number as xarray puts a coordinate's value in a title (Python's `{:.4}`): four
/// significant digits, scientific notation outside 1e-4 ≤ |v| < 1e4, a ".0" on whole numbers.
pub fn format_number(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    if v == 0.0 {
        return "0.0".into();
    }
    let exponent = v.abs().log10().floor() as i32;
    if !(-4..4).contains(&exponent) {
        let text = format!("{v:.3e}");
        let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        let exp: i32 = exp.parse().unwrap_or(0);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    let decimals = (3 - exponent).max(0) as usize;
    let text = format!("{v:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').to_string()
    } else {
        text
    };
    if text.ends_with('.') {
        text + "0"
    } else if text.contains('.') {
        text
    } else {
        text + ".0"
    }
}

/// Whether a dataset is a coordinate (an HDF5 dimension scale): drawn as the axis of the
/// variables that use it, not as a plot of its own.
pub fn is_dimension_scale(loc: &hdf5::Location) -> bool {
    string(loc, "CLASS").as_deref() == Some("DIMENSION_SCALE")
}

/// netCDF-4 writes a dimension without a coordinate as an empty-valued dimension scale with
/// this name.
pub fn is_phony_dimension(loc: &hdf5::Location) -> bool {
    string(loc, "NAME")
        .is_some_and(|n| n.starts_with("This is a netCDF dimension but not a netCDF variable"))
}

/// PyTables marks its objects with `CLASS`; its indexes of table columns are not data.
pub fn is_pytables_index(loc: &hdf5::Location, name: &str) -> bool {
    name.starts_with("_i_")
        || matches!(
            string(loc, "CLASS").as_deref(),
            Some("INDEX" | "CACHEARRAY" | "INDEXARRAY")
        )
}

/// The coordinate dataset of each dimension of `ds`, from its `DIMENSION_LIST` (one object
/// reference per dimension, as netCDF-4, xarray and h5py's `dims` write it). `None` for a
/// dimension without one.
pub fn coordinates(ds: &hdf5::Dataset) -> Vec<Option<hdf5::Dataset>> {
    let ndim = ds.ndim();
    let Ok(attr) = ds.attr("DIMENSION_LIST") else {
        return vec![None; ndim];
    };
    let Ok(lists) = attr.read_raw::<hdf5::types::VarLenArray<hdf5::ObjectReference1>>() else {
        return vec![None; ndim];
    };
    let file = match ds.file() {
        Ok(f) => f,
        Err(_) => return vec![None; ndim],
    };
    let mut found: Vec<Option<hdf5::Dataset>> = lists
        .iter()
        .map(|refs| {
            refs.iter().find_map(|r| match file.dereference(r) {
                Ok(hdf5::ReferencedObject::Dataset(d)) => Some(d),
                _ => None,
            })
        })
        .collect();
    found.resize(ndim, None);
    // A coordinate must be 1-D, of its dimension's length, and not a phony dimension.
    for (i, slot) in found.iter_mut().enumerate() {
        let fits = slot.as_ref().is_some_and(|c| {
            c.shape() == [ds.shape()[i]] && !is_phony_dimension(c) && is_numeric(c)
        });
        if !fits {
            *slot = None;
        }
    }
    found
}

pub fn is_numeric(ds: &hdf5::Dataset) -> bool {
    ds.dtype()
        .and_then(|t| super::raw::descriptor(&t))
        .is_ok_and(|t| is_numeric_type(&t))
}

pub fn is_numeric_type(t: &TypeDescriptor) -> bool {
    matches!(
        t,
        TypeDescriptor::Integer(_) | TypeDescriptor::Unsigned(_) | TypeDescriptor::Float(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_strings_holding_other_bytes_are_read_as_latin_1() {
        let dir = tempfile::tempdir().unwrap();
        let file = hdf5::File::create(dir.path().join("f.h5")).unwrap();
        // What legacy files and np.bytes_ write: "ASCII" that is not (HDF5 does not check).
        // SAFETY: from_ascii_unchecked only copies the bytes; they are what is under test.
        let legacy = unsafe { FixedAscii::<8>::from_ascii_unchecked(b"caf\xe9") };
        file.new_attr::<FixedAscii<8>>()
            .create("long_name")
            .unwrap()
            .write_scalar(&legacy)
            .unwrap();
        let utf8: FixedUnicode<16> = "Temperatur °C".parse().unwrap();
        file.new_attr::<FixedUnicode<16>>()
            .create("units")
            .unwrap()
            .write_scalar(&utf8)
            .unwrap();
        assert_eq!(string(&file, "long_name").as_deref(), Some("café"));
        assert_eq!(string(&file, "units").as_deref(), Some("Temperatur °C"));
    }

    #[test]
    fn a_megabyte_long_attribute_is_read_cut_to_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let file = hdf5::File::create(dir.path().join("f.h5")).unwrap();
        let long: VarLenUnicode = "é".repeat(1 << 19).parse().unwrap();
        file.new_attr::<VarLenUnicode>()
            .create("long_name")
            .unwrap()
            .write_scalar(&long)
            .unwrap();
        let read = string(&file, "long_name").unwrap();
        assert_eq!(read.chars().count(), crate::figure::MAX_TEXT_CHARS);
        assert!(read.ends_with("é…"), "{read}");
        assert_eq!(
            label(&file, "v").chars().count(),
            crate::figure::MAX_TEXT_CHARS
        );
    }

    #[test]
    fn names_that_are_not_utf_8_are_read_as_latin_1() {
        use hdf5_sys::{h5d::H5Dopen2, h5l::H5Lmove, h5p::H5P_DEFAULT};
        let dir = tempfile::tempdir().unwrap();
        let file = hdf5::File::create(dir.path().join("f.h5")).unwrap();
        file.new_dataset::<f64>().shape(3).create("x").unwrap();
        // Renamed to the one byte 0xFF, as h5py's bytes names can write: what a coordinate
        // reached through DIMENSION_LIST may be called.
        let renamed = hdf5::sync::sync(|| unsafe {
            H5Lmove(
                file.id(),
                c"x".as_ptr(),
                file.id(),
                c"\xff".as_ptr(),
                H5P_DEFAULT,
                H5P_DEFAULT,
            )
        });
        assert!(renamed >= 0);
        let id = hdf5::sync::sync(|| unsafe { H5Dopen2(file.id(), c"\xff".as_ptr(), H5P_DEFAULT) });
        assert!(id >= 0);
        // SAFETY: a dataset identifier just returned by H5Dopen2, owned by nothing else.
        let ds: hdf5::Dataset = unsafe { hdf5::from_id(id) }.unwrap();
        assert_eq!(name_of(&ds), "/ÿ");
        assert_eq!(name_of(&file), "/");
    }

    #[test]
    fn numbers_read_as_python_formats_them_with_four_digits() {
        for (v, text) in [
            (850.0, "850.0"),
            (1.5, "1.5"),
            (3.0, "3.0"),
            (0.1234567, "0.1235"),
            (12345.0, "1.234e+04"),
            (0.00012345, "0.0001234"),
            (1e-5, "1e-05"),
            (-2.5, "-2.5"),
            (1000.0, "1000.0"),
        ] {
            assert_eq!(format_number(v), text, "{v}");
        }
    }

    #[test]
    fn packed_values_are_unpacked_and_missing_ones_become_nan() {
        let unpack = Unpacking {
            scale: Some(0.5),
            offset: Some(10.0),
            missing: vec![-32767.0],
            valid: (Some(-100.0), None),
        };
        let mut v = [2.0, -32767.0, -200.0, 0.0];
        unpack.apply(&mut v);
        assert_eq!(v[0], 11.0);
        assert!(v[1].is_nan() && v[2].is_nan());
        assert_eq!(v[3], 10.0);
    }

    #[test]
    fn names_are_the_last_component() {
        assert_eq!(base_name("/a/b/tas"), "tas");
        assert_eq!(base_name("tas"), "tas");
        assert_eq!(base_name("/g/"), "g");
    }
}
