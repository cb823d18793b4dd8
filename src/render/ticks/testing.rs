//! What the tick tests share: the default figure's axes, matplotlib's ticks for every case
//! (tests/data/matplotlib_ticks.json, printed by tests/data/matplotlib_ticks.py), and a small
//! random generator.

use super::{dates, dates_auto, linear, Ticks};
use std::collections::HashMap;
use std::sync::OnceLock;

/// A 6.4×4.8 in figure at 100 dpi: the x axis is 496 px long, the y axis 369.6 px.
pub const X_LEN: f64 = 496.0;
pub const Y_LEN: f64 = 369.6;

pub fn x(lo: f64, hi: f64) -> Ticks {
    linear(lo, hi, X_LEN, false)
}

pub fn y(lo: f64, hi: f64) -> Ticks {
    linear(lo, hi, Y_LEN, true)
}

/// A date x axis labelled as xarray does (ConciseDateFormatter).
pub fn cx(lo: f64, hi: f64) -> Ticks {
    dates(
        lo,
        hi,
        X_LEN,
        false,
        crate::calendar::Calendar::ProlepticGregorian,
    )
}

/// A date x axis labelled as matplotlib does by default (AutoDateFormatter).
pub fn ax(lo: f64, hi: f64) -> Ticks {
    dates_auto(lo, hi, X_LEN, false)
}

/// One case of the file: the view limits and what matplotlib draws there.
#[derive(Debug)]
struct Case {
    view: (f64, f64),
    labels: Vec<String>,
    offset: Option<String>,
    values: Vec<f64>,
}

fn cases() -> &'static HashMap<String, Case> {
    static CASES: OnceLock<HashMap<String, Case>> = OnceLock::new();
    CASES.get_or_init(|| {
        let file: serde_json::Value =
            serde_json::from_str(include_str!("../../../tests/data/matplotlib_ticks.json"))
                .expect("tests/data/matplotlib_ticks.json is JSON");
        let cases = file["cases"].as_object().expect("cases");
        cases
            .iter()
            .map(|(name, case)| (name.clone(), parse_case(case)))
            .collect()
    })
}

/// Numbers are Python's `repr`s, parsed here rather than by serde_json, whose float parsing
/// is not exact by default.
fn number(v: &serde_json::Value) -> f64 {
    let text = v.as_str().expect("a number as text");
    text.parse()
        .unwrap_or_else(|_| panic!("{text} is not a number"))
}

fn parse_case(case: &serde_json::Value) -> Case {
    let strings = |key: &str| -> Vec<&serde_json::Value> {
        case[key].as_array().expect(key).iter().collect()
    };
    let view = strings("view");
    Case {
        view: (number(view[0]), number(view[1])),
        labels: strings("labels")
            .iter()
            .map(|l| l.as_str().expect("a label").to_string())
            .collect(),
        offset: case["offset"].as_str().map(str::to_string),
        values: strings("values").into_iter().map(number).collect(),
    }
}

fn case(name: &str) -> &'static Case {
    cases().get(name).unwrap_or_else(|| {
        panic!(
            "no case {name:?} in tests/data/matplotlib_ticks.json: add it to matplotlib_ticks.py"
        )
    })
}

/// Draws the case's view with `draw` and checks the labels, offset text and tick values
/// against matplotlib's.
pub fn check(name: &str, draw: impl Fn(f64, f64) -> Ticks) {
    let expected = case(name);
    let t = draw(expected.view.0, expected.view.1);
    assert_eq!(t.labels(), expected.labels, "{name}: {t:?}");
    assert_eq!(t.offset_text, expected.offset, "{name}: {t:?}");
    let values: Vec<f64> = t.ticks.iter().map(|t| t.value).collect();
    assert_eq!(values, expected.values, "{name}: tick values");
}

/// A small deterministic generator so that the tests need no crates.
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}
