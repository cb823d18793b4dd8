//! The command line, as clap sees it. Checking beyond what clap does is `config`'s job.

use crate::render::raster::PngCompression;
use crate::render::Format;
use crate::task::MAX_PLOTS;
use clap::builder::PossibleValue;
use clap::{ColorChoice, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "plotrand-mpi",
    about = "Render scatter plots of random data in parallel across the ranks of an MPI job",
    long_about = "Render scatter plots of random data in parallel across the ranks of an MPI job.\n\n\
        Rank 0 splits the plots into contiguous blocks, every rank draws its block, and rank 0 \
        prints each result and a per-rank timing table. Plot k depends only on --seed and k, \
        so it is byte-identical whatever the number of ranks.\n\n\
        Run it under MPI (`mpirun -n 4 plotrand-mpi -o plots -n 64`) or alone as one rank.",
    disable_version_flag = true,
    // Open MPI gives ranks a pseudo-terminal even when mpirun's output goes to a log file,
    // so colour detection would put escape codes into SLURM logs.
    color = ColorChoice::Never,
    after_help = "Exit status: 0 all plots written; 1 some plots failed, or the run record or report \
        could not be written; 2 bad command line or unusable input; 70 internal error (all ranks aborted).",
    args_conflicts_with_subcommands = true,
    // A later flag overrides an earlier one, so wrappers can pass defaults and users theirs.
    args_override_self = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Directory the plots are written to (created if missing)
    #[arg(
        short = 'o',
        long = "output-dir",
        value_name = "DIR",
        default_value = "plots"
    )]
    pub output_dir: PathBuf,

    /// Number of plots to make (random data)
    #[arg(
        short = 'n',
        long = "num-plots",
        value_name = "N",
        default_value_t = 64,
        conflicts_with = "input",
        allow_negative_numbers = true,
        value_parser = whole_number(1, MAX_PLOTS)
    )]
    pub num_plots: u64,

    /// Run seed; plot k's data depends only on it and k. Drawn from the OS and printed if absent
    #[arg(
        long,
        value_name = "S",
        allow_negative_numbers = true,
        conflicts_with = "input"
    )]
    pub seed: Option<u64>,

    /// Points per plot (random data)
    #[arg(
        long,
        value_name = "N",
        default_value_t = 500,
        conflicts_with = "input",
        allow_negative_numbers = true,
        value_parser = whole_number(1, MAX_POINTS)
    )]
    pub points: u64,

    /// Figure width in pixels (100 dpi, so 640 is matplotlib's 6.4 in)
    #[arg(
        long,
        value_name = "PX",
        default_value_t = 640,
        allow_negative_numbers = true,
        value_parser = pixels
    )]
    pub width: u32,

    /// Figure height in pixels
    #[arg(
        long,
        value_name = "PX",
        default_value_t = 480,
        allow_negative_numbers = true,
        value_parser = pixels
    )]
    pub height: u32,

    /// Output file format
    #[arg(long, value_name = "FMT", default_value = "png")]
    pub format: Format,

    /// Skip plots whose file is already there (recorded as skipped) and remove the temporary
    /// files an interrupted run left: run a killed or time-limited job again with this. Not
    /// with --save-data: the rank data files of the earlier run would be replaced
    #[arg(long, conflicts_with = "save_data")]
    pub resume: bool,

    /// How plots are shared out: static (contiguous blocks, scattered once; best when plots
    /// cost the same) or dynamic (ranks ask rank 0 for chunks as they go; best when they
    /// do not, e.g. HDF5 datasets of very different sizes; prints progress)
    #[arg(long, value_name = "HOW", default_value = "static")]
    pub schedule: Schedule,

    /// With --schedule dynamic: plots per request [default: about 8 requests per rank, at
    /// most 256 plots]
    #[arg(long, value_name = "N", value_parser = whole_number(1, MAX_PLOTS))]
    pub chunk: Option<u64>,

    /// With --schedule dynamic: seconds between progress lines (0: none)
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0, value_parser = seconds, allow_negative_numbers = true)]
    pub progress: f64,

    /// With --schedule dynamic: a live progress bar instead of progress lines. auto: when the
    /// output reaches a terminal (that of mpirun/mpiexec if it started the ranks), not in a
    /// file such as a SLURM log
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub progress_bar: ProgressBar,

    /// Spread plots over subdirectories DIR/0000, DIR/0001, … of at most N plots each, to
    /// spare parallel file systems huge directories
    #[arg(long, value_name = "N", value_parser = whole_number(1, MAX_PLOTS))]
    pub max_files_per_dir: Option<u64>,

    /// PNG compression effort: fast (default; about 74 KB a default plot), balanced (9 %
    /// smaller, 25 % more encoding time) or high (13 % smaller, 45 times the encoding time)
    #[arg(long, value_name = "LEVEL", default_value = "fast")]
    pub png_compression: PngCompression,

    /// Plot the data in this HDF5 file instead of random data: one plot per (n, 2) or (n, 3)
    /// numeric dataset (columns x, y, size) and per group holding 1-D x, y (and size)
    #[arg(long, value_name = "FILE.h5")]
    pub input: Option<PathBuf>,

    /// With --input: plot only objects whose path matches this glob, e.g. '/exp1/**'
    /// ('*' stays within one group, '**' crosses groups)
    #[arg(long, value_name = "GLOB", requires = "input")]
    pub datasets: Option<String>,

    /// Where to write the HDF5 run record [default: DIR/plotrand.h5]
    #[arg(long, value_name = "PATH", conflicts_with = "no_record")]
    pub record: Option<PathBuf>,

    /// Do not write the run record
    #[arg(long)]
    pub no_record: bool,

    /// Keep every plot's x, y and size arrays in DIR/data/rank_NNNN.h5, linked from the record
    #[arg(long)]
    pub save_data: bool,

    /// Turn HDF5 file locking off (for NFS or Lustre mounts without lock support); the same
    /// as HDF5_USE_FILE_LOCKING=FALSE
    #[arg(long)]
    pub no_file_locking: bool,

    /// fsync every file before renaming it into place, so plots survive a node crash, not only
    /// a killed job (slower, notably on parallel file systems)
    #[arg(long)]
    pub sync: bool,

    /// Print only the header, failures, the timing table and the summary, not a line per plot
    #[arg(short, long)]
    pub quiet: bool,

    /// Print version, build and MPI library information
    #[arg(short = 'V', long)]
    pub version: bool,
}

/// Most points one plot may have: 10 million take about two minutes and 250 MB.
pub const MAX_POINTS: u64 = 10_000_000;
pub const MIN_PIXELS: u64 = 16;
pub const MAX_PIXELS: u64 = 16384;

/// A parser for whole numbers in [min, max] whose errors say what is allowed.
fn whole_number(min: u64, max: u64) -> impl Fn(&str) -> Result<u64, String> + Clone {
    move |text: &str| {
        let n: i128 = text
            .trim()
            .parse()
            .map_err(|_| format!("'{text}' is not a whole number; give one from {min} to {max}"))?;
        u64::try_from(n)
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| format!("{n} is out of range; give a whole number from {min} to {max}"))
    }
}

fn seconds(text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .ok_or_else(|| {
            format!("'{text}' is not a number of seconds; give 0 or more, e.g. 10 or 0.5")
        })
}

fn pixels(text: &str) -> Result<u32, String> {
    whole_number(MIN_PIXELS, MAX_PIXELS)(text).map(|n| n as u32)
}

/// How plots are shared out among ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Schedule {
    Static,
    Dynamic,
}

/// When to draw a progress bar rather than progress lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProgressBar {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Speedup Sp = T1/Tp and efficiency Ep = Sp/p from run records of the same work on
    /// different rank counts (several records per count: the median is used); prints the
    /// table and draws the chart
    Speedup {
        /// Run records (plotrand.h5 files); one at least must come from a 1-rank run
        #[arg(required = true, value_name = "RECORD")]
        records: Vec<PathBuf>,
        /// Where to draw the chart (PNG)
        #[arg(long, value_name = "PNG", default_value = "speedup.png")]
        chart: PathBuf,
    },
    /// Write a sample HDF5 input: datasets /skewed/d000… of shape (n, 3) whose sizes grow
    /// geometrically from 10 points to --max-points (try: --input FILE, --schedule dynamic)
    Sample {
        /// The file to write
        #[arg(value_name = "FILE.h5")]
        file: PathBuf,
        /// Number of datasets
        #[arg(long, value_name = "N", default_value_t = 48, value_parser = whole_number(1, 100_000))]
        datasets: u64,
        /// Points in the largest dataset
        #[arg(long, value_name = "N", default_value_t = 200_000, value_parser = whole_number(10, MAX_POINTS))]
        max_points: u64,
    },
}

impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &Format::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            Format::Png => "PNG image (indexed colours, fast)",
            Format::Svg => "SVG vector image",
            Format::Pdf => "PDF page (via SVG, font embedded)",
        };
        Some(PossibleValue::new(self.extension()).help(help))
    }
}

impl ValueEnum for PngCompression {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            PngCompression::Fast,
            PngCompression::Balanced,
            PngCompression::High,
        ]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(match self {
            PngCompression::Fast => "fast",
            PngCompression::Balanced => "balanced",
            PngCompression::High => "high",
        }))
    }
}
