//! Faults provoked for real: a killed job, signals, a dead rank, edge-value arguments.
//! Nothing may be lost under a final name, nothing may hang, and `--resume` must finish the
//! job with the plots an uninterrupted run makes.
//!
//! No fault is timed by a sleep: a job is stopped (SIGSTOP) once it has made a few of its
//! plots, the fault is dealt while it stands still, and only then does it run on (see
//! `start_and_stop`). Every wait has a generous deadline and fails with what it waited for.
//! The full and read-only disks need root (`mount`): they are tests/root/disks.rs.

use crate::common::jobs::*;
use crate::common::*;
use std::path::Path;

fn same_plots(a: &Path, b: &Path, n: u64) {
    for k in 1..=n {
        let (x, y) = (
            std::fs::read(plot_file(a, k, n, "png")).unwrap(),
            std::fs::read(plot_file(b, k, n, "png")).unwrap(),
        );
        assert!(x == y, "plot {k} differs from the uninterrupted run");
    }
}

/// The interrupted jobs: many small plots (a debug build draws one in about 2 ms), 40 times
/// the few the tests wait for before stopping the job.
const PLOTS: u64 = 400;
const RANKS: usize = 2;

/// The plots of an uninterrupted run of the job, made once for all the tests here (in
/// Cargo's scratch directory for integration tests).
fn reference() -> &'static Path {
    static REFERENCE: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    REFERENCE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("reliability-reference");
        if dir.exists() {
            std::fs::remove_dir_all(&dir).unwrap();
        }
        let mut args = args!("-o {} -n {} --seed 31 -q --no-record", dir, PLOTS);
        args.extend(split(SMALL));
        let run = mpi(2, &args);
        assert_eq!(run.code, 0, "{}", run.context());
        dir
    })
}

fn job_args(dir: &Path) -> Vec<String> {
    let mut args = args!("-o {} -n {} --seed 31 -q", dir, PLOTS);
    args.extend(split(SMALL));
    args
}

/// Runs the job again with `--resume`: it must succeed, leave no temporary file, and give
/// the plots of the uninterrupted `reference` run. Returns the resumed run.
fn resume_matches(args: &[String], dir: &Path) -> Run {
    let mut resume = args.to_vec();
    resume.push("--resume".into());
    let run = mpi(2, &resume);
    assert_eq!(run.code, 0, "{}", run.context());
    assert_eq!(pngs(dir), PLOTS as usize);
    no_temporaries(dir);
    same_plots(reference(), dir, PLOTS);
    run
}

#[test]
fn a_killed_job_resumes_to_the_plots_of_an_uninterrupted_run() {
    let _turn = one_at_a_time();
    reference();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("job");
    let args = job_args(&dir);
    let (job, ranks, made) = start_and_stop(RANKS, PLOTS, &args);
    job.kill_all(&ranks);
    assert_eq!(pngs(&dir), made, "a stopped job makes nothing more");
    all_plots_whole(&dir);

    let run = resume_matches(&args, &dir);
    let summary = summary_line(&run.stdout);
    assert!(
        summary.contains(&format!("{made} skipped (already there)")),
        "{summary}"
    );
}

#[test]
fn a_signal_stops_every_rank_between_plots_and_resume_finishes() {
    let _turn = one_at_a_time();
    reference();
    let tmp = tempfile::tempdir().unwrap();
    for (how, schedule) in [
        ("SIGUSR1 to mpirun", "static"),
        ("SIGTERM to each rank", "dynamic"),
    ] {
        let dir = tmp.path().join(schedule);
        let mut args = job_args(&dir);
        args.extend(args!("--schedule {}", schedule));
        let (job, ranks, made) = start_and_stop(RANKS, PLOTS, &args);
        if how.starts_with("SIGUSR1") {
            signal(job.launcher_pid(), SIGUSR1); // mpirun forwards SIGUSR1 to every rank
            for &pid in &ranks {
                wait_until(&format!("SIGUSR1 to reach rank {pid}"), || {
                    pending(pid, SIGUSR1)
                });
            }
        } else {
            // As SLURM does at the time limit: every task gets the signal itself.
            for &pid in &ranks {
                signal(pid, SIGTERM);
            }
        }
        // Each rank handles the signal before it runs on: it may finish the plot in hand.
        run_on(&ranks);
        let run = job.finish();
        assert_eq!(
            run.code,
            75,
            "{how}: interrupted runs exit 75\n{}",
            run.context()
        );
        let done = assert_interrupted(how, &run, &dir, PLOTS);
        assert!(
            (made as u64..=(made + RANKS) as u64).contains(&done),
            "{how}: {done} done; {made} made when the job was stopped"
        );
        resume_matches(&args, &dir);
    }
}

#[test]
fn a_dead_rank_ends_the_job_and_resume_completes_it() {
    let _turn = one_at_a_time();
    reference();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("job");
    let args = job_args(&dir);
    let (job, ranks, _) = start_and_stop(RANKS, PLOTS, &args);
    let (victim, others) = ranks.split_last().expect("a rank");
    signal(*victim, SIGKILL);
    run_on(others);
    let run = job.finish();
    assert_ne!(run.code, 0, "{}", run.context());
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(
        said.contains("signal 9") || said.contains("Killed") || said.contains("killed"),
        "MPI names what happened:\n{said}"
    );
    all_plots_whole(&dir);
    resume_matches(&args, &dir);
}

#[test]
fn edge_value_arguments_run_or_fail_once() {
    let _turn = one_at_a_time();
    let tmp = tempfile::tempdir().unwrap();
    let odd = tmp.path().join("dir with spaces/ünïcödé ✓");
    let run = mpi(
        3,
        &args!(
            "-o {} -n 1 --seed 18446744073709551615 --points 1 --width 16 --height 16",
            odd
        ),
    );
    assert_eq!(run.code, 0, "{}", run.context());
    assert_eq!(png_size(&odd.join("plot_1.png")), (16, 16));
    let zero_seed = mpi(2, &args!("-o {} -n 2 --seed 0 -q", tmp.path().join("z")));
    assert_eq!(zero_seed.code, 0, "{}", zero_seed.context());
    let never = tmp.path().join("never");
    for (args, flag) in [
        ("--seed 18446744073709551616", "--seed"),
        ("--points 10000001", "--points"),
        ("--width 16384 --height 16384", "--width"),
        ("--chunk 0", "--chunk"),
        ("--max-files-per-dir 0", "--max-files-per-dir"),
        ("--datasets ''", "--datasets needs --input"),
    ] {
        let mut all = split(args);
        all.extend(args!("-o {}", never));
        mpi(2, &all).assert_one_error(flag, args);
    }
    assert!(!never.exists());
}
