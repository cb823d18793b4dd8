//! Every process a test starts — the binary, `mpirun`, Python, h5dump, shell scripts, helpers
//! held in the background — is started here: in a process group of its own, with its output
//! going to files (a pipe nobody reads would fill up and stall it, and a grandchild keeping a
//! pipe open would keep a reader waiting after the child has ended), and with a time limit.
//! Past its limit a process is killed with its whole tree and the test fails saying which
//! command hung; a test never hangs the suite. [`Started`] is the one kill-on-drop guard:
//! however a test ends, what it started ends with it.

use super::FORKS;
use std::io::{Read, Seek};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// No command in these tests takes more than seconds: one still running after this is stuck.
/// The limit is generous, so that a slow or busy machine never reaches it.
pub const TIME_LIMIT: Duration = Duration::from_secs(300);

/// For commands that do minutes of work on a slow machine: making the real data files with
/// Python's libraries, scripts that run the program many times.
pub const SLOW_LIMIT: Duration = Duration::from_secs(900);

/// What a command did: its exit status and what it printed.
pub struct Run {
    /// The exit status; -1 if a signal ended it (then `signal` says which).
    pub code: i32,
    pub signal: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// The command line, for messages.
    pub command: String,
    /// The command's peak resident set, in KiB (its own, and that of the descendants it
    /// waited for: Linux's `ru_maxrss` of `wait4`).
    pub peak_rss_kib: i64,
}

impl Run {
    pub fn lines_starting(&self, prefix: &str) -> Vec<&str> {
        self.stdout
            .lines()
            .filter(|l| l.starts_with(prefix))
            .collect()
    }

    pub fn success(&self) -> bool {
        self.code == 0
    }

    pub fn context(&self) -> String {
        let status = match self.signal {
            Some(sig) => format!("killed by signal {sig}"),
            None => format!("exit {}", self.code),
        };
        format!(
            "`{}`: {status}\n--- stdout\n{}\n--- stderr\n{}",
            self.command, self.stdout, self.stderr
        )
    }
}

/// Runs `cmd` to its end within [`TIME_LIMIT`]: its output is captured (stdin is empty).
/// Fails the test if it cannot start or does not end in time.
pub fn run(cmd: &mut Command) -> Run {
    run_within(cmd, TIME_LIMIT)
}

/// [`run`] with another time limit.
pub fn run_within(cmd: &mut Command, limit: Duration) -> Run {
    Started::spawn(cmd).finish_within(limit)
}

/// [`run`] for a tool the system must provide: if it cannot start, the failure says how to
/// install it (`hint`, e.g. "sudo apt-get install hdf5-tools").
pub fn run_tool(cmd: &mut Command, hint: &str) -> Run {
    match Started::try_spawn(cmd) {
        Ok(started) => started.finish_within(TIME_LIMIT),
        Err(e) => panic!(
            "`{}` could not run ({e}): install it with `{hint}`",
            command_line(cmd)
        ),
    }
}

/// The command as one line, for messages.
pub fn command_line(cmd: &Command) -> String {
    let words = std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|w| w.to_string_lossy().into_owned());
    shlex::try_join(words.collect::<Vec<_>>().iter().map(String::as_str))
        .unwrap_or_else(|_| format!("{cmd:?}"))
}

/// A process started by a test, killed with its whole tree when dropped if it is still
/// running: when the test fails part-way, when it is done with a helper held in the
/// background, or when its time limit is reached.
pub struct Started {
    pid: i32,
    command: String,
    /// Set once the process has been waited for (its PID may then be reused).
    status: Option<(i32, libc::rusage)>,
    stdout: Option<std::fs::File>,
    stderr: std::fs::File,
}

impl Started {
    /// Starts `cmd`, failing the test if it cannot. Its stdin is empty; stdout and stderr
    /// go to files that [`Started::finish`] reads, unless the command's stdout was set with
    /// [`Started::spawn_with_stdout`].
    pub fn spawn(cmd: &mut Command) -> Started {
        Started::try_spawn(cmd)
            .unwrap_or_else(|e| panic!("`{}` could not be started: {e}", command_line(cmd)))
    }

    pub fn try_spawn(cmd: &mut Command) -> std::io::Result<Started> {
        let stdout = tempfile::tempfile()?;
        cmd.stdout(Stdio::from(stdout.try_clone()?));
        Started::start(cmd, Some(stdout))
    }

    /// [`Started::spawn`] with stdout going to `stdout` instead of a file read back.
    pub fn spawn_with_stdout(cmd: &mut Command, stdout: Stdio) -> Started {
        cmd.stdout(stdout);
        Started::start(cmd, None)
            .unwrap_or_else(|e| panic!("`{}` could not be started: {e}", command_line(cmd)))
    }

    fn start(cmd: &mut Command, stdout: Option<std::fs::File>) -> std::io::Result<Started> {
        let stderr = tempfile::tempfile()?;
        cmd.stdin(Stdio::null())
            .stderr(Stdio::from(stderr.try_clone()?))
            .process_group(0);
        // SAFETY: prctl and signal are async-signal-safe. Should the test process die
        // (Ctrl-C, a kill), the child it started dies too instead of running on in its own
        // process group. And it starts with the signals the tests send caught as by default,
        // whatever the test run itself was started with: under `nohup` (or as a background
        // job) they would be ignored, and MPICH's mpiexec keeps an ignored SIGHUP ignored.
        // A test that wants a signal ignored says so (`nohup` in its command).
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
                libc::signal(libc::SIGHUP, libc::SIG_DFL);
                libc::signal(libc::SIGINT, libc::SIG_DFL);
                Ok(())
            });
        }
        let child = {
            // Not while this process writes an HDF5 file: see `writing_hdf5`.
            let _no_hdf5_being_written = FORKS.read().unwrap_or_else(|p| p.into_inner());
            cmd.spawn()?
        };
        Ok(Started {
            pid: child.id() as i32,
            command: command_line(cmd),
            status: None,
            stdout,
            stderr,
        })
    }

    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// Whether the process has ended (it is then waited for).
    pub fn has_ended(&mut self) -> bool {
        if self.status.is_none() {
            let mut status = 0;
            let mut usage = unsafe { std::mem::zeroed::<libc::rusage>() };
            // SAFETY: wait4 on our own child, with valid pointers.
            let reaped = unsafe { libc::wait4(self.pid, &mut status, libc::WNOHANG, &mut usage) };
            assert!(reaped >= 0, "wait4 on {}: {}", self.pid, errno());
            if reaped == self.pid {
                self.status = Some((status, usage));
            }
        }
        self.status.is_some()
    }

    /// Waits for the process to end within `limit`: false if it did not (it still runs).
    pub fn wait_within(&mut self, limit: Duration) -> bool {
        let start = Instant::now();
        let mut pause = Duration::from_millis(1);
        while !self.has_ended() {
            if start.elapsed() > limit {
                return false;
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(20));
        }
        true
    }

    /// Waits for the process to end within [`TIME_LIMIT`] and returns what it did.
    pub fn finish(self) -> Run {
        self.finish_within(TIME_LIMIT)
    }

    /// Waits for the process to end within `limit` and returns what it did. Past the limit
    /// it is killed with its whole tree and the test fails, showing what it printed so far.
    pub fn finish_within(mut self, limit: Duration) -> Run {
        if !self.wait_within(limit) {
            self.kill();
            let so_far = self.output();
            panic!(
                "a hang: {} did not end within {limit:?} and was killed with every process it \
                 started (the limit is far beyond what it takes on a slow machine)\n{}",
                self.command,
                so_far.context()
            );
        }
        self.output()
    }

    /// Kills the process, its process group and every descendant, and waits for it.
    pub fn kill(&mut self) {
        if self.status.is_none() {
            // Collected before any dies: an orphan is adopted by init and no longer found.
            let tree = descendants(self.pid);
            for &pid in tree.iter().chain([&self.pid]) {
                // SAFETY: plain kill(2); the process is ours and not yet waited for.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
        // SAFETY: plain kill(2) to the group the process leads (ESRCH when it is empty).
        unsafe { libc::kill(-self.pid, libc::SIGKILL) };
        if self.status.is_none() {
            let mut status = 0;
            let mut usage = unsafe { std::mem::zeroed::<libc::rusage>() };
            // SAFETY: a blocking wait4 on our own child, which SIGKILL has ended.
            if unsafe { libc::wait4(self.pid, &mut status, 0, &mut usage) } == self.pid {
                self.status = Some((status, usage));
            }
        }
    }

    fn output(&mut self) -> Run {
        let read = |f: &mut std::fs::File| {
            let mut bytes = Vec::new();
            f.rewind().and_then(|_| f.read_to_end(&mut bytes)).unwrap();
            String::from_utf8_lossy(&bytes).into_owned()
        };
        let (code, signal, peak_rss_kib) = match self.status {
            Some((status, usage)) if libc::WIFEXITED(status) => {
                (libc::WEXITSTATUS(status), None, usage.ru_maxrss)
            }
            Some((status, usage)) if libc::WIFSIGNALED(status) => {
                (-1, Some(libc::WTERMSIG(status)), usage.ru_maxrss)
            }
            _ => (-1, None, 0),
        };
        Run {
            code,
            signal,
            stdout: self.stdout.as_mut().map(read).unwrap_or_default(),
            stderr: read(&mut self.stderr),
            command: self.command.clone(),
            peak_rss_kib,
        }
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        self.kill();
    }
}

fn errno() -> std::io::Error {
    std::io::Error::last_os_error()
}

/// The PIDs of every living descendant of `pid` (children, their children, …).
pub fn descendants(pid: i32) -> Vec<i32> {
    let parents: Vec<(i32, i32)> = std::fs::read_dir("/proc")
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|entry| {
                    let child: i32 = entry.file_name().to_str()?.parse().ok()?;
                    let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
                    // pid (comm) state ppid …: comm may hold spaces and parentheses.
                    let after = &stat[stat.rfind(')')? + 1..];
                    let parent = after.split_whitespace().nth(1)?.parse().ok()?;
                    Some((child, parent))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut found = vec![pid];
    let mut i = 0;
    while i < found.len() {
        let of = found[i];
        found.extend(parents.iter().filter(|(_, p)| *p == of).map(|(c, _)| *c));
        i += 1;
    }
    found.remove(0);
    found
}
