//! Colour-bar ticks of matplotlib's log and symlog scales: `LogLocator` (majors at decades,
//! minors at 2…9 × 10ᵏ, `subs='auto'`) and `SymmetricalLogLocator`, labelled by
//! `LogFormatterSciNotation` as mathtext `10^{k}` or `2\times10^{k}`, written here as
//! `10^k` and `2×10^k`: [`SUPERSCRIPT`] marks where the raised exponent begins.

use super::linear::{self, auto_bins};
use super::{Tick, Ticks};

/// In a label, what follows this is drawn raised and smaller (mathtext's superscript).
pub const SUPERSCRIPT: char = '^';
const MINUS: char = '\u{2212}';
const BASE: f64 = 10.0;

/// A log-scale axis: the major ticks (labelled), and the minor ones (most unlabelled).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogTicks {
    pub major: Ticks,
    pub minor: Vec<Tick>,
}

/// `LogScale`'s ticks over `lo..hi` (both > 0) on a vertical axis `axis_len_px` long.
pub fn log(lo: f64, hi: f64, axis_len_px: f64) -> LogTicks {
    if !(lo > 0.0 && hi > lo && hi.is_finite()) {
        return LogTicks::default();
    }
    // `numticks='auto'`: the axis' tick space, clipped to 2…9.
    let n_request = auto_bins(axis_len_px, true).clamp(2, 9);
    let majors = log_locs(lo, hi, n_request, Subs::Decades);
    let minors = match log_locs(lo, hi, n_request, Subs::Auto) {
        Locs::Fixed(locs) => locs,
        // Less than a decade and no more than one tick: matplotlib's AutoLocator instead.
        // A fresh AutoLocator, without an axis: 9 bins.
        Locs::Linear => linear::max_n_locs(lo, hi, 9),
    };
    let Locs::Fixed(majors) = majors else {
        unreachable!("the decades' locator never falls back")
    };
    let to_log = |v: f64| v.log10();
    let format = SciNotation::new(lo, hi, None);
    let major = inside(&majors, lo, hi, to_log);
    let minor = without_overlaps(inside(&minors, lo, hi, to_log), &major, lo, hi, to_log);
    LogTicks {
        major: Ticks {
            ticks: labelled(&major, &format),
            offset_text: None,
        },
        minor: labelled(&minor, &format),
    }
}

/// `SymmetricalLogScale`'s ticks over `lo..hi` (base 10, linscale 1). Its minor locator is
/// its major one (`subs=None`), so every minor tick falls on a major one and none is drawn.
pub fn symlog(lo: f64, hi: f64, linthresh: f64) -> LogTicks {
    if !(lo < hi && lo.is_finite() && hi.is_finite() && linthresh > 0.0) {
        return LogTicks::default();
    }
    let locs = symlog_locs(lo, hi, linthresh);
    let transform = |v: f64| symlog_transform(v, linthresh);
    let format = SciNotation::new(lo, hi, Some(linthresh));
    LogTicks {
        major: Ticks {
            ticks: labelled(&inside(&locs, lo, hi, transform), &format),
            offset_text: None,
        },
        minor: Vec::new(),
    }
}

/// matplotlib's `SymmetricalLogTransform` (base 10, linscale 1).
pub fn symlog_transform(v: f64, linthresh: f64) -> f64 {
    let linscale_adj = 1.0 / (1.0 - 1.0 / BASE);
    if v.abs() <= linthresh {
        v * linscale_adj
    } else {
        v.signum() * linthresh * (linscale_adj - linthresh.log10() + v.abs().log10())
    }
}

/// The locations in view: `Axis._update_ticks` keeps those within 1e-10 of the view's span
/// of it, in the scale's coordinates.
fn inside(locs: &[f64], lo: f64, hi: f64, transform: impl Fn(f64) -> f64) -> Vec<f64> {
    let (tlo, thi) = (transform(lo), transform(hi));
    locs.iter()
        .copied()
        .filter(|&v| super::contains_close(tlo, thi, transform(v)))
        .collect()
}

/// `Axis.get_minorticklocs` with `remove_overlapping_locs`: minor ticks within 1e-5 of the
/// view's span (in the scale's coordinates) of a major one are not drawn.
fn without_overlaps(
    minor: Vec<f64>,
    major: &[f64],
    lo: f64,
    hi: f64,
    transform: impl Fn(f64) -> f64,
) -> Vec<f64> {
    let tol = (transform(hi) - transform(lo)).abs() * 1e-5;
    minor
        .into_iter()
        .filter(|&m| {
            let tm = transform(m);
            !major.iter().any(|&v| (tm - transform(v)).abs() <= tol)
        })
        .collect()
}

fn labelled(locs: &[f64], format: &SciNotation) -> Vec<Tick> {
    locs.iter()
        .map(|&value| Tick {
            value,
            label: format.label(value),
        })
        .collect()
}

#[derive(Clone, Copy, PartialEq)]
enum Subs {
    /// `subs=(1.0,)`: the decades.
    Decades,
    /// `subs='auto'`: 2 … 9 times each decade.
    Auto,
}

enum Locs {
    Fixed(Vec<f64>),
    /// `AutoLocator().tick_values(vmin, vmax)`.
    Linear,
}

/// `LogLocator.tick_values` (base 10, matplotlib 3.11's non-classic mode).
fn log_locs(vmin: f64, vmax: f64, n_request: usize, subs: Subs) -> Locs {
    let (efmin, efmax) = (vmin.log10(), vmax.log10());
    let emin = efmin.ceil() as i64;
    let emax = efmax.floor() as i64;
    let n_avail = emax - emin + 1;
    let subs: Vec<f64> = match subs {
        Subs::Decades => vec![1.0],
        Subs::Auto if n_avail >= 10 => return Locs::Fixed(Vec::new()),
        Subs::Auto => (2..10).map(f64::from).collect(),
    };
    let mut n_request = n_request as i64;
    let mut stride = n_avail.div_euclid(n_request + 1) + 1;
    let nr = ceil_div(n_avail, stride);
    if nr <= n_request {
        n_request = nr;
    }
    let decades: Vec<i64> = if n_request == 0 {
        stride = emax + 1 - (emin - 1);
        vec![emin - 1, emax + 1]
    } else if n_request == 1 {
        let mid = ((efmin + efmax) / 2.0).round_ties_even() as i64;
        stride = (mid - (emin - 1)).max(emax + 1 - mid);
        vec![mid - stride, mid, mid + stride]
    } else {
        stride = (n_avail - 1).div_euclid(n_request - 1);
        if (stride as f64) < n_avail as f64 / n_request as f64 {
            stride = n_avail.div_euclid(n_request);
        }
        let olo = (n_avail - stride * n_request).max(0);
        let ohi = (n_avail - stride * (n_request - 1)).min(stride);
        let mut offset = (-emin).rem_euclid(stride);
        if !(olo <= offset && offset < ohi) {
            offset = olo;
        }
        let mut d = Vec::new();
        let mut k = emin + offset - stride;
        while k < emax + stride + 1 {
            d.push(k);
            k += stride;
        }
        d
    };
    let is_minor = subs.len() > 1 || subs[0] != 1.0;
    let locs: Vec<f64> = if is_minor {
        if stride == 1 || n_avail <= 1 {
            (emin - 1..emax + 1)
                .flat_map(|decade| {
                    let p = pow10(decade);
                    subs.iter().map(move |s| s * p)
                })
                .collect()
        } else {
            Vec::new()
        }
    } else {
        decades.iter().map(|&d| pow10(d)).collect()
    };
    if subs.len() > 1 && stride == 1 {
        let shown = locs.iter().filter(|&&v| vmin <= v && v <= vmax).count() as i64;
        if decades.len() as i64 - 2 + shown <= 1 {
            return Locs::Linear;
        }
    }
    Locs::Fixed(locs)
}

fn ceil_div(a: i64, b: i64) -> i64 {
    -((-a).div_euclid(b))
}

/// `10.0 ** k` as Python computes it (C `pow`).
fn pow10(k: i64) -> f64 {
    BASE.powf(k as f64)
}

/// `SymmetricalLogLocator.tick_values` (base 10, `subs=[1]`, 15 ticks at most).
fn symlog_locs(vmin: f64, vmax: f64, linthresh: f64) -> Vec<f64> {
    if -linthresh <= vmin && vmin < vmax && vmax <= linthresh {
        let mut locs = vec![vmin, 0.0, vmax];
        locs.sort_by(f64::total_cmp);
        locs.dedup();
        return locs;
    }
    let has_a = vmin < -linthresh;
    let has_c = vmax > linthresh;
    let has_b = (has_a && vmax > -linthresh) || (has_c && vmin < linthresh);
    let log_range = |lo: f64, hi: f64| {
        (
            (lo.ln() / BASE.ln()).floor() as i64,
            (hi.ln() / BASE.ln()).ceil() as i64,
        )
    };
    let (a_lo, a_hi) = if has_a {
        log_range(linthresh.max(-vmax), vmin.abs() + 1.0)
    } else {
        (0, 0)
    };
    let (c_lo, c_hi) = if has_c {
        log_range(linthresh.max(vmin), vmax + 1.0)
    } else {
        (0, 0)
    };
    let total = (a_hi - a_lo) + (c_hi - c_lo) + i64::from(has_b);
    let stride = (total.div_euclid(15 - 1)).max(1);
    let range = |lo: i64, hi: i64| {
        let mut k = lo;
        std::iter::from_fn(move || {
            (k < hi).then(|| {
                k += stride;
                k - stride
            })
        })
    };
    let mut locs = Vec::new();
    if has_a {
        let a: Vec<i64> = range(a_lo, a_hi).collect();
        locs.extend(a.iter().rev().map(|&k| -pow10(k)));
    }
    if has_b {
        locs.push(0.0);
    }
    if has_c {
        locs.extend(range(c_lo, c_hi).map(pow10));
    }
    locs
}

/// `LogFormatterSciNotation` after `set_locs` for the view `lo..hi`: which multiples of a
/// decade get labels (`_sublabels`).
struct SciNotation {
    sublabels: Vec<f64>,
}

impl SciNotation {
    fn new(lo: f64, hi: f64, linthresh: Option<f64>) -> SciNotation {
        let log = |v: f64| v.ln() / BASE.ln();
        let floor_below = |x: f64| x.next_down().floor();
        let (numticks, numdec) = match linthresh {
            None => {
                let (lmin, lmax) = (log(lo), log(hi));
                (lmax.floor() - floor_below(lmin), (lmax - lmin).abs())
            }
            Some(t) => {
                // Only the logarithmic parts count.
                let (mut numticks, mut numdec) = (0.0, 0.0);
                if lo < -t {
                    let rhs = hi.min(-t);
                    numticks += log(rhs.abs()).floor() - floor_below(log(lo.abs()));
                    numdec += log(lo / rhs);
                }
                if hi > t {
                    let lhs = lo.max(t);
                    numticks += log(hi).floor() - floor_below(log(lhs));
                    numdec += log(hi / lhs);
                }
                (numticks, numdec)
            }
        };
        let sublabels = if numticks > 1.0 {
            vec![1.0]
        } else if numdec > 0.4 {
            // np.round(np.geomspace(1, 10, 6))
            vec![1.0, 2.0, 3.0, 4.0, 6.0, 10.0]
        } else {
            (1..=10).map(f64::from).collect()
        };
        SciNotation { sublabels }
    }

    /// `LogFormatterSciNotation.__call__`: "" for a tick it leaves unlabelled.
    fn label(&self, x: f64) -> String {
        if x == 0.0 {
            return "0".into();
        }
        let sign = if x < 0.0 {
            MINUS.to_string()
        } else {
            String::new()
        };
        let x = x.abs();
        let fx = x.ln() / BASE.ln();
        let is_decade = is_close_to_int(fx);
        let exponent = if is_decade {
            fx.round_ties_even()
        } else {
            fx.floor()
        };
        let coeff = BASE.powf(fx - exponent).round_ties_even();
        if !self.sublabels.contains(&coeff) {
            return String::new();
        }
        if is_decade {
            return format!(
                "{sign}10{SUPERSCRIPT}{}",
                minus(fx.round_ties_even() as i64)
            );
        }
        let exponent = fx.floor();
        let mut coeff = BASE.powf(fx - exponent);
        if is_close_to_int(coeff) {
            coeff = coeff.round_ties_even();
        }
        format!(
            "{sign}{}×10{SUPERSCRIPT}{}",
            super::python::format_g(coeff, 6),
            minus(exponent as i64)
        )
    }
}

fn minus(k: i64) -> String {
    k.to_string().replace('-', &MINUS.to_string())
}

/// `math.isclose(x, round(x))`.
fn is_close_to_int(x: f64) -> bool {
    let r = x.round_ties_even();
    (x - r).abs() <= 1e-9 * x.abs().max(r.abs())
}
