//! `plotrand-mpi extract RECORD [PLOT…|--all] -o DIR`: writes packed plots (`--pack`) out as
//! files, reading each one at the archive, offset and length its run record gives, without
//! scanning the archives. Files get the names the plots would have had unpacked.

use crate::exit::{Error, Exit};
use crate::output;
use crate::output::pack;
use crate::plan::PlotStatus;
use crate::sinks::console;
use crate::sinks::record::{RecordedRow, ResultsReader};
use crate::text::escape_controls;
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
    let said = format!("Extracted {} plot(s) into {out}\n", extraction.written);
    let printed = console::print(&said);
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
        let archive = row.archive.as_str();
        if archive.is_empty() {
            return Err(format!(
                "it was not packed: it is the file '{}' of the run's output directory",
                row.file.as_str()
            ));
        }
        let relative = Path::new(row.file.as_str());
        if !pack::stays_inside(relative) {
            return Err(format!(
                "the record names it '{}', which would leave {}",
                row.file.as_str(),
                self.out_dir.display()
            ));
        }
        let path = self.record_dir.join(archive);
        let file = match self.archives.get(archive) {
            Some(file) => file,
            None => {
                let file = pack::open_archive(&path)
                    .map_err(|e| format!("could not open '{}': {e}", path.display()))?;
                self.archives.entry(archive.to_string()).or_insert(file)
            }
        };
        let bytes = pack::read_member(file, row.offset, row.bytes)
            .map_err(|e| format!("could not read it from '{}': {e}", path.display()))?;
        pack::write_out(self.out_dir, relative, &bytes).map_err(|e| {
            format!(
                "could not write '{}': {e}{}",
                self.out_dir.join(relative).display(),
                output::hint(&e)
            )
        })?;
        self.written += 1;
        Ok(())
    }
}
