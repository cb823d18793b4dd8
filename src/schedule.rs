//! How plots are shared out among ranks. Static: rank 0 scatters one contiguous block per
//! rank, once. Dynamic: rank 0 hands out chunks on request and draws plots itself between
//! requests, while the other ranks ask for their next chunk before drawing the current one.

use crate::comm::Comm;
use crate::config::Schedule;
use crate::plan;
use crate::plotter::{Plotter, RankWork, RunContext};
use crate::progress::{self, Progress};

/// This rank's share of the plots, drawn; on rank 0 of a dynamic run, also its progress
/// display, to be finished once every rank's count is known.
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
            (draw_block(comm, ctx, first..first + count), None)
        }
        Schedule::Dynamic if comm.size() == 1 => (draw_block(comm, ctx, 1..n + 1), None),
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

/// Static schedule: this rank's contiguous block, as scattered.
fn draw_block(comm: &Comm, ctx: &RunContext, plots: std::ops::Range<u64>) -> RankWork {
    let mut plotter = Plotter::new(ctx, comm.rank());
    for plot_num in plots {
        if ctx.stopping() {
            break;
        }
        plotter.plot(plot_num);
    }
    plotter.finish()
}

/// Dynamic schedule, rank 0: hands out chunks of plots on request and draws plots itself,
/// one at a time, answering requests between them; shows progress every few seconds.
fn coordinate(comm: &Comm, ctx: &RunContext, chunk: u64) -> (RankWork, Progress) {
    let n = ctx.plan.num_plots();
    let mut plotter = Plotter::new(ctx, comm.rank());
    let mut next = 1u64;
    let mut finished_workers = 0;
    let config = ctx.config;
    let display = progress::choose(
        config.progress_bar,
        config.progress_every,
        progress::output_is_terminal,
    );
    let mut progress = Progress::new(n, config.progress_every, display, comm.time());
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
