//! Rank 0's checks and preparations before any rank draws: limits, a usable and locked output
//! directory, (--resume) the clean-up of what a killed run left, the plan, a safe place for the
//! record, the seed and the manifest that pins what the plots are. Its verdict reaches every
//! rank in one broadcast, so a mistake is reported once, by rank 0, and nobody waits forever.

use super::manifest::{Manifest, ManifestError};
use crate::comm::{self, Comm};
use crate::config::{self, Config, ConfigError};
use crate::exit::Error;
use crate::output::pack::{self, PackIndex};
use crate::output::{self, OutputDir, OutputLock};
use crate::plan::{Agreement, Plan};
use crate::sinks::record;
use crate::source::input::{self as input, InputError, Selection};
use crate::source::seed;
use crate::text::escape_controls;
use std::path::Path;
use std::time::SystemTime;

/// Why a run cannot start: reported once, by rank 0, with exit status 2.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Setup(#[from] output::SetupError),
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Resume(#[from] ManifestError),
    #[error("--name '{template}' would give several plots one name: {why}")]
    NameClash { template: String, why: String },
    #[error(transparent)]
    Pack(#[from] pack::PrepareError),
    #[error("no --seed given and {0}; pass --seed")]
    NoSeed(std::io::Error),
}

/// What rank 0 settles before any rank starts.
pub(super) struct Agreed {
    pub(super) agreement: Agreement,
    /// Rank 0's own part; `None` on the other ranks.
    pub(super) root: Option<RootSetup>,
}

/// What only rank 0 holds during the run.
pub(super) struct RootSetup {
    /// Stale temporary files removed (--resume).
    pub(super) removed_temporaries: usize,
    /// Archives cut back to their last whole plot (--resume --pack).
    pub(super) cut_archives: usize,
    /// Archives an earlier run left, removed by a fresh `--pack` run.
    pub(super) removed_archives: usize,
    /// --resume --pack: where the plots already packed are.
    pub(super) pack_index: Option<PackIndex>,
    /// 1 for a fresh run, one more for each --resume.
    pub(super) attempt: u32,
    /// Held until the run ends; `None` with --no-file-locking.
    _lock: Option<OutputLock>,
}

pub(super) fn output_dir(config: &Config, plan: &Plan, began: Option<SystemTime>) -> OutputDir {
    OutputDir::new(
        &config.output_dir,
        plan,
        config.figure.format,
        config.max_files_per_dir,
        config.sync,
        began,
        config.name_template.as_deref(),
    )
}

/// The plan and run seed every rank agrees on, or `None` after rank 0 has reported why not.
pub(super) fn agree(comm: &Comm, config: &Config) -> Result<Option<Agreed>, StartError> {
    let checked = comm.is_root().then(|| root_checks(config));
    let (root_agreement, root, failure) = match checked {
        Some(Ok((agreement, setup))) => (Some(agreement), Some(setup), None),
        Some(Err(e)) => (None, None, Some(e)),
        None => (None, None, None),
    };
    // Every rank takes part, whatever rank 0 found: nobody may be left waiting.
    let agreement = comm.share_agreement(root_agreement.as_ref());
    match (agreement, failure) {
        (_, Some(e)) => Err(e),
        (Some(agreement), None) => Ok(Some(Agreed { agreement, root })),
        (None, None) => Ok(None),
    }
}

impl StartError {
    /// How `main` reports it: only a command-line mistake is helped by `--help`.
    pub fn into_error(self) -> Error {
        match self {
            StartError::Config(_) => Error::command_line(self),
            _ => Error::usage(self),
        }
    }
}

/// Rank 0's checks and preparations before any work: limits; a usable output directory,
/// locked against a second job; (--resume) the clean-up of what a killed run left; the plan;
/// a safe place for the record; the seed and the manifest that pins what the plots are.
fn root_checks(config: &Config) -> Result<(Agreement, RootSetup), StartError> {
    config::check_limits(config)?;
    let dir = &config.output_dir;
    let now = output::prepare(dir)?;
    let lock = if config.file_locking {
        let holder = format!(
            "host {}, pid {}, started {}",
            comm::processor_name(),
            std::process::id(),
            humantime::format_rfc3339_seconds(std::time::SystemTime::now())
        );
        Some(output::lock(dir, &holder)?)
    } else {
        None
    };
    let plan = match &config.input {
        Some(path) => {
            let selection = Selection::new(config.datasets.as_deref())?;
            let listing = input::listing(path, &selection, &config.choice)?;
            // Objects HDF5 could not open are left out: say so, with the first one's reason.
            if let Some(note) = listing.note(path) {
                eprintln!("{}", escape_controls(&note));
            }
            for note in &listing.notes {
                eprintln!("{}", escape_controls(note));
            }
            Plan::Input {
                objects: listing.objects.into(),
            }
        }
        None => Plan::Random {
            num_plots: config.num_plots,
        },
    };
    if let Some(template) = &config.name_template {
        if let Some(why) = output::name_clash(template, &plan) {
            return Err(StartError::NameClash {
                template: template.clone(),
                why,
            });
        }
    }
    if let Some(record) = &config.record {
        output::check_record_dir(record)?;
        output::check_record_place(
            record,
            &output_dir(config, &plan, None),
            plan.num_plots(),
            config.input.as_deref(),
            record::is_run_record,
        )?;
    }
    let manifest = pin_down(config, &plan, nanos_since_epoch(now))?;
    // Before any rank writes, and with the directory locked: what a killed run left
    // half-written can only be its own.
    let removed_temporaries = if config.resume {
        output::remove_stale_temporaries(dir)?
    } else {
        0
    };
    let prepared = if config.pack {
        let out = output_dir(config, &plan, None);
        let extension = config.figure.format.extension();
        let resolve = pack::resolver(&out, &plan);
        pack::prepare(dir, config.resume, extension, &resolve)?
    } else {
        pack::Prepared::default()
    };
    output::write_manifest(dir, &manifest.to_text())?;
    let agreement = Agreement {
        plan,
        seed: manifest.seed,
        began_ns: manifest.began_ns,
    };
    let setup = RootSetup {
        removed_temporaries,
        cut_archives: prepared.cut,
        removed_archives: prepared.removed,
        pack_index: prepared.index,
        attempt: manifest.attempt,
        _lock: lock,
    };
    Ok((agreement, setup))
}

fn nanos_since_epoch(t: SystemTime) -> u64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// The manifest of this run: a fresh one beginning `now_ns`, or with --resume one that agrees
/// with the earlier run's, whose seed it takes when --seed is not given, and whose start it
/// keeps.
fn pin_down(config: &Config, plan: &Plan, now_ns: u64) -> Result<Manifest, StartError> {
    let dir = &config.output_dir;
    let earlier = if config.resume {
        read_manifest(dir)?
    } else {
        None
    };
    let extension = config.figure.format.extension();
    let seed = match (config.seed, &earlier) {
        (Some(seed), _) => seed,
        (None, Some(earlier)) => earlier.seed,
        (None, None) if config.resume && output::holds_plots(dir, extension) => {
            return Err(ManifestError::NoSeed(dir.clone()).into());
        }
        (None, None) => seed::from_os().map_err(StartError::NoSeed)?,
    };
    let (attempt, began_ns) = earlier
        .as_ref()
        .map_or((1, now_ns), |m| (m.attempt + 1, m.began_ns));
    let identity = config.input.as_deref().map(input_identity);
    let manifest = Manifest::new(config, plan, seed, attempt, began_ns, identity);
    if let Some(earlier) = &earlier {
        manifest.check_against(earlier, config.seed.is_some(), dir)?;
    }
    Ok(manifest)
}

fn read_manifest(dir: &Path) -> Result<Option<Manifest>, ManifestError> {
    let path = dir.join(output::MANIFEST_FILE_NAME);
    match output::read_manifest(dir) {
        Ok(Some(text)) => Manifest::parse(&text)
            .map(Some)
            .map_err(|reason| ManifestError::Unreadable { path, reason }),
        Ok(None) => Ok(None),
        Err(e) => Err(ManifestError::Unreadable {
            path,
            reason: e.to_string(),
        }),
    }
}

/// The input file as the manifest pins it: absolute path, size and modification time, so
/// that a file changed between attempts is noticed.
fn input_identity(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let facts = std::fs::metadata(path).map(|m| {
        let modified = m
            .modified()
            .ok()
            .map(|t| humantime::format_rfc3339_nanos(t).to_string())
            .unwrap_or_default();
        format!("{} bytes, modified {modified}", m.len())
    });
    format!(
        "{} ({})",
        absolute.display(),
        facts.unwrap_or_else(|e| e.to_string())
    )
}
