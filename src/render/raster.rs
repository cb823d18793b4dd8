//! PNG output. The frame is drawn in palette indices, one byte a pixel, never in RGB:
//! every figure is white paper, markers of one colour at one opacity, and black text and
//! lines, so what a pixel shows is "how deep under markers" or "how grey", and a palette
//! names every colour that can occur. The PNG is then indexed: a third of RGB's bytes to
//! compress, and no colour counting.
//!
//! Markers do not go through plotters: its circle rasteriser rounds centres and radii to
//! whole pixels and overlaps its spans, so a 50 %-alpha disc is blended twice along seams.
//! Matplotlib blends each marker once, with anti-aliased edges and clipping to the axes box;
//! marker.rs does the same, as depths. Plotters draws the axes (frame, ticks, text) in parts,
//! each once per distinct set of tick positions; the result is kept as a list of pixels and
//! stamped onto each frame.

use super::axes;
use super::layout::{self, Layout};
use super::marker::{Clip, Markers, DEPTHS, UNITS_PER_HALVING};
use super::{Colour, RenderError};
use crate::figure::PngCompression;
use crate::source::Points;
use plotters::prelude::*;
use std::collections::HashMap;

/// Grey levels of the axes overlay (text anti-aliasing), darkest (black) last.
const GREYS: u8 = 32;
const GREY_BASE: u8 = DEPTHS;
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
    /// RGB triplets for every index, and the marker colour they were made for.
    palette: Option<(Colour, Vec<u8>)>,
    markers: Option<Markers>,
    /// Parts of the axes as (pixel, index) pairs, by what decides them.
    overlays: HashMap<axes::Marks, Vec<(u32, u8)>>,
    /// Where plotters draws an overlay, in RGB, before it becomes pairs.
    scratch: Vec<u8>,
}

/// RGB for every palette index: depths of the marker colour over white, then greys.
fn palette(colour: Colour) -> Vec<u8> {
    let depths = (0..DEPTHS).flat_map(|v| {
        let light = (-f64::from(v) / UNITS_PER_HALVING).exp2();
        colour.map(|c| (f64::from(c) + (255.0 - f64::from(c)) * light).round() as u8)
    });
    let greys = (0..GREYS).flat_map(|k| {
        let ink = f64::from(k + 1) / f64::from(GREYS);
        [(255.0 * (1.0 - ink)).round() as u8; 3]
    });
    depths.chain(greys).collect()
}

impl Frame {
    /// Draws one figure: white, every finite point's marker, then the axes over them.
    pub fn draw(&mut self, points: &Points, l: &Layout, colour: Colour) -> Result<(), RenderError> {
        self.draw_markers(points, l, colour);
        self.draw_axes(l)
    }

    /// The palette the frame's indices refer to.
    pub fn palette(&self) -> &[u8] {
        self.palette.as_ref().map_or(&[], |(_, p)| p)
    }

    /// Clears to white and adds every finite point's marker, clipped to the axes box.
    pub fn draw_markers(&mut self, points: &Points, l: &Layout, colour: Colour) {
        self.clear(l.width, l.height, colour);
        let markers = self
            .markers
            .get_or_insert_with(|| Markers::new(layout::px(layout::EDGE_WIDTH_PT) as f32));
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

    /// A white frame of `width`×`height` whose palette is made for markers of `colour`.
    fn clear(&mut self, width: u32, height: u32, colour: Colour) {
        self.width = width as usize;
        self.height = height as usize;
        self.pixels.clear();
        self.pixels.resize(self.width * self.height, 0);
        if self.palette.as_ref().is_none_or(|(c, _)| *c != colour) {
            self.palette = Some((colour, palette(colour)));
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
                let overlay = draw_overlay(&mut self.scratch, l, part)?;
                self.overlays.insert(marks.clone(), overlay);
            }
            // Greys come after depths in the palette and darken with the index: the larger
            // index is the ink over a marker, or the darker ink where two parts meet.
            for &(i, index) in &self.overlays[&marks] {
                let p = &mut self.pixels[i as usize];
                *p = (*p).max(index);
            }
        }
        Ok(())
    }
}

/// Draws a part of the axes with plotters on white and keeps the pixels it inked, as
/// palette indices.
fn draw_overlay(
    scratch: &mut Vec<u8>,
    l: &Layout,
    part: axes::Part,
) -> Result<Vec<(u32, u8)>, RenderError> {
    scratch.clear();
    scratch.resize(l.width as usize * l.height as usize * 3, 255);
    {
        let area = BitMapBackend::with_buffer(scratch, (l.width, l.height)).into_drawing_area();
        axes::draw_part(&area, l, axes::BITMAP_SIZE_PER_EM, part)
            .map_err(|e| RenderError::Draw(e.to_string()))?;
        area.present()
            .map_err(|e| RenderError::Draw(e.to_string()))?;
    }
    let grey = |ink: u8| {
        let level = (u32::from(ink) * u32::from(GREYS) + 127) / 255;
        (level > 0).then(|| GREY_BASE + level as u8 - 1)
    };
    Ok(scratch
        .chunks_exact(3)
        .enumerate()
        .filter_map(|(i, p)| {
            let ink = 255 - p.iter().min().copied().unwrap_or(255);
            grey(ink).map(|index| (i as u32, index))
        })
        .collect())
}

/// Draws one figure into `frame` and appends its PNG encoding to `out`.
pub fn render_png(
    frame: &mut Frame,
    points: &Points,
    l: &Layout,
    colour: Colour,
    compression: PngCompression,
    out: &mut Vec<u8>,
) -> Result<(), RenderError> {
    frame.draw(points, l, colour)?;
    encode_indexed(frame, compression, out)
}

/// fdeflate encodes runs of zeros and nothing else, and over most of a plot a row repeats
/// the row above it: the Up filter turns the repeats into zeros (half the bytes of no
/// filter, in the same time).
fn configure<W: std::io::Write>(compression: PngCompression, encoder: &mut png::Encoder<W>) {
    let (deflate, filter) = match compression {
        PngCompression::Fast => (png::DeflateCompression::FdeflateUltraFast, png::Filter::Up),
        PngCompression::Balanced => (
            png::DeflateCompression::FdeflateUltraFast,
            png::Filter::Adaptive,
        ),
        PngCompression::High => (png::DeflateCompression::Level(9), png::Filter::Adaptive),
    };
    encoder.set_deflate_compression(deflate);
    encoder.set_filter(filter);
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

/// Any RGB image (the speedup chart) as a PNG appended to `out`: indexed when it has at
/// most 256 colours, else RGB.
pub fn encode_rgb(
    rgb: &[u8],
    width: u32,
    height: u32,
    compression: PngCompression,
    out: &mut Vec<u8>,
) -> Result<(), RenderError> {
    let mut indexed = Vec::new();
    match index_colours(rgb, &mut indexed) {
        Some(palette) => encode(&indexed, (width, height), Some(&palette), compression, out),
        None => encode(rgb, (width, height), None, compression, out),
    }
}

/// 8-bit `pixels`, palette indices when there is a `palette`, else RGB, as a PNG.
fn encode(
    pixels: &[u8],
    (width, height): (u32, u32),
    palette: Option<&[u8]>,
    compression: PngCompression,
    out: &mut Vec<u8>,
) -> Result<(), RenderError> {
    let fail = |e: png::EncodingError| RenderError::Encode(e.to_string());
    let mut encoder = png::Encoder::new(out, width, height);
    encoder.set_depth(png::BitDepth::Eight);
    configure(compression, &mut encoder);
    match palette {
        Some(palette) => {
            encoder.set_color(png::ColorType::Indexed);
            encoder.set_palette(palette);
        }
        None => encoder.set_color(png::ColorType::Rgb),
    }
    let mut writer = encoder.write_header().map_err(fail)?;
    writer.write_image_data(pixels).map_err(fail)?;
    writer.finish().map_err(fail)
}

/// Maps every pixel of `rgb` to a palette index in `indexed`; `None` past 256 colours.
/// Runs of one colour are common, so the last colour is checked before a small open-
/// addressing table.
fn index_colours(rgb: &[u8], indexed: &mut Vec<u8>) -> Option<Vec<u8>> {
    const SLOTS: usize = 1024; // 4× the most colours a palette holds: short probes
    let mut keys = [u32::MAX; SLOTS];
    let mut values = [0u8; SLOTS];
    let mut palette: Vec<u8> = Vec::with_capacity(256 * 3);
    indexed.clear();
    indexed.reserve(rgb.len() / 3);
    let (mut last_key, mut last_index) = (u32::MAX, 0u8);
    for p in rgb.chunks_exact(3) {
        let key = u32::from(p[0]) << 16 | u32::from(p[1]) << 8 | u32::from(p[2]);
        if key != last_key {
            let mut slot = (key.wrapping_mul(0x9e37_79b1) >> 22) as usize;
            loop {
                if keys[slot] == key {
                    last_index = values[slot];
                    break;
                }
                if keys[slot] == u32::MAX {
                    let count = palette.len() / 3;
                    if count == 256 {
                        return None;
                    }
                    keys[slot] = key;
                    values[slot] = count as u8;
                    palette.extend_from_slice(p);
                    last_index = count as u8;
                    break;
                }
                slot = (slot + 1) % SLOTS;
            }
            last_key = key;
        }
        indexed.push(last_index);
    }
    Some(palette)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::PlotData;

    const BLUE: Colour = [0x1f, 0x77, 0xb4];

    fn rgb_of(f: &Frame, index: u8) -> [u8; 3] {
        let i = usize::from(index) * 3;
        [f.palette()[i], f.palette()[i + 1], f.palette()[i + 2]]
    }

    #[test]
    fn the_palette_gives_matplotlibs_layer_colours_white_black_and_saturates() {
        let mut f = Frame::default();
        f.clear(4, 4, BLUE);
        // matplotlib: one layer (142,186,217), two (86,152,198), three (58,135,188);
        // its rounding differs from ours by one level.
        let close = |a: [u8; 3], b: [u8; 3]| a.iter().zip(b).all(|(&x, y)| x.abs_diff(y) <= 1);
        for (layers, expected) in [
            (1, [142, 186, 217]),
            (2, [86, 152, 198]),
            (3, [58, 135, 188]),
        ] {
            let got = rgb_of(&f, 16 * layers);
            assert!(close(got, expected), "{layers} layers: {got:?}");
        }
        assert_eq!(rgb_of(&f, 0), [255, 255, 255]);
        assert_eq!(rgb_of(&f, DEPTHS - 1), BLUE);
        assert_eq!(rgb_of(&f, GREY_BASE + GREYS - 1), [0, 0, 0]);
        assert_eq!(f.palette().len(), 3 * usize::from(DEPTHS + GREYS));
    }

    fn default_layout() -> (PlotData, Layout) {
        let data = PlotData {
            points: crate::source::random::points(5, 9, 500),
            ..PlotData::default()
        };
        let l = Layout::new(640, 480, &data);
        (data, l)
    }

    #[test]
    fn cached_axes_stamp_what_plotters_draws() {
        let (data, l) = default_layout();
        let mut f = Frame::default();
        f.draw(&data.points, &l, BLUE).unwrap();
        f.draw(&data.points, &l, BLUE).unwrap(); // from the cache
        let mut rgb = vec![255u8; 640 * 480 * 3];
        {
            let area = BitMapBackend::with_buffer(&mut rgb, (640, 480)).into_drawing_area();
            axes::draw(&area, &l, axes::BITMAP_SIZE_PER_EM).unwrap();
            area.present().unwrap();
        }
        // Wherever plotters inks, the frame shows the same grey to within a level of 32.
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
                points: crate::source::Points {
                    x: vec![0.5],
                    y: vec![0.5],
                    area: vec![1e9],
                },
                ..PlotData::default()
            };
            let l = Layout::new(width, height, &data);
            let mut f = Frame::default();
            f.draw(&data.points, &l, BLUE).unwrap();
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

    fn decoded_rgb(png_bytes: &[u8]) -> (png::ColorType, Vec<u8>) {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        let colour_type = reader.info().color_type;
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        (colour_type, buf)
    }

    #[test]
    fn the_indexed_png_decodes_to_the_palette_colours_at_every_level() {
        let (data, l) = default_layout();
        let mut f = Frame::default();
        f.draw(&data.points, &l, BLUE).unwrap();
        let expected: Vec<u8> = f.pixels.iter().flat_map(|&i| rgb_of(&f, i)).collect();
        for level in [
            PngCompression::Fast,
            PngCompression::Balanced,
            PngCompression::High,
        ] {
            let mut out = Vec::new();
            encode_indexed(&f, level, &mut out).unwrap();
            let (colour_type, back) = decoded_rgb(&out);
            assert_eq!(colour_type, png::ColorType::Indexed);
            assert!(back == expected, "{level:?}");
        }
    }

    /// `rgb` (64×8) through `encode_rgb` and back: the colour type chosen, and the pixels.
    fn rgb_round_trip(rgb: &[u8]) -> png::ColorType {
        let mut out = Vec::new();
        encode_rgb(rgb, 64, 8, PngCompression::Fast, &mut out).unwrap();
        let (colour_type, back) = decoded_rgb(&out);
        assert!(back == rgb, "{colour_type:?} changed the pixels");
        colour_type
    }

    #[test]
    fn an_rgb_image_is_indexed_up_to_256_colours_and_rgb_beyond() {
        let few: Vec<u8> = (0..64 * 8)
            .flat_map(|i| [(i % 100) as u8, 7, (i % 2) as u8])
            .collect();
        assert_eq!(rgb_round_trip(&few), png::ColorType::Indexed);
        let many: Vec<u8> = (0..64 * 8u32)
            .flat_map(|i| [i as u8, (i >> 8) as u8, 1])
            .collect();
        assert_eq!(rgb_round_trip(&many), png::ColorType::Rgb);
    }
}
