//! The checked run configuration: the only reader of clap's output. Every rank builds the
//! same `Config` from the same argv; nothing here touches the file system (rank 0 checks
//! that, in `run::start`, and its verdict is broadcast, so errors are printed once).

use crate::cli::{Cli, NormName};
pub use crate::cli::{ProgressBarMode, Schedule};
use crate::figure::{Center, Colouring, FigureSpec, Levels, Norm};
use crate::output::RECORD_FILE_NAME;
use crate::source::ranges::robust::Space;
use crate::source::{Choice, Limits};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub output_dir: PathBuf,
    pub num_plots: u64,
    /// `None`: rank 0 draws a seed from the OS and broadcasts it.
    pub seed: Option<u64>,
    pub points: usize,
    pub figure: FigureSpec,
    /// How heatmaps are coloured (`--cmap`, `--norm`, `--center`, `--levels`).
    pub colouring: Colouring,
    pub quiet: bool,
    /// `Some` to plot an HDF5 file's objects instead of random data.
    pub input: Option<PathBuf>,
    pub datasets: Option<String>,
    /// Where the run record goes; `None` with --no-record.
    pub record: Option<PathBuf>,
    pub save_data: bool,
    pub file_locking: bool,
    /// fsync each file before its rename.
    pub sync: bool,
    /// At most this many plots per subdirectory; `None`: all in the output directory.
    pub max_files_per_dir: Option<u64>,
    /// Each rank appends its plots to its own tar archive.
    pub pack: bool,
    /// Where plot files are made before their rename (`fsinfo`).
    pub write_strategy: crate::output::fsinfo::WriteStrategy,
    pub schedule: Schedule,
    /// Skip plots already there; remove stale temporaries first.
    pub resume: bool,
    /// Plots per request with the dynamic schedule; `None`: chosen from the run's size.
    pub chunk: Option<u64>,
    /// Seconds between progress lines; 0 for none.
    pub progress_every: f64,
    /// Progress bar or lines.
    pub progress_bar: ProgressBarMode,
    /// How input objects are drawn: kind, columns, fixed limits.
    pub choice: Choice,
    /// `--list`: say what the input would give, draw nothing.
    pub list: bool,
    /// `--name`: the file name template of input plots.
    pub name_template: Option<String>,
}

/// A combination of flags clap cannot rule out by itself.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("--width {width} × --height {height} is {} pixels, more than the {MAX_FIGURE_PIXELS} a figure may have (each rank holds 3 bytes a pixel); choose a smaller figure", u64::from(*width) * u64::from(*height))]
    FigureTooLarge { width: u32, height: u32 },
    #[error("--vmin {vmin} is not below --vmax {vmax}; give a colour range whose bottom is below its top")]
    ColourRange { vmin: f64, vmax: f64 },
    #[error("--chunk sets the plots per request of --schedule dynamic, and the schedule is static; add --schedule dynamic or leave --chunk out")]
    ChunkWithoutDynamic,
    #[error("--norm symlog needs --linthresh V, the values within ±V it draws linearly; add it, e.g. --linthresh 1")]
    SymlogWithoutLinthresh,
    #[error("{flag} {value} is not above 0, and --norm log colours only values above 0; give {flag} above 0, or leave it out")]
    LogLimit { flag: &'static str, value: f64 },
    #[error("--center diverges the colours about a value, which --norm log's decades cannot; leave --center out, or use --norm symlog --linthresh V")]
    CenterWithLog,
    #[error("--levels colours by the bins between its boundaries, which --norm {norm} would not change; leave out --levels or --norm")]
    LevelsWithNorm { norm: &'static str },
}

impl Config {
    pub fn from_cli(cli: Cli) -> Config {
        let colouring = colouring(&cli);
        // A log norm's series are compared (extremes, --robust) over their positive values.
        let space = match colouring.norm {
            Norm::Log => Space::Log,
            _ => Space::Linear,
        };
        let record = match (cli.no_record, cli.record) {
            (true, _) => None,
            (false, Some(path)) => Some(path),
            (false, None) => Some(cli.output_dir.join(RECORD_FILE_NAME)),
        };
        Config {
            output_dir: cli.output_dir,
            num_plots: cli.num_plots,
            seed: cli.seed,
            // clap caps --points far below usize::MAX.
            points: cli.points as usize,
            figure: FigureSpec {
                width: cli.width,
                height: cli.height,
                format: cli.format,
                png_compression: cli.png_compression,
            },
            colouring,
            quiet: cli.quiet,
            input: cli.input,
            datasets: cli.datasets,
            record,
            save_data: cli.save_data,
            file_locking: !cli.no_file_locking,
            sync: cli.sync,
            max_files_per_dir: cli.max_files_per_dir,
            pack: cli.pack,
            write_strategy: cli.write_strategy,
            schedule: cli.schedule,
            resume: cli.resume,
            chunk: cli.chunk,
            progress_every: cli.progress,
            progress_bar: cli.progress_bar,
            choice: Choice {
                kind: cli.kind,
                columns: cli.columns.map(|c| c.0),
                limits: Limits {
                    x: cli.xlim,
                    y: cli.ylim,
                    colour: colour_limits(cli.vmin, cli.vmax),
                },
                sharing: cli.range.unwrap_or_default(),
                robust: cli.robust,
                slices: cli.select.into_iter().chain(cli.isel).collect(),
                space,
                shared: Default::default(),
            },
            list: cli.list,
            name_template: cli.name,
        }
    }
}

/// `--cmap`, `--norm`, `--linthresh`, `--center`/`--no-center`, `--levels`. A symlog norm
/// without `--linthresh` gets NaN, which [`check_limits`] refuses.
fn colouring(cli: &Cli) -> Colouring {
    Colouring {
        cmap: cli.cmap,
        norm: match cli.norm {
            NormName::Linear => Norm::Linear,
            NormName::Log => Norm::Log,
            NormName::Symlog => Norm::SymLog {
                linthresh: cli.linthresh.unwrap_or(f64::NAN),
            },
        },
        center: match (cli.center, cli.no_center) {
            (Some(c), _) => Center::At(c),
            (None, true) => Center::Never,
            (None, false) => Center::Auto,
        },
        levels: cli.levels.clone(),
    }
}

/// The checks of the colour flags that involve more than one flag (`--linthresh` without
/// symlog is the command line's: the configuration has no place for it).
fn check_colouring(config: &Config) -> Result<(), ConfigError> {
    let c = &config.colouring;
    let name = match c.norm {
        Norm::Linear => "linear",
        Norm::Log => "log",
        Norm::SymLog { .. } => "symlog",
    };
    if matches!(c.norm, Norm::SymLog { linthresh } if linthresh.is_nan()) {
        return Err(ConfigError::SymlogWithoutLinthresh);
    }
    if c.norm == Norm::Log {
        if let Some((lo, hi)) = config.choice.limits.colour {
            for (flag, value) in [("--vmin", lo), ("--vmax", hi)] {
                if value <= 0.0 {
                    return Err(ConfigError::LogLimit { flag, value });
                }
            }
        }
        if matches!(c.center, Center::At(_)) {
            return Err(ConfigError::CenterWithLog);
        }
    }
    if c.norm != Norm::Linear && matches!(c.levels, Some(Levels::Count(_) | Levels::Bounds(_))) {
        return Err(ConfigError::LevelsWithNorm { norm: name });
    }
    Ok(())
}

/// `--vmin`/`--vmax` as a range, NaN standing for the end that comes from the data.
fn colour_limits(vmin: Option<f64>, vmax: Option<f64>) -> Option<(f64, f64)> {
    match (vmin, vmax) {
        (None, None) => None,
        (lo, hi) => Some((lo.unwrap_or(f64::NAN), hi.unwrap_or(f64::NAN))),
    }
}

/// Most pixels in one figure: a rank holds the frame (3 bytes a pixel) and its encoding.
pub const MAX_FIGURE_PIXELS: u64 = 50_000_000;

/// Limits that involve more than one flag.
pub fn check_limits(config: &Config) -> Result<(), ConfigError> {
    let (width, height) = (config.figure.width, config.figure.height);
    if u64::from(width) * u64::from(height) > MAX_FIGURE_PIXELS {
        return Err(ConfigError::FigureTooLarge { width, height });
    }
    if config.chunk.is_some() && config.schedule == Schedule::Static {
        return Err(ConfigError::ChunkWithoutDynamic);
    }
    if let Some((lo, hi)) = config.choice.limits.colour {
        if lo >= hi {
            return Err(ConfigError::ColourRange { vmin: lo, vmax: hi });
        }
    }
    check_colouring(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_checked_from(std::iter::once("plotrand-mpi").chain(args.iter().copied()))
    }

    fn error_text(args: &[&str]) -> String {
        parse(args).unwrap_err().to_string()
    }

    #[test]
    fn defaults_reproduce_the_lesson() {
        let c = Config::from_cli(parse(&[]).unwrap());
        assert_eq!(c.points, 500);
        assert_eq!((c.figure.width, c.figure.height), (640, 480));
        assert_eq!(c.figure.format, crate::figure::Format::Png);
        assert_eq!(c.num_plots, 64);
        assert_eq!(c.seed, None);
        assert_eq!(c.record, Some(PathBuf::from("plots/plotrand.h5")));
        assert!(c.file_locking && !c.save_data && c.input.is_none());
    }

    #[test]
    fn record_flags() {
        let c = Config::from_cli(parse(&["-o", "out", "--no-record"]).unwrap());
        assert_eq!(c.record, None);
        let c = Config::from_cli(parse(&["--record", "/tmp/r.h5"]).unwrap());
        assert_eq!(c.record, Some(PathBuf::from("/tmp/r.h5")));
        assert!(error_text(&["--record", "x.h5", "--no-record"]).contains("--no-record"));
    }

    #[test]
    fn input_flags_exclude_random_ones() {
        assert!(error_text(&["--input", "a.h5", "-n", "3"]).contains("--num-plots"));
        assert!(error_text(&["--input", "a.h5", "--points", "3"]).contains("--points"));
        assert!(error_text(&["--datasets", "/x"]).contains("--input"));
        let c = Config::from_cli(parse(&["--input", "a.h5", "--datasets", "/g/*"]).unwrap());
        assert_eq!(c.datasets.as_deref(), Some("/g/*"));
    }

    #[test]
    fn bad_counts_name_the_flag() {
        for args in [
            &["-n", "0"][..],
            &["-n", "-3"],
            &["-n", "many"],
            &["--num-plots", "2147483648"],
        ] {
            let text = error_text(args);
            assert!(text.contains("--num-plots"), "{args:?}: {text}");
        }
        assert!(error_text(&["--points", "0"]).contains("--points"));
        assert!(error_text(&["--width", "8"]).contains("--width"));
        assert!(error_text(&["--seed", "-1"]).contains("--seed"));
    }

    #[test]
    fn out_of_range_numbers_say_what_is_allowed() {
        let text = error_text(&["-n", "-5"]);
        assert!(
            text.contains("-5 is out of range; give a whole number from 1 to 2147483647"),
            "{text}"
        );
        let text = error_text(&["--width", "ten"]);
        assert!(
            text.contains("'ten' is not a whole number; give one from 16 to 16384"),
            "{text}"
        );
    }

    #[test]
    fn a_later_flag_overrides_an_earlier_one() {
        let c =
            Config::from_cli(parse(&["-o", "plots", "-n", "64", "-n", "200", "-o", "x"]).unwrap());
        assert_eq!((c.num_plots, c.output_dir), (200, PathBuf::from("x")));
    }

    #[test]
    fn progress_takes_finite_seconds_and_resume_excludes_save_data() {
        for bad in ["nan", "-1", "inf", "soon"] {
            assert!(
                error_text(&["--progress", bad]).contains("--progress"),
                "{bad}"
            );
        }
        assert!(error_text(&["--resume", "--save-data"]).contains("--save-data"));
    }

    #[test]
    fn unknown_format_lists_the_choices() {
        let text = error_text(&["--format", "gif"]);
        assert!(
            text.contains("--format") && text.contains("png, svg, pdf"),
            "{text}"
        );
    }

    #[test]
    fn empty_output_dir_is_rejected() {
        assert!(error_text(&["-o", ""]).contains("--output-dir"));
    }
}
