//! The axes frame and ticks, drawn with plotters on any backend, and the texts around them,
//! placed as matplotlib's `Text._get_layout` places them (alignment by the text's own ink and
//! the font's line metrics); raster.rs and vector.rs draw the texts.

use super::layout::{self, Layout};
use super::text::{self, px, Align, Label};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The axes in parts whose pixels change independently from plot to plot (tick positions
/// move with the data limits), so that raster output can draw each variant once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    Frame,
    XTicks,
    YTicks,
    /// The title: its own part, since frames of one dataset differ by their titles alone.
    Title,
    /// The x and y axis labels.
    Labels,
    /// A heatmap's colour bar: outline, ticks, labels and label (nothing without one).
    ColourBar,
}

impl Part {
    pub const ALL: [Part; 6] = [
        Part::Frame,
        Part::XTicks,
        Part::YTicks,
        Part::Title,
        Part::Labels,
        Part::ColourBar,
    ];
}

/// What decides a part's pixels: the figure size, the ticks where they are drawn with their
/// labels, the titles. Layouts with equal marks draw the part the same.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Marks {
    part: Part,
    size: (u32, u32),
    /// The axes box in whole pixels: the frame, and where ticks stand.
    bounds: [i32; 4],
    /// Where each tick's line stands (whole pixels) and its label (1/64 pixel, as glyphs are
    /// placed), and the label.
    ticks: Vec<(i32, i64, String)>,
    /// A colour bar's minor ticks, likewise.
    minor: Vec<(i32, i64, String)>,
    /// A colour bar's triangles below and above.
    extend: (bool, bool),
    titles: [Option<String>; 3],
}

fn whole(r: &layout::Rect) -> [i32; 4] {
    [r.left, r.top, r.right, r.bottom].map(|v| v.round() as i32)
}

impl Marks {
    pub fn new(part: Part, l: &Layout) -> Marks {
        let placed = |ticks: &[layout::Tick], to_px: &dyn Fn(f64) -> f64| {
            ticks
                .iter()
                .map(|t| {
                    let at = to_px(t.value);
                    (
                        at.round() as i32,
                        (at * 64.0).round() as i64,
                        t.label.clone(),
                    )
                })
                .collect()
        };
        let ticks = |axis: &layout::Axis, to_px: &dyn Fn(f64) -> f64| placed(&axis.ticks, to_px);
        let mut marks = Marks {
            part,
            size: (l.width, l.height),
            bounds: whole(&l.axes),
            ticks: Vec::new(),
            minor: Vec::new(),
            extend: (false, false),
            titles: Default::default(),
        };
        // The offset text travels as one more "tick" at a position no tick has.
        let offset = |axis: &layout::Axis| axis.offset.clone().map(|o| (i32::MIN, 0, o));
        match part {
            Part::Frame => {}
            Part::XTicks => {
                marks.ticks = ticks(&l.x, &|v| l.x_px(v));
                marks.ticks.extend(offset(&l.x));
            }
            Part::YTicks => {
                marks.ticks = ticks(&l.y, &|v| l.y_px(v));
                marks.ticks.extend(offset(&l.y));
            }
            Part::Title => marks.titles[0] = l.title.clone(),
            Part::Labels => {
                // The y label stands clear of the widest y tick label.
                marks.ticks = ticks(&l.y, &|_| 0.0);
                marks.titles = [None, l.x_label.clone(), l.y_label.clone()];
            }
            Part::ColourBar => {
                if let Some(bar) = &l.colour_bar {
                    marks.bounds = whole(&bar.rect);
                    marks.extend = (bar.extend.min(), bar.extend.max());
                    marks.ticks = ticks(&bar.axis, &|v| bar.y_px(v));
                    marks.ticks.extend(offset(&bar.axis));
                    marks.minor = placed(&bar.minor, &|v| bar.y_px(v));
                    marks.titles[0] = bar.label.clone();
                }
            }
        }
        marks
    }
}

fn round(p: (f64, f64)) -> (i32, i32) {
    (p.0.round() as i32, p.1.round() as i32)
}

/// Frame on all four sides, outward ticks on the bottom and left, the colour bar's outline
/// and ticks: every line of the axes (the texts are [`labels`]).
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    l: &Layout,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    for part in Part::ALL {
        draw_part(area, l, part)?;
    }
    Ok(())
}

/// The lines of one part.
pub fn draw_part<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    l: &Layout,
    part: Part,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let line = BLACK.stroke_width(px(layout::FRAME_WIDTH_PT).round().max(1.0) as u32);
    let a = l.axes;
    let tick = px(layout::TICK_LENGTH_PT);
    match part {
        Part::Frame => area.draw(&Rectangle::new(
            [round((a.left, a.top)), round((a.right, a.bottom))],
            line,
        )),
        Part::XTicks => {
            for t in &l.x.ticks {
                let x = l.x_px(t.value);
                let (top, bottom) = (round((x, a.bottom)), round((x, a.bottom + tick)));
                area.draw(&PathElement::new([top, bottom], line))?;
            }
            Ok(())
        }
        Part::YTicks => {
            for t in &l.y.ticks {
                let y = l.y_px(t.value);
                let (right, left) = (round((a.left, y)), round((a.left - tick, y)));
                area.draw(&PathElement::new([right, left], line))?;
            }
            Ok(())
        }
        Part::ColourBar => {
            let Some(bar) = &l.colour_bar else {
                return Ok(());
            };
            let r = bar.rect;
            if bar.extend.min() || bar.extend.max() {
                area.draw(&PathElement::new(bar_outline(bar), line))?;
            } else {
                area.draw(&Rectangle::new(
                    [round((r.left, r.top)), round((r.right, r.bottom))],
                    line,
                ))?;
            }
            for t in &bar.axis.ticks {
                let y = bar.y_px(t.value);
                area.draw(&PathElement::new(
                    [round((r.right, y)), round((r.right + tick, y))],
                    line,
                ))?;
            }
            // Minor ticks are shorter and thinner.
            let minor_line = BLACK.stroke_width(px(MINOR_WIDTH_PT).round().max(1.0) as u32);
            for t in &bar.minor {
                let y = bar.y_px(t.value);
                area.draw(&PathElement::new(
                    [
                        round((r.right, y)),
                        round((r.right + px(MINOR_LENGTH_PT), y)),
                    ],
                    minor_line,
                ))?;
            }
            Ok(())
        }
        Part::Title | Part::Labels => Ok(()),
    }
}

/// Every text of the figure, part by part.
pub fn all_labels(l: &Layout) -> Vec<Label> {
    Part::ALL.iter().flat_map(|&p| labels(l, p)).collect()
}

/// The texts of one part, where matplotlib puts them.
pub fn labels(l: &Layout, part: Part) -> Vec<Label> {
    let a = l.axes;
    let pt = text::FONT_PT;
    let mut out = Vec::new();
    match part {
        Part::Frame => {}
        Part::XTicks => {
            for t in &l.x.ticks {
                out.push(below(
                    &t.label,
                    pt,
                    l.x_px(t.value),
                    a.bottom + tick_pad(),
                    Align::Middle,
                ));
            }
            if let Some(offset) = &l.x.offset {
                // Under the tick labels, flush with the axes' right end.
                let top = x_tick_labels_bottom(l) + px(layout::OFFSET_TEXT_PAD_PT);
                out.push(below(offset, pt, a.right, top, Align::End));
            }
        }
        Part::YTicks => {
            for t in &l.y.ticks {
                out.push(centred_on_baseline(
                    &t.label,
                    l.y_px(t.value),
                    a.left - tick_pad(),
                    Align::End,
                ));
            }
            if let Some(offset) = &l.y.offset {
                // Above the axes, flush with their left end, on its baseline.
                let baseline = a.top - px(layout::OFFSET_TEXT_PAD_PT);
                out.push(Label::new(
                    offset,
                    pt,
                    (a.left, baseline),
                    Align::Start,
                    false,
                ));
            }
        }
        Part::Title => {
            if let Some(title) = &l.title {
                let baseline = a.top - px(layout::TITLE_PAD_PT);
                let centre = (a.left + a.right) / 2.0;
                out.push(Label::new(
                    title,
                    text::TITLE_PT,
                    (centre, baseline),
                    Align::Middle,
                    false,
                ));
            }
        }
        Part::Labels => {
            if let Some(label) = &l.x_label {
                let top = x_tick_labels_bottom(l) + px(layout::LABEL_PAD_PT);
                out.push(below(
                    label,
                    pt,
                    (a.left + a.right) / 2.0,
                    top,
                    Align::Middle,
                ));
            }
            if let Some(label) = &l.y_label {
                // Its descent side (the right, once turned) clear of the widest tick label.
                let widest =
                    l.y.ticks
                        .iter()
                        .map(|t| text::width_px(&t.label, pt))
                        .fold(0.0, f64::max);
                let left_of_ticks = if l.y.ticks.is_empty() {
                    a.left
                } else {
                    a.left - tick_pad() - widest
                };
                let edge = left_of_ticks - px(layout::LABEL_PAD_PT);
                let mut label = Label::new(label, pt, (0.0, 0.0), Align::Middle, true);
                label.at = (edge - label.descent(), (a.top + a.bottom) / 2.0);
                out.push(label);
            }
        }
        Part::ColourBar => {
            let Some(bar) = &l.colour_bar else {
                return out;
            };
            let r = bar.rect;
            let mut right_of_ticks = r.right;
            let minor_pad = px(MINOR_LENGTH_PT + layout::TICK_PAD_PT);
            let major = bar.axis.ticks.iter().map(|t| (t, tick_pad()));
            let minor = bar.minor.iter().map(|t| (t, minor_pad));
            for (t, pad) in major.chain(minor) {
                if t.label.is_empty() {
                    continue;
                }
                let (labels, width) = bar_tick_label(&t.label, r.right + pad, bar.y_px(t.value));
                right_of_ticks = right_of_ticks.max(r.right + pad + width);
                out.extend(labels);
            }
            if let Some(offset) = &bar.axis.offset {
                // A colour bar's offset text: above it, flush with its right side.
                let baseline = r.top - px(layout::OFFSET_TEXT_PAD_PT);
                out.push(Label::new(
                    offset,
                    pt,
                    (r.right, baseline),
                    Align::End,
                    false,
                ));
            }
            if let Some(label) = &bar.label {
                // Its ascent side (the left, once turned) clear of the tick labels.
                let edge = right_of_ticks + px(layout::LABEL_PAD_PT);
                let mut label = Label::new(label, pt, (0.0, 0.0), Align::Middle, true);
                label.at = (edge + label.ascent(), (r.top + r.bottom) / 2.0);
                out.push(label);
            }
        }
    }
    out
}

/// The outline of a colour bar with triangles: round the range and out to each triangle's
/// tip (matplotlib draws no line across a triangle's base).
fn bar_outline(bar: &layout::ColourBar) -> Vec<(i32, i32)> {
    let (r, outer) = (bar.rect, bar.outer);
    let centre = (r.left + r.right) / 2.0;
    let mut points = vec![(r.left, r.bottom)];
    if bar.extend.min() {
        points.push((centre, outer.bottom));
    }
    points.extend([(r.right, r.bottom), (r.right, r.top)]);
    if bar.extend.max() {
        points.push((centre, outer.top));
    }
    points.extend([(r.left, r.top), (r.left, r.bottom)]);
    points.into_iter().map(round).collect()
}

/// matplotlib's `ytick.minor.size` and `ytick.minor.width`.
const MINOR_LENGTH_PT: f64 = 2.0;
const MINOR_WIDTH_PT: f64 = 0.6;
/// mathtext's superscript for DejaVu Sans, measured in matplotlib's SVG of `10^{2}` at 10 pt:
/// the exponent at 7 pt, 0.1 pt after the base, its baseline 4.13 pt above the base's.
const SUPERSCRIPT_SHRINK: f64 = 0.7;
const SUPERSCRIPT_GAP_PT: f64 = 0.1;
const SUPERSCRIPT_RISE_PT: f64 = 4.13;

/// A colour bar's tick label starting at `x`, centred on `y` by half its ascent: plain, or
/// `base^exponent` (a log scale's `10^k`) with the exponent raised and smaller, as mathtext
/// sets it. The texts, and how wide they are together.
fn bar_tick_label(label: &str, x: f64, y: f64) -> (Vec<Label>, f64) {
    let (base, exponent) = match label.split_once(super::ticks::SUPERSCRIPT) {
        Some((base, exponent)) => (base, Some(exponent)),
        None => (label, None),
    };
    // mathtext sets `\times` as a binary operator, with space either side ("2 × 10").
    let base = base.replace('×', " × ");
    let mut base = Label::new(&base, text::FONT_PT, (x, y), Align::Start, false);
    let Some(exponent) = exponent else {
        base.at.1 = y + base.ascent() / 2.0;
        let width = base.run.width;
        return (vec![base], width);
    };
    let pt = text::FONT_PT * SUPERSCRIPT_SHRINK;
    let rise = px(SUPERSCRIPT_RISE_PT);
    let at = (x + base.run.width + px(SUPERSCRIPT_GAP_PT), 0.0);
    let mut raised = Label::new(exponent, pt, at, Align::Start, false);
    // The whole label's ascent reaches the exponent's top.
    let ascent = base.ascent().max(rise + raised.run.ink_ascent());
    base.at.1 = y + ascent / 2.0;
    raised.at.1 = base.at.1 - rise;
    let width = raised.at.0 + raised.run.width - x;
    (vec![base, raised], width)
}

/// From an axis line to its tick labels: the tick and the pad.
fn tick_pad() -> f64 {
    px(layout::TICK_LENGTH_PT + layout::TICK_PAD_PT)
}

/// A label whose top lies at `top` (matplotlib's `va="top"`).
fn below(text: &str, pt: f64, x: f64, top: f64, align: Align) -> Label {
    let mut label = Label::new(text, pt, (x, top), align, false);
    label.at.1 = top + label.ascent();
    label
}

/// A tick label centred on its tick by half its ascent (matplotlib's `va="center_baseline"`,
/// the default for y tick labels).
fn centred_on_baseline(text: &str, y: f64, x: f64, align: Align) -> Label {
    let mut label = Label::new(text, text::FONT_PT, (x, y), align, false);
    label.at.1 = y + label.ascent() / 2.0;
    label
}

/// The lowest edge of the x tick labels' boxes (ascent and descent), or the axes' bottom
/// without ticks: what the x label and offset text stand below.
fn x_tick_labels_bottom(l: &Layout) -> f64 {
    let top = l.axes.bottom + tick_pad();
    l.x.ticks
        .iter()
        .map(|t| {
            let label = Label::new(&t.label, text::FONT_PT, (0.0, 0.0), Align::Middle, false);
            top + label.ascent() + label.descent()
        })
        .fold(l.axes.bottom, f64::max)
}
