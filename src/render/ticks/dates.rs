//! Time axes as matplotlib's `AutoDateLocator` (`minticks = 5`, `interval_multiples = True`)
//! places ticks, in the axis' calendar (a noleap axis has no February 29, a 360_day one
//! twelve months of 30 days), labelled by `AutoDateFormatter` or nc-time-axis'
//! `AutoCFTimeFormatter` here or `ConciseDateFormatter` (concise.rs). Times are seconds since
//! 1970-01-01 of the calendar (Unix time for the Gregorian ones); calendars are
//! crate::calendar's.

use super::{concise, contains_close, DateStyle, Tick, Ticks};
#[cfg(test)]
use crate::calendar::strftime;
use crate::calendar::{
    cftime_strftime, Calendar, Civil, US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND,
};

/// A date axis' view: its limits in seconds, and as the dates matplotlib sees at its ends.
pub struct View {
    lo_s: f64,
    hi_s: f64,
    dmin: Civil,
    dmax: Civil,
    calendar: Calendar,
}

impl View {
    /// None for limits too far from 1970 to be dates (see `seconds_to_us`).
    pub fn new(lo_s: f64, hi_s: f64, calendar: Calendar) -> Option<View> {
        let (Some(lo), Some(hi)) = (seconds_to_us(lo_s), seconds_to_us(hi_s)) else {
            return None;
        };
        Some(View {
            lo_s,
            hi_s,
            dmin: num2date(lo, calendar),
            dmax: num2date(hi, calendar),
            calendar,
        })
    }

    /// The locator `AutoDateLocator.get_locator` picks for the view.
    pub fn matplotlib_pick(&self) -> DateLocator {
        auto_date_locator(&span_counts(self.dmin, self.dmax, self.calendar))
    }

    /// matplotlib's pick, then ever sparser ones.
    pub fn locators(&self) -> Vec<DateLocator> {
        sparser_locators(self.matplotlib_pick())
    }

    /// The labelled ticks of one locator, those inside the view only. Labels are made from
    /// every located tick, as matplotlib's axis formats them before it drops the ones outside.
    pub fn ticks(&self, loc: DateLocator, style: DateStyle) -> Ticks {
        let locs = date_locs(loc, self.dmin, self.dmax, self.calendar);
        let civil: Vec<Civil> = locs.iter().map(|&us| num2date(us, self.calendar)).collect();
        let (labels, offset_text) = match style {
            DateStyle::Concise => concise::labels(&civil),
            DateStyle::CfTime => {
                let format = loc.format_unit.cftime_format();
                let labels = civil.iter().map(|c| cftime_strftime(c, format)).collect();
                (labels, None)
            }
            #[cfg(test)]
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
            .filter(|t| contains_close(self.lo_s, self.hi_s, t.value))
            .collect();
        Ticks { ticks, offset_text }
    }
}

/// Whole microseconds since 1970, or None more than about 7900 years away, which keeps all
/// the calendar arithmetic far from i64 overflow (matplotlib itself stops at years 1 and 9999).
fn seconds_to_us(seconds: f64) -> Option<i64> {
    let us = (seconds * 1e6).round();
    (us.is_finite() && us.abs() < 2.5e17).then_some(us as i64)
}

/// matplotlib's `num2date`: to the microsecond, and to 20 µs more than 70 years from 1970,
/// which is what it does to hide the round-off of float days.
fn num2date(us: i64, calendar: Calendar) -> Civil {
    let c = Civil::from_us(us, calendar);
    if (us as f64 / US_PER_DAY as f64).abs() <= 70.0 * 365.0 {
        return c;
    }
    let micro = ((f64::from(c.micro) / 20.0).round_ties_even() * 20.0) as i64;
    Civil::from_us(us - i64::from(c.micro) + micro, calendar)
}

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
    #[cfg(test)]
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

    /// nc-time-axis' `AutoCFTimeFormatter` format for its resolution of this name (it has
    /// none finer than seconds; fractions are then matplotlib's `%M:%S.%f`).
    fn cftime_format(self) -> &'static str {
        match self {
            Freq::Yearly => "%Y",
            Freq::Monthly => "%Y-%m",
            Freq::Daily => "%Y-%m-%d",
            Freq::Hourly => "%Y-%m-%d %H:%M",
            Freq::Minutely => "%H:%M",
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
pub struct DateLocator {
    freq: Freq,
    interval: i64,
    format_unit: Freq,
}

/// How many whole years, months, days, hours, minutes, seconds and microseconds the view
/// spans, counted as AutoDateLocator does (relativedelta for years and months).
fn span_counts(dmin: Civil, dmax: Civil, calendar: Calendar) -> [i64; 7] {
    let (a, b) = (dmin.to_us(calendar), dmax.to_us(calendar));
    let mut months = (dmax.year - dmin.year) * 12 + i64::from(dmax.month) - i64::from(dmin.month);
    while dmin.plus_months(months, calendar).to_us(calendar) > b {
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
fn date_locs(loc: DateLocator, dmin: Civil, dmax: Civil, calendar: Calendar) -> Vec<i64> {
    let (lo, hi) = (dmin.to_us(calendar), dmax.to_us(calendar));
    let locs = match loc.freq {
        Freq::Yearly => yearly_locs(loc.interval, dmin, hi, calendar),
        Freq::Monthly => monthly_locs(loc.interval, dmin, hi, calendar),
        Freq::Microsecondly => return microsecond_locs(loc.interval, lo, hi),
        freq => stepped_locs(freq, loc.interval, lo, hi, calendar),
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

/// `YearLocator(base)`: 1 January of years that are multiples of `base` (never a year 0
/// the calendar lacks: nc-time-axis drops those ticks).
fn yearly_locs(base: i64, dmin: Civil, hi: i64, calendar: Calendar) -> Vec<i64> {
    let mut year = dmin.year.div_euclid(base) * base;
    if year < 1 && dmin.year >= 1 {
        year = 1;
    }
    let lo = dmin.to_us(calendar);
    let mut out = Vec::new();
    while out.len() < MAX_DATE_TICKS {
        let t = calendar.days_from_civil(year, 1, 1) * US_PER_DAY;
        if t > hi {
            break;
        }
        if t >= lo && (year != 0 || calendar.has_year_zero()) {
            out.push(t);
        }
        year += base;
    }
    out
}

/// MONTHLY rrule: midnight on the 1st of the allowed months.
fn monthly_locs(interval: i64, dmin: Civil, hi: i64, calendar: Calendar) -> Vec<i64> {
    let lo = dmin.to_us(calendar);
    let mut index = dmin.year * 12 + i64::from(dmin.month) - 1;
    let mut out = Vec::new();
    while out.len() < MAX_DATE_TICKS {
        let (year, month) = (index.div_euclid(12), index.rem_euclid(12) as u32 + 1);
        let t = calendar.days_from_civil(year, month, 1) * US_PER_DAY;
        if t > hi {
            break;
        }
        let real = year != 0 || calendar.has_year_zero();
        if t >= lo && real && allowed(Freq::Monthly, interval, month) {
            out.push(t);
        }
        index += 1;
    }
    out
}

/// DAILY, HOURLY, MINUTELY and SECONDLY rrules: whole units whose field is allowed, finer
/// fields zero.
fn stepped_locs(freq: Freq, interval: i64, lo: i64, hi: i64, calendar: Calendar) -> Vec<i64> {
    let unit = freq.unit_us();
    let mut t = lo.div_euclid(unit) * unit;
    if t < lo {
        t += unit;
    }
    let mut out = Vec::new();
    let mut steps = 0;
    while t <= hi && steps < 400_000 && out.len() < MAX_DATE_TICKS {
        let c = Civil::from_us(t, calendar);
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

#[cfg(test)]
mod tests {
    //! Expected labels are matplotlib's: see tests/data/matplotlib_ticks.py for each case's
    //! view limits and axis.

    use super::super::testing::{ax, check, cx, Y_LEN};
    use super::super::{dates, dates_auto};
    use super::*;

    /// With the overlap check off: matplotlib's own choice.
    fn mpl(style: DateStyle) -> impl Fn(f64, f64) -> Ticks {
        move |lo, hi| {
            let view = View::new(lo, hi, Calendar::ProlepticGregorian).unwrap();
            view.ticks(view.matplotlib_pick(), style)
        }
    }

    fn cy(lo: f64, hi: f64) -> Ticks {
        dates(lo, hi, Y_LEN, true, Calendar::ProlepticGregorian)
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
        let gregorian = Calendar::ProlepticGregorian;
        let c = span_counts(at(2000, 1, 31, 0), at(2000, 2, 28, 0), gregorian);
        assert_eq!(c[..3], [0, 0, 28]);
        // In noleap, Jan 31 + 1 month is Feb 28: one whole month.
        let c = span_counts(at(2000, 1, 31, 0), at(2000, 2, 28, 0), Calendar::NoLeap);
        assert_eq!(c[..3], [0, 1, 28]);
        let c = span_counts(at(1999, 12, 25, 6), at(2001, 3, 1, 5), gregorian);
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
