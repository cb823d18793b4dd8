//! Text as matplotlib sets it: DejaVu Sans, compiled in; sizes in points on a 100 dpi figure;
//! labels placed on the figure, how wide they are, and cut to fit it.

use super::font::{self, Run};
use crate::figure::MAX_TEXT_CHARS;
use plotters::style::FontStyle;
use std::borrow::Cow;
use std::sync::Arc;
use std::sync::Once;

/// Figures are laid out at 100 dpi, as matplotlib's default figure: 640×480 px is 6.4×4.8 in.
pub const DPI: f64 = 100.0;
/// Tick and axis label font size in points (matplotlib's "medium").
pub const FONT_PT: f64 = 10.0;
/// Title font size in points ("large").
pub const TITLE_PT: f64 = 12.0;
/// A line of DejaVu Sans is about 1.2 em high.
pub const LINE_HEIGHT_EM: f64 = 1.2;

/// DejaVu Sans, matplotlib's default face, compiled in so that compute nodes without
/// fontconfig or system fonts can still draw text. A static, not a const: each use of a
/// const may get its own copy of the 760 KB in the binary.
pub static FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
/// The family name plotters knows the embedded font by (the speedup chart draws with it).
pub const FONT_FAMILY: &str = "sans-serif";
/// The font SVG text asks for: the embedded one by name (as svg2pdf's font database holds
/// it, and as matplotlib's SVG names it), else any sans-serif face.
pub const SVG_FONT_FAMILY: &str = "DejaVu Sans, sans-serif";
/// How close to the figure's edges a text cut to fit may reach, in pixels: room for an SVG
/// reader that sets the line a little wider than the PNG (unhinted advances).
const EDGE_MARGIN_PX: f64 = 1.0;

pub fn register_font() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        if plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, FONT).is_err() {
            unreachable!("the embedded DejaVu Sans is a valid TrueType font");
        }
    });
}

/// Points (matplotlib's unit for every size) to pixels.
pub fn px(pt: f64) -> f64 {
    pt * DPI / 72.0
}

/// One em of the tick and axis label font, in pixels.
pub fn em_px() -> f64 {
    px(FONT_PT)
}

/// Where a label's alignment point lies along its line (matplotlib's horizontal alignment,
/// or the vertical one of turned text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Start,
    Middle,
    End,
}

impl Align {
    /// How much of the line's width lies before the alignment point.
    fn fraction(self) -> f64 {
        match self {
            Align::Start => 0.0,
            Align::Middle => 0.5,
            Align::End => 1.0,
        }
    }
}

/// One line of text on the figure.
#[derive(Debug, Clone)]
pub struct Label {
    pub text: String,
    pub pt: f64,
    /// The alignment point, on the baseline, in pixels from the figure's top left.
    pub at: (f64, f64),
    pub align: Align,
    /// Turned 90° anticlockwise, read upward (y and colour bar labels).
    pub upward: bool,
    pub run: Arc<Run>,
}

impl Label {
    pub fn new(text: &str, pt: f64, at: (f64, f64), align: Align, upward: bool) -> Label {
        Label {
            run: font::set(text, pt),
            text: text.to_owned(),
            pt,
            at,
            align,
            upward,
        }
    }

    /// matplotlib's ascent of the line: its ink's, or the font's where that is more.
    pub fn ascent(&self) -> f64 {
        self.run.ink_ascent().max(font::line_metrics(self.pt).0)
    }

    /// matplotlib's descent of the line, likewise.
    pub fn descent(&self) -> f64 {
        self.run.ink_descent().max(font::line_metrics(self.pt).1)
    }

    /// Where each glyph's origin lies on the figure, with the glyph.
    pub fn placed(&self) -> impl Iterator<Item = (&font::Glyph, (f64, f64))> + '_ {
        let start = self.align.fraction() * self.run.width;
        let (x, y) = self.at;
        self.run.glyphs.iter().map(move |g| {
            let along = g.x - start;
            let at = if self.upward {
                (x - g.y, y - along)
            } else {
                (x + along, y - g.y)
            };
            (&*g.glyph, at)
        })
    }
}

/// Width of `text` set at `pt` points as the PNG draws it: hinted advances and kerning.
pub fn width_px(text: &str, pt: f64) -> f64 {
    font::set(text, pt).width
}

/// How much room `text` takes along its line in any output: its ink or advances in the PNG,
/// or its unhinted width in an SVG or PDF reader, whichever is more.
fn span_px(text: &str, pt: f64) -> f64 {
    let run = font::set(text, pt);
    let (left, right) = run.extent();
    (right - left).max(run.unhinted_width)
}

/// `text` as [`drawable`] spells it, cut with `…` (keeping its start) so that set at `pt`
/// points it spans at most `room` pixels: the room a centred line has between its centre and
/// the nearer edge of the figure, twice. matplotlib lets such a line run off the figure.
pub fn drawable_within(text: &str, pt: f64, room: f64) -> String {
    let shown = drawable(text);
    let limit = room - 2.0 * EDGE_MARGIN_PX;
    if span_px(&shown, pt) <= limit {
        return shown;
    }
    let pieces = pieces(&shown);
    let cut = |n: usize| -> String {
        let kept: String = pieces[..n].concat();
        format!("{}…", kept.trim_end())
    };
    // The longest start that fits with its ellipsis; widths grow with the start (kerning
    // moves them by less than a glyph).
    let (mut fits, mut fails) = (0, pieces.len());
    if span_px(&cut(0), pt) > limit {
        return String::new();
    }
    while fails - fits > 1 {
        let mid = (fits + fails) / 2;
        if span_px(&cut(mid), pt) <= limit {
            fits = mid;
        } else {
            fails = mid;
        }
    }
    cut(fits)
}

/// What a drawn text may be cut between: characters, and the escapes [`drawable`] wrote
/// whole (`\u{1b}`, `\n`), which a cut never splits.
fn pieces(shown: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = shown;
    while let Some(c) = rest.chars().next() {
        let len = if c == '\\' {
            escape_len(rest)
        } else {
            c.len_utf8()
        };
        out.push(&rest[..len]);
        rest = &rest[len..];
    }
    out
}

/// The length of the escape `rest` starts with (`\u{…}` or `\` and one character), as
/// `char::escape_default` writes them.
fn escape_len(rest: &str) -> usize {
    if rest.starts_with("\\u{") {
        rest.find('}').map_or(rest.len(), |end| end + 1)
    } else {
        rest.char_indices().nth(2).map_or(rest.len(), |(i, _)| i)
    }
}

/// Width of `label` set in DejaVu Sans at `font_px` pixels per em, from the font's advance
/// widths alone: the measure of the rule that keeps tick labels apart (tests/data/
/// matplotlib_ticks.py applies the same), not of where text is drawn ([`width_px`]).
pub fn label_width_px(label: &str, font_px: f64) -> f64 {
    label.chars().map(advance_em).sum::<f64>() * font_px
}

/// DejaVu Sans advance widths in font units (2048 per em) for printable ASCII, from
/// matplotlib's bundled DejaVuSans.ttf.
const ASCII_ADVANCE: [u16; 95] = [
    651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651,
    690, // ' '../
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, // 0..9
    690, 690, 1716, 1716, 1716, 1087, 2048, // :;<=>?@
    1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532, 1612, 1235,
    1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, // A..Z
    799, 690, 799, 1716, 1024, 1024, // [\]^_`
    1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253, 1300,
    1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, // a..z
    1303, 690, 1303, 1716, // {|}~
];

fn advance_em(c: char) -> f64 {
    let units = match c {
        ' '..='~' => ASCII_ADVANCE[c as usize - ' ' as usize],
        '\u{2212}' => 1716,
        // Unknown glyphs: as wide as an em, so that the overlap check errs on the safe side.
        _ => 2048,
    };
    f64::from(units) / 2048.0
}

/// `text` as a figure shows it, the same in every format: the characters an SVG may not hold
/// or that would hide or reorder what is drawn are written as the console writes control
/// characters (`\u{1b}`, `\n`: `char::escape_default`), so the plot and the run's output
/// show one spelling; then cut to [`MAX_TEXT_CHARS`] with `…`, never inside an escape.
/// Markup (`<`, `&`) needs nothing here: plotters' SVG backend escapes it.
pub fn drawable(text: &str) -> String {
    let mut shown = String::new();
    let mut count = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let piece = spelled(c);
        let len = piece.chars().count();
        let fits = count + len < MAX_TEXT_CHARS
            || (count + len == MAX_TEXT_CHARS && chars.peek().is_none());
        if !fits {
            shown.push('…');
            break;
        }
        shown.push_str(&piece);
        count += len;
    }
    shown
}

/// One character as drawn: itself, or an escape when it cannot be shown as it is.
fn spelled(c: char) -> Cow<'static, str> {
    if crate::text::is_unsafe_to_show(c) || is_not_for_xml(c) {
        // Controls (XML 1.0 forbids C0 but tab, LF and CR, which SVG text would show as
        // spaces) and bidirectional formatting, as the console shows them.
        c.escape_default().to_string().into()
    } else {
        let mut one = String::new();
        one.push(c);
        one.into()
    }
}

/// Characters XML 1.0 forbids (U+FFFE, U+FFFF) or discourages (every noncharacter, the
/// interlinear annotation marks U+FFF9–FFFB, which hide the text they enclose).
fn is_not_for_xml(c: char) -> bool {
    let u = u32::from(c);
    (0xFDD0..=0xFDEF).contains(&u) || u & 0xFFFE == 0xFFFE || (0xFFF9..=0xFFFB).contains(&u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_drawn_with_the_consoles_escapes_and_cut_outside_them() {
        assert_eq!(drawable("a\u{1b}[31m\tb\n"), "a\\u{1b}[31m\\tb\\n");
        assert_eq!(drawable("\u{0}\u{7f}\u{85}"), "\\u{0}\\u{7f}\\u{85}");
        assert_eq!(
            drawable("\u{fffe}\u{ffff}\u{1fffe}\u{fdd0}\u{fff9}\u{202e}\u{2066}"),
            "\\u{fffe}\\u{ffff}\\u{1fffe}\\u{fdd0}\\u{fff9}\\u{202e}\\u{2066}"
        );
        assert_eq!(
            drawable("<a & \"b\"> ]]> café °C ✓"),
            "<a & \"b\"> ]]> café °C ✓"
        );
        let exact = "x".repeat(MAX_TEXT_CHARS);
        assert_eq!(drawable(&exact), exact);
        let long = drawable(&"é".repeat(1_000_000));
        assert_eq!(long.chars().count(), MAX_TEXT_CHARS);
        assert!(long.ends_with("é…"));
        // An escape that would cross the cap is left out whole.
        let near = format!("{}\u{1b}", "x".repeat(MAX_TEXT_CHARS - 3));
        assert_eq!(
            drawable(&near),
            format!("{}…", "x".repeat(MAX_TEXT_CHARS - 3))
        );
    }

    /// How wide matplotlib's Agg renderer sets some tick labels, from
    /// tests/data/matplotlib_ticks.json (tests/data/matplotlib_ticks.py prints it).
    fn matplotlib_widths() -> Vec<(String, f64)> {
        let file: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/data/matplotlib_ticks.json"))
                .expect("tests/data/matplotlib_ticks.json is JSON");
        let widths = file["label widths px"]
            .as_object()
            .expect("label widths in tests/data/matplotlib_ticks.json");
        widths
            .iter()
            .map(|(label, w)| (label.clone(), w.as_f64().expect("a width")))
            .collect()
    }

    #[test]
    fn label_widths_follow_dejavu_sans() {
        let em = em_px();
        assert!((em - 13.888_888_888_888_89).abs() < 1e-9);
        let widths = matplotlib_widths();
        assert_eq!(widths.len(), 4, "{widths:?}");
        for (label, mpl) in widths {
            let w = label_width_px(&label, em);
            assert!(
                (w - mpl).abs() < 1.5,
                "{label}: {w} against matplotlib's {mpl}"
            );
        }
        assert!((label_width_px("1e−11", em) - (0.636 * 3.0 + 0.615 + 0.838) * em).abs() < 0.1);
    }
}
