//! The POSIX tar format as the archives use it: ustar headers with fixed metadata, a pax
//! `path` record for names ustar cannot hold, 512-byte padding, the two-zero-block end marker;
//! and reading an archive's members back (headers only) or one member at its offset.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt;
use std::path::Path;

pub(super) const BLOCK: u64 = 512;

/// The end of an archive: two zero blocks.
pub(super) const END_MARKER: [u8; 2 * BLOCK as usize] = [0; 2 * BLOCK as usize];

/// The largest pax header this program reads back (its own hold one path).
pub(super) const MAX_PAX: u64 = 64 * 1024;

/// The name of the pax header before a member with a long name (as Python's tarfile writes).
pub(super) const PAX_NAME: &str = "././@PaxHeader";

/// One member of an archive, as its headers say.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub name: Vec<u8>,
    /// The plot the name is, if it is one of this run's.
    pub plot: Option<u64>,
    /// Where the member's data starts in the archive.
    pub offset: u64,
    pub size: u64,
}

/// An archive's complete members, in order, and its length.
#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    pub members: Vec<Member>,
    pub len: u64,
}

/// The complete members of the archive at `path`, reading headers only: the scan stops at the
/// end marker, at a block that is no valid header, or at a member the file does not hold
/// whole. `resolve` names the plot a member's name is.
pub fn scan(path: &Path, resolve: &dyn Fn(&[u8]) -> Option<u64>) -> std::io::Result<Scan> {
    // Only a regular file, non-blocking: a pipe under an archive's name would block open(2).
    let file = crate::output::open_regular(path)?;
    let len = file.metadata()?.len();
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    let mut members = Vec::new();
    let mut pos = 0u64;
    let mut long_name: Option<Vec<u8>> = None;
    let mut block = [0u8; BLOCK as usize];
    while pos + BLOCK <= len {
        reader.seek(SeekFrom::Start(pos))?;
        reader.read_exact(&mut block)?;
        if block.iter().all(|&b| b == 0) {
            break;
        }
        let header = tar::Header::from_byte_slice(&block);
        if header.cksum().ok() != Some(checksum(&block)) {
            break;
        }
        let Ok(size) = header.entry_size() else {
            break;
        };
        let offset = pos + BLOCK;
        let Some(end) = member_end(offset, size).filter(|&end| end <= len) else {
            break;
        };
        match header.entry_type() {
            tar::EntryType::XHeader if size <= MAX_PAX => {
                let mut data = vec![0; size as usize];
                reader.read_exact(&mut data)?;
                long_name = tar::PaxExtensions::new(&data)
                    .filter_map(Result::ok)
                    .find(|e| e.key_bytes() == b"path")
                    .map(|e| e.value_bytes().to_vec());
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                let name = long_name
                    .take()
                    .unwrap_or_else(|| header.path_bytes().into_owned());
                let plot = resolve(&name);
                members.push(Member {
                    name,
                    plot,
                    offset,
                    size,
                });
            }
            _ => long_name = None,
        }
        pos = end;
    }
    Ok(Scan { members, len })
}

/// A header block's checksum: the sum of its bytes, the checksum field counted as spaces.
pub(super) fn checksum(block: &[u8; BLOCK as usize]) -> u32 {
    block
        .iter()
        .enumerate()
        .map(|(i, &b)| u32::from(if (148..156).contains(&i) { b' ' } else { b }))
        .sum()
}

/// `size` rounded up to whole blocks.
pub(super) fn padded(size: u64) -> u64 {
    size.div_ceil(BLOCK) * BLOCK
}

/// Where a member of `size` bytes whose data starts at `offset` ends, padding included; `None`
/// where a size read from a damaged header would go past the end of any file (a GNU
/// base-256 size near 2^64 would otherwise wrap around to the member's own start).
pub(super) fn member_end(offset: u64, size: u64) -> Option<u64> {
    offset.checked_add(size.div_ceil(BLOCK).checked_mul(BLOCK)?)
}

/// Appends the tar member `name` holding `data` to `out`; returns where in `out` the data
/// starts.
pub fn member(name: &str, data: &[u8], out: &mut Vec<u8>) -> usize {
    let mut header = tar::Header::new_ustar();
    header.set_mode(0o644);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(0);
    if header.set_path(name).is_err() {
        // Too long for ustar's name and prefix (or not a plain relative path): a pax header
        // carries the name, the ustar header a cut-down one for old readers.
        let mut record = pax_record("path", name);
        let mut pax = tar::Header::new_ustar();
        pax.set_mode(0o644);
        pax.set_mtime(0);
        pax.set_path(PAX_NAME).expect("a short plain name");
        pax.set_size(record.len() as u64);
        pax.set_entry_type(tar::EntryType::XHeader);
        pax.set_cksum();
        out.extend_from_slice(pax.as_bytes());
        record.resize(padded(record.len() as u64) as usize, 0);
        out.extend_from_slice(&record);
        let short: String = name
            .chars()
            .rev()
            .take(90)
            .collect::<Vec<_>>()
            .iter()
            .rev()
            .collect();
        header
            .set_path(short.trim_start_matches('/'))
            .unwrap_or_else(|_| header.set_path("plot").expect("a short plain name"));
    }
    header.set_size(data.len() as u64);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    out.extend_from_slice(header.as_bytes());
    let start = out.len();
    out.extend_from_slice(data);
    out.resize(start + padded(data.len() as u64) as usize, 0);
    start
}

/// A pax record: `<length> <key>=<value>\n`, the length counting itself.
pub(super) fn pax_record(key: &str, value: &str) -> Vec<u8> {
    let rest = key.len() + value.len() + 3; // ' ', '=', '\n'
    let mut len = rest + 1;
    while len != rest + len.to_string().len() {
        len = rest + len.to_string().len();
    }
    format!("{len} {key}={value}\n").into_bytes()
}

/// Reads a packed plot's bytes from its archive, checking that a tar header of a member of
/// that length comes right before them.
pub fn read_member(file: &File, offset: u64, len: u64) -> std::io::Result<Vec<u8>> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let file_len = file.metadata()?.len();
    let inside = offset.checked_add(len).is_some_and(|end| end <= file_len);
    if offset < BLOCK || !offset.is_multiple_of(BLOCK) || !inside {
        return Err(bad("the record's offset and length do not fit the archive"));
    }
    let mut block = [0u8; BLOCK as usize];
    file.read_exact_at(&mut block, offset - BLOCK)?;
    let header = tar::Header::from_byte_slice(&block);
    if header.cksum().ok() != Some(checksum(&block)) || header.entry_size().ok() != Some(len) {
        return Err(bad(
            "no tar member of the record's length at the record's offset",
        ));
    }
    let mut data = vec![0; len as usize];
    file.read_exact_at(&mut data, offset)?;
    Ok(data)
}

pub(super) fn ends_with_marker(path: &Path, len: u64) -> bool {
    let mut tail = [1u8; END_MARKER.len()];
    len >= tail.len() as u64
        && File::open(path)
            .and_then(|f| f.read_exact_at(&mut tail, len - END_MARKER.len() as u64))
            .is_ok()
        && tail == END_MARKER
}
