//! Every path and file the program makes: plot names and subdirectories, temporary names and
//! atomic writes, the writability probe, the clean-up of what a killed run left, where the
//! data files and the run record go, and what to do when a write fails. Nothing else in the
//! program creates, renames or removes files; "where is a plot written?" is answered here.

mod atomic;
mod error;
pub mod fsinfo;
pub mod h5;
mod names;
pub mod pack;
mod record_place;
pub mod savedata;
mod setup;

pub(crate) use atomic::ends_whole;
use atomic::{is_whole, staging_dir_name, write_staged};
pub use atomic::{
    open_ours, open_regular, own_dir, parent_or_dot, write_atomically, write_file, PendingFile,
};
pub use error::{hint, FileError, SetupError};
pub use names::{name_clash, DATA_DIR, MANIFEST_FILE_NAME, RECORD_FILE_NAME};
use names::{subdir, Names};
pub use record_place::{check_record_place, data_link_base};
pub use setup::{
    check_record_dir, holds_plots, lock, prepare, read_manifest, remove_stale_temporaries,
    write_manifest, OutputLock,
};

use crate::figure::Format;
use crate::plan::Plan;

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Where the plots of one run go, and under which names. Every rank builds the same one from
/// the same plan, so rank 0 can name any plot's file from its number.
#[derive(Debug, Clone)]
pub struct OutputDir {
    root: PathBuf,
    extension: &'static str,
    /// At most this many plots per subdirectory (`--max-files-per-dir`).
    per_dir: Option<u64>,
    /// How plots are named.
    names: Names,
    /// fsync each file before its rename (`--sync`).
    sync: bool,
    /// When the run's first attempt began: `--resume` takes an older plot file for another
    /// run's.
    began: Option<SystemTime>,
    /// `--write-strategy rank-dir`: this rank's directory for temporaries (see `fsinfo`).
    staging: Option<PathBuf>,
    /// Why that directory cannot be used (something not ours has its name): each plot fails
    /// saying so.
    staging_refused: Option<String>,
}

impl OutputDir {
    pub fn new(
        root: &Path,
        plan: &Plan,
        format: Format,
        per_dir: Option<u64>,
        sync: bool,
        began: Option<SystemTime>,
        template: Option<&str>,
    ) -> OutputDir {
        OutputDir {
            root: root.to_path_buf(),
            extension: format.extension(),
            per_dir,
            names: Names::new(plan, template),
            sync,
            began,
            staging: None,
            staging_refused: None,
        }
    }

    /// The same directory, with `rank`'s temporaries made in a directory of its own and
    /// renamed into place from there (`--write-strategy rank-dir`).
    pub fn staged_for(mut self, rank: i32) -> OutputDir {
        let staging = self.root.join(staging_dir_name(rank));
        self.staging_refused = own_dir(&staging).err().map(|e| e.to_string());
        self.staging = Some(staging);
        self
    }

    /// Removes this rank's directory for temporaries, if it has one and it is empty.
    pub fn remove_staging(&self) {
        if let Some(staging) = &self.staging {
            let _ = std::fs::remove_dir(staging);
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Plot `plot_num`'s file name without extension: the lesson's `plot_<k>` with `k`
    /// zero-padded so that names sort in plot order, or for input runs the `--name`
    /// template, by default the object's sanitised path (and `_<frame>`, zero-padded, for
    /// frames). Its group in a data file has the same name.
    pub fn stem(&self, plot_num: u64) -> String {
        self.names.stem(plot_num)
    }

    pub fn file_name(&self, plot_num: u64) -> String {
        format!("{}.{}", self.stem(plot_num), self.extension)
    }

    /// Plot `plot_num`'s file relative to the output directory: with `--max-files-per-dir`,
    /// in subdirectory `NNNN` of its block of plots.
    pub fn relative_path(&self, plot_num: u64) -> PathBuf {
        let name = self.file_name(plot_num);
        match subdir(plot_num, self.per_dir) {
            Some(sub) => Path::new(&sub).join(name),
            None => PathBuf::from(name),
        }
    }

    pub fn path(&self, plot_num: u64) -> PathBuf {
        self.root.join(self.relative_path(plot_num))
    }

    /// The plot, among `1..=num_plots`, whose file is `relative` (to the output directory).
    pub(crate) fn plot_at(&self, relative: &Path, num_plots: u64) -> Option<u64> {
        self.plot_finder(num_plots)(relative)
    }

    /// What [`plot_at`](Self::plot_at) asks, for asking it of many files: names are read
    /// back, not looked up in a table of every plot's name.
    pub(crate) fn plot_finder(&self, num_plots: u64) -> impl Fn(&Path) -> Option<u64> + '_ {
        let reader = self.names.reader(num_plots);
        move |relative| {
            let stem = relative
                .file_name()?
                .to_str()?
                .strip_suffix(self.extension)?
                .strip_suffix('.')?;
            let plot_num = reader.plot_of(stem)?;
            (self.relative_path(plot_num) == relative).then_some(plot_num)
        }
    }

    /// `--resume`: whether plot `plot_num` is already there, whole. Files only ever appear
    /// under their final name complete (temporary name, then rename), but a node that
    /// crashed before the data reached the disk can leave a short file there, and anything
    /// at all may have been put there by hand.
    pub fn existing(&self, plot_num: u64) -> Existing {
        let path = self.path(plot_num);
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(_) => return Existing::Missing,
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            return Existing::Incomplete("a symbolic link, not a file".into());
        }
        if !kind.is_file() {
            return Existing::Incomplete("not a regular file".into());
        }
        let before_this_run = self
            .began
            .zip(meta.modified().ok())
            .is_some_and(|(began, modified)| modified < began);
        if before_this_run {
            return Existing::Incomplete("made before this run began: another run's".into());
        }
        match is_whole(&path, self.extension) {
            Ok(true) => Existing::Whole(meta.len()),
            Ok(false) => Existing::Incomplete(format!("{} bytes", meta.len())),
            Err(e) => Existing::Incomplete(format!("unreadable: {e}")),
        }
    }

    /// Writes plot `plot_num`'s bytes under its final name, creating its subdirectory first.
    pub fn write_plot(&self, plot_num: u64, bytes: &[u8]) -> Result<(), FileError> {
        if let (Some(staging), Some(why)) = (&self.staging, &self.staging_refused) {
            return Err(FileError::CreateDir {
                path: staging.clone(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidInput, why.clone()),
            });
        }
        let dir = match subdir(plot_num, self.per_dir) {
            Some(sub) => {
                let dir = self.root.join(sub);
                own_dir(&dir).map_err(|source| FileError::CreateDir {
                    path: dir.clone(),
                    source,
                })?;
                dir
            }
            None => self.root.clone(),
        };
        let name = self.file_name(plot_num);
        let written = match &self.staging {
            Some(staging) => write_staged(staging, &dir, &name, bytes, self.sync),
            None => write_atomically(&dir, &name, bytes, self.sync),
        };
        written.map_err(|source| FileError::Write {
            path: dir.join(&name),
            source,
        })
    }

    /// The data file of `rank` (`--save-data`).
    pub fn data_file(&self, rank: i32) -> PathBuf {
        self.root.join(data_file_name(rank))
    }

    /// The data file of `rank` under a temporary name until committed; the data directory
    /// is made if need be.
    pub fn new_data_file(&self, rank: i32) -> std::io::Result<PendingFile> {
        let path = self.data_file(rank);
        own_dir(parent_or_dot(&path))?;
        PendingFile::beside(&path)
    }
}

/// What `--resume` finds under a plot's name.
#[derive(Debug, Clone, PartialEq)]
pub enum Existing {
    Missing,
    /// A whole plot of this many bytes.
    Whole(u64),
    /// Something else, described: to be made again.
    Incomplete(String),
}

/// The data file of `rank`, relative to the output directory.
pub fn data_file_name(rank: i32) -> String {
    format!("{DATA_DIR}/rank_{rank:04}.h5")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Kind, PlanObject};

    fn object(path: &str, frame_shape: Vec<u64>) -> PlanObject {
        PlanObject {
            path: path.into(),
            kind: Kind::Heatmap,
            frame_shape,
            picks: Vec::new(),
        }
    }

    #[test]
    fn plots_are_named_from_the_plan() {
        let random = Plan::Random { num_plots: 3 };
        let out = OutputDir::new(
            Path::new("o"),
            &random,
            Format::Png,
            None,
            false,
            None,
            None,
        );
        assert_eq!(out.path(3), Path::new("o/plot_3.png"));
        let ten = Plan::Random { num_plots: 10 };
        let out = OutputDir::new(Path::new("o"), &ten, Format::Png, None, false, None, None);
        assert_eq!(out.path(3), Path::new("o/plot_03.png"));
        let input = Plan::Input {
            objects: vec![
                object("/g/xy", vec![]),
                object("/z", vec![]),
                object("/t", vec![12]),
            ]
            .into(),
        };
        let out = OutputDir::new(
            Path::new("o"),
            &input,
            Format::Svg,
            Some(1),
            false,
            None,
            None,
        );
        assert_eq!(out.relative_path(1), Path::new("0000/g_xy.svg"));
        assert_eq!(out.stem(2), "z");
        assert_eq!(out.stem(3), "t_00");
        assert_eq!(out.stem(14), "t_11");
        let template = Some("{n}-{object}-f{frame}");
        let out = OutputDir::new(
            Path::new("o"),
            &input,
            Format::Png,
            None,
            false,
            None,
            template,
        );
        assert_eq!(out.stem(1), "01-g_xy-f0");
        assert_eq!(out.stem(13), "13-t-f10");
        assert_eq!(
            name_clash("{object}", &input).unwrap(),
            "the input has datasets of several frames; put {frame} or {plot} in the template"
        );
        assert_eq!(name_clash("{object}_{frame}", &input), None);
        assert_eq!(name_clash("plot_{n}", &input), None);
    }

    #[test]
    fn every_plot_file_is_read_back_to_its_plot_and_nothing_else_is() {
        // Stems that hold each other and the text that follows them: "a", "a_1", "a_1_2".
        let input = Plan::Input {
            objects: vec![
                object("/a", vec![11]),
                object("/a/1", vec![3, 4]),
                object("/a_1/2", vec![]),
                object("/A", vec![]),
                object("/b-f", vec![2]),
            ]
            .into(),
        };
        let n = input.num_plots();
        let templates = [
            None,
            Some("{n}"),
            Some("{object}-f{frame}"),
            Some("x{frame}{object}{n}"),
        ];
        for template in templates {
            for per_dir in [None, Some(7)] {
                let out = OutputDir::new(
                    Path::new("o"),
                    &input,
                    Format::Png,
                    per_dir,
                    false,
                    None,
                    template,
                );
                let find = out.plot_finder(n);
                for k in 1..=n {
                    assert_eq!(find(&out.relative_path(k)), Some(k), "{template:?} {k}");
                }
                let strangers = ["a_11.png", "a_1_3.png", "a_1.svg", "0001/a_00.png", ".png"];
                for stranger in strangers {
                    assert_eq!(find(Path::new(stranger)), None, "{template:?} {stranger}");
                }
            }
        }
        let random = Plan::Random { num_plots: 100 };
        let out = OutputDir::new(
            Path::new("o"),
            &random,
            Format::Svg,
            None,
            false,
            None,
            None,
        );
        let find = out.plot_finder(100);
        assert_eq!(find(Path::new("plot_007.svg")), Some(7));
        for stranger in ["plot_7.svg", "plot_000.svg", "plot_101.svg", "plot_+07.svg"] {
            assert_eq!(find(Path::new(stranger)), None, "{stranger}");
        }
    }

    #[test]
    fn staged_writes_leave_only_the_final_file() {
        let dir = tempfile::tempdir().unwrap();
        let plan = Plan::Random { num_plots: 2 };
        let out = OutputDir::new(dir.path(), &plan, Format::Png, Some(1), false, None, None)
            .staged_for(3);
        out.write_plot(2, b"abc").unwrap();
        assert_eq!(std::fs::read(out.path(2)).unwrap(), b"abc");
        let staging = dir.path().join(".plotrand-rank-0003");
        assert_eq!(std::fs::read_dir(&staging).unwrap().count(), 0);
        out.remove_staging();
        assert!(!staging.exists());
    }

    #[test]
    fn only_whole_files_count_as_done() {
        let png_end = [0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xae, 0x42, 0x60, 0x82];
        let png_head = b"\x89PNG\r\n\x1a\n";
        assert!(ends_whole("png", png_head, &png_end));
        assert!(!ends_whole("png", png_head, &png_end[..8]));
        assert!(!ends_whole("png", b"", b""));
        assert!(ends_whole("pdf", b"%PDF-1.7", b"trailer\n%%EOF\n"));
        assert!(!ends_whole("pdf", b"%PDF-1.7", b"0 obj <<"));
        assert!(ends_whole("svg", b"<svg", b"</g>\n</svg>\n"));
        assert!(!ends_whole("svg", b"<svg", b"<circle"));

        let dir = tempfile::tempdir().unwrap();
        let plan = Plan::Random { num_plots: 4 };
        let out = OutputDir::new(dir.path(), &plan, Format::Png, None, false, None, None);
        out.write_plot(1, &[png_head.as_slice(), &png_end].concat())
            .unwrap();
        assert_eq!(out.existing(1), Existing::Whole(20));
        std::fs::write(out.path(2), b"").unwrap();
        assert_eq!(out.existing(2), Existing::Incomplete("0 bytes".into()));
        std::fs::create_dir(out.path(3)).unwrap();
        assert!(matches!(out.existing(3), Existing::Incomplete(_)));
        std::os::unix::fs::symlink(out.path(1), out.path(4)).unwrap();
        assert!(matches!(out.existing(4), Existing::Incomplete(_)));
    }
}
