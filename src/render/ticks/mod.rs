//! Tick positions and labels as matplotlib 3.x draws them, without matplotlib.
//!
//! Linear axes follow `AutoLocator` and `ScalarFormatter` (linear.rs); time axes follow
//! `AutoDateLocator` with either `ConciseDateFormatter` (what xarray ≥ 2023.12 installs on
//! datetime64 axes of line and scatter plots) or `AutoDateFormatter` (matplotlib's own default)
//! (dates.rs). The floating-point steps mirror matplotlib's (python.rs) so that labels agree
//! to the character, offsets included.
//!
//! Colour bars of log and symlog norms follow `LogLocator`, `SymmetricalLogLocator` and
//! `LogFormatterSciNotation` (logscale.rs); those of discrete levels a `FixedLocator`.
//!
//! On top of matplotlib, labels never overlap (overlap.rs): when neighbours would collide,
//! sparser locators are tried, matplotlib's own choice first.
//!
//! The unit tests' expected labels are matplotlib's, printed by tests/data/matplotlib_ticks.py
//! into tests/data/matplotlib_ticks.json.

use crate::calendar::Calendar;

mod concise;
mod dates;
mod linear;
mod logscale;
mod overlap;
mod python;
#[cfg(test)]
mod testing;

pub use linear::{default_max_n_locs, fixed};
pub use logscale::{log, symlog, symlog_transform, SUPERSCRIPT};

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
    #[cfg(test)]
    pub fn labels(&self) -> Vec<&str> {
        self.ticks.iter().map(|t| t.label.as_str()).collect()
    }
}

/// Which formatter labels a date axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStyle {
    /// `ConciseDateFormatter`, as xarray sets it on datetime64 axes of line and 1-D plots.
    Concise,
    /// nc-time-axis' `AutoCFTimeFormatter`, which labels the cftime axes xarray draws for
    /// times in other calendars: "%Y", "%Y-%m", "%Y-%m-%d", "%Y-%m-%d %H:%M" by resolution.
    CfTime,
    /// `AutoDateFormatter`, matplotlib's default for dates ('%Y', '%Y-%m', '%Y-%m-%d', ...):
    /// checked against matplotlib, though no plot uses it yet.
    #[cfg(test)]
    Auto,
}

/// Ticks for a linear axis showing [lo, hi] over `axis_len_px` pixels: matplotlib's choice,
/// or the nearest one with fewer bins whose labels do not overlap.
pub fn linear(lo: f64, hi: f64, axis_len_px: f64, vertical: bool) -> Ticks {
    let Some((lo, hi)) = finite_ordered(lo, hi) else {
        return Ticks::default();
    };
    for bins in (1..=linear::auto_bins(axis_len_px, vertical)).rev() {
        let ticks = linear::ticks(lo, hi, bins);
        if overlap::fits(&ticks.ticks, lo, hi, axis_len_px, vertical) {
            return ticks;
        }
    }
    let mut ticks = linear::ticks(lo, hi, 1);
    ticks.ticks = overlap::thin(ticks.ticks, lo, hi, axis_len_px, vertical);
    ticks
}

/// matplotlib's ticks and labels for exactly `bins` intervals (no overlap check).
#[cfg(test)]
pub fn linear_with_bins(lo: f64, hi: f64, bins: usize) -> Ticks {
    match finite_ordered(lo, hi) {
        Some((lo, hi)) => linear::ticks(lo, hi, bins.max(1)),
        None => Ticks::default(),
    }
}

fn finite_ordered(lo: f64, hi: f64) -> Option<(f64, f64)> {
    if !(lo.is_finite() && hi.is_finite()) {
        return None;
    }
    Some(ordered(lo, hi))
}

fn ordered(lo: f64, hi: f64) -> (f64, f64) {
    if lo <= hi {
        (lo, hi)
    } else {
        (hi, lo)
    }
}

/// Ticks for a time axis of seconds since 1970-01-01 of `calendar` (UTC), labelled as
/// xarray's line and scatter plots do: ConciseDateFormatter on Gregorian (datetime64) axes,
/// nc-time-axis' formatter on the others. matplotlib's choice of AutoDateLocator, or the
/// nearest sparser one whose labels do not overlap.
pub fn dates(lo_s: f64, hi_s: f64, axis_len_px: f64, vertical: bool, calendar: Calendar) -> Ticks {
    let style = if calendar.is_gregorian() {
        DateStyle::Concise
    } else {
        DateStyle::CfTime
    };
    dates_styled(lo_s, hi_s, axis_len_px, vertical, style, calendar)
}

/// As `dates` on a Gregorian axis, labelled with matplotlib's default AutoDateFormatter.
#[cfg(test)]
pub fn dates_auto(lo_s: f64, hi_s: f64, axis_len_px: f64, vertical: bool) -> Ticks {
    let calendar = Calendar::ProlepticGregorian;
    dates_styled(lo_s, hi_s, axis_len_px, vertical, DateStyle::Auto, calendar)
}

pub fn dates_styled(
    lo_s: f64,
    hi_s: f64,
    axis_len_px: f64,
    vertical: bool,
    style: DateStyle,
    calendar: Calendar,
) -> Ticks {
    let (lo_s, hi_s) = ordered(lo_s, hi_s);
    let Some(view) = dates::View::new(lo_s, hi_s, calendar) else {
        return Ticks::default();
    };
    // matplotlib's pick stands even with fewer than two ticks; a sparser one needs two.
    let mut fallback = None;
    for (n, locator) in view.locators().into_iter().enumerate() {
        let ticks = view.ticks(locator, style);
        if n > 0 && ticks.ticks.len() < 2 {
            continue;
        }
        if overlap::fits(&ticks.ticks, lo_s, hi_s, axis_len_px, vertical) {
            return ticks;
        }
        fallback.get_or_insert(ticks);
    }
    let mut ticks = fallback.unwrap_or_default();
    ticks.ticks = overlap::thin(ticks.ticks, lo_s, hi_s, axis_len_px, vertical);
    ticks
}

/// `_interval_contains_close`: the axis draws ticks up to 1e-10 of the range outside the view.
fn contains_close(lo: f64, hi: f64, v: f64) -> bool {
    let slack = (hi - lo) * 1e-10;
    lo - slack <= v && v <= hi + slack
}

#[cfg(test)]
mod tests {
    use super::testing::{check, X_LEN};
    use super::*;

    #[test]
    fn degenerate_limits_do_not_panic() {
        assert_eq!(linear(f64::NAN, 1.0, X_LEN, false), Ticks::default());
        let t = linear(3.0, 3.0, X_LEN, false);
        assert!(t.ticks.len() <= 1, "{t:?}");
        check("reversed x", |lo, hi| linear(lo, hi, X_LEN, false));
        let gregorian = Calendar::ProlepticGregorian;
        assert_eq!(
            dates(f64::INFINITY, 0.0, X_LEN, false, gregorian),
            Ticks::default()
        );
        assert_eq!(dates(0.0, 1e13, X_LEN, false, gregorian), Ticks::default());
        for (lo, hi) in [(-2.4e11, 2.4e11), (0.0, 0.0), (1e9, 1e9 + 1e-7)] {
            for (style, calendar) in [
                (DateStyle::Concise, gregorian),
                (DateStyle::Auto, gregorian),
                (DateStyle::CfTime, Calendar::Day360),
                (DateStyle::CfTime, Calendar::Julian),
            ] {
                let t = dates_styled(lo, hi, X_LEN, false, style, calendar);
                let fits = overlap::fits(&t.ticks, lo, hi.max(lo + 1e-9), X_LEN, false);
                assert!(fits, "{t:?}");
            }
        }
    }

    #[test]
    fn reversed_limits_give_the_same_ticks() {
        let cx = |lo, hi| dates(lo, hi, X_LEN, false, Calendar::ProlepticGregorian);
        assert_eq!(cx(979797600.0, 945108000.0), cx(945108000.0, 979797600.0));
        let x = |lo, hi| linear(lo, hi, X_LEN, false);
        assert_eq!(x(1.05, -0.05), x(-0.05, 1.05));
    }
}
