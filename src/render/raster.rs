//! PNG output: markers rasterised straight into an RGB frame, axes drawn on it with
//! plotters' bitmap backend, the frame encoded with the `png` crate.
//!
//! Markers do not go through plotters here: its circle rasteriser rounds centres and radii
//! to whole pixels and overlaps its spans, so a 50 %-alpha disc is blended twice along
//! seams. Matplotlib blends each marker once, with anti-aliased edges and clipping to the
//! axes box; this does the same, per pixel, in one pass.

use super::layout::{self, Layout, Rect};
use super::{Colour, RenderError};
use crate::source::Points;
use plotters::prelude::*;

/// Fill and edge opacity of each marker.
pub const MARKER_ALPHA: f64 = 0.5;
/// Anti-aliased edges blend at multiples of 1/ALPHA_STEPS.
const ALPHA_STEPS: f64 = 16.0;

/// An RGB8 frame, reused from plot to plot.
#[derive(Default)]
pub struct Frame {
    width: usize,
    height: usize,
    pub rgb: Vec<u8>,
    /// Palette indices of `rgb`, for the PNG encoder.
    pub indexed: Vec<u8>,
    /// The marker colour's blend table, made once.
    table: Option<(Colour, [[u8; 256]; 3])>,
}

impl Frame {
    fn clear(&mut self, width: u32, height: u32) {
        self.width = width as usize;
        self.height = height as usize;
        self.rgb.clear();
        self.rgb.resize(self.width * self.height * 3, 255);
    }

    /// Blend a marker of radius `r` px (fill plus an edge of width `edge` px, both at
    /// `MARKER_ALPHA`) centred at (cx, cy), touching only pixels inside `clip`.
    fn marker(&mut self, clip: &Rect, (cx, cy): (f64, f64), r: f64, edge: f64, colour: Colour) {
        let outer = r + edge / 2.0;
        let inner = r - edge / 2.0;
        // Pixels nearer than `solid` are covered by the fill alone, fully: one blend at
        // MARKER_ALPHA, read from a table. Pixels beyond `reach` are untouched. Only the
        // ring between needs the coverage arithmetic.
        let solid = inner - 0.5;
        let solid2 = if solid > 0.0 { solid * solid } else { -1.0 };
        let reach2 = (outer + 0.5) * (outer + 0.5);
        if self.table.as_ref().is_none_or(|(c, _)| *c != colour) {
            self.table = Some((colour, blend_table(colour, MARKER_ALPHA)));
        }
        let table = &self.table.as_ref().expect("just set").1;
        let cols = span(cx, outer, clip.left, clip.right, self.width);
        let rows = span(cy, outer, clip.top, clip.bottom, self.height);
        let width = self.width;
        for py in rows {
            let dy = py as f64 + 0.5 - cy;
            let dy2 = dy * dy;
            if dy2 >= reach2 {
                continue;
            }
            let row = &mut self.rgb[py * width * 3..(py + 1) * width * 3];
            let d2 = |px: usize| {
                let dx = px as f64 + 0.5 - cx;
                dx * dx + dy2
            };
            // The pixels this row touches, widened by one so that rounding never drops one.
            let half = (reach2 - dy2).sqrt();
            let first = ((cx - half - 0.5).floor() - 1.0).max(cols.start as f64) as usize;
            let end = ((cx + half + 0.5).ceil() + 1.0)
                .min(cols.end as f64)
                .max(first as f64) as usize;
            // Its solid run, narrowed until both ends really are solid.
            let (mut s0, mut s1) = (end, end);
            if dy2 < solid2 {
                let half = (solid2 - dy2).sqrt();
                s0 = ((cx - half - 0.5).ceil().max(first as f64) as usize).min(end);
                s1 = ((cx + half - 0.5).floor() + 1.0).clamp(s0 as f64, end as f64) as usize;
                while s0 < s1 && d2(s0) > solid2 {
                    s0 += 1;
                }
                while s1 > s0 && d2(s1 - 1) > solid2 {
                    s1 -= 1;
                }
            }
            for pixel in row[s0 * 3..s1 * 3].chunks_exact_mut(3) {
                for (k, c) in pixel.iter_mut().enumerate() {
                    *c = table[k][usize::from(*c)];
                }
            }
            for px in (first..s0).chain(s1.max(first)..end) {
                let d2 = d2(px);
                if d2 >= reach2 {
                    continue;
                }
                let d = d2.sqrt();
                // Coverage of a pixel by a disc edge, approximated by the distance to it.
                let inside = |radius: f64| (radius - d + 0.5).clamp(0.0, 1.0);
                let fill = inside(r);
                let stroke = inside(outer) - inside(inner);
                // Fill and edge are two layers, as matplotlib draws them. Opacity is kept to
                // 1/32 steps: invisible to the eye, and it keeps the frame to few enough
                // colours for a palette PNG.
                let a = 1.0 - (1.0 - MARKER_ALPHA * fill) * (1.0 - MARKER_ALPHA * stroke);
                let a = (a * ALPHA_STEPS).round() / ALPHA_STEPS;
                for (c, target) in row[px * 3..px * 3 + 3].iter_mut().zip(colour) {
                    *c = blend(*c, target, a);
                }
            }
        }
    }
}

/// `c` moved a fraction `a` towards `target`, rounded to nearest (all terms are ≥ 0, so
/// adding 0.5 and truncating is rounding).
fn blend(c: u8, target: u8, a: f64) -> u8 {
    (f64::from(c) + (f64::from(target) - f64::from(c)) * a + 0.5) as u8
}

/// `blend(c, colour[k], a)` for every channel k and value c.
fn blend_table(colour: Colour, a: f64) -> [[u8; 256]; 3] {
    let mut table = [[0u8; 256]; 3];
    for (k, row) in table.iter_mut().enumerate() {
        for (c, out) in row.iter_mut().enumerate() {
            *out = blend(c as u8, colour[k], a);
        }
    }
    table
}

/// Pixel indices within `reach` of `centre` whose centres lie in [lo, hi), on the frame.
fn span(centre: f64, reach: f64, lo: f64, hi: f64, limit: usize) -> std::ops::Range<usize> {
    // Pixel i covers [i, i+1): its centre i+0.5 is in [lo, hi) iff ceil(lo-0.5) <= i < ceil(hi-0.5).
    let first = (lo - 0.5)
        .ceil()
        .max((centre - reach - 1.0).floor())
        .max(0.0);
    let end = (hi - 0.5)
        .ceil()
        .min((centre + reach + 1.0).ceil())
        .min(limit as f64);
    let (first, end) = (first as usize, end.max(0.0) as usize);
    first..end.max(first)
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
    draw_markers(frame, points, l, colour);
    draw_axes(frame, l)?;
    encode_png(
        &frame.rgb,
        l.width,
        l.height,
        compression,
        &mut frame.indexed,
        out,
    )
}

/// Clears `frame` to white and blends every finite point's marker into it.
pub fn draw_markers(frame: &mut Frame, points: &Points, l: &Layout, colour: Colour) {
    frame.clear(l.width, l.height);
    let edge = layout::px(layout::EDGE_WIDTH_PT);
    for ((&x, &y), &s) in points.x.iter().zip(&points.y).zip(&points.area) {
        if x.is_finite() && y.is_finite() {
            let r = layout::radius_px(s);
            frame.marker(&l.axes, (l.x_px(x), l.y_px(y)), r, edge, colour);
        }
    }
}

/// Frame, ticks and labels, over the markers.
pub fn draw_axes(frame: &mut Frame, l: &Layout) -> Result<(), RenderError> {
    let backend = BitMapBackend::with_buffer(&mut frame.rgb, (l.width, l.height));
    let area = backend.into_drawing_area();
    super::axes::draw(&area, l, super::axes::BITMAP_SIZE_PER_EM)
        .map_err(|e| RenderError::Draw(e.to_string()))?;
    area.present().map_err(|e| RenderError::Draw(e.to_string()))
}

/// How hard the PNG encoder works: the trade between time and bytes (`--png-compression`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PngCompression {
    /// fdeflate's fastest setting.
    #[default]
    Fast,
    /// zlib-style, slower, smaller.
    Balanced,
    /// Smallest files, slowest.
    High,
}

/// The PNG encoding of an RGB frame, appended to `out`: indexed (one byte a pixel, a third of
/// the data to filter and compress) when the frame has at most 256 colours, as the default
/// plot does, else RGB.
pub fn encode_png(
    rgb: &[u8],
    width: u32,
    height: u32,
    compression: PngCompression,
    indexed: &mut Vec<u8>,
    out: &mut Vec<u8>,
) -> Result<(), RenderError> {
    let fail = |e: png::EncodingError| RenderError::Encode(e.to_string());
    let palette = index_colours(rgb, indexed);
    let mut encoder = png::Encoder::new(out, width, height);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(match compression {
        PngCompression::Fast => png::Compression::Fast,
        PngCompression::Balanced => png::Compression::Balanced,
        PngCompression::High => png::Compression::High,
    });
    let data = match &palette {
        Some(palette) => {
            encoder.set_color(png::ColorType::Indexed);
            encoder.set_palette(palette.as_slice());
            // Filters predict smooth gradients; palette indices are not: leave rows as they are.
            encoder.set_filter(png::Filter::NoFilter);
            &indexed[..]
        }
        None => {
            encoder.set_color(png::ColorType::Rgb);
            rgb
        }
    };
    let mut writer = encoder.write_header().map_err(fail)?;
    writer.write_image_data(data).map_err(fail)?;
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

    const BLUE: Colour = [0x1f, 0x77, 0xb4];

    fn pixel(f: &Frame, x: usize, y: usize) -> [u8; 3] {
        let i = (y * f.width + x) * 3;
        [f.rgb[i], f.rgb[i + 1], f.rgb[i + 2]]
    }

    fn open_clip() -> Rect {
        Rect {
            left: 0.0,
            top: 0.0,
            right: 100.0,
            bottom: 100.0,
        }
    }

    #[test]
    fn one_and_two_layers_match_matplotlib_colours() {
        let mut f = Frame::default();
        f.clear(100, 100);
        f.marker(&open_clip(), (30.0, 50.0), 15.0, 1.39, BLUE);
        f.marker(&open_clip(), (45.0, 50.0), 15.0, 1.39, BLUE);
        // matplotlib: one layer (142,186,217), two (86,152,198); rounding differs by one.
        let close = |a: [u8; 3], b: [u8; 3]| a.iter().zip(b).all(|(&x, y)| x.abs_diff(y) <= 1);
        assert!(
            close(pixel(&f, 22, 50), [142, 186, 217]),
            "{:?}",
            pixel(&f, 22, 50)
        );
        assert!(
            close(pixel(&f, 37, 50), [86, 152, 198]),
            "{:?}",
            pixel(&f, 37, 50)
        );
        assert_eq!(pixel(&f, 5, 5), [255, 255, 255]);
    }

    #[test]
    fn markers_are_clipped_to_the_axes_box() {
        let mut f = Frame::default();
        f.clear(100, 100);
        let clip = Rect {
            left: 20.0,
            top: 20.0,
            right: 80.0,
            bottom: 80.0,
        };
        f.marker(&clip, (20.0, 50.0), 10.0, 1.39, BLUE);
        assert_eq!(
            pixel(&f, 15, 50),
            [255, 255, 255],
            "left of the box stays white"
        );
        assert_ne!(pixel(&f, 25, 50), [255, 255, 255]);
    }

    #[test]
    fn markers_off_the_frame_do_not_panic() {
        let mut f = Frame::default();
        f.clear(10, 10);
        let clip = Rect {
            left: -50.0,
            top: -50.0,
            right: 60.0,
            bottom: 60.0,
        };
        f.marker(&clip, (-5.0, 12.0), 8.0, 1.39, BLUE);
        f.marker(&clip, (1e9, -1e9), 8.0, 1.39, BLUE);
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
    fn few_colours_make_an_indexed_png_that_decodes_to_the_same_pixels() {
        let rgb: Vec<u8> = (0..64 * 8)
            .flat_map(|i| [(i % 100) as u8, 7, (i % 2) as u8])
            .collect();
        let (mut indexed, mut out) = (Vec::new(), Vec::new());
        for level in [
            PngCompression::Fast,
            PngCompression::Balanced,
            PngCompression::High,
        ] {
            out.clear();
            encode_png(&rgb, 64, 8, level, &mut indexed, &mut out).unwrap();
            let (colour_type, back) = decoded_rgb(&out);
            assert_eq!(colour_type, png::ColorType::Indexed);
            assert_eq!(back, rgb, "{level:?}");
        }
    }

    #[test]
    fn many_colours_fall_back_to_rgb() {
        let rgb: Vec<u8> = (0..64 * 8u32)
            .flat_map(|i| [i as u8, (i >> 8) as u8, 1])
            .collect();
        let (mut indexed, mut out) = (Vec::new(), Vec::new());
        encode_png(&rgb, 64, 8, PngCompression::Fast, &mut indexed, &mut out).unwrap();
        let (colour_type, back) = decoded_rgb(&out);
        assert_eq!(colour_type, png::ColorType::Rgb);
        assert_eq!(back, rgb);
    }
}
