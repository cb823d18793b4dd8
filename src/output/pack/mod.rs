//! Packed output (`--pack`): each rank appends its plots to its own POSIX tar archive,
//! `DIR/plots-RRRR.tar`, so a million plots are as many files as ranks. Part of the output
//! side with `outdir`: nothing else creates, cuts or removes archives.
//!
//! An archive is always a valid tar file between two plots: every member is written, with the
//! archive's end marker (two zero blocks) after it, by one positioned write at the end of the
//! last complete member; the next member overwrites that end marker. Members carry fixed
//! metadata (mode 0644, owner 0:0, modification time 0), so plot *k*'s member is the same bytes
//! in every run, and an archive that `--resume` finished is byte-identical to an uninterrupted
//! run's. Headers are ustar; a name longer than ustar holds gets a pax `path` record first.
//!
//! After a kill an archive may end in a partial member: `--resume` (rank 0, before any rank
//! starts) cuts every archive back to its last complete member, puts the end marker back and
//! keeps the index of what the archives hold (their headers only: one scan, by rank 0). The
//! other ranks get only which plots are packed, as a bitmap ([`Packed`]), so that a plot
//! already packed, in whichever archive, is skipped; rank 0 records its place. A rank then
//! appends to its own archive before its end marker.

use crate::output::{FileError, OutputDir};
use crate::plan::Plan;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::FileExt;
use std::path::{Component, Path, PathBuf};

const BLOCK: u64 = 512;
/// The end of an archive: two zero blocks.
const END_MARKER: [u8; 2 * BLOCK as usize] = [0; 2 * BLOCK as usize];
/// The largest pax header this program reads back (its own hold one path).
const MAX_PAX: u64 = 64 * 1024;
/// The name of the pax header before a member with a long name (as Python's tarfile writes).
const PAX_NAME: &str = "././@PaxHeader";

/// Rank `rank`'s archive, relative to the output directory.
pub fn archive_name(rank: u32) -> String {
    format!("plots-{rank:04}.tar")
}

/// The rank whose archive `name` is, for names [`archive_name`] makes.
fn archive_rank(name: &str) -> Option<u32> {
    let digits = name.strip_prefix("plots-")?.strip_suffix(".tar")?;
    (digits.len() >= 4 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
        .filter(|&r| archive_name(r) == name)
}

/// Whether `relative` (to the output directory) is where a rank's archive goes.
pub fn is_archive(relative: &Path) -> bool {
    relative.to_str().and_then(archive_rank).is_some()
}

/// The archives in `dir`, by rank.
pub fn archives_in(dir: &Path) -> std::io::Result<Vec<(u32, PathBuf)>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if let Some(rank) = entry.file_name().to_str().and_then(archive_rank) {
            found.push((rank, entry.path()));
        }
    }
    found.sort();
    Ok(found)
}

/// Why the archives could not be prepared before a run (rank 0, exit status 2).
#[derive(Debug, thiserror::Error)]
#[error("--pack: could not {action} '{}': {source}; check the directory's permissions", path.display())]
pub struct PrepareError {
    action: &'static str,
    path: PathBuf,
    source: std::io::Error,
}

/// What [`prepare`] did and found.
#[derive(Debug, Default)]
pub struct Prepared {
    /// Archives cut back (`--resume`).
    pub cut: usize,
    /// `--resume`: the plots the archives hold, and where.
    pub index: Option<PackIndex>,
}

/// Rank 0, before any rank starts, with the output directory locked. A fresh run removes the
/// archives an earlier run left (each rank makes its own anew); `--resume` cuts each archive
/// back to its last complete member whose plot ends as a whole file of `extension` does, and
/// indexes what they hold.
pub fn prepare(
    dir: &Path,
    resume: bool,
    extension: &str,
    resolve: &dyn Fn(&[u8]) -> Option<u64>,
) -> Result<Prepared, PrepareError> {
    let fail = |action, path: &Path| {
        let path = path.to_path_buf();
        move |source| PrepareError {
            action,
            path,
            source,
        }
    };
    let mut prepared = Prepared::default();
    let mut index = PackIndex::default();
    for (archive, path) in archives_in(dir).map_err(fail("list", dir))? {
        if !resume {
            std::fs::remove_file(&path).map_err(fail("remove", &path))?;
            continue;
        }
        let scan = scan(&path, resolve).map_err(fail("read", &path))?;
        let end = whole_end(&path, &scan, extension).map_err(fail("read", &path))?;
        if scan.len != end + END_MARKER.len() as u64 || !ends_with_marker(&path, scan.len) {
            cut_back(&path, end).map_err(fail("cut back", &path))?;
            prepared.cut += 1;
        }
        index.add(archive, scan.members.iter().take_while(|m| m.offset < end));
    }
    if resume {
        index.plots.sort_by_key(|&(plot, _)| plot); // stable: the first place of a plot first
        index.plots.dedup_by_key(|&mut (plot, _)| plot);
        prepared.index = Some(index);
    }
    Ok(prepared)
}

/// Where the last member of `scan` whose data ends as a whole plot file ends: a member that
/// a crashed node left full of zeros is cut too.
fn whole_end(path: &Path, scan: &Scan, extension: &str) -> std::io::Result<u64> {
    let file = File::open(path)?;
    let mut members = scan.members.as_slice();
    while let Some((last, before)) = members.split_last() {
        if last.plot.is_none() {
            break; // not a plot of this run: kept as it is
        }
        let head_len = last.size.min(8) as usize;
        let tail_len = last.size.min(32);
        let mut head = vec![0; head_len];
        let mut tail = vec![0; tail_len as usize];
        file.read_exact_at(&mut head, last.offset)?;
        file.read_exact_at(&mut tail, last.offset + last.size - tail_len)?;
        if crate::output::ends_whole(extension, &head, &tail) {
            break;
        }
        members = before;
    }
    Ok(members.last().map_or(0, |m| m.offset + padded(m.size)))
}

fn ends_with_marker(path: &Path, len: u64) -> bool {
    let mut tail = [1u8; END_MARKER.len()];
    len >= tail.len() as u64
        && File::open(path)
            .and_then(|f| f.read_exact_at(&mut tail, len - END_MARKER.len() as u64))
            .is_ok()
        && tail == END_MARKER
}

/// Cuts the archive at `path` to `end` bytes and puts the end marker after them.
fn cut_back(path: &Path, end: u64) -> std::io::Result<()> {
    let file = std::fs::OpenOptions::new().write(true).open(path)?;
    file.set_len(end)?;
    file.write_all_at(&END_MARKER, end)?;
    file.sync_all()
}

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
    let file = File::open(path)?;
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
        if offset + padded(size) > len {
            break;
        }
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
        pos = offset + padded(size);
    }
    Ok(Scan { members, len })
}

/// A header block's checksum: the sum of its bytes, the checksum field counted as spaces.
fn checksum(block: &[u8; BLOCK as usize]) -> u32 {
    block
        .iter()
        .enumerate()
        .map(|(i, &b)| u32::from(if (148..156).contains(&i) { b' ' } else { b }))
        .sum()
}

/// `size` rounded up to whole blocks.
fn padded(size: u64) -> u64 {
    size.div_ceil(BLOCK) * BLOCK
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
fn pax_record(key: &str, value: &str) -> Vec<u8> {
    let rest = key.len() + value.len() + 3; // ' ', '=', '\n'
    let mut len = rest + 1;
    while len != rest + len.to_string().len() {
        len = rest + len.to_string().len();
    }
    format!("{len} {key}={value}\n").into_bytes()
}

/// The plot a member's name is, if it is one of this run's.
pub type Resolver<'a> = Box<dyn Fn(&[u8]) -> Option<u64> + 'a>;

/// Names the plot a member's name is, as the output directory names plots: what
/// [`scan`] needs. Random plots are parsed; an input run's names are looked up.
pub fn resolver<'a>(out: &'a OutputDir, plan: &Plan) -> Resolver<'a> {
    let n = plan.num_plots();
    match plan {
        Plan::Random { .. } => Box::new(move |name| {
            let name = std::str::from_utf8(name).ok()?;
            out.plot_at(Path::new(name), n)
        }),
        _ => {
            let names: HashMap<Vec<u8>, u64> = (1..=n)
                .map(|k| (out.relative_path(k).into_os_string().into_vec(), k))
                .collect();
            Box::new(move |name| names.get(name).copied())
        }
    }
}

/// Where a packed plot is: its archive (by rank), its data's offset and its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub archive: u32,
    pub offset: u64,
    pub len: u64,
}

/// `--pack --resume`, rank 0: the plots already packed in the output directory's archives,
/// and where each is.
#[derive(Debug, Clone, Default)]
pub struct PackIndex {
    /// By plot, the first place of each.
    plots: Vec<(u64, Location)>,
}

impl PackIndex {
    fn add<'a>(&mut self, archive: u32, members: impl Iterator<Item = &'a Member>) {
        self.plots.extend(members.filter_map(|m| {
            let location = Location {
                archive,
                offset: m.offset,
                len: m.size,
            };
            m.plot.map(|plot| (plot, location))
        }));
    }

    pub fn find(&self, plot: u64) -> Option<Location> {
        self.plots
            .binary_search_by_key(&plot, |&(p, _)| p)
            .ok()
            .map(|i| self.plots[i].1)
    }

    /// Which of plots `1..=num_plots` are packed, for every rank.
    pub fn packed(&self, num_plots: u64) -> Packed {
        let mut bits = vec![0u8; num_plots.div_ceil(8) as usize];
        for &(plot, _) in self
            .plots
            .iter()
            .filter(|(p, _)| (1..=num_plots).contains(p))
        {
            bits[(plot - 1) as usize / 8] |= 1 << ((plot - 1) % 8);
        }
        Packed { bits }
    }
}

/// `--pack --resume`, every rank: which plots the archives already hold (a bit a plot, as rank
/// 0 found them), to be skipped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Packed {
    bits: Vec<u8>,
}

impl Packed {
    pub fn from_bytes(bits: Vec<u8>) -> Packed {
        Packed { bits }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bits
    }

    pub fn contains(&self, plot: u64) -> bool {
        let i = plot.wrapping_sub(1);
        self.bits
            .get((i / 8) as usize)
            .is_some_and(|b| b & (1 << (i % 8)) != 0)
    }
}

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
    /// [`prepare`] left ending in its end marker, continued before it.
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
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(!resume)
            .open(&path)
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

/// Reads a packed plot's bytes from its archive, checking that a tar header of a member of
/// that length comes right before them.
pub fn read_member(file: &File, offset: u64, len: u64) -> std::io::Result<Vec<u8>> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    if offset < BLOCK || !offset.is_multiple_of(BLOCK) || offset + len > file.metadata()?.len() {
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

/// `extract`: writes a plot's bytes to `dir/relative` (under a temporary name, renamed into
/// place), making its subdirectory first.
pub fn write_out(dir: &Path, relative: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let path = dir.join(relative);
    std::fs::create_dir_all(crate::output::parent_or_dot(&path))?;
    crate::output::write_file(&path, bytes)
}

/// Whether `relative` (a member's or record's file name) stays inside the directory it is
/// written to: plain names only, no root, no `..`.
pub fn stays_inside(relative: &Path) -> bool {
    !relative.as_os_str().is_empty()
        && relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn plot_of(name: &[u8]) -> Option<u64> {
        std::str::from_utf8(name)
            .ok()?
            .strip_prefix("plot_")?
            .strip_suffix(".png")?
            .parse()
            .ok()
    }

    fn png(k: u64, len: usize) -> Vec<u8> {
        let mut data = b"\x89PNG\r\n\x1a\n".to_vec();
        data.extend((0..len).map(|i| (i as u64 * k) as u8));
        data.extend_from_slice(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xae, 0x42, 0x60, 0x82]);
        data
    }

    fn write_archive(dir: &Path, rank: u32, plots: &[u64]) -> Vec<Location> {
        let mut writer = ArchiveWriter::open(dir, rank, false, false).unwrap();
        plots
            .iter()
            .map(|&k| {
                writer
                    .append(&format!("plot_{k}.png"), &png(k, 1000 + k as usize))
                    .unwrap()
            })
            .collect()
    }

    #[test]
    fn archive_names_round_trip() {
        assert_eq!(archive_name(7), "plots-0007.tar");
        assert_eq!(archive_rank("plots-0007.tar"), Some(7));
        assert_eq!(archive_rank("plots-12345.tar"), Some(12345));
        for other in [
            "plots-7.tar",
            "plots-0007.tar.x",
            "plots-00a7.tar",
            "plots-00007.tar",
        ] {
            assert_eq!(archive_rank(other), None, "{other}");
        }
    }

    #[test]
    fn pax_records_count_their_own_length() {
        let r = pax_record("path", "abc");
        assert_eq!(r, b"12 path=abc\n");
        let long = "x".repeat(200);
        let r = pax_record("path", &long);
        let text = String::from_utf8(r.clone()).unwrap();
        let n: usize = text.split(' ').next().unwrap().parse().unwrap();
        assert_eq!(n, r.len());
    }

    #[test]
    fn members_read_back_with_their_places() {
        let dir = tempfile::tempdir().unwrap();
        let locations = write_archive(dir.path(), 3, &[5, 6, 7]);
        let path = dir.path().join("plots-0003.tar");
        let scan = scan(&path, &plot_of).unwrap();
        assert_eq!(scan.members.len(), 3);
        for (m, (loc, k)) in scan.members.iter().zip(locations.iter().zip([5, 6, 7])) {
            assert_eq!((m.plot, m.offset, m.size), (Some(k), loc.offset, loc.len));
            let file = File::open(&path).unwrap();
            assert_eq!(
                read_member(&file, loc.offset, loc.len).unwrap(),
                png(k, 1000 + k as usize)
            );
        }
        assert!(ends_with_marker(&path, scan.len));
        let file = File::open(&path).unwrap();
        assert!(read_member(&file, locations[0].offset + 512, 10).is_err());
    }

    #[test]
    fn long_names_go_in_a_pax_header() {
        let dir = tempfile::tempdir().unwrap();
        let name = format!("0001/{}.png", "n".repeat(150));
        let mut writer = ArchiveWriter::open(dir.path(), 0, false, false).unwrap();
        let loc = writer.append(&name, b"abc").unwrap();
        let path = dir.path().join("plots-0000.tar");
        let scan = scan(&path, &|n: &[u8]| (n == name.as_bytes()).then_some(1)).unwrap();
        assert_eq!(scan.members[0].plot, Some(1));
        assert_eq!(scan.members[0].offset, loc.offset);
        // Python's tarfile agrees, when it is there.
        let listed = Command::new("python3")
            .args([
                "-c",
                "import sys,tarfile; print(tarfile.open(sys.argv[1]).getnames()[0])",
            ])
            .arg(&path)
            .output();
        if let Some(out) = listed.ok().filter(|o| o.status.success()) {
            assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), name);
        }
    }

    #[test]
    fn a_cut_archive_is_cut_back_to_its_last_whole_member_and_resumed_identically() {
        let whole = tempfile::tempdir().unwrap();
        write_archive(whole.path(), 0, &[1, 2, 3, 4]);
        let expected = std::fs::read(whole.path().join("plots-0000.tar")).unwrap();

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plots-0000.tar");
        // Killed in the middle of plot 3's member, and so on at every byte of it.
        let len3 = write_archive(dir.path(), 0, &[1, 2, 3])[2];
        let cut_points = [
            len3.offset - 512,
            len3.offset - 100,
            len3.offset,
            len3.offset + 7,
            len3.offset + len3.len - 1,
        ];
        for cut in cut_points {
            write_archive(dir.path(), 0, &[1, 2, 3]);
            let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
            file.set_len(cut).unwrap();
            let prepared = prepare(dir.path(), true, "png", &plot_of).unwrap();
            assert_eq!(prepared.cut, 1);
            let index = prepared.index.unwrap();
            assert!(
                index.find(2).is_some() && index.find(3).is_none(),
                "cut at {cut}"
            );
            let packed = index.packed(4);
            assert!(packed.contains(2) && !packed.contains(3) && !packed.contains(9));
            let mut writer = ArchiveWriter::open(dir.path(), 0, true, false).unwrap();
            for k in [3, 4] {
                writer
                    .append(&format!("plot_{k}.png"), &png(k, 1000 + k as usize))
                    .unwrap();
            }
            assert!(std::fs::read(&path).unwrap() == expected, "cut at {cut}");
        }
        // A member of zeros (a node that crashed before its data reached the disk) goes too.
        write_archive(dir.path(), 0, &[1, 2, 3]);
        let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        file.write_all_at(&[0; 64], len3.offset + len3.len - 64)
            .unwrap();
        let prepared = prepare(dir.path(), true, "png", &plot_of).unwrap();
        assert_eq!(prepared.cut, 1);
        assert!(prepared.index.unwrap().find(3).is_none());
        // A whole archive is left alone.
        assert_eq!(prepare(dir.path(), true, "png", &plot_of).unwrap().cut, 0);
        // A fresh run removes the archives.
        let prepared = prepare(dir.path(), false, "png", &plot_of).unwrap();
        assert!(prepared.cut == 0 && prepared.index.is_none());
        assert!(!path.exists());
    }

    #[test]
    fn the_index_finds_plots_in_any_archive() {
        let dir = tempfile::tempdir().unwrap();
        let a = write_archive(dir.path(), 0, &[1, 4]);
        let b = write_archive(dir.path(), 1, &[2, 3]);
        let index = prepare(dir.path(), true, "png", &plot_of)
            .unwrap()
            .index
            .unwrap();
        assert_eq!(index.find(4), Some(a[1]));
        assert_eq!(index.find(2), Some(b[0]));
        assert_eq!(index.find(5), None);
        assert_eq!(b[0].archive, 1);
    }

    #[test]
    fn only_plain_relative_names_stay_inside() {
        assert!(stays_inside(Path::new("0001/plot_1.png")));
        for bad in ["", "/etc/passwd", "../x", "a/../../x", "./x"] {
            assert!(!stays_inside(Path::new(bad)), "{bad}");
        }
    }
}
