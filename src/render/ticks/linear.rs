//! Linear axes as matplotlib's `AutoLocator` (`MaxNLocator(nbins='auto', steps=[1, 2, 2.5,
//! 5, 10])`) places ticks and `ScalarFormatter` labels them, with the default rcParams
//! (`axes.formatter.limits = (-5, 6)`, `useOffset = True`, `offset_threshold = 4`, no
//! mathtext, no locale, Unicode minus).

use super::python::{format_g, np_round, py_divmod, py_floordiv, py_pow10_int};
use super::{contains_close, Tick, Ticks};
use crate::render::text::{DPI, FONT_PT};

/// matplotlib's "auto" bins never exceed 9.
const MAX_BINS: usize = 9;
/// matplotlib's `axes.unicode_minus` replaces '-' with U+2212 in numeric labels.
const MINUS: &str = "\u{2212}";

/// matplotlib's `get_tick_space`: x labels need 3 em, y labels 2 em; then `np.clip(_, 1, 9)`.
pub fn auto_bins(axis_len_px: f64, vertical: bool) -> usize {
    let spacing_em = if vertical { 2.0 } else { 3.0 };
    let length_pt = axis_len_px * 72.0 / DPI;
    let space = (length_pt / (FONT_PT * spacing_em)).floor();
    if space.is_nan() || space < 1.0 {
        1
    } else {
        (space as usize).min(MAX_BINS)
    }
}

/// matplotlib's ticks and labels for exactly `bins` (≥ 1) intervals over `lo` ≤ `hi`.
pub fn ticks(lo: f64, hi: f64, bins: usize) -> Ticks {
    let locs = max_n_locs(lo, hi, bins);
    let format = ScalarFormat::new(&locs, lo, hi);
    let ticks = locs
        .iter()
        .filter(|&&v| contains_close(lo, hi, v))
        .map(|&v| Tick {
            value: v,
            label: format.label(v),
        })
        .collect();
    Ticks {
        ticks,
        offset_text: format.offset_text(),
    }
}

/// `transforms._nonsingular`: widen a zero-width or denormal range.
fn nonsingular(vmin: f64, vmax: f64, expander: f64, tiny: f64) -> (f64, f64) {
    if !(vmin.is_finite() && vmax.is_finite()) {
        return (-expander, expander);
    }
    let (mut vmin, mut vmax) = if vmax < vmin {
        (vmax, vmin)
    } else {
        (vmin, vmax)
    };
    let maxabs = vmin.abs().max(vmax.abs());
    if maxabs < (1e6 / tiny) * f64::MIN_POSITIVE {
        return (-expander, expander);
    }
    if vmax - vmin <= maxabs * tiny {
        if vmax == 0.0 && vmin == 0.0 {
            return (-expander, expander);
        }
        vmin -= expander * vmin.abs();
        vmax += expander * vmax.abs();
    }
    (vmin, vmax)
}

/// `ticker.scale_range`: the decade of a bin, and an offset when the range sits far from 0.
fn scale_range(vmin: f64, vmax: f64, bins: usize) -> (f64, f64) {
    let dv = (vmax - vmin).abs();
    let meanv = (vmax + vmin) / 2.0;
    let offset = if meanv.abs() / dv < 100.0 {
        0.0
    } else {
        10f64
            .powf(py_floordiv(meanv.abs().log10(), 1.0))
            .copysign(meanv)
    };
    let scale = 10f64.powf(py_floordiv((dv / bins as f64).log10(), 1.0));
    (scale, offset)
}

/// `ticker._Edge_integer`: multiples of a step, forgiving round-off that grows with the offset.
struct Edge {
    step: f64,
    /// The size of the offset only.
    offset: f64,
}

impl Edge {
    fn close_to(&self, ms: f64, edge: f64) -> bool {
        let tol = if self.offset > 0.0 {
            let digits = (self.offset / self.step).log10();
            1e-10f64.max(10f64.powf(digits - 12.0)).min(0.4999)
        } else {
            1e-10
        };
        (ms - edge).abs() < tol
    }

    /// The largest n with n·step ≤ x.
    fn le(&self, x: f64) -> f64 {
        let (d, m) = py_divmod(x, self.step);
        if self.close_to(m / self.step, 1.0) {
            d + 1.0
        } else {
            d
        }
    }

    /// The smallest n with n·step ≥ x.
    fn ge(&self, x: f64) -> f64 {
        let (d, m) = py_divmod(x, self.step);
        if self.close_to(m / self.step, 0.0) {
            d
        } else {
            d + 1.0
        }
    }
}

/// AutoLocator's steps: `MaxNLocator(steps=[1, 2, 2.5, 5, 10])`.
const AUTO_STEPS: [f64; 5] = [1.0, 2.0, 2.5, 5.0, 10.0];
/// A bare `MaxNLocator`'s steps (`steps=None`), as xarray's `levels=N` uses it.
const DEFAULT_STEPS: [f64; 10] = [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0];

/// `MaxNLocator._raw_ticks` after `tick_values`' `nonsingular`: every tick the locator returns,
/// including the ones just outside the view (the formatter sees those too).
pub(super) fn max_n_locs(vmin: f64, vmax: f64, bins: usize) -> Vec<f64> {
    max_n_locs_stepped(vmin, vmax, bins, &AUTO_STEPS)
}

/// `MaxNLocator(bins).tick_values(vmin, vmax)` with its default steps: xarray's boundaries for
/// `levels=bins + 1`, from the last multiple of a step at or below `vmin` to the first at or
/// above `vmax`.
pub fn default_max_n_locs(vmin: f64, vmax: f64, bins: usize) -> Vec<f64> {
    max_n_locs_stepped(vmin, vmax, bins.max(1), &DEFAULT_STEPS)
}

fn max_n_locs_stepped(vmin: f64, vmax: f64, bins: usize, steps: &[f64]) -> Vec<f64> {
    let (vmin, vmax) = nonsingular(vmin, vmax, 1e-13, 1e-14);
    let (scale, offset) = scale_range(vmin, vmax, bins);
    let (lo, hi) = (vmin - offset, vmax - offset);
    // `_staircase`: 0.1 × the steps but the last, the steps, 10 × the second; products
    // computed as numpy does.
    let last = steps.len() - 1;
    let staircase = steps[..last]
        .iter()
        .map(|s| 0.1 * s)
        .chain(steps.iter().copied())
        .chain([10.0 * steps[1]]);
    let steps: Vec<f64> = staircase.map(|s| s * scale).collect();
    let raw_step = (hi - lo) / bins as f64;
    let first_large = steps
        .iter()
        .position(|&s| s >= raw_step)
        .unwrap_or(steps.len() - 1);
    let mut ticks = Vec::new();
    for &step in steps[..=first_large].iter().rev() {
        ticks = multiples_spanning(lo, hi, step, offset);
        let inside = ticks.iter().filter(|&&t| lo <= t && t <= hi).count();
        if inside >= 2 {
            break;
        }
    }
    ticks.iter().map(|t| t + offset).collect()
}

/// Ticks at the given locations (a `FixedLocator`'s), labelled by `ScalarFormatter` for the
/// view `lo..hi`: those in view.
pub fn fixed(locs: &[f64], lo: f64, hi: f64) -> Ticks {
    let format = ScalarFormat::new(locs, lo, hi);
    Ticks {
        ticks: locs
            .iter()
            .filter(|&&v| contains_close(lo, hi, v))
            .map(|&v| Tick {
                value: v,
                label: format.label(v),
            })
            .collect(),
        offset_text: format.offset_text(),
    }
}

/// Multiples of `step` from the last one at or below `lo` to the first at or above `hi`.
fn multiples_spanning(lo: f64, hi: f64, step: f64, offset: f64) -> Vec<f64> {
    let best_vmin = py_floordiv(lo, step) * step;
    let edge = Edge {
        step,
        offset: offset.abs(),
    };
    let (low, high) = (edge.le(lo - best_vmin), edge.ge(hi - best_vmin));
    // Far more than matplotlib's 1000-tick warning: only a broken range gets here.
    if !(low.is_finite() && high.is_finite()) || high - low > 10_000.0 {
        return Vec::new();
    }
    let mut ticks = Vec::new();
    let mut k = low;
    while k <= high {
        ticks.push(k * step + best_vmin);
        k += 1.0;
    }
    ticks
}

/// `ScalarFormatter`'s state after `set_locs`: an additive offset, a power of ten and the
/// number of decimals shared by all labels.
struct ScalarFormat {
    offset: f64,
    order: i32,
    decimals: usize,
}

impl ScalarFormat {
    fn new(locs: &[f64], vmin: f64, vmax: f64) -> ScalarFormat {
        let (vmin, vmax) = if vmin <= vmax {
            (vmin, vmax)
        } else {
            (vmax, vmin)
        };
        let visible: Vec<f64> = locs
            .iter()
            .copied()
            .filter(|&l| vmin <= l && l <= vmax)
            .collect();
        let offset = compute_offset(&visible);
        let order = order_of_magnitude(&visible, offset, vmax - vmin);
        let decimals = decimals(locs, offset, order, (vmin, vmax));
        ScalarFormat {
            offset,
            order,
            decimals,
        }
    }

    fn label(&self, x: f64) -> String {
        let mut xp = (x - self.offset) / 10f64.powf(f64::from(self.order));
        if xp.abs() < 1e-8 {
            xp = 0.0;
        }
        fix_minus(&format!("{:.*}", self.decimals, xp))
    }

    /// `get_offset`: "1e9", "+1.7e9", "1e−9+1", or nothing.
    fn offset_text(&self) -> Option<String> {
        if self.order == 0 && self.offset == 0.0 {
            return None;
        }
        let mut text = String::new();
        if self.order != 0 {
            text.push_str(&format!("1e{}", self.order));
        }
        if self.offset != 0.0 {
            if self.offset > 0.0 {
                text.push('+');
            }
            text.push_str(&format_data(self.offset));
        }
        Some(fix_minus(&text))
    }
}

fn fix_minus(s: &str) -> String {
    s.replace('-', MINUS)
}

/// `ScalarFormatter._compute_offset`: subtract a round number when all visible ticks share
/// their leading digits, provided that saves at least `offset_threshold` (4) digits.
fn compute_offset(visible: &[f64]) -> f64 {
    let Some((lmin, lmax)) = min_max(visible) else {
        return 0.0;
    };
    if lmin == lmax || (lmin <= 0.0 && 0.0 <= lmax) {
        return 0.0;
    }
    let (abs_min, abs_max) = if lmin.abs() <= lmax.abs() {
        (lmin.abs(), lmax.abs())
    } else {
        (lmax.abs(), lmin.abs())
    };
    let sign = 1f64.copysign(lmin);
    let oom_max = abs_max.log10().ceil();
    let digits = |oom: f64| {
        let p = 10f64.powf(oom);
        (py_floordiv(abs_min, p), py_floordiv(abs_max, p))
    };
    let Some(mut oom) = first_oom_down(oom_max, |o| {
        let (a, b) = digits(o);
        a != b
    }) else {
        return 0.0;
    };
    oom += 1.0;
    if (abs_max - abs_min) / 10f64.powf(oom) <= 1e-2 {
        // Straddling a multiple of a large power of ten: look for where they differ by > 1.
        match first_oom_down(oom_max, |o| {
            let (a, b) = digits(o);
            b - a > 1.0
        }) {
            Some(o) => oom = o + 1.0,
            None => return 0.0,
        }
    }
    let p = 10f64.powf(oom);
    let lead = py_floordiv(abs_max, p);
    if lead >= 1000.0 {
        sign * lead * p
    } else {
        0.0
    }
}

/// `itertools.count(oom_max, -1)` until `found`, bounded where powers of ten underflow.
fn first_oom_down(oom_max: f64, found: impl Fn(f64) -> bool) -> Option<f64> {
    (0..700).map(|k| oom_max - f64::from(k)).find(|&o| found(o))
}

fn min_max(values: &[f64]) -> Option<(f64, f64)> {
    let first = *values.first()?;
    Some(
        values
            .iter()
            .fold((first, first), |(lo, hi), &v| (lo.min(v), hi.max(v))),
    )
}

/// `_set_order_of_magnitude` with the default power limits (-5, 6).
fn order_of_magnitude(visible: &[f64], offset: f64, view_range: f64) -> i32 {
    if visible.is_empty() {
        return 0;
    }
    let oom = if offset != 0.0 {
        view_range.log10().floor()
    } else {
        let val = visible.iter().fold(0f64, |m, v| m.max(v.abs()));
        if val == 0.0 {
            0.0
        } else {
            val.log10().floor()
        }
    };
    if oom <= -5.0 || oom >= 6.0 {
        oom as i32
    } else {
        0
    }
}

/// `_set_format`: the fewest decimals that print every tick (visible or not) within 1e-3 of
/// their spread.
fn decimals(locs: &[f64], offset: f64, order: i32, view: (f64, f64)) -> usize {
    let scale = 10f64.powf(f64::from(order));
    let scaled = |v: &f64| (v - offset) / scale;
    let mut values: Vec<f64> = locs.iter().map(scaled).collect();
    if locs.len() < 2 {
        values.extend([view.0, view.1].iter().map(scaled));
    }
    let Some((lo, hi)) = min_max(&values) else {
        return 0;
    };
    let mut range = hi - lo;
    if range == 0.0 {
        range = values.iter().fold(0f64, |m, v| m.max(v.abs()));
    }
    if range == 0.0 {
        range = 1.0;
    }
    if locs.len() < 2 {
        values.truncate(values.len() - 2);
    }
    let range_oom = range.log10().floor() as i32;
    let thresh = 1e-3 * py_pow10_int(range_oom);
    let mut sigfigs = (3 - range_oom).max(0);
    while sigfigs >= 0 {
        let worst = values
            .iter()
            .map(|&v| (v - np_round(v, sigfigs)).abs())
            .fold(0f64, |m, e| {
                if e.is_nan() || m.is_nan() {
                    f64::NAN
                } else {
                    m.max(e)
                }
            });
        if worst < thresh {
            sigfigs -= 1;
        } else {
            break;
        }
    }
    (sigfigs + 1).max(0) as usize
}

/// `ScalarFormatter.format_data`, used for the offset: "1.7e9", "2e3", "1".
fn format_data(value: f64) -> String {
    let e = value.abs().log10().floor() as i32;
    // The offset is a numpy float, so `round(_, 10)` is numpy's (scale, rint, unscale), which
    // can differ from Python's correctly rounded one: 1.44911311055 gives 1.4491131106.
    let s = np_round(value / py_pow10_int(e), 10);
    let significand = if s.rem_euclid(1.0) == 0.0 {
        format!("{}", s.trunc())
    } else {
        format_g(s, 10)
    };
    if e == 0 {
        significand
    } else {
        format!("{significand}e{e}")
    }
}

#[cfg(test)]
mod tests {
    //! Expected labels are matplotlib's: see tests/data/matplotlib_ticks.py for each case's
    //! view limits and axis.

    use super::super::testing::{check, x, y, SplitMix, X_LEN, Y_LEN};
    use super::super::{linear, linear_with_bins};
    use super::*;

    #[test]
    fn default_axes_match_matplotlib() {
        check("default x", x);
        check("default y", y);
    }

    #[test]
    fn default_axes_keep_the_current_pixels() {
        // layout.rs placed ticks at i·0.2; matplotlib's arange·step + start differs in the last
        // bit, which must not move any rounded pixel of the default plot.
        for (len, flip) in [(X_LEN, false), (Y_LEN, true)] {
            let t = linear(-0.05, 1.05, len, flip);
            assert_eq!(t.ticks.len(), 6);
            for (i, tick) in t.ticks.iter().enumerate() {
                let old = i as f64 * 0.2;
                let px = |v: f64| ((v + 0.05) / 1.1 * len).round();
                assert_eq!(px(tick.value), px(old), "{i}");
                assert!((tick.value - old).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn unix_times_get_an_additive_offset() {
        check("unix hour x", x);
        check("unix hour y", y);
    }

    #[test]
    fn milliseconds_on_a_billion_keep_two_decimals() {
        check("milliseconds on a billion x", x);
    }

    #[test]
    fn uint64_magnitudes_use_scientific_notation() {
        check("uint64 x", x);
        check("uint64 y", y);
    }

    #[test]
    fn tiny_values_use_a_negative_exponent_with_a_real_minus() {
        check("5e-11 y", y);
        check("5e-11 x", x);
        check("9e-5 x", x);
    }

    #[test]
    fn large_ranges_switch_to_scientific_at_a_million() {
        check("1e7 y", y);
        check("1e7 x", x);
        check("1e6 x", x);
    }

    #[test]
    fn negative_ranges_use_the_minus_sign() {
        check("negative x", x);
        check("negative y", y);
        check("negative 1e6 x", x);
        check("negative unix hour x", x);
    }

    #[test]
    fn ranges_crossing_zero_have_no_offset() {
        check("across zero x", x);
        check("across zero y", y);
    }

    #[test]
    fn a_tiny_range_around_one_combines_scale_and_offset() {
        check("around one x", x);
        check("around one y", y);
    }

    #[test]
    fn other_ordinary_ranges_match_matplotlib() {
        check("2000 x", x);
        check("1e-4 y", y);
        check("3 x", x);
        check("12345 x", x);
    }

    // -- ported from layout.rs (now with matplotlib's minus sign) -------------------------

    #[test]
    fn ticks_adapt_to_the_data_range() {
        let bins = |n| move |lo, hi| linear_with_bins(lo, hi, n);
        check("-0.5..10.5 in 9 bins", bins(9));
        check("0.0..1000.0 in 4 bins", bins(4));
        check("-1.2..1.2 in 9 bins", bins(9));
        check("0.0..0.01 in 5 bins", bins(5));
        check("0.0..0.01 in 4 bins", bins(4));
    }

    #[test]
    fn small_figures_get_fewer_ticks_but_at_least_two() {
        // 160×120 px figure: the axes are 124 × 92.4 px.
        let t = linear(-0.05, 1.05, 124.0, false);
        assert!((2..=3).contains(&t.ticks.len()), "{:?}", t.labels());
        assert!(linear(-0.05, 1.05, 92.4, true).ticks.len() >= 2);
        // 300×200 px: a 232.5 px x axis has room for 5 bins.
        check("small figure x", |lo, hi| linear(lo, hi, 232.5, false));
    }

    #[test]
    fn every_range_gets_at_least_two_ticks() {
        let mut rng = SplitMix(5);
        for _ in 0..20_000 {
            let lo = (rng.uniform() - 0.5) * 10f64.powi((rng.uniform() * 12.0) as i32 - 6);
            let width = rng.uniform() * 10f64.powi((rng.uniform() * 12.0) as i32 - 6) + 1e-12;
            let hi = lo + width;
            for bins in 1..=9 {
                let ticks = linear_with_bins(lo, hi, bins).ticks;
                assert!(ticks.len() >= 2, "[{lo}, {hi}] bins {bins}: {ticks:?}");
                assert!(ticks.len() <= bins + 2 + 10, "too many: {}", ticks.len());
                let slack = width * 1e-6;
                assert!(ticks
                    .iter()
                    .all(|t| t.value >= lo - slack && t.value <= hi + slack));
            }
        }
    }

    #[test]
    fn offsets_are_printed_as_format_data() {
        assert_eq!(format_data(1449113110.55), "1.449113111e9");
        assert_eq!(format_data(1.7e9), "1.7e9");
        assert_eq!(format_data(-2e-7), "-2e-7");
        assert_eq!(format_data(1.0), "1");
    }

    #[test]
    fn auto_bins_follow_matplotlibs_tick_space() {
        assert_eq!(auto_bins(X_LEN, false), 9);
        assert_eq!(auto_bins(Y_LEN, true), 9);
        assert_eq!(auto_bins(232.5, false), 5);
        assert_eq!(auto_bins(0.0, false), 1);
    }
}
