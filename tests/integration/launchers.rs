//! The shipped launch files, run for real: the Open MPI hostfile and the SLURM batch script's
//! mpirun path (run as a plain script here; submitting it to a real SLURM is tested separately).

use crate::common::*;
use std::process::Command;

fn repo_file(rel: &str) -> String {
    path_arg(&repo_path(rel)).to_string()
}

#[test]
fn the_localhost_hostfile_runs_two_ranks() {
    let tmp = tempfile::tempdir().unwrap();
    let hostfile = repo_file("hostfiles/localhost.openmpi");
    let out = run(Command::new(mpirun())
        .args([
            "--allow-run-as-root",
            "--hostfile",
            &hostfile,
            "-n",
            "2",
            BIN,
        ])
        .args(args!("-o {} -n 4 --seed 5", tmp.path())));
    assert!(out.success(), "{}", out.context());
    assert_eq!(table_rows(&out.stdout), [(0, 2, 0), (1, 2, 0)]);
    for k in 1..=4 {
        assert_eq!(png_size(&plot_path(tmp.path(), k, "png")), (640, 480));
    }
}

#[test]
fn the_batch_script_runs_the_program_with_mpirun_and_passes_its_status_on() {
    mpirun();
    let tmp = tempfile::tempdir().unwrap();
    let outdir = tmp.path().join("plots");
    let script = repo_file("slurm/plotrand.sbatch");
    let batch = |plots: &str| {
        run(Command::new("bash")
            .arg(&script)
            .env("LAUNCHER", "mpirun")
            .env("MPIRUN_ARGS", "--allow-run-as-root --oversubscribe -n 2")
            .env("PLOTRAND", BIN)
            .env("PLOTS", plots)
            .env("OUTDIR", &outdir)
            .env("EXTRA_ARGS", "--seed 11 --quiet"))
    };
    let out = batch("3");
    let stdout = &out.stdout;
    assert!(out.success(), "{}", out.context());
    assert!(
        stdout.contains("Making 3 plots of random data on 2 ranks"),
        "{stdout}"
    );
    let names = file_names(&outdir);
    assert_eq!(
        names,
        ["plot_1.png", "plot_2.png", "plot_3.png", "plotrand.h5"],
        "plots and their run record"
    );

    let bad = batch("0");
    assert_eq!(bad.code, 2, "the program's status is the script's");
}

#[test]
fn the_local_scaling_script_prints_the_study_and_draws_the_chart() {
    mpirun();
    let tmp = tempfile::tempdir().unwrap();
    let out = run(Command::new("bash")
        .arg(repo_file("scripts/scaling.sh"))
        .envs([
            ("PLOTS", "4"),
            ("RANKS", "1 2"),
            ("RUNS", "2"),
            ("PLOTRAND", BIN),
        ])
        .env("OUT", tmp.path()));
    let stdout = &out.stdout;
    assert!(out.success(), "{}", out.context());
    let rows: Vec<Vec<&str>> = stdout
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .filter(|cells| cells.len() == 5 && cells[0].parse::<u32>().is_ok())
        .collect();
    assert_eq!(rows.len(), 2, "{stdout}");
    assert_eq!(
        (rows[0][0], rows[0][1], rows[0][3], rows[0][4]),
        ("1", "2", "1.00", "1.00")
    );
    assert_eq!((rows[1][0], rows[1][1]), ("2", "2"));
    assert_eq!(png_size(&tmp.path().join("speedup.png")), (800, 600));
}
