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

/// An RGB8 frame, reused from plot to plot.
#[derive(Default)]
pub struct Frame {
    width: usize,
    height: usize,
    pub rgb: Vec<u8>,
}

impl Frame {
    fn clear(&mut self, width: u32, height: u32) {
        self.width = width as usize;
        self.height = height as usize;
        self.rgb.clear();
        self.rgb.resize(self.width * self.height * 3, 255);
    }

    /// Blend a marker of radius `r` px (fill plus an edge of width `edge` px, both at
    /// `alpha`) centred at (cx, cy), touching only pixels inside `clip`.
    fn marker(&mut self, clip: &Rect, (cx, cy): (f64, f64), r: f64, edge: f64, colour: Colour) {
        let outer = r + edge / 2.0;
        let cols = span(cx, outer, clip.left, clip.right, self.width);
        let rows = span(cy, outer, clip.top, clip.bottom, self.height);
        for py in rows {
            let dy = py as f64 + 0.5 - cy;
            let row = py * self.width;
            for px in cols.clone() {
                let dx = px as f64 + 0.5 - cx;
                let d = (dx * dx + dy * dy).sqrt();
                // Coverage of a pixel by a disc edge, approximated by the distance to it.
                let inside = |radius: f64| (radius - d + 0.5).clamp(0.0, 1.0);
                let fill = inside(r);
                let stroke = inside(outer) - inside(r - edge / 2.0);
                if fill == 0.0 && stroke == 0.0 {
                    continue;
                }
                // Fill and edge are two layers, as matplotlib draws them.
                let a = 1.0 - (1.0 - MARKER_ALPHA * fill) * (1.0 - MARKER_ALPHA * stroke);
                let i = (row + px) * 3;
                for (c, target) in self.rgb[i..i + 3].iter_mut().zip(colour) {
                    *c = (f64::from(*c) + (f64::from(target) - f64::from(*c)) * a).round() as u8;
                }
            }
        }
    }
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
    out: &mut Vec<u8>,
) -> Result<(), RenderError> {
    frame.clear(l.width, l.height);
    let edge = layout::px(layout::EDGE_WIDTH_PT);
    for ((&x, &y), &s) in points.x.iter().zip(&points.y).zip(&points.area) {
        if x.is_finite() && y.is_finite() {
            let r = layout::radius_px(s);
            frame.marker(&l.axes, (l.x_px(x), l.y_px(y)), r, edge, colour);
        }
    }
    {
        let backend = BitMapBackend::with_buffer(&mut frame.rgb, (l.width, l.height));
        let area = backend.into_drawing_area();
        super::axes::draw(&area, l, super::axes::BITMAP_SIZE_PER_EM)
            .map_err(|e| RenderError::Draw(e.to_string()))?;
        area.present()
            .map_err(|e| RenderError::Draw(e.to_string()))?;
    }
    encode_png(&frame.rgb, l.width, l.height, out)
}

fn encode_png(rgb: &[u8], width: u32, height: u32, out: &mut Vec<u8>) -> Result<(), RenderError> {
    let mut encoder = png::Encoder::new(out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder
        .write_header()
        .map_err(|e| RenderError::Encode(e.to_string()))?;
    writer
        .write_image_data(rgb)
        .map_err(|e| RenderError::Encode(e.to_string()))?;
    writer
        .finish()
        .map_err(|e| RenderError::Encode(e.to_string()))
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
}
