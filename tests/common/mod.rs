//! What both test binaries share: the binary under test and how to launch it (alone or under
//! the real `mpirun`), command lines, the files a run leaves and its run record. Included by
//! `tests/integration/main.rs` and `tests/root/main.rs` as their `common` module.
#![allow(dead_code, unused_imports)] // each binary uses its own subset

pub mod jobs;
pub mod library;
pub mod process;

pub use process::{run, run_tool, run_within, Run, Started, SLOW_LIMIT, TIME_LIMIT};

use library::ResultsRow;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{OnceLock, RwLock, RwLockWriteGuard};

pub const BIN: &str = env!("CARGO_BIN_EXE_plotrand-mpi");

/// Small figures, for runs about files and faults rather than drawing (a debug build draws
/// one in about 2 ms).
pub const SMALL: &str = "--width 160 --height 120 --points 50";

/// A file of the repository, by its path relative to the top.
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The launcher as named: `$PLOTRAND_TEST_MPIRUN` (scripts/test.sh sets `mpirun.openmpi` or
/// `mpirun.mpich` to match the build), else `mpirun`. Fails — never skips — when it is
/// missing, with the install command.
pub fn mpirun() -> &'static str {
    &launcher_found().name
}

/// The launcher's file, found on PATH when the tests began: what a wrapper script calls
/// once `mpirun` on PATH may be the wrapper itself.
pub fn mpirun_path() -> &'static Path {
    &launcher_found().path
}

/// Open MPI (as opposed to MPICH's Hydra), which needs flags to run as root or oversubscribed.
pub fn is_open_mpi() -> bool {
    launcher_found().open_mpi
}

struct Launcher {
    name: String,
    path: PathBuf,
    open_mpi: bool,
}

fn launcher_found() -> &'static Launcher {
    static LAUNCHER: OnceLock<Launcher> = OnceLock::new();
    LAUNCHER.get_or_init(|| {
        let name = std::env::var("PLOTRAND_TEST_MPIRUN").unwrap_or_else(|_| "mpirun".into());
        let missing = || {
            format!(
                "'{name}' was not found or does not run: the MPI tests need an MPI launcher. \
                 Install Open MPI with `sudo apt-get install openmpi-bin libopenmpi-dev` (or run \
                 ./scripts/test.sh, which does)"
            )
        };
        let path = on_path(&name).unwrap_or_else(|| panic!("{}", missing()));
        let version = process::Started::try_spawn(Command::new(&path).arg("--version"))
            .unwrap_or_else(|_| panic!("{}", missing()))
            .finish();
        assert!(version.success(), "{}\n{}", missing(), version.context());
        let open_mpi = version.stdout.contains("Open MPI") || version.stdout.contains("OpenRTE");
        Launcher {
            name,
            path,
            open_mpi,
        }
    })
}

/// Where the shell would find `program`: itself if it names a path, else the first
/// executable file of that name in a directory of PATH.
pub fn on_path(program: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let executable = |p: &Path| {
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if program.contains('/') {
        let path = std::path::absolute(program).ok()?;
        return executable(&path).then_some(path);
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_absolute() && executable(p))
}

/// `mpirun -n N` with what this launcher needs to run as root and on more ranks than cores.
pub fn launcher(ranks: usize) -> Command {
    let mut cmd = Command::new(mpirun());
    if is_open_mpi() {
        cmd.args(["--allow-run-as-root", "--oversubscribe"]);
    }
    cmd.args(["-n", &ranks.to_string()]);
    cmd
}

/// HDF5 opens files without close-on-exec and locks them (flock): a child forked while a
/// test thread is writing an HDF5 file inherits the locked descriptor and keeps the file
/// locked for as long as it runs, failing another test's open with "unable to lock file".
/// Test threads therefore write HDF5 files under the write side of this lock, and every
/// child process is started under the read side (`process.rs`).
static FORKS: RwLock<()> = RwLock::new(());

/// Hold this while creating, writing or reading an HDF5 file in a test (and start no
/// process meanwhile: that would wait for this guard forever).
pub fn writing_hdf5() -> RwLockWriteGuard<'static, ()> {
    FORKS
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A run of the program must end by itself: a signal ending it is a failure.
fn not_killed(run: Run) -> Run {
    assert!(
        run.signal.is_none(),
        "the run was killed by a signal:\n{}",
        run.context()
    );
    run
}

/// `mpirun -n ranks plotrand-mpi args…`, as root and oversubscribed if need be.
pub fn mpi(ranks: usize, args: &[impl AsRef<OsStr>]) -> Run {
    not_killed(run(launcher(ranks).arg(BIN).args(args)))
}

/// `mpi`, with environment variables set for the launcher (and so for every rank).
pub fn mpi_env(ranks: usize, env: &[(&str, &str)], args: &[impl AsRef<OsStr>]) -> Run {
    not_killed(run(launcher(ranks)
        .envs(env.iter().copied())
        .arg(BIN)
        .args(args)))
}

/// The binary started directly, as a single MPI rank.
pub fn alone(args: &[impl AsRef<OsStr>]) -> Run {
    not_killed(run(Command::new(BIN).args(args)))
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

/// A new directory of the files tests/data/make_real_files.py writes with the real libraries:
/// the groups `only` names (all when empty).
pub fn real_files(only: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut make = Command::new(python());
    make.arg(repo_path("tests/data/make_real_files.py"))
        .arg(dir.path());
    if !only.is_empty() {
        make.arg("--only").args(only);
    }
    let made = run_within(&mut make, SLOW_LIMIT);
    assert!(
        made.success(),
        "make_real_files.py failed: {}",
        made.context()
    );
    dir
}

/// The texts of an SVG's `<text>` elements, in document order.
pub fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = t.split_once('>')?.1;
            Some(body.split("</text>").next()?.trim().to_string())
        })
        .collect()
}

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

/// The rows of a run record's `results` table.
pub fn record_rows(record: &Path) -> Vec<ResultsRow> {
    let _reading = writing_hdf5();
    hdf5::File::open(record)
        .and_then(|f| f.dataset("results")?.read_raw::<ResultsRow>())
        .unwrap_or_else(|e| panic!("{}: no readable results table: {e}", record.display()))
}

/// An integer attribute of a run record (or another HDF5 object).
pub fn u64_attr(loc: &hdf5::Location, name: &str) -> u64 {
    loc.attr(name)
        .and_then(|a| a.read_scalar::<u64>())
        .unwrap_or_else(|e| panic!("attribute {name}: {e}"))
}

/// A text attribute of a run record (or another HDF5 object).
pub fn text_attr(loc: &hdf5::Location, name: &str) -> String {
    loc.attr(name)
        .and_then(|a| a.read_scalar::<hdf5::types::VarLenUnicode>())
        .unwrap_or_else(|e| panic!("attribute {name}: {e}"))
        .to_string()
}

/// Every final plot in `dir` decodes: nothing half-written sits under a final name.
pub fn all_plots_whole(dir: &Path) {
    for name in file_names(dir).iter().filter(|n| n.ends_with(".png")) {
        png_size(&dir.join(name));
    }
}

/// No temporary file (a name beginning with a dot) is left directly in `dir`.
pub fn no_temporaries(dir: &Path) {
    let temps: Vec<String> = file_names(dir)
        .into_iter()
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(temps.is_empty(), "temporary files left: {temps:?}");
}

/// The venv's Python: `$PLOTRAND_TEST_PYTHON` (scripts/test.sh sets it), else the one
/// scripts/pyenv.sh makes in target/pyenv. Fails — never skips — without it.
pub fn python() -> PathBuf {
    let path = std::env::var_os("PLOTRAND_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_path("target/pyenv/bin/python"));
    assert!(
        path.exists(),
        "no Python with xarray, netCDF4, h5py, pandas and matplotlib at {}: make it with scripts/pyenv.sh \
         (or run scripts/test.sh, which does), or point PLOTRAND_TEST_PYTHON at one",
        path.display()
    );
    path
}

/// A named pipe at `path` (what a hostile directory or file may name).
pub fn make_fifo(path: &Path) {
    let made = run(Command::new("mkfifo").arg(path));
    assert!(made.success(), "{}", made.context());
}
