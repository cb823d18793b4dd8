//! The axes frame, ticks and tick labels, drawn with plotters on any backend.

use super::layout::{self, Layout};
use super::text::{self, px, FONT_FAMILY};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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

/// What decides a part's pixels: the figure size, the ticks where they are drawn (whole
/// pixels) with their labels, the titles. Layouts with equal marks draw the part the same.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Marks {
    part: Part,
    size: (u32, u32),
    /// The axes box in whole pixels: the frame, and where ticks stand.
    bounds: [i32; 4],
    ticks: Vec<(i32, String)>,
    /// A colour bar's minor ticks.
    minor: Vec<(i32, String)>,
    /// A colour bar's triangles below and above.
    extend: (bool, bool),
    titles: [Option<String>; 3],
}

fn whole(r: &layout::Rect) -> [i32; 4] {
    [r.left, r.top, r.right, r.bottom].map(|v| v.round() as i32)
}

impl Marks {
    pub fn new(part: Part, l: &Layout) -> Marks {
        let ticks = |axis: &layout::Axis, to_px: &dyn Fn(f64) -> f64| {
            axis.ticks
                .iter()
                .map(|t| (to_px(t.value).round() as i32, t.label.clone()))
                .collect()
        };
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
        let offset = |axis: &layout::Axis| axis.offset.clone().map(|o| (i32::MIN, o));
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
                    marks.minor = bar
                        .minor
                        .iter()
                        .map(|t| (bar.y_px(t.value).round() as i32, t.label.clone()))
                        .collect();
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

/// Frame on all four sides, outward ticks on the bottom and left, numeric labels, titles.
/// `size_per_em` is the backend's `*_SIZE_PER_EM`.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    l: &Layout,
    size_per_em: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    for part in Part::ALL {
        draw_part(area, l, size_per_em, part)?;
    }
    Ok(())
}

pub fn draw_part<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    l: &Layout,
    size_per_em: f64,
    part: Part,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    text::register_font();
    let line = BLACK.stroke_width(px(layout::FRAME_WIDTH_PT).round().max(1.0) as u32);
    let a = l.axes;
    let tick = px(layout::TICK_LENGTH_PT);
    let gap = tick + px(layout::TICK_PAD_PT);
    let size = text::em_px() * size_per_em;
    let font = (FONT_FAMILY, size).into_font().color(&BLACK);
    match part {
        Part::Frame => area.draw(&Rectangle::new(
            [round((a.left, a.top)), round((a.right, a.bottom))],
            line,
        )),
        Part::XTicks => {
            let below = font.pos(Pos::new(HPos::Center, VPos::Top));
            if let Some(offset) = &l.x.offset {
                // matplotlib: under the tick labels, flush with the axes' right end.
                let style = font.pos(Pos::new(HPos::Right, VPos::Top));
                let at = round((
                    a.right,
                    a.bottom + gap + text::LINE_HEIGHT_EM * size / size_per_em,
                ));
                area.draw(&Text::new(offset.as_str(), at, &style))?;
            }
            for t in &l.x.ticks {
                let x = l.x_px(t.value);
                let (top, bottom) = (round((x, a.bottom)), round((x, a.bottom + tick)));
                area.draw(&PathElement::new([top, bottom], line))?;
                area.draw(&Text::new(
                    t.label.as_str(),
                    round((x, a.bottom + gap)),
                    &below,
                ))?;
            }
            Ok(())
        }
        Part::YTicks => {
            let left_of = font.pos(Pos::new(HPos::Right, VPos::Center));
            if let Some(offset) = &l.y.offset {
                // matplotlib: above the axes, flush with their left end.
                let style = font.pos(Pos::new(HPos::Left, VPos::Bottom));
                let at = round((a.left, a.top - px(layout::TICK_PAD_PT)));
                area.draw(&Text::new(offset.as_str(), at, &style))?;
            }
            for t in &l.y.ticks {
                let y = l.y_px(t.value);
                let (right, left) = (round((a.left, y)), round((a.left - tick, y)));
                area.draw(&PathElement::new([right, left], line))?;
                area.draw(&Text::new(
                    t.label.as_str(),
                    round((a.left - gap, y)),
                    &left_of,
                ))?;
            }
            Ok(())
        }
        Part::Title => draw_title(area, l, size_per_em),
        Part::Labels => draw_labels(area, l, size_per_em),
        Part::ColourBar => draw_colour_bar(area, l, size_per_em),
    }
}

/// The colour bar's outline, ticks and labels on its right, its offset text above it, and
/// its label, rotated, right of the tick labels (matplotlib's vertical colour bar). Minor
/// ticks are shorter (2 pt).
fn draw_colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    l: &Layout,
    size_per_em: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let Some(bar) = &l.colour_bar else {
        return Ok(());
    };
    let line = BLACK.stroke_width(px(layout::FRAME_WIDTH_PT).round().max(1.0) as u32);
    let minor_line = BLACK.stroke_width(px(MINOR_WIDTH_PT).round().max(1.0) as u32);
    let r = bar.rect;
    let em = text::em_px();
    let tick = px(layout::TICK_LENGTH_PT);
    let gap = tick + px(layout::TICK_PAD_PT);
    if bar.extend.min() || bar.extend.max() {
        area.draw(&PathElement::new(bar_outline(bar), line))?;
    } else {
        area.draw(&Rectangle::new(
            [round((r.left, r.top)), round((r.right, r.bottom))],
            line,
        ))?;
    }
    let font = (FONT_FAMILY, em * size_per_em).into_font().color(&BLACK);
    for t in &bar.axis.ticks {
        let y = bar.y_px(t.value);
        area.draw(&PathElement::new(
            [round((r.right, y)), round((r.right + tick, y))],
            line,
        ))?;
        draw_tick_label(area, &t.label, (r.right + gap, y), size_per_em)?;
    }
    let minor_gap = px(MINOR_LENGTH_PT) + px(layout::TICK_PAD_PT);
    for t in &bar.minor {
        let y = bar.y_px(t.value);
        area.draw(&PathElement::new(
            [
                round((r.right, y)),
                round((r.right + px(MINOR_LENGTH_PT), y)),
            ],
            minor_line,
        ))?;
        draw_tick_label(area, &t.label, (r.right + minor_gap, y), size_per_em)?;
    }
    if let Some(offset) = &bar.axis.offset {
        let style = font.pos(Pos::new(HPos::Left, VPos::Bottom));
        let at = round((r.left, r.top - px(layout::TICK_PAD_PT)));
        area.draw(&Text::new(offset.as_str(), at, &style))?;
    }
    if let Some(label) = &bar.label {
        let widest = bar
            .axis
            .ticks
            .iter()
            .map(|t| tick_label_width_px(&t.label, em))
            .fold(0.0, f64::max);
        let x = bar
            .minor
            .iter()
            .filter(|t| !t.label.is_empty())
            .map(|t| r.right + minor_gap + tick_label_width_px(&t.label, em))
            .map(|end| end + px(layout::LABEL_PAD_PT))
            .fold(r.right + gap + widest + px(layout::LABEL_PAD_PT), f64::max);
        let style = font
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Center, VPos::Top));
        let at = round((x, (r.top + r.bottom) / 2.0));
        area.draw(&Text::new(label.as_str(), at, &style))?;
    }
    Ok(())
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
/// DejaVu Sans' ascent and descent (0.928 and 0.236 em): plotters centres text on that box,
/// whose middle is this far above the baseline.
const CENTRE_ABOVE_BASELINE_EM: f64 = (0.928 - 0.236) / 2.0;

/// A tick label right of `at`, vertically centred on it: plain, or `base^exponent` (a log
/// scale's `10^k`) with the exponent raised and smaller, as mathtext sets it.
fn draw_tick_label<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    label: &str,
    at: (f64, f64),
    size_per_em: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    if label.is_empty() {
        return Ok(());
    }
    let em = text::em_px();
    let style = |size: f64| {
        (FONT_FAMILY, size * size_per_em)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center))
    };
    let (base, exponent) = split_superscript(label);
    let base = spaced_times(base);
    area.draw(&Text::new(&*base, round(at), style(em)))?;
    if let Some(exponent) = exponent {
        let small = em * SUPERSCRIPT_SHRINK;
        let x = at.0 + text::label_width_px(&base, em) + px(SUPERSCRIPT_GAP_PT);
        // Both are centred on their own size: move the exponent's centre so that its
        // baseline is the rise above the base's.
        let centre_shift = CENTRE_ABOVE_BASELINE_EM * (em - small);
        let y = at.1 + centre_shift - px(SUPERSCRIPT_RISE_PT);
        area.draw(&Text::new(exponent, round((x, y)), style(small)))?;
    }
    Ok(())
}

/// mathtext sets `\times` as a binary operator, with space either side ("2 × 10").
fn spaced_times(base: &str) -> std::borrow::Cow<'_, str> {
    if base.contains('×') {
        base.replace('×', " × ").into()
    } else {
        base.into()
    }
}

/// A label's base and raised exponent, if it has one.
fn split_superscript(label: &str) -> (&str, Option<&str>) {
    match label.split_once(super::ticks::SUPERSCRIPT) {
        Some((base, exponent)) => (base, Some(exponent)),
        None => (label, None),
    }
}

/// How wide a tick label is drawn, a raised exponent included.
fn tick_label_width_px(label: &str, em: f64) -> f64 {
    let (base, exponent) = split_superscript(label);
    let raised = exponent.map_or(0.0, |e| {
        px(SUPERSCRIPT_GAP_PT) + text::label_width_px(e, em * SUPERSCRIPT_SHRINK)
    });
    text::label_width_px(&spaced_times(base), em) + raised
}

/// The title, centred above the axes.
fn draw_title<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    l: &Layout,
    size_per_em: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let Some(title) = &l.title else {
        return Ok(());
    };
    let a = l.axes;
    let size = px(text::TITLE_PT) * size_per_em;
    let style = (FONT_FAMILY, size)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    let at = round(((a.left + a.right) / 2.0, a.top - px(layout::TITLE_PAD_PT)));
    area.draw(&Text::new(title.as_str(), at, &style))
}

/// The x label under the tick labels, the y label rotated left of them.
fn draw_labels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    l: &Layout,
    size_per_em: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let a = l.axes;
    let em = text::em_px();
    let font = (FONT_FAMILY, em * size_per_em).into_font().color(&BLACK);
    let beyond_ticks = px(layout::TICK_LENGTH_PT + layout::TICK_PAD_PT + layout::LABEL_PAD_PT);
    let centre_x = (a.left + a.right) / 2.0;
    if let Some(label) = &l.x_label {
        // Tick labels are one line of text high.
        let at = round((
            centre_x,
            a.bottom + beyond_ticks + text::LINE_HEIGHT_EM * em,
        ));
        let style = font.pos(Pos::new(HPos::Center, VPos::Top));
        area.draw(&Text::new(label.as_str(), at, &style))?;
    }
    if let Some(label) = &l.y_label {
        // The widest tick label sets the gap.
        let widest =
            l.y.ticks
                .iter()
                .map(|t| text::label_width_px(&t.label, em))
                .fold(0.0, f64::max);
        let x = a.left - beyond_ticks - widest - 0.2 * em;
        let style = font
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Center, VPos::Bottom));
        let at = round((x, (a.top + a.bottom) / 2.0));
        area.draw(&Text::new(label.as_str(), at, &style))?;
    }
    Ok(())
}
