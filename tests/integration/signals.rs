//! Signals sent the way users and schedulers send them: to the launcher (`mpirun`/`mpiexec`,
//! which decides what the ranks get) or to every rank (as SLURM does). Each run is stopped at a
//! known state, so no test depends on how fast the plots are drawn: the ranks are frozen with
//! SIGSTOP once some plots exist, the signal is sent, the test waits until the kernel shows it
//! pending in every rank (for a signal the launcher forwards, that is the launcher's doing),
//! and only then lets the ranks go on with SIGCONT. From there a rank can finish the plot in
//! hand and nothing more, so a run of `PLOTS` small plots is always interrupted.
//! docs/operations.md ("Signals") has the measurements behind each case.

use crate::common::jobs::*;
use crate::common::*;
use std::path::Path;
use std::process::Command;

const PLOTS: u64 = 200;
/// Plots that exist before the signal is sent: the run is under way.
const BEFORE: usize = 20;

/// Open MPI's mpirun sends the ranks SIGCONT before its SIGTERM: stops each rank again as
/// soon as it runs, so that it draws nothing more until the next signal has come.
fn freeze_again_when_continued(ranks: &[i32]) {
    let mut refrozen = vec![false; ranks.len()];
    wait_until("mpirun's SIGCONT", || {
        for (i, &pid) in ranks.iter().enumerate() {
            if !refrozen[i] && proc_state(pid).is_some_and(|s| s != 'T') {
                signal(pid, SIGSTOP);
                refrozen[i] = true;
            }
        }
        refrozen.iter().all(|&r| r)
    });
}

/// The one-letter state of a process (`T` stopped, `R` running, `S` sleeping …).
fn proc_state(pid: i32) -> Option<char> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("State:"))?
        .trim()
        .chars()
        .next()
}

/// The job: `PLOTS` small plots (so that the resumed run is quick) into `dir`.
fn job_args(dir: &Path) -> Vec<String> {
    let mut args = args!("-o {} -n {} --seed 7 -q", dir, PLOTS);
    args.extend(split(SMALL));
    args
}

fn as_strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// What an interrupted run must leave: "NOT DONE" in the summary, a run record that accounts
/// for every plot (each either written or NotDone, matching the files), whole plots, and a
/// `--resume` that finishes the rest.
fn assert_interrupted_and_resumable(how: &str, run: &Run, dir: &Path, args: &[String]) {
    let done = assert_interrupted(how, run, dir, PLOTS);

    let mut resume = args.to_vec();
    resume.push("--resume".into());
    let resumed = mpi(2, &as_strs(&resume));
    assert_eq!(resumed.code, 0, "{how}: --resume\n{}", resumed.context());
    assert_eq!(pngs(dir) as u64, PLOTS, "{how}: all plots after --resume");
    let summary = summary_line(&resumed.stdout);
    assert!(
        summary.contains(&format!("{done} skipped (already there)")),
        "{how}: {summary}"
    );
}

/// SIGHUP (a closed terminal or ssh session; srun forwards it) to every rank. It used to kill
/// the ranks under Open MPI (no record) and, under MPICH, to be swallowed by UCX, which turns
/// on its debug log instead, so the run went on to the end.
#[test]
fn sighup_to_every_rank_stops_them_between_plots() {
    let _turn = one_at_a_time();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("hup");
    let args = job_args(&dir);
    let job = Job::start(2, &[], &args);
    let ranks = job.stop_after(BEFORE).0;
    for &pid in &ranks {
        signal(pid, SIGHUP);
    }
    run_on(&ranks);
    let run = job.finish();
    assert_eq!(run.code, 75, "SIGHUP to the ranks\n{}", run.context());
    assert_interrupted_and_resumable("SIGHUP to the ranks", &run, &dir, &args);
}

/// A rank started with SIGHUP ignored (`nohup`, and MPICH's mpiexec passes that on) keeps it
/// ignored: a hang-up must not stop a run its user protected from hang-ups. Run alone, so that
/// no launcher resets what the rank inherits (Open MPI's does). UCX (under MPICH) takes SIGHUP
/// for its debug log when its library loads, before the program can see that it was ignored;
/// `UCX_DEBUG_SIGNO=0` stops that, as docs/operations.md advises.
#[test]
fn a_rank_started_under_nohup_ignores_sighup() {
    let _turn = one_at_a_time();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("nohup");
    let mut args = job_args(&dir);
    args.push("--no-record".into());
    let mut child = Started::spawn(
        Command::new("nohup")
            .arg(BIN)
            .args(&args)
            .env("UCX_DEBUG_SIGNO", "0"),
    );
    wait_until("the run's first plots", || {
        let under_way = pngs(&dir) >= BEFORE;
        assert!(under_way || !child.has_ended(), "the run ended early");
        under_way
    });
    let pids = ranks_of(&dir);
    assert_eq!(pids.len(), 1, "one process");
    signal(pids[0], SIGHUP);
    let run = child.finish_within(PATIENCE);
    assert_eq!(run.code, 0, "the hang-up was ignored: {}", run.context());
    assert_eq!(pngs(&dir) as u64, PLOTS);
}

/// Signal `sig` (named `name`) to the launcher, which forwards it to every rank: the ranks
/// stop between plots, the run is recorded as interrupted, and `--resume` finishes it.
fn forwarded_by_the_launcher_stops_the_ranks_between_plots(name: &str, sig: i32, dir: &Path) {
    let how = format!("{name} to {}", mpirun());
    let args = job_args(dir);
    let job = Job::start(2, &[], &args);
    let ranks = job.stop_after(BEFORE).0;
    signal(job.launcher_pid(), sig);
    for &pid in &ranks {
        wait_until(&format!("{how} to reach every rank"), || pending(pid, sig));
    }
    run_on(&ranks);
    let run = job.finish();
    if is_open_mpi() {
        assert_eq!(run.code, 75, "{how}\n{}", run.context());
    } else {
        // Hydra's own exit status after it forwarded a signal is 75 or, at random, 0,
        // even with every rank exiting 75 (docs/operations.md): the summary and the
        // record are what tell.
        assert!(
            run.code == 75 || run.code == 0,
            "{how}: exit 75 (or 0, Hydra's doing)\n{}",
            run.context()
        );
    }
    assert_interrupted_and_resumable(&how, &run, dir, &args);
}

/// Signals the launcher itself passes on to every rank. Open MPI's mpirun forwards SIGUSR1
/// (reliability.rs) and SIGUSR2, which used to kill every rank (exit 140, no record).
/// MPICH's mpiexec forwards SIGTERM (the next test), SIGINT (the first Ctrl-C) and SIGUSR1 as
/// they are; it dies of SIGUSR2 and SIGHUP itself and then kills the ranks, which no rank can
/// help.
#[test]
fn signals_the_launcher_forwards_stop_the_ranks_between_plots() {
    let _turn = one_at_a_time();
    let tmp = tempfile::tempdir().unwrap();
    let cases: &[(&str, i32)] = if is_open_mpi() {
        &[("SIGUSR2", SIGUSR2)]
    } else {
        &[("SIGINT", SIGINT), ("SIGUSR1", SIGUSR1)]
    };
    for &(name, sig) in cases {
        forwarded_by_the_launcher_stops_the_ranks_between_plots(name, sig, &tmp.path().join(name));
    }
}

/// SIGTERM to the launcher (`kill`'s default) lets the ranks stop between plots and record
/// the run, under either MPI. MPICH's mpiexec forwards it as it is. Open MPI's mpirun does
/// not forward SIGTERM, SIGINT or SIGHUP (`ess_base_forward_signals` refuses them): it sends
/// every rank SIGCONT, after `odls_base_sigkill_timeout` seconds (default 1) SIGTERM, and as
/// long again later SIGKILL, then exits 1. A longer timeout is the documented way to let the
/// ranks stop between plots and record the run; the exit status stays 1.
#[test]
fn sigterm_to_the_launcher_records_the_run() {
    let _turn = one_at_a_time();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("term");
    if is_open_mpi() {
        sigterm_to_open_mpi_mpirun_with_a_longer_sigkill_timeout_records_the_run(&dir);
    } else {
        forwarded_by_the_launcher_stops_the_ranks_between_plots("SIGTERM", SIGTERM, &dir);
    }
}

fn sigterm_to_open_mpi_mpirun_with_a_longer_sigkill_timeout_records_the_run(dir: &Path) {
    let args = job_args(dir);
    let job = Job::start(2, &[("OMPI_MCA_odls_base_sigkill_timeout", "15")], &args);
    let ranks = job.stop_after(BEFORE).0;
    signal(job.launcher_pid(), SIGTERM);
    // mpirun first sends SIGCONT: freeze each rank again as soon as it runs, so that it
    // cannot go on plotting until its SIGTERM has come.
    freeze_again_when_continued(&ranks);
    for &pid in &ranks {
        wait_until("mpirun's SIGTERM to every rank", || pending(pid, SIGTERM));
    }
    // From here the ranks have the 15 s until mpirun's SIGKILL to stop.
    run_on(&ranks);
    let run = job.finish();
    assert_eq!(run.code, 1, "mpirun's own status\n{}", run.context());
    assert_interrupted_and_resumable("SIGTERM to mpirun", &run, dir, &args);
}

/// What no rank can help, pinned down as docs/operations.md describes it: Open MPI's mpirun
/// answers Ctrl-C (SIGINT) and SIGHUP with SIGCONT, SIGTERM after 1 s and SIGKILL after 1 s
/// more, so a rank still busy with its plot a second later dies (held here with SIGSTOP, as a
/// long plot would hold it); MPICH's mpiexec dies of SIGUSR2 and SIGHUP and its proxy kills
/// the ranks. Either way: no record, no summary, and `--resume` finishes the job.
#[test]
fn signals_the_launcher_does_not_forward_end_the_job_without_a_record() {
    let _turn = one_at_a_time();
    let tmp = tempfile::tempdir().unwrap();
    let cases: &[(&str, i32)] = if is_open_mpi() {
        &[("SIGINT", SIGINT), ("SIGHUP", SIGHUP)]
    } else {
        &[("SIGUSR2", SIGUSR2), ("SIGHUP", SIGHUP)]
    };
    for &(name, sig) in cases {
        let how = format!("{name} to {}", mpirun());
        let dir = tmp.path().join(name);
        let args = job_args(&dir);
        let job = Job::start(2, &[], &args);
        let ranks = job.stop_after(BEFORE).0;
        signal(job.launcher_pid(), sig);
        if is_open_mpi() {
            // Keep them from drawing after mpirun's SIGCONT, as a plot longer than the
            // second would.
            freeze_again_when_continued(&ranks);
        }
        let run = job.finish();
        assert!(
            ![0, 75].contains(&run.code),
            "{how}: the job is killed\n{}",
            run.context()
        );
        if is_open_mpi() {
            assert_eq!(run.code, 1, "{how}: mpirun's status\n{}", run.context());
        }
        assert!(
            !dir.join("plotrand.h5").exists() && !run.stdout.contains("NOT DONE"),
            "{how}: no record, no summary\n{}",
            run.context()
        );
        wait_until("the ranks to be gone", || ranks_of(&dir).is_empty());
        let made = pngs(&dir);
        let mut resume = args.clone();
        resume.push("--resume".into());
        let resumed = mpi(2, &as_strs(&resume));
        assert_eq!(resumed.code, 0, "{how}: --resume\n{}", resumed.context());
        assert_eq!(pngs(&dir) as u64, PLOTS, "{how}: all plots after --resume");
        assert!(
            summary_line(&resumed.stdout).contains(&format!("{made} skipped (already there)")),
            "{how}: {}",
            resumed.stdout
        );
    }
}
