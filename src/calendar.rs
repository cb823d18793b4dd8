//! The proleptic Gregorian calendar in UTC, as CF times and matplotlib's dates use it:
//! days since 1970-01-01 to and from dates (Howard Hinnant's algorithms), and a time as
//! xarray puts it in a title.

/// Days since 1970-01-01 of a date.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month, day) of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The precision a time coordinate carries; `format_date` rounds to it before printing so
/// that f64 round-off does not show up as spurious fractions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateResolution {
    Day,
    Second,
    Millisecond,
    Microsecond,
    Nanosecond,
}

impl DateResolution {
    fn nanos(self) -> i128 {
        match self {
            DateResolution::Day => 86_400_000_000_000,
            DateResolution::Second => 1_000_000_000,
            DateResolution::Millisecond => 1_000_000,
            DateResolution::Microsecond => 1_000,
            DateResolution::Nanosecond => 1,
        }
    }
}

/// A time as xarray titles a plot of one time slice (`format_timestamp`, pandas'
/// `isoformat`): "2000-01-15" at midnight, else "2000-01-15T06:00:00", with ".500000" or
/// ".000000001" when there are fractions of a second.
pub fn format_date(seconds: f64, resolution: DateResolution) -> String {
    if !seconds.is_finite() {
        return "NaT".to_string();
    }
    // Whole seconds and their fraction apart: `seconds * 1e9` alone would round to 128 ns
    // near 2000. Beyond i64 seconds (far past any calendar) the value saturates.
    let whole = seconds.floor();
    let ns = whole as i128 * 1_000_000_000 + ((seconds - whole) * 1e9).round() as i128;
    let step = resolution.nanos();
    let ns = (ns + step / 2).div_euclid(step) * step;
    let ns_per_day = 86_400_000_000_000i128;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips() {
        for days in [-1_000_000i64, -719_468, -1, 0, 1, 10_957, 11_016, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(10_957), (2000, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

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
