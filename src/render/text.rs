//! Text as matplotlib sets it: DejaVu Sans, compiled in; sizes in points on a 100 dpi figure;
//! how wide a label is and how high a line.

use crate::figure::MAX_TEXT_CHARS;
use plotters::style::FontStyle;
use std::borrow::Cow;
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
/// The family name plotters (and SVG readers) know the embedded font by.
pub const FONT_FAMILY: &str = "sans-serif";
/// Plotters' size units per em differ by backend: the bitmap backend hands the size to
/// ab_glyph as ascent−descent height (1.164 em for DejaVu Sans: 2384/2048 font units), the
/// SVG backend writes `font-size = size / 1.24`.
pub const BITMAP_SIZE_PER_EM: f64 = 2384.0 / 2048.0;
pub const SVG_SIZE_PER_EM: f64 = 1.24;

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

/// Width of `label` set in DejaVu Sans at `font_px` pixels per em, from the font's advance
/// widths (kerning ignored; matplotlib's Agg text differs by under a pixel for tick labels).
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
