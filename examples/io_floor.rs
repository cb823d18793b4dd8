//! The floor under plotrand-mpi's writing: P processes writing N copies of one plot file's
//! bytes, through the program's own atomic write (temporary, then rename) and nothing else —
//! no drawing, no MPI. `scripts/io-floor.sh` runs it beside the program.
//!
//! ```sh
//! cargo run --release --example io_floor -- DIR FILES PROCS same-dir|rank-dir LIKE.png
//! ```
//! Prints the seconds from starting the processes to the last one ending.

use plotrand_mpi::Format;
use plotrand_mpi::OutputDir;
use plotrand_mpi::{block, partition, Plan};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, files, procs, strategy, like] = &args[..] else {
        eprintln!("usage: io_floor DIR FILES PROCS same-dir|rank-dir LIKE.png");
        std::process::exit(2);
    };
    let files: u64 = files.parse().expect("FILES is a number");
    let procs: usize = procs.parse().expect("PROCS is a number");
    if let Ok(rank) = std::env::var("IO_FLOOR_RANK") {
        let rank: usize = rank.parse().expect("a rank");
        write_block(
            Path::new(dir),
            files,
            procs,
            rank,
            strategy,
            Path::new(like),
        );
        return;
    }
    std::fs::create_dir_all(dir).expect("the directory can be made");
    let exe = std::env::current_exe().expect("this program's path");
    let start = Instant::now();
    let children: Vec<_> = (0..procs)
        .map(|rank| {
            Command::new(&exe)
                .args(&args[1..])
                .env("IO_FLOOR_RANK", rank.to_string())
                .spawn()
                .expect("a writer starts")
        })
        .collect();
    for mut child in children {
        assert!(child.wait().expect("a writer ends").success());
    }
    println!("{:.3}", start.elapsed().as_secs_f64());
}

/// Rank `rank`'s contiguous block of the files, as the static schedule shares plots out.
fn write_block(dir: &Path, files: u64, procs: usize, rank: usize, strategy: &str, like: &Path) {
    let bytes = std::fs::read(like).expect("LIKE is readable");
    let plan = Plan::Random { num_plots: files };
    let mut out = OutputDir::new(dir, &plan, Format::Png, None, false, None, None);
    match strategy {
        "same-dir" => {}
        "rank-dir" => out = out.staged_for(rank as i32),
        other => panic!("unknown strategy {other}"),
    }
    let (counts, displs) = partition(files, procs);
    for i in block(&counts, &displs, rank) {
        out.write_plot(i as u64 + 1, &bytes).expect("a write");
    }
    out.remove_staging();
}
