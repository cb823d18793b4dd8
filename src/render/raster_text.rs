//! Labels onto a raster, as matplotlib's Agg backend draws them: each glyph's hinted outline
//! moved to its own position (rounded to 1/64 pixel, as matplotlib hands it to FreeType),
//! turned for upward text, and filled by exact area coverage into the pixels its control box
//! covers.
//!
//! A glyph's coverage depends on its position only through the fraction of a pixel, so each
//! (glyph, size, fraction) is filled once and kept: tick labels move from plot to plot, but
//! along one axis, over the same few glyphs.

use super::font::{Glyph, Segment};
use super::text::Label;
use ab_glyph_rasterizer::{point, Point, Rasterizer};
use std::collections::HashMap;

/// Bound on the glyph coverages kept (a few hundred bytes each).
const COVERAGE_CACHE: usize = 8192;

/// A glyph's coverage at one fraction of a pixel: bytes row by row, `width`×`height`, its
/// top left corner `offset` whole pixels from the whole pixel its origin lies in.
struct Coverage {
    offset: (i64, i64),
    width: usize,
    height: usize,
    alpha: Vec<u8>,
}

/// What decides a glyph's coverage: the glyph and size, its origin's fraction of a pixel in
/// 1/64ths, and whether it is turned.
type CoverageKey = (u32, u64, u8, u8, bool);

/// Draws labels in black into a white RGB image.
pub struct TextPainter {
    rasterizer: Rasterizer,
    coverages: HashMap<CoverageKey, Coverage>,
}

impl Default for TextPainter {
    fn default() -> Self {
        TextPainter {
            rasterizer: Rasterizer::new(0, 0),
            coverages: HashMap::new(),
        }
    }
}

/// `v` in whole 1/64ths of a pixel (FreeType's unit of position), rounded.
fn to_64ths(v: f64) -> i64 {
    (v * 64.0).round() as i64
}

impl TextPainter {
    /// Paints `label` into `rgb`, `width`×`height` pixels; returns the pixels it may have
    /// inked (left, top, right, bottom, the ends excluded), within the image.
    pub fn paint(
        &mut self,
        rgb: &mut [u8],
        width: usize,
        height: usize,
        label: &Label,
    ) -> Option<[usize; 4]> {
        let mut painted: Option<[usize; 4]> = None;
        for (glyph, (x, y)) in label.placed() {
            let (x, y) = (to_64ths(x), to_64ths(y));
            let fraction = ((x & 63) as u8, (y & 63) as u8);
            let key = (
                glyph.id,
                label.pt.to_bits(),
                fraction.0,
                fraction.1,
                label.upward,
            );
            if !self.coverages.contains_key(&key) {
                if self.coverages.len() >= COVERAGE_CACHE {
                    self.coverages.clear();
                }
                let coverage = fill(&mut self.rasterizer, glyph, fraction, label.upward);
                self.coverages.insert(key, coverage);
            }
            let whole = (x >> 6, y >> 6);
            if let Some(r) = lay(rgb, (width, height), &self.coverages[&key], whole) {
                painted = Some(painted.map_or(r, |p| {
                    [
                        p[0].min(r[0]),
                        p[1].min(r[1]),
                        p[2].max(r[2]),
                        p[3].max(r[3]),
                    ]
                }));
            }
        }
        painted
    }
}

/// The coverage of `glyph` with its origin `fraction` 1/64ths of a pixel into a pixel.
fn fill(r: &mut Rasterizer, glyph: &Glyph, fraction: (u8, u8), upward: bool) -> Coverage {
    let (x, y) = (f32::from(fraction.0) / 64.0, f32::from(fraction.1) / 64.0);
    let empty = Coverage {
        offset: (0, 0),
        width: 0,
        height: 0,
        alpha: Vec::new(),
    };
    let Some([x0, y0, x1, y1]) = glyph.bounds else {
        return empty;
    };
    // Outline points (y upward from the origin) to the image (y downward).
    let on_image = |px: f32, py: f32| -> (f32, f32) {
        if upward {
            (x - py, y - px)
        } else {
            (x + px, y - py)
        }
    };
    let (a, b) = (on_image(x0, y0), on_image(x1, y1));
    let left = a.0.min(b.0).floor();
    let top = a.1.min(b.1).floor();
    let right = a.0.max(b.0).ceil();
    let bottom = a.1.max(b.1).ceil();
    let (width, height) = ((right - left) as usize, (bottom - top) as usize);
    if width == 0 || height == 0 {
        return empty;
    }
    r.reset(width, height);
    fill_outline(r, &glyph.outline, |px, py| {
        let (fx, fy) = on_image(px, py);
        point(fx - left, fy - top)
    });
    let mut alpha = vec![0; width * height];
    // FreeType's coverage is a byte.
    r.for_each_pixel(|i, c| alpha[i] = (c.clamp(0.0, 1.0) * 255.0 + 0.5) as u8);
    Coverage {
        offset: (left as i64, top as i64),
        width,
        height,
        alpha,
    }
}

/// Lays black over `rgb` by `coverage` (as Agg blends text), the glyph's origin in the whole
/// pixel `at`; returns the pixels it covers within the image.
fn lay(
    rgb: &mut [u8],
    (width, height): (usize, usize),
    coverage: &Coverage,
    at: (i64, i64),
) -> Option<[usize; 4]> {
    let (left, top) = (at.0 + coverage.offset.0, at.1 + coverage.offset.1);
    let clip = |v: i64, limit: usize| v.clamp(0, limit as i64) as usize;
    let within = [
        clip(left, width),
        clip(top, height),
        clip(left + coverage.width as i64, width),
        clip(top + coverage.height as i64, height),
    ];
    if within[0] == within[2] || within[1] == within[3] {
        return None;
    }
    for fy in within[1]..within[3] {
        let row = (fy as i64 - top) as usize * coverage.width;
        for fx in within[0]..within[2] {
            let alpha = u16::from(coverage.alpha[row + (fx as i64 - left) as usize]);
            if alpha == 0 {
                continue;
            }
            let i = (fy * width + fx) * 3;
            for channel in &mut rgb[i..i + 3] {
                let v = u16::from(*channel);
                *channel = (v - (v * alpha + 127) / 255) as u8;
            }
        }
    }
    Some(within)
}

/// Feeds an outline to the rasterizer, closing every contour.
fn fill_outline(r: &mut Rasterizer, outline: &[Segment], at: impl Fn(f32, f32) -> Point) {
    let mut start = point(0.0, 0.0);
    let mut pen = start;
    for s in outline {
        match *s {
            Segment::Move(x, y) => {
                if pen != start {
                    r.draw_line(pen, start);
                }
                start = at(x, y);
                pen = start;
            }
            Segment::Line(x, y) => {
                let to = at(x, y);
                r.draw_line(pen, to);
                pen = to;
            }
            Segment::Quad(cx, cy, x, y) => {
                let to = at(x, y);
                r.draw_quad(pen, at(cx, cy), to);
                pen = to;
            }
            Segment::Cubic(ax, ay, bx, by, x, y) => {
                let to = at(x, y);
                r.draw_cubic(pen, at(ax, ay), at(bx, by), to);
                pen = to;
            }
            Segment::Close => {
                if pen != start {
                    r.draw_line(pen, start);
                }
                pen = start;
            }
        }
    }
    if pen != start {
        r.draw_line(pen, start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::text::{Align, FONT_PT};

    /// A label painted alone on white.
    fn painted(painter: &mut TextPainter, at: (f64, f64), upward: bool) -> Vec<u8> {
        let mut rgb = vec![255; 120 * 60 * 3];
        let label = Label::new("fig. 2 [K]", FONT_PT, at, Align::Start, upward);
        painter.paint(&mut rgb, 120, 60, &label);
        rgb
    }

    #[test]
    fn kept_coverages_paint_what_fresh_ones_do_at_any_fraction_of_a_pixel() {
        let mut kept = TextPainter::default();
        for (i, x) in [10.0, 10.3, 11.3, 10.999, 10.3].into_iter().enumerate() {
            for upward in [false, true] {
                let at = (x + 20.0 * f64::from(upward), 40.0 + 0.37 * i as f64);
                let fresh = painted(&mut TextPainter::default(), at, upward);
                assert!(painted(&mut kept, at, upward) == fresh, "at {at:?}");
                assert!(fresh.iter().any(|&v| v < 128), "ink at {at:?}");
            }
        }
        // A whole pixel further is the same ink a pixel further.
        let (a, b) = (
            painted(&mut kept, (10.3, 40.0), false),
            painted(&mut kept, (11.3, 40.0), false),
        );
        assert!(a[..a.len() - 3] == b[3..], "moved by one pixel");
    }
}
