//! The CF calendars and how each counts days. A time in any of them is one number, seconds
//! since 1970-01-01 00:00:00 of that calendar (its days are all 86 400 s long): for the
//! Gregorian calendars this is Unix time, so today's axes and titles do not change.

use super::{civil_from_days, days_from_civil};

/// A calendar of CF's `calendar` attribute, as cftime reckons it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Calendar {
    /// `standard` (`gregorian`, or no calendar): Julian up to 1582-10-04, Gregorian from
    /// the next day, 1582-10-15; no year zero (1 BC is year -1), as cftime has it.
    Standard,
    /// `proleptic_gregorian`: Gregorian all the way back, with a year zero (ISO 8601,
    /// numpy's datetime64).
    ProlepticGregorian,
    /// `noleap` / `365_day`: no February 29.
    NoLeap,
    /// `all_leap` / `366_day`: a February 29 every year.
    AllLeap,
    /// `360_day`: twelve months of 30 days.
    Day360,
    /// `julian`: a leap year every fourth year; no year zero.
    Julian,
}

/// Day counts of months in a common and in a leap year.
const MONTH_DAYS: [[u32; 12]; 2] = [
    [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
    [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
];

/// Days before each month in a common and in a leap year.
const DAYS_BEFORE: [[u32; 12]; 2] = [
    [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334],
    [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335],
];

/// The last Julian day of the standard calendar, and its first Gregorian one.
const LAST_JULIAN: (i64, u32, u32) = (1582, 10, 4);
const FIRST_GREGORIAN: (i64, u32, u32) = (1582, 10, 15);
/// Unix day of Gregorian 1582-10-15, which follows Julian 1582-10-04.
const SWITCH_DAY: i64 = -141_427;
/// Julian 1970-01-01 is Gregorian 1970-01-14.
const JULIAN_UNIX_OFFSET: i64 = 13;

impl Calendar {
    /// The calendar a CF `calendar` attribute names (case aside); no attribute is CF's
    /// default, `standard`. `None` for a name CF and cftime do not know (`none`, `utc`, …).
    pub fn from_cf(name: Option<&str>) -> Option<Calendar> {
        let Some(name) = name else {
            return Some(Calendar::Standard);
        };
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "standard" | "gregorian" => Calendar::Standard,
            "proleptic_gregorian" => Calendar::ProlepticGregorian,
            "noleap" | "365_day" => Calendar::NoLeap,
            "all_leap" | "366_day" => Calendar::AllLeap,
            "360_day" => Calendar::Day360,
            "julian" => Calendar::Julian,
            _ => return None,
        })
    }

    /// The calendar's CF name, as error messages give it.
    pub fn name(self) -> &'static str {
        match self {
            Calendar::Standard => "standard",
            Calendar::ProlepticGregorian => "proleptic_gregorian",
            Calendar::NoLeap => "noleap",
            Calendar::AllLeap => "all_leap",
            Calendar::Day360 => "360_day",
            Calendar::Julian => "julian",
        }
    }

    /// Whether the calendar is the one numpy's datetime64 and pandas use (from 1582-10-15 on
    /// for `standard`): xarray decodes such times to datetime64, and titles and ticks them as
    /// pandas and matplotlib do; other calendars become cftime objects, shown as cftime and
    /// nc-time-axis show them.
    pub fn is_gregorian(self) -> bool {
        matches!(self, Calendar::Standard | Calendar::ProlepticGregorian)
    }

    /// Whether a year 0 comes between years -1 and 1 (cftime's `has_year_zero`).
    pub fn has_year_zero(self) -> bool {
        !matches!(self, Calendar::Standard | Calendar::Julian)
    }

    /// Days since this calendar's 1970-01-01 of a date (`year` as written: without a year
    /// zero, -1 is 1 BC). A date the calendar lacks is counted as its nearest neighbour
    /// (tick placement may ask for one; `check_date` refuses them).
    pub fn days_from_civil(self, year: i64, month: u32, day: u32) -> i64 {
        let month = month.clamp(1, 12);
        let day = day.clamp(1, self.month_days(year, month));
        let astro = self.astronomical(year);
        match self {
            Calendar::ProlepticGregorian => days_from_civil(year, month, day),
            Calendar::Standard => {
                if (year, month, day) >= FIRST_GREGORIAN {
                    days_from_civil(astro, month, day)
                } else if (year, month, day) <= LAST_JULIAN {
                    julian_days(astro, month, day) + JULIAN_UNIX_OFFSET
                } else {
                    SWITCH_DAY
                }
            }
            Calendar::Julian => julian_days(astro, month, day),
            Calendar::NoLeap | Calendar::AllLeap => {
                let leap = usize::from(self == Calendar::AllLeap);
                (year - 1970) * (365 + leap as i64)
                    + i64::from(DAYS_BEFORE[leap][month as usize - 1])
                    + i64::from(day)
                    - 1
            }
            Calendar::Day360 => {
                (year - 1970) * 360 + i64::from(month - 1) * 30 + i64::from(day) - 1
            }
        }
    }

    /// The date (year as written, month, day) of a count of days since this calendar's
    /// 1970-01-01.
    pub fn civil_from_days(self, days: i64) -> (i64, u32, u32) {
        let (astro, month, day) = match self {
            Calendar::ProlepticGregorian => return civil_from_days(days),
            Calendar::Standard if days >= SWITCH_DAY => civil_from_days(days),
            Calendar::Standard => julian_from_days(days - JULIAN_UNIX_OFFSET),
            Calendar::Julian => julian_from_days(days),
            Calendar::NoLeap | Calendar::AllLeap => {
                let leap = usize::from(self == Calendar::AllLeap);
                let length = 365 + leap as i64;
                let (years, doy) = (days.div_euclid(length), days.rem_euclid(length) as u32);
                let month = DAYS_BEFORE[leap]
                    .iter()
                    .rposition(|&d| d <= doy)
                    .unwrap_or(0);
                let day = doy - DAYS_BEFORE[leap][month] + 1;
                return (1970 + years, month as u32 + 1, day);
            }
            Calendar::Day360 => {
                let (years, doy) = (days.div_euclid(360), days.rem_euclid(360) as u32);
                return (1970 + years, doy / 30 + 1, doy % 30 + 1);
            }
        };
        (self.written_year(astro), month, day)
    }

    /// How many days `month` of `year` has (a standard October 1582 is numbered to 31,
    /// though ten of its days are missing).
    pub fn month_days(self, year: i64, month: u32) -> u32 {
        let m = month.clamp(1, 12) as usize - 1;
        match self {
            Calendar::Day360 => 30,
            Calendar::NoLeap => MONTH_DAYS[0][m],
            Calendar::AllLeap => MONTH_DAYS[1][m],
            _ => MONTH_DAYS[usize::from(self.is_leap(year))][m],
        }
    }

    fn is_leap(self, year: i64) -> bool {
        let y = self.astronomical(year);
        let julian = y.rem_euclid(4) == 0;
        let gregorian = julian && (y.rem_euclid(100) != 0 || y.rem_euclid(400) == 0);
        match self {
            Calendar::ProlepticGregorian => gregorian,
            Calendar::Standard if year > FIRST_GREGORIAN.0 => gregorian,
            Calendar::Standard | Calendar::Julian => julian,
            Calendar::NoLeap | Calendar::Day360 => false,
            Calendar::AllLeap => true,
        }
    }

    /// Whether the calendar has this date; if not, why not, as an error message ends.
    pub fn check_date(self, year: i64, month: u32, day: u32) -> Result<(), String> {
        if year == 0 && !self.has_year_zero() {
            return Err(format!(
                "the {} calendar has no year 0 (1 BC is year -1)",
                self.name()
            ));
        }
        if !(1..=12).contains(&month) {
            return Err(format!("there is no month {month}"));
        }
        let length = self.month_days(year, month);
        if day == 0 || day > length {
            let which = MONTH_NAMES[month as usize - 1];
            return Err(match self {
                Calendar::Day360 => "every month of the 360_day calendar has 30 days".to_string(),
                _ => format!(
                    "{which} {year} has {length} days in the {} calendar",
                    self.name()
                ),
            });
        }
        if self == Calendar::Standard
            && (year, month, day) > LAST_JULIAN
            && (year, month, day) < FIRST_GREGORIAN
        {
            return Err(
                "the standard calendar goes from Julian 1582-10-04 to Gregorian 1582-10-15; \
                 use the proleptic_gregorian calendar for Gregorian dates before then"
                    .to_string(),
            );
        }
        Ok(())
    }

    /// Astronomical year (1 BC is 0) of a year as written in this calendar.
    fn astronomical(self, year: i64) -> i64 {
        if self.has_year_zero() || year > 0 {
            year
        } else {
            year + 1
        }
    }

    fn written_year(self, astro: i64) -> i64 {
        if self.has_year_zero() || astro > 0 {
            astro
        } else {
            astro - 1
        }
    }
}

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Days since Julian 1970-01-01 of a Julian date (astronomical year): Hinnant's algorithm
/// with the Julian calendar's 4-year cycle of 1461 days in place of the 400-year one.
fn julian_days(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    365 * y + y.div_euclid(4) + doy - 719_483
}

/// The Julian date (astronomical year) of a count of days since Julian 1970-01-01.
fn julian_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_483;
    let cycle = z.div_euclid(1461);
    let doc = z - cycle * 1461;
    let yoc = (doc - doc / 1460) / 365;
    let doy = doc - 365 * yoc;
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (4 * cycle + yoc + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Calendar; 6] = [
        Calendar::Standard,
        Calendar::ProlepticGregorian,
        Calendar::NoLeap,
        Calendar::AllLeap,
        Calendar::Day360,
        Calendar::Julian,
    ];

    #[test]
    fn every_calendar_counts_from_its_own_1970_01_01_and_round_trips() {
        for cal in ALL {
            assert_eq!(cal.days_from_civil(1970, 1, 1), 0, "{cal:?}");
            for days in (-800_000..800_000).step_by(997) {
                let (y, m, d) = cal.civil_from_days(days);
                assert_eq!(cal.check_date(y, m, d), Ok(()), "{cal:?} {y}-{m}-{d}");
                assert_eq!(cal.days_from_civil(y, m, d), days, "{cal:?} {y}-{m}-{d}");
            }
        }
    }

    #[test]
    fn the_standard_calendar_jumps_from_october_4_to_15_in_1582() {
        let cal = Calendar::Standard;
        let switch = cal.days_from_civil(1582, 10, 15);
        assert_eq!(switch, SWITCH_DAY);
        assert_eq!(switch, days_from_civil(1582, 10, 15));
        assert_eq!(cal.civil_from_days(switch - 1), (1582, 10, 4));
        assert_eq!(cal.days_from_civil(2000, 1, 1), 10_957);
        assert!(cal.check_date(1582, 10, 10).is_err());
        // Julian 1600 was a leap year before the switch; Gregorian 1700 was not.
        assert_eq!(cal.month_days(1500, 2), 29);
        assert_eq!(cal.month_days(1700, 2), 28);
    }

    #[test]
    fn dates_a_calendar_lacks_are_refused_saying_why() {
        let refused = |cal: Calendar, y, m, d| cal.check_date(y, m, d).unwrap_err();
        assert_eq!(
            refused(Calendar::NoLeap, 2000, 2, 29),
            "February 2000 has 28 days in the noleap calendar"
        );
        assert_eq!(
            refused(Calendar::Day360, 1850, 1, 31),
            "every month of the 360_day calendar has 30 days"
        );
        assert!(refused(Calendar::Julian, 0, 1, 1).contains("no year 0"));
        assert_eq!(Calendar::Day360.check_date(1850, 2, 30), Ok(()));
        assert_eq!(Calendar::AllLeap.check_date(1851, 2, 29), Ok(()));
        assert_eq!(Calendar::ProlepticGregorian.check_date(0, 2, 29), Ok(()));
    }

    #[test]
    fn cf_names_choose_the_calendar() {
        assert_eq!(Calendar::from_cf(None), Some(Calendar::Standard));
        assert_eq!(
            Calendar::from_cf(Some("Gregorian")),
            Some(Calendar::Standard)
        );
        assert_eq!(Calendar::from_cf(Some("365_day")), Some(Calendar::NoLeap));
        assert_eq!(Calendar::from_cf(Some("366_day")), Some(Calendar::AllLeap));
        assert_eq!(Calendar::from_cf(Some("none")), None);
    }
}
