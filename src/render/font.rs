//! DejaVu Sans set the way matplotlib 3.11's Agg backend sets it, so that letters sit where
//! matplotlib puts them. matplotlib shapes a line with libraqm (HarfBuzz: ligatures, the
//! font's GPOS kerning) over FreeType's hinted advances, whole pixels at these sizes, and
//! draws each glyph's hinted outline (the font's TrueType bytecode) at its own position,
//! rounded to 1/64 pixel. Here rustybuzz shapes (HarfBuzz's rules in Rust) and skrifa hints
//! (FreeType's interpreter in Rust, integer ppem as FreeType for this font); both were in the
//! tree already, through svg2pdf. tests/data/matplotlib_text.json holds what matplotlib
//! computes for the same font, and the tests below compare.
//!
//! Glyphs are hinted once per size and kept, and so are lines already set: plot after plot
//! draws the same tick labels.

use super::text::{DPI, FONT};
use skrifa::instance::{LocationRef, Size};
use skrifa::outline::OutlinePen;
use skrifa::outline::{DrawSettings, HintingInstance, HintingOptions, OutlineGlyphCollection};
use skrifa::MetadataProvider;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// One piece of a glyph's outline, in pixels, y upward, the pen at the origin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Segment {
    Move(f32, f32),
    Line(f32, f32),
    Quad(f32, f32, f32, f32),
    Cubic(f32, f32, f32, f32, f32, f32),
    Close,
}

/// A glyph hinted at one size.
#[derive(Debug, Default)]
pub struct Glyph {
    /// Its index in the font.
    pub id: u32,
    /// FreeType's hinted advance, in pixels.
    pub advance: f64,
    pub outline: Vec<Segment>,
    /// The control box of the outline (x min, y min, x max, y max), y upward; `None` for a
    /// blank glyph such as a space.
    pub bounds: Option<[f32; 4]>,
}

/// A glyph of a line and where its origin lies from the line's start, in pixels (y upward).
#[derive(Debug, Clone)]
pub struct Placed {
    pub glyph: Arc<Glyph>,
    pub x: f64,
    pub y: f64,
}

/// A line of text as matplotlib's Agg backend lays it out.
#[derive(Debug, Clone)]
pub struct Run {
    pub glyphs: Vec<Placed>,
    /// Where the pen ends: matplotlib's width of the text.
    pub width: f64,
    /// The same line unhinted (fractional advances), as SVG and PDF readers set it.
    pub unhinted_width: f64,
    /// The ink's control box over all glyphs (x min, y min, x max, y max), y upward from the
    /// baseline: what FreeType's `FT_Glyph_Get_CBox` gives matplotlib's text metrics.
    pub bounds: Option<[f64; 4]>,
}

impl Run {
    /// Height of the ink above the baseline (matplotlib: height − descent).
    pub fn ink_ascent(&self) -> f64 {
        self.bounds.map_or(0.0, |b| b[3])
    }

    /// Depth of the ink below the baseline (negative when all of it lies above).
    pub fn ink_descent(&self) -> f64 {
        self.bounds.map_or(0.0, |b| -b[1])
    }

    /// How far the drawn text reaches beyond the pen's start and end: the ink, or the
    /// advances where they lie further out.
    pub fn extent(&self) -> (f64, f64) {
        let (ink_left, ink_right) = self.bounds.map_or((0.0, 0.0), |b| (b[0], b[2]));
        (ink_left.min(0.0), ink_right.max(self.width))
    }
}

/// A font size in points at the figure's 100 dpi, as FreeType is given it.
#[derive(Debug, Clone, Copy)]
struct Scale {
    /// Pixels per em as FreeType rounds them (26.6 fixed point): 13.890625 for 10 pt.
    size_px: f64,
    pt_bits: u64,
}

impl Scale {
    fn new(pt: f64) -> Scale {
        // FT_Set_Char_Size(ptsize · 64, dpi): (size · dpi + 36) / 72 in 1/64 pixels.
        let size_26_6 = ((pt * 64.0).round() * DPI + 36.0) / 72.0;
        Scale {
            size_px: size_26_6.floor() / 64.0,
            pt_bits: pt.to_bits(),
        }
    }

    /// Font units to pixels, rounded to 1/64 pixel as HarfBuzz's positions are.
    fn px(&self, units: i32, units_per_em: f64) -> f64 {
        (f64::from(units) * self.size_px * 64.0 / units_per_em).round() / 64.0
    }
}

struct Face {
    shaper: rustybuzz::Face<'static>,
    outlines: OutlineGlyphCollection<'static>,
    units_per_em: f64,
    /// OS/2 typographic ascender and descender (positive down), in em: matplotlib's least
    /// ascent and descent of a line.
    typo: (f64, f64),
    sized: Mutex<HashMap<u64, Sized>>,
}

/// What is kept for one size: its hinting state, the glyphs hinted so far, and the lines
/// set lately.
struct Sized {
    hinting: Option<HintingInstance>,
    glyphs: HashMap<u32, Arc<Glyph>>,
    runs: HashMap<String, Arc<Run>>,
}

/// Bound on the lines kept per size (each a few hundred bytes).
const RUN_CACHE: usize = 1024;

fn face() -> &'static Face {
    static FACE: OnceLock<Face> = OnceLock::new();
    FACE.get_or_init(|| {
        let shaper = rustybuzz::Face::from_slice(FONT, 0)
            .unwrap_or_else(|| unreachable!("the embedded DejaVu Sans is a valid font"));
        let font = skrifa::FontRef::new(FONT)
            .unwrap_or_else(|_| unreachable!("the embedded DejaVu Sans is a valid font"));
        let units_per_em = f64::from(shaper.units_per_em());
        let typo = (
            f64::from(shaper.typographic_ascender().unwrap_or(0)) / units_per_em,
            -f64::from(shaper.typographic_descender().unwrap_or(0)) / units_per_em,
        );
        Face {
            outlines: font.outline_glyphs(),
            shaper,
            units_per_em,
            typo,
            sized: Mutex::new(HashMap::new()),
        }
    })
}

/// matplotlib's least ascent and descent of a line at `pt` points, in pixels (the OS/2
/// typographic metrics, which `Text._get_layout` uses since matplotlib 3.11).
pub fn line_metrics(pt: f64) -> (f64, f64) {
    let f = face();
    let px = super::text::px(pt);
    (f.typo.0 * px, f.typo.1 * px)
}

/// Collects an outline as segments.
#[derive(Default)]
struct Collect(Vec<Segment>);

impl OutlinePen for Collect {
    fn move_to(&mut self, x: f32, y: f32) {
        self.0.push(Segment::Move(x, y));
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.0.push(Segment::Line(x, y));
    }
    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        self.0.push(Segment::Quad(cx0, cy0, x, y));
    }
    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        self.0.push(Segment::Cubic(cx0, cy0, cx1, cy1, x, y));
    }
    fn close(&mut self) {
        self.0.push(Segment::Close);
    }
}

/// The control box of an outline: every point, on the curve or off it.
fn control_box(outline: &[Segment]) -> Option<[f32; 4]> {
    let mut b = [
        f32::INFINITY,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NEG_INFINITY,
    ];
    let mut add = |x: f32, y: f32| {
        b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
    };
    for s in outline {
        match *s {
            Segment::Move(x, y) | Segment::Line(x, y) => add(x, y),
            Segment::Quad(a, b, x, y) => {
                add(a, b);
                add(x, y);
            }
            Segment::Cubic(a, b, c, d, x, y) => {
                add(a, b);
                add(c, d);
                add(x, y);
            }
            Segment::Close => {}
        }
    }
    (b[0] <= b[2]).then_some(b)
}

impl Face {
    fn hinted(&self, sized: &mut Sized, scale: Scale, id: u32) -> Arc<Glyph> {
        if let Some(g) = sized.glyphs.get(&id) {
            return g.clone();
        }
        let ppem = super::text::px(f64::from_bits(scale.pt_bits)) as f32;
        let glyph_id = skrifa::GlyphId::new(id);
        let mut pen = Collect::default();
        let mut advance = None;
        if let Some(outline) = self.outlines.get(glyph_id) {
            let hinted = sized
                .hinting
                .as_ref()
                .and_then(|h| outline.draw(DrawSettings::hinted(h, false), &mut pen).ok());
            advance = hinted.and_then(|metrics| metrics.advance_width.map(f64::from));
            if hinted.is_none() {
                // A glyph whose bytecode fails is drawn unhinted, as FreeType falls back.
                pen.0.clear();
                let settings = DrawSettings::unhinted(Size::new(ppem), LocationRef::default());
                outline.draw(settings, &mut pen).ok();
            }
        }
        let advance = advance.unwrap_or_else(|| {
            let units = self
                .shaper
                .glyph_hor_advance(rustybuzz::ttf_parser::GlyphId(id as u16))
                .unwrap_or(0);
            (f64::from(units) * f64::from(ppem) / self.units_per_em).round()
        });
        let glyph = Arc::new(Glyph {
            id,
            advance,
            bounds: control_box(&pen.0),
            outline: pen.0,
        });
        sized.glyphs.insert(id, glyph.clone());
        glyph
    }
}

/// `text` in DejaVu Sans at `pt` points (100 dpi), laid out as matplotlib's Agg backend
/// lays it out.
pub fn set(text: &str, pt: f64) -> Arc<Run> {
    let f = face();
    let scale = Scale::new(pt);
    let mut sized = f
        .sized
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let sized = sized.entry(scale.pt_bits).or_insert_with(|| Sized {
        hinting: HintingInstance::new(
            &f.outlines,
            Size::new(super::text::px(pt) as f32),
            LocationRef::default(),
            HintingOptions::default(),
        )
        .ok(),
        glyphs: HashMap::new(),
        runs: HashMap::new(),
    });
    if let Some(run) = sized.runs.get(text) {
        return run.clone();
    }
    let run = Arc::new(f.shape(sized, scale, text));
    if sized.runs.len() >= RUN_CACHE {
        sized.runs.clear();
    }
    sized.runs.insert(text.to_owned(), run.clone());
    run
}

impl Face {
    fn shape(&self, sized: &mut Sized, scale: Scale, text: &str) -> Run {
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        let shaped = rustybuzz::shape(&self.shaper, &[], buffer);
        let mut glyphs = Vec::with_capacity(shaped.len());
        let (mut pen, mut unhinted) = (0.0, 0.0);
        let mut bounds: Option<[f64; 4]> = None;
        for (info, pos) in shaped.glyph_infos().iter().zip(shaped.glyph_positions()) {
            let glyph = self.hinted(sized, scale, info.glyph_id);
            let units = self
                .shaper
                .glyph_hor_advance(rustybuzz::ttf_parser::GlyphId(info.glyph_id as u16))
                .map_or(0, i32::from);
            // What GPOS adds to the advance (kerning) goes on top of the hinted advance.
            let kern = scale.px(pos.x_advance - units, self.units_per_em);
            let x = pen + scale.px(pos.x_offset, self.units_per_em);
            let y = scale.px(pos.y_offset, self.units_per_em);
            if let Some(b) = glyph.bounds {
                let b = [
                    x + f64::from(b[0]),
                    y + f64::from(b[1]),
                    x + f64::from(b[2]),
                    y + f64::from(b[3]),
                ];
                bounds = Some(bounds.map_or(b, |a| {
                    [
                        a[0].min(b[0]),
                        a[1].min(b[1]),
                        a[2].max(b[2]),
                        a[3].max(b[3]),
                    ]
                }));
            }
            pen += glyph.advance + kern;
            unhinted += scale.px(pos.x_advance, self.units_per_em);
            glyphs.push(Placed { glyph, x, y });
        }
        Run {
            glyphs,
            width: pen,
            unhinted_width: unhinted,
            bounds,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// tests/data/matplotlib_text.json: what matplotlib's Agg backend makes of the embedded
    /// font (tests/data/matplotlib_text.py prints it).
    fn matplotlib() -> Value {
        serde_json::from_str(include_str!("../../tests/data/matplotlib_text.json"))
            .expect("tests/data/matplotlib_text.json is JSON")
    }

    fn sizes() -> Vec<(f64, Value)> {
        let m = matplotlib();
        let sizes = m["sizes pt"]
            .as_object()
            .expect("sizes in matplotlib_text.json");
        sizes
            .iter()
            .map(|(pt, table)| (pt.parse().expect("a size in points"), table.clone()))
            .collect()
    }

    fn f(v: &Value) -> f64 {
        v.as_f64().expect("a number")
    }

    #[test]
    fn labels_are_set_glyph_for_glyph_where_matplotlib_sets_them() {
        for (pt, table) in sizes() {
            let labels = table["labels"].as_object().expect("labels");
            assert!(labels.len() >= 10);
            for (label, mpl) in labels {
                let run = set(label, pt);
                let ours: Vec<f64> = run.glyphs.iter().map(|g| g.x).collect();
                let theirs: Vec<f64> = mpl["x"].as_array().unwrap().iter().map(f).collect();
                assert_eq!(ours, theirs, "{pt} pt {label:?}: glyph offsets");
                let ids: Vec<u64> = run.glyphs.iter().map(|g| u64::from(g.glyph.id)).collect();
                let mpl_ids: Vec<u64> = mpl["glyphs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_u64().unwrap())
                    .collect();
                assert_eq!(ids, mpl_ids, "{pt} pt {label:?}: glyphs");
                assert_eq!(run.width, f(&mpl["width"]), "{pt} pt {label:?}: width");
                let height = run.bounds.map_or(0.0, |b| b[3] - b[1]);
                assert_eq!(height, f(&mpl["height"]), "{pt} pt {label:?}: height");
                assert_eq!(
                    run.ink_descent(),
                    f(&mpl["descent"]),
                    "{pt} pt {label:?}: descent"
                );
                let unhinted = f(&mpl["unhinted width"]);
                assert!(
                    (run.unhinted_width - unhinted).abs() <= 2.0 / 64.0 * ours.len() as f64,
                    "{pt} pt {label:?}: unhinted width {} against {unhinted}",
                    run.unhinted_width
                );
            }
        }
    }

    #[test]
    fn every_pair_of_characters_is_kerned_and_joined_as_matplotlib_does() {
        for (pt, table) in sizes() {
            let advances = table["advances"].as_object().unwrap();
            let kerned = table["kerned pairs"].as_object().unwrap();
            let ligatures = table["ligatures"].as_object().unwrap();
            assert!(kerned.len() > 200, "{pt} pt: {} kerned pairs", kerned.len());
            let advance = |c: &str| f(&advances[c]);
            for (c, expected) in advances {
                assert_eq!(set(c, pt).width, f(expected), "{pt} pt: advance of {c:?}");
            }
            // Every pair at the labels' size; the pairs the table names at the others.
            let pairs: Vec<String> = if pt == crate::render::text::FONT_PT {
                let chars = || advances.keys();
                chars()
                    .flat_map(|a| chars().map(move |b| format!("{a}{b}")))
                    .collect()
            } else {
                kerned.keys().chain(ligatures.keys()).cloned().collect()
            };
            for pair in pairs {
                let run = set(&pair, pt);
                let ids: Vec<u64> = run.glyphs.iter().map(|g| u64::from(g.glyph.id)).collect();
                if let Some(ligature) = ligatures.get(&pair) {
                    assert_eq!(ids, [ligature.as_u64().unwrap()], "{pt} pt: {pair:?}");
                    continue;
                }
                assert_eq!(ids.len(), 2, "{pt} pt: {pair:?}");
                let first = pair.chars().next().unwrap().to_string();
                let expected = kerned.get(&pair).map_or(advance(&first), f);
                assert_eq!(run.glyphs[1].x, expected, "{pt} pt: {pair:?}");
            }
        }
    }
}
