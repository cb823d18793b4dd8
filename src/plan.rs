//! The plan of a run: which plots exist, how they are split across ranks, and what a rank
//! reports about each one.
//!
//! A plot is identified by its number alone (1-based, as in the lesson); everything else a
//! rank needs is rebuilt from the run's `Plan`, so plots travel through MPI as plain `u64`s
//! (the static schedule sends each rank only its first plot and count) and rank 0 can
//! rebuild every output path from the plot number.

use std::ops::Range;

/// Largest number of plots in one run: MPI counts and displacements are C `int`s.
pub const MAX_PLOTS: u64 = i32::MAX as u64;
/// Most points (or input rows) one plot may have: 10 million take about two minutes and
/// 250 MB.
pub const MAX_POINTS: u64 = 10_000_000;

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

/// What the plots of a run are: `n` random plots, or the plots of an input file's objects
/// (one each, or one per frame). Every rank holds the same plan, so any rank can name any
/// plot.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    Random { num_plots: u64 },
    Input { objects: Objects },
}

/// An input plan's objects, with the number of each one's first plot, so that a plot's
/// object is found by binary search (a plan may hold 100,000s of objects, and every plot
/// asks).
#[derive(Debug, Clone, PartialEq)]
pub struct Objects {
    list: Vec<PlanObject>,
    first_plots: Vec<u64>,
    num_plots: u64,
}

impl From<Vec<PlanObject>> for Objects {
    fn from(list: Vec<PlanObject>) -> Objects {
        let mut num_plots = 0;
        let first_plots = list
            .iter()
            .map(|o| {
                let first = num_plots + 1;
                num_plots += o.frames();
                first
            })
            .collect();
        Objects {
            list,
            first_plots,
            num_plots,
        }
    }
}

impl<'a> IntoIterator for &'a Objects {
    type Item = &'a PlanObject;
    type IntoIter = std::slice::Iter<'a, PlanObject>;

    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

impl std::ops::Deref for Objects {
    type Target = [PlanObject];

    fn deref(&self) -> &[PlanObject] {
        &self.list
    }
}

/// How an object is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Points x, y with optional marker sizes: (n, 2) or (n, 3) tables, x/y groups, records.
    Scatter,
    /// Values against their coordinate or index.
    Line,
    /// A 2-D field with a colour bar.
    Heatmap,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Scatter, Kind::Line, Kind::Heatmap];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Scatter => "scatter",
            Kind::Line => "line",
            Kind::Heatmap => "heatmap",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// One object of an input file and the plots it gives: one, or one per frame (an index of
/// its leading dimensions).
#[derive(Debug, Clone, PartialEq)]
pub struct PlanObject {
    pub path: String,
    pub kind: Kind,
    /// How many frames each leading dimension gives (all its indices, or those picked);
    /// empty for one plot.
    pub frame_shape: Vec<u64>,
    /// `--select`/`--isel`: the indices of each leading dimension the frames are, in the
    /// file; empty for all of them.
    pub picks: Vec<Pick>,
}

/// The indices a leading dimension's frames are at in the file: `start`, `start + step`, …
/// (as many as the object's `frame_shape` says).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pick {
    pub start: u64,
    pub step: u64,
}

impl Pick {
    pub const ALL: Pick = Pick { start: 0, step: 1 };

    /// The file's index of the `i`th index picked.
    pub fn index(self, i: u64) -> u64 {
        self.start + i * self.step
    }
}

impl PlanObject {
    pub fn frames(&self) -> u64 {
        self.frame_shape.iter().product()
    }

    /// Whether each plot of the object is one frame of many (which share their limits).
    pub fn has_frames(&self) -> bool {
        !self.frame_shape.is_empty()
    }

    /// Whether an array whose leading dimensions are `shape` in the file still holds every
    /// frame planned (the file may have changed since, or differ on another node).
    pub fn fits(&self, shape: &[u64]) -> bool {
        let planned = &self.frame_shape;
        let holds = |dim: usize, n: u64| match self.picks.get(dim) {
            Some(pick) => planned[dim] == 0 || pick.index(planned[dim] - 1) < n,
            None => n == planned[dim],
        };
        shape.len() == planned.len() && shape.iter().enumerate().all(|(dim, &n)| holds(dim, n))
    }

    /// The index in the file along each leading dimension of frame `frame` (frames are
    /// numbered row-major over the indices picked).
    pub fn frame_index(&self, mut frame: u64) -> Vec<u64> {
        let mut index = vec![0; self.frame_shape.len()];
        for (i, &n) in self.frame_shape.iter().enumerate().rev() {
            let pick = self.picks.get(i).copied().unwrap_or(Pick::ALL);
            index[i] = pick.index(frame % n);
            frame /= n;
        }
        index
    }
}

/// Which object, and which of its frames (0 when it has none), a plot draws.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlotOf<'a> {
    pub index: usize,
    pub object: &'a PlanObject,
    pub frame: u64,
}

impl PlotOf<'_> {
    /// The object's path, with the frame's index for frames: `/tas[3]`, `/t[1, 2]`.
    pub fn describe(&self) -> String {
        if !self.object.has_frames() {
            return self.object.path.clone();
        }
        let index: Vec<String> = self
            .object
            .frame_index(self.frame)
            .iter()
            .map(u64::to_string)
            .collect();
        format!("{}[{}]", self.object.path, index.join(", "))
    }
}

impl Plan {
    pub fn num_plots(&self) -> u64 {
        match self {
            Plan::Random { num_plots } => *num_plots,
            Plan::Input { objects } => objects.num_plots,
        }
    }

    /// The input object and frame plot `plot_num` draws, if the plot comes from a file.
    pub fn object(&self, plot_num: u64) -> Option<PlotOf<'_>> {
        let Plan::Input { objects } = self else {
            return None;
        };
        if !(1..=objects.num_plots).contains(&plot_num) {
            return None;
        }
        let index = objects
            .first_plots
            .partition_point(|&first| first <= plot_num)
            - 1;
        Some(PlotOf {
            index,
            object: &objects.list[index],
            frame: plot_num - objects.first_plots[index],
        })
    }
}

/// What rank 0 settles, and every rank holds, before the work starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    pub plan: Plan,
    pub seed: u64,
    /// When this run's first attempt began, in nanoseconds since the Unix epoch on the output
    /// file system's clock: a plot file older than that is another run's (`--resume`).
    pub began_ns: u64,
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

/// A plot's fate. The same numbers travel through MPI and are stored, with these names, as
/// the HDF5 enum of the run record's `/results`.
#[repr(i32)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum PlotStatus {
    #[default]
    Ok = 0,
    Failed = 1,
    /// `--resume`: the file was already there.
    Skipped = 2,
    /// Never drawn: the run was interrupted by a signal first (set by rank 0).
    NotDone = 3,
}

impl PlotStatus {
    pub const ALL: [PlotStatus; 4] = [
        PlotStatus::Ok,
        PlotStatus::Failed,
        PlotStatus::Skipped,
        PlotStatus::NotDone,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PlotStatus::Ok => "Ok",
            PlotStatus::Failed => "Failed",
            PlotStatus::Skipped => "Skipped",
            PlotStatus::NotDone => "NotDone",
        }
    }
}

/// Plots by fate, over the whole run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub done: u64,
    pub failed: u64,
    pub skipped: u64,
    pub not_done: u64,
}

impl Counts {
    pub fn add(&mut self, status: PlotStatus) {
        *match status {
            PlotStatus::Ok => &mut self.done,
            PlotStatus::Failed => &mut self.failed,
            PlotStatus::Skipped => &mut self.skipped,
            PlotStatus::NotDone => &mut self.not_done,
        } += 1;
    }
}

/// What a rank reports about one plot: fixed-size plain data, so it crosses MPI as one
/// derived datatype (see `comm`). Paths are rebuilt on rank 0 from the plot number and error
/// text travels separately.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlotResult {
    pub plot_num: u64,
    /// Bytes written, 0 for a failed plot.
    pub bytes: u64,
    /// Seconds from the start of the plot to its file being in place.
    pub elapsed: f64,
    /// Input rows left out for holding NaN or infinity.
    pub dropped: u64,
    /// `--pack`: where the plot's bytes start in its archive.
    pub offset: u64,
    /// `--pack`: the rank whose archive holds the plot; -1 when not packed.
    pub archive: i64,
    /// The value range the plot was drawn with — a heatmap's colour limits, a line's y
    /// values' — or NaN, NaN (random data, a scatter plot, not drawn).
    pub range_lo: f64,
    pub range_hi: f64,
    pub rank: i32,
    pub status: PlotStatus,
}

impl Default for PlotResult {
    fn default() -> PlotResult {
        PlotResult {
            plot_num: 0,
            bytes: 0,
            elapsed: 0.0,
            dropped: 0,
            offset: 0,
            archive: -1,
            range_lo: f64::NAN,
            range_hi: f64::NAN,
            rank: 0,
            status: PlotStatus::Ok,
        }
    }
}

impl PlotResult {
    pub fn is_ok(&self) -> bool {
        self.status == PlotStatus::Ok
    }

    pub fn is_failed(&self) -> bool {
        self.status == PlotStatus::Failed
    }

    /// The result rank 0 makes for a plot no rank reported: interrupted before drawing it.
    pub fn not_done(plot_num: u64) -> PlotResult {
        PlotResult {
            plot_num,
            rank: -1,
            status: PlotStatus::NotDone,
            ..PlotResult::default()
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
    fn plans_know_their_plots() {
        let random = Plan::Random { num_plots: 3 };
        assert_eq!((random.num_plots(), random.object(3)), (3, None));
        let object = |path: &str, frame_shape: Vec<u64>| PlanObject {
            path: path.into(),
            kind: Kind::Heatmap,
            frame_shape,
            picks: Vec::new(),
        };
        let input = Plan::Input {
            objects: vec![
                object("/g/xy", vec![]),
                object("/t", vec![2, 3]),
                object("/z", vec![]),
            ]
            .into(),
        };
        assert_eq!(input.num_plots(), 8);
        let of = |k| input.object(k).map(|p| (p.object.path.as_str(), p.frame));
        assert_eq!(of(1), Some(("/g/xy", 0)));
        assert_eq!(of(2), Some(("/t", 0)));
        assert_eq!(of(7), Some(("/t", 5)));
        assert_eq!(of(8), Some(("/z", 0)));
        assert_eq!(of(9), None);
        assert_eq!(of(0), None);
        assert_eq!(object("/t", vec![2, 3]).frame_index(5), [1, 2]);
        assert_eq!(object("/t", vec![2, 3]).frame_index(3), [1, 0]);
    }

    #[test]
    fn the_largest_run_still_partitions() {
        check(MAX_PLOTS, 7);
    }
}
