//! CF time units: numbers that are "`<unit> since <date>[ <time>][ <zone>]`" in a calendar,
//! and dates as users write them ("2020-01-01", "1850-01-15 12:00:00") in one. Reading the
//! `units` and `calendar` attributes is the input's business (source/input/conventions.rs);
//! the calendar only knows what the text means.

use super::format::{format_cftime, format_instant};
use super::{Calendar, US_PER_DAY};

/// A CF time unit in its calendar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeUnits {
    /// Seconds per unit.
    unit_seconds: f64,
    /// The epoch, in seconds since 1970-01-01T00:00:00 of the calendar (UTC).
    epoch: f64,
    /// The epoch in whole microseconds, as cftime counts it.
    epoch_us: i64,
    calendar: Calendar,
    /// Whether xarray decodes these times to datetime64 (so pandas' text titles them)
    /// rather than to cftime objects.
    datetime64: bool,
}

/// pandas' `Timestamp` range, in seconds either side of 1970: datetime64[ns]'s.
const DATETIME64_NS_LIMIT: f64 = 9_223_372_036.854_775;

impl TimeUnits {
    /// The time units of a variable whose `units` and `calendar` (if any) attributes are
    /// these, if they are CF time units in a calendar cftime knows.
    pub fn in_calendar(units: &str, calendar: Option<&str>) -> Option<TimeUnits> {
        TimeUnits::parse(units, Calendar::from_cf(calendar)?)
    }

    pub fn parse(units: &str, calendar: Calendar) -> Option<TimeUnits> {
        let (unit, since) = units.trim().split_once(" since ")?;
        let unit_seconds = match unit.trim().to_ascii_lowercase().as_str() {
            "days" | "day" | "d" => 86_400.0,
            "hours" | "hour" | "hr" | "h" => 3_600.0,
            "minutes" | "minute" | "min" => 60.0,
            "seconds" | "second" | "sec" | "s" => 1.0,
            "milliseconds" | "millisecond" | "ms" => 1e-3,
            "microseconds" | "microsecond" | "us" => 1e-6,
            "nanoseconds" | "nanosecond" | "ns" => 1e-9,
            _ => return None,
        };
        let (epoch, epoch_us) = parse_epoch(since.trim(), calendar)?;
        Some(TimeUnits {
            unit_seconds,
            epoch,
            epoch_us,
            calendar,
            datetime64: calendar.is_gregorian(),
        })
    }

    pub fn calendar(self) -> Calendar {
        self.calendar
    }

    /// Seconds since 1970-01-01 of the calendar (Unix time in the Gregorian ones) of a value
    /// in these units: the number an axis of these times holds.
    pub fn to_seconds(self, value: f64) -> f64 {
        self.epoch + value * self.unit_seconds
    }

    /// These units as xarray decodes a coordinate of these `values`: datetime64 when the
    /// calendar is Gregorian and every time fits datetime64[ns] (1677-09-21 to 2262-04-11),
    /// else cftime objects (a standard calendar's times before 1582-10-15 are then Julian).
    pub fn for_values(self, values: &[f64]) -> TimeUnits {
        let fits = values
            .iter()
            .filter(|v| v.is_finite())
            .all(|&v| self.to_seconds(v).abs() <= DATETIME64_NS_LIMIT);
        TimeUnits {
            datetime64: self.calendar.is_gregorian() && fits,
            ..self
        }
    }

    /// A value as xarray titles a plot of that time slice: pandas' text ("1850-01-15",
    /// "2000-01-15T06:00:00") for datetime64, cftime's `str` ("1850-01-15 00:00:00",
    /// "1850-01-16 12:00:00.500000") otherwise.
    pub fn title(self, value: f64) -> String {
        if self.datetime64 {
            return format_instant(self.to_seconds(value));
        }
        match self.to_us(value) {
            Some(us) => format_cftime(us, self.calendar),
            None => "NaT".to_string(),
        }
    }

    /// Microseconds since the calendar's 1970-01-01 of a value, as cftime's `num2date`
    /// rounds it (half up); `None` for values that are no time or beyond any calendar.
    fn to_us(self, value: f64) -> Option<i64> {
        let offset = (value * self.unit_seconds * 1e6 + 0.5).floor();
        // About 290 000 years: far past any data set, and far from i64 overflow.
        (offset.is_finite() && offset.abs() < 9e18 - self.epoch_us.unsigned_abs() as f64)
            .then(|| self.epoch_us + offset as i64)
    }
}

/// A date as a user writes it — "2020-01-01", "1850-01-15T12:00", "1850-01-15 12:00:00",
/// seconds with a fraction, a year with a sign — as seconds since 1970-01-01 of `calendar`:
/// the number an axis of times in that calendar holds (`TimeUnits::to_seconds`).
pub fn parse_date(text: &str, calendar: Calendar) -> Result<f64, DateError> {
    let form = || DateError::Form {
        text: text.to_string(),
    };
    let fields = DateFields::parse(text.trim(), true).ok_or_else(form)?;
    fields
        .check(calendar)
        .map_err(|why| DateError::NotInCalendar {
            text: text.trim().to_string(),
            calendar: calendar.name(),
            why,
        })?;
    Ok(fields.seconds(calendar))
}

/// Why a date written by a user was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DateError {
    #[error(
        "{text:?} is not a date: write YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DD HH:MM:SS \
         (e.g. 2020-01-15, 1850-01-15T12:00, 1850-01-15 12:00:00)"
    )]
    Form { text: String },
    #[error("{text} is not a date of the {calendar} calendar: {why}")]
    NotInCalendar {
        text: String,
        calendar: &'static str,
        why: String,
    },
}

/// A date, a time of day and a zone offset, as read from text.
#[derive(Debug, Clone, Copy, PartialEq)]
struct DateFields {
    year: i64,
    month: u32,
    day: u32,
    /// Seconds into the day, fraction included.
    clock: f64,
    /// Seconds east of UTC.
    zone: f64,
}

impl DateFields {
    /// "2000-01-15", "2000-01-15 12:00:00", "2000-1-1T00:00:00Z", "-100-01-01",
    /// "1970-01-01 00:00:00.0 +2:00". `strict` (a user's date): a whole date with two-digit
    /// month and day, hours and minutes together, no zone.
    fn parse(text: &str, strict: bool) -> Option<DateFields> {
        let text = if strict {
            text
        } else {
            text.trim_end_matches(['Z', 'z'])
        };
        let (date, rest) = match text.find(['T', ' ']) {
            Some(i) => (&text[..i], text[i + 1..].trim()),
            None => (text, ""),
        };
        let (negative, date) = match date.strip_prefix('-') {
            Some(date) => (true, date),
            None => (false, date),
        };
        let mut ymd = date.splitn(3, '-');
        let year: i64 = digits(ymd.next()?)?;
        let (month, day) = match (ymd.next(), ymd.next()) {
            (Some(m), Some(d)) => (digits(m)?, digits(d)?),
            _ if strict => return None,
            (m, _) => (m.map_or(Some(1), digits)?, 1),
        };
        if strict && !date.ends_with(&format!("{month:02}-{day:02}")) {
            return None;
        }
        let (clock, zone) = match rest.split_once([' ', '+']) {
            _ if strict => (rest, None),
            Some((clock, zone)) if rest.contains('+') || zone.starts_with('-') => {
                (clock, Some(zone.trim_start_matches('+')))
            }
            _ => (rest, None),
        };
        let mut seconds = 0.0;
        if !clock.is_empty() {
            let mut parts = clock.split(':');
            let h: f64 = number(parts.next()?)?;
            let m: f64 = match parts.next() {
                Some(m) => number(m)?,
                None if strict => return None,
                None => 0.0,
            };
            let s: f64 = parts.next().map_or(Some(0.0), number)?;
            if parts.next().is_some() || h >= 24.0 || m >= 60.0 || s >= 60.0 {
                return None;
            }
            seconds = h * 3600.0 + m * 60.0 + s;
        }
        let mut offset = 0.0;
        if let Some(zone) = zone.filter(|z| !z.is_empty() && *z != "UTC") {
            let negative = zone.starts_with('-');
            let zone = zone.trim_start_matches('-');
            let (h, m) = zone.split_once(':').unwrap_or((zone, "0"));
            offset = h.parse::<f64>().ok()? * 3600.0 + m.parse::<f64>().ok()? * 60.0;
            if negative {
                offset = -offset;
            }
        }
        Some(DateFields {
            year: if negative { -year } else { year },
            month,
            day,
            clock: seconds,
            zone: offset,
        })
    }

    fn check(&self, calendar: Calendar) -> Result<(), String> {
        calendar.check_date(self.year, self.month, self.day)
    }

    fn days(&self, calendar: Calendar) -> i64 {
        calendar.days_from_civil(self.year, self.month, self.day)
    }

    /// Seconds since 1970-01-01 of the calendar, in UTC.
    fn seconds(&self, calendar: Calendar) -> f64 {
        self.days(calendar) as f64 * 86_400.0 + (self.clock - self.zone)
    }
}

/// Digits only (no sign, no spaces), as a date's fields are written.
fn digits<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A clock field: digits with at most one decimal point.
fn number(text: &str) -> Option<f64> {
    let plain = text.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    if !plain || text.starts_with('.') {
        return None;
    }
    text.parse().ok()
}

/// A CF epoch in `calendar`: seconds since its 1970-01-01, and the same in whole
/// microseconds. None unless the calendar has that date.
fn parse_epoch(text: &str, calendar: Calendar) -> Option<(f64, i64)> {
    let fields = DateFields::parse(text, false)?;
    fields.check(calendar).ok()?;
    let us =
        fields.days(calendar) * US_PER_DAY + ((fields.clock - fields.zone) * 1e6).round() as i64;
    Some((fields.seconds(calendar), us))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gregorian(units: &str) -> TimeUnits {
        TimeUnits::parse(units, Calendar::Standard).unwrap()
    }

    #[test]
    fn cf_time_units_place_values_on_dates() {
        let t = gregorian("days since 2000-01-01");
        assert_eq!(format_instant(t.to_seconds(14.0)), "2000-01-15");
        let t = gregorian("hours since 2020-01-01 00:00:00");
        assert_eq!(format_instant(t.to_seconds(30.0)), "2020-01-02T06:00:00");
        let t = gregorian("seconds since 1970-01-01T00:00:00Z");
        assert_eq!(t.to_seconds(1.5), 1.5);
        let t = gregorian("minutes since 2001-1-1 0:0:0");
        assert_eq!(
            format_instant(t.to_seconds(60.0 * 24.0 * 31.0)),
            "2001-02-01"
        );
        let t = gregorian("days since 1850-01-01 00:00:00 +2:00");
        assert_eq!(format_instant(t.to_seconds(0.0)), "1849-12-31T22:00:00");
        for bad in [
            "days",
            "fortnights since 2000-01-01",
            "days since yesterday",
            "days since 1582-10-10",
        ] {
            assert_eq!(TimeUnits::parse(bad, Calendar::Standard), None, "{bad}");
        }
        assert_eq!(
            TimeUnits::parse("days since 1850-02-29", Calendar::NoLeap),
            None
        );
    }

    #[test]
    fn every_cf_calendar_is_placed_on_dates() {
        let units = "days since 2000-01-01";
        for calendar in [
            None,
            Some("standard"),
            Some("Gregorian"),
            Some("proleptic_gregorian"),
            Some("noleap"),
            Some("365_day"),
            Some("all_leap"),
            Some("366_day"),
            Some("360_day"),
            Some("julian"),
        ] {
            assert!(
                TimeUnits::in_calendar(units, calendar).is_some(),
                "{calendar:?}"
            );
        }
        assert_eq!(TimeUnits::in_calendar(units, Some("none")), None);
    }

    #[test]
    fn titles_are_pandas_text_for_datetime64_and_cftime_text_otherwise() {
        // What xarray 2026.9 titles isel'd slices of these coordinates with (cftime 1.6).
        let noleap = TimeUnits::in_calendar("days since 1850-01-01", Some("noleap")).unwrap();
        assert_eq!(noleap.title(14.0), "1850-01-15 00:00:00");
        assert_eq!(noleap.title(15.5), "1850-01-16 12:00:00");
        assert_eq!(noleap.title(45.25), "1850-02-15 06:00:00");
        assert_eq!(noleap.title(15.500001), "1850-01-16 12:00:00.086400");
        assert_eq!(noleap.title(0.1), "1850-01-01 02:24:00");
        assert_eq!(noleap.title(f64::NAN), "NaT");
        let all_leap = TimeUnits::in_calendar("days since 1850-01-01", Some("all_leap")).unwrap();
        assert_eq!(all_leap.title(59.0), "1850-02-29 00:00:00");
        let standard = TimeUnits::in_calendar("days since 1850-01-01", None).unwrap();
        assert_eq!(standard.for_values(&[14.0]).title(14.0), "1850-01-15");
        // A time outside datetime64[ns] makes the whole coordinate cftime, Julian before
        // 1582-10-15.
        let early = TimeUnits::in_calendar("days since 1582-10-01", Some("standard")).unwrap();
        let early = early.for_values(&[0.0, 3.0, 4.0]);
        assert_eq!(early.title(3.0), "1582-10-04 00:00:00");
        assert_eq!(early.title(4.0), "1582-10-15 00:00:00");
        // NCEP's "hours since 1-1-1" counts from Julian 0001-01-01 (two days from the
        // proleptic Gregorian one).
        let ncep = TimeUnits::in_calendar("hours since 1-1-1 00:00:0.0", Some("standard"));
        let ncep = ncep.unwrap();
        assert_eq!(
            ncep.for_values(&[17522904.0]).title(17522904.0),
            "2000-01-01"
        );
        assert_eq!(
            ncep.for_values(&[0.0, 17522904.0]).title(17522904.0),
            "2000-01-01 00:00:00"
        );
    }

    /// A user's date in `units`' numbers, as `--select` compares them (in seconds).
    fn value_of(units: TimeUnits, text: &str) -> Result<f64, DateError> {
        let seconds = parse_date(text, units.calendar())?;
        Ok((seconds - units.to_seconds(0.0)) / (units.to_seconds(1.0) - units.to_seconds(0.0)))
    }

    #[test]
    fn users_dates_become_the_numbers_of_a_coordinate() {
        let noleap = TimeUnits::in_calendar("days since 1850-01-01", Some("noleap")).unwrap();
        assert_eq!(value_of(noleap, "1850-01-15"), Ok(14.0));
        assert_eq!(value_of(noleap, "1850-01-16T12:00"), Ok(15.5));
        assert_eq!(value_of(noleap, "1851-03-01 06:00:00"), Ok(365.0 + 59.25));
        let day360 = TimeUnits::in_calendar("hours since 1850-01-01", Some("360_day")).unwrap();
        assert_eq!(value_of(day360, "1850-02-30"), Ok(59.0 * 24.0));
        assert_eq!(
            parse_date("1970-01-02 00:00:01.5", Calendar::Julian),
            Ok(86_401.5)
        );
        assert_eq!(
            parse_date("-0100-03-01", Calendar::NoLeap).map(|s| s < 0.0),
            Ok(true)
        );
        let why = value_of(noleap, "2000-02-29").unwrap_err().to_string();
        assert_eq!(
            why,
            "2000-02-29 is not a date of the noleap calendar: February 2000 has 28 days in \
             the noleap calendar"
        );
        let why = value_of(day360, "1850-01-31").unwrap_err().to_string();
        assert!(
            why.contains("every month of the 360_day calendar has 30 days"),
            "{why}"
        );
        for bad in [
            "2020",
            "2020-1-1",
            "2020-01",
            "2020-01-01T12",
            "2020-01-01 25:00",
            "2020-01-01T12:00Z",
            "2020-01-01 12:00:00 +2:00",
            "1850/01/15",
            "yesterday",
        ] {
            let why = parse_date(bad, Calendar::Standard).unwrap_err();
            assert!(matches!(why, DateError::Form { .. }), "{bad}: {why}");
        }
    }

    /// tests/data/cftime_dates.json, printed by tests/data/cftime_dates.py from cftime.
    fn cftime_reference() -> serde_json::Value {
        serde_json::from_str(include_str!("../../tests/data/cftime_dates.json"))
            .expect("tests/data/cftime_dates.json is JSON")
    }

    fn each_calendar(mut check: impl FnMut(Calendar, &serde_json::Value)) {
        let file = cftime_reference();
        let calendars = file["calendars"].as_object().expect("calendars");
        assert_eq!(calendars.len(), 6);
        for (name, cases) in calendars {
            let calendar = Calendar::from_cf(Some(name)).expect("a CF calendar");
            assert_eq!(calendar.name(), name);
            check(calendar, cases);
        }
    }

    #[test]
    fn every_calendar_counts_days_as_cftime_does() {
        each_calendar(|calendar, cases| {
            let days = cases["days"].as_array().expect("days");
            assert!(days.len() > 200);
            for case in days {
                let n = case[0].as_i64().expect("a day count");
                let ymd: Vec<i64> = case[1]
                    .as_str()
                    .expect("Y-M-D")
                    .rsplitn(3, '-')
                    .map(|f| f.parse().expect("a number"))
                    .collect();
                let (y, m, d) = (ymd[2], ymd[1] as u32, ymd[0] as u32);
                assert_eq!(
                    calendar.civil_from_days(n),
                    (y, m, d),
                    "{calendar:?} day {n}"
                );
                assert_eq!(
                    calendar.days_from_civil(y, m, d),
                    n,
                    "{calendar:?} {y}-{m}-{d}"
                );
            }
        });
    }

    #[test]
    fn times_read_as_cftime_prints_them() {
        each_calendar(|calendar, cases| {
            for case in cases["times"].as_array().expect("times") {
                let units = case[0].as_str().expect("units");
                let value: f64 = case[1].as_str().expect("a repr").parse().expect("a number");
                let t = TimeUnits::parse(units, calendar).expect("CF time units");
                // As cftime objects, whatever xarray would have made of Gregorian ones.
                let cftime = TimeUnits {
                    datetime64: false,
                    ..t
                };
                assert_eq!(
                    cftime.title(value),
                    case[2],
                    "{calendar:?}: {value} {units}"
                );
            }
        });
    }

    #[test]
    fn dates_cftime_refuses_are_refused() {
        each_calendar(|calendar, cases| {
            let missing: Vec<(i64, u32, u32)> = cases["missing"]
                .as_array()
                .expect("missing")
                .iter()
                .map(|d| {
                    let f = |i: usize| d[i].as_i64().expect("a number");
                    (f(0), f(1) as u32, f(2) as u32)
                })
                .collect();
            assert!(!missing.is_empty());
            for (y, m, d) in [
                (1850, 2, 29),
                (2000, 2, 29),
                (2000, 2, 30),
                (1850, 1, 31),
                (1582, 10, 10),
                (0, 1, 1),
                (1900, 2, 29),
                (1851, 2, 29),
                (1850, 4, 31),
            ] {
                let refused = missing.contains(&(y, m, d));
                let text = format!("{y:04}-{m:02}-{d:02}");
                let parsed = parse_date(&text, calendar);
                assert_eq!(parsed.is_err(), refused, "{calendar:?} {text}: {parsed:?}");
            }
        });
    }
}
