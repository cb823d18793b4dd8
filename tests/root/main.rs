//! The integration tests that need root, as one binary (`cargo test --test root`): a real
//! SLURM cluster (munge, slurmctld, slurmd), hosts made of network namespaces, small tmpfs
//! mounts. Each is `#[ignore = "needs root: …"]`, so a plain `cargo test` reports them as
//! ignored, with the reason; as root, `cargo test --test root -- --include-ignored` runs them
//! (scripts/test.sh does). Run without root, each fails at once saying so.

#[path = "../common/mod.rs"]
mod common;

// SLURM on one node and on three, and three hosts running the shipped hostfiles.
mod clusters;
// A full disk and a disk turned read-only under a running job.
mod disks;

/// Fails the test, saying why, unless it runs as root.
fn needs_root(what: &str) {
    // SAFETY: geteuid cannot fail.
    let uid = unsafe { libc::geteuid() };
    assert_eq!(
        uid, 0,
        "this test {what}, which needs root: run it as root (as scripts/test.sh and CI do)"
    );
}
