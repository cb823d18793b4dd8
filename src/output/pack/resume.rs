//! `--resume --pack`, on rank 0 before any rank starts: every archive cut back to its last
//! whole member, its end marker put back, and the index of what the archives hold kept.

use super::tar::{checksum, ends_with_marker, member_end, scan, Scan, BLOCK, END_MARKER};
use super::{archives_in, PackIndex};
use crate::output::{open_ours, OutputDir};
use crate::plan::Plan;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Why the archives could not be prepared before a run (rank 0, exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error("--pack: could not {action} '{}': {source}; check the directory's permissions", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--pack: '{}' has the name of a rank's archive but {why}; nothing was removed or changed: move it out of the output directory, or choose another --output-dir", path.display())]
    NotOurs { path: PathBuf, why: &'static str },
}

/// What [`prepare`] did and found.
#[derive(Debug, Default)]
pub struct Prepared {
    /// Archives cut back (`--resume`).
    pub cut: usize,
    /// Archives of an earlier run removed (a fresh run).
    pub removed: usize,
    /// `--resume`: the plots the archives hold, and where.
    pub index: Option<PackIndex>,
}

/// Rank 0, before any rank starts, with the output directory locked. A fresh run removes the
/// archives an earlier run left (each rank makes its own anew); `--resume` cuts each archive
/// back to its last complete member whose plot ends as a whole file of `extension` does, and
/// indexes what they hold. Either way a file that only has an archive's name (a user's
/// `plots-2024.tar`) is neither removed nor cut: the run is refused before anything changes.
pub fn prepare(
    dir: &Path,
    resume: bool,
    extension: &str,
    resolve: &dyn Fn(&[u8]) -> Option<u64>,
) -> Result<Prepared, PrepareError> {
    let fail = |action, path: &Path| {
        let path = path.to_path_buf();
        move |source| PrepareError::Io {
            action,
            path,
            source,
        }
    };
    let archives = archives_in(dir).map_err(fail("list", dir))?;
    for (_, path) in &archives {
        if let Some(why) = not_made_here(path).map_err(fail("read", path))? {
            return Err(PrepareError::NotOurs {
                path: path.clone(),
                why,
            });
        }
    }
    let mut prepared = Prepared::default();
    let mut index = PackIndex::default();
    for (archive, path) in archives {
        if !resume {
            std::fs::remove_file(&path).map_err(fail("remove", &path))?;
            prepared.removed += 1;
            continue;
        }
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

/// Why the file at `path`, named as a rank's archive, is not one a rank made, if it is not:
/// ranks make regular files, empty or starting with a ustar header (a pax one for a long
/// name) with the fixed metadata every member has (mode 0644, owner 0:0, time 0). Read never
/// through a link.
fn not_made_here(path: &Path) -> std::io::Result<Option<&'static str>> {
    let kind = std::fs::symlink_metadata(path)?.file_type();
    if kind.is_symlink() {
        return Ok(Some("is a symbolic link"));
    }
    if !kind.is_file() {
        return Ok(Some("is not a regular file"));
    }
    let file = open_ours(path, std::fs::OpenOptions::new().read(true))?;
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(None); // a rank that had no plots
    }
    let mut block = [0u8; BLOCK as usize];
    if len < BLOCK || file.read_exact_at(&mut block, 0).is_err() {
        return Ok(Some(
            "is not one this program made: it is shorter than one tar block",
        ));
    }
    if block.iter().all(|&b| b == 0) {
        let empty = len == END_MARKER.len() as u64;
        return Ok((!empty).then_some("is not one this program made: it is no tar archive"));
    }
    let header = tar::Header::from_byte_slice(&block);
    if header.as_ustar().is_none() || header.cksum().ok() != Some(checksum(&block)) {
        return Ok(Some("is not one this program made: it is no ustar archive"));
    }
    let ours = header.mode().ok() == Some(0o644)
        && header.mtime().ok() == Some(0)
        && (header.entry_type() == tar::EntryType::XHeader
            || (header.uid().ok() == Some(0) && header.gid().ok() == Some(0)));
    Ok((!ours).then_some(
        "is not one this program made: its first member has a mode, owner or time of its own",
    ))
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
/// [`scan`] needs.
pub fn resolver<'a>(out: &'a OutputDir, plan: &Plan) -> Resolver<'a> {
    let find = out.plot_finder(plan.num_plots());
    Box::new(move |name| find(Path::new(std::str::from_utf8(name).ok()?)))
}
