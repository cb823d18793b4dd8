//! `--select DIM=VALUE` and `--isel DIM=INDICES`: which frames of the arrays with a leading
//! dimension DIM are drawn, by coordinate value (as xarray's `sel`) or by index (`isel`).
//! Rank 0 resolves them once, while planning, into each array's picks (a start and a step
//! per leading dimension), so that a selection that matches nothing is refused before any
//! work, naming the coordinate's values.

use super::conventions as cf;
use super::links;
use crate::calendar::{parse_date, TimeUnits};
use crate::plan::{Pick, PlanObject};
use crate::source::finite_range;

/// One `--select` or `--isel`, as given.
#[derive(Debug, Clone, PartialEq)]
pub struct Slice {
    pub dim: String,
    pub how: How,
}

#[derive(Debug, Clone, PartialEq)]
pub enum How {
    /// `--isel`: an index (negative from the end) or a Python slice `start:stop:step`.
    Index(Indices),
    /// `--select`: a coordinate value, or an inclusive range `LO..HI` of values, as written
    /// (read against the coordinate: a number, or a date for a time coordinate).
    Value(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indices {
    One(i64),
    Range {
        start: Option<i64>,
        stop: Option<i64>,
        step: u64,
    },
}

impl Slice {
    fn flag(&self) -> String {
        match &self.how {
            How::Index(_) => format!("--isel {}", self.dim),
            How::Value(v) => format!("--select {}={v}", self.dim),
        }
    }
}

/// `DIM=VALUE` of `--select`.
pub fn parse_select(text: &str) -> Result<Slice, String> {
    let (dim, value) = split(text, "--select", "level=850 or time=2020-01-01")?;
    Ok(Slice {
        dim,
        how: How::Value(value.to_string()),
    })
}

/// `DIM=I` or `DIM=START:STOP[:STEP]` of `--isel`, Python's indexing.
pub fn parse_isel(text: &str) -> Result<Slice, String> {
    let example = "time=0, time=-1 or time=0:24:6";
    let (dim, spec) = split(text, "--isel", example)?;
    let bad = |why: &str| {
        format!("'{text}': {why}; give DIM=INDEX or DIM=START:STOP:STEP, e.g. {example}")
    };
    let number = |part: &str| -> Result<Option<i64>, String> {
        match part.trim() {
            "" => Ok(None),
            n => n
                .parse()
                .map(Some)
                .map_err(|_| bad(&format!("'{n}' is not a whole number"))),
        }
    };
    let parts: Vec<&str> = spec.split(':').collect();
    let indices = match parts[..] {
        [one] => Indices::One(number(one)?.ok_or_else(|| bad("no index"))?),
        [start, stop] | [start, stop, ""] => Indices::Range {
            start: number(start)?,
            stop: number(stop)?,
            step: 1,
        },
        [start, stop, step] => {
            let step = number(step)?.unwrap_or(1);
            if step < 1 {
                return Err(bad(
                    "the step must be 1 or more (frames are drawn in order)",
                ));
            }
            Indices::Range {
                start: number(start)?,
                stop: number(stop)?,
                step: step as u64,
            }
        }
        _ => return Err(bad("more than two ':'")),
    };
    Ok(Slice {
        dim,
        how: How::Index(indices),
    })
}

fn split<'a>(text: &'a str, flag: &str, example: &str) -> Result<(String, &'a str), String> {
    match text.split_once('=') {
        Some((dim, value)) if !dim.trim().is_empty() && !value.trim().is_empty() => {
            Ok((dim.trim().to_string(), value.trim()))
        }
        _ => Err(format!(
            "'{text}' is not DIM=VALUE; {flag} takes a dimension's name and what to pick, e.g. {example}"
        )),
    }
}

/// Why the slices cannot be applied: said once, by rank 0, before any work.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SliceError {
    #[error("{flag} given twice; give each dimension once")]
    Twice { flag: String },
    #[error("{flag}: no array of --input has a dimension '{dim}' to pick frames along{}", leading_note(.leading))]
    NoSuchDimension {
        flag: String,
        dim: String,
        leading: Vec<String>,
    },
    #[error("{flag}: '{dim}' is an axis of {path}'s frames, not a dimension its frames are taken along; only {} can be picked", or_none(.leading))]
    FrameAxis {
        flag: String,
        dim: String,
        path: String,
        leading: Vec<String>,
    },
    #[error("{flag} matches no frame of {path}: {why}")]
    NoMatch {
        flag: String,
        path: String,
        why: String,
    },
}

fn plural(n: u64, dim: &str) -> String {
    format!("{n} {dim}{}", if n == 1 { "" } else { "s" })
}

fn leading_note(leading: &[String]) -> String {
    match leading.len() {
        0 => "; the arrays have one plot each (no leading dimensions)".into(),
        _ => format!("; the frames' dimensions are {}", leading.join(", ")),
    }
}

fn or_none(leading: &[String]) -> String {
    match leading.len() {
        0 => "none (each frame is the whole array)".into(),
        _ => leading.join(", "),
    }
}

/// What a dimension holds, for picking along it.
pub struct Axis {
    pub len: u64,
    /// Its coordinate's values, if it has a readable numeric one.
    pub values: Option<Vec<f64>>,
    pub units: Option<String>,
    /// CF time units, if the coordinate holds times: values are then picked by dates.
    pub time: Option<TimeUnits>,
}

/// The picks `slices` make of each array of `objects` (of `file`; `described` says what each
/// gives, for `--list`), and notes (a value matched by its nearest) for rank 0 to print.
pub fn apply(
    file: &hdf5::File,
    objects: &mut [PlanObject],
    described: &mut [String],
    slices: &[Slice],
) -> Result<Vec<String>, SliceError> {
    for (i, slice) in slices.iter().enumerate() {
        if slices[..i].iter().any(|s| s.dim == slice.dim) {
            return Err(SliceError::Twice { flag: slice.flag() });
        }
    }
    let mut notes = Vec::new();
    let mut used = vec![false; slices.len()];
    let mut frame_axis: Vec<Option<String>> = vec![None; slices.len()];
    let mut leading_names: Vec<String> = Vec::new();
    for (object, what) in objects
        .iter_mut()
        .zip(described)
        .filter(|(o, _)| o.has_frames())
    {
        let Ok(ds) = links::dataset(file, &object.path) else {
            continue;
        };
        let names = dimension_names(&ds);
        let lead = object.frame_shape.len();
        for name in names[..lead.min(names.len())].iter().flatten() {
            if !leading_names.contains(name) {
                leading_names.push(name.clone());
            }
        }
        for (k, slice) in slices.iter().enumerate() {
            let Some(dim) = names.iter().position(|n| n.as_deref() == Some(&slice.dim)) else {
                continue;
            };
            if dim >= lead {
                frame_axis[k].get_or_insert_with(|| object.path.clone());
                continue;
            }
            used[k] = true;
            let axis = axis_of(&ds, dim, object.frame_shape[dim]);
            let no_match = |why: String| SliceError::NoMatch {
                flag: slice.flag(),
                path: object.path.clone(),
                why,
            };
            let (pick, count, note) = resolve(&slice.dim, &axis, &slice.how).map_err(no_match)?;
            if let Some(note) = note {
                notes.push(format!("note: {}: {} {note}", slice.flag(), object.path));
            }
            if object.picks.is_empty() {
                object.picks = vec![Pick::ALL; lead];
            }
            object.picks[dim] = pick;
            object.frame_shape[dim] = count;
            *what += &format!(
                "; {} of {} picked by {}",
                plural(count, &slice.dim),
                axis.len,
                slice.flag()
            );
        }
    }
    for (k, slice) in slices.iter().enumerate() {
        if used[k] {
            continue;
        }
        return Err(match frame_axis[k].take() {
            Some(path) => SliceError::FrameAxis {
                flag: slice.flag(),
                dim: slice.dim.clone(),
                path,
                leading: leading_names,
            },
            None => SliceError::NoSuchDimension {
                flag: slice.flag(),
                dim: slice.dim.clone(),
                leading: leading_names,
            },
        });
    }
    Ok(notes)
}

/// Each dimension's name: its coordinate variable's.
fn dimension_names(ds: &hdf5::Dataset) -> Vec<Option<String>> {
    cf::coordinates(ds)
        .iter()
        .map(|c| {
            c.as_ref()
                .map(|c| cf::base_name(&cf::name_of(c)).to_owned())
        })
        .collect()
}

fn axis_of(ds: &hdf5::Dataset, dim: usize, len: u64) -> Axis {
    let coordinate = cf::coordinates(ds).swap_remove(dim);
    let values = coordinate.as_ref().and_then(|c| {
        let mut values = c.read_raw::<f64>().ok()?;
        cf::Unpacking::of(c).apply(&mut values);
        Some(values)
    });
    let time = coordinate
        .as_ref()
        .and_then(|c| TimeUnits::of(c))
        .zip(values.as_deref())
        .map(|(t, v)| t.for_values(v));
    Axis {
        len,
        values,
        units: coordinate.as_ref().and_then(|c| cf::units(c)),
        time,
    }
}

/// The pick, its count and a note (a value met by its nearest) of `how` along `axis`.
pub fn resolve(dim: &str, axis: &Axis, how: &How) -> Result<(Pick, u64, Option<String>), String> {
    match how {
        How::Index(indices) => by_index(dim, axis.len, *indices).map(|(p, n)| (p, n, None)),
        How::Value(text) => by_value(dim, axis, text),
    }
}

fn by_index(dim: &str, len: u64, indices: Indices) -> Result<(Pick, u64), String> {
    let n = len as i64;
    let valid = || match len {
        0 => format!("{dim} has no index"),
        _ => format!("{dim} has indices 0 to {} (or -{len} to -1)", len - 1),
    };
    match indices {
        Indices::One(i) => {
            let at = if i < 0 { n + i } else { i };
            if !(0..n).contains(&at) {
                return Err(format!("index {i} is beyond it: {}", valid()));
            }
            Ok((
                Pick {
                    start: at as u64,
                    step: 1,
                },
                1,
            ))
        }
        Indices::Range { start, stop, step } => {
            // Python's slice: negative counts from the end, out of range is clamped.
            let clamp = |i: i64| if i < 0 { (n + i).max(0) } else { i.min(n) };
            let start = start.map_or(0, clamp);
            let stop = stop.map_or(n, clamp);
            let count = if stop > start {
                (stop - start - 1) as u64 / step + 1
            } else {
                0
            };
            if count == 0 {
                return Err(format!("the slice is empty: {}", valid()));
            }
            Ok((
                Pick {
                    start: start as u64,
                    step,
                },
                count,
            ))
        }
    }
}

fn by_value(dim: &str, axis: &Axis, text: &str) -> Result<(Pick, u64, Option<String>), String> {
    let Some(values) = &axis.values else {
        return Err(format!(
            "{dim} has no coordinate values to match; pick by index with --isel {dim}=…"
        ));
    };
    let place = |t: &str| Place::of(t, dim, values, axis);
    if let Some((lo, hi)) = text.split_once("..") {
        let (lo, hi) = (place(lo)?, place(hi)?);
        let (from, to) = (lo.from.min(hi.from), lo.to.max(hi.to));
        return within(dim, values, axis, from, to, text);
    }
    let wanted = place(text)?;
    if wanted.from != wanted.to {
        // A day, month or year: every time in it.
        return within(dim, values, axis, wanted.from, wanted.to, text);
    }
    let key = |v: f64| axis.time.map_or(v, |t| t.to_seconds(v));
    let wanted = wanted.from;
    if let Some(i) = values.iter().position(|&v| key(v) == wanted) {
        return Ok((
            Pick {
                start: i as u64,
                step: 1,
            },
            1,
            None,
        ));
    }
    let (lo, hi) = finite_range(values).ok_or_else(|| format!("{dim}'s values are not numbers"))?;
    if !(key(lo)..=key(hi)).contains(&wanted) {
        return Err(format!(
            "{text} is outside {dim}'s values ({})",
            span(values, axis)
        ));
    }
    let nearest = (0..values.len())
        .filter(|&i| values[i].is_finite())
        .min_by(|&a, &b| {
            (key(values[a]) - wanted)
                .abs()
                .total_cmp(&(key(values[b]) - wanted).abs())
        })
        .expect("a finite value exists");
    let note = format!(
        "has no {dim} {text}; the nearest, {}, is drawn",
        show(values[nearest], axis)
    );
    Ok((
        Pick {
            start: nearest as u64,
            step: 1,
        },
        1,
        Some(note),
    ))
}

/// Where a value a user wrote lies along a coordinate: a point (`from == to`), or for a
/// time coordinate a whole day, month or year (`from` ≤ t < `to`), in the coordinate's
/// numbers (seconds of its calendar for times).
struct Place {
    from: f64,
    to: f64,
}

impl Place {
    fn of(text: &str, dim: &str, values: &[f64], axis: &Axis) -> Result<Place, String> {
        let text = text.trim();
        let Some(time) = axis.time else {
            let v = text
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    format!(
                        "'{text}' is not a number, and {dim}'s values are numbers ({})",
                        span(values, axis)
                    )
                })?;
            return Ok(Place { from: v, to: v });
        };
        let calendar = time.calendar();
        let date = |t: &str| parse_date(t, calendar).map_err(|e| format!("{e}; {dim} holds times"));
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        let parts: Vec<&str> = text.split('-').collect();
        match parts[..] {
            [year] if digits(year) && year.len() == 4 => {
                let y: i64 = year.parse().expect("digits");
                Ok(Place {
                    from: date(&format!("{y:04}-01-01"))?,
                    to: date(&format!("{:04}-01-01", y + 1))?,
                })
            }
            [year, month] if digits(year) && year.len() == 4 && digits(month) => {
                let (y, m): (i64, u32) = (
                    year.parse().expect("digits"),
                    month.parse().expect("digits"),
                );
                let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                Ok(Place {
                    from: date(&format!("{y:04}-{m:02}-01"))?,
                    to: date(&format!("{ny:04}-{nm:02}-01"))?,
                })
            }
            [_, _, day] if digits(day) => {
                let from = date(text)?;
                Ok(Place {
                    from,
                    to: from + 86_400.0,
                })
            }
            _ => {
                let at = date(text)?;
                Ok(Place { from: at, to: at })
            }
        }
    }
}

/// The indices whose values lie in `from` ≤ v ≤ `to` (v < `to` for a period), as one pick.
fn within(
    dim: &str,
    values: &[f64],
    axis: &Axis,
    from: f64,
    to: f64,
    text: &str,
) -> Result<(Pick, u64, Option<String>), String> {
    let period = axis.time.is_some() && from < to;
    let key = |v: f64| axis.time.map_or(v, |t| t.to_seconds(v));
    let inside: Vec<u64> = (0..values.len() as u64)
        .filter(|&i| {
            let v = key(values[i as usize]);
            v >= from && if period { v < to } else { v <= to }
        })
        .collect();
    even_steps(&inside)
        .map(|(pick, count)| (pick, count, None))
        .ok_or_else(|| match inside.is_empty() {
            true => format!("no {dim} lies in {text} ({})", span(values, axis)),
            false => format!(
                "the {dim} values in {text} are not evenly spaced in the file; pick them with --isel"
            ),
        })
}

/// Indices in a row with one step, as a pick; `None` if empty or unevenly spaced.
fn even_steps(indices: &[u64]) -> Option<(Pick, u64)> {
    let (&start, rest) = indices.split_first()?;
    let step = rest.first().map_or(1, |&next| next - start);
    indices
        .windows(2)
        .all(|w| w[1] - w[0] == step)
        .then_some((Pick { start, step }, indices.len() as u64))
}

/// "its values run from 500 to 1000 hPa, 3 of them".
fn span(values: &[f64], axis: &Axis) -> String {
    match finite_range(values) {
        Some((lo, hi)) => format!(
            "its {} values run from {} to {}",
            values.len(),
            show(lo, axis),
            show(hi, axis)
        ),
        None => "it has no finite value".into(),
    }
}

/// A coordinate value as a title shows it: a date, or a number with its units.
fn show(v: f64, axis: &Axis) -> String {
    if let Some(time) = axis.time {
        return time.title(v);
    }
    match &axis.units {
        Some(units) => format!("{} {units}", cf::format_number(v)),
        None => cf::format_number(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels() -> Axis {
        Axis {
            len: 3,
            values: Some(vec![1000.0, 850.0, 500.0]),
            units: Some("hPa".into()),
            time: None,
        }
    }

    /// Six-hourly times from 2020-01-30 (hours since 2020-01-01), in `calendar`.
    fn six_hourly(calendar: &str) -> Axis {
        let values: Vec<f64> = (0..40).map(|k| 29.0 * 24.0 + 6.0 * f64::from(k)).collect();
        let time = TimeUnits::in_calendar("hours since 2020-01-01", Some(calendar)).unwrap();
        Axis {
            len: values.len() as u64,
            time: Some(time.for_values(&values)),
            values: Some(values),
            units: Some("hours since 2020-01-01".into()),
        }
    }

    fn value(text: &str) -> How {
        How::Value(text.into())
    }

    #[test]
    fn indices_are_pythons() {
        let pick = |spec: &str| {
            let slice = parse_isel(&format!("time={spec}")).unwrap();
            resolve(
                "time",
                &Axis {
                    len: 100,
                    values: None,
                    units: None,
                    time: None,
                },
                &slice.how,
            )
            .map(|(p, n, _)| (p.start, p.step, n))
        };
        assert_eq!(pick("0:24:6"), Ok((0, 6, 4)));
        assert_eq!(pick("3"), Ok((3, 1, 1)));
        assert_eq!(pick("-1"), Ok((99, 1, 1)));
        assert_eq!(pick(":"), Ok((0, 1, 100)));
        assert_eq!(pick("90:"), Ok((90, 1, 10)));
        assert_eq!(pick("-10::3"), Ok((90, 3, 4)));
        assert_eq!(pick("95:1000"), Ok((95, 1, 5)));
        let beyond = pick("100").unwrap_err();
        assert!(beyond.contains("indices 0 to 99"), "{beyond}");
        assert!(pick("50:10").unwrap_err().contains("empty"));
        for bad in [
            "time",
            "time=",
            "=3",
            "time=1:2:0",
            "time=a",
            "time=1:2:3:4",
        ] {
            assert!(parse_isel(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn values_match_exactly_then_by_the_nearest_within_the_coordinates_span() {
        assert_eq!(
            resolve("level", &levels(), &value("850")),
            Ok((Pick { start: 1, step: 1 }, 1, None))
        );
        let (pick, _, note) = resolve("level", &levels(), &value("800")).unwrap();
        assert_eq!(pick.start, 1);
        assert_eq!(
            note.unwrap(),
            "has no level 800; the nearest, 850 hPa, is drawn"
        );
        let outside = resolve("level", &levels(), &value("2000")).unwrap_err();
        assert_eq!(
            outside,
            "2000 is outside level's values (its 3 values run from 500 to 1000 hPa)"
        );
        assert!(resolve("level", &levels(), &value("high"))
            .unwrap_err()
            .contains("not a number"));
        // An inclusive range of values, as xarray's sel(level=slice(850, 500)).
        assert_eq!(
            resolve("level", &levels(), &value("500..850")),
            Ok((Pick { start: 1, step: 1 }, 2, None))
        );
        let unnamed = Axis {
            len: 4,
            values: None,
            units: None,
            time: None,
        };
        assert!(resolve("x", &unnamed, &value("1"))
            .unwrap_err()
            .contains("--isel x="));
    }

    #[test]
    fn dates_pick_an_instant_or_every_time_of_a_day_month_or_year_in_the_calendar() {
        let picked = |calendar: &str, text: &str| {
            resolve("time", &six_hourly(calendar), &value(text))
                .map(|(p, n, note)| (p.start, p.step, n, note))
        };
        // From 2020-01-30T00: index 4 is 01-31T00, 8 is 02-01T00.
        assert_eq!(picked("standard", "2020-01-31"), Ok((4, 1, 4, None)));
        assert_eq!(picked("standard", "2020-02"), Ok((8, 1, 32, None)));
        assert_eq!(picked("standard", "2020-01-31T06:00"), Ok((5, 1, 1, None)));
        assert_eq!(
            picked("standard", "2020-01-30..2020-01-31"),
            Ok((0, 1, 8, None))
        );
        let (start, _, _, note) = picked("standard", "2020-01-31T07:00").unwrap();
        assert_eq!(start, 5);
        let note = note.unwrap();
        assert!(
            note.contains("the nearest, 2020-01-31T06:00:00, is drawn"),
            "{note}"
        );
        // 2020-02-29 is a day of the standard calendar (after these times), not of noleap.
        let later = picked("standard", "2020-02-29").unwrap_err();
        assert!(later.starts_with("no time lies in 2020-02-29"), "{later}");
        let noleap = picked("noleap", "2020-02-29").unwrap_err();
        assert!(
            noleap.contains("not a date of the noleap calendar"),
            "{noleap}"
        );
        let outside = picked("standard", "2021").unwrap_err();
        assert!(
            outside.starts_with("no time lies in 2021 (its 40 values run from 2020-01-30"),
            "{outside}"
        );
    }
}
