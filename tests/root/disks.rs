//! A disk that fills up and a disk turned read-only under a running job, for real: small
//! tmpfs mounts, which need root. Nothing may be lost under a final name and the record must
//! agree with the disk. The job is stopped part-way by construction (see `start_and_stop`).

use crate::common::jobs::*;
use crate::common::library::PlotStatus;
use crate::common::*;
use crate::needs_root;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The job stopped part-way: many small plots, 40 times the few waited for before stopping.
const PLOTS: u64 = 400;
const RANKS: usize = 2;

/// A small tmpfs, mounted for the test and unmounted whatever happens.
struct SmallDisk {
    path: std::path::PathBuf,
}

impl SmallDisk {
    fn mount(path: &Path, size: &str) -> SmallDisk {
        needs_root("mounts a tmpfs");
        std::fs::create_dir_all(path).unwrap();
        let mounted =
            run(Command::new("mount").args(args!("-t tmpfs -o size={} tmpfs {}", size, path)));
        assert!(mounted.success(), "{}", mounted.context());
        SmallDisk {
            path: path.to_path_buf(),
        }
    }

    /// Remounts the disk read-only; false if the kernel refused because a file on it is
    /// open for writing (EBUSY).
    fn read_only(&self) -> bool {
        run(Command::new("mount").args(args!("-o remount,ro {}", self.path))).success()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // No panic here (it may run while a failing test unwinds): a hung umount is killed.
        if let Ok(mut umount) = Started::try_spawn(Command::new("umount").arg("-l").arg(&self.path))
        {
            umount.wait_within(TIME_LIMIT);
        }
    }
}

#[test]
#[ignore = "needs root: mounts a small tmpfs to fill"]
fn a_full_disk_fails_the_plots_that_do_not_fit_and_nothing_else() {
    let _turn = one_at_a_time();
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
    for row in record_rows(&record) {
        let exists = out.join(row.file.as_str()).exists();
        assert_eq!(
            exists,
            row.status == PlotStatus::Ok,
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
    let _turn = one_at_a_time();
    let tmp = tempfile::tempdir().unwrap();
    let disk = SmallDisk::mount(&tmp.path().join("disk"), "200m");
    let out = disk.path.join("plots");
    let record = tmp.path().join("record.h5");
    let mut args = args!("-o {} -n {} --seed 2 -q --record {}", out, PLOTS, record);
    args.extend(split(SMALL));
    let (job, ranks, _) = start_and_stop(RANKS, PLOTS, &args);
    wait_until("a moment when no rank writes, to remount", || {
        if disk.read_only() {
            return true;
        }
        run_on(&ranks);
        std::thread::sleep(Duration::from_millis(1));
        stop(&ranks);
        false
    });
    let made = pngs(&out);
    assert!(
        made + RANKS < PLOTS as usize,
        "the job made {made} of {PLOTS} plots before the disk turned read-only"
    );
    run_on(&ranks);
    let run = job.finish();
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
