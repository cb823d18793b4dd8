//! Packed output (`--pack`): each rank appends its plots to its own POSIX tar archive,
//! `DIR/plots-RRRR.tar`, so a million plots are as many files as ranks. Part of the output
//! side with the rest of `output`: nothing else creates, cuts or removes archives.
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

mod resume;
mod tar;
mod writer;

pub use resume::{prepare, resolver, PrepareError, Prepared, Resolver};
pub use tar::{member, open_archive, read_member, scan, Member, Scan};
pub use writer::ArchiveWriter;

use super::names::archive_rank;
pub use super::names::{archive_name, is_archive};

use std::path::{Component, Path, PathBuf};

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
    use super::tar::{ends_with_marker, pax_record};
    use super::*;
    use std::fs::File;
    use std::os::unix::fs::FileExt;
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

    /// A header that passes its checksum and says its member is `size` bytes long (GNU
    /// base-256 where octal cannot hold it), as a damaged or hostile archive may.
    fn header_of_size(name: &str, size: u64) -> [u8; 512] {
        let mut header = ::tar::Header::new_gnu();
        header.set_path(name).unwrap();
        header.set_size(size);
        header.set_entry_type(::tar::EntryType::Regular);
        header.set_cksum();
        *header.as_bytes()
    }

    #[test]
    fn a_member_size_near_two_to_the_64_ends_the_scan_instead_of_wrapping() {
        let dir = tempfile::tempdir().unwrap();
        write_archive(dir.path(), 0, &[1]);
        let path = dir.path().join(archive_name(0));
        let whole = std::fs::metadata(&path).unwrap().len();
        // Over the end marker: a member whose padded size wraps the offset back to itself.
        let end_of_members = whole - 1024;
        let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        let hostile = header_of_size("plot_2.png", u64::MAX - 511);
        file.write_all_at(&hostile, end_of_members).unwrap();
        let scan = scan(&path, &plot_of).unwrap();
        assert_eq!(
            scan.members.len(),
            1,
            "the member before it, and nothing more"
        );
        let prepared = prepare(dir.path(), true, "png", &plot_of).unwrap();
        assert_eq!(prepared.cut, 1, "cut back to the last whole member");
    }

    #[test]
    fn resume_never_cuts_back_an_archive_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        write_archive(outside.path(), 0, &[1]);
        let target = outside.path().join(archive_name(0));
        // A partial member at the end: what --resume would cut away from an archive of ours.
        let mut bytes = std::fs::read(&target).unwrap();
        bytes.extend_from_slice(&[7; 700]);
        std::fs::write(&target, &bytes).unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join(archive_name(0))).unwrap();
        let e = prepare(dir.path(), true, "png", &plot_of)
            .unwrap_err()
            .to_string();
        assert!(e.contains("symbolic link"), "{e}");
        assert_eq!(
            std::fs::read(&target).unwrap(),
            bytes,
            "the link's target is untouched"
        );
        let writer = ArchiveWriter::open(dir.path(), 0, true, false);
        assert!(writer.is_err(), "nor appended to through the link");
        assert_eq!(std::fs::read(&target).unwrap(), bytes);
    }

    #[test]
    fn a_record_offset_and_length_that_wrap_around_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let places = write_archive(dir.path(), 0, &[1]);
        let file = File::open(dir.path().join(archive_name(0))).unwrap();
        for len in [u64::MAX, u64::MAX - places[0].offset + 1] {
            let e = read_member(&file, places[0].offset, len).unwrap_err();
            assert_eq!(e.kind(), std::io::ErrorKind::InvalidData, "{len}: {e}");
        }
        assert_eq!(
            read_member(&file, places[0].offset, places[0].len).unwrap(),
            png(1, 1001)
        );
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
