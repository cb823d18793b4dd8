//! How the objects of a file become plots: which layout an object has (an x/y group, a
//! numeric table, compound records, a pandas frame or series, an N-D array), which kind of
//! plot it gives (scatter, line, heatmap), how many (one per frame of its leading
//! dimensions), and reading one plot's data — a single frame, never the whole array.

use super::conventions::{self as cf, TimeUnits, Unpacking};
use super::hdf5::{check_storage, reason, type_name, DEFAULT_AREA_PT2, MAX_ROWS};
use super::{finite_range, Content, Grid, Limits, PlotData, Points, Scale, Series};
use crate::plan::{Kind, PlotOf, MAX_PLOTS};
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
    /// The value range over all frames of each object of the plan (in plan order), agreed by
    /// all ranks before drawing; empty for objects without frames.
    pub shared: Vec<Option<(f64, f64)>>,
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

/// The shape of an object's data, as far as drawing it goes.
#[derive(Debug, Clone, PartialEq)]
enum Layout {
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

/// An opened object of the file.
pub enum Object {
    Group(hdf5::Group),
    Dataset(hdf5::Dataset),
}

/// What a group is: a plottable group, or `None` for a group to walk into.
pub fn classify_group(group: &hdf5::Group, choice: &Choice) -> Option<Found> {
    group_layout(group, choice).map(|layout| match layout {
        Ok((layout, kind)) => Found::Plots {
            kind,
            frame_shape: Vec::new(),
            what: describe_group(&layout),
        },
        Err(why) => Found::Unplottable(why),
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
fn group_layout(group: &hdf5::Group, choice: &Choice) -> Option<Result<(Layout, Kind), String>> {
    if group.dataset("x").is_ok() && group.dataset("y").is_ok() {
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
fn pandas_columns(group: &hdf5::Group) -> Vec<(String, usize, usize)> {
    let mut found = Vec::new();
    for block in 0.. {
        let Ok(items) = group.dataset(&format!("block{block}_items")) else {
            break;
        };
        for (i, name) in string_values(&items).into_iter().enumerate() {
            found.push((name, block, i));
        }
    }
    found
}

fn pandas_frame_layout(group: &hdf5::Group, choice: &Choice) -> Result<Layout, String> {
    let names: Vec<String> = pandas_columns(group).into_iter().map(|c| c.0).collect();
    let (x, y, size) = pick_columns(&names, choice)?;
    Ok(Layout::PandasFrame { x, y, size })
}

/// Which named columns are x, y and size: `--columns`, else columns named x and y (and
/// size, s or area), in any case.
fn pick_columns(
    names: &[String],
    choice: &Choice,
) -> Result<(String, String, Option<String>), String> {
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
                find(c).ok_or_else(|| {
                    format!(
                        "has no column '{c}' (--columns); its columns are {}",
                        names.join(", ")
                    )
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
        _ => Err(format!(
            "holds columns {}, none named x and y; choose two (or three, with marker sizes) with --columns X,Y[,SIZE]",
            names.join(", ")
        )),
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
        Ok(None) => Found::Support(support_reason(ds, name)),
        Err(why) => Found::Unplottable(why),
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
            && parent
                .dataset(member)
                .ok()
                .and_then(|d| cf::string(&d, "bounds"))
                .is_some_and(|b| b == name)
    })
}

fn support_reason(ds: &hdf5::Dataset, name: &str) -> String {
    if cf::is_phony_dimension(ds) {
        "a netCDF dimension without values".into()
    } else if cf::is_dimension_scale(ds) {
        "a coordinate: drawn as the axis of the variables that use it".into()
    } else if cf::is_pytables_index(ds, name) {
        "an index PyTables keeps of a table column".into()
    } else {
        "not data".into()
    }
}

fn shape_text(shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    match dims.as_slice() {
        [one] => format!("({one},)"),
        _ => format!("({})", dims.join(", ")),
    }
}

fn describe_dataset(ds: &hdf5::Dataset, layout: &Layout, kind: Kind, frames: &[u64]) -> String {
    let shape = shape_text(&ds.shape());
    match layout {
        Layout::Columns { x, y, size } => match size {
            Some(s) => format!("{shape} table, columns {x}, {y}, {s} as x, y, size"),
            None => format!("{shape} table, columns {x}, {y} as x, y"),
        },
        Layout::Records { x, y, size } => match x {
            Some(x) => format!("{shape} records, fields {}", columns_text(x, y, size)),
            None => format!("{shape} records, field {y} against index"),
        },
        _ => {
            let coords = cf::coordinates(ds);
            let labels = cf::strings(ds, "DIMENSION_LABELS").unwrap_or_default();
            let dim_name = |i: usize| match (&coords[i], labels.get(i)) {
                (Some(c), _) => cf::base_name(&c.name()).to_owned(),
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

type DatasetLayout = Option<(Layout, Kind, Vec<u64>)>;

/// `Ok(None)` for support objects (coordinates, indexes).
fn dataset_layout(ds: &hdf5::Dataset, name: &str, choice: &Choice) -> Result<DatasetLayout, String> {
    if cf::is_dimension_scale(ds) || cf::is_phony_dimension(ds) || cf::is_pytables_index(ds, name)
    {
        return Ok(None);
    }
    let descriptor = ds
        .dtype()
        .and_then(|t| t.to_descriptor())
        .map_err(|e| format!("has a data type this program cannot read: {e}"))?;
    let shape = ds.shape();
    if let TypeDescriptor::Compound(compound) = &descriptor {
        return records_layout(ds, compound, &shape, choice).map(Some);
    }
    if !cf::is_numeric_type(&descriptor) {
        return Err(format!("holds {}, not numbers", type_name(&descriptor)));
    }
    if shape.is_empty() {
        return Err("holds a single value".into());
    }
    if shape.contains(&0) {
        return Err(format!("is empty, of shape {}", shape_text(&shape)));
    }
    let kind = match choice.kind {
        Some(kind) => kind,
        None => auto_kind(ds, &shape),
    };
    let frame_dims = match kind {
        Kind::Line => shape.len() - 1,
        Kind::Heatmap if shape.len() >= 2 => shape.len() - 2,
        Kind::Heatmap => return Err("is 1-D: a heatmap needs two dimensions".into()),
        Kind::Scatter => {
            return columns_layout(ds, &shape, choice).map(|l| Some((l, Kind::Scatter, Vec::new())))
        }
    };
    let frame_shape: Vec<u64> = shape[..frame_dims].iter().map(|&n| n as u64).collect();
    let frames: u64 = frame_shape.iter().product();
    if frames > MAX_PLOTS {
        return Err(format!(
            "would give {frames} frames, more than the {MAX_PLOTS} one run may have"
        ));
    }
    let per_frame: u64 = shape[frame_dims..].iter().map(|&n| n as u64).product();
    if per_frame > MAX_ROWS {
        return Err(format!(
            "has {per_frame} values per plot, more than the {MAX_ROWS} one plot may have"
        ));
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
fn columns_layout(ds: &hdf5::Dataset, shape: &[usize], choice: &Choice) -> Result<Layout, String> {
    let [rows, cols] = shape else {
        return Err(format!(
            "has shape {}: a scatter plot needs a 2-D table of columns x, y",
            shape_text(shape)
        ));
    };
    if *cols < 2 {
        return Err(format!(
            "has shape ({rows}, {cols}): a scatter plot needs at least two columns"
        ));
    }
    let names = column_names(ds).filter(|n| n.len() == *cols);
    let index_of = |wanted: &str| -> Result<usize, String> {
        if let Some(i) = names
            .as_ref()
            .and_then(|n| n.iter().position(|c| c.eq_ignore_ascii_case(wanted)))
        {
            return Ok(i);
        }
        match wanted.parse::<usize>() {
            Ok(i) if i < *cols => Ok(i),
            _ => Err(format!(
                "has no column '{wanted}' (--columns): give column numbers 0 to {}{}",
                cols - 1,
                names
                    .as_ref()
                    .map(|n| format!(" or names {}", n.join(", ")))
                    .unwrap_or_default()
            )),
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
        wanted
            .iter()
            .find_map(|w| names.as_ref()?.iter().position(|c| c.eq_ignore_ascii_case(w)))
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
struct RecordColumn {
    name: String,
    field: String,
    /// The element and the array's length, for array fields.
    element: Option<(usize, usize)>,
}

/// The numeric columns of records, array fields expanded; an array's elements are named
/// from pandas' `<field>_kind` attribute (a protocol-0 pickle of the names: a `V<name>` line each,
/// after the opcode `a` but the first), else `<field>[i]`.
fn record_columns(ds: &hdf5::Dataset, compound: &hdf5::types::CompoundType) -> Vec<RecordColumn> {
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
) -> Result<(Layout, Kind, Vec<u64>), String> {
    if shape.len() != 1 {
        return Err(format!(
            "holds compound records of shape {}: only a 1-D list of records is drawn",
            shape_text(shape)
        ));
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
    let (x, y, size) = pick_columns(&numeric, choice).map_err(|why| {
        let all: Vec<&str> = compound.fields.iter().map(|f| f.name.as_str()).collect();
        if choice.columns.is_none() {
            format!("{why} (fields {})", all.join(", "))
        } else {
            why
        }
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

/// Opens `path` of `file` as a group or dataset, or says why it cannot be.
pub fn open_object(file: &hdf5::File, path: &str) -> Result<Object, String> {
    let group = file.group(path);
    if let Ok(g) = group {
        return Ok(Object::Group(g));
    }
    file.dataset(path).map(Object::Dataset).map_err(|dataset_error| {
        if path.contains(char::REPLACEMENT_CHARACTER) {
            return format!(
                "{path}: the object's name is not valid UTF-8 and cannot be read; rename it"
            );
        }
        let group_error = group.err().map(|e| reason(&e)).unwrap_or_default();
        match file.loc_type_by_name(path) {
            Ok(hdf5::LocationType::Dataset) => {
                format!("{path} could not be opened: {}", reason(&dataset_error))
            }
            Ok(hdf5::LocationType::Group) => format!("{path} could not be opened: {group_error}"),
            Ok(_) => format!("{path} is a committed datatype, not a dataset or group"),
            Err(e) => format!("{path} could not be opened: {}", reason(&e)),
        }
    })
}

/// Reads the data of plot `of`: its object's frame, titled and labelled from the file's
/// attributes. Every way the data can be unusable is an `Err` fit for a "Failed:" line.
pub fn read(file: &hdf5::File, of: PlotOf<'_>, choice: &Choice) -> Result<PlotData, String> {
    let path = of.object.path.as_str();
    let mut data = match open_object(file, path)? {
        Object::Group(g) => read_group(&g, path, choice)?,
        Object::Dataset(ds) => read_dataset(&ds, path, of, choice)?,
    };
    data.limits = choice.limits;
    data.value_range = choice.shared.get(of.index).copied().flatten();
    Ok(data)
}

fn read_group(g: &hdf5::Group, path: &str, choice: &Choice) -> Result<PlotData, String> {
    let layout = match group_layout(g, choice) {
        Some(layout) => layout.map_err(|why| format!("{path} {why}"))?.0,
        None => return Err(format!("{path} is a group without datasets x and y")),
    };
    match layout {
        Layout::XyGroup => {
            let column = |name: &str| -> Result<Option<Vec<f64>>, String> {
                match g.dataset(name) {
                    Ok(ds) => read_1d(&ds, &format!("{path}/{name}")).map(Some),
                    Err(_) => Ok(None),
                }
            };
            let x = column("x")?.ok_or_else(|| format!("group {path} has no dataset 'x'"))?;
            let y = column("y")?.ok_or_else(|| format!("group {path} has no dataset 'y'"))?;
            let size = column("size")?;
            let labels = |name: &str, attr: &str, index: usize| {
                g.dataset(name)
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
            let column = |name: &str| -> Result<Vec<f64>, String> {
                let (_, block, i) = columns
                    .iter()
                    .find(|c| c.0 == name)
                    .ok_or_else(|| format!("{path} has no column {name}"))?;
                let ds = g
                    .dataset(&format!("block{block}_values"))
                    .map_err(|e| format!("{path}: {}", reason(&e)))?;
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
            let values = g
                .dataset("values")
                .map_err(|e| format!("{path}: a pandas Series without values: {}", reason(&e)))?;
            let y = read_1d(&values, &format!("{path}/values"))?;
            let (x, scale) = match g.dataset("index") {
                Ok(index) => pandas_index(&index, y.len()),
                Err(_) => (index_axis(y.len()), Scale::Linear),
            };
            let mut data = line(path, x, y);
            data.x_scale = scale;
            data.y_label = cf::string(g, "name").filter(|n| n != "N.");
            Ok(data)
        }
        _ => unreachable!("group layouts are x/y groups and pandas frames and series"),
    }
}

/// A pandas index: datetime64 (int64 nanoseconds, `kind` = "datetime64") as times, other
/// numbers as they are, anything else (strings) as positions.
fn pandas_index(index: &hdf5::Dataset, n: usize) -> (Vec<f64>, Scale) {
    if index.shape() != [n] || !cf::is_numeric(index) {
        return (index_axis(n), Scale::Linear);
    }
    let Ok(values) = index.read_raw::<f64>() else {
        return (index_axis(n), Scale::Linear);
    };
    match cf::string(index, "kind").as_deref().and_then(datetime_unit) {
        Some(seconds) => (values.iter().map(|v| v * seconds).collect(), Scale::Time),
        None => (values, Scale::Linear),
    }
}

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

fn index_axis(n: usize) -> Vec<f64> {
    (0..n).map(|i| i as f64).collect()
}

fn read_dataset(
    ds: &hdf5::Dataset,
    path: &str,
    of: PlotOf<'_>,
    choice: &Choice,
) -> Result<PlotData, String> {
    let name = cf::base_name(path);
    let found = dataset_layout(ds, name, choice).map_err(|why| format!("{path} {why}"))?;
    let Some((layout, kind, frame_shape)) = found else {
        return Err(format!("{path} is {}", support_reason(ds, name)));
    };
    if kind != of.object.kind || frame_shape != of.object.frame_shape {
        return Err(format!(
            "{path} changed since the run was planned (it is now a {} of {} frames); run again",
            kind.name(),
            frame_shape.iter().product::<u64>()
        ));
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
                    let mut data = line(path, x_values, y_values);
                    if unit.is_some() {
                        data.x_scale = Scale::Time;
                    }
                    (data.x_label, data.y_label) = (x, Some(y));
                    Ok(data)
                }
            }
        }
        Layout::Array => read_array(ds, path, of, kind),
        _ => unreachable!("dataset layouts are columns, records and arrays"),
    }
}

/// One frame of an N-D array as a line (its last dimension) or heatmap (its last two).
fn read_array(ds: &hdf5::Dataset, path: &str, of: PlotOf<'_>, kind: Kind) -> Result<PlotData, String> {
    let shape = ds.shape();
    let lead = of.object.frame_shape.len();
    let index = of.object.frame_index(of.frame);
    let mut values = read_frame(ds, path, &index)?;
    Unpacking::of(ds).apply(&mut values);
    let coords = cf::coordinates(ds);
    let dim_labels = cf::strings(ds, "DIMENSION_LABELS").unwrap_or_default();
    let name = cf::base_name(path);
    let mut title = path.to_string();
    for (dim, &i) in index.iter().enumerate() {
        title += &format!(", {}", frame_label(&coords[dim], dim, i));
    }
    let value_label = cf::label(ds, name);
    let mut data = match kind {
        Kind::Line => {
            let (x, x_scale, x_label) = axis_values(&coords[lead], shape[lead], dim_labels.get(lead));
            let mut data = line(path, x, values);
            data.x_scale = x_scale;
            data.x_label = x_label;
            data.y_label = Some(value_label);
            data
        }
        _ => {
            let (rows, cols) = (shape[lead], shape[lead + 1]);
            let (y, y_scale, y_label) = axis_values(&coords[lead], rows, dim_labels.get(lead));
            let (x, x_scale, x_label) =
                axis_values(&coords[lead + 1], cols, dim_labels.get(lead + 1));
            PlotData {
                content: Content::Heatmap(Grid {
                    values,
                    rows,
                    cols,
                    x_edges: cell_edges(&x),
                    y_edges: cell_edges(&y),
                    label: Some(value_label),
                }),
                x_scale,
                y_scale,
                x_label,
                y_label,
                ..PlotData::default()
            }
        }
    };
    data.title = Some(title);
    Ok(data)
}

/// `time = 2000-01-15`, `level = 850 [hPa]`, or `dimension 0 = 3` without a coordinate.
fn frame_label(coord: &Option<hdf5::Dataset>, dim: usize, i: u64) -> String {
    let Some(c) = coord else {
        return format!("dimension {dim} = {i}");
    };
    let name = cf::base_name(&c.name()).to_owned();
    let value = c
        .read_slice_1d::<f64, _>(i as usize..i as usize + 1)
        .ok()
        .and_then(|v| v.first().copied());
    let Some(value) = value else {
        return format!("{name} = #{i}");
    };
    if let Some(t) = TimeUnits::of(c) {
        return format!("{name} = {}", cf::format_instant(t.to_unix(value)));
    }
    let number = cf::format_number(value);
    match cf::units(c) {
        Some(units) => format!("{name} = {number} [{units}]"),
        None => format!("{name} = {number}"),
    }
}

/// A dimension's values (its coordinate's, as times where they are CF times, else
/// positions 0, 1, …), their scale and the axis label (from the coordinate, else the
/// dimension's label, as h5py's `dims[i].label` writes it).
fn axis_values(
    coord: &Option<hdf5::Dataset>,
    n: usize,
    dim_label: Option<&String>,
) -> (Vec<f64>, Scale, Option<String>) {
    let unlabelled = dim_label.filter(|l| !l.is_empty()).cloned();
    let Some(c) = coord else {
        return (index_axis(n), Scale::Linear, unlabelled);
    };
    let Ok(mut values) = c.read_raw::<f64>() else {
        return (index_axis(n), Scale::Linear, unlabelled);
    };
    let name = cf::base_name(&c.name()).to_owned();
    if let Some(t) = TimeUnits::of(c) {
        for v in &mut values {
            *v = t.to_unix(*v);
        }
        let label = cf::string(c, "long_name")
            .or_else(|| cf::string(c, "standard_name"))
            .unwrap_or(name);
        return (values, Scale::Time, Some(label));
    }
    Unpacking::of(c).apply(&mut values);
    if values.iter().any(|v| !v.is_finite()) {
        return (index_axis(n), Scale::Linear, unlabelled);
    }
    (values, Scale::Linear, Some(cf::label(c, &name)))
}

/// Cell edges around centres, as xarray infers them for pcolormesh: midpoints, and half a
/// step beyond each end. Centres that are not monotonic give positions instead.
pub fn cell_edges(centres: &[f64]) -> Vec<f64> {
    let n = centres.len();
    let monotonic = centres.windows(2).all(|w| w[1] > w[0]) || centres.windows(2).all(|w| w[1] < w[0]);
    if n == 0 || !monotonic {
        return (0..=n).map(|i| i as f64 - 0.5).collect();
    }
    if n == 1 {
        return vec![centres[0] - 0.5, centres[0] + 0.5];
    }
    let mut edges = Vec::with_capacity(n + 1);
    edges.push(centres[0] - 0.5 * (centres[1] - centres[0]));
    edges.extend(centres.windows(2).map(|w| 0.5 * (w[0] + w[1])));
    edges.push(centres[n - 1] + 0.5 * (centres[n - 1] - centres[n - 2]));
    edges
}

/// The values of one frame: the array at `index` of its leading dimensions, read as a
/// hyperslab so that a rank never holds more than the frames it draws.
fn read_frame(ds: &hdf5::Dataset, path: &str, index: &[u64]) -> Result<Vec<f64>, String> {
    let read = if index.is_empty() {
        ds.read_raw::<f64>()
    } else {
        let ndim = ds.ndim();
        let mut slab: Vec<hdf5::SliceOrIndex> = index
            .iter()
            .map(|&i| hdf5::SliceOrIndex::Index(i as usize))
            .collect();
        slab.extend((index.len()..ndim).map(|_| hdf5::SliceOrIndex::Unlimited {
            start: 0,
            step: 1,
            block: 1,
        }));
        ds.read_slice::<f64, _, ndarray::IxDyn>(hdf5::Hyperslab::from(slab))
            .map(|a| a.into_iter().collect())
    };
    read.map_err(|e| format!("{path} could not be read: {}", reason(&e)))
}

/// The values of a 1-D numeric dataset, unpacked (CF).
fn read_1d(ds: &hdf5::Dataset, path: &str) -> Result<Vec<f64>, String> {
    let shape = ds.shape();
    if shape.len() != 1 {
        return Err(format!("{path} has shape {}, not 1-D", shape_text(&shape)));
    }
    let (values, _) = read_numeric(ds, path)?;
    Ok(values)
}

/// A 2-D numeric table's values in row-major order, with its column count.
fn read_table(ds: &hdf5::Dataset, path: &str) -> Result<(Vec<f64>, usize), String> {
    let shape = ds.shape();
    if shape.len() != 2 {
        return Err(format!("{path} has shape {}, not 2-D", shape_text(&shape)));
    }
    read_numeric(ds, path)
}

fn read_numeric(ds: &hdf5::Dataset, path: &str) -> Result<(Vec<f64>, usize), String> {
    let shape = ds.shape();
    // A plot of more rows would take minutes and gigabytes: refuse before reading.
    let rows = shape.first().copied().unwrap_or(0) as u64;
    if rows > MAX_ROWS {
        return Err(format!(
            "{path} has {rows} rows, more than the {MAX_ROWS} one plot may have; split it or select another dataset"
        ));
    }
    if !cf::is_numeric(ds) {
        let what = ds
            .dtype()
            .and_then(|t| t.to_descriptor())
            .map(|t| type_name(&t))
            .unwrap_or("data of an unknown type");
        return Err(format!("{path} holds {what}, not numbers"));
    }
    check_storage(ds, path)?;
    let mut values = ds
        .read_raw::<f64>()
        .map_err(|e| format!("{path} could not be read: {}", reason(&e)))?;
    Unpacking::of(ds).apply(&mut values);
    Ok((values, shape.get(1).copied().unwrap_or(1)))
}

/// Column `name` of compound records (see [`record_columns`]) as f64s: HDF5 matches
/// compound fields by name, so a memory type of that one field (an f64, or an array of
/// f64s) reads just it, converted.
fn read_field(ds: &hdf5::Dataset, path: &str, name: &str) -> Result<Vec<f64>, String> {
    use hdf5_sys::{h5d, h5p, h5s, h5t};
    let rows = ds.shape().first().copied().unwrap_or(0);
    if rows as u64 > MAX_ROWS {
        return Err(format!(
            "{path} has {rows} records, more than the {MAX_ROWS} one plot may have"
        ));
    }
    let Ok(TypeDescriptor::Compound(compound)) = ds.dtype().and_then(|t| t.to_descriptor()) else {
        return Err(format!("{path} no longer holds records"));
    };
    let column = record_columns(ds, &compound)
        .into_iter()
        .find(|c| c.name == name)
        .ok_or_else(|| format!("{path} has no column {name}"))?;
    let field = std::ffi::CString::new(column.field.as_str())
        .map_err(|_| format!("{path}: field name with NUL"))?;
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
        return Err(format!("{path}: column {name} could not be read as numbers"));
    }
    Ok(values.into_iter().skip(element).step_by(len).collect())
}

/// The strings of a 1-D string dataset (pandas' column names), whatever their HDF5 type.
fn string_values(ds: &hdf5::Dataset) -> Vec<String> {
    use hdf5::types::{FixedAscii, FixedUnicode, VarLenAscii, VarLenUnicode};
    let Ok(t) = ds.dtype().and_then(|t| t.to_descriptor()) else {
        return Vec::new();
    };
    let texts: Option<Vec<String>> = match t {
        TypeDescriptor::FixedAscii(_) => ds
            .read_raw::<FixedAscii<1024>>()
            .ok()
            .map(|v| v.iter().map(|s| s.as_str().to_owned()).collect()),
        TypeDescriptor::FixedUnicode(_) => ds
            .read_raw::<FixedUnicode<1024>>()
            .ok()
            .map(|v| v.iter().map(|s| s.as_str().to_owned()).collect()),
        TypeDescriptor::VarLenAscii => ds
            .read_raw::<VarLenAscii>()
            .ok()
            .map(|v| v.iter().map(|s| s.as_str().to_owned()).collect()),
        TypeDescriptor::VarLenUnicode => ds
            .read_raw::<VarLenUnicode>()
            .ok()
            .map(|v| v.iter().map(|s| s.as_str().to_owned()).collect()),
        _ => None,
    };
    texts
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.trim_end_matches(['\0', ' ']).to_owned())
        .collect()
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
) -> Result<PlotData, String> {
    for (name, v) in [("y", Some(&y)), ("size", size.as_ref())] {
        if let Some(v) = v.filter(|v| v.len() != x.len()) {
            return Err(format!(
                "{path}: {name} has {} values but x has {}",
                v.len(),
                x.len()
            ));
        }
    }
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
        content: Content::Scatter(points),
        title: Some(path.to_string()),
        dropped,
        ..PlotData::default()
    })
}

/// A line of `y` against `x`; values that are not finite are gaps, and counted.
fn line(path: &str, x: Vec<f64>, y: Vec<f64>) -> PlotData {
    let dropped = x
        .iter()
        .zip(&y)
        .filter(|(x, y)| !(x.is_finite() && y.is_finite()))
        .count() as u64;
    PlotData {
        content: Content::Line(Series { x, y }),
        title: Some(path.to_string()),
        dropped,
        ..PlotData::default()
    }
}

/// The range of the values plot `of` shows — a line's y, a heatmap's colours — for the
/// frames of an object to share one scale. `None` when it has no finite value.
pub fn value_range(file: &hdf5::File, of: PlotOf<'_>, choice: &Choice) -> Result<Option<(f64, f64)>, String> {
    let data = read(file, of, choice)?;
    Ok(match &data.content {
        Content::Line(series) => finite_range(&series.y),
        Content::Heatmap(grid) => grid.range(),
        Content::Scatter(_) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_edges_are_midpoints_with_half_steps_beyond() {
        assert_eq!(cell_edges(&[0.0, 1.0, 2.0]), [-0.5, 0.5, 1.5, 2.5]);
        assert_eq!(cell_edges(&[90.0, 0.0, -90.0]), [135.0, 45.0, -45.0, -135.0]);
        assert_eq!(cell_edges(&[5.0]), [4.5, 5.5]);
        assert_eq!(cell_edges(&[0.0, 2.0, 1.0]), [-0.5, 0.5, 1.5, 2.5]);
    }

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
        let e = pick_columns(&none, &Choice::default()).unwrap_err();
        assert!(e.contains("--columns X,Y[,SIZE]"), "{e}");
    }
}
