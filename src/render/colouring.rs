//! What colours one heatmap gets: the run's [`Colouring`] and `--vmin`/`--vmax` applied to the
//! range the plot's frames share (or its own), as xarray's `_determine_cmap_params` decides
//! (diverging about the centre, discrete levels, extend), with matplotlib's norms. The plan
//! says what the render used; a range that cannot be made honestly fails the plot.

use super::colormap::{Colour, ColourMap};
use super::palette::{ColourScale, MapColours};
use super::RenderError;
use crate::figure::{Center, Colouring, Levels, Norm};
use crate::source::{Grid, Values};

/// Where the data go beyond the colour range (xarray's `_determine_extend`): discrete
/// levels then get colours for beyond, and the colour bar its triangles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Extend {
    #[default]
    Neither,
    Min,
    Max,
    Both,
}

impl Extend {
    fn of(min: bool, max: bool) -> Extend {
        match (min, max) {
            (true, true) => Extend::Both,
            (true, false) => Extend::Min,
            (false, true) => Extend::Max,
            (false, false) => Extend::Neither,
        }
    }

    pub fn min(self) -> bool {
        matches!(self, Extend::Min | Extend::Both)
    }

    pub fn max(self) -> bool {
        matches!(self, Extend::Max | Extend::Both)
    }
}

/// Discrete levels: the boundaries and the colours (xarray's `_build_discrete_cmap`).
#[derive(Debug, Clone, PartialEq)]
pub struct Discrete {
    /// Increasing; bin i is `bounds[i] <= v < bounds[i + 1]`.
    pub bounds: Vec<f64>,
    /// The under colour first (if `extend` has min), a colour a bin, the over colour last
    /// (if it has max).
    pub colours: Vec<Colour>,
}

/// How one heatmap is coloured, as finally decided.
#[derive(Debug, Clone, PartialEq)]
pub struct ColourPlan {
    pub map: ColourMap,
    pub norm: Norm,
    /// The colour range: the bottom and top of the scale (the first and last boundary of
    /// discrete levels).
    pub lo: f64,
    pub hi: f64,
    pub discrete: Option<Discrete>,
    pub extend: Extend,
    /// Cells the norm leaves out: a log norm's values at or below 0, drawn as missing.
    pub left_out: u64,
}

impl ColourPlan {
    /// Values to palette levels.
    pub fn scale(&self) -> ColourScale {
        match (&self.discrete, self.norm) {
            (Some(d), _) => {
                ColourScale::bins(d.bounds.clone(), self.extend.min(), self.extend.max())
            }
            (None, Norm::Linear) => ColourScale::new(self.lo, self.hi),
            (None, Norm::Log) => ColourScale::log(self.lo, self.hi),
            (None, Norm::SymLog { linthresh }) => ColourScale::symlog(self.lo, self.hi, linthresh),
        }
    }

    /// What the palette's map levels show.
    pub fn colours(&self) -> MapColours {
        match &self.discrete {
            Some(d) => MapColours::Discrete(d.colours.clone()),
            None => MapColours::Continuous(self.map),
        }
    }
}

/// The range the colour rule sees: the frames' shared range, or the plot's own.
#[derive(Debug, Clone, Copy)]
struct Seen {
    lo: f64,
    hi: f64,
}

/// The plan for `grid`, coloured as `colouring` says, with `--vmin`/`--vmax` (`given`, NaN for
/// an end not given) and the range its frames share (`shared`).
pub fn plan(
    colouring: &Colouring,
    given: Option<(f64, f64)>,
    shared: Option<(f64, f64)>,
    grid: &Grid,
) -> Result<ColourPlan, RenderError> {
    let (given_lo, given_hi) = given.unwrap_or((f64::NAN, f64::NAN));
    let vmin = (!given_lo.is_nan()).then_some(given_lo);
    let vmax = (!given_hi.is_nan()).then_some(given_hi);
    let (seen, left_out) = seen_range(colouring.norm, shared, grid)?;
    let (lo, hi, divergent) = limits(colouring.center, vmin, vmax, seen, &colouring.levels);
    if let Some(e) = empty_range(vmin, vmax, lo, hi, seen) {
        return Err(e);
    }
    let map = colouring.cmap.unwrap_or(if divergent {
        ColourMap::RDBU_R
    } else {
        ColourMap::VIRIDIS
    });
    let user_minmax = vmin.is_some() || vmax.is_some();
    let bounds = colouring.levels.as_ref().map(|levels| match levels {
        Levels::Count(n) if user_minmax => linspace(lo, hi, *n as usize),
        Levels::Count(n) => super::ticks::default_max_n_locs(lo, hi, *n as usize - 1),
        Levels::Bounds(b) => b.clone(),
    });
    let (lo, hi) = match &bounds {
        Some(b) => (b[0], b[b.len() - 1]),
        None => non_degenerate(lo, hi),
    };
    let extend = Extend::of(seen.lo < lo, seen.hi > hi);
    let discrete = bounds.map(|bounds| Discrete {
        colours: discrete_colours(map, bounds.len() - 1, extend),
        bounds,
    });
    Ok(ColourPlan {
        map,
        norm: colouring.norm,
        lo,
        hi,
        discrete,
        extend,
        left_out,
    })
}

/// The range the rule sees, and the cells the norm leaves out. A log norm sees the positive
/// values only: the shared range if it is above 0, else this plot's smallest positive value
/// below the shared top.
fn seen_range(
    norm: Norm,
    shared: Option<(f64, f64)>,
    grid: &Grid,
) -> Result<(Seen, u64), RenderError> {
    if norm != Norm::Log {
        let (lo, hi) = shared.or_else(|| grid.range()).unwrap_or((0.0, 1.0));
        return Ok((Seen { lo, hi }, 0));
    }
    let (not_positive, positive) = positive_range(&grid.values);
    let Some((own_lo, own_hi)) = positive else {
        return Err(RenderError::Colours(format!(
            "no value above 0 to colour on a log scale (--norm log leaves out values at or \
             below 0, and all {} finite cells are); use --norm symlog --linthresh V, or \
             --norm linear",
            not_positive
        )));
    };
    let (lo, hi) = match shared {
        Some((lo, hi)) if lo > 0.0 => (lo, hi),
        Some((_, hi)) => (own_lo, hi.max(own_hi)),
        None => (own_lo, own_hi),
    };
    Ok((Seen { lo, hi }, not_positive))
}

/// How many finite values are at or below 0, and the smallest and largest above it.
fn positive_range(values: &Values) -> (u64, Option<(f64, f64)>) {
    fn scan(values: impl Iterator<Item = f64>) -> (u64, Option<(f64, f64)>) {
        let (mut not_positive, mut lo, mut hi) = (0, f64::INFINITY, f64::NEG_INFINITY);
        for v in values {
            if v > 0.0 {
                lo = lo.min(v);
                hi = hi.max(v);
            } else if v.is_finite() {
                not_positive += 1;
            }
        }
        // +∞ cells are left out (and counted) when read, so every positive value is finite.
        (not_positive, (lo <= hi).then_some((lo, hi)))
    }
    match values {
        Values::F32(v) => scan(v.iter().map(|&x| f64::from(x))),
        Values::F64(v) => scan(v.iter().copied()),
    }
}

/// xarray's limits: the given ends, the seen range's for the others; symmetric about the
/// centre when the map diverges. Also whether it does.
///
/// xarray's rule makes a map diverge when the range crosses 0, a centre is given, or explicit
/// levels cross 0, unless `center=False` or both limits are given. Here an automatic centre
/// applies only when neither limit is given (so that `--vmin` or `--vmax` alone draws as it
/// did before the rule); `--center V` follows xarray with one limit given, too.
fn limits(
    center: Center,
    vmin: Option<f64>,
    vmax: Option<f64>,
    seen: Seen,
    levels: &Option<Levels>,
) -> (f64, f64, bool) {
    let possibly_divergent = match center {
        Center::Never => false,
        Center::Auto => vmin.is_none() && vmax.is_none(),
        Center::At(_) => vmin.is_none() || vmax.is_none(),
    };
    let c = match center {
        Center::At(c) => c,
        _ => 0.0,
    };
    let lo = vmin.unwrap_or(seen.lo);
    let hi = vmax.unwrap_or(seen.hi);
    if !possibly_divergent {
        return (lo, hi, false);
    }
    let levels_diverge = matches!(levels, Some(Levels::Bounds(b)) if b[0] * b[b.len() - 1] < 0.0);
    let divergent = (lo < 0.0 && 0.0 < hi) || matches!(center, Center::At(_)) || levels_diverge;
    if !divergent {
        return (lo, hi, false);
    }
    let vlim = match (vmin, vmax) {
        (Some(v), _) | (_, Some(v)) => (v - c).abs(),
        (None, None) => (lo - c).abs().max((hi - c).abs()),
    };
    (c - vlim, c + vlim, true)
}

/// The failure for limits that leave no range: one given end beyond all the data.
fn empty_range(
    vmin: Option<f64>,
    vmax: Option<f64>,
    lo: f64,
    hi: f64,
    seen: Seen,
) -> Option<RenderError> {
    if lo < hi {
        return None;
    }
    let message = match (vmin, vmax) {
        (Some(v), None) => format!(
            "--vmin {v} is not below the data's largest value, {}, so the colour scale would \
             have no top above its bottom; give a --vmin below {}, or --vmax as well",
            seen.hi, seen.hi
        ),
        (None, Some(v)) => format!(
            "--vmax {v} is not above the data's smallest value, {}, so the colour scale would \
             have no bottom below its top; give a --vmax above {}, or --vmin as well",
            seen.lo, seen.lo
        ),
        // A single value and no limit: widened as matplotlib does.
        _ => return None,
    };
    Some(RenderError::Colours(message))
}

/// A zero-width range widened as matplotlib's colour bar does (`nonsingular`, expander 0.1):
/// v ± 10 %, 0 ± 0.1.
fn non_degenerate(lo: f64, hi: f64) -> (f64, f64) {
    if hi - lo <= f64::EPSILON * lo.abs().max(1.0) {
        let half = if lo == 0.0 { 0.1 } else { 0.1 * lo.abs() };
        return (lo - half, hi + half);
    }
    (lo, hi)
}

/// `np.linspace(lo, hi, n)`.
fn linspace(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let step = (hi - lo) / (n - 1) as f64;
    (0..n)
        .map(|k| if k == n - 1 { hi } else { lo + k as f64 * step })
        .collect()
}

/// `_build_discrete_cmap`'s colours for `bins` bins: `n = bins + extensions` colours taken
/// evenly from the map (`cmap(np.linspace(0, 1, n))`), the first being the under colour and
/// the last the over colour where the data extend beyond.
fn discrete_colours(map: ColourMap, bins: usize, extend: Extend) -> Vec<Colour> {
    let n = bins + usize::from(extend.min()) + usize::from(extend.max());
    let step = if n > 1 { 1.0 / (n - 1) as f64 } else { 0.0 };
    (0..n)
        .map(|k| {
            map.at(if k == n - 1 && n > 1 {
                1.0
            } else {
                k as f64 * step
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(values: Vec<f64>) -> Grid {
        Grid {
            rows: 1,
            cols: values.len(),
            values: Values::F64(values),
            x_edges: Vec::new(),
            y_edges: Vec::new(),
            label: None,
        }
    }

    fn planned(colouring: &Colouring, given: Option<(f64, f64)>, values: &[f64]) -> ColourPlan {
        plan(colouring, given, None, &grid(values.to_vec())).unwrap()
    }

    fn failure(colouring: &Colouring, given: Option<(f64, f64)>, values: &[f64]) -> String {
        plan(colouring, given, None, &grid(values.to_vec()))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn data_crossing_zero_get_rdbu_r_symmetric_about_it_as_in_xarray() {
        let auto = Colouring::default();
        let p = planned(&auto, None, &[-3.0, 1.0, 8.0]);
        assert_eq!((p.map, p.lo, p.hi), (ColourMap::RDBU_R, -8.0, 8.0));
        // Touching 0 is not crossing it.
        let p = planned(&auto, None, &[0.0, 8.0]);
        assert_eq!((p.map, p.lo, p.hi), (ColourMap::VIRIDIS, 0.0, 8.0));
        // --cmap keeps the symmetric limits; --no-center drops the rule.
        let viridis = Colouring {
            cmap: Some(ColourMap::VIRIDIS),
            ..Colouring::default()
        };
        let p = planned(&viridis, None, &[-3.0, 8.0]);
        assert_eq!((p.map, p.lo, p.hi), (ColourMap::VIRIDIS, -8.0, 8.0));
        let never = Colouring {
            center: Center::Never,
            ..Colouring::default()
        };
        let p = planned(&never, None, &[-3.0, 8.0]);
        assert_eq!((p.map, p.lo, p.hi), (ColourMap::VIRIDIS, -3.0, 8.0));
        // A given centre always diverges, about itself; a given limit sets the half-width.
        let at = Colouring {
            center: Center::At(10.0),
            ..Colouring::default()
        };
        let p = planned(&at, None, &[12.0, 15.0]);
        assert_eq!((p.map, p.lo, p.hi), (ColourMap::RDBU_R, 5.0, 15.0));
        let p = planned(&at, Some((8.0, f64::NAN)), &[12.0, 15.0]);
        assert_eq!((p.lo, p.hi), (8.0, 12.0));
        // Both limits given: never diverging; one alone without --center: as before the rule.
        let p = planned(&auto, Some((-1.0, 2.0)), &[-3.0, 8.0]);
        assert_eq!((p.map, p.lo, p.hi), (ColourMap::VIRIDIS, -1.0, 2.0));
        let p = planned(&auto, Some((-5.0, f64::NAN)), &[-3.0, 8.0]);
        assert_eq!((p.map, p.lo, p.hi), (ColourMap::VIRIDIS, -5.0, 8.0));
    }

    #[test]
    fn the_shared_range_decides_over_the_plots_own() {
        let p = plan(
            &Colouring::default(),
            None,
            Some((-2.0, 6.0)),
            &grid(vec![1.0, 2.0]),
        )
        .unwrap();
        assert_eq!((p.map, p.lo, p.hi), (ColourMap::RDBU_R, -6.0, 6.0));
    }

    #[test]
    fn one_limit_beyond_the_data_fails_with_what_to_do() {
        let auto = Colouring::default();
        let e = failure(&auto, Some((100.0, f64::NAN)), &[10.0, 50.0]);
        assert!(
            e.contains("--vmin 100 is not below the data's largest value, 50"),
            "{e}"
        );
        assert!(e.contains("or --vmax as well"), "{e}");
        let e = failure(&auto, Some((f64::NAN, -5.0)), &[10.0, 50.0]);
        assert!(
            e.contains("--vmax -5 is not above the data's smallest value, 10"),
            "{e}"
        );
        assert!(failure(&auto, Some((50.0, f64::NAN)), &[10.0, 50.0]).contains("--vmin 50"));
        // A constant field without limits is widened, as matplotlib does.
        let p = planned(&auto, None, &[3.0, 3.0]);
        assert!((p.lo - 2.7).abs() < 1e-12 && (p.hi - 3.3).abs() < 1e-12);
    }

    #[test]
    fn a_log_norm_sees_and_counts_what_it_can_colour() {
        let log = Colouring {
            norm: Norm::Log,
            ..Colouring::default()
        };
        let p = planned(&log, None, &[-1.0, 0.0, 0.01, 100.0, f64::NAN]);
        assert_eq!((p.lo, p.hi, p.left_out), (0.01, 100.0, 2));
        assert_eq!(p.map, ColourMap::VIRIDIS);
        let e = failure(&log, None, &[-1.0, 0.0, f64::NAN]);
        assert!(
            e.contains("no value above 0") && e.contains("all 2 finite cells"),
            "{e}"
        );
        // A shared range reaching 0 or below: this plot's smallest positive value.
        let p = plan(&log, None, Some((-4.0, 1e3)), &grid(vec![0.5, 7.0])).unwrap();
        assert_eq!((p.lo, p.hi), (0.5, 1e3));
    }

    #[test]
    fn levels_follow_xarray() {
        let levels = |l: Levels| Colouring {
            levels: Some(l),
            ..Colouring::default()
        };
        // MaxNLocator(N − 1) on the limits; the data inside: no extension.
        let p = planned(&levels(Levels::Count(5)), None, &[0.3, 9.2]);
        let d = p.discrete.as_ref().unwrap();
        assert_eq!(d.bounds, [0.0, 2.5, 5.0, 7.5, 10.0]);
        assert_eq!((p.lo, p.hi, p.extend), (0.0, 10.0, Extend::Neither));
        let viridis = ColourMap::VIRIDIS;
        assert_eq!(
            d.colours,
            [0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0].map(|x| viridis.at(x))
        );
        // With a limit given: linspace.
        let p = planned(&levels(Levels::Count(3)), Some((0.0, 1.0)), &[0.3, 9.2]);
        let d = p.discrete.as_ref().unwrap();
        assert_eq!(d.bounds, [0.0, 0.5, 1.0]);
        assert_eq!(p.extend, Extend::Max);
        assert_eq!(d.colours.len(), 3, "two bins and the over colour");
        // Explicit boundaries crossing 0 diverge; data beyond both ends extend both ways.
        let p = planned(
            &levels(Levels::Bounds(vec![-1.0, 0.0, 1.0])),
            None,
            &[-3.0, 3.0],
        );
        assert_eq!((p.map, p.extend), (ColourMap::RDBU_R, Extend::Both));
        assert_eq!(p.discrete.unwrap().colours.len(), 4);
    }
}
