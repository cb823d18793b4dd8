//! The one value range the frames of an object share, agreed by every rank before any frame is
//! drawn, so that a series animates on one colour scale whatever the number of ranks.

use super::plotter::RunContext;
use crate::comm::Comm;
use crate::plan::{self, Kind, Plan, PlanObject};
use crate::source::{Choice, Source};

/// The value range of every object with frames over all its frames: each rank reads the
/// frames of its static block (the same blocks whatever the schedule) and keeps each
/// object's smallest and largest value; an all-reduce gives every rank the whole range.
/// Minimum and maximum are exact in any order, so the range is the same at any rank count.
pub(super) fn shared_ranges(comm: &Comm, ctx: &RunContext) -> Choice {
    let mut choice = ctx.choice.clone();
    let Plan::Input { objects } = ctx.plan else {
        return choice;
    };
    // Limits given on the command line for both ends need no agreeing, unless discrete
    // levels need the series' range to know whether its data go beyond them (xarray's extend,
    // which gives the levels their colours).
    let limits = &ctx.choice.limits;
    let levels = ctx.config.colouring.levels.is_some();
    let fixed = |kind: Kind| match kind {
        Kind::Heatmap => {
            !levels
                && limits
                    .colour
                    .is_some_and(|(lo, hi)| !lo.is_nan() && !hi.is_nan())
        }
        Kind::Line => limits.y.is_some(),
        Kind::Scatter => true,
    };
    let shares = |o: &PlanObject| o.has_frames() && !fixed(o.kind);
    if !objects.iter().any(shares) {
        return choice;
    }
    // [min, -max] per object, so that one minimum-reduction gives both.
    let mut extremes = vec![f64::INFINITY; 2 * objects.len()];
    let (counts, displs) = plan::partition(ctx.plan.num_plots(), comm.size());
    let mine = plan::block(&counts, &displs, comm.rank() as usize);
    if let Some(source) = ctx
        .config
        .input
        .as_deref()
        .and_then(|p| Source::input(p).ok())
    {
        for plot_num in mine.start as u64 + 1..=mine.end as u64 {
            if ctx.stopping() {
                break;
            }
            let Some(of) = ctx.plan.object(plot_num) else {
                continue;
            };
            if !shares(of.object) {
                continue;
            }
            // A frame that cannot be read fails when it is drawn, with the reason.
            if let Ok(Some((lo, hi))) = source.value_range(of) {
                extremes[2 * of.index] = extremes[2 * of.index].min(lo);
                extremes[2 * of.index + 1] = extremes[2 * of.index + 1].min(-hi);
            }
        }
    }
    comm.all_min(&mut extremes);
    choice.shared = extremes
        .chunks(2)
        .map(|e| (e[0] <= -e[1]).then_some((e[0], -e[1])))
        .collect();
    choice
}
