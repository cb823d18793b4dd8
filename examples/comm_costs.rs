//! What the program's MPI steps cost at this rank count, measured with the program's own
//! `comm` and `gather` code (no drawing, no files), for the scale model in BENCHMARKS.md:
//!
//! - `scatter`: the static schedule's scatter of one `(first, count)` pair per rank;
//! - `window`: one window of the results gather (65,536 records of 56 bytes, spread evenly
//!   over the ranks), rank 0 assembling it in plot order;
//! - `request`: the dynamic schedule's request and answer, every other rank asking again as
//!   soon as it has its answer: wall seconds per request served (`request_s`), and rank 0's
//!   own seconds per request (`service_s`: finding it, receiving it, answering), which bounds
//!   how many requests a second one coordinator can serve.
//!
//! ```sh
//! mpirun -n 8 target/release/examples/comm_costs      # one line of seconds per step
//! ```

use plotrand_mpi::gather;
use plotrand_mpi::Comm;
use plotrand_mpi::{blocks, PlotResult};

const WINDOW: u64 = 65_536;

fn main() {
    let comm = Comm::init().expect("MPI starts");
    let p = comm.size();

    // The static scatter, repeated.
    let reps = 200;
    comm.barrier();
    let t0 = comm.time();
    for _ in 0..reps {
        let pairs = if comm.is_root() {
            blocks(WINDOW, p)
        } else {
            Vec::new()
        };
        std::hint::black_box(comm.scatter_pairs(&pairs));
    }
    comm.barrier();
    let scatter = (comm.time() - t0) / f64::from(reps);

    // Windows of results, each rank holding its static block of every window.
    let windows = 8;
    let n = WINDOW * windows;
    let results: Vec<PlotResult> = (1..=n)
        .filter(|k| (k - 1) % WINDOW * p as u64 / WINDOW == comm.rank() as u64)
        .map(|plot_num| PlotResult {
            plot_num,
            rank: comm.rank(),
            ..PlotResult::default()
        })
        .collect();
    comm.barrier();
    let t0 = comm.time();
    let mut assembled = 0;
    let mut sink = |w: Vec<PlotResult>| assembled += w.len();
    let sink: Option<&mut dyn FnMut(Vec<PlotResult>)> = if comm.is_root() {
        Some(&mut sink)
    } else {
        None
    };
    gather::gather_in_windows(&comm, results, n, sink);
    comm.barrier();
    let window = (comm.time() - t0) / windows as f64;

    // Requests: every other rank asks `asks` times as fast as it can.
    let asks = 200u64;
    comm.barrier();
    let t0 = comm.time();
    // Rank 0's own time per request served: the probe and receive that found it, the answer.
    let mut serving = 0.0;
    if comm.is_root() {
        let mut pending = (p as u64 - 1) * asks;
        while pending > 0 {
            let t = comm.time();
            match comm.poll_request() {
                Some((rank, _, _)) => {
                    comm.assign(rank, 1, 1);
                    serving += comm.time() - t;
                    pending -= 1;
                }
                None => std::hint::spin_loop(),
            }
        }
    } else {
        for done in 0..asks {
            comm.request_work(done, false);
            std::hint::black_box(comm.receive_work());
        }
    }
    comm.barrier();
    let served = ((p as u64 - 1) * asks).max(1) as f64;
    let request = (comm.time() - t0) / served;
    let service = serving / served;

    if comm.is_root() {
        assert_eq!(assembled as u64, n);
        println!(
            "ranks {p} scatter_s {scatter:.3e} window_s {window:.3e} request_s {request:.3e} \
             service_s {service:.3e}"
        );
    }
}
