//! Turning one plot's points into a finished file: layout, drawing, encoding, and an atomic
//! write (temporary name, then rename) so that a final name only ever holds a whole plot.

pub mod axes;
pub mod layout;
pub mod marker;
pub mod raster;
pub mod vector;

use crate::source::PlotData;
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
    pub png_compression: raster::PngCompression,
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
    #[error("could not write '{}': {source}{}", path.display(), write_hint(source))]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What to do about a failed write, where the error kind tells.
fn write_hint(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::NotFound => {
            "; every rank writes its own plots, so --output-dir must be on storage all hosts share"
        }
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
            "; free space or choose another --output-dir, then re-run"
        }
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            "; check the directory's permissions"
        }
        std::io::ErrorKind::IsADirectory => "; a directory has the plot's name: move it away",
        _ => "",
    }
}

/// Draws plot after plot, reusing its frame and output buffers.
pub struct Renderer {
    spec: FigureSpec,
    /// fsync each file before renaming it into place.
    sync: bool,
    frame: raster::Frame,
    encoded: Vec<u8>,
}

impl Renderer {
    pub fn new(spec: FigureSpec, sync: bool) -> Renderer {
        axes::register_font();
        Renderer {
            spec,
            sync,
            frame: raster::Frame::default(),
            encoded: Vec::new(),
        }
    }

    /// The encoded figure for `data`, valid until the next call.
    pub fn render(&mut self, data: &PlotData) -> Result<&[u8], RenderError> {
        let points = &data.points;
        for (axis, values) in [("x", &points.x), ("y", &points.y)] {
            let (lo, hi) = layout::padded_limits(values);
            if !(hi - lo).is_finite() {
                return Err(RenderError::Draw(format!(
                    "the {axis} values span more than a float can hold once padded \
                     ({lo:e} to {hi:e}); rescale the data"
                )));
            }
        }
        let l = Layout::new(self.spec.width, self.spec.height, data);
        self.encoded.clear();
        match self.spec.format {
            Format::Png => raster::render_png(
                &mut self.frame,
                points,
                &l,
                MATPLOTLIB_BLUE,
                self.spec.png_compression,
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

    /// Renders `data` to `dir/name`; returns the bytes written.
    pub fn plot_to_file(
        &mut self,
        data: &PlotData,
        dir: &Path,
        name: &str,
    ) -> Result<u64, PlotError> {
        let sync = self.sync;
        let bytes = self.render(data)?;
        write_atomically(dir, name, bytes, sync).map_err(|source| PlotError::Write {
            path: dir.join(name),
            source,
        })?;
        Ok(bytes.len() as u64)
    }
}

const TEMP_SUFFIX: &str = ".tmp";

/// A new temporary file in `dir` for what will be renamed to `name`: `.<name>.<random>.tmp`,
/// so a killed run's leftovers are recognisable and never mistaken for plots, with the
/// permissions umask gives (tempfile's default 0600 would hide plots from the group).
pub fn temp_file_for(dir: &Path, name: &str) -> std::io::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(TEMP_SUFFIX)
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
}

/// Removes the temporary files a killed run left: in `dir`, in its plot-block
/// subdirectories (`0000`, `0001`, …) and in `data/` — nowhere else — and only names this
/// program makes (`.<file>.<6 random characters>.tmp` for a plot, record or data file, and
/// the writability probe), so other programs' files are left alone.
pub fn remove_stale_temporaries(dir: &Path) -> std::io::Result<usize> {
    let mut removed = remove_in(dir)?;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = name == crate::savedata::DIR
            || (name.len() >= 4 && name.bytes().all(|b| b.is_ascii_digit()));
        if ours && entry.file_type()?.is_dir() {
            removed += remove_in(&entry.path())?;
        }
    }
    Ok(removed)
}

fn remove_in(dir: &Path) -> std::io::Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() && is_temporary(&entry.file_name().to_string_lossy()) {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// `.<name>.<6 alphanumerics>.tmp` where `<name>` ends in an extension this program writes,
/// or the probe `.plotrand-probe.<6 alphanumerics>`.
fn is_temporary(name: &str) -> bool {
    let random = |s: &str| s.len() == 6 && s.bytes().all(|b| b.is_ascii_alphanumeric());
    if let Some(rest) = name.strip_prefix(".plotrand-probe.") {
        return random(rest);
    }
    let Some(inner) = name
        .strip_prefix('.')
        .and_then(|n| n.strip_suffix(TEMP_SUFFIX))
    else {
        return false;
    };
    let Some((file, tag)) = inner.rsplit_once('.') else {
        return false;
    };
    let extensions = Format::ALL.map(Format::extension);
    let ours = file
        .rsplit_once('.')
        .is_some_and(|(_, ext)| ext == "h5" || extensions.contains(&ext));
    ours && random(tag)
}

/// Writes `bytes` to a temporary file in `dir`, then renames it to `name`: readers see either
/// no file or the whole file, even if this process is killed mid-write. Surviving a crash of
/// the node itself also needs the data on disk before the rename: `sync`.
pub fn write_atomically(dir: &Path, name: &str, bytes: &[u8], sync: bool) -> std::io::Result<()> {
    let mut tmp = temp_file_for(dir, name)?;
    tmp.write_all(bytes)?;
    if sync {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(dir.join(name)).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::random;

    fn random(plot_num: u64, n: usize) -> PlotData {
        PlotData {
            points: random::points(1, plot_num, n),
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
            let mut reused = Renderer::new(spec, false);
            reused.render(&random(1, 500)).unwrap();
            let second = reused.render(&random(2, 500)).unwrap().to_vec();
            let fresh = Renderer::new(spec, false)
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
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        let mut rgb = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut rgb).unwrap();
        (reader.info().width, reader.info().height, rgb)
    }

    #[test]
    fn the_default_png_has_matplotlibs_frame_and_clips_markers() {
        let bytes = Renderer::new(spec(Format::Png), false)
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
        data.points.x[0] = -1e308;
        data.points.x[1] = 1e308;
        for format in Format::ALL {
            let e = Renderer::new(spec(format), false)
                .render(&data)
                .unwrap_err();
            assert!(e.to_string().contains("the x values span more"), "{e}");
        }
    }

    #[test]
    fn pdf_bytes_do_not_depend_on_hash_order() {
        // svg2pdf keeps resources in HashMaps whose order changes with every map.
        let data = random(4, 100);
        let first = Renderer::new(spec(Format::Pdf), false)
            .render(&data)
            .unwrap()
            .to_vec();
        for _ in 0..3 {
            assert!(
                first
                    == Renderer::new(spec(Format::Pdf), false)
                        .render(&data)
                        .unwrap()
            );
        }
    }

    #[test]
    fn svg_clips_markers_and_draws_labels() {
        let mut pts = random(2, 10);
        pts.points.x.extend([0.0, 1.0]);
        pts.points.y.extend([0.0, 1.0]);
        pts.points.area.extend([1.0, 1.0]);
        let svg = String::from_utf8(
            Renderer::new(spec(Format::Svg), false)
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
        let pts = random(3, 50);
        let pdf = Renderer::new(spec(Format::Pdf), false)
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
        write_atomically(dir.path(), "plot_1.png", b"abc", true).unwrap();
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
    fn stale_temporaries_and_only_they_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for sub in ["0001", "data", "other"] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
        }
        let ours = [
            ".plot_1.png.aB3xYz.tmp",
            "0001/.plot_2.png.Qw9eR2.tmp",
            ".plotrand-probe.X1y2Z3",
            "data/.rank_0001.h5.abcdef.tmp",
            ".plotrand.h5.Zz9Zz9.tmp",
        ];
        let theirs = [
            "plot_3.png",
            ".hidden",
            "notes.tmp",
            ".x.tmp",
            ".notes.txt.abcdef.tmp",
            ".plot_4.png.short.tmp",
            "0001/plot_2.png",
            "other/.plot_9.png.abcdef.tmp",
        ];
        for name in ours.iter().chain(&theirs) {
            std::fs::write(d.join(name), b"x").unwrap();
        }
        assert_eq!(remove_stale_temporaries(d).unwrap(), ours.len());
        for name in ours {
            assert!(!d.join(name).exists(), "{name} is ours and must go");
        }
        for name in theirs {
            assert!(d.join(name).exists(), "{name} is not ours and must stay");
        }
    }

    #[test]
    fn atomic_write_onto_a_directory_fails_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("plot_3.png")).unwrap();
        assert!(write_atomically(dir.path(), "plot_3.png", b"abc", false).is_err());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary left"
        );
    }
}
