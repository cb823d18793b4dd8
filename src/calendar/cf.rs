//! CF time units: numbers that are "`<unit> since <date>[ <time>][ <zone>]`" in a calendar.
//! Reading the `units` and `calendar` attributes is the input's business
//! (source/input/conventions.rs); the calendar only knows what the text means.

use super::days_from_civil;

/// A CF time unit, for the calendars that are the proleptic Gregorian one over the dates data
/// sets hold (standard, gregorian, proleptic_gregorian, or none given).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeUnits {
    /// Seconds per unit.
    unit_seconds: f64,
    /// The epoch, in seconds since 1970-01-01T00:00:00 UTC.
    epoch: f64,
}

impl TimeUnits {
    /// The time units of a variable whose `units` and `calendar` (if any) attributes are
    /// these, if they are CF time units in a calendar this program can place on dates.
    pub fn in_calendar(units: &str, calendar: Option<&str>) -> Option<TimeUnits> {
        let gregorian = calendar
            .map(str::to_ascii_lowercase)
            .is_none_or(|c| matches!(c.as_str(), "standard" | "gregorian" | "proleptic_gregorian"));
        if !gregorian {
            return None;
        }
        TimeUnits::parse(units)
    }

    pub fn parse(units: &str) -> Option<TimeUnits> {
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
        Some(TimeUnits {
            unit_seconds,
            epoch: parse_instant(since.trim())?,
        })
    }

    /// Seconds since 1970-01-01 UTC of a value in these units.
    pub fn to_unix(self, value: f64) -> f64 {
        self.epoch + value * self.unit_seconds
    }
}

/// "2000-01-15", "2000-01-15 12:00:00", "2000-1-1T00:00:00Z", "1970-01-01 00:00:00.0 +2:00".
fn parse_instant(text: &str) -> Option<f64> {
    let text = text.trim_end_matches(['Z', 'z']);
    let (date, rest) = match text.find(['T', ' ']) {
        Some(i) => (&text[..i], text[i + 1..].trim()),
        None => (text, ""),
    };
    let mut ymd = date.splitn(3, '-');
    let year: i64 = ymd.next()?.parse().ok()?;
    let month: u32 = ymd.next().map_or(Some(1), |m| m.parse().ok())?;
    let day: u32 = ymd.next().map_or(Some(1), |d| d.parse().ok())?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let (clock, zone) = match rest.split_once([' ', '+']) {
        Some((clock, zone)) if rest.contains('+') || zone.starts_with('-') => {
            (clock, Some(zone.trim_start_matches('+')))
        }
        _ => (rest, None),
    };
    let mut seconds = 0.0;
    if !clock.is_empty() {
        let mut parts = clock.split(':');
        let h: f64 = parts.next()?.parse().ok()?;
        let m: f64 = parts.next().map_or(Some(0.0), |m| m.parse().ok())?;
        let s: f64 = parts.next().map_or(Some(0.0), |s| s.parse().ok())?;
        seconds = h * 3600.0 + m * 60.0 + s;
    }
    if let Some(zone) = zone.filter(|z| !z.is_empty() && *z != "UTC") {
        let negative = zone.starts_with('-');
        let zone = zone.trim_start_matches('-');
        let (h, m) = zone.split_once(':').unwrap_or((zone, "0"));
        let offset = h.parse::<f64>().ok()? * 3600.0 + m.parse::<f64>().ok()? * 60.0;
        seconds -= if negative { -offset } else { offset };
    }
    Some(days_from_civil(year, month, day) as f64 * 86_400.0 + seconds)
}

#[cfg(test)]
mod tests {
    use super::super::format_instant;
    use super::*;

    #[test]
    fn cf_time_units_place_values_on_dates() {
        let t = TimeUnits::parse("days since 2000-01-01").unwrap();
        assert_eq!(format_instant(t.to_unix(14.0)), "2000-01-15");
        let t = TimeUnits::parse("hours since 2020-01-01 00:00:00").unwrap();
        assert_eq!(format_instant(t.to_unix(30.0)), "2020-01-02T06:00:00");
        let t = TimeUnits::parse("seconds since 1970-01-01T00:00:00Z").unwrap();
        assert_eq!(t.to_unix(1.5), 1.5);
        let t = TimeUnits::parse("minutes since 2001-1-1 0:0:0").unwrap();
        assert_eq!(format_instant(t.to_unix(60.0 * 24.0 * 31.0)), "2001-02-01");
        let t = TimeUnits::parse("days since 1850-01-01 00:00:00 +2:00").unwrap();
        assert_eq!(format_instant(t.to_unix(0.0)), "1849-12-31T22:00:00");
        for bad in [
            "days",
            "fortnights since 2000-01-01",
            "days since yesterday",
        ] {
            assert_eq!(TimeUnits::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_gregorian_calendars_are_placed_on_dates() {
        let units = "days since 2000-01-01";
        for calendar in [
            None,
            Some("standard"),
            Some("Gregorian"),
            Some("proleptic_gregorian"),
        ] {
            assert!(
                TimeUnits::in_calendar(units, calendar).is_some(),
                "{calendar:?}"
            );
        }
        for calendar in ["noleap", "360_day", "julian"] {
            assert_eq!(
                TimeUnits::in_calendar(units, Some(calendar)),
                None,
                "{calendar}"
            );
        }
    }
}
