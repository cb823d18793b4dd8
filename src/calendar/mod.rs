//! The one home of dates: the CF calendars (`kind`: standard, proleptic Gregorian, noleap,
//! all_leap, 360_day, julian) and their day counts, date-times to the microsecond here; CF time
//! units ("days since 2000-01-01") and dates written by users in `cf`; times as titles and tick
//! labels print them in `format`. Every time is seconds since 1970-01-01 of its calendar: Unix
//! time for the Gregorian ones, as CF times, xarray's titles and matplotlib's date ticks use it.

mod cf;
mod format;
mod kind;

pub use cf::parse_date;
pub use cf::TimeUnits;
pub use format::{cftime_strftime, strftime};
pub use kind::Calendar;

pub const US_PER_SECOND: i64 = 1_000_000;
pub const US_PER_MINUTE: i64 = 60 * US_PER_SECOND;
pub const US_PER_HOUR: i64 = 60 * US_PER_MINUTE;
pub const US_PER_DAY: i64 = 24 * US_PER_HOUR;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date (year, month, day) of a day count since 1970-01-01.
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

/// A date and time of day to the microsecond, as Python's `datetime` holds one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub micro: u32,
}

impl Civil {
    /// The date-time `us` microseconds after 1970-01-01T00:00:00 of `calendar`.
    pub fn from_us(us: i64, calendar: Calendar) -> Civil {
        let (days, in_day) = (us.div_euclid(US_PER_DAY), us.rem_euclid(US_PER_DAY));
        let (year, month, day) = calendar.civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: (in_day / US_PER_HOUR) as u32,
            minute: (in_day / US_PER_MINUTE % 60) as u32,
            second: (in_day / US_PER_SECOND % 60) as u32,
            micro: (in_day % US_PER_SECOND) as u32,
        }
    }

    /// Microseconds since 1970-01-01T00:00:00 of `calendar`.
    pub fn to_us(self, calendar: Calendar) -> i64 {
        calendar.days_from_civil(self.year, self.month, self.day) * US_PER_DAY
            + i64::from(self.hour) * US_PER_HOUR
            + i64::from(self.minute) * US_PER_MINUTE
            + i64::from(self.second) * US_PER_SECOND
            + i64::from(self.micro)
    }

    /// `self + relativedelta(months=n)`: the day is clipped to the target month's length.
    /// Years are counted through a year zero; a calendar without one never meets it in a
    /// view of dates it has.
    pub fn plus_months(self, n: i64, calendar: Calendar) -> Civil {
        let index = self.year * 12 + i64::from(self.month) - 1 + n;
        let (year, month) = (index.div_euclid(12), index.rem_euclid(12) as u32 + 1);
        Civil {
            year,
            month,
            day: self.day.min(calendar.month_days(year, month)),
            ..self
        }
    }

    /// The six fields Python's `timetuple()[:6]` gives: year, month, day, hour, minute,
    /// second.
    pub fn fields(&self) -> [i64; 6] {
        [
            self.year,
            i64::from(self.month),
            i64::from(self.day),
            i64::from(self.hour),
            i64::from(self.minute),
            i64::from(self.second),
        ]
    }
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
    fn civil_times_come_from_microseconds_in_their_calendar() {
        // 1970-01-01 minus one day: in a 360-day calendar, the 30th of the last month.
        let c = Civil::from_us(-US_PER_DAY, Calendar::Day360);
        assert_eq!((c.year, c.month, c.day), (1969, 12, 30));
        assert_eq!(c.to_us(Calendar::Day360), -US_PER_DAY);
        let jan31 = Civil {
            day: 31,
            ..Civil::from_us(0, Calendar::NoLeap)
        };
        assert_eq!(jan31.plus_months(1, Calendar::NoLeap).day, 28);
        assert_eq!(jan31.plus_months(1, Calendar::AllLeap).day, 29);
        assert_eq!(jan31.plus_months(1, Calendar::Day360).day, 30);
        let c = Civil::from_us(-1, Calendar::ProlepticGregorian);
        assert_eq!((c.year, c.hour, c.second, c.micro), (1969, 23, 59, 999_999));
        assert_eq!(
            strftime(&c, "%Y-%b-%d %H:%M:%S.%f %%"),
            "1969-Dec-31 23:59:59.999999 %"
        );
    }
}
