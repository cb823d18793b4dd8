//! Signals during a run: the ones that ask every rank to stop between plots, and the ones that,
//! sent twice, end a rank at once. docs/operations.md has what each launcher does with each.

use crate::exit::Exit;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2};
use std::ffi::c_int;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// The signals that ask every rank to stop between plots (exit 75, run again with --resume):
/// SIGTERM (`scancel`, SLURM at the time limit, srun and MPICH's mpiexec forward it), SIGUSR1
/// and SIGUSR2 (`#SBATCH --signal`; Open MPI's mpirun forwards both, MPICH's SIGUSR1),
/// SIGINT (Ctrl-C; MPICH's mpiexec forwards it) and SIGHUP (a closed terminal or ssh
/// session). docs/operations.md has what each launcher does with each of them.
const STOP_SIGNALS: [c_int; 5] = [SIGTERM, SIGUSR1, SIGUSR2, SIGINT, SIGHUP];

/// A second one of these ends a rank at once (exit 75, nothing more recorded): a rank stuck in
/// a huge plot can still be stopped without SIGKILL.
const URGENT_SIGNALS: [c_int; 3] = [SIGTERM, SIGINT, SIGHUP];

/// Sets the returned flag on any of `STOP_SIGNALS` instead of letting it kill the rank. A
/// signal the rank was started with ignored stays ignored: `nohup` (SIGHUP) and a shell's
/// background jobs (SIGINT) ask for exactly that.
pub(super) fn stop_on_signals() -> std::io::Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    let ignored = ignored_signals();
    let caught = |signal: &c_int| ignored & signal_bit(*signal) == 0;
    // Registered first: it looks at the flag before the first signal sets it.
    for &signal in URGENT_SIGNALS.iter().filter(|s| caught(s)) {
        signal_hook::flag::register_conditional_shutdown(
            signal,
            Exit::Interrupted.code().into(),
            Arc::clone(&stop),
        )?;
    }
    for &signal in STOP_SIGNALS.iter().filter(|s| caught(s)) {
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }
    Ok(stop)
}

/// The signals this process was started with ignored, as the kernel's mask (bit `n - 1` for
/// signal `n`); none where `/proc` cannot tell (not Linux).
fn ignored_signals() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| parse_sig_ign(&status))
        .unwrap_or(0)
}

/// The `SigIgn:` mask of a `/proc/<pid>/status` text.
fn parse_sig_ign(status: &str) -> Option<u64> {
    let mask = status
        .lines()
        .find_map(|line| line.strip_prefix("SigIgn:"))?;
    u64::from_str_radix(mask.trim(), 16).ok()
}

fn signal_bit(signal: c_int) -> u64 {
    1 << (signal - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ignored_mask_is_read_from_proc_status() {
        let status = "Name:\tplotrand-mpi\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000100001\n";
        let mask = parse_sig_ign(status).unwrap();
        assert_ne!(mask & signal_bit(SIGHUP), 0, "SIGHUP (1) is ignored");
        assert_eq!(mask & signal_bit(SIGINT), 0, "SIGINT (2) is not");
        assert_eq!(parse_sig_ign("Name:\tx\n"), None);
    }
}
