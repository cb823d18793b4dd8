//! Times as text: as xarray titles a plot of one time slice, and the strftime codes
//! matplotlib's date tick formatters use.

use super::{civil_from_days, Calendar, Civil};

/// The precision a time coordinate carries; `format_date` rounds to it before printing so
/// that f64 round-off does not show up as spurious fractions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateResolution {
    Day,
    Second,
    // Finer times are printed right (tested), though titles are made at whole seconds today.
    #[cfg(test)]
    Millisecond,
    #[cfg(test)]
    Microsecond,
    #[cfg(test)]
    Nanosecond,
}

impl DateResolution {
    fn nanos(self) -> i128 {
        match self {
            DateResolution::Day => 86_400_000_000_000,
            DateResolution::Second => 1_000_000_000,
            #[cfg(test)]
            DateResolution::Millisecond => 1_000_000,
            #[cfg(test)]
            DateResolution::Microsecond => 1_000,
            #[cfg(test)]
            DateResolution::Nanosecond => 1,
        }
    }
}

/// A time as xarray titles a plot of one time slice (`format_timestamp`, pandas'
/// `isoformat`): "2000-01-15" at midnight, else "2000-01-15T06:00:00", with ".500000" or
/// ".000000001" when there are fractions of a second.
fn format_date(seconds: f64, resolution: DateResolution) -> String {
    if !seconds.is_finite() {
        return "NaT".to_string();
    }
    // Whole seconds and their fraction apart: `seconds * 1e9` alone would round to 128 ns
    // near 2000. Beyond i64 seconds (far past any calendar) the value saturates.
    let whole = seconds.floor();
    let ns = whole as i128 * 1_000_000_000 + ((seconds - whole) * 1e9).round() as i128;
    let step = resolution.nanos();
    let ns = (ns + step / 2).div_euclid(step) * step;
    let ns_per_day = DateResolution::Day.nanos();
    let (days, in_day) = (ns.div_euclid(ns_per_day), ns.rem_euclid(ns_per_day));
    let (year, month, day) = civil_from_days(days as i64);
    let date = format!("{year:04}-{month:02}-{day:02}");
    if in_day == 0 {
        return date;
    }
    let secs = in_day / 1_000_000_000;
    let frac = in_day % 1_000_000_000;
    let time = format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    let fraction = match frac {
        0 => String::new(),
        f if f % 1000 == 0 => format!(".{:06}", f / 1000),
        f => format!(".{f:09}"),
    };
    format!("{date}T{time}{fraction}")
}

/// A time of a CF time coordinate as xarray titles it: the date alone at midnight, else
/// date and time to the second.
pub fn format_instant(unix_seconds: f64) -> String {
    format_date(unix_seconds, DateResolution::Second)
}

/// A time as cftime's `str` prints it, which xarray titles a plot of a cftime time slice
/// with: "1850-01-15 00:00:00", ".500000" after the seconds when there are microseconds,
/// years to four digits at least ("0005", "-0100", "12000").
pub fn format_cftime(us: i64, calendar: Calendar) -> String {
    let c = Civil::from_us(us, calendar);
    let text = cftime_strftime(&c, "%Y-%m-%d %H:%M:%S");
    match c.micro {
        0 => text,
        micro => format!("{text}.{micro:06}"),
    }
}

/// cftime's `strftime`, which nc-time-axis labels ticks with: Python's codes, but `%Y` at
/// least four digits ("0005", "-0100").
pub fn cftime_strftime(c: &Civil, format: &str) -> String {
    let year = if c.year < 0 {
        format!("-{:04}", -c.year)
    } else {
        format!("{:04}", c.year)
    };
    render(c, format, &year)
}

const MONTH_ABBR: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The strftime codes matplotlib's date formatters use, as CPython prints them on Linux
/// (C locale; `%Y` unpadded below year 1000).
pub fn strftime(c: &Civil, format: &str) -> String {
    render(c, format, &c.year.to_string())
}

fn render(c: &Civil, format: &str, year: &str) -> String {
    let mut out = String::new();
    let mut chars = format.chars();
    while let Some(ch) = chars.next() {
        if ch != '%' {
            out.push(ch);
            continue;
        }
        match chars.next() {
            Some('Y') => out.push_str(year),
            Some('m') => out.push_str(&format!("{:02}", c.month)),
            Some('d') => out.push_str(&format!("{:02}", c.day)),
            Some('H') => out.push_str(&format!("{:02}", c.hour)),
            Some('M') => out.push_str(&format!("{:02}", c.minute)),
            Some('S') => out.push_str(&format!("{:02}", c.second)),
            Some('f') => out.push_str(&format!("{:06}", c.micro)),
            Some('b') => out.push_str(MONTH_ABBR[(c.month as usize + 11) % 12]),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_format_times_as_xarray() {
        // xarray's `_title_for_slice` on an isel'd datetime64[ns] coordinate (xarray 2026.9).
        let jan15 = 947894400.0;
        assert_eq!(format_date(jan15, DateResolution::Second), "2000-01-15");
        assert_eq!(
            format_date(jan15 + 6.0 * 3600.0, DateResolution::Second),
            "2000-01-15T06:00:00"
        );
        assert_eq!(
            format_date(jan15 + 21600.5, DateResolution::Microsecond),
            "2000-01-15T06:00:00.500000"
        );
        assert_eq!(
            format_date(-14182940.0, DateResolution::Second),
            "1969-07-20T20:17:40"
        );
        assert_eq!(
            format_date(946684800.25, DateResolution::Millisecond),
            "2000-01-01T00:00:00.250000"
        );
        assert_eq!(
            format_date(1e-9, DateResolution::Nanosecond),
            "1970-01-01T00:00:00.000000001"
        );
        assert_eq!(
            format_date(947916000.25, DateResolution::Nanosecond),
            "2000-01-15T06:00:00.250000"
        );
        assert_eq!(format_date(-0.5, DateResolution::Second), "1970-01-01");
        assert_eq!(
            format_date(-1.5, DateResolution::Second),
            "1969-12-31T23:59:59"
        );
        assert_eq!(format_date(f64::NAN, DateResolution::Second), "NaT");
        // CF "days since 2000-01-01" at day 14.0000001 is 8.64 ms past midnight: noise to a
        // whole-second or whole-day coordinate, a fraction to a microsecond one.
        let day14 = 946684800.0 + 14.0000001 * 86400.0;
        assert_eq!(format_date(day14, DateResolution::Second), "2000-01-15");
        assert_eq!(format_date(day14, DateResolution::Day), "2000-01-15");
        assert_eq!(
            format_date(day14, DateResolution::Microsecond),
            "2000-01-15T00:00:00.008640"
        );
    }
}
