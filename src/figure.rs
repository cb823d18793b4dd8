//! What a figure is — size, file format, PNG effort, how heatmaps are coloured — the same
//! for every plot of a run. Plain data shared by the command line, the renderer and the output
//! directory.

pub use crate::render::colormap::ColourMap;

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

/// How hard the PNG encoder works: the trade between time and bytes (`--png-compression`).
/// Measured on default plots (BENCHMARKS.md, `cargo bench --bench png_encoders`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PngCompression {
    /// fdeflate, Up filter: 0.35 ms, 74 KB.
    #[default]
    Fast,
    /// fdeflate, a filter chosen per row: 25 % more time, 9 % fewer bytes.
    Balanced,
    /// zlib at level 9, a filter chosen per row: 45× the time for 13 % fewer bytes.
    High,
}

impl PngCompression {
    pub const ALL: [PngCompression; 3] = [
        PngCompression::Fast,
        PngCompression::Balanced,
        PngCompression::High,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PngCompression::Fast => "fast",
            PngCompression::Balanced => "balanced",
            PngCompression::High => "high",
        }
    }
}

/// What a figure looks like, the same for every plot of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FigureSpec {
    pub width: u32,
    pub height: u32,
    pub format: Format,
    pub png_compression: PngCompression,
}

/// How heatmaps are coloured, the same for every plot of a run: `--cmap`, `--norm`,
/// `--linthresh`, `--center`/`--no-center`, `--levels`. (`--vmin`/`--vmax` travel with each
/// plot's limits.) The default is xarray's: viridis, or RdBu_r with limits symmetric about 0
/// for data whose range crosses 0.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Colouring {
    /// `--cmap`; `None`: viridis, or RdBu_r when the data diverge from the centre.
    pub cmap: Option<ColourMap>,
    pub norm: Norm,
    pub center: Center,
    pub levels: Option<Levels>,
}

/// How values map to the colour range (matplotlib's `Normalize`, `LogNorm`, `SymLogNorm`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Norm {
    #[default]
    Linear,
    /// Decades evenly; values at or below 0 are missing.
    Log,
    /// Linear within ±`linthresh`, decades beyond (base 10, linscale 1).
    SymLog { linthresh: f64 },
}

/// xarray's `center`: where a diverging map's middle sits.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Center {
    /// Diverging about 0 when the data's range crosses 0 (and no limit is given).
    #[default]
    Auto,
    /// `--center V`: always diverging about V.
    At(f64),
    /// `--no-center`: never diverging.
    Never,
}

/// `--levels`: discrete colour steps.
#[derive(Debug, Clone, PartialEq)]
pub enum Levels {
    /// About this many boundaries, at round values (matplotlib's `MaxNLocator(N − 1)`).
    Count(u32),
    /// These boundaries, increasing.
    Bounds(Vec<f64>),
}

/// The most characters one text of a figure holds (a title, an axis label, a unit), `…`
/// included. A real `long_name` or title is a few dozen characters, rarely a few hundred
/// (CF's longest standard names are about 100), and a 640 px figure shows about 80 across;
/// without a bound a file's 1 MB attribute took 30 minutes and 2 GB to set as PDF text.
pub const MAX_TEXT_CHARS: usize = 256;

/// `text` cut to [`MAX_TEXT_CHARS`] characters on a character boundary, ending in `…` when
/// cut. Counts `char`s, not bytes or graphemes, so the work is bounded whatever `text` holds
/// (a megabyte of combining marks on one letter is cut too).
pub fn capped(mut text: String) -> String {
    if let Some((cut, _)) = text.char_indices().nth(MAX_TEXT_CHARS - 1) {
        if text[cut..].chars().nth(1).is_some() {
            text.truncate(cut);
            text.push('…');
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_on_a_character_boundary_with_an_ellipsis() {
        let exact = "é".repeat(MAX_TEXT_CHARS);
        assert_eq!(capped(exact.clone()), exact, "at the cap, nothing is cut");
        let long = "é".repeat(MAX_TEXT_CHARS + 1);
        let cut = capped(long);
        assert_eq!(cut.chars().count(), MAX_TEXT_CHARS);
        assert!(cut.ends_with("é…"), "{cut}");
        assert_eq!(capped("short".into()), "short");
        let marks = format!("a{}", "\u{301}".repeat(1_000_000));
        assert_eq!(capped(marks).chars().count(), MAX_TEXT_CHARS);
    }
}
