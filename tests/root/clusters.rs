//! Clusters for real, on this machine: a single-node SLURM cluster running the batch script,
//! three hosts made of network namespaces running the shipped hostfiles (Open MPI's, and
//! MPICH's with the MPICH build `PLOTRAND_MPICH_BIN` names, as scripts/test.sh sets it), and
//! a 3-node SLURM cluster across those hosts. The work is done by the scripts in
//! tests/cluster/, which start every daemon and namespace themselves and remove them on any
//! exit. They need root (as CI has), so a plain `cargo test` leaves them out (ignored, with
//! the reason); scripts/test.sh runs them with `-- --include-ignored`, and then without root
//! they fail with the reason.

use crate::common::*;
use crate::needs_root;
use std::process::Command;
use std::sync::Mutex;

/// A scenario takes one to three minutes; one still running after this is stuck (each
/// script's own waits fail sooner, with what they waited for).
const SCENARIO_LIMIT: std::time::Duration = std::time::Duration::from_secs(1200);

/// The scenarios share daemon ports and namespace names: one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn scenario(script: &str, args: &[&str]) {
    needs_root("starts daemons and network namespaces");
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let path = repo_path(&format!("tests/cluster/{script}"));
    let out = run_within(Command::new("bash").arg(&path).args(args), SCENARIO_LIMIT);
    print!("{}", out.stdout);
    assert!(out.success(), "{script} failed: {}", out.context());
    assert!(
        out.stdout.contains("all checks passed"),
        "{script} stopped early: {}",
        out.context()
    );
    nothing_left_behind(script);
}

/// Every daemon and namespace a scenario started is gone once it has ended.
fn nothing_left_behind(script: &str) {
    let netns = run_tool(
        Command::new("ip").args(["netns", "list"]),
        "apt-get install iproute2",
    );
    assert!(
        !netns.stdout.contains("plotrand-"),
        "{script} left namespaces: {}",
        netns.stdout
    );
    let ps = run_tool(
        Command::new("ps").args(["-eo", "args"]),
        "apt-get install procps",
    );
    let left: Vec<&str> = ps
        .stdout
        .lines()
        .filter(|l| l.contains("/tmp/plotrand-"))
        .collect();
    assert!(left.is_empty(), "{script} left processes: {left:?}");
}

#[test]
#[ignore = "needs root: starts munged, slurmctld and slurmd"]
fn slurm_single_node_runs_the_batch_script() {
    scenario("slurm-single.sh", &[BIN]);
}

#[test]
#[ignore = "needs root: makes three hosts of network namespaces"]
fn three_hosts_run_the_open_mpi_hostfile() {
    scenario("multihost.sh", &["openmpi", BIN]);
}

/// The MPICH build is another build of the program (scripts/test.sh makes it in
/// target/mpich and names it in `PLOTRAND_MPICH_BIN`): without it this test fails, it does
/// not pass having run nothing.
#[test]
#[ignore = "needs root: makes three hosts of network namespaces (and PLOTRAND_MPICH_BIN, an MPICH build)"]
fn three_hosts_run_the_mpich_hostfile() {
    let mpich = std::env::var("PLOTRAND_MPICH_BIN").unwrap_or_else(|_| {
        panic!(
            "PLOTRAND_MPICH_BIN is not set: it names the program built against MPICH, as \
             scripts/test.sh builds it (MPICC=mpicc.mpich CARGO_TARGET_DIR=target/mpich cargo build)"
        )
    });
    assert!(
        std::path::Path::new(&mpich).is_file(),
        "PLOTRAND_MPICH_BIN={mpich} is not a file"
    );
    // The single-host run the plots are compared with is the Open MPI build's.
    scenario("multihost.sh", &["mpich", &mpich, BIN]);
}

#[test]
#[ignore = "needs root: SLURM daemons in network namespaces"]
fn slurm_three_nodes_run_the_batch_script() {
    scenario("slurm-multi.sh", &[BIN]);
}
