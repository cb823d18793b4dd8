//! Everything that crosses MPI, byte for byte: `PlotResult` as an MPI datatype, the plan and
//! seed every rank agrees on, and the per-plot texts (failure reasons, notes) that travel to
//! rank 0. `comm` moves these; nothing else knows their layout.

use crate::plan::{Agreement, Kind, Pick, Plan, PlanObject, PlotResult};
use crate::text::escape_controls;
use mpi::datatype::{UncommittedDatatypeRef, UserDatatype};
use mpi::traits::*;
use mpi::Address;
use std::collections::HashMap;
use std::fmt::Write;
use std::mem::offset_of;

// The datatype below lists every field; a new field must be added there too.
const _: () = assert!(std::mem::size_of::<PlotResult>() == 72);

// SAFETY: `PlotResult` is `repr(C)` and the datatype lists every field at its real offset.
unsafe impl Equivalence for PlotResult {
    type Out = UserDatatype;
    fn equivalent_datatype() -> Self::Out {
        UserDatatype::structured(
            &[1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
            &[
                offset_of!(PlotResult, plot_num) as Address,
                offset_of!(PlotResult, bytes) as Address,
                offset_of!(PlotResult, elapsed) as Address,
                offset_of!(PlotResult, dropped) as Address,
                offset_of!(PlotResult, offset) as Address,
                offset_of!(PlotResult, archive) as Address,
                offset_of!(PlotResult, range_lo) as Address,
                offset_of!(PlotResult, range_hi) as Address,
                offset_of!(PlotResult, rank) as Address,
                offset_of!(PlotResult, status) as Address,
            ],
            &[
                UncommittedDatatypeRef::from(u64::equivalent_datatype()),
                UncommittedDatatypeRef::from(u64::equivalent_datatype()),
                UncommittedDatatypeRef::from(f64::equivalent_datatype()),
                UncommittedDatatypeRef::from(u64::equivalent_datatype()),
                UncommittedDatatypeRef::from(u64::equivalent_datatype()),
                UncommittedDatatypeRef::from(i64::equivalent_datatype()),
                UncommittedDatatypeRef::from(f64::equivalent_datatype()),
                UncommittedDatatypeRef::from(f64::equivalent_datatype()),
                UncommittedDatatypeRef::from(i32::equivalent_datatype()),
                UncommittedDatatypeRef::from(i32::equivalent_datatype()),
            ],
        )
    }
}

/// The agreement on the wire: the seed, the start and the plot count as little-endian
/// `u64`s, a byte for the plan's kind, then for an input plan the object count (`u64`) and
/// for each object its path as a little-endian `u32` length and its UTF-8 bytes, its kind
/// (a byte), its frame shape (a `u32` length and `u64`s) and its picks (a `u32` length and
/// two `u64`s each). Never empty.
pub(super) fn encode_agreement(agreement: &Agreement) -> Vec<u8> {
    let plan = &agreement.plan;
    let mut out = Vec::new();
    out.extend_from_slice(&agreement.seed.to_le_bytes());
    out.extend_from_slice(&agreement.began_ns.to_le_bytes());
    out.extend_from_slice(&plan.num_plots().to_le_bytes());
    out.push(u8::from(matches!(plan, Plan::Input { .. })));
    if let Plan::Input { objects } = plan {
        out.extend_from_slice(&(objects.len() as u64).to_le_bytes());
        for object in objects {
            let len =
                u32::try_from(object.path.len()).expect("HDF5 paths are far shorter than 4 GiB");
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(object.path.as_bytes());
            out.push(kind_byte(object.kind));
            out.extend_from_slice(&(object.frame_shape.len() as u32).to_le_bytes());
            for n in &object.frame_shape {
                out.extend_from_slice(&n.to_le_bytes());
            }
            out.extend_from_slice(&(object.picks.len() as u32).to_le_bytes());
            for pick in &object.picks {
                out.extend_from_slice(&pick.start.to_le_bytes());
                out.extend_from_slice(&pick.step.to_le_bytes());
            }
        }
    }
    out
}

pub(super) fn kind_byte(kind: Kind) -> u8 {
    Kind::ALL
        .iter()
        .position(|&k| k == kind)
        .expect("every kind is in Kind::ALL") as u8
}

pub(super) fn decode_agreement(bytes: &[u8]) -> Agreement {
    let mut rest = bytes;
    let mut take = |n: usize| {
        let (head, tail) = rest.split_at(n);
        rest = tail;
        head
    };
    let number = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("8 bytes"));
    let length = |b: &[u8]| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize;
    let (seed, began_ns, num_plots) = (number(take(8)), number(take(8)), number(take(8)));
    let plan = if take(1)[0] == 0 {
        Plan::Random { num_plots }
    } else {
        let count = number(take(8));
        let objects = (0..count)
            .map(|_| {
                let len = length(take(4));
                let path =
                    String::from_utf8(take(len).to_vec()).expect("object paths were sent as UTF-8");
                let kind = Kind::ALL[usize::from(take(1)[0])];
                let dims = length(take(4));
                let frame_shape = (0..dims).map(|_| number(take(8))).collect();
                let picked = length(take(4));
                let picks = (0..picked)
                    .map(|_| Pick {
                        start: number(take(8)),
                        step: number(take(8)),
                    })
                    .collect();
                PlanObject {
                    path,
                    kind,
                    frame_shape,
                    picks,
                }
            })
            .collect::<Vec<PlanObject>>();
        Plan::Input {
            objects: objects.into(),
        }
    };
    Agreement {
        plan,
        seed,
        began_ns,
    }
}

/// Longest failure reason sent to rank 0, so one bad plot cannot flood the gather.
pub const MAX_REASON_BYTES: usize = 1024;

/// Reasons one rank sends at most (about 1 MiB); beyond, its failures are only counted,
/// so that a run where every plot fails (a full disk) cannot overflow MPI's int counts.
pub const MAX_REASONS_PER_RANK: usize = 1000;

/// Per-plot texts (failure reasons, notes) as `plot<TAB>text` lines: the first `MAX_REASONS_PER_RANK`, each cut
/// to `MAX_REASON_BYTES`.
pub fn encode_reasons<E: std::fmt::Display>(failures: &[(u64, E)]) -> Vec<u8> {
    let mut out = String::new();
    for (plot, reason) in failures.iter().take(MAX_REASONS_PER_RANK) {
        let one_line = reason.to_string().replace(['\n', '\r', '\t'], " ");
        let one_line = escape_controls(&one_line);
        let mut end = one_line.len().min(MAX_REASON_BYTES);
        while !one_line.is_char_boundary(end) {
            end -= 1;
        }
        let _ = writeln!(out, "{plot}\t{}", &one_line[..end]);
    }
    out.into_bytes()
}

pub fn decode_reasons(blobs: &[Vec<u8>]) -> HashMap<u64, String> {
    let mut reasons = HashMap::new();
    for blob in blobs {
        for line in String::from_utf8_lossy(blob).lines() {
            if let Some((plot, reason)) = line.split_once('\t') {
                if let Ok(plot) = plot.parse() {
                    reasons.insert(plot, reason.to_string());
                }
            }
        }
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_cross_the_wire_unchanged() {
        let plans = [
            Plan::Random { num_plots: 7 },
            Plan::Input {
                objects: ["/a", "", "/ü/\u{1}x"]
                    .into_iter()
                    .zip(Kind::ALL)
                    .enumerate()
                    .map(|(i, (path, kind))| PlanObject {
                        path: path.into(),
                        kind,
                        frame_shape: vec![3; i],
                        picks: vec![Pick { start: 2, step: 5 }; i.min(1)],
                    })
                    .collect::<Vec<_>>()
                    .into(),
            },
        ];
        for plan in plans {
            let agreement = Agreement {
                plan,
                seed: u64::MAX,
                began_ns: 1_764_000_000_123_456_789,
            };
            assert_eq!(decode_agreement(&encode_agreement(&agreement)), agreement);
        }
    }

    #[test]
    fn failure_reasons_round_trip_and_are_bounded() {
        let long = "é".repeat(MAX_REASON_BYTES);
        let blob = encode_reasons(&[(3, "line\nbreak".into()), (7, long)]);
        let back = decode_reasons(&[blob, Vec::new()]);
        assert_eq!(back[&3], "line break");
        assert!(back[&7].len() <= MAX_REASON_BYTES && back[&7].starts_with('é'));
    }

    #[test]
    fn a_rank_sends_a_bounded_number_of_reasons() {
        let many: Vec<(u64, String)> = (0..5000).map(|k| (k, "x".repeat(2000))).collect();
        let blob = encode_reasons(&many);
        assert!(blob.len() <= MAX_REASONS_PER_RANK * (MAX_REASON_BYTES + 8));
        assert_eq!(decode_reasons(&[blob]).len(), MAX_REASONS_PER_RANK);
    }
}
