//! Tick positions and labels as matplotlib 3.x draws them, without matplotlib.
//!
//! Linear axes follow `AutoLocator` (`MaxNLocator(nbins='auto', steps=[1, 2, 2.5, 5, 10])`)
//! and `ScalarFormatter` with the default rcParams (`axes.formatter.limits = (-5, 6)`,
//! `useOffset = True`, `offset_threshold = 4`, no mathtext, no locale, Unicode minus). Time
//! axes follow `AutoDateLocator` (`minticks = 5`, `interval_multiples = True`) with either
//! `ConciseDateFormatter` (what xarray ≥ 2023.12 installs on datetime64 axes of line and
//! scatter plots) or `AutoDateFormatter` (matplotlib's own default).
//!
//! The floating-point steps mirror matplotlib's (Python/numpy floor division, `pow`, numpy's
//! `round`) so that labels agree to the character, offsets included. On top of matplotlib, labels
//! never overlap: when neighbours would collide, fewer ticks are tried.
//!
//! The unit tests' expected labels are matplotlib's, printed by tests/data/matplotlib_ticks.py
//! into tests/data/matplotlib_ticks.json.

use crate::calendar::{
    days_from_civil, strftime, Civil, US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND,
};

/// Figures are laid out at 100 dpi, as matplotlib's default figure.
const DPI: f64 = 100.0;
/// Tick label font size in points (matplotlib's `xtick.labelsize` "medium" = 10 pt).
const FONT_PT: f64 = 10.0;
/// matplotlib's "auto" bins never exceed 9.
const MAX_BINS: usize = 9;
/// Emptiest gap allowed between neighbouring x labels, in em.
const MIN_X_GAP_EM: f64 = 0.5;
/// A line of DejaVu Sans is about 1.2 em high; y labels closer than that overlap.
const LABEL_HEIGHT_EM: f64 = 1.2;
/// matplotlib's `axes.unicode_minus` replaces '-' with U+2212 in numeric labels.
const MINUS: &str = "\u{2212}";

#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub value: f64,
    pub label: String,
}

/// The ticks drawn inside the view and the text matplotlib puts at the axis end, if any.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ticks {
    pub ticks: Vec<Tick>,
    /// Same font as the tick labels. matplotlib sets an x axis' offset right-aligned on the
    /// axes' right edge with its top 3 pt below the lowest tick label, and a y axis' offset
    /// left-aligned on the axes' left edge with its baseline 3 pt above the axes' top.
    pub offset_text: Option<String>,
}

impl Ticks {
    pub fn labels(&self) -> Vec<&str> {
        self.ticks.iter().map(|t| t.label.as_str()).collect()
    }
}

/// One em of the tick label font, in pixels.
pub fn em_px() -> f64 {
    FONT_PT * DPI / 72.0
}

/// Width of `label` set in DejaVu Sans at `font_px` pixels per em, from the font's advance
/// widths (kerning ignored; matplotlib's Agg text differs by under a pixel for tick labels).
pub fn label_width_px(label: &str, font_px: f64) -> f64 {
    label.chars().map(advance_em).sum::<f64>() * font_px
}

/// DejaVu Sans advance widths in font units (2048 per em) for printable ASCII, from
/// matplotlib's bundled DejaVuSans.ttf.
const ASCII_ADVANCE: [u16; 95] = [
    651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651,
    690, // ' '../
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, // 0..9
    690, 690, 1716, 1716, 1716, 1087, 2048, // :;<=>?@
    1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532, 1612, 1235,
    1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, // A..Z
    799, 690, 799, 1716, 1024, 1024, // [\]^_`
    1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253, 1300,
    1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, // a..z
    1303, 690, 1303, 1716, // {|}~
];

fn advance_em(c: char) -> f64 {
    let units = match c {
        ' '..='~' => ASCII_ADVANCE[c as usize - ' ' as usize],
        '\u{2212}' => 1716,
        // Unknown glyphs: as wide as an em, so that the overlap check errs on the safe side.
        _ => 2048,
    };
    f64::from(units) / 2048.0
}

// ---------------------------------------------------------------------------------------------
// Linear axes
// ---------------------------------------------------------------------------------------------

/// Ticks for a linear axis showing [lo, hi] over `axis_len_px` pixels: matplotlib's choice,
/// or the nearest one with fewer bins whose labels do not overlap.
pub fn linear(lo: f64, hi: f64, axis_len_px: f64, vertical: bool) -> Ticks {
    if !(lo.is_finite() && hi.is_finite()) {
        return Ticks::default();
    }
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    let most = auto_bins(axis_len_px, vertical);
    for bins in (1..=most).rev() {
        let ticks = linear_with_bins(lo, hi, bins);
        if fits(&ticks.ticks, lo, hi, axis_len_px, vertical) {
            return ticks;
        }
    }
    let mut ticks = linear_with_bins(lo, hi, 1);
    ticks.ticks = thin(ticks.ticks, lo, hi, axis_len_px, vertical);
    ticks
}

/// matplotlib's `get_tick_space`: x labels need 3 em, y labels 2 em; then `np.clip(_, 1, 9)`.
fn auto_bins(axis_len_px: f64, vertical: bool) -> usize {
    let spacing_em = if vertical { 2.0 } else { 3.0 };
    let length_pt = axis_len_px * 72.0 / DPI;
    let space = (length_pt / (FONT_PT * spacing_em)).floor();
    if space.is_nan() || space < 1.0 {
        1
    } else {
        (space as usize).min(MAX_BINS)
    }
}

/// matplotlib's ticks and labels for exactly `bins` intervals (no overlap check).
pub fn linear_with_bins(lo: f64, hi: f64, bins: usize) -> Ticks {
    if !(lo.is_finite() && hi.is_finite()) {
        return Ticks::default();
    }
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    let locs = max_n_locs(lo, hi, bins.max(1));
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

/// `_interval_contains_close`: the axis draws ticks up to 1e-10 of the range outside the view.
fn contains_close(lo: f64, hi: f64, v: f64) -> bool {
    let slack = (hi - lo) * 1e-10;
    lo - slack <= v && v <= hi + slack
}

/// Python's (and numpy's) float `divmod`: quotient floored, remainder with the divisor's sign.
fn py_divmod(a: f64, b: f64) -> (f64, f64) {
    let mut rem = a % b;
    let mut div = (a - rem) / b;
    if rem != 0.0 {
        if (b < 0.0) != (rem < 0.0) {
            rem += b;
            div -= 1.0;
        }
    } else {
        rem = 0f64.copysign(b);
    }
    let quotient = if div != 0.0 {
        let floored = div.floor();
        if div - floored > 0.5 {
            floored + 1.0
        } else {
            floored
        }
    } else {
        0f64.copysign(a / b)
    };
    (quotient, rem)
}

fn py_floordiv(a: f64, b: f64) -> f64 {
    py_divmod(a, b).0
}

/// `10 ** e` for a Python int `e`: exact (then rounded once) for e ≥ 0, C `pow` below.
fn py_pow10_int(e: i32) -> f64 {
    if e >= 0 {
        format!("1e{e}").parse().unwrap_or(f64::INFINITY)
    } else {
        10f64.powf(f64::from(e))
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

/// `MaxNLocator._raw_ticks` after `tick_values`' `nonsingular`: every tick the locator returns,
/// including the ones just outside the view (the formatter sees those too).
fn max_n_locs(vmin: f64, vmax: f64, bins: usize) -> Vec<f64> {
    let (vmin, vmax) = nonsingular(vmin, vmax, 1e-13, 1e-14);
    let (scale, offset) = scale_range(vmin, vmax, bins);
    let (lo, hi) = (vmin - offset, vmax - offset);
    // `_staircase([1, 2, 2.5, 5, 10])`, products computed as numpy does.
    let staircase = [
        0.1 * 1.0,
        0.1 * 2.0,
        0.1 * 2.5,
        0.1 * 5.0,
        1.0,
        2.0,
        2.5,
        5.0,
        10.0,
        20.0,
    ];
    let steps = staircase.map(|s| s * scale);
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

/// numpy's `round(x, decimals)` for decimals ≥ 0: scale, round half to even, unscale.
fn np_round(x: f64, decimals: i32) -> f64 {
    let f = np_power_of_ten(decimals);
    (x * f).round_ties_even() / f
}

/// numpy's `power_of_ten`: a table to 1e8, then repeated multiplication.
fn np_power_of_ten(n: i32) -> f64 {
    const P10: [f64; 9] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];
    if n < 9 {
        return P10[n.max(0) as usize];
    }
    let mut ret = 1e9;
    for _ in 9..n {
        ret *= 10.0;
    }
    ret
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

/// printf's `%.{precision}g`.
fn format_g(x: f64, precision: usize) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let p = precision.max(1);
    let sci = format!("{:.*e}", p - 1, x);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if exp < -4 || exp >= p as i32 {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", strip_zeros(mantissa), exp.abs())
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        strip_zeros(&format!("{x:.decimals$}")).to_string()
    }
}

fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

// ---------------------------------------------------------------------------------------------
// Overlap
// ---------------------------------------------------------------------------------------------

/// Whether no two neighbouring labels collide: x labels keep half an em between them, y labels
/// are at least a line apart.
fn fits(ticks: &[Tick], lo: f64, hi: f64, axis_len_px: f64, vertical: bool) -> bool {
    ticks
        .windows(2)
        .all(|pair| apart(&pair[0], &pair[1], lo, hi, axis_len_px, vertical))
}

fn apart(a: &Tick, b: &Tick, lo: f64, hi: f64, axis_len_px: f64, vertical: bool) -> bool {
    let em = em_px();
    let distance = ((b.value - a.value) / (hi - lo) * axis_len_px).abs();
    if vertical {
        distance >= LABEL_HEIGHT_EM * em
    } else {
        let half_widths = (label_width_px(&a.label, em) + label_width_px(&b.label, em)) / 2.0;
        distance - half_widths >= MIN_X_GAP_EM * em
    }
}

/// Last resort on axes too short for any locator choice: drop labels that would touch the one
/// kept before them.
fn thin(ticks: Vec<Tick>, lo: f64, hi: f64, axis_len_px: f64, vertical: bool) -> Vec<Tick> {
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

// ---------------------------------------------------------------------------------------------
// Times of date axes
// ---------------------------------------------------------------------------------------------

/// Whole microseconds since 1970, or None more than about 7900 years away, which keeps all
/// the calendar arithmetic far from i64 overflow (matplotlib itself stops at years 1 and 9999).
fn seconds_to_us(seconds: f64) -> Option<i64> {
    let us = (seconds * 1e6).round();
    (us.is_finite() && us.abs() < 2.5e17).then_some(us as i64)
}

/// matplotlib's `num2date`: to the microsecond, and to 20 µs more than 70 years from 1970,
/// which is what it does to hide the round-off of float days.
fn num2date(us: i64) -> Civil {
    let c = Civil::from_us(us);
    if (us as f64 / US_PER_DAY as f64).abs() <= 70.0 * 365.0 {
        return c;
    }
    let micro = ((f64::from(c.micro) / 20.0).round_ties_even() * 20.0) as i64;
    Civil::from_us(us - i64::from(c.micro) + micro)
}

// ---------------------------------------------------------------------------------------------
// Date axes
// ---------------------------------------------------------------------------------------------

/// AutoDateLocator's frequencies, coarsest first (the order of its `_freqs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Freq {
    Yearly,
    Monthly,
    Daily,
    Hourly,
    Minutely,
    Secondly,
    Microsecondly,
}

const FREQS: [Freq; 7] = [
    Freq::Yearly,
    Freq::Monthly,
    Freq::Daily,
    Freq::Hourly,
    Freq::Minutely,
    Freq::Secondly,
    Freq::Microsecondly,
];

/// AutoDateLocator's default `minticks`.
const MIN_TICKS: i64 = 5;

impl Freq {
    /// `intervald`, with DAILY's 3 and 21 replaced as `interval_multiples=True` does.
    fn intervals(self) -> &'static [i64] {
        match self {
            Freq::Yearly => &[
                1, 2, 4, 5, 10, 20, 40, 50, 100, 200, 400, 500, 1000, 2000, 4000, 5000, 10000,
            ],
            Freq::Monthly => &[1, 2, 3, 4, 6],
            Freq::Daily => &[1, 2, 4, 7, 14],
            Freq::Hourly => &[1, 2, 3, 4, 6, 12],
            Freq::Minutely | Freq::Secondly => &[1, 5, 10, 15, 30],
            Freq::Microsecondly => &[
                1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000,
                200000, 500000, 1000000,
            ],
        }
    }

    fn max_ticks(self) -> i64 {
        match self {
            Freq::Monthly | Freq::Hourly => 12,
            Freq::Microsecondly => 8,
            _ => 11,
        }
    }

    /// `AutoDateFormatter`'s format for a locator of this unit (rcParams `date.autoformatter.*`).
    fn auto_format(self) -> &'static str {
        match self {
            Freq::Yearly => "%Y",
            Freq::Monthly => "%Y-%m",
            Freq::Daily => "%Y-%m-%d",
            Freq::Hourly => "%m-%d %H",
            Freq::Minutely => "%d %H:%M",
            Freq::Secondly => "%H:%M:%S",
            Freq::Microsecondly => "%M:%S.%f",
        }
    }

    /// The size of one step of the rrule for the sub-yearly, sub-monthly frequencies.
    fn unit_us(self) -> i64 {
        match self {
            Freq::Daily => US_PER_DAY,
            Freq::Hourly => US_PER_HOUR,
            Freq::Minutely => US_PER_MINUTE,
            _ => US_PER_SECOND,
        }
    }
}

/// One locator AutoDateLocator can build: a frequency, its interval, and the unit whose
/// format AutoDateFormatter picks (matplotlib keeps YEARLY's when no frequency fits).
#[derive(Debug, Clone, Copy, PartialEq)]
struct DateLocator {
    freq: Freq,
    interval: i64,
    format_unit: Freq,
}

/// How many whole years, months, days, hours, minutes, seconds and microseconds the view
/// spans, counted as AutoDateLocator does (relativedelta for years and months).
fn span_counts(dmin: Civil, dmax: Civil) -> [i64; 7] {
    let (a, b) = (dmin.to_us(), dmax.to_us());
    let mut months = (dmax.year - dmin.year) * 12 + i64::from(dmax.month) - i64::from(dmin.month);
    while dmin.plus_months(months).to_us() > b {
        months -= 1;
    }
    let total_us = b - a;
    let total_s = total_us.div_euclid(US_PER_SECOND);
    let days = total_us.div_euclid(US_PER_DAY);
    [
        months / 12,
        months,
        days,
        total_s.div_euclid(3600),
        total_s.div_euclid(60),
        total_s,
        total_us,
    ]
}

/// `AutoDateLocator.get_locator`: the first frequency spanning at least `minticks` units, with
/// the first interval giving no more than its `maxticks`.
fn auto_date_locator(counts: &[i64; 7]) -> DateLocator {
    for (freq, &num) in FREQS.iter().zip(counts) {
        if num < MIN_TICKS {
            continue;
        }
        let intervals = freq.intervals();
        let interval = intervals
            .iter()
            .copied()
            .find(|&iv| num <= iv * (freq.max_ticks() - 1))
            .unwrap_or(intervals[intervals.len() - 1]);
        return DateLocator {
            freq: *freq,
            interval,
            format_unit: *freq,
        };
    }
    DateLocator {
        freq: Freq::Microsecondly,
        interval: 1,
        format_unit: Freq::Yearly,
    }
}

/// matplotlib's pick, then ever sparser ones: larger intervals of the same frequency, then
/// coarser frequencies.
fn sparser_locators(first: DateLocator) -> Vec<DateLocator> {
    let mut out = vec![first];
    for freq in FREQS.iter().rev().filter(|f| **f <= first.freq) {
        for &interval in freq.intervals() {
            if *freq == first.freq && interval <= first.interval {
                continue;
            }
            out.push(DateLocator {
                freq: *freq,
                interval,
                format_unit: *freq,
            });
        }
    }
    out
}

/// The values (with `interval_multiples`) a sub-yearly field must take: every interval-th
/// month, day of month, hour, ...; 7- and 14-day steps restart each month.
fn allowed(freq: Freq, interval: i64, value: u32) -> bool {
    let v = i64::from(value);
    match (freq, interval) {
        (Freq::Daily, 14) => v == 1 || v == 15,
        (Freq::Daily, 7) => matches!(v, 1 | 8 | 15 | 22),
        (Freq::Monthly | Freq::Daily, _) => (v - 1) % interval == 0,
        _ => v % interval == 0,
    }
}

/// Every tick location the locator returns, in microseconds since 1970.
fn date_locs(loc: DateLocator, dmin: Civil, dmax: Civil) -> Vec<i64> {
    let (lo, hi) = (dmin.to_us(), dmax.to_us());
    let locs = match loc.freq {
        Freq::Yearly => yearly_locs(loc.interval, dmin, hi),
        Freq::Monthly => monthly_locs(loc.interval, dmin, hi),
        Freq::Microsecondly => return microsecond_locs(loc.interval, lo, hi),
        freq => stepped_locs(freq, loc.interval, lo, hi),
    };
    // RRuleLocator falls back to the view limits themselves when the rule hits nothing.
    if locs.is_empty() {
        vec![lo, hi]
    } else {
        locs
    }
}

/// More than any sensible axis: stops runaway loops on absurd spans.
const MAX_DATE_TICKS: usize = 5000;

/// `YearLocator(base)`: 1 January of years that are multiples of `base`.
fn yearly_locs(base: i64, dmin: Civil, hi: i64) -> Vec<i64> {
    let mut year = dmin.year.div_euclid(base) * base;
    if year < 1 && dmin.year >= 1 {
        year = 1;
    }
    let lo = dmin.to_us();
    let mut out = Vec::new();
    while out.len() < MAX_DATE_TICKS {
        let t = days_from_civil(year, 1, 1) * US_PER_DAY;
        if t > hi {
            break;
        }
        if t >= lo {
            out.push(t);
        }
        year += base;
    }
    out
}

/// MONTHLY rrule: midnight on the 1st of the allowed months.
fn monthly_locs(interval: i64, dmin: Civil, hi: i64) -> Vec<i64> {
    let lo = dmin.to_us();
    let mut index = dmin.year * 12 + i64::from(dmin.month) - 1;
    let mut out = Vec::new();
    while out.len() < MAX_DATE_TICKS {
        let (year, month) = (index.div_euclid(12), index.rem_euclid(12) as u32 + 1);
        let t = days_from_civil(year, month, 1) * US_PER_DAY;
        if t > hi {
            break;
        }
        if t >= lo && allowed(Freq::Monthly, interval, month) {
            out.push(t);
        }
        index += 1;
    }
    out
}

/// DAILY, HOURLY, MINUTELY and SECONDLY rrules: whole units whose field is allowed, finer
/// fields zero.
fn stepped_locs(freq: Freq, interval: i64, lo: i64, hi: i64) -> Vec<i64> {
    let unit = freq.unit_us();
    let mut t = lo.div_euclid(unit) * unit;
    if t < lo {
        t += unit;
    }
    let mut out = Vec::new();
    let mut steps = 0;
    while t <= hi && steps < 400_000 && out.len() < MAX_DATE_TICKS {
        let c = Civil::from_us(t);
        let field = match freq {
            Freq::Daily => c.day,
            Freq::Hourly => c.hour,
            Freq::Minutely => c.minute,
            _ => c.second,
        };
        if allowed(freq, interval, field) {
            out.push(t);
        }
        t += unit;
        steps += 1;
    }
    out
}

/// `MicrosecondLocator`: `MultipleLocator(interval)` on microseconds since the first day's
/// midnight, one tick beyond each end included as MultipleLocator does.
fn microsecond_locs(interval: i64, lo: i64, hi: i64) -> Vec<i64> {
    let t0 = lo.div_euclid(US_PER_DAY) * US_PER_DAY;
    let (nmin, nmax) = (lo - t0, hi - t0);
    let first =
        nmin.div_euclid(interval) * interval + if nmin % interval == 0 { 0 } else { interval };
    let n = ((nmax - first) as f64 / interval as f64 + 0.001).floor() as i64;
    (0..(n + 3).clamp(0, MAX_DATE_TICKS as i64))
        .map(|k| t0 + first - interval + k * interval)
        .collect()
}

/// Which formatter labels a date axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStyle {
    /// `ConciseDateFormatter`, as xarray sets it on datetime64 axes of line and 1-D plots.
    Concise,
    /// `AutoDateFormatter`, matplotlib's default for dates ('%Y', '%Y-%m', '%Y-%m-%d', ...).
    Auto,
}

/// Ticks for a time axis of seconds since 1970-01-01 UTC, labelled as xarray's line and
/// scatter plots do (ConciseDateFormatter): matplotlib's choice, or the nearest sparser one
/// whose labels do not overlap.
pub fn dates(lo_s: f64, hi_s: f64, axis_len_px: f64, vertical: bool) -> Ticks {
    dates_styled(lo_s, hi_s, axis_len_px, vertical, DateStyle::Concise)
}

/// As `dates`, labelled with matplotlib's default AutoDateFormatter.
pub fn dates_auto(lo_s: f64, hi_s: f64, axis_len_px: f64, vertical: bool) -> Ticks {
    dates_styled(lo_s, hi_s, axis_len_px, vertical, DateStyle::Auto)
}

pub fn dates_styled(
    lo_s: f64,
    hi_s: f64,
    axis_len_px: f64,
    vertical: bool,
    style: DateStyle,
) -> Ticks {
    let (lo_s, hi_s) = if lo_s <= hi_s {
        (lo_s, hi_s)
    } else {
        (hi_s, lo_s)
    };
    let (Some(lo), Some(hi)) = (seconds_to_us(lo_s), seconds_to_us(hi_s)) else {
        return Ticks::default();
    };
    let (dmin, dmax) = (num2date(lo), num2date(hi));
    let first = auto_date_locator(&span_counts(dmin, dmax));
    let mut fallback = None;
    for (n, loc) in sparser_locators(first).into_iter().enumerate() {
        let ticks = date_ticks(loc, dmin, dmax, (lo_s, hi_s), style);
        if n > 0 && ticks.ticks.len() < 2 {
            continue;
        }
        if fits(&ticks.ticks, lo_s, hi_s, axis_len_px, vertical) {
            return ticks;
        }
        fallback.get_or_insert(ticks);
    }
    let mut ticks = fallback.unwrap_or_default();
    ticks.ticks = thin(ticks.ticks, lo_s, hi_s, axis_len_px, vertical);
    ticks
}

/// The labelled ticks of one locator, those inside the view only.
fn date_ticks(
    loc: DateLocator,
    dmin: Civil,
    dmax: Civil,
    view: (f64, f64),
    style: DateStyle,
) -> Ticks {
    let locs = date_locs(loc, dmin, dmax);
    let civil: Vec<Civil> = locs.iter().map(|&us| num2date(us)).collect();
    let (labels, offset_text) = match style {
        DateStyle::Concise => concise_labels(&civil),
        DateStyle::Auto => {
            let format = loc.format_unit.auto_format();
            (civil.iter().map(|c| strftime(c, format)).collect(), None)
        }
    };
    let ticks = locs
        .iter()
        .zip(labels)
        .map(|(&us, label)| Tick {
            value: us as f64 / 1e6,
            label,
        })
        .filter(|t| contains_close(view.0, view.1, t.value))
        .collect();
    Ticks { ticks, offset_text }
}

const CONCISE_FORMATS: [&str; 6] = ["%Y", "%b", "%d", "%H:%M", "%H:%M", "%S.%f"];
const CONCISE_ZERO_FORMATS: [&str; 6] = ["", "%Y", "%b", "%b-%d", "%H:%M", "%H:%M"];
const CONCISE_OFFSET_FORMATS: [&str; 6] =
    ["", "%Y", "%Y-%b", "%Y-%b-%d", "%Y-%b-%d", "%Y-%b-%d %H:%M"];
/// The value of each field that starts the next coarser unit (January, the 1st, midnight...).
const CONCISE_ZERO_VALUES: [i64; 6] = [0, 1, 1, 0, 0, 0];

/// `ConciseDateFormatter.format_ticks` on every located tick: label at the finest field that
/// changes, name the coarser unit where it rolls over, and put the rest in the offset.
fn concise_labels(ticks: &[Civil]) -> (Vec<String>, Option<String>) {
    let (level, show_offset) = concise_level(ticks);
    let mut labels: Vec<String> = ticks
        .iter()
        .map(|c| {
            let zero = if level < 5 {
                c.fields()[level] == CONCISE_ZERO_VALUES[level]
            } else {
                c.second == 0 && c.micro == 0
            };
            let format = if zero {
                CONCISE_ZERO_FORMATS[level]
            } else {
                CONCISE_FORMATS[level]
            };
            strftime(c, format)
        })
        .collect();
    if level >= 5 {
        trim_fraction_zeros(&mut labels);
    }
    let offset = ticks
        .last()
        .filter(|_| show_offset)
        .map(|c| strftime(c, CONCISE_OFFSET_FORMATS[level]))
        .filter(|s| !s.is_empty());
    (labels, offset)
}

/// The finest of year..second that differs between ticks (seconds if none does), and whether
/// the offset is shown: not when ticks are years or months and the year itself is labelled.
fn concise_level(ticks: &[Civil]) -> (usize, bool) {
    for level in (0..6).rev() {
        let mut values: Vec<i64> = ticks.iter().map(|c| c.fields()[level]).collect();
        values.sort_unstable();
        values.dedup();
        if values.len() > 1 {
            let hides_offset = level < 2 && values.contains(&1);
            return (level, !hides_offset);
        }
    }
    (5, true)
}

/// Drop the zeros every fractional-second label ends with, keeping them equally long.
fn trim_fraction_zeros(labels: &mut [String]) {
    let trailing = labels
        .iter()
        .filter(|s| s.contains('.'))
        .map(|s| s.len() - s.trim_end_matches('0').len())
        .min();
    let Some(n) = trailing.filter(|&n| n > 0) else {
        return;
    };
    for s in labels.iter_mut().filter(|s| s.contains('.')) {
        s.truncate(s.len() - n);
        let trimmed = s.trim_end_matches('.').len();
        s.truncate(trimmed);
    }
}

#[cfg(test)]
mod tests {
    //! Expected labels, offsets and tick values are matplotlib's: tests/data/matplotlib_ticks.py
    //! prints them, with each case's view limits and axis, into
    //! tests/data/matplotlib_ticks.json.

    use super::*;
    use std::collections::HashMap;
    use std::sync::OnceLock;

    /// A 6.4×4.8 in figure at 100 dpi: the x axis is 496 px long, the y axis 369.6 px.
    const X_LEN: f64 = 496.0;
    const Y_LEN: f64 = 369.6;

    fn x(lo: f64, hi: f64) -> Ticks {
        linear(lo, hi, X_LEN, false)
    }

    fn y(lo: f64, hi: f64) -> Ticks {
        linear(lo, hi, Y_LEN, true)
    }

    /// A date x axis labelled as xarray does (ConciseDateFormatter).
    fn cx(lo: f64, hi: f64) -> Ticks {
        dates(lo, hi, X_LEN, false)
    }

    /// A date x axis labelled as matplotlib does by default (AutoDateFormatter).
    fn ax(lo: f64, hi: f64) -> Ticks {
        dates_auto(lo, hi, X_LEN, false)
    }

    /// One case of the file: the view limits and what matplotlib draws there.
    #[derive(Debug)]
    struct Case {
        view: (f64, f64),
        labels: Vec<String>,
        offset: Option<String>,
        values: Vec<f64>,
    }

    fn cases() -> &'static HashMap<String, Case> {
        static CASES: OnceLock<HashMap<String, Case>> = OnceLock::new();
        CASES.get_or_init(|| {
            let file: serde_json::Value =
                serde_json::from_str(include_str!("../../tests/data/matplotlib_ticks.json"))
                    .expect("tests/data/matplotlib_ticks.json is JSON");
            let cases = file["cases"].as_object().expect("cases");
            cases
                .iter()
                .map(|(name, case)| (name.clone(), parse_case(case)))
                .collect()
        })
    }

    /// Numbers are Python's `repr`s, parsed here rather than by serde_json, whose float parsing
    /// is not exact by default.
    fn number(v: &serde_json::Value) -> f64 {
        let text = v.as_str().expect("a number as text");
        text.parse()
            .unwrap_or_else(|_| panic!("{text} is not a number"))
    }

    fn parse_case(case: &serde_json::Value) -> Case {
        let strings = |key: &str| -> Vec<&serde_json::Value> {
            case[key].as_array().expect(key).iter().collect()
        };
        let view = strings("view");
        Case {
            view: (number(view[0]), number(view[1])),
            labels: strings("labels")
                .iter()
                .map(|l| l.as_str().expect("a label").to_string())
                .collect(),
            offset: case["offset"].as_str().map(str::to_string),
            values: strings("values").into_iter().map(number).collect(),
        }
    }

    fn case(name: &str) -> &'static Case {
        cases().get(name).unwrap_or_else(|| {
            panic!(
                "no case {name:?} in tests/data/matplotlib_ticks.json: add it to matplotlib_ticks.py"
            )
        })
    }

    /// Draws the case's view with `draw` and checks the labels, offset text and tick values
    /// against matplotlib's.
    fn check(name: &str, draw: impl Fn(f64, f64) -> Ticks) {
        let expected = case(name);
        let t = draw(expected.view.0, expected.view.1);
        assert_eq!(t.labels(), expected.labels, "{name}: {t:?}");
        assert_eq!(t.offset_text, expected.offset, "{name}: {t:?}");
        let values: Vec<f64> = t.ticks.iter().map(|t| t.value).collect();
        assert_eq!(values, expected.values, "{name}: tick values");
    }

    /// A small deterministic generator so that the tests need no crates.
    struct SplitMix(u64);

    impl SplitMix {
        fn uniform(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    #[test]
    fn degenerate_limits_do_not_panic() {
        assert_eq!(linear(f64::NAN, 1.0, X_LEN, false), Ticks::default());
        let t = linear(3.0, 3.0, X_LEN, false);
        assert!(t.ticks.len() <= 1, "{t:?}");
        check("reversed x", |lo, hi| linear(lo, hi, X_LEN, false));
        assert_eq!(dates(f64::INFINITY, 0.0, X_LEN, false), Ticks::default());
        assert_eq!(dates(0.0, 1e13, X_LEN, false), Ticks::default());
        for (lo, hi) in [(-2.4e11, 2.4e11), (0.0, 0.0), (1e9, 1e9 + 1e-7)] {
            for style in [DateStyle::Concise, DateStyle::Auto] {
                let t = dates_styled(lo, hi, X_LEN, false, style);
                assert!(fits(&t.ticks, lo, hi.max(lo + 1e-9), X_LEN, false), "{t:?}");
            }
        }
    }

    #[test]
    fn reversed_limits_give_the_same_ticks() {
        assert_eq!(cx(979797600.0, 945108000.0), cx(945108000.0, 979797600.0));
        assert_eq!(x(1.05, -0.05), x(-0.05, 1.05));
    }

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
    fn auto_bins_follow_matplotlibs_tick_space() {
        assert_eq!(auto_bins(X_LEN, false), 9);
        assert_eq!(auto_bins(Y_LEN, true), 9);
        assert_eq!(auto_bins(232.5, false), 5);
        assert_eq!(auto_bins(0.0, false), 1);
    }

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
        let mut rng = SplitMix(11);
        for _ in 0..3_000 {
            let lo = (rng.uniform() - 0.5) * 4e9;
            let width = 10f64.powf(rng.uniform() * 11.0 - 1.0);
            let len = 40.0 + rng.uniform() * 600.0;
            for vertical in [false, true] {
                for style in [DateStyle::Concise, DateStyle::Auto] {
                    let t = dates_styled(lo, lo + width, len, vertical, style);
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
        let t = dates(945108000.0, 979797600.0, 30.0, false);
        assert!(!t.ticks.is_empty());
        assert!(
            fits(&t.ticks, 945108000.0, 979797600.0, 30.0, false),
            "{t:?}"
        );
    }

    #[test]
    fn python_arithmetic_is_mirrored() {
        assert_eq!(py_divmod(-0.05, 0.2), (-1.0, 0.15000000000000002));
        assert_eq!(py_floordiv(7.0, -2.0), -4.0);
        assert_eq!(format_data(1449113110.55), "1.449113111e9");
        assert_eq!(format_g(1.7, 10), "1.7");
        assert_eq!(format_g(1.23456789012, 10), "1.23456789");
        assert_eq!(format_g(1.5e-7, 3), "1.5e-07");
        assert_eq!(format_data(1.7e9), "1.7e9");
        assert_eq!(format_data(-2e-7), "-2e-7");
        assert_eq!(format_data(1.0), "1");
        assert_eq!(np_round(0.125, 2), 0.12);
    }

    /// How wide matplotlib's Agg renderer sets some tick labels, from
    /// tests/data/matplotlib_ticks.json (tests/data/matplotlib_ticks.py prints it).
    fn matplotlib_widths() -> Vec<(String, f64)> {
        let file: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/data/matplotlib_ticks.json"))
                .expect("tests/data/matplotlib_ticks.json is JSON");
        let widths = file["label widths px"]
            .as_object()
            .expect("label widths in tests/data/matplotlib_ticks.json");
        widths
            .iter()
            .map(|(label, w)| (label.clone(), w.as_f64().expect("a width")))
            .collect()
    }

    #[test]
    fn label_widths_follow_dejavu_sans() {
        let em = em_px();
        assert!((em - 13.888_888_888_888_89).abs() < 1e-9);
        let widths = matplotlib_widths();
        assert_eq!(widths.len(), 4, "{widths:?}");
        for (label, mpl) in widths {
            let w = label_width_px(&label, em);
            assert!(
                (w - mpl).abs() < 1.5,
                "{label}: {w} against matplotlib's {mpl}"
            );
        }
        assert!((label_width_px("1e−11", em) - (0.636 * 3.0 + 0.615 + 0.838) * em).abs() < 0.1);
    }

    /// With the overlap check off: matplotlib's own choice.
    fn mpl(style: DateStyle) -> impl Fn(f64, f64) -> Ticks {
        move |lo, hi| {
            let (dmin, dmax) = (
                num2date(seconds_to_us(lo).unwrap()),
                num2date(seconds_to_us(hi).unwrap()),
            );
            let loc = auto_date_locator(&span_counts(dmin, dmax));
            date_ticks(loc, dmin, dmax, (lo, hi), style)
        }
    }

    fn cy(lo: f64, hi: f64) -> Ticks {
        dates(lo, hi, Y_LEN, true)
    }

    fn ay(lo: f64, hi: f64) -> Ticks {
        dates_auto(lo, hi, Y_LEN, true)
    }

    #[test]
    fn a_year_is_labelled_by_month() {
        check("year x concise", cx);
        check("year x auto", ax);
        check("year y concise", cy);
        check("year y auto", ay);
    }

    #[test]
    fn decades_and_centuries_are_labelled_by_year() {
        check("decade x concise", cx);
        check("decade x auto", ax);
        check("century x concise", cx);
        check("century x auto", ax);
        check("pre-1970 years x concise", cx);
        check("pre-1970 years x auto", ax);
        check("millennia x concise", cx);
        check("millennia x auto", ax);
    }

    #[test]
    fn a_day_is_labelled_by_hour() {
        check("day x concise", cx);
        check("day y concise", cy);
        check("day auto matplotlib", mpl(DateStyle::Auto));
        // Stacked on a y axis they do not touch, so matplotlib's choice stands.
        check("day y auto", ay);
        // Side by side, 63 px labels 56 px apart overlap: every 4 hours instead.
        check("day x auto", ax);
    }

    #[test]
    fn hours_minutes_and_seconds() {
        check("three hours x concise", cx);
        check("three hours x auto", ax);
        check("two minutes x concise", cx);
        check("two minutes auto matplotlib", mpl(DateStyle::Auto));
        check("two minutes x auto", ax);
        check("ten seconds x concise", cx);
        check("ten seconds x auto", ax);
    }

    #[test]
    fn fractions_of_a_second() {
        check("one second x concise", cx);
        check("one second auto matplotlib", mpl(DateStyle::Auto));
        check("one second x auto", ax);
    }

    #[test]
    fn weeks_and_months_are_labelled_by_day() {
        check("month x concise", cx);
        check("month auto matplotlib", mpl(DateStyle::Auto));
        check("month x auto", ax);
        check("cross month x concise", cx);
        check("cross month x auto", ax);
        check("six weeks x concise", cx);
        check("six weeks auto matplotlib", mpl(DateStyle::Auto));
        check("six weeks x auto", ax);
        check("cross year x concise", cx);
        check("cross year auto matplotlib", mpl(DateStyle::Auto));
        check("cross year x auto", ax);
    }

    #[test]
    fn months_within_years() {
        check("five months x concise", cx);
        check("five months x auto", ax);
        check("two years x concise", cx);
        check("two years auto matplotlib", mpl(DateStyle::Auto));
        check("two years x auto", ax);
    }

    #[test]
    fn thirty_hours_cross_a_leap_day() {
        check("thirty hours concise matplotlib", mpl(DateStyle::Concise));
        // "Feb-29" (48 px) and "18:00" (40 px) 50 px apart leave 6 px, under half an em.
        check("thirty hours x concise", cx);
        check("thirty hours auto matplotlib", mpl(DateStyle::Auto));
    }

    #[test]
    fn span_counts_follow_relativedelta() {
        let at = |y, m, d, h| Civil {
            year: y,
            month: m,
            day: d,
            hour: h,
            minute: 0,
            second: 0,
            micro: 0,
        };
        // Jan 31 + 1 month is Feb 29 (clipped), which is after Feb 28: zero whole months.
        let c = span_counts(at(2000, 1, 31, 0), at(2000, 2, 28, 0));
        assert_eq!(c[..3], [0, 0, 28]);
        let c = span_counts(at(1999, 12, 25, 6), at(2001, 3, 1, 5));
        assert_eq!(c[..2], [1, 14]);
    }

    #[test]
    fn months_without_january_name_the_year_in_the_offset() {
        check("months without january x concise", cx);
        check("months without january x auto", ax);
    }

    #[test]
    fn microsecond_spans_keep_matplotlibs_quirks() {
        // Under 5 µs no frequency qualifies: matplotlib ticks every microsecond and its
        // AutoDateFormatter, still on its initial YEARLY unit, prints the year.
        check("microseconds x concise", cx);
        check("microseconds x auto", ax);
    }

    #[test]
    fn far_from_1970_minutes_still_land_on_the_minute() {
        check("far from 1970 x concise", cx);
        // matplotlib: "01 12:00" … "01 12:45" every 5 minutes, 63 px labels 50 px apart.
        check("far from 1970 auto matplotlib", mpl(DateStyle::Auto));
        check("far from 1970 x auto", ax);
    }
}
