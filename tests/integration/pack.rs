//! `--pack`: per-rank tar archives under the real mpirun, read back by GNU tar, Python's
//! tarfile and `plotrand-mpi extract`, compared byte for byte with the files of an unpacked
//! run; and a job killed part-way whose `--resume` ends with archives byte-identical to an
//! uninterrupted run's.

use crate::common::jobs::*;
use crate::common::library::{pack, PlotStatus};
use crate::common::*;
use std::collections::BTreeMap;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `plotrand-mpi extract RECORD --all -o INTO`, which must succeed: the files written.
fn extract_all(record: &Path, into: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let run = alone(&args!("extract {} --all -o {}", record, into));
    assert_eq!(run.code, 0, "{}", run.context());
    files_under(into)
}

/// `-o DIR` and the rest of a command line, split as a shell would.
fn with_dir(dir: &Path, rest: &str) -> Vec<String> {
    let mut line = vec!["-o".to_string(), path_arg(dir).to_string()];
    line.extend(split(rest));
    line
}

/// Every regular file under `dir`, by path relative to it, but for the run's own files.
fn files_under(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            if path.is_dir() {
                stack.push(path);
            } else if !(BOOKKEEPING.contains(&name.as_str()) || name.ends_with(".h5")) {
                let relative = path.strip_prefix(dir).unwrap().to_path_buf();
                found.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    found
}

fn archives(dir: &Path) -> Vec<PathBuf> {
    pack::archives_in(dir)
        .unwrap()
        .into_iter()
        .map(|(_, p)| p)
        .collect()
}

/// GNU tar lists every archive without complaint, and Python's tarfile unpacks them all into
/// `into`.
fn unpack_with_python(dir: &Path, into: &Path) {
    for archive in archives(dir) {
        let listed = run(Command::new("tar").arg("-tvf").arg(&archive));
        assert!(
            listed.success() && listed.stderr.is_empty(),
            "{}",
            listed.context()
        );
        let script = "import sys, tarfile\nwith tarfile.open(sys.argv[1]) as t:\n    t.extractall(sys.argv[2])";
        let out = run(Command::new("python3")
            .args(["-c", script])
            .arg(&archive)
            .arg(into));
        assert!(out.success(), "{}", out.context());
    }
}

/// A packed run holds the plots of an unpacked run byte for byte, as tar, Python, the
/// record's offsets and `extract` all read them.
fn check_packed_against_flat(ranks: usize, flat_args: &str, packed_args: &str, case: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let (flat, packed) = (tmp.path().join("flat"), tmp.path().join("packed"));
    let run = mpi(2, &with_dir(&flat, flat_args));
    assert_eq!(run.code, 0, "{case}: {}", run.context());
    let run = mpi(ranks, &with_dir(&packed, &format!("--pack {packed_args}")));
    assert_eq!(run.code, 0, "{case}: {}", run.context());
    let expected = files_under(&flat);
    assert!(!expected.is_empty());

    // No plot files, one archive per rank that drew.
    let names = file_names(&packed);
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("plots-") || n == "plotrand.h5"),
        "{case}: {names:?}"
    );
    let by_python = tmp.path().join("python");
    unpack_with_python(&packed, &by_python);
    assert_eq!(files_under(&by_python), expected, "{case}: members = files");

    // The record says where each plot is.
    let record = packed.join("plotrand.h5");
    for row in record_rows(&record) {
        assert_eq!(row.status, PlotStatus::Ok, "{case}");
        let archive = std::fs::File::open(packed.join(row.archive.as_str())).unwrap();
        let mut bytes = vec![0; row.bytes as usize];
        archive.read_exact_at(&mut bytes, row.offset).unwrap();
        assert_eq!(
            Some(&bytes),
            expected.get(Path::new(row.file.as_str())),
            "{case}: plot {} at its offset",
            row.plot
        );
    }

    let extracted = extract_all(&record, &tmp.path().join("extracted"));
    assert_eq!(extracted, expected, "{case}: extract --all");

    // `report` carries the places too, as its last two columns.
    let csv = alone(&args!("report {} --format csv", record));
    assert_eq!(csv.code, 0, "{case}: {}", csv.context());
    let mut lines = csv.stdout.lines();
    assert!(lines.next().unwrap().ends_with(",archive,offset"), "{case}");
    let first: Vec<&str> = lines.next().unwrap().rsplit(',').take(2).collect();
    // The first member of some rank's archive (the dynamic schedule decides whose).
    let (offset, archive) = (first[0], first[1]);
    assert!(
        offset == "512" && archive.starts_with("plots-") && archive.ends_with(".tar"),
        "{case}: {first:?}"
    );
}

#[test]
fn packed_png_svg_and_pdf_are_the_unpacked_files_whatever_the_schedule() {
    for (format, schedule, ranks) in [
        ("png", "static", 3),
        ("svg", "dynamic", 3),
        ("pdf", "static", 2),
    ] {
        let common = format!("-n 13 --seed 11 --format {format} {SMALL} -q");
        let packed = format!("{common} --schedule {schedule}");
        check_packed_against_flat(ranks, &common, &packed, &format!("{format}, {schedule}"));
    }
}

#[test]
fn packed_input_runs_and_subdirectories_keep_the_unpacked_names() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in.h5");
    let made = alone(&args!("sample {} --datasets 9 --max-points 200", input));
    assert_eq!(made.code, 0, "{}", made.context());
    let common = format!(
        "--input {} --width 160 --height 120 -q --max-files-per-dir 4",
        input.display()
    );
    check_packed_against_flat(3, &common, &format!("{common} --schedule dynamic"), "input");
}

#[test]
fn extract_names_what_it_cannot_write() {
    let tmp = tempfile::tempdir().unwrap();
    let (flat, packed) = (tmp.path().join("flat"), tmp.path().join("packed"));
    let line = format!("-n 3 --seed 1 {SMALL} -q");
    assert_eq!(mpi(1, &with_dir(&flat, &line)).code, 0);
    assert_eq!(
        mpi(2, &with_dir(&packed, &format!("{line} --pack"))).code,
        0
    );
    let out = tmp.path().join("out");

    let run = alone(&args!(
        "extract {} 2 7 -o {}",
        packed.join("plotrand.h5"),
        out
    ));
    assert_eq!(run.code, 2, "{}", run.context());
    assert!(run.stderr.contains("no plot 7"), "{}", run.context());
    assert_eq!(files_under(&out).len(), 1, "plot 2 is written all the same");

    let run = alone(&args!("extract {} 1 -o {}", flat.join("plotrand.h5"), out));
    assert_eq!(run.code, 1, "{}", run.context());
    assert!(run.stderr.contains("not packed"), "{}", run.context());

    let run = alone(&args!("extract {} -o {}", packed.join("plotrand.h5"), out));
    assert_eq!(run.code, 2, "neither plots nor --all: {}", run.context());
}

/// Plots packed so far, over all the archives of `dir`.
fn members(dir: &Path) -> usize {
    if !dir.exists() {
        return 0;
    }
    archives(dir)
        .iter()
        .map(|a| pack::scan(a, &|_| None).map_or(0, |s| s.members.len()))
        .sum()
}

#[test]
fn a_killed_packed_job_resumes_to_archives_identical_to_an_uninterrupted_run() {
    let _turn = one_at_a_time();
    let tmp = tempfile::tempdir().unwrap();
    let plots = 200;
    let line = |dir: &Path| with_dir(dir, &format!("-n {plots} --seed 5 --pack {SMALL} -q"));
    let reference = tmp.path().join("reference");
    let run = mpi(2, &line(&reference));
    assert_eq!(run.code, 0, "{}", run.context());

    let dir = tmp.path().join("job");
    let job = Job::start(2, &[], &line(&dir));
    let mut ranks = Vec::new();
    wait_until("the job's ranks to start", || {
        ranks = ranks_of(&dir);
        ranks.len() == 2
    });
    wait_until("20 plots packed", || members(&dir) >= 20);
    stop(&ranks);
    job.kill_all(&ranks);
    let made = members(&dir);
    assert!((20..plots as usize).contains(&made), "{made} packed");

    // A kill in the middle of a write leaves a partial member: cut rank 0's last one in two.
    let first = &archives(&dir)[0];
    let scan = pack::scan(first, &|_| None).unwrap();
    let last = scan.members.last().unwrap();
    let file = std::fs::OpenOptions::new().write(true).open(first).unwrap();
    file.set_len(last.offset + last.size / 2).unwrap();
    drop(file);

    let mut resume = line(&dir);
    resume.push("--resume".into());
    let run = mpi(2, &resume);
    assert_eq!(run.code, 0, "{}", run.context());
    assert!(
        run.stdout.contains("Cut 1 archive(s) back"),
        "{}",
        run.context()
    );
    let summary = summary_line(&run.stdout);
    assert!(
        summary.contains(&format!("{} skipped (already there)", made - 1)),
        "{summary}"
    );
    let (got, want) = (archives(&dir), archives(&reference));
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert!(
            std::fs::read(g).unwrap() == std::fs::read(w).unwrap(),
            "{} differs from the uninterrupted run's",
            g.display()
        );
    }
    // The resumed record places the skipped plots as well as the new ones.
    let by_python = tmp.path().join("python");
    unpack_with_python(&reference, &by_python);
    assert_eq!(
        extract_all(&dir.join("plotrand.h5"), &tmp.path().join("extracted")),
        files_under(&by_python)
    );
}

#[test]
fn a_resume_on_other_ranks_and_schedule_finds_plots_in_any_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let (flat, dir) = (tmp.path().join("flat"), tmp.path().join("packed"));
    let line = format!("-n 40 --seed 3 {SMALL} -q");
    assert_eq!(mpi(1, &with_dir(&flat, &line)).code, 0);
    let run = mpi(2, &with_dir(&dir, &format!("{line} --pack")));
    assert_eq!(run.code, 0, "{}", run.context());
    // Rank 1's archive loses its second half, as if it had been killed there.
    let second = &archives(&dir)[1];
    let scan = pack::scan(second, &|_| None).unwrap();
    let kept = scan.members.len() / 2;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(second)
        .unwrap();
    file.set_len(scan.members[kept].offset - 100).unwrap();
    drop(file);

    let resume = format!("{line} --pack --resume --schedule dynamic --chunk 3");
    let run = mpi(3, &with_dir(&dir, &resume));
    assert_eq!(run.code, 0, "{}", run.context());
    let summary = summary_line(&run.stdout);
    assert!(
        summary.contains(&format!("{} skipped (already there)", 20 + kept)),
        "{summary}"
    );
    // Which rank draws the lost plots is the dynamic schedule's choice: any may add an archive.
    assert!((2..=3).contains(&archives(&dir).len()));
    let extracted = extract_all(&dir.join("plotrand.h5"), &tmp.path().join("extracted"));
    assert_eq!(extracted, files_under(&flat));
    let by_python = tmp.path().join("python");
    unpack_with_python(&dir, &by_python);
    assert_eq!(files_under(&by_python), files_under(&flat));
}

#[test]
fn only_archives_this_program_made_are_removed_or_cut() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("packed");
    let line = |extra: &str| with_dir(&dir, &format!("-n 6 --seed 2 --pack {SMALL} -q {extra}"));
    let run = mpi(3, &line(""));
    assert_eq!(run.code, 0, "{}", run.context());
    let made: Vec<(PathBuf, Vec<u8>)> = archives(&dir)
        .into_iter()
        .map(|a| (a.clone(), std::fs::read(&a).unwrap()))
        .collect();
    assert_eq!(made.len(), 3);

    // A user's own archive that happens to have a rank's archive's name, made by GNU tar, and
    // a link with such a name: a fresh run and a resume both refuse, and change nothing.
    std::fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
    let users = dir.join("plots-2024.tar");
    let tar = crate::common::run(
        Command::new("tar")
            .arg("-cf")
            .arg(&users)
            .arg("-C")
            .arg(tmp.path())
            .arg("notes.txt"),
    );
    assert!(tar.success(), "{}", tar.context());
    let theirs = std::fs::read(&users).unwrap();
    let outside = tmp.path().join("outside.tar");
    std::fs::copy(&made[0].0, &outside).unwrap();
    let link = dir.join("plots-0007.tar");
    for (name, extra) in [
        (&users, ""),
        (&users, "--resume"),
        (&link, ""),
        (&link, "--resume"),
    ] {
        if name == &link {
            std::fs::rename(&users, tmp.path().join("aside.tar")).unwrap_or(());
            std::os::unix::fs::symlink(&outside, &link).unwrap_or(());
        }
        let run = mpi(2, &line(extra));
        assert_eq!(run.code, 2, "{extra}: {}", run.context());
        let name_text = name.display().to_string();
        assert_eq!(
            run.stderr
                .matches("has the name of a rank's archive but")
                .count(),
            1,
            "{}",
            run.context()
        );
        assert!(run.stderr.contains(&name_text), "{}", run.context());
        for (archive, bytes) in &made {
            assert!(
                &std::fs::read(archive).unwrap() == bytes,
                "{extra}: {archive:?} changed"
            );
        }
    }
    assert_eq!(std::fs::read(tmp.path().join("aside.tar")).unwrap(), theirs);
    assert_eq!(std::fs::read(&outside).unwrap(), made[0].1);

    // Without them, the earlier run's archives are removed, and the run says so.
    std::fs::remove_file(&link).unwrap();
    let run = mpi(2, &line(""));
    assert_eq!(run.code, 0, "{}", run.context());
    assert!(
        run.stdout
            .contains("Removed 3 archive(s) an earlier run left"),
        "{}",
        run.context()
    );
    assert_eq!(archives(&dir).len(), 2);
}
