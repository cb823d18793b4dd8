//! Turning one plot's data into the bytes of a finished figure: layout, drawing, encoding.
//! Rendering knows nothing of files; `output` writes the bytes.

pub mod axes;
pub mod colormap;
mod error;
pub mod font;
pub mod layout;
pub mod marker;
pub mod palette;
pub mod png;
pub mod raster;
mod raster_text;
pub mod text;
pub mod ticks;
pub mod vector;

use crate::figure::{FigureSpec, Format};
use crate::source::PlotData;
use layout::Layout;

pub use colormap::MATPLOTLIB_BLUE;
pub use error::RenderError;

/// Draws plot after plot, reusing its frame and output buffers.
pub struct Renderer {
    spec: FigureSpec,
    frame: raster::Frame,
    encoded: Vec<u8>,
}

impl Renderer {
    pub fn new(spec: FigureSpec) -> Renderer {
        Renderer {
            spec,
            frame: raster::Frame::default(),
            encoded: Vec::new(),
        }
    }

    /// The encoded figure for `data`, valid until the next call.
    pub fn render(&mut self, data: &PlotData) -> Result<&[u8], RenderError> {
        let l = Layout::new(self.spec.width, self.spec.height, data);
        for (axis, a) in [("x", &l.x), ("y", &l.y)] {
            if !(a.hi - a.lo).is_finite() {
                return Err(RenderError::Draw(format!(
                    "the {axis} values span more than a float can hold once padded \
                     ({:e} to {:e}); rescale the data",
                    a.lo, a.hi
                )));
            }
        }
        self.encoded.clear();
        match self.spec.format {
            Format::Png => raster::render_png(
                &mut self.frame,
                &data.content,
                &l,
                MATPLOTLIB_BLUE,
                self.spec.png_compression,
                &mut self.encoded,
            )?,
            Format::Svg => {
                self.encoded = vector::render_svg(&data.content, &l, MATPLOTLIB_BLUE)?.into_bytes();
            }
            Format::Pdf => {
                let svg = vector::render_svg(&data.content, &l, MATPLOTLIB_BLUE)?;
                self.encoded = vector::svg_to_pdf(&svg)?;
            }
        }
        Ok(&self.encoded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::random;
    use crate::source::Content;

    fn random(plot_num: u64, n: usize) -> PlotData {
        PlotData {
            content: Content::Scatter(random::points(1, plot_num, n)),
            ..PlotData::default()
        }
    }

    fn spec(format: Format) -> FigureSpec {
        FigureSpec {
            width: 640,
            height: 480,
            format,
            png_compression: Default::default(),
        }
    }

    #[test]
    fn a_reused_renderer_gives_the_bytes_of_a_fresh_one_in_every_format() {
        for format in Format::ALL {
            let spec = FigureSpec {
                width: 320,
                height: 200,
                format,
                png_compression: Default::default(),
            };
            let mut reused = Renderer::new(spec);
            reused.render(&random(1, 500)).unwrap();
            let second = reused.render(&random(2, 500)).unwrap().to_vec();
            let fresh = Renderer::new(spec)
                .render(&random(2, 500))
                .unwrap()
                .to_vec();
            assert!(
                second == fresh,
                "{format:?}: output depends on what was drawn before"
            );
        }
    }

    fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let mut decoder = ::png::Decoder::new(std::io::Cursor::new(png_bytes));
        decoder.set_transformations(::png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        let mut rgb = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut rgb).unwrap();
        (reader.info().width, reader.info().height, rgb)
    }

    #[test]
    fn the_default_png_has_matplotlibs_frame_and_clips_markers() {
        let bytes = Renderer::new(spec(Format::Png))
            .render(&random(7, 500))
            .unwrap()
            .to_vec();
        let (w, h, rgb) = decode(&bytes);
        assert_eq!((w, h), (640, 480));
        let px = |x: usize, y: usize| &rgb[(y * 640 + x) * 3..(y * 640 + x) * 3 + 3];
        let dark = |p: &[u8]| p.iter().all(|&c| c < 60);
        let white = |p: &[u8]| p.iter().all(|&c| c == 255);
        for x in (90..570).step_by(10) {
            assert!(
                dark(px(x, 58)) && dark(px(x, 427)),
                "frame top/bottom at x={x}"
            );
            assert!(
                white(px(x, 57)) && white(px(x, 20)),
                "nothing above the axes at x={x}"
            );
        }
        for y in (70..420).step_by(10) {
            assert!(
                dark(px(80, y)) && dark(px(576, y)),
                "frame left/right at y={y}"
            );
            assert!(
                white(px(577, y)) && white(px(620, y)),
                "nothing right of the axes at y={y}"
            );
        }
        let blue = rgb
            .chunks(3)
            .filter(|p| u16::from(p[2]) > u16::from(p[0]) + 40)
            .count();
        assert!(
            blue > 50_000,
            "500 markers cover much of the axes: {blue} blue pixels"
        );
    }

    #[test]
    fn values_too_far_apart_to_scale_fail_with_the_reason() {
        let mut data = random(1, 10);
        if let Content::Scatter(points) = &mut data.content {
            points.x[0] = -1e308;
            points.x[1] = 1e308;
        }
        for format in Format::ALL {
            let e = Renderer::new(spec(format)).render(&data).unwrap_err();
            assert!(e.to_string().contains("the x values span more"), "{e}");
        }
    }

    #[test]
    fn pdf_bytes_do_not_depend_on_hash_order() {
        // svg2pdf keeps resources in HashMaps whose order changes with every map.
        let data = random(4, 100);
        let first = Renderer::new(spec(Format::Pdf))
            .render(&data)
            .unwrap()
            .to_vec();
        for _ in 0..3 {
            assert!(first == Renderer::new(spec(Format::Pdf)).render(&data).unwrap());
        }
    }

    #[test]
    fn svg_clips_markers_and_draws_labels() {
        let mut pts = random(2, 10);
        if let Content::Scatter(points) = &mut pts.content {
            points.x.extend([0.0, 1.0]);
            points.y.extend([0.0, 1.0]);
            points.area.extend([1.0, 1.0]);
        }
        let svg = String::from_utf8(
            Renderer::new(spec(Format::Svg))
                .render(&pts)
                .unwrap()
                .to_vec(),
        )
        .unwrap();
        assert_eq!(svg.matches("<circle").count(), 12);
        assert!(svg.contains("overflow=\"hidden\""));
        for label in ["0.0", "0.2", "1.0"] {
            assert!(
                svg.contains(&format!("\n{label}\n</text>")),
                "label {label} missing"
            );
        }
        assert!(
            svg.find("<circle").unwrap() < svg.find("<text").unwrap(),
            "frame over markers"
        );
    }

    /// Every C0 control, the noncharacters XML forbids, a bidi override, markup and CDATA's
    /// end, quotes.
    fn hostile_text() -> String {
        let mut text: String = (0..0x20u8).map(char::from).collect();
        text.push_str("\u{7f}\u{85}\u{fffe}\u{ffff}\u{fff9}\u{202e}<b>&amp; ]]> \"'\u{fffd}");
        text
    }

    fn hostile_heatmap(text: &str) -> PlotData {
        PlotData {
            content: Content::Heatmap(crate::source::Grid {
                values: crate::source::Values::F64(vec![0.0, 1.0, 2.0, 3.0]),
                rows: 2,
                cols: 2,
                x_edges: vec![0.0, 1.0, 2.0],
                y_edges: vec![0.0, 1.0, 2.0],
                label: Some(text.to_owned()),
            }),
            title: Some(text.to_owned()),
            x_label: Some(text.to_owned()),
            y_label: Some(text.to_owned()),
            ..PlotData::default()
        }
    }

    fn svg_texts(svg: &str) -> Vec<String> {
        let doc = svg2pdf::usvg::roxmltree::Document::parse(svg)
            .unwrap_or_else(|e| panic!("the SVG is not well-formed XML: {e}"));
        doc.descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.text().unwrap_or("").trim().to_owned())
            .collect()
    }

    #[test]
    fn hostile_text_gives_well_formed_svg_and_a_pdf_in_every_format() {
        let text = hostile_text();
        let drawn = text::drawable(&text);
        assert!(
            drawn.contains("\\u{1b}") && drawn.contains("\\u{fffe}"),
            "{drawn}"
        );
        // Wide enough to show the whole text, and as wide as a default figure, which cuts it.
        for width in [4000, 640] {
            let spec = FigureSpec {
                width,
                ..spec(Format::Svg)
            };
            for data in [hostile_heatmap(&text), {
                let mut line = PlotData::line(&text, vec![0.0, 1.0], vec![0.0, 1.0]);
                line.x_label = Some(text.clone());
                line
            }] {
                let svg = Renderer::new(spec).render(&data).unwrap().to_vec();
                let texts = svg_texts(std::str::from_utf8(&svg).unwrap());
                if width == 4000 {
                    assert!(texts.contains(&drawn), "{drawn:?} in {texts:?}");
                } else {
                    let cut = texts.iter().find(|t| t.ends_with('…')).expect("a cut text");
                    let kept = cut.trim_end_matches('…');
                    assert!(kept.len() > 10 && drawn.starts_with(kept), "{cut:?}");
                }
                let pdf = Renderer::new(FigureSpec {
                    format: Format::Pdf,
                    ..spec
                })
                .render(&data)
                .unwrap()
                .to_vec();
                lopdf::Document::load_mem(&pdf).expect("a PDF a reader loads");
                Renderer::new(FigureSpec {
                    format: Format::Png,
                    ..spec
                })
                .render(&data)
                .unwrap();
            }
        }
    }

    #[test]
    fn a_megabyte_of_text_is_drawn_cut_to_the_figure() {
        let data = hostile_heatmap(&"ü".repeat(1 << 20));
        let svg = Renderer::new(spec(Format::Svg))
            .render(&data)
            .unwrap()
            .to_vec();
        assert!(svg.len() < 64 << 10, "{} bytes of SVG", svg.len());
        let texts = svg_texts(std::str::from_utf8(&svg).unwrap());
        let cut: Vec<&String> = texts.iter().filter(|t| t.starts_with('ü')).collect();
        assert_eq!(
            cut.len(),
            4,
            "title, two labels, the colour bar's: {texts:?}"
        );
        for t in cut {
            assert!(t.chars().count() < crate::figure::MAX_TEXT_CHARS, "{t}");
            assert!(t.ends_with("ü…"), "{t}");
        }
        Renderer::new(spec(Format::Pdf)).render(&data).unwrap();
    }

    #[test]
    fn long_titles_and_labels_are_cut_with_an_ellipsis_inside_the_figure() {
        let long =
            "/sea_surface_temperature_anomaly, time = 2020-01-01T09:00:00, depth = 5.0 [m], \
                    member = r1i1p1f1, realization = 3 [degree_Celsius]";
        let data = PlotData {
            content: Content::Heatmap(crate::source::Grid {
                values: crate::source::Values::F64(vec![0.0, 1.0, 2.0, 3.0]),
                rows: 2,
                cols: 2,
                x_edges: vec![0.0, 1.0, 2.0],
                y_edges: vec![0.0, 1.0, 2.0],
                label: Some(long.to_owned()),
            }),
            title: Some(long.to_owned()),
            x_label: Some(long.to_owned()),
            y_label: Some(long.to_owned()),
            ..PlotData::default()
        };
        let l = Layout::new(640, 480, &data);
        let texts = [
            &l.title,
            &l.x_label,
            &l.y_label,
            &l.colour_bar.as_ref().unwrap().label,
        ];
        for t in texts {
            let t = t.as_deref().unwrap();
            assert!(
                t.ends_with('…') && long.starts_with(t.trim_end_matches('…')),
                "{t}"
            );
        }
        // Cut no shorter than needed: the title, centred on the axes, fills the room between
        // its centre and the nearer edge of the figure on both sides, but for a glyph or two.
        let room = (l.axes.left + l.axes.right).min(2.0 * 640.0 - l.axes.left - l.axes.right);
        let title_width = text::width_px(l.title.as_deref().unwrap(), text::TITLE_PT);
        assert!(title_width > room - 20.0, "{title_width} of {room}");

        let (w, h, rgb) = decode(Renderer::new(spec(Format::Png)).render(&data).unwrap());
        let inked = |x: usize, y: usize| rgb[(y * w as usize + x) * 3] < 255;
        let (w, h) = (w as usize, h as usize);
        for x in 0..w {
            assert!(
                !inked(x, 0) && !inked(x, h - 1),
                "ink on the figure's edge at x={x}"
            );
        }
        for y in 0..h {
            assert!(
                !inked(0, y) && !inked(w - 1, y),
                "ink on the figure's edge at y={y}"
            );
        }
        let title_ink: Vec<usize> = (0..w)
            .filter(|&x| (0..l.axes.top as usize).any(|y| inked(x, y)))
            .collect();
        let (first, last) = (title_ink[0], title_ink[title_ink.len() - 1]);
        assert!(
            first > 0 && last < w - 1 && (last - first) as f64 > room - 25.0,
            "{first}..{last}"
        );

        let svg = Renderer::new(spec(Format::Svg))
            .render(&data)
            .unwrap()
            .to_vec();
        let svg = std::str::from_utf8(&svg).unwrap();
        let cut = svg_texts(svg).iter().filter(|t| t.ends_with('…')).count();
        assert_eq!(cut, 4, "title, two labels, the colour bar's");
        let ink = vector::text_ink(svg);
        assert!(ink.len() >= 8, "{ink:?}");
        for [left, top, right, bottom] in ink {
            assert!(
                left >= 0.0 && top >= 0.0 && right <= w as f32 && bottom <= h as f32,
                "a text's ink {left}..{right} × {top}..{bottom} leaves the figure"
            );
        }
    }

    #[test]
    fn pdf_is_a_pdf_page_of_figure_size() {
        let pts = random(3, 50);
        let pdf = Renderer::new(spec(Format::Pdf))
            .render(&pts)
            .unwrap()
            .to_vec();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        let start = text.find("/MediaBox [").expect("a page size") + "/MediaBox [".len();
        let media: Vec<f64> = text[start..]
            .split(']')
            .next()
            .unwrap()
            .split_whitespace()
            .map(|v| v.parse().unwrap())
            .collect();
        let expected = [0.0, 0.0, 460.8, 345.6]; // 6.4×4.8 in
        assert!(
            media
                .iter()
                .zip(expected)
                .all(|(m, e)| (m - e).abs() < 0.01),
            "{media:?}"
        );
        assert!(text.contains("DejaVu"), "the embedded font is used");
    }
}
