//! The palettes of the raster output: what each index of a frame's pixels shows. A palette
//! holds 256 colours: the content's levels (depths under markers, coverage by a line, or the
//! colour map's levels), then greys for the axes' black ink and its anti-aliasing. A heatmap
//! gets the 223 levels left beside white and the greys, taken evenly from the colour map's 256
//! (a value's colour is at most one step of the 256 from matplotlib's), or, with discrete
//! levels, one level for each of their colours.

use super::colormap::{Colour, ColourMap};
use super::marker::{DEPTHS, UNITS_PER_HALVING};

/// Grey levels of the axes overlay (text anti-aliasing), darkest (black) last.
pub const GREYS: u8 = 32;
/// Where the greys begin in a scatter plot's palette.
pub const GREY_BASE: u8 = DEPTHS;
/// A line's coverage levels: 0 is white, the last the line's colour.
pub const LINE_LEVELS: u8 = 64;
/// A heatmap's colours: white (missing values), then the colour map's levels.
pub const MAP_LEVELS: u8 = 255 - GREYS;

/// The most colours discrete levels may have (their under and over colours included).
pub const MAX_DISCRETE_COLOURS: usize = MAP_LEVELS as usize - 1;

/// What a frame's content pixels are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Paint {
    /// Depths under semi-transparent markers of this colour.
    Markers(Colour),
    /// Coverage by an opaque line of this colour.
    Line(Colour),
    /// A heatmap's colours.
    Map(MapColours),
}

/// What a heatmap's levels (after white, for missing values) show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MapColours {
    /// A colour map's 256 colours, sampled evenly.
    Continuous(ColourMap),
    /// These colours, one level each, in order: discrete levels' colours (under and over
    /// colours included), at most [`MAX_DISCRETE_COLOURS`].
    Discrete(Vec<Colour>),
}

impl Paint {
    /// How many content levels come before the greys.
    pub fn levels(&self) -> u8 {
        match self {
            Paint::Markers(_) => DEPTHS,
            Paint::Line(_) => LINE_LEVELS,
            Paint::Map(_) => MAP_LEVELS,
        }
    }
}

/// `colour` over white at coverage `f` (0 white, 1 the colour).
fn blend(colour: Colour, f: f64) -> [u8; 3] {
    colour.map(|c| (255.0 + (f64::from(c) - 255.0) * f).round() as u8)
}

/// RGB for every palette index: the content's levels, then greys.
pub fn rgb(paint: &Paint) -> Vec<u8> {
    let levels: Vec<[u8; 3]> = match paint {
        &Paint::Markers(colour) => (0..DEPTHS)
            .map(|v| blend(colour, 1.0 - (-f64::from(v) / UNITS_PER_HALVING).exp2()))
            .collect(),
        &Paint::Line(colour) => (0..LINE_LEVELS)
            .map(|v| blend(colour, f64::from(v) / f64::from(LINE_LEVELS - 1)))
            .collect(),
        Paint::Map(MapColours::Continuous(map)) => std::iter::once([255; 3])
            .chain((1..MAP_LEVELS).map(|j| map.colour(map_colour(j))))
            .collect(),
        Paint::Map(MapColours::Discrete(colours)) => {
            let last = colours.last().copied().unwrap_or([255; 3]);
            std::iter::once([255; 3])
                .chain(colours.iter().copied().take(MAX_DISCRETE_COLOURS))
                .chain(std::iter::repeat(last))
                .take(usize::from(MAP_LEVELS))
                .collect()
        }
    };
    let greys = (0..GREYS).map(|k| {
        let ink = f64::from(k + 1) / f64::from(GREYS);
        [(255.0 * (1.0 - ink)).round() as u8; 3]
    });
    levels.into_iter().chain(greys).flatten().collect()
}

/// The grey (0 the lightest, `GREYS − 1` black) of ink `ink` (0 none, 255 black), if any.
pub fn grey_of_ink(ink: u8) -> Option<u8> {
    let level = (u32::from(ink) * u32::from(GREYS) + 127) / 255;
    (level > 0).then(|| level as u8 - 1)
}

/// The colour map entry (of 256) palette level `j` (1 …) shows.
fn map_colour(j: u8) -> usize {
    (f64::from(j - 1) * 255.0 / f64::from(MAP_LEVELS - 2)).round() as usize
}

/// The palette level of each of matplotlib's 256 colour map indices: the nearest of ours.
#[cfg(test)]
fn map_levels() -> [u8; 256] {
    std::array::from_fn(|index| {
        1 + (index as f64 * f64::from(MAP_LEVELS - 2) / 255.0).round() as u8
    })
}

/// Values to palette levels: matplotlib's colour map index (`⌊x·256⌋` of the value's place
/// x in the range, clipped, so values beyond the range take the end colours), then the
/// nearest level of ours; NaN is white. Log and symlog norms place values by their
/// transform (a log norm's values at or below 0 are white); discrete levels take their bin's
/// colour.
pub struct ColourScale {
    lo: f64,
    scale: f64,
    norm: ScaleNorm,
}

enum ScaleNorm {
    Linear,
    /// `lo` and `scale` are of log10 of the values.
    Log,
    /// `lo` and `scale` are of the symlog transform of the values.
    SymLog {
        linthresh: f64,
    },
    Bins(Bins),
}

/// matplotlib's `BoundaryNorm` with the colours of `from_levels_and_colors`: bin i
/// (`bounds[i] <= v < bounds[i + 1]`) is level `first + i`; below and at or above the ends,
/// the under and over levels (0, white, when there is no such colour).
struct Bins {
    bounds: Vec<f64>,
    first: u8,
    under: u8,
    over: u8,
}

impl ColourScale {
    pub fn new(lo: f64, hi: f64) -> ColourScale {
        ColourScale {
            lo,
            scale: 256.0 / (hi - lo),
            norm: ScaleNorm::Linear,
        }
    }

    /// matplotlib's `LogNorm(lo, hi)`, `lo` > 0.
    pub fn log(lo: f64, hi: f64) -> ColourScale {
        let (lo, hi) = (lo.log10(), hi.log10());
        ColourScale {
            lo,
            scale: 256.0 / (hi - lo),
            norm: ScaleNorm::Log,
        }
    }

    /// matplotlib's `SymLogNorm(linthresh, linscale=1, vmin=lo, vmax=hi, base=10)`.
    pub fn symlog(lo: f64, hi: f64, linthresh: f64) -> ColourScale {
        let t = |v| super::ticks::symlog_transform(v, linthresh);
        ColourScale {
            lo: t(lo),
            scale: 256.0 / (t(hi) - t(lo)),
            norm: ScaleNorm::SymLog { linthresh },
        }
    }

    /// Discrete levels: `bounds` (increasing, at least two) with the colours of
    /// [`MapColours::Discrete`]: an under colour first if `under`, one per bin, an over
    /// colour last if `over`.
    pub fn bins(bounds: Vec<f64>, under: bool, over: bool) -> ColourScale {
        let bins = bounds.len().saturating_sub(1) as u8;
        let first = 1 + u8::from(under);
        ColourScale {
            lo: 0.0,
            scale: 0.0,
            norm: ScaleNorm::Bins(Bins {
                bounds,
                first,
                under: if under { 1 } else { 0 },
                over: if over { first + bins } else { 0 },
            }),
        }
    }

    pub fn level(&self, v: f64) -> u8 {
        let mut level = [0];
        self.levels_of(&[v], &mut level);
        level[0]
    }

    /// The level the colour bar shows at `fraction` (0 its bottom, 1 its top) of a range
    /// `lo..hi`: matplotlib draws 256 equal blocks of the norm's scale, discrete levels one
    /// equal block a bin (`spacing='uniform'`).
    pub fn bar_level(&self, fraction: f64, lo: f64, hi: f64) -> u8 {
        match &self.norm {
            ScaleNorm::Linear => self.level(lo + fraction * (hi - lo)),
            ScaleNorm::Log | ScaleNorm::SymLog { .. } => {
                nearest_level((fraction * 256.0).floor().clamp(0.0, 255.0) as i32)
            }
            ScaleNorm::Bins(b) => {
                let n = b.bounds.len() - 1;
                let i = (fraction * n as f64).floor().clamp(0.0, (n - 1) as f64) as u8;
                b.first + i
            }
        }
    }

    /// The levels of values below and above the range (the colour bar's triangles): the
    /// map's ends, or the under and over colours of discrete levels.
    pub fn beyond_levels(&self) -> (u8, u8) {
        match &self.norm {
            ScaleNorm::Bins(b) => (b.under, b.over),
            _ => (nearest_level(0), nearest_level(255)),
        }
    }

    /// The levels of a row of cells, into `out`.
    pub fn levels_of<T: Copy + Into<f64>>(&self, cells: &[T], out: &mut [u8]) {
        match &self.norm {
            ScaleNorm::Linear => self.linear_levels_of(cells, out),
            ScaleNorm::Log => {
                for (level, &v) in out.iter_mut().zip(cells) {
                    let v = v.into();
                    *level = if v > 0.0 { self.place(v.log10()) } else { 0 };
                }
            }
            &ScaleNorm::SymLog { linthresh } => {
                for (level, &v) in out.iter_mut().zip(cells) {
                    *level = self.place(super::ticks::symlog_transform(v.into(), linthresh));
                }
            }
            ScaleNorm::Bins(b) => {
                let last = b.bounds.len() - 1;
                for (level, &v) in out.iter_mut().zip(cells) {
                    let v = v.into();
                    *level = if v.is_nan() {
                        0
                    } else if v < b.bounds[0] {
                        b.under
                    } else if v >= b.bounds[last] {
                        b.over
                    } else {
                        b.first + (b.bounds.partition_point(|&e| e <= v) - 1) as u8
                    };
                }
            }
        }
    }

    /// The level of a transformed value.
    fn place(&self, t: f64) -> u8 {
        let x = (t - self.lo) * self.scale;
        if x.is_nan() {
            0
        } else {
            nearest_level(x.clamp(0.0, 255.0) as i32)
        }
    }

    /// The linear norm's levels by arithmetic only, which the compiler turns into vector
    /// instructions (a table lookup per cell would stop it; so would `as`, which checks each
    /// conversion for values out of range: they are excluded).
    fn linear_levels_of<T: Copy + Into<f64>>(&self, cells: &[T], out: &mut [u8]) {
        for (level, &v) in out.iter_mut().zip(cells) {
            let x = (v.into() - self.lo) * self.scale;
            let nan = x.is_nan();
            // SAFETY: NaN made 0 and clamped, the number converted is in 0..=255.
            let index = unsafe {
                if nan { 0.0 } else { x }
                    .clamp(0.0, 255.0)
                    .to_int_unchecked()
            };
            *level = if nan { 0 } else { nearest_level(index) };
        }
    }

    /// As [`Self::levels_of`], in float32 for float32 values under the linear norm (as
    /// matplotlib normalises them): twice the values per instruction. A range float32 cannot
    /// hold (beyond its largest number, or so narrow that its scale is), and the other norms,
    /// are mapped in f64.
    pub fn levels_of_f32(&self, cells: &[f32], out: &mut [u8]) {
        let (lo, scale) = (self.lo as f32, self.scale as f32);
        if !(matches!(self.norm, ScaleNorm::Linear) && lo.is_finite() && scale.is_normal()) {
            return self.levels_of(cells, out);
        }
        for (level, &v) in out.iter_mut().zip(cells) {
            let x = (v - lo) * scale;
            let nan = x.is_nan();
            // SAFETY: NaN made 0 and clamped, the number converted is in 0..=255.
            let index = unsafe {
                if nan { 0.0 } else { x }
                    .clamp(0.0, 255.0)
                    .to_int_unchecked()
            };
            *level = if nan { 0 } else { nearest_level(index) };
        }
    }
}

/// Our palette level nearest matplotlib's colour map index `index` (0 to 255):
/// 1 + ⌊index · step + 0.5⌋, no index falling halfway between two levels.
#[inline(always)]
fn nearest_level(index: i32) -> u8 {
    const STEP: f32 = (MAP_LEVELS - 2) as f32 / 255.0;
    // SAFETY: index · STEP + 1.5 is in 1.5..=222.5.
    unsafe { (index as f32 * STEP + 1.5).to_int_unchecked::<i32>() as u8 }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLUE: Colour = [0x1f, 0x77, 0xb4];

    #[test]
    fn the_palette_gives_matplotlibs_layer_colours_white_black_and_saturates() {
        let palette = rgb(&Paint::Markers(BLUE));
        let rgb_of = |index: u8| {
            let i = usize::from(index) * 3;
            [palette[i], palette[i + 1], palette[i + 2]]
        };
        // matplotlib: one layer (142,186,217), two (86,152,198), three (58,135,188);
        // its rounding differs from ours by one level.
        let close = |a: [u8; 3], b: [u8; 3]| a.iter().zip(b).all(|(&x, y)| x.abs_diff(y) <= 1);
        for (layers, expected) in [
            (1, [142, 186, 217]),
            (2, [86, 152, 198]),
            (3, [58, 135, 188]),
        ] {
            let got = rgb_of(16 * layers);
            assert!(close(got, expected), "{layers} layers: {got:?}");
        }
        assert_eq!(rgb_of(0), [255, 255, 255]);
        assert_eq!(rgb_of(DEPTHS - 1), BLUE);
        assert_eq!(rgb_of(GREY_BASE + GREYS - 1), [0, 0, 0]);
        assert_eq!(palette.len(), 3 * usize::from(DEPTHS + GREYS));
    }

    #[test]
    fn colour_levels_are_the_nearest_of_ours_to_matplotlibs_colour_map_index() {
        let table = map_levels();
        for index in 0..=255 {
            assert_eq!(nearest_level(index), table[index as usize], "index {index}");
        }
        let colours = ColourScale::new(-3.0, 5.0);
        let level_f32 = |v: f32| {
            let mut level = [0];
            colours.levels_of_f32(&[v], &mut level);
            level[0]
        };
        for k in -100..1100 {
            let v = -3.0 + 8.0 * f64::from(k) / 1000.0;
            let index = ((v + 3.0) * 256.0 / 8.0).floor().clamp(0.0, 255.0) as usize;
            assert_eq!(colours.level(v), table[index], "value {v}");
            assert_eq!(level_f32(v as f32), table[index], "float32 value {v}");
        }
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(level_f32(v as f32), colours.level(v));
        }
        assert_eq!(colours.level(f64::NAN), 0);
        assert_eq!(colours.level(f64::INFINITY), MAP_LEVELS - 1);
        // Ranges float32 cannot hold are mapped in f64, as float64 values would be.
        for (lo, hi) in [(1e-37, 2e-37), (-1e39, 1e39), (0.0, 1e-40)] {
            let colours = ColourScale::new(lo, hi);
            let cells: Vec<f32> = (0..=16)
                .map(|k| (lo + (hi - lo) * f64::from(k) / 16.0) as f32)
                .collect();
            let wide: Vec<f64> = cells.iter().map(|&v| f64::from(v)).collect();
            let (mut narrow_levels, mut wide_levels) = ([0; 17], [0; 17]);
            colours.levels_of_f32(&cells, &mut narrow_levels);
            colours.levels_of(&wide, &mut wide_levels);
            assert_eq!(narrow_levels, wide_levels, "range {lo}..{hi}");
        }
        assert_eq!(colours.level(f64::NEG_INFINITY), 1);
    }
}
