//! How rank 0 shows a run's progress while the ranks draw (either schedule): a live bar
//! when its output reaches a terminal someone watches, else a periodic one-line message that reads well in a file (a
//! SLURM log).
//!
//! Whether the output reaches a terminal is not what `isatty(stdout)` says on a rank:
//! Open MPI's `mpirun` gives local ranks a pseudo-terminal for stdout even when its own stdout
//! is a file, and MPICH's gives them a pipe even when its own is a terminal. So when a rank
//! was started by an MPI launcher on this host (`mpirun`, `mpiexec`, `orterun`, `prterun`, or
//! Open MPI's daemons `orted`/`prted` on other hosts), the launcher's own stdout decides;
//! otherwise (run alone, or under `srun`, whose tasks' stdout is the real one) this
//! process's stdout does. `--progress-bar always|never` overrides the guess.

use crate::config::ProgressBarMode as BarMode;
use crate::sinks::console;
use indicatif::{ProgressDrawTarget, ProgressStyle, TermLike};
use std::io::IsTerminal;
use std::path::Path;

/// What the progress looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Display {
    Bar,
    Lines,
    Off,
}

/// The display for `--progress-bar mode` and `--progress every`, given whether the output
/// reaches a terminal.
pub fn choose(mode: BarMode, every: f64, terminal: impl FnOnce() -> bool) -> Display {
    if every <= 0.0 {
        return Display::Off;
    }
    let bar = match mode {
        BarMode::Always => true,
        BarMode::Never => false,
        BarMode::Auto => terminal(),
    };
    if bar {
        Display::Bar
    } else {
        Display::Lines
    }
}

/// Launchers whose own stdout is where the ranks' output ends up (process names, which
/// Linux cuts at 15 bytes: `mpirun.openmpi`, `mpiexec.hydra`, `mpirun.mpich` all fit).
const LAUNCHERS: [&str; 6] = ["mpirun", "mpiexec", "orterun", "prterun", "orted", "prted"];
/// How far up the process tree to look: MPICH puts `hydra_pmi_proxy` between.
const ANCESTORS: usize = 4;

/// Whether this rank's stdout ends up on a terminal (see the module's notes).
pub fn output_is_terminal() -> bool {
    launcher_stdout_is_terminal().unwrap_or_else(|| std::io::stdout().is_terminal())
}

/// `Some(whether the launcher's stdout is a terminal)` if an ancestor process on this host is
/// an MPI launcher; `None` otherwise, or where `/proc` cannot tell.
fn launcher_stdout_is_terminal() -> Option<bool> {
    let mut pid = std::process::id();
    for _ in 0..ANCESTORS {
        pid = parent(pid)?;
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
        if is_launcher(name.trim_end()) {
            let out = std::fs::read_link(format!("/proc/{pid}/fd/1")).ok()?;
            return Some(is_terminal_device(&out));
        }
    }
    None
}

fn is_launcher(name: &str) -> bool {
    LAUNCHERS.iter().any(|l| {
        name.strip_prefix(l)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    })
}

/// A terminal's device path: `/dev/pts/N`, `/dev/ttyN`, `/dev/console` (not `/dev/null`).
fn is_terminal_device(path: &Path) -> bool {
    let p = path.to_string_lossy();
    p.starts_with("/dev/pts/") || p.starts_with("/dev/tty") || p == "/dev/console"
}

/// The parent of `pid`, from `/proc/PID/stat` (its fourth field, after the name in
/// parentheses, which may itself hold spaces and parentheses).
fn parent(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_parent(&stat)
}

fn parse_parent(stat: &str) -> Option<u32> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

/// Rank 0's progress display while the ranks draw.
pub struct Progress {
    total: u64,
    every: f64,
    start: f64,
    last: f64,
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    /// `now`: seconds on the run's clock.
    pub fn new(total: u64, every: f64, display: Display, now: f64) -> Progress {
        let bar = (display == Display::Bar).then(|| new_bar(total));
        let every = if display == Display::Off { 0.0 } else { every };
        Progress {
            total,
            every,
            start: now,
            last: now,
            bar,
        }
    }

    pub fn tick(&mut self, done: u64, now: f64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done); // drawn at most a few times a second
            return;
        }
        if self.every <= 0.0 || now - self.last < self.every || done >= self.total {
            return;
        }
        self.last = now;
        // Progress that cannot be shown is no reason to stop drawing.
        let line = console::progress_line(done, self.total, now - self.start);
        let _ = console::print(&format!("{line}\n"));
    }

    /// Leaves the bar drawn as it ended, on a line of its own, before anything else prints.
    pub fn finish(self, done: u64) {
        if let Some(bar) = self.bar {
            bar.set_position(done);
            bar.abandon();
            let _ = console::print("\n");
        }
    }
}

fn new_bar(total: u64) -> indicatif::ProgressBar {
    let target = ProgressDrawTarget::term_like_with_hz(Box::new(Stdout::new()), 4);
    let bar = indicatif::ProgressBar::with_draw_target(Some(total), target);
    // One line however wide the terminal: the bar takes what the numbers leave.
    let style = ProgressStyle::with_template(
        "[{wide_bar}] {pos}/{len} plots ({percent} %), {rate}, about {eta} to go",
    )
    .expect("a valid template")
    .progress_chars("=> ")
    .with_key(
        "rate",
        |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:.0} plots/s", state.per_sec());
        },
    );
    bar.set_style(style);
    bar
}

/// Rank 0's stdout as a terminal for the bar, whatever `isatty` says (see the module's
/// notes); 80 columns where the (pseudo-)terminal has no size, as Open MPI's has none.
struct Stdout {
    term: ::console::Term,
}

impl Stdout {
    fn new() -> Stdout {
        Stdout {
            term: ::console::Term::stdout(),
        }
    }
}

impl std::fmt::Debug for Stdout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stdout")
    }
}

impl TermLike for Stdout {
    fn width(&self) -> u16 {
        self.term.size_checked().map_or(80, |(_, columns)| columns)
    }
    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        self.term.move_cursor_up(n)
    }
    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        self.term.move_cursor_down(n)
    }
    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        self.term.move_cursor_right(n)
    }
    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        self.term.move_cursor_left(n)
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.term.write_line(s)
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.term.write_str(s)
    }
    fn clear_line(&self) -> std::io::Result<()> {
        self.term.clear_line()
    }
    fn flush(&self) -> std::io::Result<()> {
        self.term.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_overrides_the_guess_and_zero_seconds_means_none() {
        let never_asked = || panic!("the terminal need not be probed");
        assert_eq!(choose(BarMode::Always, 10.0, never_asked), Display::Bar);
        assert_eq!(choose(BarMode::Never, 10.0, never_asked), Display::Lines);
        assert_eq!(choose(BarMode::Auto, 0.0, never_asked), Display::Off);
        assert_eq!(choose(BarMode::Always, 0.0, never_asked), Display::Off);
        assert_eq!(choose(BarMode::Auto, 10.0, || true), Display::Bar);
        assert_eq!(choose(BarMode::Auto, 10.0, || false), Display::Lines);
    }

    #[test]
    fn launchers_are_known_by_name() {
        for name in [
            "mpirun",
            "mpirun.openmpi",
            "mpiexec.hydra",
            "mpirun.mpich",
            "orted",
        ] {
            assert!(is_launcher(name), "{name}");
        }
        for name in ["hydra_pmi_proxy", "bash", "mpirunner", "slurmstepd"] {
            assert!(!is_launcher(name), "{name}");
        }
    }

    #[test]
    fn terminals_are_known_by_device() {
        assert!(is_terminal_device(Path::new("/dev/pts/3")));
        assert!(is_terminal_device(Path::new("/dev/tty1")));
        assert!(!is_terminal_device(Path::new("/dev/null")));
        assert!(!is_terminal_device(Path::new("pipe:[1234]")));
        assert!(!is_terminal_device(Path::new("/scratch/slurm-12.out")));
    }

    #[test]
    fn the_parent_is_read_past_an_awkward_name() {
        assert_eq!(parse_parent("42 (a) b) S 17 42 42 0"), Some(17));
        assert_eq!(parse_parent("garbage"), None);
        assert!(parent(std::process::id()).is_some());
    }
}
