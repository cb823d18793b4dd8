//! Faults provoked for real: a killed job, signals, a dead rank, a full or read-only disk,
//! hostile input files, edge-value arguments. Nothing may be lost under a final name, nothing
//! may hang, and `--resume` must finish the job with the plots an uninterrupted run makes.

mod common;
use common::*;
use plotrand_mpi::plan::PlotStatus as Status;
use plotrand_mpi::run_record::ResultsRow as ResultRow;
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

/// `mpirun` in a process group of its own, so the whole job can be killed at once. Results
/// reach rank 0 in windows of 16 plots (the test knob), so that interrupted runs fill in
/// their undone plots across many windows.
fn spawn_job(ranks: usize, args: &[&str]) -> Job {
    let (stdout, stderr) = (tempfile::tempfile().unwrap(), tempfile::tempfile().unwrap());
    let mut cmd = Command::new(mpirun());
    if is_open_mpi() {
        cmd.args(["--allow-run-as-root", "--oversubscribe"]);
    }
    cmd.args(["-n", &ranks.to_string(), BIN])
        .args(args)
        .stdout(Stdio::from(stdout.try_clone().unwrap()))
        .stderr(Stdio::from(stderr.try_clone().unwrap()))
        .env("PLOTRAND_GATHER_WINDOW", "16")
        .process_group(0);
    Job {
        child: cmd.spawn().expect("mpirun starts"),
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

/// Waits until `dir` holds at least `n` plots (the job is under way), within a minute.
fn wait_for_plots(dir: &Path, n: usize) {
    let start = Instant::now();
    while !dir.exists() || pngs(dir) < n {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the job made no progress"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits for the job to end, within `limit`; kills it and fails the test otherwise.
fn finish(mut job: Job, limit: Duration) -> Run {
    use std::io::{Read, Seek};
    let start = Instant::now();
    let status = loop {
        if let Some(status) = job.child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            unsafe { libc_kill(-(job.id() as i32), 9) };
            panic!("the job did not end within {limit:?}: a hang");
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

const PLOTS: u64 = 200;
/// Small figures: a debug build draws them fast enough to kill a job part-way reliably.
const SMALL: [&str; 6] = ["--width", "160", "--height", "120", "--points", "50"];

/// These tests time their faults against a running job: one at a time.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn turn() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The PIDs of the ranks writing into `dir`.
fn ranks_of(dir: &Path) -> Vec<i32> {
    let found = Command::new("pgrep")
        .args(["-f", &format!("^{BIN} -o {}", dir.display())])
        .output()
        .unwrap();
    String::from_utf8_lossy(&found.stdout)
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect()
}

fn reference(tmp: &Path) -> std::path::PathBuf {
    let dir = tmp.join("reference");
    let mut args = vec![
        "-o",
        path_arg(&dir),
        "-n",
        "200",
        "--seed",
        "31",
        "-q",
        "--no-record",
    ];
    args.extend(SMALL);
    let run = mpi(2, &args);
    assert_eq!(run.code, 0, "{}", run.context());
    dir
}

fn job_args(dir: &Path) -> Vec<String> {
    [
        "-o",
        path_arg(dir),
        "-n",
        &PLOTS.to_string(),
        "--seed",
        "31",
        "-q",
    ]
    .iter()
    .chain(SMALL.iter())
    .map(|s| s.to_string())
    .collect()
}

fn as_strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Runs the job again with `--resume`: it must succeed, leave no temporary file, and give
/// the plots of the uninterrupted `reference` run. Returns the resumed run.
fn resume_matches(args: &[String], dir: &Path, reference: &Path) -> Run {
    let mut resume = args.to_vec();
    resume.push("--resume".into());
    let run = mpi(2, &as_strs(&resume));
    assert_eq!(run.code, 0, "{}", run.context());
    assert_eq!(pngs(dir), PLOTS as usize);
    no_temporaries(dir);
    same_plots(reference, dir, PLOTS);
    run
}

#[test]
fn a_killed_job_resumes_to_the_plots_of_an_uninterrupted_run() {
    let _turn = turn();
    let tmp = tempfile::tempdir().unwrap();
    let reference = reference(tmp.path());
    let dir = tmp.path().join("job");
    let args = job_args(&dir);
    let child = spawn_job(2, &as_strs(&args));
    wait_for_plots(&dir, 30);
    // The whole job, as a node failure or `kill -9` would: mpirun and every rank at once.
    let ranks = ranks_of(&dir);
    signal(-(child.id() as i32), SIGKILL);
    for pid in ranks {
        let _ = unsafe { libc_kill(pid, SIGKILL) };
    }
    let killed = finish(child, Duration::from_secs(60));
    while !ranks_of(&dir).is_empty() {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_ne!(killed.code, 0);
    let made = pngs(&dir);
    assert!(
        made < PLOTS as usize,
        "the kill came too late to test anything ({made} plots)"
    );
    all_plots_whole(&dir);

    let run = resume_matches(&args, &dir, &reference);
    let summary = summary_line(&run.stdout);
    assert!(
        summary.contains(&format!("{made} skipped (already there)")),
        "{summary}"
    );
}

#[test]
fn a_signal_stops_every_rank_between_plots_and_resume_finishes() {
    let _turn = turn();
    let tmp = tempfile::tempdir().unwrap();
    let reference = reference(tmp.path());
    for (how, schedule) in [
        ("SIGUSR1 to mpirun", "static"),
        ("SIGTERM to each rank", "dynamic"),
    ] {
        let dir = tmp.path().join(schedule);
        let mut args = job_args(&dir);
        args.extend(["--schedule".into(), schedule.into()]);
        let child = spawn_job(2, &as_strs(&args));
        wait_for_plots(&dir, 20);
        if how.starts_with("SIGUSR1") {
            signal(child.id() as i32, SIGUSR1); // mpirun forwards SIGUSR1 to every rank
        } else {
            // As SLURM does at the time limit: every task gets the signal itself.
            let pids = ranks_of(&dir);
            assert_eq!(pids.len(), 2, "two ranks running");
            for pid in pids {
                signal(pid, SIGTERM);
            }
        }
        let run = finish(child, Duration::from_secs(60));
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
            not_done > 0 && done + not_done == PLOTS,
            "{how}: {done} done + {not_done} not done"
        );
        assert_eq!(
            pngs(&dir) as u64,
            done,
            "{how}: the record says exactly which plots exist"
        );
        let rows = record
            .dataset("results")
            .unwrap()
            .read_raw::<ResultRow>()
            .unwrap();
        assert_eq!(
            rows.iter().map(|r| r.plot).collect::<Vec<_>>(),
            (1..=PLOTS).collect::<Vec<_>>(),
            "{how}: every plot once, in order"
        );
        for r in &rows {
            let exists = plot_path(&dir, r.plot, "png").exists();
            assert_eq!(r.status == Status::Ok, exists, "{how}: plot {}", r.plot);
            assert_eq!(
                r.status == Status::NotDone,
                !exists,
                "{how}: plot {}",
                r.plot
            );
        }
        all_plots_whole(&dir);
        drop(record);
        resume_matches(&args, &dir, &reference);
    }
}

#[test]
fn a_dead_rank_ends_the_job_and_resume_completes_it() {
    let _turn = turn();
    let tmp = tempfile::tempdir().unwrap();
    let reference = reference(tmp.path());
    let dir = tmp.path().join("job");
    let args = job_args(&dir);
    let child = spawn_job(2, &as_strs(&args));
    wait_for_plots(&dir, 20);
    let victim = *ranks_of(&dir).last().expect("a rank");
    signal(victim, SIGKILL);
    let run = finish(child, Duration::from_secs(60));
    assert_ne!(run.code, 0, "{}", run.context());
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(
        said.contains("signal 9") || said.contains("Killed") || said.contains("killed"),
        "MPI names what happened:\n{said}"
    );
    all_plots_whole(&dir);
    resume_matches(&args, &dir, &reference);
}

/// A small tmpfs, mounted for the test and unmounted whatever happens.
struct SmallDisk {
    path: std::path::PathBuf,
}

impl SmallDisk {
    fn mount(path: &Path, size: &str) -> SmallDisk {
        std::fs::create_dir_all(path).unwrap();
        let ok = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size}"),
                "tmpfs",
                path_arg(path),
            ])
            .status()
            .unwrap();
        assert!(ok.success(), "mounting a tmpfs needs root (as CI has)");
        SmallDisk {
            path: path.to_path_buf(),
        }
    }

    fn read_only(&self) {
        let ok = Command::new("mount")
            .args(["-o", "remount,ro", path_arg(&self.path)])
            .status()
            .unwrap();
        assert!(ok.success());
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

#[test]
fn a_full_disk_fails_the_plots_that_do_not_fit_and_nothing_else() {
    let _turn = turn();
    let tmp = tempfile::tempdir().unwrap();
    let disk = SmallDisk::mount(&tmp.path().join("disk"), "2m");
    let out = disk.path.join("plots");
    let record = tmp.path().join("record.h5");
    let run = mpi(
        2,
        &[
            "-o",
            path_arg(&out),
            "-n",
            "40",
            "--seed",
            "2",
            "--record",
            path_arg(&record),
        ],
    );
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

#[test]
fn an_output_directory_turned_read_only_fails_the_rest_cleanly() {
    let _turn = turn();
    let tmp = tempfile::tempdir().unwrap();
    let disk = SmallDisk::mount(&tmp.path().join("disk"), "200m");
    let out = disk.path.join("plots");
    let record = tmp.path().join("record.h5");
    let mut args = vec![
        "-o",
        path_arg(&out),
        "-n",
        "400",
        "--seed",
        "2",
        "-q",
        "--record",
        path_arg(&record),
    ];
    args.extend(SMALL);
    let child = spawn_job(2, &args);
    wait_for_plots(&out, 20);
    disk.read_only();
    let run = finish(child, Duration::from_secs(120));
    assert_eq!(run.code, 1, "{}", run.context());
    let failed = run.lines_starting("Failed:");
    assert!(
        !failed.is_empty() && failed.iter().all(|l| l.contains("Read-only file system")),
        "{}",
        run.context()
    );
    assert_eq!(pngs(&out) + failed.len(), 400);
    all_plots_whole(&out);
}

#[test]
fn edge_value_arguments_run_or_fail_once() {
    let _turn = turn();
    let tmp = tempfile::tempdir().unwrap();
    let odd = tmp.path().join("dir with spaces/ünïcödé ✓");
    let run = mpi(
        3,
        &[
            "-o",
            path_arg(&odd),
            "-n",
            "1",
            "--seed",
            "18446744073709551615",
            "--points",
            "1",
            "--width",
            "16",
            "--height",
            "16",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.context());
    assert_eq!(png_size(&odd.join("plot_1.png")), (16, 16));
    let zero_seed = mpi(
        2,
        &[
            "-o",
            path_arg(&tmp.path().join("z")),
            "-n",
            "2",
            "--seed",
            "0",
            "-q",
        ],
    );
    assert_eq!(zero_seed.code, 0, "{}", zero_seed.context());
    let never = tmp.path().join("never");
    for (args, flag) in [
        (vec!["--seed", "18446744073709551616"], "--seed"),
        (vec!["--points", "10000001"], "--points"),
        (vec!["--width", "16384", "--height", "16384"], "--width"),
        (vec!["--chunk", "0"], "--chunk"),
        (vec!["--max-files-per-dir", "0"], "--max-files-per-dir"),
        (
            vec!["--datasets", ""],
            "required arguments were not provided",
        ),
    ] {
        let mut all = args.clone();
        all.extend(["-o", path_arg(&never)]);
        mpi(2, &all).assert_one_error(flag, &format!("{args:?}"));
    }
    assert!(!never.exists());
}
