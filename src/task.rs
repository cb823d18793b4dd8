//! The work list: which plots exist and how they are split across ranks.
//!
//! A task is identified by its plot number alone (1-based, as in the lesson); everything
//! else a rank needs is rebuilt from the run's `Plan`, so tasks travel through MPI as plain
//! `u64`s (the static schedule sends each rank only its first plot and count) and rank 0
//! can rebuild every output path from the plot number.

use std::collections::HashSet;
use std::ops::Range;

/// Largest number of plots in one run: MPI counts and displacements are C `int`s.
pub const MAX_PLOTS: u64 = i32::MAX as u64;

/// The static schedule's task list: `[first plot, count]` for each rank in turn, the
/// contiguous blocks of [`partition`], flattened for MPI (two numbers per rank, however many
/// plots).
pub fn blocks(num_plots: u64, ranks: usize) -> Vec<u64> {
    let (counts, displs) = partition(num_plots, ranks);
    counts
        .iter()
        .zip(&displs)
        .flat_map(|(&count, &displ)| [displ as u64 + 1, count as u64])
        .collect()
}

/// What the plots of a run are: `n` random plots, or one plot per object of an input file.
/// Every rank holds the same plan, so any rank can name any plot.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    Random {
        num_plots: u64,
    },
    Input {
        objects: Vec<String>,
        stems: Vec<String>,
    },
}

impl Plan {
    pub fn input(objects: Vec<String>) -> Plan {
        let stems = unique_stems(&objects);
        Plan::Input { objects, stems }
    }

    pub fn num_plots(&self) -> u64 {
        match self {
            Plan::Random { num_plots } => *num_plots,
            Plan::Input { objects, .. } => objects.len() as u64,
        }
    }

    /// The file name of plot `plot_num`: the lesson's `plot_<k>.<ext>`, or the object's
    /// sanitised path.
    pub fn file_name(&self, plot_num: u64, extension: &str) -> String {
        match self {
            Plan::Random { .. } => format!("plot_{plot_num}.{extension}"),
            Plan::Input { stems, .. } => format!("{}.{extension}", stems[plot_num as usize - 1]),
        }
    }

    /// The input object plot `plot_num` draws, if the plot comes from a file.
    pub fn object(&self, plot_num: u64) -> Option<&str> {
        match self {
            Plan::Random { .. } => None,
            Plan::Input { objects, .. } => Some(&objects[plot_num as usize - 1]),
        }
    }
}

/// The subdirectory of plot `plot_num` when directories hold at most `per_dir` plots:
/// plots 1..=per_dir in `0000`, the next block in `0001`, and so on.
pub fn subdir(plot_num: u64, per_dir: Option<u64>) -> Option<String> {
    per_dir.map(|n| format!("{:04}", (plot_num - 1) / n))
}

/// Longest file stem made from an object path, in bytes: far below NAME_MAX (255).
const MAX_STEM: usize = 120;

/// A file stem from an HDF5 object path that cannot leave the output directory: `/` becomes
/// `_`, anything but ASCII letters, digits, `-` and `.` becomes `_`, runs of `_` shrink to
/// one, and leading dots and dashes go (no hidden files, no `..`, nothing a shell command
/// would take for an option).
pub fn sanitize(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        let keep = c.is_ascii_alphanumeric() || c == '-' || c == '.';
        let c = if keep { c } else { '_' };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    let trimmed = out
        .trim_start_matches(['_', '.', '-'])
        .trim_end_matches(['_', '.']);
    let mut stem = if trimmed.is_empty() {
        "dataset".to_string()
    } else {
        trimmed.to_string()
    };
    if stem.len() > MAX_STEM {
        stem.truncate(MAX_STEM);
        stem = format!(
            "{}-{:08x}",
            stem.trim_end_matches(['_', '.']),
            short_hash(path)
        );
    }
    stem
}

/// FNV-1a, 32 bits: a stable tag to tell apart paths that sanitise alike.
fn short_hash(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// Sanitised stems, made unique: a stem already taken gets the path's hash, then a counter.
/// Case is folded when comparing, so that case-insensitive file systems cannot merge files.
pub fn unique_stems(paths: &[String]) -> Vec<String> {
    let mut taken = HashSet::new();
    paths
        .iter()
        .map(|path| {
            let base = sanitize(path);
            let mut stem = base.clone();
            let mut n = 1;
            while !taken.insert(stem.to_ascii_lowercase()) {
                stem = if n == 1 {
                    format!("{base}-{:08x}", short_hash(path))
                } else {
                    format!("{base}-{:08x}-{n}", short_hash(path))
                };
                n += 1;
            }
            stem
        })
        .collect()
}

/// Contiguous blocks whose sizes differ by at most one: the first `n % ranks` ranks get one
/// extra task. Returns MPI-ready `(counts, displacements)`.
///
/// # Panics
/// If `ranks` is zero or `n` exceeds [`MAX_PLOTS`]; both are ruled out by the caller.
pub fn partition(n: u64, ranks: usize) -> (Vec<i32>, Vec<i32>) {
    assert!(ranks > 0, "partition over zero ranks");
    assert!(n <= MAX_PLOTS, "{n} tasks do not fit MPI's int counts");
    let ranks_u64 = ranks as u64;
    let (base, extra) = (n / ranks_u64, n % ranks_u64);
    let counts: Vec<i32> = (0..ranks_u64)
        .map(|r| (base + u64::from(r < extra)) as i32)
        .collect();
    let displs = displacements(&counts);
    (counts, displs)
}

/// Where each block starts when blocks of `counts` items are laid end to end.
pub fn displacements(counts: &[i32]) -> Vec<i32> {
    counts
        .iter()
        .scan(0i32, |acc, &c| {
            let start = *acc;
            *acc += c;
            Some(start)
        })
        .collect()
}

/// The index range of rank `rank`'s block, as `partition` assigns it.
pub fn block(counts: &[i32], displs: &[i32], rank: usize) -> Range<usize> {
    let start = displs[rank] as usize;
    start..start + counts[rank] as usize
}

/// What a rank reports about one plot: fixed-size plain data, so it crosses MPI as one
/// derived datatype (see `comm`). Paths are rebuilt on rank 0 from the plot number and error
/// text travels separately.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Record {
    pub plot_num: u64,
    /// Bytes written, 0 for a failed plot.
    pub bytes: u64,
    /// Seconds from the start of the plot to its file being in place.
    pub elapsed: f64,
    /// Input rows left out for holding NaN or infinity.
    pub dropped: u64,
    pub rank: i32,
    pub status: i32,
}

impl Record {
    pub const OK: i32 = 0;
    pub const FAILED: i32 = 1;
    /// `--resume`: the file was already there.
    pub const SKIPPED: i32 = 2;
    /// Never drawn: the run was interrupted by a signal first (set by rank 0).
    pub const NOT_DONE: i32 = 3;

    pub fn is_ok(&self) -> bool {
        self.status == Record::OK
    }

    pub fn is_failed(&self) -> bool {
        self.status == Record::FAILED
    }

    /// A record rank 0 makes for a plot no rank reported: interrupted before drawing it.
    pub fn not_done(plot_num: u64) -> Record {
        Record {
            plot_num,
            rank: -1,
            status: Record::NOT_DONE,
            ..Record::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(n: u64, ranks: usize) {
        let (counts, displs) = partition(n, ranks);
        assert_eq!(counts.len(), ranks);
        assert_eq!(counts.iter().map(|&c| c as u64).sum::<u64>(), n);
        let (min, max) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
        assert!(max - min <= 1, "n={n} ranks={ranks}: {counts:?}");
        let mut next = 0;
        for r in 0..ranks {
            assert_eq!(displs[r], next, "blocks must be contiguous");
            next += counts[r];
        }
    }

    #[test]
    fn blocks_cover_everything_once_and_differ_by_at_most_one() {
        for n in [1, 2, 3, 7, 16, 63, 64, 65, 1000] {
            for ranks in [1, 2, 3, 4, 5, 16, 17, 100] {
                check(n, ranks);
            }
        }
    }

    #[test]
    fn more_ranks_than_plots_leaves_the_last_ranks_idle() {
        let (counts, displs) = partition(3, 5);
        assert_eq!(counts, [1, 1, 1, 0, 0]);
        assert_eq!(displs, [0, 1, 2, 3, 3]);
    }

    #[test]
    fn one_plot_goes_to_rank_zero() {
        assert_eq!(partition(1, 4).0, [1, 0, 0, 0]);
    }

    #[test]
    fn remainder_goes_to_the_first_ranks() {
        let (counts, displs) = partition(10, 4);
        assert_eq!(counts, [3, 3, 2, 2]);
        assert_eq!(block(&counts, &displs, 2), 6..8);
    }

    #[test]
    fn blocks_number_plots_from_one() {
        assert_eq!(blocks(10, 4), [1, 3, 4, 3, 7, 2, 9, 2]);
        assert_eq!(blocks(1, 3), [1, 1, 2, 0, 2, 0]);
        assert_eq!(blocks(0, 2), [1, 0, 1, 0]);
    }

    #[test]
    fn object_paths_become_safe_file_names() {
        assert_eq!(sanitize("/exp1/run 3/xy"), "exp1_run_3_xy");
        assert_eq!(sanitize("/../../etc/passwd"), "etc_passwd");
        assert_eq!(sanitize("/.."), "dataset");
        assert_eq!(sanitize("/.hidden"), "hidden");
        assert_eq!(sanitize("/a\nb\u{7}c/ünï"), "a_b_c_n");
        assert_eq!(sanitize("/a/b.c"), "a_b.c");
        let long = format!("/{}", "x".repeat(500));
        let stem = sanitize(&long);
        assert!(
            stem.len() <= MAX_STEM + 9 && stem.starts_with("xxx"),
            "{stem}"
        );
        for stem in [sanitize("/\u{0}/\u{1}"), sanitize("/a/../../b")] {
            assert!(
                !stem.contains('/') && !stem.starts_with('.') && !stem.is_empty(),
                "{stem}"
            );
        }
    }

    #[test]
    fn two_objects_never_share_a_file() {
        let paths: Vec<String> = ["/a b", "/a_b", "/a/b", "/A_B", "/a?b"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let stems = unique_stems(&paths);
        let folded: HashSet<String> = stems.iter().map(|s| s.to_ascii_lowercase()).collect();
        assert_eq!(folded.len(), paths.len(), "{stems:?}");
        assert_eq!(stems[0], "a_b");
        assert!(stems[1].starts_with("a_b-"));
        assert_eq!(unique_stems(&paths), stems, "deterministic");
    }

    #[test]
    fn blocks_of_plots_share_a_subdirectory() {
        assert_eq!(subdir(1, None), None);
        assert_eq!(subdir(1, Some(1000)).as_deref(), Some("0000"));
        assert_eq!(subdir(1000, Some(1000)).as_deref(), Some("0000"));
        assert_eq!(subdir(1001, Some(1000)).as_deref(), Some("0001"));
        assert_eq!(subdir(2_000_000, Some(100)).as_deref(), Some("19999"));
    }

    #[test]
    fn plans_name_their_plots() {
        let random = Plan::Random { num_plots: 3 };
        assert_eq!(random.file_name(3, "png"), "plot_3.png");
        assert_eq!(random.object(3), None);
        let input = Plan::input(vec!["/g/xy".into(), "/z".into()]);
        assert_eq!(input.num_plots(), 2);
        assert_eq!(input.file_name(1, "svg"), "g_xy.svg");
        assert_eq!(input.object(2), Some("/z"));
    }

    #[test]
    fn the_largest_run_still_partitions() {
        check(MAX_PLOTS, 7);
    }
}
