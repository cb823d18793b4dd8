//! Placeholder until the ScalarFormatter port lands: MaxNLocator ticks as before.

use super::layout::{nice_ticks, DPI, FONT_PT};

pub struct Tick {
    pub value: f64,
    pub label: String,
}

pub struct Ticks {
    pub ticks: Vec<Tick>,
    pub offset_text: Option<String>,
}

pub fn linear(lo: f64, hi: f64, axis_len_px: f64, vertical: bool) -> Ticks {
    let spacing = if vertical { 2.0 } else { 3.0 };
    let length_pt = axis_len_px * 72.0 / DPI;
    let bins = ((length_pt / (FONT_PT * spacing)) as usize).clamp(1, 9);
    Ticks {
        ticks: nice_ticks(lo, hi, bins)
            .into_iter()
            .map(|t| Tick {
                value: t.value,
                label: t.label,
            })
            .collect(),
        offset_text: None,
    }
}

pub fn dates(lo: f64, hi: f64, axis_len_px: f64, vertical: bool) -> Ticks {
    linear(lo, hi, axis_len_px, vertical)
}

pub fn label_width_px(label: &str, font_px: f64) -> f64 {
    label.chars().count() as f64 * 0.64 * font_px
}
