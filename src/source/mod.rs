//! Where a plot's points come from.

pub mod random;

/// One plot's data: positions in data units and marker areas in pt² (matplotlib's `s`).
#[derive(Debug, Clone, PartialEq)]
pub struct Points {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub area: Vec<f64>,
}

impl Points {
    pub fn len(&self) -> usize {
        self.x.len()
    }

    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }
}
