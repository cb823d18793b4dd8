//! `tar_scan`: raw bytes as rank 0's archive of a `--pack` run being resumed. The first byte
//! chooses the figure format (bits 0–1: what a whole plot file is), the run's plot count
//! (bits 2–3) and whether plots are in subdirectories (bit 7): together, which names are
//! plots. The rest is the archive.
//!
//! Beyond not crashing: an archive whose first member no rank wrote is refused and left as
//! it is; otherwise the scan finds only members inside the file, at block boundaries,
//! in order; `--resume` leaves the archive's bytes up to its last whole plot followed by the
//! end marker and nothing else; the scan of that archive finds exactly the members before
//! the cut; the index points inside it; and a second `--resume` finds nothing to cut.

use plotrand_mpi::{pack, Format, OutputDir, Plan};

/// The plot counts the first byte chooses from: they decide the names' zero padding.
const NUM_PLOTS: [u64; 4] = [2, 3, 10, 64];
const BLOCK: usize = 512;
const END_MARKER: [u8; 2 * BLOCK] = [0; 2 * BLOCK];

pub fn check(data: &[u8]) {
    let Some((&config, archive)) = data.split_first() else {
        return;
    };
    let format = Format::ALL[usize::from(config % 3)];
    let num_plots = NUM_PLOTS[usize::from((config >> 2) & 3)];
    let per_dir = (config & 0x80 != 0).then_some(8);
    let dir = super::work_dir();
    let path = dir.join(pack::archive_name(0));
    std::fs::write(&path, archive).unwrap();
    let plan = Plan::Random { num_plots };
    let out = OutputDir::new(&dir, &plan, format, per_dir, false, None, None);
    let resolve = pack::resolver(&out, &plan);

    let scan = pack::scan(&path, &*resolve).expect("an archive of ours scans");
    assert_eq!(scan.len, archive.len() as u64);
    let mut next = 0;
    for m in &scan.members {
        assert!(m.offset >= next + BLOCK as u64, "{m:?} after {next}");
        assert_eq!(m.offset % BLOCK as u64, 0, "{m:?}");
        assert!(m.offset.checked_add(m.size).unwrap() <= scan.len, "{m:?}");
        assert!(m.plot.is_none_or(|p| (1..=num_plots).contains(&p)), "{m:?}");
        next = m.offset + m.size;
    }

    let first = match pack::prepare(&dir, true, format.extension(), &*resolve) {
        Ok(first) => first,
        // An archive no rank made (its first member's metadata is not ours) is left alone.
        Err(e) => {
            assert!(matches!(e, pack::PrepareError::NotOurs { .. }), "{e}");
            assert!(
                std::fs::read(&path).unwrap() == archive,
                "refused, untouched"
            );
            return;
        }
    };
    let cut = std::fs::read(&path).unwrap();
    let end = cut.len() - END_MARKER.len();
    assert!(
        cut.len() >= END_MARKER.len() && cut[end..] == END_MARKER,
        "the archive ends with the end marker"
    );
    assert_eq!(end % BLOCK, 0);
    assert!(
        archive.len() >= end && cut[..end] == archive[..end],
        "cut back, never changed"
    );
    assert_eq!(first.cut, usize::from(cut != archive));

    // Those whose data (padded) ends before the cut: an empty member's data starts where
    // it ends, so one at the cut is kept too.
    let kept: Vec<pack::Member> = scan
        .members
        .iter()
        .take_while(|m| m.offset + m.size.div_ceil(BLOCK as u64) * BLOCK as u64 <= end as u64)
        .cloned()
        .collect();
    let rescan = pack::scan(&path, &*resolve).unwrap();
    assert_eq!(
        rescan.members, kept,
        "the members before the cut, as they were"
    );
    let index = first.index.expect("an index with --resume");
    for plot in kept.iter().filter_map(|m| m.plot) {
        let at = index.find(plot).expect("every kept plot indexed");
        assert!(
            at.archive == 0 && at.offset + at.len <= end as u64,
            "{at:?}"
        );
    }

    let second = pack::prepare(&dir, true, format.extension(), &*resolve).expect("prepared");
    assert_eq!(second.cut, 0, "a second --resume finds nothing to cut");
    assert_eq!(std::fs::read(&path).unwrap(), cut);
    assert_eq!(
        second.index.unwrap().packed(num_plots),
        index.packed(num_plots)
    );
}
