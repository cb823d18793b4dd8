//! Markers as depths: how much of the paper's light a pixel loses under anti-aliased,
//! semi-transparent discs with an edge, clipped to the axes box.
//!
//! Layers multiply the light that reaches the paper by (1 − alpha), so depth — counted in
//! 1/16ths of a halving of that light — adds: a fully covering 50 % layer is 16, and a
//! pixel's colour is a function of its depth alone (raster.rs turns depths into a palette).
//!
//! A marker's pixels depend on its radius and on where its centre falls within a pixel.
//! Centres are placed to 1/4 px and radii to 1/8 px, so the markers of a run come from a
//! few thousand shapes: each is rasterised once into a sprite and then added row by row,
//! which is a vectorised byte add instead of a square root per pixel.

use std::ops::Range;

/// Fill and edge opacity of each marker.
pub const MARKER_ALPHA: f64 = 0.5;
/// Depth units per halving of the light.
pub const UNITS_PER_HALVING: f64 = 16.0;
/// Depths 0 (white) … DEPTHS−1. At DEPTHS−1 (about 10 layers) every channel has reached the
/// marker colour to within half a level, so deeper is the same colour.
pub const DEPTHS: u8 = 160;
/// Ring depth is tabulated in steps of 1/RING_STEPS px of distance.
const RING_STEPS: f32 = 32.0;
/// Centres are placed to 1/SUBPIXELS px (font rasterisers position glyphs the same way).
const SUBPIXELS: f32 = 4.0;
/// Radii are drawn to 1/RADIUS_STEPS px.
const RADIUS_STEPS: f32 = 8.0;
/// Larger markers are rare and their sprites big: they are drawn straight into the frame.
const MAX_SPRITE_RADIUS: f32 = 64.0;
/// Sprite rows are padded to multiples of this many pixels.
const PAD: usize = 16;
/// Bound on the bytes of cached sprites (the default plot's 2,400 shapes take about 2 MB).
const CACHE_BYTES: usize = 4 << 20;

/// The pixels markers may cover, as column and row ranges: the axes box from its frame's
/// left column to its right one and top row to bottom one (the frame is drawn at the box's
/// edges rounded to whole pixels, and over the markers), so that markers neither cross the
/// frame nor leave a gap inside it.
pub struct Clip {
    pub cols: Range<usize>,
    pub rows: Range<usize>,
}

impl Clip {
    pub fn new(left: f64, top: f64, right: f64, bottom: f64, width: usize, height: usize) -> Clip {
        let range = |lo: f64, hi: f64, limit: usize| {
            let first = lo.round().clamp(0.0, limit as f64) as usize;
            let end = (hi.round() + 1.0).clamp(0.0, limit as f64) as usize;
            first..end.max(first)
        };
        Clip {
            cols: range(left, right, width),
            rows: range(top, bottom, height),
        }
    }
}

/// The depth of a pixel that lets through `light` (0…1] of the paper's white.
pub fn depth_of(light: f64) -> u8 {
    (-light.log2() * UNITS_PER_HALVING)
        .round()
        .clamp(0.0, f64::from(DEPTHS - 1)) as u8
}

/// Draws markers of one edge width into frames of depths, keeping the sprites it made.
pub struct Markers {
    ring: Ring,
    /// By shape: radius step, then subpixel row and column.
    sprites: Vec<Option<Sprite>>,
    sprite_bytes: usize,
    /// One row of depths being rasterised.
    row: Vec<u8>,
}

/// A marker's depths, row by row, relative to the pixel its centre falls in, in one buffer
/// (drawing a marker should cost one cache miss, not one per allocation): each row is a
/// header — row, first column, length, as little-endian i16s — and then its depths.
#[derive(Default)]
struct Sprite(Vec<u8>);

impl Sprite {
    fn push(&mut self, dy: i64, dx: i64, depths: &[u8]) {
        // Zeros change nothing, and whole vectors make the adds faster.
        let len = depths.len().next_multiple_of(PAD);
        for field in [dy, dx, len as i64] {
            let field = i16::try_from(field).expect("sprites are for small markers");
            self.0.extend_from_slice(&field.to_le_bytes());
        }
        self.0.extend_from_slice(depths);
        self.0.resize(self.0.len() + len - depths.len(), 0);
    }

    /// `(row, first column, depths)` for each row.
    fn rows(&self) -> impl Iterator<Item = (i64, i64, &[u8])> {
        let mut rest = &self.0[..];
        std::iter::from_fn(move || {
            let (header, tail) = rest.split_at_checked(6)?;
            let field =
                |i: usize| i64::from(i16::from_le_bytes([header[2 * i], header[2 * i + 1]]));
            let (depths, tail) = tail.split_at(field(2) as usize);
            rest = tail;
            Some((field(0), field(1), depths))
        })
    }
}

impl Markers {
    /// `edge`: the width of a marker's edge line, in px.
    pub fn new(edge: f32) -> Markers {
        Markers {
            ring: Ring::new(edge),
            sprites: Vec::new(),
            sprite_bytes: 0,
            row: Vec::new(),
        }
    }

    /// Adds the marker of radius `r` px centred at `(cx, cy)` to `pixels`, a frame of depths
    /// `width` wide, within `clip`.
    pub fn draw(
        &mut self,
        pixels: &mut [u8],
        width: usize,
        clip: &Clip,
        (cx, cy): (f32, f32),
        r: f32,
    ) {
        let (ix, fx) = subpixel(cx);
        let (iy, fy) = subpixel(cy);
        // Centres lie inside the axes box (the limits are the data's), so a marker wider
        // than the frame covers all of it: a larger radius changes nothing.
        let largest = (width + pixels.len() / width.max(1)) as f32;
        let steps = (r.clamp(0.0, largest) * RADIUS_STEPS).round() as u32;
        let r = steps as f32 / RADIUS_STEPS;
        let centre = (f32::from(fx) / SUBPIXELS, f32::from(fy) / SUBPIXELS);
        let mut target = Target {
            pixels,
            width,
            clip,
            origin: (ix, iy),
        };
        if r > MAX_SPRITE_RADIUS {
            let rows = shift(&clip.rows, iy);
            let cols = shift(&clip.cols, ix);
            let ring = &self.ring;
            rasterise(
                ring,
                &mut self.row,
                centre,
                r,
                (rows, cols),
                |dy, dx, depths| target.add(dy, dx, depths),
            );
            return;
        }
        let n = SUBPIXELS as usize;
        let key = (steps as usize * n + usize::from(fy)) * n + usize::from(fx);
        if self.sprites.len() <= key {
            self.sprites.resize_with(key + 1, || None);
        }
        if self.sprites[key].is_none() {
            if self.sprite_bytes > CACHE_BYTES {
                self.sprites.iter_mut().for_each(|s| *s = None);
                self.sprite_bytes = 0;
            }
            let sprite = self.sprite(centre, r);
            self.sprite_bytes += sprite.0.len();
            self.sprites[key] = Some(sprite);
        }
        let sprite = self.sprites[key].as_ref().expect("just made");
        for (dy, dx, depths) in sprite.rows() {
            target.add(dy, dx, depths);
        }
    }

    fn sprite(&mut self, centre: (f32, f32), r: f32) -> Sprite {
        let unbounded = -(1 << 20)..1 << 20;
        let mut sprite = Sprite::default();
        let bounds = (unbounded.clone(), unbounded);
        rasterise(
            &self.ring,
            &mut self.row,
            centre,
            r,
            bounds,
            |dy, dx, depths| sprite.push(dy, dx, depths),
        );
        sprite
    }
}

/// A frame of depths, with the pixel that sprite coordinates are relative to.
struct Target<'a> {
    pixels: &'a mut [u8],
    width: usize,
    clip: &'a Clip,
    origin: (i64, i64),
}

impl Target<'_> {
    /// Adds `depths` to the pixels from column `dx` of row `dy` (relative to the origin),
    /// those inside the clip box.
    fn add(&mut self, dy: i64, dx: i64, depths: &[u8]) {
        let (clip, (ox, oy)) = (self.clip, self.origin);
        let y = oy + dy;
        if y < clip.rows.start as i64 || y >= clip.rows.end as i64 {
            return;
        }
        let x0 = ox + dx;
        let first = x0.max(clip.cols.start as i64);
        let end = (x0 + depths.len() as i64).min(clip.cols.end as i64);
        if first >= end {
            return;
        }
        let row = y as usize * self.width;
        let pixels = &mut self.pixels[row + first as usize..row + end as usize];
        for (p, &d) in pixels.iter_mut().zip(&depths[(first - x0) as usize..]) {
            *p = p.saturating_add(d).min(DEPTHS - 1);
        }
    }
}

/// The depth a marker adds to a pixel near its rim, as a function of how far the pixel's
/// centre lies inside the marker's radius (t = r − d, in px), for one edge width. Fill and
/// edge are two layers, as matplotlib draws them; each pixel's coverage of a disc is
/// approximated by the distance to its rim.
struct Ring {
    /// The depth varies only for |t| < half_width; beyond it is `full` inside, 0 outside.
    half_width: f32,
    depth: Vec<u8>,
    full: u8,
}

impl Ring {
    fn new(edge: f32) -> Ring {
        let half_edge = f64::from(edge) / 2.0;
        let half_width = half_edge + 0.5;
        let steps = (2.0 * half_width * f64::from(RING_STEPS)).ceil() as usize;
        let cover = |x: f64| x.clamp(0.0, 1.0);
        let depth = (0..=steps)
            .map(|i| {
                let t = i as f64 / f64::from(RING_STEPS) - half_width;
                let fill = cover(t + 0.5);
                let stroke = cover(t + half_edge + 0.5) - cover(t - half_edge + 0.5);
                depth_of((1.0 - MARKER_ALPHA * fill) * (1.0 - MARKER_ALPHA * stroke))
            })
            .collect();
        Ring {
            half_width: half_width as f32,
            depth,
            full: depth_of(1.0 - MARKER_ALPHA),
        }
    }

    fn at(&self, t: f32) -> u8 {
        let step = ((t + self.half_width) * RING_STEPS + 0.5).max(0.0) as usize;
        self.depth[step.min(self.depth.len() - 1)]
    }
}

/// Hands `visit(row, first column, depths)` every run of pixels, within `(rows, cols)`, that
/// the marker of radius `r` centred at `(cx, cy)` touches. Pixels deeper than the ring get
/// the full depth without a distance.
fn rasterise(
    ring: &Ring,
    row: &mut Vec<u8>,
    (cx, cy): (f32, f32),
    r: f32,
    (rows, cols): (Range<i64>, Range<i64>),
    mut visit: impl FnMut(i64, i64, &[u8]),
) {
    let reach2 = (r + ring.half_width).powi(2);
    let solid = r - ring.half_width;
    let solid2 = if solid > 0.0 { solid * solid } else { -1.0 };
    for py in within(cy, r + ring.half_width, &rows) {
        let dy = py as f32 + 0.5 - cy;
        let dy2 = dy * dy;
        if dy2 >= reach2 {
            continue;
        }
        let touched = within(cx, (reach2 - dy2).sqrt(), &cols);
        let deep = if dy2 < solid2 {
            within(cx, (solid2 - dy2).sqrt(), &touched)
        } else {
            touched.end..touched.end
        };
        let depth = |px: i64| {
            let dx = px as f32 + 0.5 - cx;
            ring.at(r - (dx * dx + dy2).sqrt())
        };
        row.clear();
        row.extend((touched.start..deep.start).map(depth));
        row.resize(row.len() + (deep.end - deep.start) as usize, ring.full);
        row.extend((deep.end..touched.end).map(depth));
        if !row.is_empty() {
            visit(py, touched.start, row);
        }
    }
}

/// The indices of `range` whose pixel centres lie within `reach` of `centre` (up to rounding).
fn within(centre: f32, reach: f32, range: &Range<i64>) -> Range<i64> {
    let (lo, hi) = (range.start as f32, range.end as f32);
    let first = ceil(centre - reach - 0.5).clamp(lo, hi);
    let end = ceil(centre + reach - 0.5).clamp(first, hi);
    first as i64..end as i64
}

/// `x.ceil()` without a call to libm (x86-64 before SSE4.1 has no rounding instruction, and
/// this runs twice per row of a marker); saturates beyond ±2³¹, where callers clamp anyway.
fn ceil(x: f32) -> f32 {
    let truncated = x as i32 as f32;
    if truncated < x {
        truncated + 1.0
    } else {
        truncated
    }
}

/// A coordinate as its pixel and its position within the pixel, in 1/SUBPIXELS steps.
fn subpixel(c: f32) -> (i64, u8) {
    let steps = (c * SUBPIXELS).round() as i64;
    let n = SUBPIXELS as i64;
    (steps.div_euclid(n), steps.rem_euclid(n) as u8)
}

fn shift(range: &Range<usize>, by: i64) -> Range<i64> {
    range.start as i64 - by..range.end as i64 - by
}

#[cfg(test)]
mod tests {
    use super::*;

    const EDGE: f32 = 1.39;

    struct Canvas {
        pixels: Vec<u8>,
        width: usize,
        clip: Clip,
    }

    fn canvas(width: usize, height: usize) -> Canvas {
        Canvas {
            pixels: vec![0; width * height],
            width,
            clip: Clip::new(0.0, 0.0, width as f64, height as f64, width, height),
        }
    }

    impl Canvas {
        fn draw(&mut self, markers: &mut Markers, centre: (f32, f32), r: f32) {
            markers.draw(&mut self.pixels, self.width, &self.clip, centre, r);
        }
        fn at(&self, x: usize, y: usize) -> u8 {
            self.pixels[y * self.width + x]
        }
    }

    #[test]
    fn a_layer_is_16_deep_its_rim_deeper_and_its_edge_fades_out() {
        let mut c = canvas(60, 60);
        c.draw(&mut Markers::new(EDGE), (30.0, 30.0), 20.0);
        assert_eq!(c.at(30, 30), 16, "one full layer inside");
        assert!(c.at(10, 30) > 16, "fill and edge overlap on the rim");
        assert!(
            c.at(9, 30) < c.at(10, 30) && c.at(8, 30) == 0,
            "anti-aliased outside"
        );
        assert_eq!(
            c.at(30, 30 - 20),
            c.at(30, 30 + 19),
            "symmetric about the centre"
        );
    }

    #[test]
    fn depths_add_and_saturate() {
        let mut c = canvas(40, 40);
        let mut m = Markers::new(EDGE);
        c.draw(&mut m, (20.0, 20.0), 10.0);
        c.draw(&mut m, (20.0, 20.0), 10.0);
        assert_eq!(c.at(20, 20), 32);
        for _ in 0..40 {
            c.draw(&mut m, (20.0, 20.0), 10.0);
        }
        assert_eq!(c.at(20, 20), DEPTHS - 1);
    }

    #[test]
    fn a_cached_sprite_draws_what_a_fresh_one_does_anywhere() {
        let mut warm = Markers::new(EDGE);
        let mut a = canvas(80, 50);
        a.draw(&mut warm, (20.3, 20.6), 7.1);
        let mut b = canvas(80, 50);
        b.draw(&mut warm, (50.3, 25.6), 7.1); // the same shape, moved by whole pixels
        let mut c = canvas(80, 50);
        c.draw(&mut Markers::new(EDGE), (50.3, 25.6), 7.1);
        assert!(b.pixels == c.pixels);
        assert_eq!(a.pixels.iter().map(|&d| u32::from(d)).sum::<u32>(), {
            b.pixels.iter().map(|&d| u32::from(d)).sum::<u32>()
        });
    }

    #[test]
    fn large_markers_are_drawn_directly_and_match_the_sprite_rule() {
        let mut c = canvas(300, 300);
        c.draw(&mut Markers::new(EDGE), (150.0, 150.0), 100.0);
        assert_eq!(c.at(150, 150), 16);
        assert_eq!(c.at(150, 48), 0);
        assert!(c.at(150, 50) > 16, "rim");
    }

    #[test]
    fn markers_are_clipped() {
        let mut c = canvas(100, 100);
        c.clip = Clip::new(20.0, 20.0, 80.0, 80.0, 100, 100);
        let mut m = Markers::new(EDGE);
        c.draw(&mut m, (20.0, 50.0), 10.0);
        c.draw(&mut m, (50.0, 50.0), 200.0);
        assert_eq!(c.at(15, 50), 0, "left of the box stays white");
        assert_eq!(c.at(50, 10), 0, "above the box stays white");
        assert!(c.at(25, 50) > 16 && c.at(79, 79) == 16);
    }

    #[test]
    fn markers_off_the_frame_or_infinite_do_not_panic() {
        let mut c = canvas(10, 10);
        c.clip = Clip::new(-50.0, -50.0, 60.0, 60.0, 10, 10);
        let mut m = Markers::new(EDGE);
        c.draw(&mut m, (-5.0, 12.0), 8.0);
        c.draw(&mut m, (1e9, -1e9), 8.0);
        c.draw(&mut m, (-1e30, 1e30), 8.0);
        c.draw(&mut m, (5.0, 5.0), f32::INFINITY);
        assert_eq!(c.at(3, 3), c.at(7, 7));
    }
}
