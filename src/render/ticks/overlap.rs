//! Where plotrand-mpi departs from matplotlib: tick labels never overlap. Neighbouring x
//! labels keep half an em between them, y labels a line apart; the entry points in mod.rs
//! try sparser locators until they do.

use super::Tick;
use crate::render::text::{em_px, label_width_px, LINE_HEIGHT_EM};

/// Emptiest gap allowed between neighbouring x labels, in em.
const MIN_X_GAP_EM: f64 = 0.5;

/// Whether no two neighbouring labels collide: x labels keep half an em between them, y labels
/// are at least a line apart.
pub fn fits(ticks: &[Tick], lo: f64, hi: f64, axis_len_px: f64, vertical: bool) -> bool {
    ticks
        .windows(2)
        .all(|pair| apart(&pair[0], &pair[1], lo, hi, axis_len_px, vertical))
}

fn apart(a: &Tick, b: &Tick, lo: f64, hi: f64, axis_len_px: f64, vertical: bool) -> bool {
    let em = em_px();
    let distance = ((b.value - a.value) / (hi - lo) * axis_len_px).abs();
    if vertical {
        distance >= LINE_HEIGHT_EM * em
    } else {
        let half_widths = (label_width_px(&a.label, em) + label_width_px(&b.label, em)) / 2.0;
        distance - half_widths >= MIN_X_GAP_EM * em
    }
}

/// Last resort on axes too short for any locator choice: drop labels that would touch the one
/// kept before them.
pub fn thin(ticks: Vec<Tick>, lo: f64, hi: f64, axis_len_px: f64, vertical: bool) -> Vec<Tick> {
    let mut kept: Vec<Tick> = Vec::new();
    for t in ticks {
        let clear = kept
            .last()
            .is_none_or(|k| apart(k, &t, lo, hi, axis_len_px, vertical));
        if clear {
            kept.push(t);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, x, SplitMix};
    use super::super::{dates, dates_styled, linear, linear_with_bins, DateStyle};
    use super::*;
    use crate::calendar::Calendar;

    #[test]
    fn wide_labels_get_fewer_ticks() {
        // matplotlib puts nine "100000" labels (54 px each) 56 px apart; with 8 bins the step
        // becomes 200000 and they clear each other.
        check("1e5 x", x);
        // The 9-bin answer is still matplotlib's.
        check("60000.0..940000.0 in 9 bins", |lo, hi| {
            linear_with_bins(lo, hi, 9)
        });
    }

    #[test]
    fn labels_never_overlap() {
        let mut rng = SplitMix(7);
        for _ in 0..5_000 {
            let lo = (rng.uniform() - 0.5) * 10f64.powi((rng.uniform() * 40.0) as i32 - 20);
            let width =
                rng.uniform() * 10f64.powi((rng.uniform() * 40.0) as i32 - 20) + lo.abs() * 1e-12;
            let len = 30.0 + rng.uniform() * 600.0;
            for vertical in [false, true] {
                let t = linear(lo, lo + width, len, vertical);
                assert!(
                    fits(&t.ticks, lo, lo + width, len, vertical),
                    "{lo} {width} {t:?}"
                );
                assert!(!t.ticks.is_empty(), "{lo} {width} {len}");
            }
        }
    }

    #[test]
    fn date_labels_never_overlap() {
        // The Gregorian styles, and nc-time-axis' in a calendar drawn for each view.
        let cftime = [
            Calendar::NoLeap,
            Calendar::AllLeap,
            Calendar::Day360,
            Calendar::Julian,
            Calendar::Standard,
        ];
        let mut rng = SplitMix(11);
        for _ in 0..3_000 {
            let lo = (rng.uniform() - 0.5) * 4e9;
            let width = 10f64.powf(rng.uniform() * 11.0 - 1.0);
            let len = 40.0 + rng.uniform() * 600.0;
            let other = cftime[(rng.uniform() * cftime.len() as f64) as usize % cftime.len()];
            for vertical in [false, true] {
                for (style, calendar) in [
                    (DateStyle::Concise, Calendar::ProlepticGregorian),
                    (DateStyle::Auto, Calendar::ProlepticGregorian),
                    (DateStyle::CfTime, other),
                ] {
                    let t = dates_styled(lo, lo + width, len, vertical, style, calendar);
                    assert!(!t.ticks.is_empty(), "{lo} {width} {len}");
                    assert!(
                        fits(&t.ticks, lo, lo + width, len, vertical),
                        "{lo} {width} {len} {t:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn tiny_axes_still_get_a_label_and_no_collisions() {
        // 20 px cannot hold two "0.0" labels half an em apart: one is kept.
        let t = linear(-0.05, 1.05, 20.0, false);
        assert!(!t.ticks.is_empty());
        assert!(fits(&t.ticks, -0.05, 1.05, 20.0, false), "{t:?}");
        let t = dates(945108000.0, 979797600.0, 30.0, false, Calendar::Standard);
        assert!(!t.ticks.is_empty());
        assert!(
            fits(&t.ticks, 945108000.0, 979797600.0, 30.0, false),
            "{t:?}"
        );
    }
}
