//! MPI jobs started in the background and held at a known state, so that a fault (a signal,
//! a kill, a remount) lands part-way by construction, never by timing: the job runs until it
//! has made a few plots, its ranks are stopped (SIGSTOP, every thread), the fault is dealt
//! while they stand still, and only then do they run on. Every wait has a generous deadline
//! and fails with what it waited for.

use super::library::PlotStatus;
use super::process::Started;
use super::{
    is_open_mpi, mpirun, path_arg, plot_file, png_size, record_rows, summary_line, u64_attr, Run,
    BIN,
};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub const SIGHUP: i32 = libc::SIGHUP;
pub const SIGINT: i32 = libc::SIGINT;
pub const SIGKILL: i32 = libc::SIGKILL;
pub const SIGUSR1: i32 = libc::SIGUSR1;
pub const SIGUSR2: i32 = libc::SIGUSR2;
pub const SIGTERM: i32 = libc::SIGTERM;
pub const SIGCONT: i32 = libc::SIGCONT;
pub const SIGSTOP: i32 = libc::SIGSTOP;

/// How long a wait for something that takes a fraction of a second may last before the test
/// fails: generous, so that only a job that is truly stuck fails it, never a slow machine.
pub const PATIENCE: Duration = Duration::from_secs(300);

pub fn signal(pid: i32, sig: i32) {
    // SAFETY: plain kill(2).
    assert_eq!(unsafe { libc::kill(pid, sig) }, 0, "kill({pid}, {sig})");
}

/// Tests that stop, signal and kill whole jobs take turns.
pub fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Polls `done` until it holds; fails the test, saying what it waited for, after `PATIENCE`.
pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < PATIENCE, "waited {PATIENCE:?} for {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

pub fn pngs(dir: &Path) -> usize {
    if !dir.exists() {
        return 0;
    }
    super::file_names(dir)
        .iter()
        .filter(|n| n.ends_with(".png"))
        .count()
}

/// `mpirun -n ranks BIN args…` (args begin `-o DIR`) in the background: in a process group of
/// its own, so the whole job can be killed at once; at a lower priority, so that the test
/// gets the CPU whenever it asks; its output going to files. Results reach rank 0 in windows
/// of 16 plots (the test knob), so that interrupted runs fill in their undone plots across
/// many windows. Dropped before it has ended (a test failing part-way), the job is killed,
/// every rank with it.
pub struct Job {
    started: Option<Started>,
    dir: PathBuf,
    ranks: usize,
}

impl Job {
    pub fn start(ranks: usize, env: &[(&str, &str)], args: &[String]) -> Job {
        assert_eq!(args[0], "-o", "a job's arguments begin with -o DIR");
        let mut cmd = Command::new("nice");
        cmd.args(["-n", "10", mpirun()]);
        if is_open_mpi() {
            cmd.args(["--allow-run-as-root", "--oversubscribe"]);
        }
        cmd.args(["-n", &ranks.to_string(), BIN])
            .args(args)
            .envs(env.iter().copied())
            .env("PLOTRAND_GATHER_WINDOW", "16");
        Job {
            started: Some(Started::spawn(&mut cmd)),
            dir: PathBuf::from(&args[1]),
            ranks,
        }
    }

    pub fn launcher_pid(&self) -> i32 {
        self.started.as_ref().expect("a running job").pid()
    }

    /// Waits until the job's ranks run and have made `plots` plots, then stops every rank
    /// (all threads) before it makes more. Returns the ranks and the plots made.
    pub fn stop_after(&self, plots: usize) -> (Vec<i32>, usize) {
        let mut ranks = Vec::new();
        wait_until("the job's ranks to start", || {
            ranks = ranks_of(&self.dir);
            ranks.len() == self.ranks
        });
        wait_until(&format!("the first {plots} plots"), || {
            pngs(&self.dir) >= plots
        });
        stop(&ranks);
        (ranks, pngs(&self.dir))
    }

    /// Kills the whole job, as a node failure or `kill -9` would: mpirun and every rank of
    /// `ranks` at once; returns when they are gone.
    pub fn kill_all(self, ranks: &[i32]) -> Run {
        signal(-self.launcher_pid(), SIGKILL);
        for &pid in ranks {
            signal(pid, SIGKILL);
        }
        let dir = self.dir.clone();
        let killed = self.finish();
        wait_until("the killed ranks to be gone", || ranks_of(&dir).is_empty());
        assert_ne!(killed.code, 0);
        killed
    }

    /// Waits for the job to end, within `PATIENCE`; kills it and fails the test otherwise.
    pub fn finish(mut self) -> Run {
        let started = self.started.take().expect("a job is finished once");
        started.finish_within(PATIENCE)
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        // A rank whose launcher is gone is no longer its descendant: found by its command line.
        for pid in ranks_of(&self.dir) {
            // SAFETY: plain kill(2).
            unsafe { libc::kill(pid, SIGKILL) };
        }
    }
}

/// Starts the job `args` (which begin `-o DIR`) of `plots` plots on `ranks` ranks, waits
/// until its ranks have made a few plots and stops every rank before it makes more: what the
/// job has done can no longer change. The job is far bigger than the plots made by then, so
/// it is stopped part-way by construction. Returns the job, its ranks (stopped) and the
/// number of plots made.
pub fn start_and_stop(ranks: usize, plots: u64, args: &[String]) -> (Job, Vec<i32>, usize) {
    let job = Job::start(ranks, &[], args);
    let (pids, made) = job.stop_after(10);
    // Each rank may finish the plot in hand when told to stop: room for those too.
    assert!(
        made + ranks < plots as usize,
        "the job made {made} of {plots} plots before this test could stop it"
    );
    (job, pids, made)
}

/// The PIDs of the ranks writing into `dir`: the processes whose command line is
/// `BIN -o DIR …` (a rank that has ended, even if not yet reaped, has none).
pub fn ranks_of(dir: &Path) -> Vec<i32> {
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

/// SIGSTOP to each process, and wait until every thread of each has stopped.
pub fn stop(pids: &[i32]) {
    for &pid in pids {
        signal(pid, SIGSTOP);
    }
    for &pid in pids {
        wait_until(&format!("rank {pid} to stop"), || all_threads_stopped(pid));
    }
}

/// SIGCONT to each process.
pub fn run_on(pids: &[i32]) {
    for &pid in pids {
        signal(pid, SIGCONT);
    }
}

/// Whether every thread of `pid` is stopped (state `T` in `/proc/PID/task/TID/stat`).
pub fn all_threads_stopped(pid: i32) -> bool {
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
pub fn pending(pid: i32, sig: i32) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .filter(|l| l.starts_with("ShdPnd:") || l.starts_with("SigPnd:"))
        .filter_map(|l| u64::from_str_radix(l.split_whitespace().nth(1)?, 16).ok())
        .any(|mask| mask & (1 << (sig - 1)) != 0)
}

/// What an interrupted run of `plots` plots into `dir` must leave: "NOT DONE" in the summary,
/// and a run record that accounts for every plot, once and in order: written (a whole file
/// there) or not done (no file). Returns the plots done.
pub fn assert_interrupted(how: &str, run: &Run, dir: &Path, plots: u64) -> u64 {
    let summary = summary_line(&run.stdout);
    assert!(
        summary.contains("NOT DONE (interrupted: run again with --resume)"),
        "{how}: {summary}\n{}",
        run.context()
    );
    let path = dir.join("plotrand.h5");
    let (done, not_done) = {
        let _reading = super::writing_hdf5();
        let record = hdf5::File::open(&path)
            .unwrap_or_else(|e| panic!("{how}: no readable run record: {e}\n{}", run.context()));
        (
            u64_attr(&record, "plots_done"),
            u64_attr(&record, "plots_not_done"),
        )
    };
    assert!(
        not_done > 0 && done + not_done == plots,
        "{how}: {done} done + {not_done} not done of {plots}"
    );
    assert_eq!(pngs(dir) as u64, done, "{how}: the record says which exist");
    let rows = record_rows(&path);
    assert_eq!(
        rows.iter().map(|r| r.plot).collect::<Vec<_>>(),
        (1..=plots).collect::<Vec<_>>(),
        "{how}: every plot once, in order"
    );
    for r in &rows {
        let path = plot_file(dir, r.plot, plots, "png");
        let exists = path.exists();
        assert_eq!(r.status == PlotStatus::Ok, exists, "{how}: plot {}", r.plot);
        assert_eq!(
            r.status == PlotStatus::NotDone,
            !exists,
            "{how}: plot {}",
            r.plot
        );
        if exists {
            png_size(&path);
        }
    }
    done
}
