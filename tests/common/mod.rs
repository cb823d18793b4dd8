//! Launching the real binary, alone or under the real `mpirun`, with a time limit.
#![allow(dead_code)] // each test file uses its own subset

pub mod jobs;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{OnceLock, RwLock, RwLockWriteGuard};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_plotrand-mpi");
/// No run in these tests takes more than seconds; a hang fails the test instead of CI. The
/// limit is generous, so that a slow machine never reaches it.
pub const TIME_LIMIT: Duration = Duration::from_secs(300);

/// The launcher: `$PLOTRAND_TEST_MPIRUN` (scripts/test.sh sets `mpirun.openmpi` or
/// `mpirun.mpich` to match the build), else `mpirun`. Fails — never skips — when it is
/// missing, with the install command.
pub fn mpirun() -> &'static str {
    static LAUNCHER: OnceLock<(String, bool)> = OnceLock::new();
    &LAUNCHER.get_or_init(probe_launcher).0
}

/// Open MPI (as opposed to MPICH's Hydra), which needs flags to run as root or oversubscribed.
pub fn is_open_mpi() -> bool {
    mpirun();
    LAUNCHER_IS_OPEN_MPI.get().copied().unwrap_or(false)
}

static LAUNCHER_IS_OPEN_MPI: OnceLock<bool> = OnceLock::new();

fn probe_launcher() -> (String, bool) {
    let name = std::env::var("PLOTRAND_TEST_MPIRUN").unwrap_or_else(|_| "mpirun".into());
    let out = Command::new(&name).arg("--version").output();
    let text = match out {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        _ => panic!(
            "'{name}' was not found or does not run: the MPI tests need an MPI launcher. Install \
             Open MPI with `sudo apt-get install openmpi-bin libopenmpi-dev` (or run \
             ./scripts/test.sh, which does)"
        ),
    };
    let open_mpi = text.contains("Open MPI") || text.contains("OpenRTE");
    let _ = LAUNCHER_IS_OPEN_MPI.set(open_mpi);
    (name, open_mpi)
}

/// `mpirun -n N` with what this launcher needs to run as root and on more ranks than cores.
pub fn launcher(ranks: usize) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(mpirun());
    if is_open_mpi() {
        cmd.args(["--allow-run-as-root", "--oversubscribe"]);
    }
    cmd.args(["-n", &ranks.to_string()]);
    cmd
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn lines_starting(&self, prefix: &str) -> Vec<&str> {
        self.stdout
            .lines()
            .filter(|l| l.starts_with(prefix))
            .collect()
    }

    pub fn context(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// HDF5 opens files without close-on-exec and locks them (flock): a child forked while a
/// test thread is writing an HDF5 file inherits the locked descriptor and keeps the file
/// locked for as long as it runs, failing another test's open with "unable to lock file".
/// Test threads therefore write HDF5 files under the write side of this lock and start
/// child processes under the read side.
static FORKS: RwLock<()> = RwLock::new(());

/// Hold this while creating or writing an HDF5 file in a test.
pub fn writing_hdf5() -> RwLockWriteGuard<'static, ()> {
    FORKS
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn run_with_limit(mut cmd: assert_cmd::Command) -> Run {
    let _no_hdf5_being_written = FORKS
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let out = cmd
        .timeout(TIME_LIMIT)
        .output()
        .expect("the command could not be started");
    let run = Run::from(out);
    assert!(
        run.code != -1,
        "the run was killed (hang past {TIME_LIMIT:?}, or a signal):\n{}",
        run.context()
    );
    run
}

/// `mpirun -n ranks plotrand-mpi args…`, as root and oversubscribed if need be.
pub fn mpi(ranks: usize, args: &[impl AsRef<OsStr>]) -> Run {
    let mut cmd = launcher(ranks);
    cmd.arg(BIN).args(args);
    run_with_limit(cmd)
}

/// `mpi`, with environment variables set for the launcher (and so for every rank).
pub fn mpi_env(ranks: usize, env: &[(&str, &str)], args: &[impl AsRef<OsStr>]) -> Run {
    let mut cmd = launcher(ranks);
    cmd.envs(env.iter().copied()).arg(BIN).args(args);
    run_with_limit(cmd)
}

/// The binary started directly, as a single MPI rank.
pub fn alone(args: &[impl AsRef<OsStr>]) -> Run {
    let mut cmd = assert_cmd::Command::new(BIN);
    cmd.args(args);
    run_with_limit(cmd)
}

/// A command line written as one string, split into arguments as a shell would (quotes and
/// backslashes; nothing is expanded). Each `{}` takes the next argument, quoted, so paths
/// with spaces stay one argument: `args!("-o {} -n 8 --seed 3", dir)`. Only `{}` quotes:
/// never name a path inside the braces (`{dir}` is not quoted).
#[allow(unused_macros)]
macro_rules! args {
    ($line:literal $(, $arg:expr)* $(,)?) => {
        $crate::common::split(&format!($line $(, $crate::common::quoted(&$arg))*))
    };
}
#[allow(unused_imports)]
pub(crate) use args;

/// What `args!` does: `line` split as a shell would.
pub fn split(line: &str) -> Vec<String> {
    shlex::split(line).unwrap_or_else(|| panic!("unbalanced quotes in {line:?}"))
}

/// A value that goes on a command line: a path, a string or a number.
pub trait Word {
    fn word(&self) -> String;
}

impl Word for Path {
    fn word(&self) -> String {
        path_arg(self).to_string()
    }
}

impl Word for PathBuf {
    fn word(&self) -> String {
        path_arg(self).to_string()
    }
}

impl Word for str {
    fn word(&self) -> String {
        self.to_string()
    }
}

impl Word for String {
    fn word(&self) -> String {
        self.clone()
    }
}

impl<T: Word + ?Sized> Word for &T {
    fn word(&self) -> String {
        (**self).word()
    }
}

macro_rules! number_words {
    ($($t:ty),*) => {$(
        impl Word for $t {
            fn word(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
number_words!(u32, u64, usize, i32, f64);

/// `w` quoted for a shell-like line, so that `split` gives it back as one argument.
pub fn quoted(w: &impl Word) -> String {
    shlex::try_quote(&w.word())
        .expect("no NUL in arguments")
        .into_owned()
}

pub fn path_arg(p: &Path) -> &str {
    p.to_str().expect("test paths are UTF-8")
}

/// Plot k's file in `dir` as a run of `n` random plots names it: `plot_<k>`, k zero-padded
/// to the digits of n.
pub fn plot_file(dir: &Path, k: u64, n: u64, ext: &str) -> PathBuf {
    let width = n.to_string().len();
    dir.join(format!("plot_{k:0width$}.{ext}"))
}

/// Plot k's file in `dir`, where a run has left plot files: padded as they are.
pub fn plot_path(dir: &Path, k: u64, ext: &str) -> PathBuf {
    let width = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find_map(|name| {
            let digits = name.strip_prefix("plot_")?.split('.').next()?;
            digits
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then_some(digits.len())
        })
        .unwrap_or_else(|| panic!("no plot files in {}", dir.display()));
    dir.join(format!("plot_{k:0width$}.{ext}"))
}

/// PNG width and height, read by a real decoder.
pub fn png_size(path: &Path) -> (u32, u32) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .unwrap_or_else(|e| panic!("{} is not a PNG: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size().expect("a sane PNG size")];
    reader
        .next_frame(&mut buf)
        .unwrap_or_else(|e| panic!("{}: bad image data: {e}", path.display()));
    (reader.info().width, reader.info().height)
}

/// The per-rank timing table: `(rank, plots, failed)` for each row.
pub fn table_rows(stdout: &str) -> Vec<(usize, usize, usize)> {
    let mut lines = stdout
        .lines()
        .skip_while(|l| !(l.contains("rank") && l.contains("ms/plot")));
    assert!(lines.next().is_some(), "no timing table in:\n{stdout}");
    lines
        .take_while(|l| !l.trim().is_empty() && !l.contains(" in "))
        .map(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            (
                cells[0].parse().unwrap(),
                cells[2].parse().unwrap(),
                cells[3].parse().unwrap(),
            )
        })
        .collect()
}

/// The summary line ("N plots in T s on P ranks: …").
pub fn summary_line(stdout: &str) -> &str {
    stdout
        .lines()
        .find(|l| l.contains("load imbalance"))
        .unwrap_or_else(|| panic!("no summary line in:\n{stdout}"))
}

/// The files every run keeps in its output directory beside what it produced: the lock
/// against a second job and the manifest `--resume` checks.
pub const BOOKKEEPING: [&str; 2] = [".plotrand.lock", "plotrand-manifest.txt"];

/// Names of the files directly in `dir`, sorted, but for the run's bookkeeping files.
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| !BOOKKEEPING.contains(&name.as_str()))
        .collect();
    names.sort();
    names
}

impl Run {
    /// A usage error: status 2, one `error:` line on stderr containing `needle`, nothing on
    /// stdout (so no rank started plotting and no rank but 0 spoke).
    pub fn assert_one_error(&self, needle: &str, case: &str) {
        assert_eq!(self.code, 2, "{case}: {}", self.context());
        let errors: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| l.starts_with("error:"))
            .collect();
        assert_eq!(
            errors.len(),
            1,
            "{case}: one error expected:\n{}",
            self.context()
        );
        assert!(errors[0].contains(needle), "{case}: {}", errors[0]);
        assert!(
            self.stdout.is_empty(),
            "{case}: nothing on stdout:\n{}",
            self.context()
        );
    }
}
