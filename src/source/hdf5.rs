//! Plots of real data from an HDF5 file: finding the plottable objects (rank 0) and reading
//! one of them (the rank that plots it).
//!
//! Plottable objects are 2-D numeric datasets of shape (n, 2) or (n, 3) — columns x, y and
//! optional marker size — and groups holding 1-D datasets `x`, `y` and optional `size`.

use super::{PlotData, Points};
use hdf5::types::TypeDescriptor;
use std::collections::HashSet;
use std::path::Path;

/// Most rows one plot reads (as `--points` allows for random data).
pub const MAX_ROWS: u64 = crate::plan::MAX_POINTS;
/// matplotlib's default marker area (`lines.markersize`² = 6²) for data without sizes.
pub const DEFAULT_AREA_PT2: f64 = 36.0;
/// Groups nested deeper than this are not walked (a guard for pathological files; cycles
/// through soft and external links are caught by remembering visited groups).
const MAX_DEPTH: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("--input '{}' does not exist", .0.display())]
    Missing(std::path::PathBuf),
    #[error("--input '{}' could not be opened as HDF5: {source}; is it an HDF5 file? On file systems without locking, pass --no-file-locking", path.display())]
    Open {
        path: std::path::PathBuf,
        source: hdf5::Error,
    },
    #[error("--input '{}' could not be listed: {source}", path.display())]
    List {
        path: std::path::PathBuf,
        source: hdf5::Error,
    },
    #[error("--input '{}' holds no plottable object{}; a plottable object is a numeric (n, 2) or (n, 3) dataset, or a group with 1-D datasets x and y", path.display(), match .glob { Some(g) => format!(" matching --datasets '{g}'"), None => String::new() })]
    Empty {
        path: std::path::PathBuf,
        glob: Option<String>,
    },
    #[error("--datasets '{glob}' is not a valid glob: {reason}")]
    BadGlob { glob: String, reason: String },
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
    if !path.exists() {
        return Err(InputError::Missing(path.to_path_buf()));
    }
    hdf5::File::open(path).map_err(|source| InputError::Open {
        path: path.to_path_buf(),
        source,
    })
}

/// Every plottable object under `/`, in sorted path order, that `selection` matches. With an
/// explicit selection, matching datasets that are not plottable are listed too, so that
/// their plots fail with the reason instead of silently vanishing.
pub fn list(path: &Path, selection: &Selection) -> Result<Vec<String>, InputError> {
    let file = open(path)?;
    let mut found = Vec::new();
    let mut visited = HashSet::new();
    walk(&file, "", selection, 0, &mut visited, &mut found).map_err(|source| InputError::List {
        path: path.to_path_buf(),
        source,
    })?;
    found.sort();
    found.dedup();
    if found.is_empty() {
        return Err(InputError::Empty {
            path: path.to_path_buf(),
            glob: selection.glob.as_ref().map(|(g, _)| g.clone()),
        });
    }
    Ok(found)
}

fn walk(
    group: &hdf5::Group,
    prefix: &str,
    sel: &Selection,
    depth: usize,
    visited: &mut HashSet<String>,
    found: &mut Vec<String>,
) -> hdf5::Result<()> {
    // A group reached again (a soft link to an ancestor, a link back from another file)
    // would be walked forever; one visit per group and file.
    let identity = format!("{}\0{:?}", group.filename(), group.loc_info()?.token);
    if depth > MAX_DEPTH || !visited.insert(identity) {
        return Ok(());
    }
    for name in group.member_names()? {
        let path = format!("{prefix}/{name}");
        // A dangling soft or external link is not an error of the file as a whole.
        if let Ok(g) = group.group(&name) {
            if is_xy_group(&g) {
                if sel.matches(&path) {
                    found.push(path.clone());
                }
                continue;
            }
            walk(&g, &path, sel, depth + 1, visited, found)?;
        } else if let Ok(ds) = group.dataset(&name) {
            let shape = ds.shape();
            let plottable = shape.len() == 2 && (shape[1] == 2 || shape[1] == 3);
            if sel.matches(&path) && (plottable || sel.explicit()) {
                found.push(path);
            }
        } else if name.contains(char::REPLACEMENT_CHARACTER) && sel.matches(&path) {
            // Not UTF-8: it cannot be opened by this name. Listed, so that its plot fails
            // with the reason instead of the object silently vanishing.
            found.push(path);
        }
    }
    Ok(())
}

fn is_xy_group(g: &hdf5::Group) -> bool {
    g.dataset("x").is_ok() && g.dataset("y").is_ok()
}

/// Reads object `path` of `file`, titled with its path and labelled from its attributes.
/// Every way the data can be unusable is an `Err` with a reason fit for a "Failed:" line.
/// Rows holding NaN or infinity are left out and counted; no finite row at all is an error.
pub fn read(file: &hdf5::File, path: &str) -> Result<PlotData, String> {
    let (x, y, size, labels_from) = if let Ok(g) = file.group(path) {
        let column = |name: &str| -> Result<Option<Vec<f64>>, String> {
            match g.dataset(name) {
                Ok(ds) => read_numeric(&ds, &format!("{path}/{name}"), 1).map(|(v, _)| Some(v)),
                Err(_) => Ok(None),
            }
        };
        let x = column("x")?.ok_or_else(|| format!("group {path} has no dataset 'x'"))?;
        let y = column("y")?.ok_or_else(|| format!("group {path} has no dataset 'y'"))?;
        let size = column("size")?;
        for (name, v) in [("y", Some(&y)), ("size", size.as_ref())] {
            if let Some(v) = v.filter(|v| v.len() != x.len()) {
                return Err(format!(
                    "{path}/{name} has {} values but {path}/x has {}",
                    v.len(),
                    x.len()
                ));
            }
        }
        let location: hdf5::Location = (*g).clone();
        (x, y, size, location)
    } else {
        let ds = file.dataset(path).map_err(|e| {
            if path.contains(char::REPLACEMENT_CHARACTER) {
                format!(
                    "{path}: the object's name is not valid UTF-8 and cannot be read; rename it"
                )
            } else {
                format!("{path} is not a dataset or group: {e}")
            }
        })?;
        let (values, columns) = read_numeric(&ds, path, 2)?;
        if columns != 2 && columns != 3 {
            return Err(format!(
                "{path} has shape ({}, {columns}), not (n, 2) or (n, 3)",
                values.len() / columns.max(1)
            ));
        }
        let col = |c: usize| {
            values
                .iter()
                .skip(c)
                .step_by(columns)
                .copied()
                .collect::<Vec<f64>>()
        };
        let size = (columns == 3).then(|| col(2));
        (col(0), col(1), size, (**ds).clone())
    };
    if x.is_empty() {
        return Err(format!("{path} has zero rows"));
    }
    let mut points = Points {
        x: Vec::with_capacity(x.len()),
        y: Vec::with_capacity(x.len()),
        area: Vec::with_capacity(x.len()),
    };
    let mut dropped = 0;
    for i in 0..x.len() {
        let s = size.as_ref().map_or(DEFAULT_AREA_PT2, |s| s[i]);
        if x[i].is_finite() && y[i].is_finite() && s.is_finite() {
            points.x.push(x[i]);
            points.y.push(y[i]);
            points.area.push(s.max(0.0));
        } else {
            dropped += 1;
        }
    }
    if points.is_empty() {
        return Err(format!(
            "{path} has no finite points (all {} rows hold NaN or infinity)",
            x.len()
        ));
    }
    Ok(PlotData {
        points,
        title: Some(path.to_string()),
        x_label: label(&labels_from, "x_label", 0),
        y_label: label(&labels_from, "y_label", 1),
        dropped,
    })
}

/// A numeric dataset of `ndim` dimensions as f64s in row-major order, with its column count.
fn read_numeric(ds: &hdf5::Dataset, path: &str, ndim: usize) -> Result<(Vec<f64>, usize), String> {
    let shape = ds.shape();
    if shape.len() != ndim {
        let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
        let wanted = if ndim == 1 {
            "1-D"
        } else {
            "2-D (n, 2) or (n, 3)"
        };
        return Err(format!(
            "{path} has shape ({}), not {wanted}",
            dims.join(", ")
        ));
    }
    // A plot of more rows would take minutes and gigabytes: refuse before reading.
    let rows = shape.first().copied().unwrap_or(0) as u64;
    if rows > MAX_ROWS {
        return Err(format!(
            "{path} has {rows} rows, more than the {MAX_ROWS} one plot may have; split it or select another dataset"
        ));
    }
    let descriptor = ds
        .dtype()
        .and_then(|t| t.to_descriptor())
        .map_err(|e| format!("{path}: unsupported data type: {e}"))?;
    match descriptor {
        TypeDescriptor::Integer(_) | TypeDescriptor::Unsigned(_) | TypeDescriptor::Float(_) => {}
        other => return Err(format!("{path} holds {}, not numbers", type_name(&other))),
    }
    let values = ds
        .read_raw::<f64>()
        .map_err(|e| format!("{path} could not be read: {e}"))?;
    Ok((values, shape.get(1).copied().unwrap_or(1)))
}

fn type_name(t: &TypeDescriptor) -> &'static str {
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

/// An axis label from attribute `name`, else from `units` (a scalar string, or one string
/// per column: `index` picks the axis).
fn label(loc: &hdf5::Location, name: &str, index: usize) -> Option<String> {
    let read_strings = |attr: &str| -> Option<Vec<String>> {
        let a = loc.attr(attr).ok()?;
        if let Ok(s) = a.read_scalar::<hdf5::types::VarLenUnicode>() {
            return Some(vec![s.to_string()]);
        }
        if let Ok(s) = a.read_scalar::<hdf5::types::VarLenAscii>() {
            return Some(vec![s.to_string()]);
        }
        if let Ok(v) = a.read_raw::<hdf5::types::VarLenUnicode>() {
            return Some(v.iter().map(|s| s.to_string()).collect());
        }
        None
    };
    if let Some(v) = read_strings(name) {
        return v.into_iter().next();
    }
    let units = read_strings("units")?;
    match units.len() {
        1 => units.into_iter().next(),
        _ => units.into_iter().nth(index),
    }
}
