//! `--robust`: the colour limits are the 2nd and 98th percentiles of the values instead of
//! their extremes (xarray's `robust=True`), so that a few outliers do not take the colours.
//!
//! A series' frames are spread over ranks, so its percentiles come from histograms: each rank
//! counts its frames' values into [`BINS`] equal bins between the series' agreed extremes (in
//! the colour scale's space: log10 of the values under a log norm), the counts are summed
//! over ranks (integers: the same sum in any order, so the same limits at any rank count), and
//! each percentile is read from the bins holding its order statistics. The error bound: a
//! percentile is within one bin, 1/4096 of the series' extent in that space (1/16 of one of
//! the 256 colours), of numpy's `percentile` of the same values. A frame alone (`--range
//! frame`, or an array of one plot) has its exact percentiles, numpy's to the bit.

use super::super::data::Values;

/// The percentiles xarray takes for `robust=True` (`ROBUST_PERCENTILE = 2.0`).
pub const LOW: f64 = 2.0;
pub const HIGH: f64 = 100.0 - LOW;
/// Bins of a series' histogram.
pub const BINS: usize = 4096;

/// Where values are compared: as they are, or as log10 of the positive ones (a log norm
/// draws no other, and spreads its colours evenly in log10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Space {
    #[default]
    Linear,
    Log,
}

impl Space {
    /// `v` in this space, if it is shown in it (finite; positive for a log).
    fn place(self, v: f64) -> Option<f64> {
        match self {
            Space::Linear => v.is_finite().then_some(v),
            Space::Log => (v.is_finite() && v > 0.0).then(|| v.log10()),
        }
    }

    fn value(self, x: f64) -> f64 {
        match self {
            Space::Linear => x,
            Space::Log => 10f64.powf(x),
        }
    }

    /// Smallest and largest of `values` shown in this space, as values.
    pub fn range(self, values: &Values) -> Option<(f64, f64)> {
        match self {
            Space::Linear => values.range(),
            Space::Log => {
                let mut range: Option<(f64, f64)> = None;
                for_each(values, |v| {
                    if self.place(v).is_some() {
                        let (lo, hi) = range.get_or_insert((v, v));
                        *lo = lo.min(v);
                        *hi = hi.max(v);
                    }
                });
                range
            }
        }
    }
}

fn for_each(values: &Values, mut f: impl FnMut(f64)) {
    match values {
        Values::F32(v) => v.iter().for_each(|&x| f(f64::from(x))),
        Values::F64(v) => v.iter().for_each(|&x| f(x)),
    }
}

/// `bins[i] = bin(values[i])`, by arithmetic the compiler turns into vector instructions.
#[inline(always)]
fn fill<T: Copy + Into<f64>>(bins: &mut [u16], values: &[T], bin: impl Fn(f64) -> u16) {
    for (b, &v) in bins.iter_mut().zip(values) {
        *b = bin(v.into());
    }
}

/// [`BINS`] equal bins over a series' range, in `space`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Binning {
    space: Space,
    lo: f64,
    width: f64,
    /// 1 / `width`.
    per_bin: f64,
}

impl Binning {
    /// Bins over `range` (values, both shown in `space`); `None` for a range of one value,
    /// whose percentiles are that value.
    pub fn new(range: (f64, f64), space: Space) -> Option<Binning> {
        let (lo, hi) = (space.place(range.0)?, space.place(range.1)?);
        let width = (hi - lo) / BINS as f64;
        (width > 0.0 && width.is_finite()).then_some(Binning {
            space,
            lo,
            width,
            per_bin: 1.0 / width,
        })
    }

    /// Counts `values` into `counts` (one per bin); values beyond the range (a file changed
    /// since the extremes were read) go to the end bins.
    pub fn count(&self, values: &Values, counts: &mut [u64]) {
        // Bins of a block of values first, by arithmetic alone (which the compiler turns into
        // vector instructions), then the counting, into four histograms in turn: neighbouring
        // values of a smooth field fall in one bin, and one counter would make each addition
        // wait for the last.
        let mut lanes = vec![[0u32; BINS + 1]; 4];
        match values {
            Values::F32(v) => self.count_into(v, &mut lanes),
            Values::F64(v) => self.count_into(v, &mut lanes),
        }
        for lane in &lanes {
            for (count, &n) in counts.iter_mut().zip(&lane[..BINS]) {
                *count += u64::from(n);
            }
        }
    }

    fn count_into<T: Copy + Into<f64>>(&self, values: &[T], lanes: &mut [[u32; BINS + 1]]) {
        const BLOCK: usize = 4096;
        let mut bins = [0u16; BLOCK];
        let [a, b, c, d] = lanes else {
            unreachable!("four histograms")
        };
        for block in values.chunks(BLOCK) {
            let bins = &mut bins[..block.len()];
            // One loop per space, so that the linear one has no logarithm in it.
            match self.space {
                Space::Linear => fill(bins, block, |v| self.bin(v, v, v.is_finite())),
                Space::Log => fill(bins, block, |v| self.bin(v.log10(), v, v > 0.0)),
            }
            let quads = bins.chunks_exact(4);
            for &bin in quads.remainder() {
                a[usize::from(bin)] += 1;
            }
            for q in quads {
                a[usize::from(q[0])] += 1;
                b[usize::from(q[1])] += 1;
                c[usize::from(q[2])] += 1;
                d[usize::from(q[3])] += 1;
            }
        }
    }

    /// The bin of `x` (`v` in this space), or [`BINS`] for a value not `shown` in it (NaN,
    /// ±∞; at or below 0 for a log).
    #[inline(always)]
    fn bin(&self, x: f64, v: f64, shown: bool) -> u16 {
        let at = ((x - self.lo) * self.per_bin).clamp(0.0, (BINS - 1) as f64);
        // SAFETY: clamped to 0..BINS − 1 (NaN, which clamp keeps, is replaced).
        let bin: u16 = unsafe { if at.is_nan() { 0.0 } else { at }.to_int_unchecked() };
        if shown && v.is_finite() {
            bin
        } else {
            BINS as u16
        }
    }

    /// The `q`th percentile (0 to 100) of the values `counts` holds, numpy's linear method on
    /// order statistics placed within their bins; `None` without values.
    pub fn percentile(&self, counts: &[u64], q: f64) -> Option<f64> {
        let n: u64 = counts.iter().sum();
        if n == 0 {
            return None;
        }
        let (below, t) = virtual_index(n as usize, q);
        let a = self.order_statistic(counts, below as u64);
        let b = self.order_statistic(counts, (below as u64 + 1).min(n - 1));
        Some(lerp(a, b, t))
    }

    /// The `i`th smallest value (from 0), placed within its bin as if its bin's values were
    /// evenly spread.
    fn order_statistic(&self, counts: &[u64], i: u64) -> f64 {
        let mut before = 0;
        for (bin, &c) in counts.iter().enumerate() {
            if i < before + c {
                let within = (i - before) as f64 + 0.5;
                let x = self.lo + (bin as f64 + within / c as f64) * self.width;
                return self.space.value(x);
            }
            before += c;
        }
        unreachable!("i is below the count")
    }
}

/// numpy's linear method: the percentile lies `t` of the way from order statistic `below` to
/// the next (`(n − 1)·q/100`, computed as numpy does).
fn virtual_index(n: usize, q: f64) -> (usize, f64) {
    let h = (q / 100.0) * (n - 1) as f64;
    let below = (h.floor() as usize).min(n - 1);
    (below, h - below as f64)
}

/// numpy's `_lerp`, which computes from the nearer end so that `t = 1` gives `b` exactly.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let d = b - a;
    if t >= 0.5 {
        b - d * (1.0 - t)
    } else {
        a + d * t
    }
}

/// The [`LOW`] and [`HIGH`] percentiles of one frame's values shown in `space`, exactly as
/// numpy's `percentile` gives them.
pub fn exact_limits(values: &Values, space: Space) -> Option<(f64, f64)> {
    let mut shown = Vec::with_capacity(values.len());
    for_each(values, |v| {
        if space.place(v).is_some() {
            shown.push(v);
        }
    });
    Some((exact(&mut shown, LOW)?, exact(&mut shown, HIGH)?))
}

fn exact(values: &mut [f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let (below, t) = virtual_index(values.len(), q);
    let (_, &mut a, above) = values.select_nth_unstable_by(below, f64::total_cmp);
    let b = above.iter().copied().fold(f64::INFINITY, f64::min);
    Some(if above.is_empty() { a } else { lerp(a, b, t) })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What numpy 2.4's `percentile(values, [2, 98])` gives, each printed in full with
    /// `float()` (numpy's own repr keeps 8 digits).
    #[test]
    fn exact_limits_are_numpys() {
        let values = Values::F64((0..1000).map(f64::from).collect());
        assert_eq!(exact_limits(&values, Space::Linear), Some((19.98, 979.02)));
        let squares = Values::F32((0..101).map(|i| (i * i) as f32).collect());
        // np.percentile(np.arange(101.0)**2, [2, 98]) = [4.0, 9604.0]
        assert_eq!(exact_limits(&squares, Space::Linear), Some((4.0, 9604.0)));
        let one = Values::F64(vec![f64::NAN, 7.0, f64::INFINITY]);
        assert_eq!(exact_limits(&one, Space::Linear), Some((7.0, 7.0)));
        assert_eq!(
            exact_limits(&Values::F64(vec![f64::NAN]), Space::Linear),
            None
        );
        let signs = Values::F64(vec![-1.0, 0.0, 10.0, 1000.0]);
        // Under a log norm only 10 and 1000 are shown: np.percentile([10, 1000], [2, 98]).
        assert_eq!(
            exact_limits(&signs, Space::Log),
            Some((29.8, 980.1999999999999))
        );
    }

    #[test]
    fn binned_percentiles_are_within_one_bin_of_numpys() {
        // A skewed sample: values k³ / 1e6 for k in 0..20000.
        let values: Vec<f64> = (0..20_000).map(|k| (k as f64).powi(3) / 1e6).collect();
        for space in [Space::Linear, Space::Log] {
            let frame = Values::F64(values.clone());
            let range = space.range(&frame).unwrap();
            let binning = Binning::new(range, space).unwrap();
            let mut counts = vec![0; BINS];
            // In two halves, as two ranks would count them.
            let (a, b) = values.split_at(7_000);
            binning.count(&Values::F64(a.to_vec()), &mut counts);
            binning.count(&Values::F64(b.to_vec()), &mut counts);
            let exact = exact_limits(&frame, space).unwrap();
            for (q, truth) in [(LOW, exact.0), (HIGH, exact.1)] {
                let got = binning.percentile(&counts, q).unwrap();
                let (g, t, w) = match space {
                    Space::Linear => (got, truth, (range.1 - range.0) / BINS as f64),
                    Space::Log => (
                        got.log10(),
                        truth.log10(),
                        (range.1.log10() - range.0.log10()) / BINS as f64,
                    ),
                };
                assert!(
                    (g - t).abs() <= w,
                    "{space:?} q{q}: {got} vs numpy's {truth}"
                );
            }
        }
    }

    #[test]
    fn a_range_of_one_value_or_no_positive_value_has_no_bins() {
        assert_eq!(Binning::new((3.0, 3.0), Space::Linear), None);
        assert_eq!(Binning::new((-1.0, 5.0), Space::Log), None);
        let binning = Binning::new((0.0, 1.0), Space::Linear).unwrap();
        assert_eq!(binning.percentile(&[0; BINS], LOW), None);
    }
}
