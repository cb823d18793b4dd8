//! What a figure is — size, file format, PNG effort — the same for every plot of a run.
//! Plain data shared by the command line, the renderer and the output directory.

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
