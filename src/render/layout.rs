//! The figure's geometry, matplotlib-style: where the axes box sits, the data limits, the tick
//! positions and labels, and how data and marker sizes map to pixels. Pure arithmetic, shared
//! by every output format.

use super::text::{drawable_within, px, FONT_PT, TITLE_PT};
use crate::source::{Content, PlotData, Scale};

/// matplotlib's default subplot box, as fractions of the figure (left, right, bottom, top).
const SUBPLOT: (f64, f64, f64, f64) = (0.125, 0.9, 0.11, 0.88);
/// Data limits are padded by this fraction of the data range (matplotlib's `axes.xmargin`).
const MARGIN: f64 = 0.05;
/// The title's gap above the axes, in points.
pub const TITLE_PAD_PT: f64 = 6.0;
/// Gap between tick labels and an axis label, in points.
pub const LABEL_PAD_PT: f64 = 4.0;
/// Gap between the tick labels (or the axes) and an offset text ("1e9"), in points
/// (matplotlib's `Axis.OFFSETTEXTPAD`).
pub const OFFSET_TEXT_PAD_PT: f64 = 3.0;
pub const TICK_LENGTH_PT: f64 = 3.5;
pub const TICK_PAD_PT: f64 = 3.5;
pub const FRAME_WIDTH_PT: f64 = 0.8;
pub const EDGE_WIDTH_PT: f64 = 1.0;
/// matplotlib's `lines.linewidth`.
pub const LINE_WIDTH_PT: f64 = 1.5;

/// A rectangle in pixels, y growing downwards.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

impl Rect {
    pub fn width(&self) -> f64 {
        self.right - self.left
    }
    pub fn height(&self) -> f64 {
        self.bottom - self.top
    }
}

pub use super::ticks::Tick;

/// One axis: its view limits, the ticks inside them, and the offset or scale matplotlib's
/// ScalarFormatter writes at the axis's end ("1e9", "+1.7e9") when the labels alone would
/// be too long.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<Tick>,
    pub offset: Option<String>,
}

impl Axis {
    /// An axis over `lo..hi`, `length_px` long; `vertical` axes space their labels closer
    /// (matplotlib: 3 em apart on x, 2 em on y).
    pub fn new(lo: f64, hi: f64, length_px: f64, vertical: bool, scale: Scale) -> Axis {
        let ticks = match scale {
            Scale::Linear => super::ticks::linear(lo, hi, length_px, vertical),
            Scale::Time => super::ticks::dates(lo, hi, length_px, vertical),
        };
        Axis {
            lo,
            hi,
            ticks: ticks.ticks,
            offset: ticks.offset_text,
        }
    }

    /// Where `v` falls between the limits, 0 at `lo` and 1 at `hi`.
    fn fraction(&self, v: f64) -> f64 {
        (v - self.lo) / (self.hi - self.lo)
    }
}

/// A heatmap's colour bar: its box right of the axes, and its value axis.
#[derive(Debug, Clone, PartialEq)]
pub struct ColourBar {
    pub rect: Rect,
    pub axis: Axis,
    pub label: Option<String>,
}

impl ColourBar {
    /// Where value `v` falls on the bar, in pixels from the top of the figure.
    pub fn y_px(&self, v: f64) -> f64 {
        self.rect.bottom - self.axis.fraction(v) * self.rect.height()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub width: u32,
    pub height: u32,
    pub axes: Rect,
    pub x: Axis,
    pub y: Axis,
    pub colour_bar: Option<ColourBar>,
    pub title: Option<String>,
    pub x_label: Option<String>,
    pub y_label: Option<String>,
}

/// matplotlib's `colorbar()` defaults: the bar takes 15 % of the axes' width after a 5 %
/// gap, and is 20 times as tall as it is wide.
const COLOUR_BAR_FRACTION: f64 = 0.15;
const COLOUR_BAR_PAD: f64 = 0.05;
const COLOUR_BAR_ASPECT: f64 = 20.0;

impl Layout {
    pub fn new(width: u32, height: u32, data: &PlotData) -> Layout {
        let (w, h) = (f64::from(width), f64::from(height));
        let (left, right, bottom, top) = SUBPLOT;
        let mut axes = Rect {
            left: left * w,
            right: right * w,
            top: (1.0 - top) * h,
            bottom: (1.0 - bottom) * h,
        };
        let limits = &data.limits;
        let (x_range, y_range, colour_bar) = match &data.content {
            Content::Scatter(points) => (padded_limits(&points.x), padded_limits(&points.y), None),
            Content::Line(series) => {
                let y = match data.value_range {
                    Some((lo, hi)) => padded_limits(&[lo, hi]),
                    None => padded_limits(&series.y),
                };
                (padded_limits(&series.x), y, None)
            }
            Content::Heatmap(grid) => {
                let full = axes.width();
                axes.right = axes.left + (1.0 - COLOUR_BAR_FRACTION - COLOUR_BAR_PAD) * full;
                let bar_left = axes.left + (1.0 - COLOUR_BAR_FRACTION) * full;
                let bar = Rect {
                    left: bar_left,
                    right: bar_left + axes.height() / COLOUR_BAR_ASPECT,
                    top: axes.top,
                    bottom: axes.bottom,
                };
                let range =
                    colour_range(limits.colour, || data.value_range.or_else(|| grid.range()));
                let room = room(bar.top, bar.bottom, h);
                let colour_bar = ColourBar {
                    rect: bar,
                    axis: Axis::new(range.0, range.1, bar.height(), true, Scale::Linear),
                    label: grid
                        .label
                        .as_deref()
                        .map(|t| drawable_within(t, FONT_PT, room)),
                };
                (
                    edge_limits(&grid.x_edges),
                    edge_limits(&grid.y_edges),
                    Some(colour_bar),
                )
            }
        };
        let (x_lo, x_hi) = limits.x.unwrap_or(x_range);
        let (y_lo, y_hi) = limits.y.unwrap_or(y_range);
        // Titles and labels are centred on the axes; each is cut to what fits the figure.
        let across = room(axes.left, axes.right, w);
        let along = room(axes.top, axes.bottom, h);
        Layout {
            width,
            height,
            x: Axis::new(x_lo, x_hi, axes.width(), false, data.x_scale),
            y: Axis::new(y_lo, y_hi, axes.height(), true, data.y_scale),
            colour_bar,
            axes,
            // Every text a figure draws comes from here; the rest (ticks) is numbers.
            title: data
                .title
                .as_deref()
                .map(|t| drawable_within(t, TITLE_PT, across)),
            x_label: data
                .x_label
                .as_deref()
                .map(|t| drawable_within(t, FONT_PT, across)),
            y_label: data
                .y_label
                .as_deref()
                .map(|t| drawable_within(t, FONT_PT, along)),
        }
    }

    pub fn x_px(&self, x: f64) -> f64 {
        self.axes.left + self.x.fraction(x) * self.axes.width()
    }

    pub fn y_px(&self, y: f64) -> f64 {
        self.axes.bottom - self.y.fraction(y) * self.axes.height()
    }

    /// The data x at pixel position `px` (inverse of [`Layout::x_px`]).
    pub fn x_value(&self, px: f64) -> f64 {
        self.x.lo + (px - self.axes.left) / self.axes.width() * (self.x.hi - self.x.lo)
    }

    pub fn y_value(&self, py: f64) -> f64 {
        self.y.lo + (self.axes.bottom - py) / self.axes.height() * (self.y.hi - self.y.lo)
    }
}

/// The room for a line centred between `lo` and `hi` on a figure `size` pixels long: twice
/// the distance from its centre to the nearer edge.
fn room(lo: f64, hi: f64, size: f64) -> f64 {
    let centre = (lo + hi) / 2.0;
    2.0 * centre.min(size - centre).max(0.0)
}

/// A marker of area `s` pt² has diameter √s pt (matplotlib's scatter convention).
pub fn radius_px(area_pt2: f64) -> f64 {
    px(0.5 * area_pt2.max(0.0).sqrt())
}

/// The extent of cell edges: a heatmap fills its axes, without margins (pcolormesh's
/// "sticky edges").
fn edge_limits(edges: &[f64]) -> (f64, f64) {
    let (lo, hi) = crate::source::finite_range(edges).unwrap_or((0.0, 1.0));
    if hi > lo {
        (lo, hi)
    } else {
        padded_limits(&[lo])
    }
}

/// The colour range: `--vmin`/`--vmax` (NaN for an end not given), else the data's, made
/// non-degenerate as matplotlib does (a single value v gets v ± 10 %, 0 gets ±0.1).
fn colour_range(
    given: Option<(f64, f64)>,
    data: impl FnOnce() -> Option<(f64, f64)>,
) -> (f64, f64) {
    let (mut lo, mut hi) = given.unwrap_or((f64::NAN, f64::NAN));
    // The data's range is a pass over every value: only when an end is not given.
    let (data_lo, data_hi) = if lo.is_nan() || hi.is_nan() {
        data().unwrap_or((0.0, 1.0))
    } else {
        (lo, hi)
    };
    if lo.is_nan() {
        lo = if hi.is_nan() {
            data_lo
        } else {
            data_lo.min(hi)
        };
    }
    if hi.is_nan() {
        hi = data_hi.max(lo);
    }
    if hi - lo <= f64::EPSILON * lo.abs().max(1.0) {
        let half = if lo == 0.0 { 0.1 } else { 0.1 * lo.abs() };
        return (lo - half, hi + half);
    }
    (lo, hi)
}

/// Data min/max padded by 5 % of the range; a single value gets a unit-wide window around it.
pub fn padded_limits(values: &[f64]) -> (f64, f64) {
    let finite = values.iter().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if lo > hi {
        return (-MARGIN, 1.0 + MARGIN);
    }
    if hi - lo <= f64::EPSILON * lo.abs().max(1.0) {
        let half = if lo == 0.0 { 0.5 } else { 0.05 * lo.abs() };
        return (lo - half, hi + half);
    }
    let pad = MARGIN * (hi - lo);
    (lo - pad, hi + pad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(ticks: &[Tick]) -> Vec<&str> {
        ticks.iter().map(|t| t.label.as_str()).collect()
    }

    fn unit_square() -> PlotData {
        PlotData {
            content: Content::Scatter(crate::source::Points {
                x: vec![0.0, 1.0],
                y: vec![0.0, 1.0],
                area: vec![1.0, 1.0],
            }),
            ..PlotData::default()
        }
    }

    #[test]
    fn the_default_figure_matches_matplotlib() {
        let l = Layout::new(640, 480, &unit_square());
        assert_eq!((l.axes.left, l.axes.right), (80.0, 576.0));
        assert!((l.axes.top - 57.6).abs() < 1e-9 && (l.axes.bottom - 427.2).abs() < 1e-9);
        assert_eq!((l.x.lo, l.x.hi), (-0.05, 1.05));
        let expected = ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"];
        assert_eq!(labels(&l.x.ticks), expected);
        assert_eq!(labels(&l.y.ticks), expected);
        assert!((l.x_px(-0.05) - 80.0).abs() < 1e-9);
        assert!((l.y_px(1.05) - 57.6).abs() < 1e-9);
    }

    #[test]
    fn marker_radius_follows_matplotlib_area_convention() {
        let s = std::f64::consts::PI * 15.0 * 15.0;
        assert!((radius_px(s) - 18.46).abs() < 0.01, "{}", radius_px(s));
        assert_eq!(radius_px(0.0), 0.0);
    }

    #[test]
    fn degenerate_data_still_gives_a_window() {
        assert_eq!(padded_limits(&[]), (-0.05, 1.05));
        assert_eq!(padded_limits(&[3.0, 3.0]), (2.85, 3.15));
        assert_eq!(padded_limits(&[0.0]), (-0.5, 0.5));
        assert_eq!(
            padded_limits(&[f64::NAN, 1.0, 3.0, f64::INFINITY]),
            (0.9, 3.1)
        );
    }
}
