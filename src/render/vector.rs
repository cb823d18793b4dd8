//! SVG and PDF output. Plotters' SVG backend draws the axes' lines, and each text is a
//! `<text>` anchored where the PNG aligns it (its centre, start or end on the baseline), set in
//! DejaVu Sans at the PNG's size, so that a reader with the font (svg2pdf has it) lays the
//! text out as matplotlib's SVG does: unhinted, kerned. The content is written by hand inside
//! a nested `<svg>`, whose viewport clips it to the axes box: markers as exact
//! `<circle>`s (plotters would round centres and radii to whole pixels), a line as one
//! `<path>`, a heatmap (and its colour bar) as the raster output's pixels in an embedded PNG
//! `<image>`, as matplotlib embeds images. PDF is that SVG converted with `svg2pdf`, with the
//! embedded font, so it needs no system font either.

use super::axes;
use super::colormap::Colour;
use super::error::RenderError;
use super::layout::{self, Layout};
use super::marker::MARKER_ALPHA;
use super::text::{self, px, Align, Label};
use crate::source::{Content, Grid, Points, Series};
use plotters::prelude::*;
use std::fmt::Write;
use std::sync::{Arc, OnceLock};
use svg2pdf::usvg;

pub fn render_svg(content: &Content, l: &Layout, colour: Colour) -> Result<String, RenderError> {
    let mut axes_svg = String::new();
    {
        let area = SVGBackend::with_string(&mut axes_svg, (l.width, l.height)).into_drawing_area();
        axes::draw(&area, l).map_err(|e| RenderError::Draw(e.to_string()))?;
        area.present()
            .map_err(|e| RenderError::Draw(e.to_string()))?;
    }
    // Background and markers go first so the frame and ticks stay on top, as in matplotlib.
    let open_end = axes_svg
        .find('>')
        .ok_or_else(|| RenderError::Draw("plotters wrote an SVG without a root element".into()))?
        + 1;
    let mut svg = String::with_capacity(axes_svg.len() + 512);
    svg.push_str(&axes_svg[..open_end]);
    let a = l.axes;
    // `write!` to a String cannot fail.
    let _ = write!(
        svg,
        "\n<rect width=\"{}\" height=\"{}\" fill=\"#FFFFFF\"/>\
         \n<svg x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" overflow=\"hidden\">",
        l.width,
        l.height,
        a.left,
        a.top,
        a.width(),
        a.height(),
    );
    match content {
        Content::Scatter(points) => write_markers(&mut svg, points, l, colour),
        Content::Line(series) => write_line(&mut svg, series, l, colour),
        Content::Heatmap(grid) => write_heatmap(&mut svg, grid, l)?,
    }
    let close = axes_svg
        .rfind("</svg>")
        .filter(|&at| at >= open_end)
        .ok_or_else(|| RenderError::Draw("plotters wrote an SVG without its end tag".into()))?;
    svg.push_str(&axes_svg[open_end..close]);
    for label in axes::all_labels(l) {
        write_text(&mut svg, &label);
    }
    svg.push_str(&axes_svg[close..]);
    if let Some((at, c)) = first_non_xml_char(&svg) {
        return Err(RenderError::Draw(format!(
            "the SVG would hold U+{:04X} at byte {at}, which XML forbids: text that did not go \
             through render::text::drawable (a bug; please report it)",
            u32::from(c)
        )));
    }
    Ok(svg)
}

/// One label as SVG text: anchored at its alignment point on the baseline, turned about it
/// when it reads upward. The text stands on its own line, as plotters wrote it.
fn write_text(svg: &mut String, label: &Label) {
    let (x, y) = label.at;
    let anchor = match label.align {
        Align::Start => "start",
        Align::Middle => "middle",
        Align::End => "end",
    };
    let _ = write!(
        svg,
        "\n<text x=\"{x:.2}\" y=\"{y:.2}\" text-anchor=\"{anchor}\" font-family=\"{}\" \
         font-size=\"{:.2}\" fill=\"#000000\"",
        text::SVG_FONT_FAMILY,
        px(label.pt),
    );
    if label.upward {
        let _ = write!(svg, " transform=\"rotate(-90, {x:.2}, {y:.2})\"");
    }
    let _ = write!(svg, ">\n{}\n</text>", escape_xml(&label.text));
}

/// Text as XML character data.
fn escape_xml(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['&', '<', '>']) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out.into()
}

/// The first character XML 1.0 does not allow in a document. Every text drawn is made safe
/// in the layout; this keeps a plot recorded Ok from ever being a file XML readers refuse.
fn first_non_xml_char(svg: &str) -> Option<(usize, char)> {
    svg.char_indices().find(|&(_, c)| {
        !matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
    })
}

/// The line as one path in axes-box coordinates, broken where a value is missing.
fn write_line(svg: &mut String, series: &Series, l: &Layout, [r, g, b]: Colour) {
    let a = l.axes;
    let _ = write!(
        svg,
        "\n<path fill=\"none\" stroke=\"#{r:02X}{g:02X}{b:02X}\" stroke-width=\"{:.3}\" \
         stroke-linejoin=\"round\" stroke-linecap=\"square\" d=\"",
        px(layout::LINE_WIDTH_PT)
    );
    let mut pen_down = false;
    for (&x, &y) in series.x.iter().zip(&series.y) {
        if !(x.is_finite() && y.is_finite()) {
            pen_down = false;
            continue;
        }
        let command = if pen_down { 'L' } else { 'M' };
        let _ = write!(
            svg,
            "{command}{:.2} {:.2}",
            l.x_px(x) - a.left,
            l.y_px(y) - a.top
        );
        pen_down = true;
    }
    svg.push_str("\"/>\n</svg>");
}

/// The heatmap's pixels as the PNG output draws them, cut to the axes box and the colour
/// bar, embedded as two images.
fn write_heatmap(svg: &mut String, grid: &Grid, l: &Layout) -> Result<(), RenderError> {
    let mut frame = super::raster::Frame::default();
    frame.draw_heatmap(grid, l);
    let a = l.axes;
    let _ = write!(
        svg,
        "\n<image x=\"0\" y=\"0\" width=\"{:.2}\" height=\"{:.2}\" preserveAspectRatio=\"none\" \
         image-rendering=\"pixelated\" href=\"data:image/png;base64,{}\"/>\n</svg>",
        a.width(),
        a.height(),
        frame.crop_png(&a)?
    );
    if let Some(bar) = &l.colour_bar {
        // Its triangles too.
        let r = bar.outer;
        let _ = write!(
            svg,
            "\n<image x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" \
             preserveAspectRatio=\"none\" image-rendering=\"pixelated\" \
             href=\"data:image/png;base64,{}\"/>",
            r.left,
            r.top,
            r.width(),
            r.height(),
            frame.crop_png(&r)?
        );
    }
    Ok(())
}

fn write_markers(svg: &mut String, points: &Points, l: &Layout, [r, g, b]: Colour) {
    let a = l.axes;
    let _ = write!(
        svg,
        "\n<g fill=\"#{r:02X}{g:02X}{b:02X}\" fill-opacity=\"{MARKER_ALPHA}\" \
         stroke=\"#{r:02X}{g:02X}{b:02X}\" stroke-opacity=\"{MARKER_ALPHA}\" stroke-width=\"{:.3}\">",
        px(layout::EDGE_WIDTH_PT),
    );
    for ((&x, &y), &s) in points.x.iter().zip(&points.y).zip(&points.area) {
        if x.is_finite() && y.is_finite() {
            let _ = write!(
                svg,
                "\n<circle cx=\"{:.2}\" cy=\"{:.2}\" r=\"{:.2}\"/>",
                l.x_px(x) - a.left,
                l.y_px(y) - a.top,
                layout::radius_px(s)
            );
        }
    }
    svg.push_str("\n</g>\n</svg>");
}

/// The font database svg2pdf reads text with: only the embedded font, built once per process.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            db.load_font_data(text::FONT.to_vec());
            db.set_sans_serif_family("DejaVu Sans");
            Arc::new(db)
        })
        .clone()
}

pub fn svg_to_pdf(svg: &str) -> Result<Vec<u8>, RenderError> {
    let options = usvg::Options {
        fontdb: fonts(),
        font_family: "DejaVu Sans".into(),
        ..usvg::Options::default()
    };
    let tree =
        usvg::Tree::from_str(svg, &options).map_err(|e| RenderError::Encode(e.to_string()))?;
    // At 100 dpi a 640×480 px figure is a 6.4×4.8 in page, as matplotlib's.
    let page = svg2pdf::PageOptions {
        dpi: text::DPI as f32,
    };
    let mut pdf = svg2pdf::to_pdf(&tree, svg2pdf::ConversionOptions::default(), page)
        .map_err(|e| RenderError::Encode(format!("SVG to PDF: {e}")))?;
    sort_resource_entries(&mut pdf);
    Ok(pdf)
}

/// svg2pdf lists a page's resources (one graphics state per translucent circle) in
/// `HashMap` order, which differs from process to process, so the same figure would give
/// different bytes on different ranks. Sorting each resource dictionary's lines in place
/// makes the PDF a function of the figure alone; the bytes are only permuted within the
/// dictionary, so every object offset in the xref table stays valid.
fn sort_resource_entries(pdf: &mut [u8]) {
    const KINDS: [&[u8]; 6] = [
        b"/ExtGState <<\n",
        b"/Font <<\n",
        b"/XObject <<\n",
        b"/Pattern <<\n",
        b"/Shading <<\n",
        b"/ColorSpace <<\n",
    ];
    for kind in KINDS {
        let mut from = 0;
        while let Some(at) = find(&pdf[from..], kind) {
            let start = from + at + kind.len();
            let Some(len) = find(&pdf[start..], b">>") else {
                break;
            };
            // Back up to the start of the line holding the closing `>>`.
            let body_end = pdf[..start + len]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(start, |i| i + 1)
                .max(start);
            let body = &pdf[start..body_end];
            let mut lines: Vec<&[u8]> = body.split_inclusive(|&b| b == b'\n').collect();
            if lines.iter().all(|l| l.trim_ascii_start().starts_with(b"/")) {
                lines.sort();
                let sorted = lines.concat();
                pdf[start..body_end].copy_from_slice(&sorted);
            }
            from = body_end;
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The ink of every text of an SVG as svg2pdf's reader sets it (left, top, right, bottom).
#[cfg(test)]
pub fn text_ink(svg: &str) -> Vec<[f32; 4]> {
    fn walk(group: &usvg::Group, out: &mut Vec<[f32; 4]>) {
        for node in group.children() {
            match node {
                usvg::Node::Group(g) => walk(g, out),
                usvg::Node::Text(t) => {
                    let b = t.abs_bounding_box();
                    out.push([b.left(), b.top(), b.right(), b.bottom()]);
                }
                _ => {}
            }
        }
    }
    let options = usvg::Options {
        fontdb: fonts(),
        font_family: "DejaVu Sans".into(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).expect("an SVG usvg reads");
    let mut out = Vec::new();
    walk(tree.root(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_xml_forbids_are_found_where_they_are() {
        assert_eq!(first_non_xml_char("<t>a\tb\n\r é ✓ \u{10FFFF}</t>"), None);
        assert_eq!(first_non_xml_char("<t>ab\u{1b}</t>"), Some((5, '\u{1b}')));
        assert_eq!(first_non_xml_char("é\u{FFFE}"), Some((2, '\u{FFFE}')));
        assert_eq!(first_non_xml_char("\u{FFFF}"), Some((0, '\u{FFFF}')));
        assert_eq!(first_non_xml_char("\0"), Some((0, '\0')));
    }
}
