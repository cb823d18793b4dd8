//! `plotrand-mpi extract RECORD [PLOT…|--all] -o DIR`: writes packed plots (`--pack`) out as
//! files, reading each one at the archive, offset and length its run record gives, without
//! scanning the archives. Files get the names the plots would have had unpacked; a record
//! whose names, archives or rows are not what the program writes (forged or damaged) is
//! trusted no further than that: see [`plot_file_name`] and [`Extraction::claim`].

use crate::exit::{Error, Exit};
use crate::figure::Format;
use crate::output;
use crate::output::pack;
use crate::plan::PlotStatus;
use crate::sinks::console;
use crate::sinks::record::{RecordedRow, ResultsReader};
use crate::text::{escape_controls, is_unsafe_to_show};
use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};

pub fn run(record: &Path, plots: &[u64], all: bool, out_dir: &Path) -> Result<Exit, Error> {
    let unreadable = |e: Box<dyn std::error::Error + Send + Sync>| {
        format!("could not read run record '{}': {e}", record.display())
    };
    let reader = ResultsReader::open(record).map_err(|e| Error::usage(unreadable(e)))?;
    output::prepare(out_dir).map_err(Error::usage)?;
    let mut wanted: BTreeSet<u64> = plots.iter().copied().collect();
    let mut extraction = Extraction {
        record_dir: output::parent_or_dot(record).to_path_buf(),
        out_dir,
        archives: HashMap::new(),
        claimed: HashMap::new(),
        written: 0,
        failed: 0,
    };
    reader
        .for_each(|rows| {
            for row in rows.iter().filter(|r| all || wanted.remove(&r.plot)) {
                if let Err(reason) = extraction.one(row) {
                    let reason = escape_controls(&reason).into_owned();
                    eprintln!("Failed: plot {}: {reason}", row.plot);
                    extraction.failed += 1;
                }
            }
            Ok(())
        })
        .map_err(|e| Error::failed(unreadable(e)))?;
    let out = escape_controls(&out_dir.display().to_string()).into_owned();
    let mut said = format!("Extracted {} plot(s) into {out}", extraction.written);
    if extraction.failed > 0 {
        said += &format!("; {} failed (see above)", extraction.failed);
    }
    let printed = console::print(&(said + "\n"));
    if !wanted.is_empty() {
        let missing: Vec<String> = wanted.iter().map(u64::to_string).collect();
        return Err(Error::usage(format!(
            "no plot {} in the run record; `plotrand-mpi report RECORD` lists its plots",
            missing.join(", ")
        )));
    }
    printed.map_err(|e| Error::failed(format!("could not print what was extracted: {e}")))?;
    Ok(if extraction.failed > 0 {
        Exit::SomeFailed
    } else {
        Exit::AllWritten
    })
}

struct Extraction<'a> {
    /// Relative archive paths in the record are relative to the record.
    record_dir: PathBuf,
    out_dir: &'a Path,
    /// Archives opened so far, by their path in the record.
    archives: HashMap<String, File>,
    /// The output files taken so far (case folded, as a case-insensitive file system sees
    /// them), with the plot that took each: a second row naming one is refused, not written
    /// over the first.
    claimed: HashMap<String, u64>,
    written: u64,
    failed: u64,
}

impl Extraction<'_> {
    fn one(&mut self, row: &RecordedRow) -> Result<(), String> {
        match row.status.known() {
            Some(PlotStatus::Ok | PlotStatus::Skipped) => {}
            Some(status) => {
                return Err(format!(
                    "it was not made ({}); run again with --resume",
                    status.name()
                ))
            }
            None => {
                return Err(format!(
                    "its status in the record is {}, which this version does not know \
                     (a newer plotrand-mpi's record, or a damaged one): extract it with the \
                     version that wrote the record",
                    row.status.0
                ))
            }
        }
        // Strings of the record are read from their bytes, those that are not UTF-8 as
        // `\xNN`: a name holding such an escape names no archive and no plot's file.
        let archive = row.archive.as_str();
        if archive.is_empty() {
            return Err(format!(
                "it was not packed: it is the file '{}' of the run's output directory",
                row.file
            ));
        }
        let relative = plot_file_name(&row.file)
            .map_err(|why| format!("the record names it '{}', {why}; not written", row.file))?;
        self.claim(&relative, row.plot)?;
        let path = self.record_dir.join(archive);
        let file = match self.archives.get(archive) {
            Some(file) => file,
            None => {
                let file = output::open_regular(&path)
                    .map_err(|e| format!("could not open '{}': {e}", path.display()))?;
                self.archives.entry(archive.to_string()).or_insert(file)
            }
        };
        let bytes = pack::read_member(file, row.offset, row.bytes)
            .map_err(|e| format!("could not read it from '{}': {e}", path.display()))?;
        pack::write_out(self.out_dir, &relative, &bytes).map_err(|e| {
            format!(
                "could not write '{}': {e}{}",
                self.out_dir.join(&relative).display(),
                output::hint(&e)
            )
        })?;
        self.written += 1;
        Ok(())
    }

    /// Takes `relative` for `plot`, unless an earlier row of the record took it.
    fn claim(&mut self, relative: &Path, plot: u64) -> Result<(), String> {
        let key = relative.to_string_lossy().to_lowercase();
        match self.claimed.get(&key) {
            Some(&first) => Err(format!(
                "the record names it '{}', as it names plot {first}: two plots never share a \
                 file, so the record is not one this program wrote as it is; only plot {first} \
                 is written there",
                relative.display()
            )),
            None => {
                self.claimed.insert(key, plot);
                Ok(())
            }
        }
    }
}

/// Where a row's plot goes under the output directory, if its `file` is a name this program
/// gives a plot: `NAME.EXT` or `DIGITS/NAME.EXT` (`--max-files-per-dir`), EXT a plot format's,
/// NAME printable UTF-8 (`plot_7`, a sanitised object path, a `--name` template, which may
/// not hold controls either). Anything else comes from a forged or damaged record, and is
/// refused rather than escaped into some other name: unlike tar, which must keep whatever
/// names an archive made elsewhere carries (GNU tar writes control characters as they are,
/// and only refuses `..` and strips a leading `/`), we know every name the program makes, and
/// a name nobody asked for, or one with a raw escape in it, would help no one.
fn plot_file_name(file: &str) -> Result<PathBuf, &'static str> {
    if file.contains(is_unsafe_to_show) {
        return Err("which holds control or bidirectional formatting characters");
    }
    // The record's bytes that are not UTF-8 are read as `\xNN`; no name the program makes
    // holds a backslash (`--name` refuses one).
    if file.contains('\\') {
        return Err("which holds bytes that are not UTF-8, or a backslash");
    }
    let relative = Path::new(file);
    if !pack::stays_inside(relative) {
        return Err("which would leave the output directory");
    }
    let parts: Vec<&str> = file.split('/').collect();
    let (name, subdir) = match parts[..] {
        [name] => (name, None),
        [subdir, name] => (name, Some(subdir)),
        _ => return Err("which is deeper than a plot's subdirectory"),
    };
    if subdir.is_some_and(|d| d.len() < 4 || !d.bytes().all(|b| b.is_ascii_digit())) {
        return Err(
            "whose directory is not a plot subdirectory (digits, as --max-files-per-dir makes)",
        );
    }
    let is_plot = Format::ALL.iter().any(|f| {
        name.strip_suffix(f.extension())
            .is_some_and(|stem| stem.len() > 1 && stem.ends_with('.'))
    });
    if !is_plot {
        return Err("which is not the name of a plot (png, svg or pdf)");
    }
    Ok(relative.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_the_program_gives_plots_are_written() {
        for good in [
            "plot_7.png",
            "0001/plot_1007.svg",
            "exp1_run_3_xy_0042.pdf",
            "café.png",
        ] {
            assert_eq!(plot_file_name(good), Ok(PathBuf::from(good)), "{good}");
        }
        for (bad, why) in [
            ("\u{1b}[31mred.png", "control"),
            ("x\u{202e}gnp.exe.png", "bidirectional"),
            ("a\nb.png", "control"),
            ("../plot_1.png", "leave"),
            ("/etc/plot_1.png", "leave"),
            ("./plot_1.png", "leave"),
            ("", "leave"),
            ("0000/0001/plot_1.png", "deeper"),
            ("etc/plot_1.png", "subdirectory"),
            ("plotrand.h5", "not the name of a plot"),
            ("plots-0000.tar", "not the name of a plot"),
            (".png", "not the name of a plot"),
            ("0000/", "not the name of a plot"),
        ] {
            let e = plot_file_name(bad).unwrap_err();
            assert!(e.contains(why), "{bad:?}: {e}");
        }
    }
}
