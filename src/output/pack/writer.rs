//! A rank's own archive, appended to one plot at a time: each member and the end marker after
//! it in one positioned write, so the archive is a valid tar file between any two plots.

use super::tar::{ends_with_marker, member, END_MARKER};
use super::Location;
use crate::output::names::archive_name;
use crate::output::{open_ours, FileError};
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// One rank's archive, open for appending.
pub struct ArchiveWriter {
    file: File,
    path: PathBuf,
    rank: u32,
    /// Where the complete members end: the next member goes here.
    end: u64,
    sync: bool,
    buf: Vec<u8>,
}

impl ArchiveWriter {
    /// Rank `rank`'s archive in `dir`: a new one, or (`resume`) the one there, which
    /// [`prepare`](super::prepare) left ending in its end marker, continued before it.
    pub fn open(
        dir: &Path,
        rank: u32,
        resume: bool,
        sync: bool,
    ) -> Result<ArchiveWriter, FileError> {
        let path = dir.join(archive_name(rank));
        let fail = |source| FileError::Write {
            path: path.clone(),
            source,
        };
        let file = open_ours(
            &path,
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(!resume),
        )
        .map_err(fail)?;
        let len = file.metadata().map_err(fail)?.len();
        let end = len.saturating_sub(END_MARKER.len() as u64);
        if resume && len > 0 && !ends_with_marker(&path, len) {
            let what = "does not end in a tar end marker: it changed since this run began";
            return Err(fail(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                what,
            )));
        }
        Ok(ArchiveWriter {
            file,
            path,
            rank,
            end,
            sync,
            buf: Vec::new(),
        })
    }

    /// Appends `data` as the member `name`; returns where it is.
    pub fn append(&mut self, name: &str, data: &[u8]) -> Result<Location, FileError> {
        self.buf.clear();
        let start = member(name, data, &mut self.buf);
        let member_len = self.buf.len() as u64;
        self.buf.extend_from_slice(&END_MARKER);
        let written = self.file.write_all_at(&self.buf, self.end).and_then(|()| {
            if self.sync {
                self.file.sync_data()
            } else {
                Ok(())
            }
        });
        if let Err(source) = written {
            // Leave a valid archive of the members before (best effort: the disk may be full).
            let _ = self.file.set_len(self.end);
            let _ = self.file.write_all_at(&END_MARKER, self.end);
            return Err(FileError::Write {
                path: self.path.clone(),
                source,
            });
        }
        let location = Location {
            archive: self.rank,
            offset: self.end + start as u64,
            len: data.len() as u64,
        };
        self.end += member_len;
        Ok(location)
    }
}
