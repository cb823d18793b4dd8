//! The data a plot is made of, whatever its source: scatter points, a line or a grid of
//! values, and what the figure shows around them (title, labels, scales, limits).

use crate::calendar::Calendar;

/// One plot's data: positions in data units and marker areas in pt² (matplotlib's `s`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Points {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub area: Vec<f64>,
}

impl Points {
    pub fn len(&self) -> usize {
        self.x.len()
    }

    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }
}

/// A line: `y` against `x`; a NaN in `y` breaks the line, as in matplotlib.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

impl Series {
    /// How many points are left out for holding NaN or infinity.
    pub fn gaps(&self) -> u64 {
        self.x
            .iter()
            .zip(&self.y)
            .filter(|(x, y)| !(x.is_finite() && y.is_finite()))
            .count() as u64
    }
}

/// 0, 1, …, n − 1: the positions that stand for a dimension without coordinates.
pub fn index_axis(n: usize) -> Vec<f64> {
    (0..n).map(|i| i as f64).collect()
}

/// A 2-D field: `rows` × `cols` values, row-major, row 0 at the bottom; cell (r, c) spans
/// `x_edges[c]..x_edges[c + 1]` and `y_edges[r]..y_edges[r + 1]` (monotonic, either way).
/// NaN is a missing value, drawn as the background.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Grid {
    pub values: Values,
    pub rows: usize,
    pub cols: usize,
    pub x_edges: Vec<f64>,
    pub y_edges: Vec<f64>,
    /// The colour bar's label (`long_name [units]`).
    pub label: Option<String>,
}

impl Grid {
    /// Smallest and largest finite value, if any.
    pub fn range(&self) -> Option<(f64, f64)> {
        self.values.range()
    }
}

/// An array's values: float32 as stored (half the bytes of f64, and no pass to widen them;
/// model output is often float32), anything else as f64.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    F32(Vec<f32>),
    F64(Vec<f64>),
}

impl Default for Values {
    fn default() -> Self {
        Values::F64(Vec::new())
    }
}

impl Values {
    pub fn len(&self) -> usize {
        match self {
            Values::F32(v) => v.len(),
            Values::F64(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Smallest and largest finite value, if any.
    pub fn range(&self) -> Option<(f64, f64)> {
        match self {
            Values::F32(v) => finite_range_f32(v),
            Values::F64(v) => finite_range(v),
        }
    }

    pub fn into_f64(self) -> Vec<f64> {
        match self {
            Values::F32(v) => v.into_iter().map(f64::from).collect(),
            Values::F64(v) => v,
        }
    }
}

/// Smallest and largest finite value of `values`, if any.
pub fn finite_range(values: &[f64]) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    (lo <= hi).then_some((lo, hi))
}

fn finite_range_f32(values: &[f32]) -> Option<(f64, f64)> {
    // Lanes of minima and maxima, which the compiler keeps in vector registers (one
    // running pair would chain every value to the last). `min` and `max` pass over NaN;
    // infinities need the slower filtered pass.
    const LANES: usize = 8;
    let mut lo = [f32::INFINITY; LANES];
    let mut hi = [f32::NEG_INFINITY; LANES];
    let chunks = values.chunks_exact(LANES);
    let rest = chunks.remainder();
    // From the end: the values were just read in, and the last of them are still in cache.
    for chunk in chunks.rev() {
        for i in 0..LANES {
            lo[i] = lo[i].min(chunk[i]);
            hi[i] = hi[i].max(chunk[i]);
        }
    }
    let lo = lo.iter().chain(rest).fold(f32::INFINITY, |m, &v| m.min(v));
    let hi = hi
        .iter()
        .chain(rest)
        .fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    if lo.is_finite() && hi.is_finite() {
        return Some((f64::from(lo), f64::from(hi)));
    }
    let wide: Vec<f64> = values.iter().map(|&v| f64::from(v)).collect();
    finite_range(&wide)
}

/// What is drawn inside the axes.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Scatter(Points),
    Line(Series),
    Heatmap(Grid),
}

impl Default for Content {
    fn default() -> Self {
        Content::Scatter(Points::default())
    }
}

/// How an axis's numbers read: plain numbers, or times in seconds since 1970-01-01 of a
/// calendar (UTC; Unix time in the Gregorian ones: CF time coordinates, pandas' datetimes),
/// ticked with that calendar's dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scale {
    #[default]
    Linear,
    Time(Calendar),
}

/// Limits fixed before drawing: shared by every frame of an object (so that frames
/// animate), or given on the command line. `None`: from the plot's own data.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Limits {
    pub x: Option<(f64, f64)>,
    pub y: Option<(f64, f64)>,
    /// The colour range of a heatmap (`--vmin`/`--vmax`).
    pub colour: Option<(f64, f64)>,
}

/// Everything a figure shows besides the frame: its content, title and axis labels.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlotData {
    pub content: Content,
    pub title: Option<String>,
    pub x_label: Option<String>,
    pub y_label: Option<String>,
    pub x_scale: Scale,
    pub y_scale: Scale,
    pub limits: Limits,
    /// The range of the values over every frame of the object (a line's y, a heatmap's
    /// colours), so that frames share their scale; `None`: this plot's own range.
    pub value_range: Option<(f64, f64)>,
    /// Input rows left out for holding NaN or infinity.
    pub dropped: u64,
}

impl PlotData {
    /// A line of `y` against `x`, titled `title`; values that are not finite are gaps, and
    /// counted.
    pub fn line(title: &str, x: Vec<f64>, y: Vec<f64>) -> PlotData {
        let series = Series { x, y };
        PlotData {
            dropped: series.gaps(),
            content: Content::Line(series),
            title: Some(title.to_string()),
            ..PlotData::default()
        }
    }

    /// The scatter points, if this is a scatter plot.
    pub fn points(&self) -> Option<&Points> {
        match &self.content {
            Content::Scatter(points) => Some(points),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float32_ranges_pass_over_nan_and_infinity_wherever_they_are() {
        let mut values: Vec<f32> = (0..37).map(|i| i as f32 - 5.0).collect();
        assert_eq!(finite_range_f32(&values), Some((-5.0, 31.0)));
        values[3] = f32::NAN;
        values[36] = f32::NAN;
        assert_eq!(finite_range_f32(&values), Some((-5.0, 30.0)));
        values[20] = f32::INFINITY;
        values[0] = f32::NEG_INFINITY;
        assert_eq!(finite_range_f32(&values), Some((-4.0, 30.0)));
        assert_eq!(finite_range_f32(&[f32::NAN; 40]), None);
        assert_eq!(finite_range_f32(&[]), None);
        assert_eq!(finite_range_f32(&[2.5]), Some((2.5, 2.5)));
    }
}
