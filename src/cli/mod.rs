//! The command line, as clap sees it: the options and subcommands under their help headings
//! (`parse` checks each value, `generate` makes the man page and completions from the same
//! definitions). Checking beyond what clap does is `config`'s job.

mod generate;
mod parse;

pub use generate::{generate, Generated};
pub use parse::ColumnList;
use parse::{
    colour_map, columns, finite, kind, levels, limits, linthresh, name_template, pixels, seconds,
    whole_number,
};

use crate::exit::Exit;
use crate::figure::{ColourMap, Format, Levels, PngCompression};
use crate::plan::{Kind, MAX_PLOTS, MAX_POINTS};
use crate::source::input::slices::{self, Slice};
use crate::source::ranges::RangeSharing;
use clap::builder::PossibleValue;
use clap::{ColorChoice, CommandFactory, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const OUTPUT: &str = "Output";
const RANDOM: &str = "Random data";
const INPUT: &str = "Input data (HDF5, NetCDF-4)";
const SCHEDULE: &str = "Schedule and progress";
const FILES: &str = "Files and resuming";
const RECORD: &str = "Run record";
const CONSOLE: &str = "Console";

#[derive(Debug, Parser)]
#[command(
    name = "plotrand-mpi",
    version,
    about = "Render plots in parallel across the ranks of an MPI job",
    long_about = "Render plots in parallel across the ranks of an MPI job: scatter plots of random \
        data (the default) or the objects of an HDF5 file.\n\n\
        Rank 0 splits the plots among the ranks, every rank draws its share, and rank 0 \
        prints each result, a per-rank timing table and a summary, and writes a run record. \
        Plot k depends only on --seed and k, so it is byte-identical whatever the number of \
        ranks.\n\n\
        Run it under MPI (`mpirun -n 4 plotrand-mpi -o plots -n 64`) or alone as one rank.",
    disable_version_flag = true,
    // Open MPI gives ranks a pseudo-terminal even when mpirun's output goes to a log file,
    // so colour detection would put escape codes into SLURM logs.
    color = ColorChoice::Never,
    after_help = "Run 'plotrand-mpi --help' for details and the exit statuses.",
    after_long_help = exit_status_help(),
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
        default_value = "plots",
        help_heading = OUTPUT
    )]
    pub output_dir: PathBuf,

    /// Output file format
    #[arg(long, value_name = "FMT", default_value = "png", help_heading = OUTPUT)]
    pub format: Format,

    /// Figure width in pixels
    ///
    /// At 100 dpi, so 640 is matplotlib's 6.4 in.
    #[arg(
        long,
        value_name = "PX",
        default_value_t = 640,
        allow_negative_numbers = true,
        value_parser = pixels,
        help_heading = OUTPUT
    )]
    pub width: u32,

    /// Figure height in pixels
    #[arg(
        long,
        value_name = "PX",
        default_value_t = 480,
        allow_negative_numbers = true,
        value_parser = pixels,
        help_heading = OUTPUT
    )]
    pub height: u32,

    /// PNG compression effort
    ///
    /// fast: about 74 KB a default plot; balanced: 9 % smaller, 25 % more encoding time;
    /// high: 13 % smaller, 45 times the encoding time.
    #[arg(long, value_name = "LEVEL", default_value = "fast", help_heading = OUTPUT)]
    pub png_compression: PngCompression,

    /// Number of plots to make
    #[arg(
        short = 'n',
        long = "num-plots",
        value_name = "N",
        default_value_t = 64,
        conflicts_with = "input",
        allow_negative_numbers = true,
        value_parser = whole_number(1, MAX_PLOTS),
        help_heading = RANDOM
    )]
    pub num_plots: u64,

    /// Run seed [default: drawn from the OS and printed]
    ///
    /// Plot k's data depends only on the seed and k.
    #[arg(
        long,
        value_name = "S",
        allow_negative_numbers = true,
        conflicts_with = "input",
        help_heading = RANDOM
    )]
    pub seed: Option<u64>,

    /// Points per plot
    #[arg(
        long,
        value_name = "N",
        default_value_t = 500,
        conflicts_with = "input",
        allow_negative_numbers = true,
        value_parser = whole_number(1, MAX_POINTS),
        help_heading = RANDOM
    )]
    pub points: u64,

    /// Plot the data in this HDF5 or NetCDF-4 file instead of random data
    ///
    /// What each object gives follows its shape: a 1-D dataset a line against its
    /// coordinate (dates for CF times) or index; a 2-D one a heatmap with a colour bar, or a
    /// scatter plot if it is an (n, 2) or (n, 3) table; more dimensions one heatmap per
    /// frame (an index of the leading dimensions), all frames of a dataset on one colour
    /// range; records with fields x, y (and size), groups of datasets x, y (and size) and
    /// pandas frames a scatter plot; a pandas series a line. Coordinates are axes, not plots.
    /// Labels come from long_name (or standard_name) and units. See --list.
    #[arg(long, value_name = "FILE.h5", help_heading = INPUT)]
    pub input: Option<PathBuf>,

    /// Print what --input would give, and draw nothing
    ///
    /// Each object with its kind of plot and plot count, then every other object with why
    /// it is not plotted.
    #[arg(long, help_heading = INPUT)]
    pub list: bool,

    /// Draw every object as this kind where its shape allows: line, heatmap or scatter
    ///
    /// line: the last dimension is the line, one plot per index of the others. heatmap: the
    /// last two, one plot per index of the others. scatter: a 2-D table's columns (see
    /// --columns).
    #[arg(long, value_name = "KIND", value_parser = kind, help_heading = INPUT)]
    pub kind: Option<Kind>,

    /// The columns of tables to draw as x, y and optionally marker size
    ///
    /// Field or column names (records, pandas frames, tables with a 'columns' attribute),
    /// or column numbers from 0 for plain 2-D tables: --columns x,y,mass or --columns 0,2.
    #[arg(long, value_name = "X,Y[,SIZE]", value_parser = columns, help_heading = INPUT)]
    pub columns: Option<ColumnList>,

    /// Name plot files after this template (without extension)
    ///
    /// {object}: the object's path as a file name; {frame}: the frame number, zero-padded;
    /// {plot}: the plot number, zero-padded. Default: {object} for one plot, {object}_{frame}
    /// for frames.
    #[arg(long, value_name = "TEMPLATE", value_parser = name_template, help_heading = INPUT)]
    pub name: Option<String>,

    /// Fixed x limits for every plot (random data's too)
    #[arg(long, value_name = "LO,HI", value_parser = limits, allow_hyphen_values = true, help_heading = OUTPUT)]
    pub xlim: Option<(f64, f64)>,

    /// Fixed y limits for every plot (random data's too)
    #[arg(long, value_name = "LO,HI", value_parser = limits, allow_hyphen_values = true, help_heading = OUTPUT)]
    pub ylim: Option<(f64, f64)>,

    /// Heatmaps of --input: the value at the bottom of the colour scale [default: the smallest
    /// over all frames of the dataset]
    #[arg(long, value_name = "V", allow_negative_numbers = true, value_parser = finite, help_heading = OUTPUT)]
    pub vmin: Option<f64>,

    /// Heatmaps of --input: the value at the top of the colour scale [default: the largest over
    /// all frames of the dataset]
    #[arg(long, value_name = "V", allow_negative_numbers = true, value_parser = finite, help_heading = OUTPUT)]
    pub vmax: Option<f64>,

    /// Heatmaps of --input: colour limits at the 2nd and 98th percentiles of the values
    ///
    /// As xarray's robust=True, so that a few extreme values do not take the colours. Over
    /// the frames that share a range (see --range) the percentiles come from one histogram
    /// summed over ranks, within 1/4096 of the range of numpy's; a frame alone gets numpy's
    /// exactly. --vmin and --vmax still fix the ends they give.
    #[arg(long, help_heading = OUTPUT)]
    pub robust: bool,

    /// Which frames of an array share one value range (colour limits, a line's y limits)
    ///
    /// series: the frames along the first dimension (time), separately for each index of the
    /// other leading dimensions (each level of a (time, level, lat, lon) field its own); frame: each
    /// frame its own; object: all frames of an array one. [default: series]
    #[arg(long, value_name = "HOW", help_heading = OUTPUT)]
    pub range: Option<RangeSharing>,

    /// Draw only the frames at this coordinate value of a leading dimension: DIM=VALUE
    ///
    /// As xarray's sel: --select level=850 (the value itself, or else the nearest within the
    /// coordinate's values, with a note), --select level=500..850 (the values in that range),
    /// --select time=2020-01-01 (dates for time; a day, month or year picks every time in it).
    /// May be given for several dimensions; arrays without DIM are drawn whole.
    #[arg(long, value_name = "DIM=VALUE", value_parser = slices::parse_select, help_heading = INPUT)]
    pub select: Vec<Slice>,

    /// Draw only the frames at these indices of a leading dimension: DIM=INDEX or
    /// DIM=START:STOP[:STEP]
    ///
    /// As xarray's isel and Python's slices, from 0, negative from the end: --isel time=0,
    /// --isel time=-1, --isel time=0:24:6 (every 6th of the first 24).
    #[arg(long, value_name = "DIM=INDICES", value_parser = slices::parse_isel, help_heading = INPUT)]
    pub isel: Vec<Slice>,
    /// Heatmaps of --input: the colour map, as matplotlib names it (NAME_r reversed)
    ///
    /// matplotlib's own colours: viridis, plasma, inferno, magma, cividis; diverging RdBu,
    /// coolwarm, bwr, seismic, BrBG, PuOr, PiYG, PRGn, RdGy, RdYlBu, RdYlGn, Spectral;
    /// sequential Greys, Blues, Reds, Greens, Oranges, Purples, YlOrRd, YlOrBr, YlGnBu, YlGn,
    /// OrRd, PuRd, RdPu, BuPu, GnBu, PuBu, PuBuGn, BuGn; and turbo, twilight, cubehelix,
    /// gray, jet, hot, terrain. [default: viridis, or RdBu_r for data on both sides of the
    /// centre, as xarray]
    #[arg(long, value_name = "NAME", value_parser = colour_map, help_heading = OUTPUT)]
    pub cmap: Option<ColourMap>,

    /// Heatmaps of --input: how values map to colours: linear, log or symlog
    ///
    /// log: decades evenly, values at or below 0 drawn as missing and counted as left out;
    /// symlog: linear from -V to V (--linthresh V), decades beyond (matplotlib's SymLogNorm, base 10,
    /// linscale 1). The colour bar is ticked as matplotlib's (10 with the exponent raised).
    #[arg(long, value_name = "NORM", default_value = "linear", help_heading = OUTPUT)]
    pub norm: NormName,

    /// With --norm symlog: the values from -V to V are drawn linearly
    #[arg(long, value_name = "V", value_parser = linthresh, help_heading = OUTPUT)]
    pub linthresh: Option<f64>,

    /// Heatmaps of --input: diverge the colours about V (RdBu_r, limits symmetric about V)
    ///
    /// Without it, data whose range crosses 0 diverge about 0 when neither --vmin nor --vmax
    /// is given (xarray's rule).
    #[arg(long, value_name = "V", allow_negative_numbers = true, value_parser = finite, conflicts_with = "no_center", help_heading = OUTPUT)]
    pub center: Option<f64>,

    /// Heatmaps of --input: never diverging colours (viridis on the data's range)
    #[arg(long, help_heading = OUTPUT)]
    pub no_center: bool,

    /// Heatmaps of --input: discrete colour steps: N levels or the boundaries V1,V2,...
    ///
    /// N: about N boundaries at round values over the colour range (xarray: matplotlib's
    /// MaxNLocator(N - 1); from --vmin to --vmax evenly when one is given). V1,V2,...: these
    /// boundaries. The colour bar shows one block a step; values beyond the ends get colours
    /// of their own when the data go there.
    #[arg(long, value_name = "N|V1,V2,...", value_parser = levels, allow_hyphen_values = true, help_heading = OUTPUT)]
    pub levels: Option<Levels>,

    /// Plot only the objects whose path matches this glob
    ///
    /// For example '/exp1/**': '*' stays within one group, '**' crosses groups.
    #[arg(long, value_name = "GLOB", help_heading = INPUT)]
    pub datasets: Option<String>,

    /// Turn file locking off, for file systems without lock support
    ///
    /// HDF5's locking of the input and record (the same as HDF5_USE_FILE_LOCKING=FALSE), and
    /// the lock on the output directory that refuses a second job there: two jobs on one
    /// directory are then not detected.
    #[arg(long, help_heading = FILES)]
    pub no_file_locking: bool,

    /// How plots are shared out: static or dynamic
    ///
    /// static: contiguous blocks, scattered once; best when plots cost the same. dynamic:
    /// ranks ask rank 0 for chunks as they go; best when they do not, e.g. HDF5 datasets of
    /// very different sizes.
    #[arg(long, value_name = "HOW", default_value = "static", help_heading = SCHEDULE)]
    pub schedule: Schedule,

    /// With --schedule dynamic: plots per request
    ///
    /// Default: about 8 requests per rank, at most 256 plots. Refused with the static
    /// schedule, which has no requests.
    #[arg(long, value_name = "N", value_parser = whole_number(1, MAX_PLOTS), help_heading = SCHEDULE)]
    pub chunk: Option<u64>,

    /// Seconds between progress lines (0: none)
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 10.0,
        value_parser = seconds,
        allow_negative_numbers = true,
        help_heading = SCHEDULE
    )]
    pub progress: f64,

    /// A live progress bar instead of progress lines
    ///
    /// auto: when the output reaches a terminal (that of mpirun/mpiexec if it started the
    /// ranks), not in a file such as a SLURM log.
    #[arg(long, value_name = "WHEN", default_value = "auto", help_heading = SCHEDULE)]
    pub progress_bar: ProgressBarMode,

    /// Finish an interrupted run: skip the plots already made
    ///
    /// Whole plot files already there are recorded as skipped; anything else under a plot's
    /// name is made again, and the temporary files an interrupted run left are removed. The
    /// seed comes from the earlier run's manifest (DIR/plotrand-manifest.txt) unless --seed is
    /// given; every other parameter that shapes the plots must be the earlier run's, or the
    /// run is refused. Not with --save-data: the rank data files of the earlier run would be
    /// replaced.
    #[arg(long, conflicts_with = "save_data", help_heading = FILES)]
    pub resume: bool,

    /// Spread plots over subdirectories of at most N plots each
    ///
    /// DIR/0000, DIR/0001 and so on: spares parallel file systems huge directories.
    #[arg(long, value_name = "N", value_parser = whole_number(1, MAX_PLOTS), help_heading = FILES)]
    pub max_files_per_dir: Option<u64>,

    /// Append each rank's plots to its own tar archive, DIR/plots-RRRR.tar
    ///
    /// A million plots become as many files as ranks. POSIX tar, readable by tar, Python's
    /// tarfile and WebDataset; members are the plot files byte for byte. The run record
    /// stores each plot's archive, offset and length; `plotrand-mpi extract` writes plots out
    /// as files. After a kill, --resume cuts each archive back to its last whole plot and
    /// appends the rest.
    #[arg(long, help_heading = FILES)]
    pub pack: bool,

    /// Where plot files are made before being renamed into place
    ///
    /// same-dir: beside the plot (best on Lustre, where renames across directories take a
    /// file-system-wide lock, and on NFS, GPFS and other networked file systems). rank-dir: in
    /// a directory of each rank's own, DIR/.plotrand-rank-RRRR (best on local disks: ext4,
    /// XFS, btrfs, where creates in one shared directory wait for each other). auto: chosen
    /// from the output directory's file system. Not used by --pack.
    #[arg(long, value_name = "HOW", default_value = "auto", help_heading = FILES)]
    pub write_strategy: crate::output::fsinfo::WriteStrategy,

    /// fsync every file before renaming it into place
    ///
    /// So that plots survive a node crash, not only a killed job (slower, notably on
    /// parallel file systems).
    #[arg(long, help_heading = FILES)]
    pub sync: bool,

    /// Keep every plot's x, y and size arrays in DIR/data/rank_NNNN.h5
    ///
    /// Each plot's group is linked from the run record.
    #[arg(long, help_heading = FILES)]
    pub save_data: bool,

    /// Where to write the HDF5 run record [default: DIR/plotrand.h5]
    #[arg(long, value_name = "PATH", conflicts_with = "no_record", help_heading = RECORD)]
    pub record: Option<PathBuf>,

    /// Do not write the run record
    #[arg(long, help_heading = RECORD)]
    pub no_record: bool,

    /// Print only the header, failures, the timing table and the summary
    #[arg(short, long, help_heading = CONSOLE)]
    pub quiet: bool,

    /// Print version, build and MPI library information
    #[arg(short = 'V', long, help_heading = CONSOLE)]
    pub version: bool,
}

impl Cli {
    /// The command line of this process, parsed and checked: what clap checks, then what it
    /// lets through (flags of `--input` without it). Every rank reaches the same verdict.
    pub fn try_parse_checked() -> Result<Cli, clap::Error> {
        Cli::try_parse()?.check_input_only()?.check_linthresh()
    }

    /// [`Cli::try_parse_checked`] of `args` (the program's name first).
    pub fn try_parse_checked_from<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        Cli::try_parse_from(args)?
            .check_input_only()?
            .check_linthresh()
    }

    /// Refuses `--linthresh` for a norm other than symlog, which would ignore it.
    fn check_linthresh(self) -> Result<Cli, clap::Error> {
        if self.linthresh.is_none() || self.norm == NormName::Symlog {
            return Ok(self);
        }
        let norm = self
            .norm
            .to_possible_value()
            .map(|v| v.get_name().to_string());
        Err(Cli::command().error(
            clap::error::ErrorKind::ArgumentConflict,
            format!(
                "--linthresh sets the linear range of --norm symlog, and the norm is {}; add \
                 --norm symlog or leave --linthresh out",
                norm.unwrap_or_default()
            ),
        ))
    }

    /// Refuses the flags that act on `--input`'s objects when there is no `--input`. Not
    /// clap's `requires = "input"`: clap waives a requirement whose argument conflicts with
    /// one given, so `-n 3 --list` passed (and `--list` then had nothing to list).
    fn check_input_only(self) -> Result<Cli, clap::Error> {
        if self.input.is_some() || self.command.is_some() {
            return Ok(self);
        }
        match self
            .input_only_flags()
            .into_iter()
            .find(|(_, given)| *given)
        {
            Some((flag, _)) => Err(Cli::command().error(
                clap::error::ErrorKind::MissingRequiredArgument,
                input_only_message(flag),
            )),
            None => Ok(self),
        }
    }

    /// The flags that only mean something for `--input`'s objects, and whether each is given.
    fn input_only_flags(&self) -> [(&'static str, bool); 17] {
        [
            ("--list", self.list),
            ("--kind", self.kind.is_some()),
            ("--columns", self.columns.is_some()),
            ("--name", self.name.is_some()),
            ("--datasets", self.datasets.is_some()),
            ("--vmin", self.vmin.is_some()),
            ("--vmax", self.vmax.is_some()),
            ("--robust", self.robust),
            ("--range", self.range.is_some()),
            ("--select", !self.select.is_empty()),
            ("--isel", !self.isel.is_empty()),
            ("--cmap", self.cmap.is_some()),
            ("--norm", self.norm != NormName::Linear),
            ("--linthresh", self.linthresh.is_some()),
            ("--center", self.center.is_some()),
            ("--no-center", self.no_center),
            ("--levels", self.levels.is_some()),
        ]
    }
}

/// Why `flag` needs `--input`, and what to do.
fn input_only_message(flag: &str) -> String {
    let what = match flag {
        "--list" => "lists what an input file's objects give",
        "--vmin" | "--vmax" | "--cmap" | "--norm" | "--linthresh" | "--center" | "--no-center"
        | "--levels" | "--robust" => {
            "sets the colours of an input's heatmaps, and random data are scatter plots \
             without colours"
        }
        "--range" => "says which frames of an input's arrays share a value range",
        "--select" | "--isel" => "picks frames of an input's arrays",
        _ => "applies to an input file's objects",
    };
    format!("{flag} needs --input <FILE.h5>: it {what}; give --input, or leave {flag} out")
}

/// `--norm`, as typed; with `--linthresh` it becomes a [`crate::figure::Norm`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NormName {
    /// Evenly from the bottom of the colour range to its top
    Linear,
    /// Decades evenly; values at or below 0 are missing
    Log,
    /// Linear from -V to V (--linthresh V), decades beyond
    Symlog,
}

/// How plots are shared out among ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Schedule {
    Static,
    Dynamic,
}

/// When to draw a progress bar rather than progress lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProgressBarMode {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Speedup and efficiency from run records of the same work on different rank counts
    ///
    /// Sp = T1/Tp and Ep = Sp/p, from several records per rank count (the median is used);
    /// prints the table and draws the chart. Without a 1-rank run, the smallest rank count
    /// p0 is the base, taken as perfect: Sp = p0 T(p0) / Tp.
    Speedup {
        /// Run records (plotrand.h5 files) of one command line on different rank counts
        #[arg(required = true, value_name = "RECORD")]
        records: Vec<PathBuf>,
        /// Where to draw the chart (PNG)
        #[arg(long, value_name = "PNG", default_value = "speedup.png")]
        chart: PathBuf,
    },
    /// Write a sample HDF5 input with a skewed workload
    ///
    /// Datasets /skewed/d000, /skewed/d001 and on, of shape (n, 3), whose sizes grow from 10 points
    /// to --max-points (try: --input FILE, --schedule dynamic).
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
        /// Replace FILE if it exists
        #[arg(long)]
        force: bool,
    },
    /// Print one row per plot of a run record, for people, pandas, jq or a spreadsheet
    ///
    /// Columns: plot, rank, host, status, attempt, file, object (the --input object), elapsed
    /// seconds (milliseconds in the table), bytes, rows dropped (NaN or infinity), reason
    /// (why it failed or was not done), and for --pack runs the archive and the offset of the
    /// plot's bytes in it (the table shows ARCHIVE:FILE). A plot nobody drew has no rank or host.
    Report {
        /// The run record (plotrand.h5)
        #[arg(value_name = "RECORD")]
        record: PathBuf,
        /// table (aligned columns), csv (with a header row) or json (one object per line:
        /// `jq`, `pandas.read_json(path, lines=True)`)
        #[arg(long, value_name = "FMT", default_value = "table")]
        format: ReportFormat,
        /// Only the plots a --resume would make again: failed or not done
        #[arg(long)]
        failed: bool,
    },
    /// Write plots of a --pack run out of their archives as files
    ///
    /// Each plot is read at the archive, offset and length the run record gives, and written
    /// under the name it would have had unpacked. Archives named relatively in the record are
    /// found beside it. A record is trusted no further than the program's own names go: an
    /// archive that is not a regular file, a file two plots name (after the first) and a name
    /// the program would not give a plot are refused, each plot saying why.
    Extract {
        /// The run record (plotrand.h5) of a --pack run
        #[arg(value_name = "RECORD")]
        record: PathBuf,
        /// The plots to write out, by number
        #[arg(value_name = "PLOT", required_unless_present = "all", conflicts_with = "all", value_parser = whole_number(1, MAX_PLOTS))]
        plots: Vec<u64>,
        /// Every plot the run made
        #[arg(long)]
        all: bool,
        /// The directory to write them into (created if missing)
        #[arg(short, long = "output-dir", value_name = "DIR")]
        output_dir: PathBuf,
    },
    /// Print the man page or a shell's completions, made from these definitions
    ///
    /// For example: plotrand-mpi generate man > ~/.local/share/man/man1/plotrand-mpi.1
    Generate {
        #[arg(value_name = "WHAT")]
        what: Generated,
    },
}

/// How `report` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Table,
    Csv,
    Json,
}

/// The exit-status table at the end of `--help` and in the man page.
fn exit_status_help() -> String {
    let mut text = String::from("Exit status:");
    for exit in Exit::ALL {
        text += &format!("\n  {:>3}  {}", exit.code(), exit.meaning());
    }
    text
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
        &PngCompression::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()))
    }
}

impl ValueEnum for RangeSharing {
    fn value_variants<'a>() -> &'a [Self] {
        &RangeSharing::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    /// Every flag that acts on `--input`'s objects, alone or beside each random-data flag
    /// (which clap's own `requires` let through): refused, naming the flag.
    #[test]
    fn input_only_flags_need_input_whatever_else_is_given() {
        let flags = [
            &["--list"][..],
            &["--kind", "line"],
            &["--columns", "x,y"],
            &["--name", "{n}"],
            &["--datasets", "/g/*"],
            &["--vmin", "0"],
            &["--vmax", "1"],
            &["--robust"],
            &["--range", "frame"],
            &["--select", "level=850"],
            &["--isel", "time=0"],
            &["--cmap", "RdBu"],
            &["--norm", "symlog", "--linthresh", "1"],
            &["--center", "0"],
            &["--no-center"],
            &["--levels", "5"],
        ];
        let random: [&[&str]; 4] = [&[], &["-n", "3"], &["--seed", "1"], &["--points", "5"]];
        for flag in flags {
            for other in random {
                let args = ["plotrand-mpi"].iter().chain(other).chain(flag);
                let e = Cli::try_parse_checked_from(args).unwrap_err();
                assert_eq!(e.exit_code(), 2, "{flag:?} {other:?}");
                let text = e.to_string();
                assert!(
                    text.contains(&format!("{} needs --input", flag[0])),
                    "{flag:?} {other:?}: {text}"
                );
            }
            let with_input = ["plotrand-mpi", "--input", "a.h5"].iter().chain(flag);
            assert!(Cli::try_parse_checked_from(with_input).is_ok(), "{flag:?}");
        }
        let random_only = ["plotrand-mpi", "-n", "3", "--xlim", "0,2", "--ylim", "-1,1"];
        assert!(Cli::try_parse_checked_from(random_only).is_ok());
        let e = Cli::try_parse_checked_from(["plotrand-mpi", "--linthresh", "1"]).unwrap_err();
        assert!(e.to_string().contains("--linthresh needs --input"), "{e}");
    }

    #[test]
    fn the_cmap_help_names_every_map_there_is() {
        let long = Cli::command().render_long_help().to_string();
        let help = long
            .split("--cmap <NAME>")
            .nth(1)
            .unwrap()
            .split("--norm")
            .next()
            .unwrap();
        for name in ColourMap::names() {
            assert!(
                help.contains(&format!(" {name},"))
                    || help.contains(&format!(" {name}."))
                    || help.contains(&format!(" {name};")),
                "{name} in {help}"
            );
        }
    }

    #[test]
    fn colour_flags_say_what_they_take() {
        let parse = |args: &[&str]| {
            let all = ["plotrand-mpi", "--input", "a.h5"].iter().chain(args);
            Cli::try_parse_checked_from(all)
        };
        let c = parse(&["--cmap", "RdBu_r", "--levels", "-2,1,0.5"]).unwrap();
        assert_eq!(c.cmap, ColourMap::named("RdBu_r"));
        assert_eq!(c.levels, Some(Levels::Bounds(vec![-2.0, 0.5, 1.0])));
        assert_eq!(
            parse(&["--levels", "7"]).unwrap().levels,
            Some(Levels::Count(7))
        );
        let text = |args: &[&str]| parse(args).unwrap_err().to_string();
        let e = text(&["--cmap", "rdbu_r"]);
        assert!(
            e.contains("'rdbu_r' is not a colour map (names are case-sensitive: RdBu_r?)")
                && e.contains("viridis, plasma")
                && e.contains("with _r (reversed)"),
            "{e}"
        );
        assert!(text(&["--levels", "1"]).contains("give a whole number from 2 to 200"));
        assert!(text(&["--levels", "1,1,2"]).contains("gives a boundary twice"));
        assert!(text(&["--levels", "0,x"]).contains("'x' is not a finite number"));
        assert!(text(&["--linthresh", "0", "--norm", "symlog"]).contains("not a number above 0"));
        let e = text(&["--linthresh", "1"]);
        assert!(
            e.contains(
                "--linthresh sets the linear range of --norm symlog, and the norm is linear"
            ),
            "{e}"
        );
        assert!(text(&["--center", "1", "--no-center"]).contains("--no-center"));
        assert!(text(&["--norm", "cubic"]).contains("linear, log, symlog"));
    }

    #[test]
    fn help_lists_every_exit_status_under_headings() {
        let long = Cli::command().render_long_help().to_string();
        // clap makes `{n}` a line break in help: every template field must still show.
        for field in ["{object}", "{frame}", "{plot}"] {
            assert!(long.contains(field), "{field}\n{long}");
        }
        for exit in Exit::ALL {
            let line = format!("{:>3}  {}", exit.code(), exit.meaning());
            assert!(long.contains(&line), "{line}\n{long}");
        }
        for heading in [OUTPUT, RANDOM, INPUT, SCHEDULE, FILES, RECORD, CONSOLE] {
            assert!(long.contains(&format!("{heading}:")), "{heading}\n{long}");
        }
        let short = Cli::command().render_help().to_string();
        assert!(short.len() < long.len() / 2, "-h is the short form");
    }

    #[test]
    fn the_man_page_and_completions_come_from_the_definitions() {
        let mut man = Vec::new();
        generate(Generated::Man, &mut man).unwrap();
        let man = String::from_utf8(man).unwrap();
        assert!(man.contains(".TH plotrand-mpi") && man.contains("max\\-files\\-per\\-dir"));
        assert!(
            man.contains(".SH \"EXIT STATUS\"\n.TP\n0\nall plots written"),
            "{man}"
        );
        for option in ["\\-\\-chart", "\\-\\-failed", "\\-\\-force"] {
            assert!(
                man.contains(option),
                "the subcommands' {option} in the page"
            );
        }
        assert!(!man.contains("speedup(1)"), "no page that is not made");
        assert!(man.is_ascii(), "plain roff");
        for shell in [Generated::Bash, Generated::Zsh, Generated::Fish] {
            let mut script = Vec::new();
            generate(shell, &mut script).unwrap();
            let script = String::from_utf8(script).unwrap();
            assert!(script.contains("png-compression"), "{shell:?}");
        }
        let mut bash = Vec::new();
        generate(Generated::Bash, &mut bash).unwrap();
        let bash = String::from_utf8(bash).unwrap();
        assert!(
            bash.contains("cmd=\"plotrand__mpi__subcmd__report\"")
                && bash.contains("plotrand__mpi__subcmd__report)"),
            "a subcommand's name and its case label agree"
        );
    }
}
