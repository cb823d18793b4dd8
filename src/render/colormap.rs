//! Colour maps by name: matplotlib's own tables of 256 sRGB colours (colormaps.rs, made by
//! scripts/colormaps.py from matplotlib's data), each also reversed as `NAME_r`.

use super::colormaps::{NAMES, TABLES};

/// A colour as sRGB bytes.
pub type Colour = [u8; 3];

/// matplotlib's default colour cycle starts with this blue (#1f77b4).
pub const MATPLOTLIB_BLUE: Colour = [0x1f, 0x77, 0xb4];

/// How many colours each table holds (matplotlib's `image.lut`).
pub const SIZE: usize = 256;

/// One of matplotlib's colour maps, read forwards or (`_r`) backwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ColourMap {
    table: u8,
    reversed: bool,
}

/// `NAMES`' index of `name` (a const fn, so the defaults below are checked when compiling).
const fn index_of(name: &str) -> u8 {
    let mut i = 0;
    while i < NAMES.len() {
        let (a, b) = (NAMES[i].as_bytes(), name.as_bytes());
        if a.len() == b.len() {
            let mut k = 0;
            while k < a.len() && a[k] == b[k] {
                k += 1;
            }
            if k == a.len() {
                return i as u8;
            }
        }
        i += 1;
    }
    panic!("a colour map the generated tables do not hold")
}

impl ColourMap {
    /// matplotlib's default (and xarray's `cmap_sequential`).
    pub const VIRIDIS: ColourMap = ColourMap {
        table: index_of("viridis"),
        reversed: false,
    };
    /// xarray's `cmap_divergent`: what data crossing the centre get.
    pub const RDBU_R: ColourMap = ColourMap {
        table: index_of("RdBu"),
        reversed: true,
    };

    /// The map named `name` as matplotlib spells it (`RdBu`, `RdBu_r`), if there is one.
    pub fn named(name: &str) -> Option<ColourMap> {
        let (base, reversed) = match name.strip_suffix("_r") {
            Some(base) => (base, true),
            None => (name, false),
        };
        let table = NAMES.iter().position(|&n| n == base)? as u8;
        Some(ColourMap { table, reversed })
    }

    /// The map's name, `_r` ending a reversed one.
    pub fn name(self) -> String {
        let base = NAMES[usize::from(self.table)];
        if self.reversed {
            format!("{base}_r")
        } else {
            base.to_string()
        }
    }

    /// Every map's name but the reversed ones, in the order of the tables.
    pub fn names() -> &'static [&'static str] {
        &NAMES
    }

    /// The colour of matplotlib's colour-map index `k` (0 the bottom, 255 the top).
    pub fn colour(self, k: usize) -> Colour {
        let table = &TABLES[usize::from(self.table)];
        if self.reversed {
            table[SIZE - 1 - k]
        } else {
            table[k]
        }
    }

    /// The colour matplotlib gives place `x` (0 to 1) of the range: index ⌊256·x⌋, clipped.
    pub fn at(self, x: f64) -> Colour {
        self.colour((x * SIZE as f64).floor().clamp(0.0, (SIZE - 1) as f64) as usize)
    }
}

impl Default for ColourMap {
    fn default() -> Self {
        ColourMap::VIRIDIS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_find_their_maps_and_reversed_ones_read_backwards() {
        for &name in ColourMap::names() {
            let map = ColourMap::named(name).unwrap();
            assert_eq!(map.name(), name);
            let reversed = ColourMap::named(&format!("{name}_r")).unwrap();
            assert_eq!(reversed.name(), format!("{name}_r"));
            for k in 0..SIZE {
                assert_eq!(map.colour(k), reversed.colour(SIZE - 1 - k), "{name} {k}");
            }
        }
        assert_eq!(ColourMap::named("RdBu_r"), Some(ColourMap::RDBU_R));
        assert_eq!(ColourMap::default(), ColourMap::named("viridis").unwrap());
        for unknown in ["", "_r", "rdbu", "viridis_r_r", "Viridis"] {
            assert_eq!(ColourMap::named(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn the_tables_hold_matplotlibs_colours() {
        // matplotlib 3.11.2: (cmap(k)[:3] * 255 + 0.5) floored, as Agg fills pcolormesh cells.
        let viridis = ColourMap::VIRIDIS;
        assert_eq!(viridis.colour(0), [68, 1, 84]);
        assert_eq!(viridis.colour(128), [33, 145, 140]);
        assert_eq!(viridis.colour(255), [253, 231, 37]);
        let rdbu_r = ColourMap::RDBU_R;
        assert_eq!(rdbu_r.colour(0), [5, 48, 97]);
        assert_eq!(rdbu_r.colour(255), [103, 0, 31]);
        assert_eq!(
            ColourMap::named("gray").unwrap().colour(255),
            [255, 255, 255]
        );
        assert_eq!(
            ColourMap::named("Greys").unwrap().colour(0),
            [255, 255, 255]
        );
        assert_eq!(viridis.at(1.0), viridis.colour(255));
        assert_eq!(viridis.at(-0.5), viridis.colour(0));
        assert_eq!(viridis.at(0.5), viridis.colour(128));
    }
}
