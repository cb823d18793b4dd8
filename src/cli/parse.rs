//! The value parsers of the command line: each error says what is allowed, so clap can print
//! it as it is.

use crate::figure::{ColourMap, Levels};
use crate::plan::Kind;

/// Smallest and largest figure side in pixels.
pub const MIN_SIDE_PIXELS: u64 = 16;
pub const MAX_SIDE_PIXELS: u64 = 16384;

/// A parser for whole numbers in [min, max] whose errors say what is allowed.
pub(super) fn whole_number(min: u64, max: u64) -> impl Fn(&str) -> Result<u64, String> + Clone {
    move |text: &str| {
        let n: i128 = text
            .trim()
            .parse()
            .map_err(|_| format!("'{text}' is not a whole number; give one from {min} to {max}"))?;
        u64::try_from(n)
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| format!("{n} is out of range; give a whole number from {min} to {max}"))
    }
}

pub(super) fn seconds(text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .ok_or_else(|| {
            format!("'{text}' is not a number of seconds; give 0 or more, e.g. 10 or 0.5")
        })
}

pub(super) fn kind(text: &str) -> Result<Kind, String> {
    Kind::from_name(text.trim()).ok_or_else(|| {
        let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        format!(
            "'{text}' is not a kind of plot; give one of {}",
            names.join(", ")
        )
    })
}

/// `--columns` as given: two or three names or numbers. (A struct, so that clap takes the
/// list as one value.)
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnList(pub Vec<String>);

pub(super) fn columns(text: &str) -> Result<ColumnList, String> {
    let columns: Vec<String> = text.split(',').map(|c| c.trim().to_string()).collect();
    if !(2..=3).contains(&columns.len()) || columns.iter().any(String::is_empty) {
        return Err(format!(
            "'{text}' is not two or three column names or numbers separated by commas, e.g. x,y or x,y,size"
        ));
    }
    Ok(ColumnList(columns))
}

/// The fields a `--name` template may use.
/// `{n}`, the first name of `{plot}`, is still read; help shows `{plot}` alone, as clap turns
/// `{n}` in help texts into a line break.
pub const NAME_FIELDS: [&str; 4] = ["object", "frame", "plot", "n"];

pub(super) fn name_template(text: &str) -> Result<String, String> {
    let mut rest = text;
    let mut fields = 0;
    while let Some(open) = rest.find('{') {
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("'{text}' has a '{{' without its '}}'"))?;
        let field = &rest[open + 1..open + close];
        if !NAME_FIELDS.contains(&field) {
            return Err(format!(
                "'{text}' uses {{{field}}}; a name template may use {{object}}, {{frame}} and {{plot}}"
            ));
        }
        fields += 1;
        rest = &rest[open + close + 1..];
    }
    if text.contains(['/', '\\', '\0']) {
        return Err(format!(
            "'{text}' is a file name template and may not contain '/' or '\\'"
        ));
    }
    if text.contains(crate::text::is_unsafe_to_show) {
        return Err(format!(
            "'{}' holds control or bidirectional formatting characters, which would make file \
             names that print other than they are; use printable characters",
            crate::text::escape_controls(text)
        ));
    }
    if fields == 0 {
        return Err(format!(
            "'{text}' names every plot alike; use {{plot}}, or {{object}} and {{frame}}"
        ));
    }
    Ok(text.replace("{plot}", "{n}"))
}

pub(super) fn limits(text: &str) -> Result<(f64, f64), String> {
    let bad = || format!("'{text}' is not two numbers LO,HI with LO < HI, e.g. 0,1 or -5e3,5e3");
    let (lo, hi) = text.split_once(',').ok_or_else(bad)?;
    let (lo, hi) = (finite(lo)?, finite(hi)?);
    if lo < hi {
        Ok((lo, hi))
    } else {
        Err(bad())
    }
}

pub(super) fn colour_map(text: &str) -> Result<ColourMap, String> {
    let name = text.trim();
    ColourMap::named(name).ok_or_else(|| {
        let names = ColourMap::names();
        let near = names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(name.strip_suffix("_r").unwrap_or(name)));
        let hint = match near {
            Some(n) if name.ends_with("_r") => format!(" (names are case-sensitive: {n}_r?)"),
            Some(n) => format!(" (names are case-sensitive: {n}?)"),
            None => String::new(),
        };
        format!(
            "'{text}' is not a colour map{hint}; give one of {}, or any of them with _r \
             (reversed)",
            names.join(", ")
        )
    })
}

/// The most discrete levels: each needs a colour of the PNG palette's (which holds under
/// and over colours too).
pub const MAX_LEVELS: u64 = 200;

pub(super) fn levels(text: &str) -> Result<Levels, String> {
    let text = text.trim();
    if !text.contains(',') {
        let n = whole_number(2, MAX_LEVELS)(text).map_err(|e| {
            format!("{e}; or give the boundaries, at least two numbers separated by commas")
        })?;
        return Ok(Levels::Count(n as u32));
    }
    let mut bounds = text
        .split(',')
        .map(finite)
        .collect::<Result<Vec<f64>, String>>()
        .map_err(|e| format!("{e}: --levels takes N or boundaries V1,V2,… (e.g. -2,-1,0,1,2)"))?;
    // xarray sorts the levels it is given.
    bounds.sort_by(f64::total_cmp);
    if bounds.windows(2).any(|w| w[0] == w[1]) {
        return Err(format!(
            "'{text}' gives a boundary twice; each level needs a bottom below its top"
        ));
    }
    if bounds.len() > MAX_LEVELS as usize {
        return Err(format!(
            "'{text}' gives {} boundaries; give at most {MAX_LEVELS}",
            bounds.len()
        ));
    }
    Ok(Levels::Bounds(bounds))
}

pub(super) fn linthresh(text: &str) -> Result<f64, String> {
    finite(text)
        .ok()
        .filter(|&v| v > 0.0)
        .ok_or_else(|| format!("'{text}' is not a number above 0; --linthresh V draws ±V linearly"))
}

pub(super) fn finite(text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("'{text}' is not a finite number"))
}

pub(super) fn pixels(text: &str) -> Result<u32, String> {
    whole_number(MIN_SIDE_PIXELS, MAX_SIDE_PIXELS)(text).map(|n| n as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_templates_make_printable_file_names() {
        assert_eq!(name_template("run-{n}").as_deref(), Ok("run-{n}"));
        assert_eq!(name_template("run-{plot}").as_deref(), Ok("run-{n}"));
        assert_eq!(name_template("café_{n}").as_deref(), Ok("café_{n}"));
        for bad in ["\u{1b}[31m{n}", "{n}\u{202e}gnp", "a\tb{n}"] {
            let e = name_template(bad).unwrap_err();
            assert!(e.contains("control or bidirectional"), "{bad:?}: {e}");
            assert!(!e.contains(crate::text::is_unsafe_to_show), "{e:?}");
        }
    }
}
