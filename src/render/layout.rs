//! The figure's geometry, matplotlib-style: where the axes box sits, the data limits, the tick
//! positions and labels, and how data and marker sizes map to pixels. Pure arithmetic, shared
//! by every output format.

use super::colouring::{self, ColourPlan};
use super::text::{drawable_within, px, FONT_PT, TITLE_PT};
use crate::figure::{Colouring, Norm};
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
            Scale::Time(calendar) => super::ticks::dates(lo, hi, length_px, vertical, calendar),
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

/// A heatmap's colour bar: its box right of the axes, its value axis, and the colours.
#[derive(Debug, Clone, PartialEq)]
pub struct ColourBar {
    /// Where the colour range is drawn: the whole box, less the triangles of `extend`.
    pub rect: Rect,
    /// The whole box, triangles included.
    pub outer: Rect,
    /// Triangles below and above the range, in the colours of values beyond it, where the
    /// data go beyond (xarray's `extend`).
    pub extend: colouring::Extend,
    pub axis: Axis,
    pub label: Option<String>,
    /// How values sit along the bar: the norm's scale, or one equal block a level.
    pub scale: BarScale,
    /// Minor ticks: a log scale's 2…9 × 10ᵏ, the boundaries of discrete levels between the
    /// labelled ones; most without labels.
    pub minor: Vec<Tick>,
    /// How the heatmap's values become colours.
    pub plan: ColourPlan,
}

/// How values sit along a colour bar (matplotlib sets the bar's long axis to the norm's
/// scale; discrete levels get `spacing='uniform'`).
#[derive(Debug, Clone, PartialEq)]
pub enum BarScale {
    Linear,
    Log,
    SymLog {
        linthresh: f64,
    },
    /// Each interval between these boundaries takes an equal length.
    Uniform(Vec<f64>),
}

impl BarScale {
    /// Where `v` falls between `lo` (0) and `hi` (1).
    fn fraction(&self, v: f64, lo: f64, hi: f64) -> f64 {
        match self {
            BarScale::Linear => (v - lo) / (hi - lo),
            BarScale::Log => (v / lo).log10() / (hi / lo).log10(),
            &BarScale::SymLog { linthresh } => {
                let t = |x| super::ticks::symlog_transform(x, linthresh);
                (t(v) - t(lo)) / (t(hi) - t(lo))
            }
            BarScale::Uniform(bounds) => {
                // `np.interp(v, bounds, linspace(0, 1, n))`, beyond the ends as at them.
                let n = bounds.len() - 1;
                let i = bounds.partition_point(|&b| b <= v).clamp(1, n) - 1;
                let within = ((v - bounds[i]) / (bounds[i + 1] - bounds[i])).clamp(0.0, 1.0);
                (i as f64 + within) / n as f64
            }
        }
    }
}

impl ColourBar {
    /// Where value `v` falls on the bar, in pixels from the top of the figure.
    pub fn y_px(&self, v: f64) -> f64 {
        let fraction = self.scale.fraction(v, self.axis.lo, self.axis.hi);
        self.rect.bottom - fraction * self.rect.height()
    }

    /// A colour bar in `outer` for `plan`: ticks as matplotlib's colour bar places them for
    /// the plan's norm or levels; where the data go beyond the range, a triangle at that end
    /// 5 % of the range's length long, the range shrunk to make room (matplotlib's
    /// `extendfrac` and `_ColorbarAxesLocator`).
    fn new(outer: Rect, plan: ColourPlan, label: Option<String>) -> ColourBar {
        let extend = plan.extend;
        let rect = inside_triangles(outer, extend.min(), extend.max());
        let (lo, hi) = (plan.lo, plan.hi);
        let length = rect.height();
        let (scale, ticks, minor) = match (&plan.discrete, plan.norm) {
            (Some(d), _) => {
                let major = fixed_locator(&d.bounds, 10);
                let minor = d
                    .bounds
                    .iter()
                    .filter(|b| !major.contains(b))
                    .map(|&value| Tick {
                        value,
                        label: String::new(),
                    })
                    .collect();
                let scale = BarScale::Uniform(d.bounds.clone());
                (scale, super::ticks::fixed(&major, lo, hi), minor)
            }
            (None, Norm::Linear) => {
                let axis = Axis::new(lo, hi, length, true, Scale::Linear);
                let ticks = super::ticks::Ticks {
                    ticks: axis.ticks,
                    offset_text: axis.offset,
                };
                (BarScale::Linear, ticks, Vec::new())
            }
            (None, Norm::Log) => {
                let t = super::ticks::log(lo, hi, length);
                (BarScale::Log, t.major, t.minor)
            }
            (None, Norm::SymLog { linthresh }) => {
                let t = super::ticks::symlog(lo, hi, linthresh);
                (BarScale::SymLog { linthresh }, t.major, t.minor)
            }
        };
        ColourBar {
            rect,
            outer,
            extend,
            axis: Axis {
                lo,
                hi,
                ticks: ticks.ticks,
                offset: ticks.offset_text,
            },
            label,
            scale,
            minor,
            plan,
        }
    }
}

/// matplotlib's default `extendfrac`: a triangle is this fraction of the range's length.
const EXTEND_FRACTION: f64 = 0.05;

/// The part of a colour bar's box left for the range by triangles below (`min`) and above.
fn inside_triangles(outer: Rect, min: bool, max: bool) -> Rect {
    if !(min || max) {
        return outer;
    }
    let ends = f64::from(u8::from(min) + u8::from(max));
    let length = outer.height() / (1.0 + EXTEND_FRACTION * ends);
    let triangle = EXTEND_FRACTION * length;
    let bottom = outer.bottom - if min { triangle } else { 0.0 };
    Rect {
        top: bottom - length,
        bottom,
        ..outer
    }
}

/// `FixedLocator(locs, nbins)`: every `step`-th location, `step` making at most about `nbins`
/// ticks, starting where the ticks come nearest 0.
fn fixed_locator(locs: &[f64], nbins: usize) -> Vec<f64> {
    let step = locs.len().div_ceil(nbins).max(1);
    let every =
        |from: usize| -> Vec<f64> { locs.iter().skip(from).step_by(step).copied().collect() };
    let nearest_zero = |ticks: &[f64]| ticks.iter().fold(f64::INFINITY, |m, t| m.min(t.abs()));
    let mut ticks = every(0);
    for from in 1..step {
        let other = every(from);
        if nearest_zero(&other) < nearest_zero(&ticks) {
            ticks = other;
        }
    }
    ticks
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
    /// The layout of `data`; a heatmap coloured by the default colouring (a heatmap whose
    /// colours cannot be planned gets no colour bar, and [`Layout::coloured`] says why).
    pub fn new(width: u32, height: u32, data: &PlotData) -> Layout {
        let plan = match &data.content {
            Content::Heatmap(grid) => colouring::plan(
                &Colouring::default(),
                data.limits.colour,
                data.value_range,
                grid,
            )
            .ok(),
            _ => None,
        };
        Layout::coloured(width, height, data, plan)
    }

    /// The layout of `data`, a heatmap coloured as `plan` says.
    pub fn coloured(width: u32, height: u32, data: &PlotData, plan: Option<ColourPlan>) -> Layout {
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
                let room = room(bar.top, bar.bottom, h);
                let label = grid
                    .label
                    .as_deref()
                    .map(|t| drawable_within(t, FONT_PT, room));
                let colour_bar = plan.map(|plan| ColourBar::new(bar, plan, label));
                (
                    edge_limits(&grid.x_edges),
                    edge_limits(&grid.y_edges),
                    colour_bar,
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

#[cfg(test)]
mod colour_bar_tests {
    use super::*;
    use crate::render::colormap::ColourMap;
    use crate::render::colouring::{Discrete, Extend};

    /// Python's `repr` of a float, parsed exactly.
    fn number(v: &serde_json::Value) -> f64 {
        v.as_str()
            .expect("a number as text")
            .parse()
            .expect("a number")
    }

    fn strings(case: &serde_json::Value, key: &str) -> Vec<String> {
        case[key]
            .as_array()
            .expect(key)
            .iter()
            .map(|v| v.as_str().expect("text").to_string())
            .collect()
    }

    fn numbers(case: &serde_json::Value, key: &str) -> Vec<f64> {
        case[key]
            .as_array()
            .expect(key)
            .iter()
            .map(number)
            .collect()
    }

    /// matplotlib's colour bar of a default figure for every case of
    /// tests/data/matplotlib_ticks.json's "colour bars": the same ticks, labels and minor ticks.
    #[test]
    fn colour_bar_ticks_are_matplotlibs_for_log_symlog_and_levels() {
        let file: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/data/matplotlib_ticks.json"))
                .expect("tests/data/matplotlib_ticks.json is JSON");
        let cases = file["colour bars"].as_object().expect("colour bars");
        assert!(cases.len() >= 20, "{} cases", cases.len());
        let rect = Rect {
            left: 0.0,
            right: 18.48,
            top: 57.6,
            bottom: 427.2,
        };
        for (name, case) in cases {
            let view = numbers(case, "view");
            let (norm, discrete) = match case["norm"].as_str().unwrap() {
                "log" => (Norm::Log, None),
                "symlog" => (
                    Norm::SymLog {
                        linthresh: number(&case["linthresh"]),
                    },
                    None,
                ),
                _ => {
                    let bounds = numbers(case, "levels");
                    let colours = vec![[0; 3]; bounds.len() - 1];
                    (Norm::Linear, Some(Discrete { bounds, colours }))
                }
            };
            let plan = ColourPlan {
                map: ColourMap::VIRIDIS,
                norm,
                lo: view[0],
                hi: view[1],
                discrete,
                extend: Extend::Neither,
                left_out: 0,
            };
            let bar = ColourBar::new(rect, plan, None);
            let labels: Vec<&str> = bar.axis.ticks.iter().map(|t| t.label.as_str()).collect();
            let values: Vec<f64> = bar.axis.ticks.iter().map(|t| t.value).collect();
            assert_eq!(labels, strings(case, "labels"), "{name}");
            assert_eq!(values, numbers(case, "values"), "{name}");
            let minor: Vec<f64> = bar.minor.iter().map(|t| t.value).collect();
            let minor_labels: Vec<&str> = bar.minor.iter().map(|t| t.label.as_str()).collect();
            assert_eq!(minor, numbers(case, "minor values"), "{name}: minor ticks");
            assert_eq!(minor_labels, strings(case, "minor labels"), "{name}");
            assert_eq!(bar.axis.offset, None, "{name}");
        }
    }

    #[test]
    fn triangles_take_five_percent_of_the_range_as_matplotlibs_do() {
        // matplotlib 3.11, default figure: the colour bar's box is 57.6 to 427.2 px; with
        // triangles at both ends the range is drawn from 74.4 to 410.4 px.
        let outer = Rect {
            left: 501.6,
            right: 520.08,
            top: 57.6,
            bottom: 427.2,
        };
        let both = inside_triangles(outer, true, true);
        assert!((both.top - 74.4).abs() < 1e-9 && (both.bottom - 410.4).abs() < 1e-9);
        let above = inside_triangles(outer, false, true);
        assert_eq!(above.bottom, outer.bottom);
        assert!((above.height() * 1.05 - outer.height()).abs() < 1e-9);
        assert_eq!(inside_triangles(outer, false, false), outer);
    }

    #[test]
    fn values_sit_on_the_bar_by_the_norms_scale() {
        let rect = Rect {
            left: 0.0,
            right: 10.0,
            top: 0.0,
            bottom: 100.0,
        };
        let plan = |norm, discrete| ColourPlan {
            map: ColourMap::VIRIDIS,
            norm,
            lo: 1.0,
            hi: 1e4,
            discrete,
            extend: Extend::Neither,
            left_out: 0,
        };
        let log = ColourBar::new(rect, plan(Norm::Log, None), None);
        assert!((log.y_px(100.0) - 50.0).abs() < 1e-9);
        let bounds = vec![1.0, 10.0, 5000.0, 1e4];
        let colours = vec![[0; 3]; 3];
        let uniform = ColourBar::new(
            rect,
            plan(Norm::Linear, Some(Discrete { bounds, colours })),
            None,
        );
        // Each of the three bins takes a third of the bar.
        assert!((uniform.y_px(10.0) - 200.0 / 3.0).abs() < 1e-9);
        assert!((uniform.y_px(7500.0) - 100.0 / 6.0).abs() < 1e-9);
        assert_eq!((uniform.y_px(1.0), uniform.y_px(1e4)), (100.0, 0.0));
    }
}
