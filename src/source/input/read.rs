//! One plot's data, read from its object as `layouts` says it is laid out: the columns of a
//! table or records, a pandas frame or series, or one frame of an array — a hyperslab, so
//! that a rank never holds more than the frame it draws — titled and labelled from the
//! file's conventions.

use super::conventions::{self as cf, Unpacking};
use super::frames::Frames;
use super::h5::{check_storage, readable, type_name, DEFAULT_AREA_PT2, MAX_ROWS};
use super::layouts::{
    dataset_layout, group_layout, pandas_columns, record_columns, support_reason, Choice, Layout,
    LayoutError,
};
use super::links;
use super::object::{open_object, Object, ObjectError, ReadError};
use crate::calendar::Calendar;
use crate::plan::{Kind, PlotOf};
use crate::source::data::{index_axis, Content, PlotData, Points, Scale, Values};
use crate::source::ranges::robust;
use hdf5::types::TypeDescriptor;

/// Reads the data of plot `of`: its object's frame, titled and labelled from the file's
/// attributes. Every way the data can be unusable is an `Err` fit for a "Failed:" line.
/// `frames`: the array last drawn from, kept for its next frame.
pub fn read(
    file: &hdf5::File,
    of: PlotOf<'_>,
    choice: &Choice,
    frames: &mut Option<Box<Frames>>,
) -> Result<PlotData, ObjectError> {
    let path = of.object.path.as_str();
    let mut data = match frames.as_ref().filter(|f| f.serve(of, true)) {
        Some(f) => f.frame(of)?,
        None => match open_object(file, path)? {
            Object::Group(g) => read_group(&g, path, choice)?,
            Object::Dataset(ds) => read_dataset(ds, path, of, choice, frames)?,
        },
    };
    left_out_infinite_cells(&mut data);
    if !has_finite_values(&data) {
        let (len, of) = match &data.content {
            Content::Heatmap(grid) => (grid.values.len(), "cells"),
            Content::Line(series) => (series.y.len(), "points"),
            Content::Scatter(points) => (points.x.len(), "points"),
        };
        return Err(ObjectError::NoFiniteValues {
            path: data.title.clone().unwrap_or_else(|| path.to_string()),
            len,
            of,
        });
    }
    data.limits = choice.limits;
    data.value_range = choice
        .shared
        .range(of)
        .or_else(|| own_robust_limits(&data, choice));
    Ok(data)
}

/// `--robust` for a heatmap that shares its range with no other frame: its own values'
/// percentiles.
fn own_robust_limits(data: &PlotData, choice: &Choice) -> Option<(f64, f64)> {
    match &data.content {
        Content::Heatmap(grid) if choice.robust => robust::exact_limits(&grid.values, choice.space),
        _ => None,
    }
}

/// A heatmap's ±∞ cells are no colour of the map: drawn as missing (as NaN is) and counted as
/// left out, as a line's or a scatter plot's are.
fn left_out_infinite_cells(data: &mut PlotData) {
    let Content::Heatmap(grid) = &mut data.content else {
        return;
    };
    let infinite = match &mut grid.values {
        Values::F32(v) => mark_missing(v.iter_mut().filter(|x| x.is_infinite()), f32::NAN),
        Values::F64(v) => mark_missing(v.iter_mut().filter(|x| x.is_infinite()), f64::NAN),
    };
    data.dropped += infinite;
}

fn mark_missing<'a, T: Copy + 'a>(values: impl Iterator<Item = &'a mut T>, missing: T) -> u64 {
    values.fold(0, |n, v| {
        *v = missing;
        n + 1
    })
}

/// Whether there is anything to draw: a finite cell of a heatmap, a finite point of a line.
fn has_finite_values(data: &PlotData) -> bool {
    match &data.content {
        Content::Heatmap(grid) => grid.range().is_some(),
        Content::Line(series) => (series.gaps() as usize) < series.x.len().min(series.y.len()),
        Content::Scatter(points) => !points.x.is_empty(),
    }
}

fn read_group(g: &hdf5::Group, path: &str, choice: &Choice) -> Result<PlotData, ObjectError> {
    let layout = match group_layout(g, choice) {
        Some(layout) => layout.map_err(|why| unplottable(path, why))?.0,
        None => {
            return Err(ObjectError::NotXyGroup {
                path: path.to_string(),
            })
        }
    };
    match layout {
        Layout::XyGroup => {
            let column = |name: &str| -> Result<Option<Vec<f64>>, ReadError> {
                match links::dataset(g, name) {
                    Ok(ds) => read_1d(&ds, &format!("{path}/{name}")).map(Some),
                    Err(_) => Ok(None),
                }
            };
            let required = |name: &'static str| {
                column(name)?.ok_or_else(|| ObjectError::NoDataset {
                    path: path.to_string(),
                    name,
                })
            };
            let x = required("x")?;
            let y = required("y")?;
            let size = column("size")?;
            let labels = |name: &str, attr: &str, index: usize| {
                links::dataset(g, name)
                    .ok()
                    .and_then(|ds| axis_label(&ds, name, false))
                    .or_else(|| legacy_label(g, attr, index))
            };
            let mut data = scatter(path, x, y, size)?;
            data.x_label = labels("x", "x_label", 0);
            data.y_label = labels("y", "y_label", 1);
            Ok(data)
        }
        Layout::PandasFrame { x, y, size } => {
            let columns = pandas_columns(g);
            let column = |name: &str| -> Result<Vec<f64>, ObjectError> {
                let (_, block, i) =
                    columns
                        .iter()
                        .find(|c| c.0 == name)
                        .ok_or_else(|| ReadError::NoColumn {
                            path: path.to_string(),
                            column: name.to_string(),
                        })?;
                let ds = links::dataset(g, &format!("block{block}_values")).map_err(|source| {
                    ObjectError::PandasBlock {
                        path: path.to_string(),
                        source,
                    }
                })?;
                let (values, cols) = read_table(&ds, path)?;
                Ok(values.iter().skip(*i).step_by(cols).copied().collect())
            };
            let size_values = size.as_deref().map(column).transpose()?;
            let mut data = scatter(path, column(&x)?, column(&y)?, size_values)?;
            data.x_label = Some(x);
            data.y_label = Some(y);
            Ok(data)
        }
        Layout::PandasSeries => {
            let values =
                links::dataset(g, "values").map_err(|source| ObjectError::PandasSeries {
                    path: path.to_string(),
                    source,
                })?;
            let y = read_1d(&values, &format!("{path}/values"))?;
            let (x, scale) = match links::dataset(g, "index") {
                Ok(index) => pandas_index(&index, y.len()),
                Err(_) => (index_axis(y.len()), Scale::Linear),
            };
            let mut data = PlotData::line(path, x, y);
            data.x_scale = scale;
            data.y_label = cf::string(g, "name").filter(|n| n != "N.");
            Ok(data)
        }
        _ => unreachable!("group layouts are x/y groups and pandas frames and series"),
    }
}

fn unplottable(path: &str, why: LayoutError) -> ObjectError {
    ObjectError::Unplottable {
        path: path.to_string(),
        source: why,
    }
}

/// A pandas index: datetime64 (int64 nanoseconds, `kind` = "datetime64") as times, other
/// numbers as they are, anything else (strings) as positions.
fn pandas_index(index: &hdf5::Dataset, n: usize) -> (Vec<f64>, Scale) {
    if index.shape() != [n] || !cf::is_numeric(index) || !readable(index) {
        return (index_axis(n), Scale::Linear);
    }
    let Ok(values) = index.read_raw::<f64>() else {
        return (index_axis(n), Scale::Linear);
    };
    match cf::string(index, "kind").as_deref().and_then(datetime_unit) {
        Some(seconds) => (values.iter().map(|v| v * seconds).collect(), DATETIME64),
        None => (values, Scale::Linear),
    }
}

/// pandas' datetimes are numpy's datetime64: Unix time, proleptic Gregorian.
const DATETIME64: Scale = Scale::Time(Calendar::ProlepticGregorian);

/// Seconds per unit of a pandas datetime kind: "datetime64[us]" (pandas 3), plain
/// "datetime64" nanoseconds (older pandas).
fn datetime_unit(kind: &str) -> Option<f64> {
    let unit = kind.strip_prefix("datetime64")?;
    Some(match unit.trim_start_matches('[').trim_end_matches(']') {
        "" | "ns" => 1e-9,
        "us" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        _ => return None,
    })
}

fn read_dataset(
    dataset: hdf5::Dataset,
    path: &str,
    of: PlotOf<'_>,
    choice: &Choice,
    frames: &mut Option<Box<Frames>>,
) -> Result<PlotData, ObjectError> {
    let ds = &dataset;
    let name = cf::base_name(path);
    let found = dataset_layout(ds, name, choice).map_err(|why| unplottable(path, why))?;
    let Some((layout, kind, frame_shape)) = found else {
        return Err(ObjectError::Support {
            path: path.to_string(),
            what: support_reason(ds, name),
        });
    };
    if kind != of.object.kind || !of.object.fits(&frame_shape) {
        return Err(ObjectError::ChangedKind {
            path: path.to_string(),
            kind,
            frames: frame_shape.iter().product(),
        });
    }
    check_storage(ds, path)?;
    match layout {
        Layout::Columns { x, y, size } => {
            let (values, cols) = read_table(ds, path)?;
            let col = |c: usize| values.iter().skip(c).step_by(cols).copied().collect();
            let mut data = scatter(path, col(x), col(y), size.map(col))?;
            data.x_label = legacy_label(ds, "x_label", 0);
            data.y_label = legacy_label(ds, "y_label", 1);
            Ok(data)
        }
        Layout::Records { x, y, size } => {
            let field = |name: &str| read_field(ds, path, name);
            let y_values = field(&y)?;
            match (kind, x) {
                (Kind::Scatter, Some(x)) => {
                    let size_values = size.as_deref().map(field).transpose()?;
                    let mut data = scatter(path, field(&x)?, y_values, size_values)?;
                    (data.x_label, data.y_label) = (Some(x), Some(y));
                    Ok(data)
                }
                (_, x) => {
                    let mut x_values = match &x {
                        Some(x) => field(x)?,
                        None => index_axis(y_values.len()),
                    };
                    // pandas says a datetime column's unit in `<column>_kind`.
                    let unit = x.as_ref().and_then(|x| {
                        cf::string(ds, &format!("{x}_kind")).and_then(|k| datetime_unit(&k))
                    });
                    if let Some(seconds) = unit {
                        x_values.iter_mut().for_each(|v| *v *= seconds);
                    }
                    let mut data = PlotData::line(path, x_values, y_values);
                    if unit.is_some() {
                        data.x_scale = DATETIME64;
                    }
                    (data.x_label, data.y_label) = (x, Some(y));
                    Ok(data)
                }
            }
        }
        Layout::Array => {
            let array = frames.insert(Box::new(Frames::for_drawing(dataset, of, kind)?));
            array.frame(of)
        }
        _ => unreachable!("dataset layouts are columns, records and arrays"),
    }
}

/// The values of a 1-D numeric dataset, unpacked (CF).
fn read_1d(ds: &hdf5::Dataset, path: &str) -> Result<Vec<f64>, ReadError> {
    check_dimensions(ds, path, 1)?;
    let (values, _) = read_numeric(ds, path)?;
    Ok(values)
}

/// A 2-D numeric table's values in row-major order, with its column count.
fn read_table(ds: &hdf5::Dataset, path: &str) -> Result<(Vec<f64>, usize), ReadError> {
    check_dimensions(ds, path, 2)?;
    read_numeric(ds, path)
}

fn check_dimensions(ds: &hdf5::Dataset, path: &str, dims: usize) -> Result<(), ReadError> {
    let shape = ds.shape();
    if shape.len() == dims {
        return Ok(());
    }
    Err(ReadError::Dimensions {
        path: path.to_string(),
        shape,
        dims,
    })
}

fn read_numeric(ds: &hdf5::Dataset, path: &str) -> Result<(Vec<f64>, usize), ReadError> {
    let shape = ds.shape();
    // A plot of more rows would take minutes and gigabytes: refuse before reading.
    let rows = shape.first().copied().unwrap_or(0) as u64;
    if rows > MAX_ROWS {
        return Err(ReadError::TooManyRows {
            path: path.to_string(),
            rows,
        });
    }
    if !cf::is_numeric(ds) {
        let what = ds
            .dtype()
            .and_then(|t| super::raw::descriptor(&t))
            .map(|t| type_name(&t))
            .unwrap_or("data of an unknown type");
        return Err(ReadError::NotNumbers {
            path: path.to_string(),
            what,
        });
    }
    check_storage(ds, path)?;
    let mut values = ds.read_raw::<f64>().map_err(|source| ReadError::Hdf5 {
        path: path.to_string(),
        source,
    })?;
    Unpacking::of(ds).apply(&mut values);
    Ok((values, shape.get(1).copied().unwrap_or(1)))
}

/// Column `name` of compound records (see [`record_columns`]) as f64s: HDF5 matches
/// compound fields by name, so a memory type of that one field (an f64, or an array of
/// f64s) reads just it, converted.
fn read_field(ds: &hdf5::Dataset, path: &str, name: &str) -> Result<Vec<f64>, ReadError> {
    use hdf5_sys::{h5d, h5p, h5s, h5t};
    let rows = ds.shape().first().copied().unwrap_or(0);
    if rows as u64 > MAX_ROWS {
        return Err(ReadError::TooManyRecords {
            path: path.to_string(),
            rows,
        });
    }
    let Ok(TypeDescriptor::Compound(compound)) =
        ds.dtype().and_then(|t| super::raw::descriptor(&t))
    else {
        return Err(ReadError::NotRecords {
            path: path.to_string(),
        });
    };
    let column = record_columns(ds, &compound)
        .into_iter()
        .find(|c| c.name == name)
        .ok_or_else(|| ReadError::NoColumn {
            path: path.to_string(),
            column: name.to_string(),
        })?;
    let field =
        std::ffi::CString::new(column.field.as_str()).map_err(|_| ReadError::NulInField {
            path: path.to_string(),
        })?;
    let (element, len) = column.element.unwrap_or((0, 1));
    let mut values = vec![0f64; rows * len];
    let status = hdf5::sync::sync(|| unsafe {
        let member = if column.element.is_some() {
            let dims = [len as hdf5_sys::h5::hsize_t];
            h5t::H5Tarray_create2(*h5t::H5T_NATIVE_DOUBLE, 1, dims.as_ptr())
        } else {
            h5t::H5Tcopy(*h5t::H5T_NATIVE_DOUBLE)
        };
        let memtype = h5t::H5Tcreate(h5t::H5T_COMPOUND, len * std::mem::size_of::<f64>());
        let mut status = if member < 0 || memtype < 0 {
            -1
        } else {
            h5t::H5Tinsert(memtype, field.as_ptr(), 0, member)
        };
        if status >= 0 {
            status = h5d::H5Dread(
                ds.id(),
                memtype,
                h5s::H5S_ALL,
                h5s::H5S_ALL,
                h5p::H5P_DEFAULT,
                values.as_mut_ptr().cast(),
            );
        }
        for id in [memtype, member] {
            if id >= 0 {
                h5t::H5Tclose(id);
            }
        }
        status
    });
    if status < 0 {
        return Err(ReadError::Field {
            path: path.to_string(),
            column: name.to_string(),
        });
    }
    Ok(values.into_iter().skip(element).step_by(len).collect())
}

/// An axis label from a dataset's own attributes (`long_name [units]`), if it has any.
fn axis_label(ds: &hdf5::Dataset, name: &str, always: bool) -> Option<String> {
    let described = ["long_name", "standard_name", "units"]
        .iter()
        .any(|a| cf::string(ds, a).is_some());
    (described || always).then(|| cf::label(ds, name))
}

/// The labels this program has always read: attribute `x_label`/`y_label`, else `units` (one
/// string, or one per column: `index` picks the axis).
fn legacy_label(loc: &hdf5::Location, name: &str, index: usize) -> Option<String> {
    if let Some(label) = cf::string(loc, name) {
        return Some(label);
    }
    let units = cf::strings(loc, "units")?;
    match units.len() {
        1 => units.into_iter().next(),
        _ => units.into_iter().nth(index),
    }
    .filter(|u| !u.is_empty())
}

/// A scatter plot of x, y and optional sizes, leaving out rows that are not all finite.
fn scatter(
    path: &str,
    x: Vec<f64>,
    y: Vec<f64>,
    size: Option<Vec<f64>>,
) -> Result<PlotData, ObjectError> {
    for (column, v) in [("y", Some(&y)), ("size", size.as_ref())] {
        if let Some(v) = v.filter(|v| v.len() != x.len()) {
            return Err(ObjectError::Lengths {
                path: path.to_string(),
                column,
                len: v.len(),
                x_len: x.len(),
            });
        }
    }
    if x.is_empty() {
        return Err(ObjectError::ZeroRows {
            path: path.to_string(),
        });
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
        return Err(ObjectError::NoFinitePoints {
            path: path.to_string(),
            rows: x.len(),
        });
    }
    Ok(PlotData {
        content: Content::Scatter(points),
        title: Some(path.to_string()),
        dropped,
        ..PlotData::default()
    })
}

/// The values plot `of` shows — a line's y, a heatmap's cells — for the frames of an array
/// to share one scale: only the frame's values are read (no coordinates, no labels). `None`
/// when it is not an array's frame. `frames`: the array last read, kept for its next frame.
pub fn frame_values(
    file: &hdf5::File,
    of: PlotOf<'_>,
    frames: &mut Option<Box<Frames>>,
) -> Result<Option<Values>, ObjectError> {
    if let Some(f) = frames.as_ref().filter(|f| f.serve(of, false)) {
        return f.checked_values(of).map(Some);
    }
    let path = of.object.path.as_str();
    let Object::Dataset(ds) = open_object(file, path)? else {
        return Ok(None);
    };
    check_storage(&ds, path)?;
    frames
        .insert(Box::new(Frames::for_range(ds, of)?))
        .checked_values(of)
        .map(Some)
}
