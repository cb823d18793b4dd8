//! How plots are shared out among ranks. Static: rank 0 scatters one contiguous block per
//! rank, once; the other ranks tell rank 0 how far they are every second or so, for its
//! progress display. Dynamic: rank 0 hands out chunks on request and draws plots itself
//! between requests, while the other ranks ask for their next chunk before drawing the
//! current one.

use crate::comm::Comm;
use crate::config::Schedule;
use crate::plan;
use crate::run::plotter::{Plotter, RankWork, RunContext};
use crate::sinks::progress::{self, Progress};
use std::time::Instant;

/// Most seconds between a rank's progress reports to rank 0 (static schedule); twice as often
/// as the progress lines when they come faster.
const REPORT_EVERY: f64 = 0.5;

/// This rank's share of the plots, drawn; on rank 0, also its progress display, to be
/// finished once every rank's count is known.
pub fn run(comm: &Comm, ctx: &RunContext) -> (RankWork, Option<Progress>) {
    let n = ctx.plan.num_plots();
    match ctx.config.schedule {
        Schedule::Static => {
            let pairs = if comm.is_root() {
                plan::blocks(n, comm.size())
            } else {
                Vec::new()
            };
            let [first, count] = comm.scatter_pairs(&pairs);
            let block = first..first + count;
            if comm.is_root() {
                let (work, progress) = draw_block_and_watch(comm, ctx, block);
                (work, Some(progress))
            } else {
                (draw_block(comm, ctx, block), None)
            }
        }
        Schedule::Dynamic if comm.size() == 1 => {
            let (work, progress) = draw_block_and_watch(comm, ctx, 1..n + 1);
            (work, Some(progress))
        }
        Schedule::Dynamic if comm.is_root() => {
            let (work, progress) = coordinate(comm, ctx, chunk_size(ctx, comm.size()));
            (work, Some(progress))
        }
        Schedule::Dynamic => (work_on_request(comm, ctx), None),
    }
}

/// Plots per request: `--chunk`, else about 8 requests per rank, at most 256 plots.
fn chunk_size(ctx: &RunContext, ranks: usize) -> u64 {
    ctx.config
        .chunk
        .unwrap_or_else(|| (ctx.plan.num_plots() / (ranks as u64 * 8)).clamp(1, 256))
}

/// Rank 0's progress display, chosen from the flags and where its output goes.
fn new_progress(comm: &Comm, ctx: &RunContext) -> Progress {
    let config = ctx.config;
    let display = progress::choose(
        config.progress_bar,
        config.progress_every,
        progress::output_is_terminal,
    );
    Progress::new(
        ctx.plan.num_plots(),
        config.progress_every,
        display,
        comm.time(),
    )
}

/// Whether the ranks report progress at all: not with `--progress 0`.
fn reporting(ctx: &RunContext) -> bool {
    ctx.config.progress_every > 0.0
}

/// Seconds between a rank's reports.
fn report_every(ctx: &RunContext) -> f64 {
    (ctx.config.progress_every / 2.0).min(REPORT_EVERY)
}

/// Static schedule, other ranks: this rank's contiguous block, as scattered, with a report
/// to rank 0 every half second or so and one at the end.
fn draw_block(comm: &Comm, ctx: &RunContext, plots: std::ops::Range<u64>) -> RankWork {
    let mut plotter = Plotter::new(ctx, comm.rank());
    let mut last_report = Instant::now();
    for plot_num in plots {
        if ctx.stopping() {
            break;
        }
        plotter.plot(plot_num);
        if reporting(ctx) && last_report.elapsed().as_secs_f64() >= report_every(ctx) {
            comm.report_progress(plotter.handled(), false);
            last_report = Instant::now();
        }
    }
    if reporting(ctx) && !comm.is_root() {
        comm.report_progress(plotter.handled(), true);
    }
    plotter.finish()
}

/// Static schedule, rank 0 (and a dynamic run on one rank): its own block, reading the other
/// ranks' reports between its plots and, once its block is done, until every rank has
/// finished, so that the progress display shows the whole run.
fn draw_block_and_watch(
    comm: &Comm,
    ctx: &RunContext,
    plots: std::ops::Range<u64>,
) -> (RankWork, Progress) {
    let mut progress = new_progress(comm, ctx);
    let mut plotter = Plotter::new(ctx, comm.rank());
    let mut handled = vec![0u64; comm.size()];
    let mut finished = vec![false; comm.size()];
    finished[0] = true;
    let read_reports = |handled: &mut [u64], finished: &mut [bool]| {
        while let Some((rank, done, last)) = comm.poll_progress() {
            handled[rank as usize] = done;
            finished[rank as usize] |= last;
        }
    };
    for plot_num in plots {
        if ctx.stopping() {
            break;
        }
        plotter.plot(plot_num);
        if reporting(ctx) {
            read_reports(&mut handled, &mut finished);
        }
        handled[0] = plotter.handled();
        progress.tick(handled.iter().sum(), comm.time());
    }
    while reporting(ctx) && !finished.iter().all(|&f| f) {
        read_reports(&mut handled, &mut finished);
        progress.tick(handled.iter().sum(), comm.time());
        comm.pause();
    }
    (plotter.finish(), progress)
}

/// Dynamic schedule, rank 0: hands out chunks of plots on request and draws plots itself,
/// one at a time, answering requests between them; shows progress every few seconds.
fn coordinate(comm: &Comm, ctx: &RunContext, chunk: u64) -> (RankWork, Progress) {
    let n = ctx.plan.num_plots();
    let mut plotter = Plotter::new(ctx, comm.rank());
    let mut next = 1u64;
    let mut finished_workers = 0;
    let mut progress = new_progress(comm, ctx);
    let mut reported = vec![0u64; comm.size()];
    let serve = |next: &mut u64, finished: &mut usize, reported: &mut [u64]| {
        while let Some((rank, done, stopping)) = comm.poll_request() {
            reported[rank as usize] = done;
            // A stopping rank, or a stopping run, gets no more work.
            let count = if stopping || ctx.stopping() {
                0
            } else {
                chunk.min(n + 1 - *next)
            };
            comm.assign(rank, *next, count);
            *next += count;
            if count == 0 {
                *finished += 1;
            }
        }
    };
    loop {
        serve(&mut next, &mut finished_workers, &mut reported);
        if next <= n && !ctx.stopping() {
            let plot_num = next;
            next += 1;
            plotter.plot(plot_num);
        } else if finished_workers == comm.size() - 1 {
            break;
        } else {
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
        let done = plotter.handled() + reported.iter().sum::<u64>();
        progress.tick(done, comm.time());
    }
    (plotter.finish(), progress)
}

/// Dynamic schedule, other ranks: ask rank 0 for a chunk, and ask for the next one before
/// drawing the current one, so that rank 0's answer (given between its own plots) is never
/// waited for while there is work in hand.
fn work_on_request(comm: &Comm, ctx: &RunContext) -> RankWork {
    let mut plotter = Plotter::new(ctx, comm.rank());
    comm.request_work(0, false);
    loop {
        let (start, count) = comm.receive_work();
        if count == 0 {
            break;
        }
        // Ask for the next chunk now, or, once stopping, say so: rank 0 then answers 0.
        let stopping = ctx.stopping();
        comm.request_work(plotter.handled(), stopping);
        if stopping {
            continue; // this chunk stays undone; rank 0 reports it
        }
        for plot_num in start..start + count {
            if ctx.stopping() {
                break;
            }
            plotter.plot(plot_num);
        }
    }
    plotter.finish()
}
