//! How the objects of a file become plots: which layout an object has (an x/y group, a
//! numeric table, compound records, a pandas frame or series, an N-D array), which kind of
//! plot it gives (scatter, line, heatmap) and how many (one per frame of its leading
//! dimensions). Reading a plot's data is `read`'s.

use super::conventions as cf;
use super::h5::{readable, shape_text, type_name, MAX_ROWS};
use super::links;
use super::slices::Slice;
use crate::plan::{Kind, MAX_PLOTS};
use crate::source::data::Limits;
use crate::source::ranges::{robust::Space, RangeSharing, SharedRanges};
use hdf5::types::TypeDescriptor;

/// What the user chose on the command line about how objects are drawn.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Choice {
    /// `--kind`: draw every object as this kind where its shape allows.
    pub kind: Option<Kind>,
    /// `--columns X,Y[,SIZE]`: the fields or columns of tables to draw (names, or numbers
    /// from 0 for plain 2-D tables).
    pub columns: Option<Vec<String>>,
    /// `--xlim`, `--ylim`, `--vmin/--vmax`: exact limits for every plot.
    pub limits: Limits,
    /// `--range`: which frames share a value range.
    pub sharing: RangeSharing,
    /// `--robust`: heatmaps' colour limits are percentiles of their values.
    pub robust: bool,
    /// Where heatmaps' values are compared (log10 under a log norm).
    pub space: Space,
    /// `--select`, `--isel`: which frames of arrays are drawn.
    pub slices: Vec<Slice>,
    /// The value ranges frames share, agreed by all ranks before drawing.
    pub shared: SharedRanges,
}

/// What an object of the file is to the program.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// Plots of `kind`: one, or one per index of `frame_shape`; `what` describes it.
    Plots {
        kind: Kind,
        frame_shape: Vec<u64>,
        what: String,
    },
    /// Part of the data's description, not data: a coordinate, an index, bookkeeping.
    Support(String),
    /// Data that cannot be plotted, and why.
    Unplottable(String),
}

/// Why an object cannot be drawn, said of it: a reason follows the object's path ("/t has
/// shape (4, 1): …").
#[derive(Debug, Clone, thiserror::Error)]
pub enum LayoutError {
    #[error("has a data type this program cannot read: {0}")]
    UnreadableType(hdf5::Error),
    #[error("holds {0}, not numbers")]
    NotNumbers(&'static str),
    #[error("holds a single value")]
    SingleValue,
    #[error("is empty, of shape {}", shape_text(.0))]
    Empty(Vec<usize>),
    #[error("is 1-D: a heatmap needs two dimensions")]
    HeatmapOf1d,
    #[error("would give {0} frames, more than the {MAX_PLOTS} one run may have")]
    TooManyFrames(u64),
    #[error("has {0} values per plot, more than the {MAX_ROWS} one plot may have")]
    TooManyValues(u64),
    #[error("has shape {}: a scatter plot needs a 2-D table of columns x, y", shape_text(.0))]
    NotATable(Vec<usize>),
    #[error("has shape ({rows}, {cols}): a scatter plot needs at least two columns")]
    TooFewColumns { rows: usize, cols: usize },
    #[error("holds compound records of shape {}: only a 1-D list of records is drawn", shape_text(.0))]
    RecordsNot1d(Vec<usize>),
    /// `--columns` names a column a plain table has neither by name nor by number.
    #[error("has no column '{column}' (--columns): give column numbers 0 to {}{}", .cols - 1, names_note(.names))]
    NoColumnNumber {
        column: String,
        cols: usize,
        names: Option<Vec<String>>,
    },
    /// `--columns` names a column a table of named columns lacks.
    #[error("has no column '{column}' (--columns); its columns are {}", .columns.join(", "))]
    NoColumn {
        column: String,
        columns: Vec<String>,
    },
    /// Without `--columns`, no columns are named x and y; `fields`: all fields of records,
    /// of which `columns` are the numeric ones.
    #[error("holds columns {}, none named x and y; choose two (or three, with marker sizes) with --columns X,Y[,SIZE]{}", .columns.join(", "), fields_note(.fields))]
    NoXy {
        columns: Vec<String>,
        fields: Option<Vec<String>>,
    },
}

fn names_note(names: &Option<Vec<String>>) -> String {
    names
        .as_ref()
        .map(|n| format!(" or names {}", n.join(", ")))
        .unwrap_or_default()
}

fn fields_note(fields: &Option<Vec<String>>) -> String {
    fields
        .as_ref()
        .map(|f| format!(" (fields {})", f.join(", ")))
        .unwrap_or_default()
}

/// The shape of an object's data, as far as drawing it goes.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Layout {
    /// A group with 1-D datasets `x`, `y` and optional `size`.
    XyGroup,
    /// A 2-D numeric dataset read as columns (0-based).
    Columns {
        x: usize,
        y: usize,
        size: Option<usize>,
    },
    /// Compound records, read by field name.
    Records {
        x: Option<String>,
        y: String,
        size: Option<String>,
    },
    /// A pandas "fixed" DataFrame: columns in `blockN_values`, named by `blockN_items`.
    PandasFrame {
        x: String,
        y: String,
        size: Option<String>,
    },
    /// A pandas "fixed" Series: `values` against `index`.
    PandasSeries,
    /// A numeric array drawn as lines or heatmaps, frames over its leading dimensions.
    Array,
}

/// What a group is: a plottable group, or `None` for a group to walk into.
pub fn classify_group(group: &hdf5::Group, choice: &Choice) -> Option<Found> {
    group_layout(group, choice).map(|layout| match layout {
        Ok((layout, kind)) => Found::Plots {
            kind,
            frame_shape: Vec::new(),
            what: describe_group(&layout),
        },
        Err(why) => Found::Unplottable(why.to_string()),
    })
}

fn describe_group(layout: &Layout) -> String {
    match layout {
        Layout::XyGroup => "group of x, y datasets".into(),
        Layout::PandasFrame { x, y, size } => {
            format!("pandas DataFrame, columns {}", columns_text(x, y, size))
        }
        Layout::PandasSeries => "pandas Series, values against index".into(),
        _ => "group".into(),
    }
}

fn columns_text(x: &str, y: &str, size: &Option<String>) -> String {
    match size {
        Some(s) => format!("{x}, {y}, {s} as x, y, size"),
        None => format!("{x}, {y} as x, y"),
    }
}

/// `None`: not a plottable group (walk into it). pandas groups are one object each: their
/// datasets are parts of one table.
pub(super) fn group_layout(
    group: &hdf5::Group,
    choice: &Choice,
) -> Option<Result<(Layout, Kind), LayoutError>> {
    if links::dataset(group, "x").is_ok() && links::dataset(group, "y").is_ok() {
        return Some(Ok((Layout::XyGroup, Kind::Scatter)));
    }
    match cf::string(group, "pandas_type").as_deref() {
        Some("frame") => Some(pandas_frame_layout(group, choice).map(|l| (l, Kind::Scatter))),
        Some("series") => Some(Ok((Layout::PandasSeries, Kind::Line))),
        // Table formats hold a compound `table` dataset, classified as records.
        _ => None,
    }
}

/// A pandas fixed-format frame's columns by name, in block order.
pub(super) fn pandas_columns(group: &hdf5::Group) -> Vec<(String, usize, usize)> {
    let mut found = Vec::new();
    for block in 0.. {
        let Ok(items) = links::dataset(group, &format!("block{block}_items")) else {
            break;
        };
        let names = if readable(&items) {
            cf::texts(&items)
        } else {
            None
        };
        for (i, name) in names.unwrap_or_default().into_iter().enumerate() {
            found.push((name, block, i));
        }
    }
    found
}

fn pandas_frame_layout(group: &hdf5::Group, choice: &Choice) -> Result<Layout, LayoutError> {
    let names: Vec<String> = pandas_columns(group).into_iter().map(|c| c.0).collect();
    let (x, y, size) = pick_columns(&names, choice)?;
    Ok(Layout::PandasFrame { x, y, size })
}

/// Which named columns are x, y and size: `--columns`, else columns named x and y (and
/// size, s or area), in any case.
fn pick_columns(
    names: &[String],
    choice: &Choice,
) -> Result<(String, String, Option<String>), LayoutError> {
    let find = |wanted: &str| {
        names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(wanted))
            .cloned()
    };
    if let Some(columns) = &choice.columns {
        let picked: Vec<String> = columns
            .iter()
            .map(|c| {
                find(c).ok_or_else(|| LayoutError::NoColumn {
                    column: c.clone(),
                    columns: names.to_vec(),
                })
            })
            .collect::<Result<_, _>>()?;
        return Ok((picked[0].clone(), picked[1].clone(), picked.get(2).cloned()));
    }
    match (find("x"), find("y")) {
        (Some(x), Some(y)) => {
            let size = ["size", "s", "area"].into_iter().find_map(find);
            Ok((x, y, size))
        }
        _ => Err(LayoutError::NoXy {
            columns: names.to_vec(),
            fields: None,
        }),
    }
}

/// What dataset `name` of `parent` is: plots of a kind, support, or unplottable with the
/// reason.
pub fn classify_dataset(
    ds: &hdf5::Dataset,
    parent: &hdf5::Group,
    name: &str,
    choice: &Choice,
) -> Found {
    if let Some(coordinate) = bounds_of(ds, parent, name) {
        return Found::Support(format!("the cell bounds of {coordinate} (CF)"));
    }
    match dataset_layout(ds, name, choice) {
        Ok(Some((layout, kind, frame_shape))) => {
            let what = describe_dataset(ds, &layout, kind, &frame_shape);
            Found::Plots {
                kind,
                frame_shape,
                what,
            }
        }
        Ok(None) => Found::Support(support_reason(ds, name).into()),
        Err(why) => Found::Unplottable(why.to_string()),
    }
}

/// The variable whose CF `bounds` attribute names this dataset, if any. Bounds end in a
/// dimension of 2 (the two ends of a 1-D cell), so only such datasets are looked up.
fn bounds_of(ds: &hdf5::Dataset, parent: &hdf5::Group, name: &str) -> Option<String> {
    if ds.shape().last() != Some(&2) {
        return None;
    }
    parent.member_names().ok()?.into_iter().find(|member| {
        member != name
            && links::dataset(parent, member)
                .ok()
                .and_then(|d| cf::string(&d, "bounds"))
                .is_some_and(|b| b == name)
    })
}

pub(super) fn support_reason(ds: &hdf5::Dataset, name: &str) -> &'static str {
    if cf::is_phony_dimension(ds) {
        "a netCDF dimension without values"
    } else if cf::is_dimension_scale(ds) {
        "a coordinate: drawn as the axis of the variables that use it"
    } else if cf::is_pytables_index(ds, name) {
        "an index PyTables keeps of a table column"
    } else {
        "not data"
    }
}

fn describe_dataset(ds: &hdf5::Dataset, layout: &Layout, kind: Kind, frames: &[u64]) -> String {
    let shape = shape_text(&ds.shape());
    match layout {
        Layout::Columns { x, y, size } => {
            // Columns by name where the table names them, else by number.
            let names = column_names(ds).unwrap_or_default();
            let name = |i: usize| names.get(i).cloned().unwrap_or_else(|| i.to_string());
            let size = size.map(name);
            format!(
                "{shape} table, columns {}",
                columns_text(&name(*x), &name(*y), &size)
            )
        }
        Layout::Records { x, y, size } => match x {
            Some(x) => format!("{shape} records, fields {}", columns_text(x, y, size)),
            None => format!("{shape} records, field {y} against index"),
        },
        _ => {
            let coords = cf::coordinates(ds);
            let labels = cf::strings(ds, "DIMENSION_LABELS").unwrap_or_default();
            let dim_name = |i: usize| match (&coords[i], labels.get(i)) {
                (Some(c), _) => cf::base_name(&cf::name_of(c)).to_owned(),
                (None, Some(label)) if !label.is_empty() => label.clone(),
                (None, _) => format!("dimension {i}"),
            };
            let lead = frames.len();
            let drawn: Vec<String> = (lead..coords.len()).map(dim_name).collect();
            let mut what = match kind {
                Kind::Line => format!("{shape} array against {}", drawn.join(" × ")),
                _ => format!("{shape} array over {}", drawn.join(" × ")),
            };
            if lead > 0 {
                let over: Vec<String> = (0..lead).map(dim_name).collect();
                what += &format!(", one {} per {}", kind.name(), over.join(" × "));
            }
            what
        }
    }
}

pub(super) type DatasetLayout = Option<(Layout, Kind, Vec<u64>)>;

/// `Ok(None)` for support objects (coordinates, indexes).
pub(super) fn dataset_layout(
    ds: &hdf5::Dataset,
    name: &str,
    choice: &Choice,
) -> Result<DatasetLayout, LayoutError> {
    if cf::is_dimension_scale(ds) || cf::is_phony_dimension(ds) || cf::is_pytables_index(ds, name) {
        return Ok(None);
    }
    let descriptor = ds
        .dtype()
        .and_then(|t| super::raw::descriptor(&t))
        .map_err(LayoutError::UnreadableType)?;
    let shape = ds.shape();
    if let TypeDescriptor::Compound(compound) = &descriptor {
        return records_layout(ds, compound, &shape, choice).map(Some);
    }
    if !cf::is_numeric_type(&descriptor) {
        return Err(LayoutError::NotNumbers(type_name(&descriptor)));
    }
    if shape.is_empty() {
        return Err(LayoutError::SingleValue);
    }
    if shape.contains(&0) {
        return Err(LayoutError::Empty(shape));
    }
    let kind = match choice.kind {
        Some(kind) => kind,
        None => auto_kind(ds, &shape),
    };
    let frame_dims = match kind {
        Kind::Line => shape.len() - 1,
        Kind::Heatmap if shape.len() >= 2 => shape.len() - 2,
        Kind::Heatmap => return Err(LayoutError::HeatmapOf1d),
        Kind::Scatter => {
            return columns_layout(ds, &shape, choice).map(|l| Some((l, Kind::Scatter, Vec::new())))
        }
    };
    let frame_shape: Vec<u64> = shape[..frame_dims].iter().map(|&n| n as u64).collect();
    let frames: u64 = frame_shape.iter().product();
    if frames > MAX_PLOTS {
        return Err(LayoutError::TooManyFrames(frames));
    }
    let per_frame: u64 = shape[frame_dims..].iter().map(|&n| n as u64).product();
    if per_frame > MAX_ROWS {
        return Err(LayoutError::TooManyValues(per_frame));
    }
    Ok(Some((Layout::Array, kind, frame_shape)))
}

/// The kind a numeric array's shape says: 1-D a line; a 2-D table of 2 or 3 columns (more
/// rows than columns, no coordinate on its columns) a scatter; other 2-D a heatmap; more
/// dimensions a heatmap per frame.
fn auto_kind(ds: &hdf5::Dataset, shape: &[usize]) -> Kind {
    match shape {
        [_] => Kind::Line,
        [rows, cols] if (*cols == 2 || *cols == 3) && rows > cols => {
            if cf::coordinates(ds)[1].is_some() {
                Kind::Heatmap
            } else {
                Kind::Scatter
            }
        }
        _ => Kind::Heatmap,
    }
}

/// A table's column names from its `columns` (or `column_names`) attribute: one string
/// per column, or one string of names separated by spaces or commas.
fn column_names(ds: &hdf5::Dataset) -> Option<Vec<String>> {
    let names = cf::strings(ds, "columns").or_else(|| cf::strings(ds, "column_names"))?;
    match names.as_slice() {
        [one] => Some(
            one.split([' ', ','])
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        _ => Some(names),
    }
}

/// A plain 2-D table: columns 0 and 1 as x and y; a third as marker sizes only where the
/// data says so (a `columns` attribute naming it size) or `--columns` asks.
fn columns_layout(
    ds: &hdf5::Dataset,
    shape: &[usize],
    choice: &Choice,
) -> Result<Layout, LayoutError> {
    let &[rows, cols] = shape else {
        return Err(LayoutError::NotATable(shape.to_vec()));
    };
    if cols < 2 {
        return Err(LayoutError::TooFewColumns { rows, cols });
    }
    let names = column_names(ds).filter(|n| n.len() == cols);
    let index_of = |wanted: &str| -> Result<usize, LayoutError> {
        if let Some(i) = names
            .as_ref()
            .and_then(|n| n.iter().position(|c| c.eq_ignore_ascii_case(wanted)))
        {
            return Ok(i);
        }
        match wanted.parse::<usize>() {
            Ok(i) if i < cols => Ok(i),
            _ => Err(LayoutError::NoColumnNumber {
                column: wanted.to_string(),
                cols,
                names: names.clone(),
            }),
        }
    };
    if let Some(columns) = &choice.columns {
        let picked: Vec<usize> = columns
            .iter()
            .map(|c| index_of(c))
            .collect::<Result<_, _>>()?;
        return Ok(Layout::Columns {
            x: picked[0],
            y: picked[1],
            size: picked.get(2).copied(),
        });
    }
    let named = |wanted: &[&str]| {
        wanted.iter().find_map(|w| {
            names
                .as_ref()?
                .iter()
                .position(|c| c.eq_ignore_ascii_case(w))
        })
    };
    Ok(Layout::Columns {
        x: named(&["x"]).unwrap_or(0),
        y: named(&["y"]).unwrap_or(1),
        size: named(&["size", "s", "area"]),
    })
}

/// A drawable column of compound records: a numeric field, or one element of a numeric
/// array field (pandas keeps the columns of a table stored without `data_columns` as one
/// array field per block, `values_block_0`).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct RecordColumn {
    pub(super) name: String,
    pub(super) field: String,
    /// The element and the array's length, for array fields.
    pub(super) element: Option<(usize, usize)>,
}

/// The numeric columns of records, array fields expanded; an array's elements are named
/// from pandas' `<field>_kind` attribute (a protocol-0 pickle of the names: a `V<name>` line each,
/// after the opcode `a` but the first), else `<field>[i]`.
pub(super) fn record_columns(
    ds: &hdf5::Dataset,
    compound: &hdf5::types::CompoundType,
) -> Vec<RecordColumn> {
    let mut columns = Vec::new();
    for f in &compound.fields {
        match &f.ty {
            t if cf::is_numeric_type(t) => columns.push(RecordColumn {
                name: f.name.clone(),
                field: f.name.clone(),
                element: None,
            }),
            TypeDescriptor::FixedArray(t, len) if cf::is_numeric_type(t) => {
                let names: Vec<String> = cf::string(ds, &format!("{}_kind", f.name))
                    .map(|pickle| {
                        pickle
                            .lines()
                            .filter_map(|l| l.strip_prefix('a').unwrap_or(l).strip_prefix('V'))
                            .map(str::to_owned)
                            .collect()
                    })
                    .filter(|n: &Vec<String>| n.len() == *len)
                    .unwrap_or_else(|| (0..*len).map(|i| format!("{}[{i}]", f.name)).collect());
                columns.extend(names.into_iter().enumerate().map(|(i, name)| RecordColumn {
                    name,
                    field: f.name.clone(),
                    element: Some((i, *len)),
                }));
            }
            _ => {}
        }
    }
    columns
}

fn records_layout(
    ds: &hdf5::Dataset,
    compound: &hdf5::types::CompoundType,
    shape: &[usize],
    choice: &Choice,
) -> Result<(Layout, Kind, Vec<u64>), LayoutError> {
    if shape.len() != 1 {
        return Err(LayoutError::RecordsNot1d(shape.to_vec()));
    }
    let numeric: Vec<String> = record_columns(ds, compound)
        .into_iter()
        .map(|c| c.name)
        .collect();
    // A pandas Series in table format: `index` and the series, one field named after it.
    if choice.columns.is_none() && numeric.len() == 2 && numeric[0] == "index" {
        return Ok((
            Layout::Records {
                x: Some("index".into()),
                y: numeric[1].clone(),
                size: None,
            },
            Kind::Line,
            Vec::new(),
        ));
    }
    let (x, y, size) = pick_columns(&numeric, choice).map_err(|why| match why {
        // The columns are the numeric fields: the others are named too, to say why not them.
        LayoutError::NoXy { columns, .. } => LayoutError::NoXy {
            columns,
            fields: Some(compound.fields.iter().map(|f| f.name.clone()).collect()),
        },
        why => why,
    })?;
    let kind = choice.kind.unwrap_or(Kind::Scatter);
    Ok((
        Layout::Records {
            x: Some(x),
            y,
            size,
        },
        kind,
        Vec::new(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_picked_by_name_in_any_case() {
        let names: Vec<String> = ["Index", "X", "y", "Size"].map(String::from).into();
        let picked = pick_columns(&names, &Choice::default()).unwrap();
        assert_eq!(picked, ("X".into(), "y".into(), Some("Size".into())));
        let choice = Choice {
            columns: Some(vec!["index".into(), "size".into()]),
            ..Choice::default()
        };
        let picked = pick_columns(&names, &choice).unwrap();
        assert_eq!(picked, ("Index".into(), "Size".into(), None));
        let none: Vec<String> = ["a", "b"].map(String::from).into();
        let e = pick_columns(&none, &Choice::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("--columns X,Y[,SIZE]"), "{e}");
    }
}
