//! matplotlib's `ConciseDateFormatter` with its default formats: each tick labelled at the
//! finest field that changes, the coarser unit named where it rolls over, the rest in the
//! offset text.

use crate::calendar::{strftime, Civil};

const FORMATS: [&str; 6] = ["%Y", "%b", "%d", "%H:%M", "%H:%M", "%S.%f"];
const ZERO_FORMATS: [&str; 6] = ["", "%Y", "%b", "%b-%d", "%H:%M", "%H:%M"];
const OFFSET_FORMATS: [&str; 6] = ["", "%Y", "%Y-%b", "%Y-%b-%d", "%Y-%b-%d", "%Y-%b-%d %H:%M"];
/// The value of each field that starts the next coarser unit (January, the 1st, midnight...).
const ZERO_VALUES: [i64; 6] = [0, 1, 1, 0, 0, 0];

/// `ConciseDateFormatter.format_ticks` on every located tick: label at the finest field that
/// changes, name the coarser unit where it rolls over, and put the rest in the offset.
pub fn labels(ticks: &[Civil]) -> (Vec<String>, Option<String>) {
    let (level, show_offset) = level_of(ticks);
    let mut labels: Vec<String> = ticks
        .iter()
        .map(|c| {
            let zero = if level < 5 {
                c.fields()[level] == ZERO_VALUES[level]
            } else {
                c.second == 0 && c.micro == 0
            };
            let format = if zero {
                ZERO_FORMATS[level]
            } else {
                FORMATS[level]
            };
            strftime(c, format)
        })
        .collect();
    if level >= 5 {
        trim_fraction_zeros(&mut labels);
    }
    let offset = ticks
        .last()
        .filter(|_| show_offset)
        .map(|c| strftime(c, OFFSET_FORMATS[level]))
        .filter(|s| !s.is_empty());
    (labels, offset)
}

/// The finest of year..second that differs between ticks (seconds if none does), and whether
/// the offset is shown: not when ticks are years or months and the year itself is labelled.
fn level_of(ticks: &[Civil]) -> (usize, bool) {
    for level in (0..6).rev() {
        let mut values: Vec<i64> = ticks.iter().map(|c| c.fields()[level]).collect();
        values.sort_unstable();
        values.dedup();
        if values.len() > 1 {
            let hides_offset = level < 2 && values.contains(&1);
            return (level, !hides_offset);
        }
    }
    (5, true)
}

/// Drop the zeros every fractional-second label ends with, keeping them equally long.
fn trim_fraction_zeros(labels: &mut [String]) {
    let trailing = labels
        .iter()
        .filter(|s| s.contains('.'))
        .map(|s| s.len() - s.trim_end_matches('0').len())
        .min();
    let Some(n) = trailing.filter(|&n| n > 0) else {
        return;
    };
    for s in labels.iter_mut().filter(|s| s.contains('.')) {
        s.truncate(s.len() - n);
        let trimmed = s.trim_end_matches('.').len();
        s.truncate(trimmed);
    }
}
