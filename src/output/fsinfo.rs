//! Which file system the output directory is on (`statfs`'s `f_type`), and the way of writing
//! plot files that suits it (`--write-strategy`). Every plot is written under a temporary name
//! and renamed into place; what differs is where the temporary is made:
//!
//! - `same-dir`: beside the plot, renamed within its directory. On Lustre a rename *across*
//!   directories takes a file-system-wide lock on the metadata server, and only renames within
//!   one directory avoid it (since Lustre 2.15); on NFS, GPFS, BeeGFS and other networked file
//!   systems every namespace operation is a server round trip either way. The safe choice.
//! - `rank-dir`: in a directory of the rank's own (`DIR/.plotrand-rank-RRRR`), renamed into
//!   the plot's directory. On a local file system (ext4, XFS, btrfs) the create, the
//!   expensive part, then takes no lock on the directory that the other ranks write into:
//!   measured in BENCHMARKS.md ("The flat layout at the floor").

use std::path::Path;

/// `--write-strategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WriteStrategy {
    /// Chosen from the output directory's file system
    Auto,
    /// Temporaries beside the plot, renamed within its directory
    SameDir,
    /// Temporaries in a directory of each rank's own, renamed into the plot's directory
    RankDir,
}

/// File systems told apart by their `statfs` magic numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsKind {
    Ext4,
    Xfs,
    Btrfs,
    Tmpfs,
    Nfs,
    Lustre,
    Gpfs,
    BeeGfs,
    Ceph,
    Other(u64),
}

impl FsKind {
    pub fn from_magic(magic: u64) -> FsKind {
        match magic {
            0xEF53 => FsKind::Ext4, // ext2, ext3 and ext4 share it
            0x5846_5342 => FsKind::Xfs,
            0x9123_683E => FsKind::Btrfs,
            0x0102_1994 => FsKind::Tmpfs,
            0x6969 => FsKind::Nfs,
            0x0BD0_0BD0 => FsKind::Lustre,
            0x4750_4653 => FsKind::Gpfs,
            0x1983_0326 => FsKind::BeeGfs,
            0x00C3_6400 => FsKind::Ceph,
            other => FsKind::Other(other),
        }
    }

    /// What `auto` chooses on this file system: per-rank directories where creates in one
    /// shared directory serialize on a local lock, renames within a directory elsewhere.
    pub fn best_strategy(self) -> WriteStrategy {
        match self {
            FsKind::Ext4 | FsKind::Xfs | FsKind::Btrfs => WriteStrategy::RankDir,
            _ => WriteStrategy::SameDir,
        }
    }
}

/// The file system `path` is on, if `statfs` can tell.
pub fn kind(path: &Path) -> Option<FsKind> {
    let stat = rustix::fs::statfs(path).ok()?;
    #[allow(clippy::unnecessary_cast)] // its type differs between architectures
    Some(FsKind::from_magic(stat.f_type as u64))
}

/// The strategy `wanted` resolves to for the output directory `dir`: `auto` by its file
/// system, `same-dir` when that cannot be told.
pub fn resolve(wanted: WriteStrategy, dir: &Path) -> WriteStrategy {
    match wanted {
        WriteStrategy::Auto => kind(dir).map_or(WriteStrategy::SameDir, FsKind::best_strategy),
        chosen => chosen,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_numbers_name_file_systems_and_their_strategy() {
        assert_eq!(FsKind::from_magic(0xEF53), FsKind::Ext4);
        assert_eq!(FsKind::from_magic(0x0BD0_0BD0), FsKind::Lustre);
        assert_eq!(FsKind::Ext4.best_strategy(), WriteStrategy::RankDir);
        for remote in [FsKind::Lustre, FsKind::Nfs, FsKind::Gpfs, FsKind::Tmpfs] {
            assert_eq!(remote.best_strategy(), WriteStrategy::SameDir, "{remote:?}");
        }
        assert_eq!(FsKind::from_magic(0x1234), FsKind::Other(0x1234));
    }

    #[test]
    fn this_machine_s_file_systems_are_recognised() {
        // /proc is procfs everywhere: known to statfs, not one of ours.
        assert!(matches!(kind(Path::new("/proc")), Some(FsKind::Other(_))));
        assert_eq!(
            resolve(WriteStrategy::SameDir, Path::new("/proc")),
            WriteStrategy::SameDir
        );
        assert_eq!(
            resolve(WriteStrategy::Auto, Path::new("/no/such/dir")),
            WriteStrategy::SameDir
        );
    }
}
