//! What defines the bytes of a run's plots — seed, points, figure, layout, input and
//! selection, program version — written by rank 0 into the output directory before the first
//! plot, and checked by `--resume`: without `--seed` it takes the earlier seed, and any other
//! difference is refused, so one directory never mixes the plots of two different runs.
//!
//! The file is plain `key = value` lines, in this order, readable with `cat`.

use crate::config::Config;
use crate::figure::{Center, Levels, Norm};
use crate::output::MANIFEST_FILE_NAME;
use crate::plan::Plan;
use std::path::Path;

/// What `--resume` compares, in the order written. `seed` and `attempt` are handled apart.
const COMPARED: [&str; 10] = [
    "program_version",
    "points",
    "width",
    "height",
    "format",
    "png_compression",
    "layout",
    "input",
    "datasets",
    "drawing",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    pub seed: u64,
    /// 1 for a fresh run; one more for each `--resume`.
    pub attempt: u32,
    /// When the first attempt began, in nanoseconds since the Unix epoch on the output file
    /// system's clock (0: unknown, from an older manifest).
    pub began_ns: u64,
    /// The compared parameters, as `(key, value)` in `COMPARED` order.
    params: Vec<(&'static str, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("--resume: the earlier run in '{}' used {flag} {before}, this one {flag} {now}; run again with the same parameters, or choose another --output-dir", dir.display())]
    Differs {
        dir: std::path::PathBuf,
        flag: String,
        before: String,
        now: String,
    },
    #[error("--resume: '{}' has no {MANIFEST_FILE_NAME} saying which seed the earlier run used; pass that run's --seed (printed in its header and stored in its run record)", .0.display())]
    NoSeed(std::path::PathBuf),
    #[error("--resume: '{}' is not a manifest this program can read ({reason}); pass the earlier run's --seed, or choose another --output-dir", path.display())]
    Unreadable {
        path: std::path::PathBuf,
        reason: String,
    },
}

/// How input objects are drawn and named, when the command line says: `--kind`,
/// `--columns`, `--name`, `--vmin`/`--vmax`, `--xlim`, `--ylim`, the colour flags; "-" for
/// the defaults.
fn drawing(config: &Config) -> String {
    let choice = &config.choice;
    let range = |r: Option<(f64, f64)>| r.map(|(lo, hi)| format!("{lo},{hi}"));
    let colouring = &config.colouring;
    let norm = match colouring.norm {
        Norm::Linear => None,
        Norm::Log => Some("log".to_string()),
        Norm::SymLog { linthresh } => Some(format!("symlog --linthresh {linthresh}")),
    };
    let center = match colouring.center {
        Center::Auto => None,
        Center::At(c) => Some(c.to_string()),
        Center::Never => Some("none".to_string()),
    };
    let levels = colouring.levels.as_ref().map(|l| match l {
        Levels::Count(n) => n.to_string(),
        Levels::Bounds(b) => b.iter().map(f64::to_string).collect::<Vec<_>>().join(","),
    });
    let parts: Vec<String> = [
        ("--kind", choice.kind.map(|k| k.name().to_string())),
        ("--columns", choice.columns.as_ref().map(|c| c.join(","))),
        ("--name", config.name_template.clone()),
        ("--vmin,--vmax", range(choice.limits.colour)),
        ("--xlim", range(choice.limits.x)),
        ("--ylim", range(choice.limits.y)),
        (
            "--range",
            (choice.sharing != Default::default()).then(|| choice.sharing.name().into()),
        ),
        ("--robust", choice.robust.then(|| "on".into())),
        (
            "--select/--isel",
            (!choice.slices.is_empty()).then(|| format!("{:?}", choice.slices)),
        ),
        ("--cmap", colouring.cmap.map(|m| m.name())),
        ("--norm", norm),
        ("--center", center),
        ("--levels", levels),
    ]
    .into_iter()
    .filter_map(|(flag, value)| value.map(|v| format!("{flag} {v}")))
    .collect();
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(" ")
    }
}

/// Where the plots go: the manifest's `layout`.
fn layout(config: &Config) -> String {
    let files = config
        .max_files_per_dir
        .map_or("flat".into(), |n| format!("{n} plots per subdirectory"));
    if config.pack {
        format!("{files}, packed in per-rank tar archives")
    } else {
        files
    }
}

impl Manifest {
    /// The manifest of the run `config` describes, with `seed` and `attempt`; `input_identity`
    /// names the input file (absolute path, size, modification time) for input runs.
    pub fn new(
        config: &Config,
        plan: &Plan,
        seed: u64,
        attempt: u32,
        began_ns: u64,
        input_identity: Option<String>,
    ) -> Manifest {
        let figure = &config.figure;
        let random = matches!(plan, Plan::Random { .. });
        let values = [
            env!("CARGO_PKG_VERSION").to_string(),
            if random {
                config.points.to_string()
            } else {
                "-".into()
            },
            figure.width.to_string(),
            figure.height.to_string(),
            figure.format.extension().to_string(),
            figure.png_compression.name().to_string(),
            layout(config),
            input_identity.unwrap_or_else(|| "-".into()),
            config.datasets.clone().unwrap_or_else(|| "-".into()),
            drawing(config),
        ];
        Manifest {
            seed,
            attempt,
            began_ns,
            params: COMPARED.into_iter().zip(values).collect(),
        }
    }

    pub fn to_text(&self) -> String {
        let mut text = String::from(
            "# plotrand-mpi: what defines this directory's plots; --resume checks it\n",
        );
        text += &format!(
            "seed = {}\nattempt = {}\nbegan_ns = {}\n",
            self.seed, self.attempt, self.began_ns
        );
        for (key, value) in &self.params {
            text += &format!("{key} = {}\n", one_line(value));
        }
        text
    }

    pub fn parse(text: &str) -> Result<Manifest, String> {
        let mut seed = None;
        let mut attempt = None;
        let mut began_ns = 0;
        let mut found = std::collections::HashMap::new();
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let (key, value) = line
                .split_once(" = ")
                .ok_or_else(|| format!("line '{line}' is not 'key = value'"))?;
            match key {
                "seed" => seed = value.parse().ok(),
                "attempt" => attempt = value.parse().ok(),
                "began_ns" => began_ns = value.parse().unwrap_or(0),
                _ => {
                    found.insert(key.to_string(), value.to_string());
                }
            }
        }
        let params = COMPARED
            .into_iter()
            .map(|key| {
                found
                    .remove(key)
                    // Manifests from before these plots could be chosen drew the defaults.
                    .or_else(|| (key == "drawing").then(|| "-".to_string()))
                    .map(|v| (key, v))
                    .ok_or_else(|| format!("no {key}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Manifest {
            seed: seed.ok_or("no seed")?,
            attempt: attempt.ok_or("no attempt")?,
            began_ns,
            params,
        })
    }

    /// `self` is this run's manifest with its own seed (if given); `earlier` what the output
    /// directory holds. The first difference, named by its flag.
    pub fn check_against(
        &self,
        earlier: &Manifest,
        seed_given: bool,
        dir: &Path,
    ) -> Result<(), ManifestError> {
        let differs = |flag: &str, before: String, now: String| ManifestError::Differs {
            dir: dir.to_path_buf(),
            flag: flag.to_string(),
            before,
            now,
        };
        if seed_given && self.seed != earlier.seed {
            return Err(differs(
                "--seed",
                earlier.seed.to_string(),
                self.seed.to_string(),
            ));
        }
        for ((key, now), (_, before)) in self.params.iter().zip(&earlier.params) {
            if one_line(now) != *before {
                return Err(differs(flag_of(key), before.clone(), now.clone()));
            }
        }
        Ok(())
    }
}

/// The command-line flag a manifest key stands for, as the user knows it.
fn flag_of(key: &str) -> &str {
    match key {
        "program_version" => "program version",
        "points" => "--points",
        "width" => "--width",
        "height" => "--height",
        "format" => "--format",
        "png_compression" => "--png-compression",
        "layout" => "--max-files-per-dir",
        "input" => "--input",
        "datasets" => "--datasets",
        "drawing" => "the drawing flags",
        other => other,
    }
}

/// Values stay on one line (a glob or a path may hold a newline).
fn one_line(value: &str) -> String {
    value.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn config(args: &str) -> Config {
        let argv = std::iter::once("plotrand-mpi").chain(args.split_whitespace());
        Config::from_cli(crate::cli::Cli::try_parse_from(argv).unwrap())
    }

    fn manifest(args: &str, seed: u64) -> Manifest {
        Manifest::new(
            &config(args),
            &Plan::Random { num_plots: 9 },
            seed,
            1,
            1_764_000_000_000_000_000,
            None,
        )
    }

    #[test]
    fn the_text_reads_back() {
        let m = manifest("--points 30 --max-files-per-dir 5", 7);
        assert_eq!(Manifest::parse(&m.to_text()).unwrap(), m);
        assert!(Manifest::parse("seed = 1\n").is_err());
    }

    #[test]
    fn a_resume_with_other_parameters_is_refused_naming_the_flag() {
        let dir = Path::new("out");
        let earlier = manifest("", 7);
        assert!(manifest("", 8).check_against(&earlier, false, dir).is_ok());
        let e = manifest("", 8)
            .check_against(&earlier, true, dir)
            .unwrap_err();
        assert!(e.to_string().contains("--seed 7, this one --seed 8"), "{e}");
        let e = manifest("--points 300", 7)
            .check_against(&earlier, false, dir)
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("--points 500, this one --points 300"),
            "{e}"
        );
        let e = manifest("--format svg", 7)
            .check_against(&earlier, false, dir)
            .unwrap_err();
        assert!(e.to_string().contains("--format png"), "{e}");
    }
}
