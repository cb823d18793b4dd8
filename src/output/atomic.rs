//! Files that appear under their final name whole or not at all: a temporary name beside the
//! final one (or in the rank's staging directory), then a rename; and the check that a file
//! already there ends as a whole file of its format does.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// The end of every temporary file's name: a marker no other program uses, so that
/// `--resume` removes only what this program left.
pub(super) const TEMP_SUFFIX: &str = ".plotrand-tmp";

/// Ranks' directories for temporaries (`--write-strategy rank-dir`): `.plotrand-rank-RRRR`.
pub(super) const STAGING_PREFIX: &str = ".plotrand-rank-";

/// Whether the file at `path` ends as a whole file of its format does: a PNG's `IEND` chunk,
/// a PDF's `%%EOF`, an SVG's closing tag.
pub(super) fn is_whole(path: &Path, extension: &str) -> std::io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let mut head = [0u8; 8];
    let head_len = file.read(&mut head)?;
    let tail_len = len.min(32);
    file.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = vec![0u8; tail_len as usize];
    file.read_exact(&mut tail)?;
    Ok(ends_whole(extension, &head[..head_len], &tail))
}

pub(crate) fn ends_whole(extension: &str, head: &[u8], tail: &[u8]) -> bool {
    let trimmed = tail.trim_ascii_end();
    match extension {
        "png" => {
            head == b"\x89PNG\r\n\x1a\n"
                && tail.ends_with(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xae, 0x42, 0x60, 0x82])
        }
        "pdf" => head.starts_with(b"%PDF-") && trimmed.ends_with(b"%%EOF"),
        "svg" => trimmed.ends_with(b"</svg>"),
        _ => false,
    }
}

/// The directory a file path lies in: its parent, or `.` for a bare name.
pub fn parent_or_dot(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// A file written under a temporary name beside its final path (by this program or by the
/// HDF5 library, through [`PendingFile::temp_path`]) and renamed into place by
/// [`PendingFile::commit`]. Dropped uncommitted, it leaves nothing behind.
pub struct PendingFile {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
}

impl PendingFile {
    pub fn beside(path: &Path) -> std::io::Result<PendingFile> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(PendingFile {
            tmp: temp_file_for(parent_or_dot(path), &name)?,
            path: path.to_path_buf(),
        })
    }

    pub fn temp_path(&self) -> &Path {
        self.tmp.path()
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn commit(self) -> std::io::Result<()> {
        self.tmp.persist(&self.path).map(drop).map_err(|e| e.error)
    }
}

/// A new temporary file in `dir` for what will be renamed to `name`: `.<name>.<random>.tmp`,
/// so a killed run's leftovers are recognisable and never mistaken for plots, with the
/// permissions umask gives (tempfile's default 0600 would hide plots from the group).
pub(super) fn temp_file_for(dir: &Path, name: &str) -> std::io::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(TEMP_SUFFIX)
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
}

/// Writes `bytes` to a temporary file in `dir`, then renames it to `name`: readers see either
/// no file or the whole file, even if this process is killed mid-write. Surviving a crash of
/// the node itself also needs the data on disk before the rename: `sync`.
pub fn write_atomically(dir: &Path, name: &str, bytes: &[u8], sync: bool) -> std::io::Result<()> {
    let mut tmp = temp_file_for(dir, name)?;
    tmp.write_all(bytes)?;
    if sync {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(dir.join(name)).map_err(|e| e.error)?;
    Ok(())
}

/// [`write_atomically`] with the temporary made in `staging` (created if missing), so that
/// ranks do not create files in one shared directory.
pub(super) fn write_staged(
    staging: &Path,
    dir: &Path,
    name: &str,
    bytes: &[u8],
    sync: bool,
) -> std::io::Result<()> {
    let mut tmp = match temp_file_for(staging, name) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            own_dir(staging)?;
            temp_file_for(staging, name)?
        }
        made => made?,
    };
    tmp.write_all(bytes)?;
    if sync {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(dir.join(name)).map_err(|e| e.error)?;
    Ok(())
}

/// Rank `rank`'s directory for temporaries, in the output directory.
pub(super) fn staging_dir_name(rank: i32) -> String {
    format!("{STAGING_PREFIX}{rank:04}")
}

/// [`write_atomically`] to a path.
pub fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    write_atomically(parent_or_dot(path), &name, bytes, false)
}

/// Opens one of the program's own files under its fixed name (the lock, a rank's archive)
/// for `options`, never through a symbolic link and only if it is a regular file: a link or
/// a device under one of our names is somebody else's, and writing through it would write
/// outside the output directory. Non-blocking, so that a named pipe there cannot hang us.
pub fn open_ours(
    path: &Path,
    options: &mut std::fs::OpenOptions,
) -> std::io::Result<std::fs::File> {
    use rustix::fs::OFlags;
    use std::os::unix::fs::OpenOptionsExt;
    let flags = (OFlags::NOFOLLOW | OFlags::NONBLOCK).bits() as i32;
    let file = options.custom_flags(flags).open(path).map_err(|e| {
        if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
            not_ours("a symbolic link")
        } else {
            e
        }
    })?;
    if !file.metadata()?.is_file() {
        return Err(not_ours("not a regular file"));
    }
    Ok(file)
}

/// The text of one of the program's own small files (the manifest, the lock's holder), read
/// as [`open_ours`] opens (no link, no pipe: a pipe would block, `/dev/zero` never end) and
/// at most `limit` bytes of it; `None` if there is no such file.
pub fn read_ours(path: &Path, limit: u64) -> std::io::Result<Option<String>> {
    use std::io::Read;
    let file = match open_ours(path, std::fs::OpenOptions::new().read(true)) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("it is longer than the {limit} bytes this program writes there"),
        ));
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8 text"))
}

/// Makes `dir`, one of the output directory's own directories (a block of plots, `data`, a
/// rank's staging directory), if it is missing, and checks that it is a directory itself:
/// through a symbolic link there, plots would be written outside the output directory.
pub fn own_dir(dir: &Path) -> std::io::Result<()> {
    match std::fs::create_dir(dir) {
        Ok(()) => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    let kind = std::fs::symlink_metadata(dir)?.file_type();
    if kind.is_dir() {
        Ok(())
    } else if kind.is_symlink() {
        Err(not_ours("a symbolic link"))
    } else {
        Err(not_ours("not a directory"))
    }
}

/// Opens a file that something we do not control names (an archive the run record names) for
/// reading, only if it is a regular file. Non-blocking, so that a named pipe under that name
/// cannot hang us (opening one for reading waits for a writer); a device or a directory is
/// refused too, before a byte is read. Links are followed: reading through one writes nothing.
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    use rustix::fs::OFlags;
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(OFlags::NONBLOCK.bits() as i32)
        .open(path)?;
    let kind = file.metadata()?.file_type();
    let what = if kind.is_file() {
        return Ok(file);
    } else if kind.is_fifo() {
        "a named pipe"
    } else if kind.is_dir() {
        "a directory"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    };
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("it is {what}, not a file"),
    ))
}

fn not_ours(what: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("it is {what}, not one this program made: move it away"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_leaves_only_the_final_file() {
        let dir = tempfile::tempdir().unwrap();
        write_atomically(dir.path(), "plot_1.png", b"abc", true).unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["plot_1.png"]);
        assert_eq!(
            std::fs::read(dir.path().join("plot_1.png")).unwrap(),
            b"abc"
        );
    }

    #[test]
    fn only_regular_files_are_opened_to_read_and_a_pipe_does_not_block() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("plots-0000.tar");
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
        )
        .unwrap();
        let e = open_regular(&fifo).unwrap_err();
        assert!(e.to_string().contains("a named pipe"), "{e}");
        let e = open_regular(dir.path()).unwrap_err();
        assert!(e.to_string().contains("a directory"), "{e}");
        assert!(open_regular(Path::new("/dev/null"))
            .unwrap_err()
            .to_string()
            .contains("a device"));
        let file = dir.path().join("a.tar");
        std::fs::write(&file, b"abc").unwrap();
        std::os::unix::fs::symlink(&file, dir.path().join("link.tar")).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut open_regular(&dir.path().join("link.tar")).unwrap(),
            &mut text,
        )
        .unwrap();
        assert_eq!(text, "abc");
    }

    #[test]
    fn atomic_write_onto_a_directory_fails_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("plot_3.png")).unwrap();
        assert!(write_atomically(dir.path(), "plot_3.png", b"abc", false).is_err());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary left"
        );
    }
}
