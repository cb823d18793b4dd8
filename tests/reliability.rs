//! Faults provoked for real: a killed job, signals, a dead rank, a full or read-only disk,
//! hostile input files, edge-value arguments. Nothing may be lost under a final name, nothing
//! may hang, and `--resume` must finish the job with the plots an uninterrupted run makes.
//!
//! No fault is timed by a sleep: a job is stopped (SIGSTOP) once it has made a few of its
//! plots, the fault is dealt while it stands still, and only then does it run on (see
//! `start_and_stop`). Every wait has a generous deadline and fails with what it waited for.
//! The tmpfs tests need root (`mount`): a plain `cargo test` leaves them out.

mod common;
use common::*;
use plotrand_mpi::plan::PlotStatus;
use plotrand_mpi::run_record::ResultsRow;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A job started in the background, its output going to files (a pipe nobody reads would
/// fill up and stall it).
struct Job {
    child: Child,
    stdout: std::fs::File,
    stderr: std::fs::File,
}

impl Job {
    fn id(&self) -> u32 {
        self.child.id()
    }
}

/// How long a wait for something that takes a fraction of a second may last before the test
/// fails: generous, so that only a job that is truly stuck fails it, never a slow machine.
const PATIENCE: Duration = Duration::from_secs(300);

/// Polls `done` until it holds; fails the test, saying what it waited for, after `PATIENCE`.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < PATIENCE, "waited {PATIENCE:?} for {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// `mpirun` in a process group of its own, so the whole job can be killed at once, and at a
/// lower priority, so that this test process gets the CPU whenever it asks (it stops the job
/// as soon as it has made a few plots) while the job still runs on a busy machine. Results reach rank 0 in windows of 16 plots (the
/// test knob), so that interrupted runs fill in their undone plots across many windows.
fn spawn_job(args: &[String]) -> Job {
    let (stdout, stderr) = (tempfile::tempfile().unwrap(), tempfile::tempfile().unwrap());
    let mut cmd = Command::new("nice");
    cmd.args(["-n", "10", mpirun()]);
    if is_open_mpi() {
        cmd.args(["--allow-run-as-root", "--oversubscribe"]);
    }
    cmd.args(["-n", &RANKS.to_string(), BIN])
        .args(args)
        .stdout(Stdio::from(stdout.try_clone().unwrap()))
        .stderr(Stdio::from(stderr.try_clone().unwrap()))
        .env("PLOTRAND_GATHER_WINDOW", "16")
        .process_group(0);
    Job {
        child: cmd.spawn().expect("nice and mpirun start"),
        stdout,
        stderr,
    }
}

fn pngs(dir: &Path) -> usize {
    file_names(dir)
        .iter()
        .filter(|n| n.ends_with(".png"))
        .count()
}

/// Starts the job `args` (which begin `-o DIR`), waits until its ranks have made a few plots
/// and stops every rank (SIGSTOP) before it makes more: what the job has done can no longer
/// change. The job is far bigger than the plots made by then, so it is stopped part-way by
/// construction: it cannot finish unless this process is kept off the CPU for the whole run.
/// Returns the job, its ranks (stopped) and the number of plots made.
fn start_and_stop(args: &[String]) -> (Job, Vec<i32>, usize) {
    let dir = Path::new(&args[1]);
    let job = spawn_job(args);
    let mut ranks = Vec::new();
    wait_until("the job's ranks to start", || {
        ranks = ranks_of(dir);
        ranks.len() == RANKS
    });
    wait_until("the first plots", || dir.exists() && pngs(dir) >= 10);
    stop(&ranks);
    let made = pngs(dir);
    // Each rank may finish the plot in hand when told to stop: room for those too.
    assert!(
        made + RANKS < PLOTS as usize,
        "the job made {made} of {PLOTS} plots before this test could stop it"
    );
    (job, ranks, made)
}

/// SIGSTOP to each process, and wait until every thread of each has stopped.
fn stop(pids: &[i32]) {
    for &pid in pids {
        signal(pid, SIGSTOP);
    }
    for &pid in pids {
        wait_until(&format!("rank {pid} to stop"), || all_threads_stopped(pid));
    }
}

fn resume_running(pids: &[i32]) {
    for &pid in pids {
        signal(pid, SIGCONT);
    }
}

/// Whether every thread of `pid` is stopped (state `T` in `/proc/PID/task/TID/stat`).
fn all_threads_stopped(pid: i32) -> bool {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return false;
    };
    tasks.flatten().all(|task| {
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        let state = stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().next());
        matches!(state, Some("T" | "t"))
    })
}

/// Whether signal `sig` waits, undelivered, for process `pid` (a stopped one handles none).
fn pending(pid: i32, sig: i32) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .filter(|l| l.starts_with("ShdPnd:") || l.starts_with("SigPnd:"))
        .filter_map(|l| u64::from_str_radix(l.split_whitespace().nth(1)?, 16).ok())
        .any(|mask| mask & (1 << (sig - 1)) != 0)
}

/// Waits for the job to end, within `PATIENCE`; kills it and fails the test otherwise.
fn finish(mut job: Job) -> Run {
    use std::io::{Read, Seek};
    let start = Instant::now();
    let status = loop {
        if let Some(status) = job.child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > PATIENCE {
            unsafe { libc_kill(-(job.id() as i32), SIGKILL) };
            panic!("the job did not end within {PATIENCE:?}: a hang");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |f: &mut std::fs::File| {
        let mut text = String::new();
        f.rewind().unwrap();
        f.read_to_string(&mut text).unwrap();
        text
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: read(&mut job.stdout),
        stderr: read(&mut job.stderr),
    }
}

extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, signal: i32) -> i32;
}

fn signal(pid: i32, sig: i32) {
    assert_eq!(unsafe { libc_kill(pid, sig) }, 0, "kill({pid}, {sig})");
}

const SIGKILL: i32 = 9;
const SIGUSR1: i32 = 10;
const SIGTERM: i32 = 15;
const SIGCONT: i32 = 18;
const SIGSTOP: i32 = 19;

/// Every final plot decodes: nothing half-written sits under a final name.
fn all_plots_whole(dir: &Path) {
    for name in file_names(dir).iter().filter(|n| n.ends_with(".png")) {
        png_size(&dir.join(name));
    }
}

fn no_temporaries(dir: &Path) {
    let temps: Vec<String> = file_names(dir)
        .into_iter()
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(temps.is_empty(), "temporary files left: {temps:?}");
}

fn same_plots(a: &Path, b: &Path, n: u64) {
    for k in 1..=n {
        let (x, y) = (
            std::fs::read(plot_path(a, k, "png")).unwrap(),
            std::fs::read(plot_path(b, k, "png")).unwrap(),
        );
        assert!(x == y, "plot {k} differs from the uninterrupted run");
    }
}

/// The interrupted jobs: many small plots (a debug build draws one in about 2 ms), 40 times
/// the few the tests wait for before stopping the job.
const PLOTS: u64 = 400;
const RANKS: usize = 2;
const SMALL: &str = "--width 160 --height 120 --points 50";

/// These tests stop, signal and kill whole jobs: one at a time.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn turn() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The PIDs of the ranks writing into `dir`: the processes whose command line is
/// `BIN -o DIR …` (a rank that has ended, even if not yet reaped, has none).
fn ranks_of(dir: &Path) -> Vec<i32> {
    let want = [BIN, "-o", path_arg(dir)];
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| {
            let pid: i32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let argv: Vec<&[u8]> = cmdline.split(|&b| b == 0).take(3).collect();
            (argv.len() == 3 && argv.iter().zip(want).all(|(a, w)| *a == w.as_bytes()))
                .then_some(pid)
        })
        .collect()
}

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
    let _turn = turn();
    reference();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("job");
    let args = job_args(&dir);
    let (job, ranks, made) = start_and_stop(&args);
    // The whole job, as a node failure or `kill -9` would: mpirun and every rank at once.
    signal(-(job.id() as i32), SIGKILL);
    for &pid in &ranks {
        let _ = unsafe { libc_kill(pid, SIGKILL) };
    }
    let killed = finish(job);
    wait_until("the killed ranks to be gone", || ranks_of(&dir).is_empty());
    assert_ne!(killed.code, 0);
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
    let _turn = turn();
    reference();
    let tmp = tempfile::tempdir().unwrap();
    for (how, schedule) in [
        ("SIGUSR1 to mpirun", "static"),
        ("SIGTERM to each rank", "dynamic"),
    ] {
        let dir = tmp.path().join(schedule);
        let mut args = job_args(&dir);
        args.extend(args!("--schedule {}", schedule));
        let (job, ranks, made) = start_and_stop(&args);
        if how.starts_with("SIGUSR1") {
            signal(job.id() as i32, SIGUSR1); // mpirun forwards SIGUSR1 to every rank
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
        resume_running(&ranks);
        let run = finish(job);
        assert_eq!(
            run.code,
            75,
            "{how}: interrupted runs exit 75\n{}",
            run.context()
        );
        let summary = summary_line(&run.stdout);
        assert!(
            summary.contains("NOT DONE (interrupted: run again with --resume)"),
            "{how}: {summary}"
        );
        let record = hdf5::File::open(dir.join("plotrand.h5")).unwrap();
        let attr = |name: &str| record.attr(name).unwrap().read_scalar::<u64>().unwrap();
        let (done, not_done) = (attr("plots_done"), attr("plots_not_done"));
        assert!(
            (made as u64..=(made + RANKS) as u64).contains(&done) && done + not_done == PLOTS,
            "{how}: {done} done + {not_done} not done; {made} made when the job was stopped"
        );
        assert_eq!(
            pngs(&dir) as u64,
            done,
            "{how}: the record says exactly which plots exist"
        );
        let rows = record
            .dataset("results")
            .unwrap()
            .read_raw::<ResultsRow>()
            .unwrap();
        assert_eq!(
            rows.iter().map(|r| r.plot).collect::<Vec<_>>(),
            (1..=PLOTS).collect::<Vec<_>>(),
            "{how}: every plot once, in order"
        );
        for r in &rows {
            let exists = plot_path(&dir, r.plot, "png").exists();
            assert_eq!(r.status == PlotStatus::Ok, exists, "{how}: plot {}", r.plot);
            assert_eq!(
                r.status == PlotStatus::NotDone,
                !exists,
                "{how}: plot {}",
                r.plot
            );
        }
        all_plots_whole(&dir);
        drop(record);
        resume_matches(&args, &dir);
    }
}

#[test]
fn a_dead_rank_ends_the_job_and_resume_completes_it() {
    let _turn = turn();
    reference();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("job");
    let args = job_args(&dir);
    let (job, ranks, _) = start_and_stop(&args);
    let (victim, others) = ranks.split_last().expect("a rank");
    signal(*victim, SIGKILL);
    resume_running(others);
    let run = finish(job);
    assert_ne!(run.code, 0, "{}", run.context());
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(
        said.contains("signal 9") || said.contains("Killed") || said.contains("killed"),
        "MPI names what happened:\n{said}"
    );
    all_plots_whole(&dir);
    resume_matches(&args, &dir);
}

/// A small tmpfs, mounted for the test and unmounted whatever happens.
struct SmallDisk {
    path: std::path::PathBuf,
}

impl SmallDisk {
    fn mount(path: &Path, size: &str) -> SmallDisk {
        std::fs::create_dir_all(path).unwrap();
        let ok = Command::new("mount")
            .args(args!("-t tmpfs -o size={} tmpfs {}", size, path))
            .status()
            .unwrap();
        assert!(ok.success(), "mounting a tmpfs needs root (as CI has)");
        SmallDisk {
            path: path.to_path_buf(),
        }
    }

    /// Remounts the disk read-only; false if the kernel refused because a file on it is
    /// open for writing (EBUSY).
    fn read_only(&self) -> bool {
        Command::new("mount")
            .args(args!("-o remount,ro {}", self.path))
            .stderr(Stdio::null())
            .status()
            .unwrap()
            .success()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

#[test]
#[ignore = "needs root: mounts a small tmpfs to fill"]
fn a_full_disk_fails_the_plots_that_do_not_fit_and_nothing_else() {
    let _turn = turn();
    let tmp = tempfile::tempdir().unwrap();
    let disk = SmallDisk::mount(&tmp.path().join("disk"), "2m");
    let out = disk.path.join("plots");
    let record = tmp.path().join("record.h5");
    let run = mpi(2, &args!("-o {} -n 40 --seed 2 --record {}", out, record));
    assert_eq!(run.code, 1, "{}", run.context());
    let failed = run.lines_starting("Failed:");
    let written = pngs(&out);
    assert!(
        written > 0 && !failed.is_empty() && written + failed.len() == 40,
        "{written} written, {} failed",
        failed.len()
    );
    assert!(
        failed
            .iter()
            .all(|l| l.contains("No space left on device") && l.contains("free space")),
        "{failed:?}"
    );
    all_plots_whole(&out);
    no_temporaries(&out);
    let rows = hdf5::File::open(&record)
        .unwrap()
        .dataset("results")
        .unwrap()
        .read_raw::<plotrand_mpi::run_record::ResultsRow>()
        .unwrap();
    for row in rows {
        let exists = out.join(row.file.as_str()).exists();
        assert_eq!(
            exists,
            row.status == plotrand_mpi::plan::PlotStatus::Ok,
            "plot {}: record and disk disagree",
            row.plot
        );
    }
}

/// The job is stopped part-way (see `start_and_stop`) while the disk turns read-only. The
/// kernel refuses that while a rank has a file open for writing: the job then runs on for a
/// moment and is stopped again, until the remount is done.
#[test]
#[ignore = "needs root: mounts a tmpfs and remounts it read-only"]
fn an_output_directory_turned_read_only_fails_the_rest_cleanly() {
    let _turn = turn();
    let tmp = tempfile::tempdir().unwrap();
    let disk = SmallDisk::mount(&tmp.path().join("disk"), "200m");
    let out = disk.path.join("plots");
    let record = tmp.path().join("record.h5");
    let mut args = args!("-o {} -n {} --seed 2 -q --record {}", out, PLOTS, record);
    args.extend(split(SMALL));
    let (job, ranks, _) = start_and_stop(&args);
    wait_until("a moment when no rank writes, to remount", || {
        if disk.read_only() {
            return true;
        }
        resume_running(&ranks);
        std::thread::sleep(Duration::from_millis(1));
        stop(&ranks);
        false
    });
    let made = pngs(&out);
    assert!(
        made + RANKS < PLOTS as usize,
        "the job made {made} of {PLOTS} plots before the disk turned read-only"
    );
    resume_running(&ranks);
    let run = finish(job);
    assert_eq!(run.code, 1, "{}", run.context());
    let failed = run.lines_starting("Failed:");
    assert!(
        !failed.is_empty() && failed.iter().all(|l| l.contains("Read-only file system")),
        "{}",
        run.context()
    );
    assert_eq!(pngs(&out), made, "nothing is written once read-only");
    assert_eq!(made + failed.len(), PLOTS as usize);
    all_plots_whole(&out);
}

#[test]
fn edge_value_arguments_run_or_fail_once() {
    let _turn = turn();
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
        ("--datasets ''", "required arguments were not provided"),
    ] {
        let mut all = split(args);
        all.extend(args!("-o {}", never));
        mpi(2, &all).assert_one_error(flag, args);
    }
    assert!(!never.exists());
}
