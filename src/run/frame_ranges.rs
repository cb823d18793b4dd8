//! The value ranges groups of frames share (`--range`), agreed by every rank before any
//! frame is drawn, so that a series animates on one scale whatever the number of ranks; with
//! `--robust`, heatmaps' ranges are percentiles of their groups' values.

use super::plotter::RunContext;
use crate::comm::Comm;
use crate::plan::{self, Kind, Plan, PlanObject, PlotOf};
use crate::source::ranges::robust::{self, Binning, Space};
use crate::source::ranges::SharedRanges;
use crate::source::{Choice, Source, Values};

/// The ranges every group of frames shares. Each rank reads the frames of its static block
/// (the same blocks whatever the schedule) and keeps each group's smallest and largest value;
/// an all-reduce gives every rank the whole range. Minimum and maximum are exact in any order,
/// so the ranges are the same at any rank count; so are `--robust`'s, from summed histograms.
pub(super) fn shared_ranges(comm: &Comm, ctx: &RunContext) -> Choice {
    let mut choice = ctx.choice.clone();
    let Plan::Input { objects } = ctx.plan else {
        return choice;
    };
    let levels = ctx.config.colouring.levels.is_some();
    let shares = |o: &PlanObject| o.has_frames() && !fixed(&choice, levels, o.kind);
    let mut shared = SharedRanges::layout(objects, choice.sharing, shares);
    if shared.is_empty() {
        return choice;
    }
    let frames = MyFrames::new(comm, ctx, &shared);
    let mut ranges = extremes(comm, &frames, &choice, shared.len());
    if choice.robust {
        robust_limits(comm, &frames, &choice, &mut ranges);
    }
    shared.set_ranges(ranges);
    choice.shared = shared;
    choice
}

/// Whether the command line gives both ends of `kind`'s range, so that none is agreed —
/// unless discrete `levels` need the series' range to know whether its data go beyond them
/// (xarray's extend, which gives the levels their colours).
fn fixed(choice: &Choice, levels: bool, kind: Kind) -> bool {
    let limits = &choice.limits;
    match kind {
        Kind::Heatmap => {
            !levels
                && limits
                    .colour
                    .is_some_and(|(lo, hi)| !lo.is_nan() && !hi.is_nan())
        }
        Kind::Line => limits.y.is_some(),
        Kind::Scatter => true,
    }
}

/// Where a plot's values are compared: a heatmap's in its colour scale's space, a line's as
/// they are.
fn space_of(choice: &Choice, kind: Kind) -> Space {
    match kind {
        Kind::Heatmap => choice.space,
        _ => Space::Linear,
    }
}

/// The frames of this rank's static block that share a range, with their groups.
struct MyFrames<'a> {
    ctx: &'a RunContext<'a>,
    shared: &'a SharedRanges,
    plots: std::ops::Range<u64>,
    source: Option<Source>,
}

impl<'a> MyFrames<'a> {
    fn new(comm: &Comm, ctx: &'a RunContext<'a>, shared: &'a SharedRanges) -> MyFrames<'a> {
        let (counts, displs) = plan::partition(ctx.plan.num_plots(), comm.size());
        let mine = plan::block(&counts, &displs, comm.rank() as usize);
        MyFrames {
            ctx,
            shared,
            plots: mine.start as u64 + 1..mine.end as u64 + 1,
            source: ctx
                .config
                .input
                .as_deref()
                .and_then(|p| Source::input(p).ok()),
        }
    }

    /// `f(frame, group, values)` for each frame of the block in a group, in plot order, until
    /// the run is told to stop. A frame that cannot be read is passed over: it fails when it
    /// is drawn, with the reason.
    fn each(&self, mut f: impl FnMut(PlotOf<'_>, usize, &Values)) {
        let Some(source) = &self.source else {
            return;
        };
        for plot_num in self.plots.clone() {
            if self.ctx.stopping() {
                break;
            }
            let Some(of) = self.ctx.plan.object(plot_num) else {
                continue;
            };
            let Some(group) = self.shared.group(of) else {
                continue;
            };
            if let Ok(Some(values)) = source.frame_values(of) {
                f(of, group, &values);
            }
        }
    }
}

/// Each group's smallest and largest value (shown in its space), over all ranks.
fn extremes(
    comm: &Comm,
    frames: &MyFrames,
    choice: &Choice,
    groups: usize,
) -> Vec<Option<(f64, f64)>> {
    // [min, -max] per group, so that one minimum-reduction gives both.
    let mut extremes = vec![f64::INFINITY; 2 * groups];
    frames.each(|of, group, values| {
        if let Some((lo, hi)) = space_of(choice, of.object.kind).range(values) {
            extremes[2 * group] = extremes[2 * group].min(lo);
            extremes[2 * group + 1] = extremes[2 * group + 1].min(-hi);
        }
    });
    comm.all_min(&mut extremes);
    extremes
        .chunks(2)
        .map(|e| (e[0] <= -e[1]).then_some((e[0], -e[1])))
        .collect()
}

/// `--robust`: each heatmap group's range becomes its values' percentiles, from histograms
/// over the agreed extremes that every rank counts its frames into and all ranks sum.
fn robust_limits(
    comm: &Comm,
    frames: &MyFrames,
    choice: &Choice,
    ranges: &mut [Option<(f64, f64)>],
) {
    let Plan::Input { objects } = frames.ctx.plan else {
        return;
    };
    // Each heatmap group's binning and histogram, numbered in group order: from the plan and
    // the agreed ranges alone, so the same on every rank. Groups of one value keep it.
    let mut slots = 0;
    let binned: Vec<Option<(usize, Binning)>> = ranges
        .iter()
        .enumerate()
        .map(|(group, range)| {
            let heatmap = objects[frames.shared.object_of(group)].kind == Kind::Heatmap;
            let binning = Binning::new(range.filter(|_| heatmap)?, choice.space)?;
            slots += 1;
            Some((slots - 1, binning))
        })
        .collect();
    let mut counts = vec![0u64; slots * robust::BINS];
    frames.each(|_, group, values| {
        if let Some((slot, binning)) = &binned[group] {
            binning.count(values, &mut counts[slot * robust::BINS..][..robust::BINS]);
        }
    });
    comm.all_sum(&mut counts);
    for (range, bins) in ranges.iter_mut().zip(&binned) {
        let Some((slot, binning)) = bins else {
            continue;
        };
        let counts = &counts[slot * robust::BINS..][..robust::BINS];
        let lo = binning.percentile(counts, robust::LOW);
        let hi = binning.percentile(counts, robust::HIGH);
        if let (Some(lo), Some(hi)) = (lo, hi) {
            *range = Some((lo, hi));
        }
    }
}
