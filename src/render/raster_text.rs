//! Labels onto a raster, as matplotlib's Agg backend draws them: each glyph's hinted outline
//! moved to its own position (rounded to 1/64 pixel, as matplotlib hands it to FreeType),
//! turned for upward text, and filled by exact area coverage into the pixels its control box
//! covers.

use super::font::{Glyph, Segment};
use super::text::Label;
use ab_glyph_rasterizer::{point, Point, Rasterizer};

/// Draws labels in black into a white RGB image of `width`×`height` pixels.
pub struct TextPainter {
    rasterizer: Rasterizer,
}

impl Default for TextPainter {
    fn default() -> Self {
        TextPainter {
            rasterizer: Rasterizer::new(0, 0),
        }
    }
}

/// `v` rounded to 1/64 pixel, FreeType's unit of position.
fn to_64th(v: f64) -> f32 {
    ((v * 64.0).round() / 64.0) as f32
}

impl TextPainter {
    /// Paints `label`; returns the pixels it may have inked (left, top, right, bottom, the
    /// ends excluded), within the image.
    pub fn paint(
        &mut self,
        rgb: &mut [u8],
        width: usize,
        height: usize,
        label: &Label,
    ) -> Option<[usize; 4]> {
        let mut painted: Option<[usize; 4]> = None;
        for (glyph, (x, y)) in label.placed() {
            let at = (to_64th(x), to_64th(y));
            if let Some(r) = self.paint_glyph(rgb, (width, height), glyph, at, label.upward) {
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

    fn paint_glyph(
        &mut self,
        rgb: &mut [u8],
        (width, height): (usize, usize),
        glyph: &Glyph,
        (x, y): (f32, f32),
        upward: bool,
    ) -> Option<[usize; 4]> {
        let [x0, y0, x1, y1] = glyph.bounds?;
        // Outline points (y upward from the origin) to the figure (y downward).
        let on_figure = |px: f32, py: f32| -> (f32, f32) {
            if upward {
                (x - py, y - px)
            } else {
                (x + px, y - py)
            }
        };
        let (a, b) = (on_figure(x0, y0), on_figure(x1, y1));
        let left = a.0.min(b.0).floor();
        let top = a.1.min(b.1).floor();
        let right = a.0.max(b.0).ceil();
        let bottom = a.1.max(b.1).ceil();
        let (w, h) = ((right - left) as usize, (bottom - top) as usize);
        let clip = |v: f32, limit: usize| (v.max(0.0) as usize).min(limit);
        let within = [
            clip(left, width),
            clip(top, height),
            clip(right, width),
            clip(bottom, height),
        ];
        if w == 0 || h == 0 || within[0] == within[2] || within[1] == within[3] {
            return None;
        }
        self.rasterizer.reset(w, h);
        let at = |px: f32, py: f32| -> Point {
            let (fx, fy) = on_figure(px, py);
            point(fx - left, fy - top)
        };
        fill_outline(&mut self.rasterizer, &glyph.outline, at);
        let (left, top) = (left as i64, top as i64);
        self.rasterizer.for_each_pixel_2d(|gx, gy, coverage| {
            let (fx, fy) = (left + i64::from(gx), top + i64::from(gy));
            if fx < 0 || fy < 0 || fx >= width as i64 || fy >= height as i64 {
                return;
            }
            // FreeType's coverage is a byte; Agg lays black over the paper by it.
            let alpha = (coverage.clamp(0.0, 1.0) * 255.0 + 0.5) as u16;
            if alpha == 0 {
                return;
            }
            let i = (fy as usize * width + fx as usize) * 3;
            for channel in &mut rgb[i..i + 3] {
                let v = u16::from(*channel);
                *channel = (v - (v * alpha + 127) / 255) as u8;
            }
        });
        Some(within)
    }
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
