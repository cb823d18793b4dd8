//! Turning one plot's points into a finished file: layout, drawing, encoding, and an atomic
//! write (temporary name, then rename) so that a final name only ever holds a whole plot.

pub mod axes;
pub mod layout;
pub mod raster;
pub mod vector;

use crate::source::Points;
use layout::Layout;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

pub type Colour = [u8; 3];
/// matplotlib's default colour cycle starts with this blue (#1f77b4).
pub const MATPLOTLIB_BLUE: Colour = [0x1f, 0x77, 0xb4];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
    Pdf,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Png, Format::Svg, Format::Pdf];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
            Format::Pdf => "pdf",
        }
    }
}

/// What a figure looks like, the same for every plot of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FigureSpec {
    pub width: u32,
    pub height: u32,
    pub format: Format,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("drawing failed: {0}")]
    Draw(String),
    #[error("encoding failed: {0}")]
    Encode(String),
}

#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("could not write '{path}': {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The file name of plot `plot_num`: the lesson's `plot_<k>.<ext>`.
pub fn file_name(plot_num: u64, format: Format) -> String {
    format!("plot_{plot_num}.{}", format.extension())
}

/// Draws plot after plot, reusing its frame and output buffers.
pub struct Renderer {
    spec: FigureSpec,
    frame: raster::Frame,
    encoded: Vec<u8>,
}

impl Renderer {
    pub fn new(spec: FigureSpec) -> Renderer {
        axes::register_font();
        Renderer {
            spec,
            frame: raster::Frame::default(),
            encoded: Vec::new(),
        }
    }

    /// The encoded figure for `points`, valid until the next call.
    pub fn render(&mut self, points: &Points) -> Result<&[u8], RenderError> {
        let l = Layout::new(self.spec.width, self.spec.height, points);
        self.encoded.clear();
        match self.spec.format {
            Format::Png => raster::render_png(
                &mut self.frame,
                points,
                &l,
                MATPLOTLIB_BLUE,
                &mut self.encoded,
            )?,
            Format::Svg => {
                self.encoded = vector::render_svg(points, &l, MATPLOTLIB_BLUE)?.into_bytes();
            }
            Format::Pdf => {
                let svg = vector::render_svg(points, &l, MATPLOTLIB_BLUE)?;
                self.encoded = vector::svg_to_pdf(&svg)?;
            }
        }
        Ok(&self.encoded)
    }

    /// Renders `points` to `dir/name`; returns the bytes written.
    pub fn plot_to_file(
        &mut self,
        points: &Points,
        dir: &Path,
        name: &str,
    ) -> Result<u64, PlotError> {
        let bytes = self.render(points)?;
        write_atomically(dir, name, bytes).map_err(|source| PlotError::Write {
            path: dir.join(name),
            source,
        })?;
        Ok(bytes.len() as u64)
    }
}

/// Temporary files are named `.<name>.<random>.tmp` beside their target, so a killed run's
/// leftovers are recognisable and never mistaken for plots.
pub fn temp_prefix(name: &str) -> String {
    format!(".{name}.")
}

pub const TEMP_SUFFIX: &str = ".tmp";

/// Writes `bytes` to a temporary file in `dir`, then renames it to `name`: readers see either
/// no file or the whole file, even if this process is killed mid-write.
pub fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = tempfile::Builder::new()
        .prefix(&temp_prefix(name))
        .suffix(TEMP_SUFFIX)
        // tempfile's default 0600 would hide plots from the rest of the group; let umask decide.
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(dir.join(name)).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::random;

    fn spec(format: Format) -> FigureSpec {
        FigureSpec {
            width: 640,
            height: 480,
            format,
        }
    }

    #[test]
    fn png_has_the_requested_size_and_is_deterministic() {
        let pts = random::points(1, 1, 500);
        let mut r = Renderer::new(FigureSpec {
            width: 320,
            height: 200,
            format: Format::Png,
        });
        let a = r.render(&pts).unwrap().to_vec();
        let b = r.render(&pts).unwrap().to_vec();
        assert_eq!(a, b, "a reused renderer must give the same bytes");
        let decoder = png::Decoder::new(std::io::Cursor::new(&a));
        let reader = decoder.read_info().unwrap();
        assert_eq!((reader.info().width, reader.info().height), (320, 200));
    }

    #[test]
    fn svg_clips_markers_and_draws_labels() {
        let mut pts = random::points(1, 2, 10);
        pts.x.extend([0.0, 1.0]);
        pts.y.extend([0.0, 1.0]);
        pts.area.extend([1.0, 1.0]);
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

    #[test]
    fn pdf_is_a_pdf_page_of_figure_size() {
        let pts = random::points(1, 3, 50);
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

    #[test]
    fn atomic_write_leaves_only_the_final_file() {
        let dir = tempfile::tempdir().unwrap();
        write_atomically(dir.path(), "plot_1.png", b"abc").unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["plot_1.png"]);
        assert_eq!(
            std::fs::read(dir.path().join("plot_1.png")).unwrap(),
            b"abc"
        );
    }

    #[test]
    fn atomic_write_onto_a_directory_fails_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("plot_3.png")).unwrap();
        assert!(write_atomically(dir.path(), "plot_3.png", b"abc").is_err());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary left"
        );
    }
}
