//! `--resume --pack`, on rank 0 before any rank starts: every archive cut back to its last
//! whole member, its end marker put back, and the index of what the archives hold kept.

use super::tar::{ends_with_marker, member_end, scan, Scan, END_MARKER};
use super::{archives_in, PackIndex};
use crate::output::{open_ours, OutputDir};
use crate::plan::Plan;
use std::collections::HashMap;
use std::fs::File;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Why the archives could not be prepared before a run (rank 0, exit status 2).
#[derive(Debug, thiserror::Error)]
#[error("--pack: could not {action} '{}': {source}; check the directory's permissions", path.display())]
pub struct PrepareError {
    action: &'static str,
    path: PathBuf,
    source: std::io::Error,
}

/// What [`prepare`] did and found.
#[derive(Debug, Default)]
pub struct Prepared {
    /// Archives cut back (`--resume`).
    pub cut: usize,
    /// `--resume`: the plots the archives hold, and where.
    pub index: Option<PackIndex>,
}

/// Rank 0, before any rank starts, with the output directory locked. A fresh run removes the
/// archives an earlier run left (each rank makes its own anew); `--resume` cuts each archive
/// back to its last complete member whose plot ends as a whole file of `extension` does, and
/// indexes what they hold.
pub fn prepare(
    dir: &Path,
    resume: bool,
    extension: &str,
    resolve: &dyn Fn(&[u8]) -> Option<u64>,
) -> Result<Prepared, PrepareError> {
    let fail = |action, path: &Path| {
        let path = path.to_path_buf();
        move |source| PrepareError {
            action,
            path,
            source,
        }
    };
    let mut prepared = Prepared::default();
    let mut index = PackIndex::default();
    for (archive, path) in archives_in(dir).map_err(fail("list", dir))? {
        if !resume {
            std::fs::remove_file(&path).map_err(fail("remove", &path))?;
            continue;
        }
        // Read and cut back only archives of our own, never through a link.
        open_ours(&path, std::fs::OpenOptions::new().read(true)).map_err(fail("read", &path))?;
        let scan = scan(&path, resolve).map_err(fail("read", &path))?;
        let end = whole_end(&path, &scan, extension).map_err(fail("read", &path))?;
        if scan.len != end + END_MARKER.len() as u64 || !ends_with_marker(&path, scan.len) {
            cut_back(&path, end).map_err(fail("cut back", &path))?;
            prepared.cut += 1;
        }
        index.add(archive, scan.members.iter().take_while(|m| m.offset < end));
    }
    if resume {
        index.plots.sort_by_key(|&(plot, _)| plot); // stable: the first place of a plot first
        index.plots.dedup_by_key(|&mut (plot, _)| plot);
        prepared.index = Some(index);
    }
    Ok(prepared)
}

/// Where the last member of `scan` whose data ends as a whole plot file ends: a member that
/// a crashed node left full of zeros is cut too.
pub(super) fn whole_end(path: &Path, scan: &Scan, extension: &str) -> std::io::Result<u64> {
    let file = File::open(path)?;
    let mut members = scan.members.as_slice();
    while let Some((last, before)) = members.split_last() {
        if last.plot.is_none() {
            break; // not a plot of this run: kept as it is
        }
        let head_len = last.size.min(8) as usize;
        let tail_len = last.size.min(32);
        let mut head = vec![0; head_len];
        let mut tail = vec![0; tail_len as usize];
        file.read_exact_at(&mut head, last.offset)?;
        file.read_exact_at(&mut tail, last.offset + last.size - tail_len)?;
        if crate::output::ends_whole(extension, &head, &tail) {
            break;
        }
        members = before;
    }
    // `scan` keeps only members that end inside the archive.
    Ok(members
        .last()
        .map_or(0, |m| member_end(m.offset, m.size).unwrap_or(u64::MAX)))
}

/// Cuts the archive at `path` to `end` bytes and puts the end marker after them.
pub(super) fn cut_back(path: &Path, end: u64) -> std::io::Result<()> {
    let file = open_ours(path, std::fs::OpenOptions::new().write(true))?;
    file.set_len(end)?;
    file.write_all_at(&END_MARKER, end)?;
    file.sync_all()
}

/// The plot a member's name is, if it is one of this run's.
pub type Resolver<'a> = Box<dyn Fn(&[u8]) -> Option<u64> + 'a>;

/// Names the plot a member's name is, as the output directory names plots: what
/// [`scan`] needs. Random plots are parsed; an input run's names are looked up.
pub fn resolver<'a>(out: &'a OutputDir, plan: &Plan) -> Resolver<'a> {
    let n = plan.num_plots();
    match plan {
        Plan::Random { .. } => Box::new(move |name| {
            let name = std::str::from_utf8(name).ok()?;
            out.plot_at(Path::new(name), n)
        }),
        _ => {
            let names: HashMap<Vec<u8>, u64> = (1..=n)
                .map(|k| (out.relative_path(k).into_os_string().into_vec(), k))
                .collect();
            Box::new(move |name| names.get(name).copied())
        }
    }
}
