//! SVG and PDF output. Plotters' SVG backend draws the axes; the markers are written as
//! exact `<circle>`s (plotters would round centres and radii to whole pixels) inside a
//! nested `<svg>`, whose viewport clips them to the axes box. PDF is that SVG converted with
//! `svg2pdf`, with the embedded font, so it needs no system font either.

use super::layout::{self, Layout};
use super::marker::MARKER_ALPHA;
use super::{axes, Colour, RenderError};
use crate::source::Points;
use plotters::prelude::*;
use std::fmt::Write;
use std::sync::{Arc, OnceLock};
use svg2pdf::usvg;

pub fn render_svg(points: &Points, l: &Layout, colour: Colour) -> Result<String, RenderError> {
    let mut axes_svg = String::new();
    {
        let area = SVGBackend::with_string(&mut axes_svg, (l.width, l.height)).into_drawing_area();
        axes::draw(&area, l, super::axes::SVG_SIZE_PER_EM)
            .map_err(|e| RenderError::Draw(e.to_string()))?;
        area.present()
            .map_err(|e| RenderError::Draw(e.to_string()))?;
    }
    // Background and markers go first so the frame and ticks stay on top, as in matplotlib.
    let open_end = axes_svg
        .find('>')
        .ok_or_else(|| RenderError::Draw("plotters wrote an SVG without a root element".into()))?
        + 1;
    let mut svg = String::with_capacity(axes_svg.len() + 80 * points.len() + 512);
    svg.push_str(&axes_svg[..open_end]);
    write_markers(&mut svg, points, l, colour);
    svg.push_str(&axes_svg[open_end..]);
    Ok(svg)
}

fn write_markers(svg: &mut String, points: &Points, l: &Layout, [r, g, b]: Colour) {
    let a = l.axes;
    // `write!` to a String cannot fail.
    let _ = write!(
        svg,
        "\n<rect width=\"{}\" height=\"{}\" fill=\"#FFFFFF\"/>\
         \n<svg x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" overflow=\"hidden\">\
         \n<g fill=\"#{r:02X}{g:02X}{b:02X}\" fill-opacity=\"{MARKER_ALPHA}\" \
         stroke=\"#{r:02X}{g:02X}{b:02X}\" stroke-opacity=\"{MARKER_ALPHA}\" stroke-width=\"{:.3}\">",
        l.width,
        l.height,
        a.left,
        a.top,
        a.width(),
        a.height(),
        layout::px(layout::EDGE_WIDTH_PT),
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
            db.load_font_data(axes::FONT.to_vec());
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
        dpi: layout::DPI as f32,
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
