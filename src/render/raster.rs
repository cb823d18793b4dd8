//! Raster output. The frame is drawn in palette indices, one byte a pixel, never in RGB:
//! every figure is white paper, one kind of content, and black text and lines, so what a
//! pixel shows is "how deep under markers", "how much of the line", "which colour of the
//! colour map" or "how grey", and a palette (palette.rs) names every colour that can occur.
//! The PNG (png.rs) is then indexed: a third of RGB's bytes to compress, and no colour
//! counting.
//!
//! Markers do not go through plotters: its circle rasteriser rounds centres and radii to
//! whole pixels and overlaps its spans, so a 50 %-alpha disc is blended twice along seams.
//! Matplotlib blends each marker once, with anti-aliased edges and clipping to the axes box;
//! marker.rs does the same, as depths. The axes are drawn in parts (plotters the lines,
//! raster_text.rs the texts), each once per distinct set of tick positions; the result is kept
//! as a list of pixels and stamped onto each frame.

use super::axes;
use super::colormap::Colour;
use super::error::RenderError;
use super::layout::{self, Layout};
use super::marker::{Clip, Markers};
use super::palette::{self, MapColours, Paint, GREY_BASE, LINE_LEVELS};
use super::png::encode;
use super::raster_text::TextPainter;
use super::text::px;
use crate::figure::PngCompression;
use crate::source::{Content, Grid, Points, Series, Values};
use plotters::prelude::*;
use std::collections::HashMap;

/// Bound on the cached axes overlays (a few KB each).
const OVERLAY_CACHE: usize = 256;

/// A frame of palette indices, reused from plot to plot, with what is made once and kept:
/// the palette, the marker sprites and the axes overlays.
#[derive(Default)]
pub struct Frame {
    width: usize,
    height: usize,
    /// One palette index a pixel, row by row.
    pub pixels: Vec<u8>,
    /// RGB triplets for every index, and the paint they were made for.
    palette: Option<(Paint, Vec<u8>)>,
    markers: Option<Markers>,
    /// Parts of the axes as (pixel, grey level) pairs, by what decides them.
    overlays: HashMap<axes::Marks, Vec<(u32, u8)>>,
    /// Line coverage of the axes box, reused.
    coverage: Vec<f32>,
    /// Where an overlay is drawn, in RGB, before it becomes pairs.
    scratch: Vec<u8>,
    painter: TextPainter,
}

impl Frame {
    /// Draws one figure: white, every finite point's marker, then the axes over them.
    pub fn draw(&mut self, points: &Points, l: &Layout, colour: Colour) -> Result<(), RenderError> {
        self.draw_markers(points, l, colour);
        self.draw_axes(l)
    }

    /// Draws any content, then the axes over it.
    pub fn draw_content(
        &mut self,
        content: &Content,
        l: &Layout,
        colour: Colour,
    ) -> Result<(), RenderError> {
        match content {
            Content::Scatter(points) => self.draw_markers(points, l, colour),
            Content::Line(series) => self.draw_line(series, l, colour),
            Content::Heatmap(grid) => self.draw_heatmap(grid, l),
        }
        self.draw_axes(l)
    }

    /// The palette the frame's indices refer to.
    pub fn palette(&self) -> &[u8] {
        self.palette.as_ref().map_or(&[], |(_, p)| p)
    }

    /// Clears to white and adds every finite point's marker, clipped to the axes box.
    pub fn draw_markers(&mut self, points: &Points, l: &Layout, colour: Colour) {
        self.clear(l.width, l.height, Paint::Markers(colour));
        let markers = self
            .markers
            .get_or_insert_with(|| Markers::new(px(layout::EDGE_WIDTH_PT) as f32));
        let a = &l.axes;
        let clip = Clip::new(a.left, a.top, a.right, a.bottom, self.width, self.height);
        for ((&x, &y), &s) in points.x.iter().zip(&points.y).zip(&points.area) {
            if x.is_finite() && y.is_finite() {
                let centre = (l.x_px(x) as f32, l.y_px(y) as f32);
                let r = layout::radius_px(s) as f32;
                markers.draw(&mut self.pixels, self.width, &clip, centre, r);
            }
        }
    }

    /// A white frame of `width`×`height` whose palette is made for `paint`.
    fn clear(&mut self, width: u32, height: u32, paint: Paint) {
        self.width = width as usize;
        self.height = height as usize;
        self.pixels.clear();
        self.pixels.resize(self.width * self.height, 0);
        if self.palette.as_ref().is_none_or(|(p, _)| *p != paint) {
            let rgb = palette::rgb(&paint);
            self.palette = Some((paint, rgb));
        }
    }

    /// The pixels whose centres lie in `r`, as a base64 PNG (for SVG's `<image>`).
    pub fn crop_png(&self, r: &layout::Rect) -> Result<String, RenderError> {
        use base64::Engine as _;
        let columns = Frame::span(r.left, r.right, self.width);
        let rows = Frame::span(r.top, r.bottom, self.height);
        let mut pixels = Vec::with_capacity(columns.len() * rows.len());
        for py in rows.clone() {
            pixels.extend_from_slice(&self.pixels[py * self.width..][columns.clone()]);
        }
        let size = (columns.len() as u32, rows.len() as u32);
        let mut png = Vec::new();
        encode(
            &pixels,
            size,
            Some(self.palette()),
            PngCompression::Balanced,
            &mut png,
        )?;
        Ok(base64::engine::general_purpose::STANDARD.encode(png))
    }

    /// Where the greys begin in the current palette.
    fn grey_base(&self) -> u8 {
        self.palette
            .as_ref()
            .map_or(GREY_BASE, |(paint, _)| paint.levels())
    }

    /// The pixel columns (or rows) of the axes box: the pixels whose centres lie inside.
    fn span(lo: f64, hi: f64, limit: usize) -> std::ops::Range<usize> {
        let first = (lo - 0.5).ceil().max(0.0) as usize;
        let end = ((hi - 0.5).floor() + 1.0).clamp(0.0, limit as f64) as usize;
        first..end.max(first)
    }

    /// Clears to white and fills the axes box with the grid's cells, as pcolormesh: each
    /// pixel takes the colour of the cell under its centre; the colour bar shows the map.
    pub fn draw_heatmap(&mut self, grid: &Grid, l: &Layout) {
        let Some(bar) = &l.colour_bar else {
            let viridis = MapColours::Continuous(Default::default());
            return self.clear(l.width, l.height, Paint::Map(viridis));
        };
        self.clear(l.width, l.height, Paint::Map(bar.plan.colours()));
        let (lo, hi) = (bar.axis.lo, bar.axis.hi);
        let colours = bar.plan.scale();
        let a = &l.axes;
        let columns = Frame::span(a.left, a.right, self.width);
        let rows = Frame::span(a.top, a.bottom, self.height);
        // Which cell each pixel column and row falls in (None: beyond the grid). Edges are
        // monotonic, so the pixel columns over the grid are one run.
        let cell_of = |edges: &[f64], v: f64| -> Option<usize> {
            let increasing = edges.last() >= edges.first();
            let i = if increasing {
                edges.partition_point(|&e| e <= v)
            } else {
                edges.partition_point(|&e| e > v)
            };
            (1..edges.len()).contains(&i).then(|| i - 1)
        };
        let column_cells: Vec<Option<usize>> = columns
            .clone()
            .map(|px| cell_of(&grid.x_edges, l.x_value(px as f64 + 0.5)))
            .collect();
        let Some(first) = column_cells.iter().position(Option::is_some) else {
            return;
        };
        let cell_columns: Vec<usize> = column_cells[first..].iter().map_while(|c| *c).collect();
        let run = columns.start + first..columns.start + first + cell_columns.len();
        let mut previous: Option<(usize, usize)> = None;
        let mut row_levels = vec![0; grid.cols];
        for py in rows {
            let Some(r) = cell_of(&grid.y_edges, l.y_value(py as f64 + 0.5)) else {
                continue;
            };
            let start = py * self.width;
            // A grid coarser than the pixels repeats rows: copy rather than map again.
            if let Some((_, from)) = previous.filter(|&(row, _)| row == r) {
                self.pixels
                    .copy_within(from + run.start..from + run.end, start + run.start);
                continue;
            }
            let cells = r * grid.cols..(r + 1) * grid.cols;
            match &grid.values {
                Values::F32(v) => colours.levels_of_f32(&v[cells], &mut row_levels),
                Values::F64(v) => colours.levels_of(&v[cells], &mut row_levels),
            }
            let row = &mut self.pixels[start + run.start..start + run.end];
            for (pixel, &c) in row.iter_mut().zip(&cell_columns) {
                *pixel = row_levels[c];
            }
            previous = Some((r, start));
        }
        // The colour bar: level by level from the bottom (low) to the top (high).
        let bar_columns = Frame::span(bar.rect.left, bar.rect.right, self.width);
        for py in Frame::span(bar.rect.top, bar.rect.bottom, self.height) {
            let fraction = (bar.rect.bottom - (py as f64 + 0.5)) / bar.rect.height();
            let level = colours.bar_level(fraction, lo, hi);
            self.pixels[py * self.width..(py + 1) * self.width][bar_columns.clone()].fill(level);
        }
        self.draw_triangles(bar, &colours);
    }

    /// The colour bar's triangles beyond its range, in the colours of values below and above
    /// it: each pixel whose centre lies inside.
    fn draw_triangles(&mut self, bar: &layout::ColourBar, colours: &palette::ColourScale) {
        let (under, over) = colours.beyond_levels();
        let (r, outer) = (bar.rect, bar.outer);
        let centre = (r.left + r.right) / 2.0;
        let half = r.width() / 2.0;
        let ends = [
            (bar.extend.min(), r.bottom, outer.bottom, under),
            (bar.extend.max(), r.top, outer.top, over),
        ];
        for (drawn, base, apex, level) in ends {
            if !drawn {
                continue;
            }
            let (top, bottom) = (base.min(apex), base.max(apex));
            for py in Frame::span(top, bottom, self.height) {
                let along = ((py as f64 + 0.5 - base) / (apex - base)).clamp(0.0, 1.0);
                let reach = half * (1.0 - along);
                let row = &mut self.pixels[py * self.width..(py + 1) * self.width];
                row[Frame::span(centre - reach, centre + reach, self.width)].fill(level);
            }
        }
    }

    /// Clears to white and draws the series as an opaque, anti-aliased line 1.5 pt wide
    /// (matplotlib's `lines.linewidth`) with round joins, clipped to the axes box. A
    /// pixel's coverage is the most any segment gives it, so joins are not drawn twice.
    pub fn draw_line(&mut self, series: &Series, l: &Layout, colour: Colour) {
        self.clear(l.width, l.height, Paint::Line(colour));
        let a = &l.axes;
        let columns = Frame::span(a.left, a.right, self.width);
        let rows = Frame::span(a.top, a.bottom, self.height);
        let (w, h) = (columns.len(), rows.len());
        self.coverage.clear();
        self.coverage.resize(w * h, 0.0);
        let half = (px(layout::LINE_WIDTH_PT) / 2.0) as f32;
        let points: Vec<Option<(f32, f32)>> = series
            .x
            .iter()
            .zip(&series.y)
            .map(|(&x, &y)| {
                (x.is_finite() && y.is_finite()).then(|| {
                    (
                        (l.x_px(x) - columns.start as f64) as f32,
                        (l.y_px(y) - rows.start as f64) as f32,
                    )
                })
            })
            .collect();
        let mut last = None;
        for p in &points {
            match (last, p) {
                (Some(a), Some(b)) => stroke_segment(&mut self.coverage, w, h, a, *b, half),
                (None, Some(b)) => stroke_segment(&mut self.coverage, w, h, *b, *b, half),
                _ => {}
            }
            last = *p;
        }
        let top = f32::from(LINE_LEVELS - 1);
        for (y, py) in rows.enumerate() {
            let row = &mut self.pixels[py * self.width + columns.start..][..w];
            for (pixel, &c) in row.iter_mut().zip(&self.coverage[y * w..(y + 1) * w]) {
                *pixel = (c.min(1.0) * top).round() as u8;
            }
        }
    }

    /// Stamps the frame, ticks and labels over the markers.
    pub fn draw_axes(&mut self, l: &Layout) -> Result<(), RenderError> {
        for part in axes::Part::ALL {
            let marks = axes::Marks::new(part, l);
            if !self.overlays.contains_key(&marks) {
                if self.overlays.len() >= OVERLAY_CACHE {
                    self.overlays.clear();
                }
                let overlay = draw_overlay(&mut self.scratch, &mut self.painter, l, part)?;
                self.overlays.insert(marks.clone(), overlay);
            }
            // Greys come after the content in the palette and darken with the index: the
            // larger index is the ink over the content, or the darker ink where two parts
            // meet.
            let base = self.grey_base();
            for &(i, level) in &self.overlays[&marks] {
                let p = &mut self.pixels[i as usize];
                *p = (*p).max(base + level);
            }
        }
        Ok(())
    }
}

/// Draws a part of the axes on white and keeps the pixels it inked, as palette indices.
fn draw_overlay(
    scratch: &mut Vec<u8>,
    painter: &mut TextPainter,
    l: &Layout,
    part: axes::Part,
) -> Result<Vec<(u32, u8)>, RenderError> {
    // The title lies above the axes: drawing and scanning that band alone spares a
    // whole-figure pass for every frame's new title.
    let height = match part {
        axes::Part::Title => (l.axes.top.ceil() as u32).clamp(1, l.height),
        _ => l.height,
    };
    // The scratch is white between overlays: each pixel an overlay inks is made white again
    // as it is read, which costs less than whitening the whole figure for every overlay.
    scratch.resize(l.width as usize * height as usize * 3, 255);
    let drawn = {
        let area = BitMapBackend::with_buffer(scratch, (l.width, height)).into_drawing_area();
        axes::draw_part(&area, l, part)
            .map_err(|e| RenderError::Draw(e.to_string()))
            .and_then(|()| area.present().map_err(|e| RenderError::Draw(e.to_string())))
    };
    if let Err(e) = drawn {
        // Whitened in full next time.
        scratch.clear();
        return Err(e);
    }
    let (width, height) = (l.width as usize, height as usize);
    let mut region = line_region(l, part, width, height);
    for label in axes::labels(l, part) {
        if let Some(r) = painter.paint(scratch, width, height, &label) {
            region = Some(region.map_or(r, |a| {
                [
                    a[0].min(r[0]),
                    a[1].min(r[1]),
                    a[2].max(r[2]),
                    a[3].max(r[3]),
                ]
            }));
        }
    }
    let mut inked = Vec::new();
    let Some([left, top, right, bottom]) = region else {
        return Ok(inked);
    };
    for y in top..bottom {
        let row = &mut scratch[(y * width + left) * 3..(y * width + right) * 3];
        // Most rows are blank, and the rest inked over a short span.
        let Some(span) = inked_span(row) else {
            continue;
        };
        let first = y * width + left;
        for x in span.start / 3..span.end.div_ceil(3) {
            let pixel = &mut row[x * 3..x * 3 + 3];
            let ink = 255 - pixel.iter().min().copied().unwrap_or(255);
            if ink > 0 {
                pixel.fill(255);
                inked.extend(palette::grey_of_ink(ink).map(|index| ((first + x) as u32, index)));
            }
        }
    }
    debug_assert!(
        inked_span(scratch).is_none(),
        "{part:?} inked pixels outside the region read back"
    );
    Ok(inked)
}

/// Where plotters may ink a part's lines (left, top, right, bottom in whole pixels, the ends
/// excluded, two pixels to spare for their width), within the image: what is read back
/// besides what the texts painted.
fn line_region(l: &Layout, part: axes::Part, width: usize, height: usize) -> Option<[usize; 4]> {
    let a = l.axes;
    let tick = px(layout::TICK_LENGTH_PT);
    let span = |values: &mut dyn Iterator<Item = f64>| {
        values.fold(None, |r: Option<(f64, f64)>, v| {
            Some(r.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))))
        })
    };
    let [left, top, right, bottom] = match part {
        axes::Part::Frame => [a.left, a.top, a.right, a.bottom],
        axes::Part::XTicks => {
            let (lo, hi) = span(&mut l.x.ticks.iter().map(|t| l.x_px(t.value)))?;
            [lo, a.bottom, hi, a.bottom + tick]
        }
        axes::Part::YTicks => {
            let (lo, hi) = span(&mut l.y.ticks.iter().map(|t| l.y_px(t.value)))?;
            [a.left - tick, lo, a.left, hi]
        }
        axes::Part::ColourBar => {
            // The outline runs out to the triangles' tips.
            let bar = l.colour_bar.as_ref()?;
            let (r, outer) = (bar.rect, bar.outer);
            [
                r.left,
                outer.top.min(r.top),
                r.right + tick,
                outer.bottom.max(r.bottom),
            ]
        }
        axes::Part::Title | axes::Part::Labels => return None,
    };
    let clip = |v: f64, limit: usize| (v.max(0.0) as usize).min(limit);
    let r = [
        clip(left.floor() - 2.0, width),
        clip(top.floor() - 2.0, height),
        clip(right.ceil() + 3.0, width),
        clip(bottom.ceil() + 3.0, height),
    ];
    (r[0] < r[2] && r[1] < r[3]).then_some(r)
}

/// The bytes of `row` from its first block of 64 that is not all white (255) to its last,
/// `None` for a white row. A search that stops at the first other byte is not vectorised;
/// a test of a block of 64 at a time is.
fn inked_span(row: &[u8]) -> Option<std::ops::Range<usize>> {
    const BLOCK: usize = 64;
    let blank = |block: &[u8]| block.iter().fold(255, |all, &b| all & b) == 255;
    let first = row.chunks(BLOCK).position(|b| !blank(b))?;
    let last = row.chunks(BLOCK).rposition(|b| !blank(b))?;
    Some(first * BLOCK..((last + 1) * BLOCK).min(row.len()))
}

/// Adds to `coverage` (a `w`×`h` grid, pixel centres at +0.5) a capsule of radius `half`
/// around the segment `a`–`b`: full inside, fading over one pixel at the edge.
fn stroke_segment(
    coverage: &mut [f32],
    w: usize,
    h: usize,
    a: (f32, f32),
    b: (f32, f32),
    half: f32,
) {
    let reach = half + 1.0;
    let x0 = (a.0.min(b.0) - reach).floor().max(0.0) as usize;
    let x1 = ((a.0.max(b.0) + reach).ceil().max(0.0) as usize).min(w);
    let y0 = (a.1.min(b.1) - reach).floor().max(0.0) as usize;
    let y1 = ((a.1.max(b.1) + reach).ceil().max(0.0) as usize).min(h);
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length2 = dx * dx + dy * dy;
    for y in y0..y1 {
        let cy = y as f32 + 0.5;
        for x in x0..x1 {
            let cx = x as f32 + 0.5;
            let t = if length2 > 0.0 {
                (((cx - a.0) * dx + (cy - a.1) * dy) / length2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let (ex, ey) = (cx - (a.0 + t * dx), cy - (a.1 + t * dy));
            let distance = (ex * ex + ey * ey).sqrt();
            let c = (half + 0.5 - distance).clamp(0.0, 1.0);
            let cell = &mut coverage[y * w + x];
            *cell = cell.max(c);
        }
    }
}

/// Draws one figure into `frame` and appends its PNG encoding to `out`.
pub fn render_png(
    frame: &mut Frame,
    content: &Content,
    l: &Layout,
    colour: Colour,
    compression: PngCompression,
    out: &mut Vec<u8>,
) -> Result<(), RenderError> {
    frame.draw_content(content, l, colour)?;
    encode_indexed(frame, compression, out)
}

/// The frame as an indexed PNG, appended to `out`.
pub fn encode_indexed(
    frame: &Frame,
    compression: PngCompression,
    out: &mut Vec<u8>,
) -> Result<(), RenderError> {
    let size = (frame.width as u32, frame.height as u32);
    encode(&frame.pixels, size, Some(frame.palette()), compression, out)
}

#[cfg(test)]
mod tests {
    use super::super::palette::GREYS;
    use super::super::png::tests::decoded_rgb;
    use super::*;
    use crate::source::PlotData;

    const BLUE: Colour = [0x1f, 0x77, 0xb4];

    fn rgb_of(f: &Frame, index: u8) -> [u8; 3] {
        let i = usize::from(index) * 3;
        [f.palette()[i], f.palette()[i + 1], f.palette()[i + 2]]
    }

    fn default_layout() -> (PlotData, Layout) {
        let data = PlotData {
            content: Content::Scatter(crate::source::random::points(5, 9, 500)),
            ..PlotData::default()
        };
        let l = Layout::new(640, 480, &data);
        (data, l)
    }

    #[test]
    fn cached_axes_stamp_what_is_drawn_fresh() {
        let (data, l) = default_layout();
        let mut f = Frame::default();
        f.draw_content(&data.content, &l, BLUE).unwrap();
        f.draw_content(&data.content, &l, BLUE).unwrap(); // from the cache
        let mut rgb = vec![255u8; 640 * 480 * 3];
        {
            let area = BitMapBackend::with_buffer(&mut rgb, (640, 480)).into_drawing_area();
            axes::draw(&area, &l).unwrap();
            area.present().unwrap();
        }
        let mut painter = TextPainter::default();
        for label in axes::all_labels(&l) {
            painter.paint(&mut rgb, 640, 480, &label);
        }
        // Wherever the axes ink, the frame shows the same grey to within a level of 32.
        let mut inked = 0;
        for (i, p) in rgb.chunks_exact(3).enumerate() {
            if p[0] < 255 {
                inked += 1;
                let got = rgb_of(&f, f.pixels[i])[0];
                assert!(got.abs_diff(p[0]) <= 5, "pixel {i}: {got} against {}", p[0]);
            }
        }
        assert!(inked > 2000, "frame, ticks and labels: {inked} pixels");
    }

    #[test]
    fn markers_fill_the_frame_exactly_when_its_edges_fall_on_half_pixels() {
        // 500×450: the box's left edge is at x = 62.5 and its bottom at y = 400.5.
        for (width, height) in [(500, 450), (640, 480), (100, 50)] {
            let data = PlotData {
                content: Content::Scatter(Points {
                    x: vec![0.5],
                    y: vec![0.5],
                    area: vec![1e9],
                }),
                ..PlotData::default()
            };
            let l = Layout::new(width, height, &data);
            let mut f = Frame::default();
            f.draw_content(&data.content, &l, BLUE).unwrap();
            let w = width as usize;
            let at = |x: f64, y: f64| f.pixels[y as usize * w + x as usize];
            let a = l.axes;
            let (mid_x, mid_y) = ((a.left + a.right) / 2.0, (a.top + a.bottom) / 2.0);
            let (left, right) = (a.left.round(), a.right.round());
            let (top, bottom) = (a.top.round(), a.bottom.round());
            let frame = GREY_BASE + GREYS - 1;
            for (inside, frame_at, outside) in [
                (
                    at(left + 1.0, mid_y),
                    at(left, mid_y),
                    at(left - 1.0, mid_y),
                ),
                (
                    at(right - 1.0, mid_y),
                    at(right, mid_y),
                    at(right + 1.0, mid_y),
                ),
                (at(mid_x, top + 1.0), at(mid_x, top), at(mid_x, top - 1.0)),
                (
                    at(mid_x, bottom - 1.0),
                    at(mid_x, bottom),
                    at(mid_x, bottom + 1.0),
                ),
            ] {
                assert_eq!(frame_at, frame, "{width}×{height}: the frame line");
                assert!(
                    inside > 0 && inside < GREY_BASE,
                    "{width}×{height}: marker inside"
                );
                assert!(
                    outside == 0 || outside >= GREY_BASE,
                    "{width}×{height}: no marker outside"
                );
            }
        }
    }

    #[test]
    fn the_indexed_png_decodes_to_the_palette_colours_at_every_level() {
        let (data, l) = default_layout();
        let mut f = Frame::default();
        f.draw_content(&data.content, &l, BLUE).unwrap();
        let expected: Vec<u8> = f.pixels.iter().flat_map(|&i| rgb_of(&f, i)).collect();
        for level in [
            PngCompression::Fast,
            PngCompression::Balanced,
            PngCompression::High,
        ] {
            let mut out = Vec::new();
            encode_indexed(&f, level, &mut out).unwrap();
            let (colour_type, back) = decoded_rgb(&out);
            assert_eq!(colour_type, ::png::ColorType::Indexed);
            assert!(back == expected, "{level:?}");
        }
    }
}
