//! The lesson's random scatter data, drawn from the plot's own stream.

use super::data::Points;
use super::seed;
use std::f64::consts::PI;

/// Largest marker radius in points, as the lesson's `15 * np.random.rand(N)`.
pub const MAX_RADIUS_PT: f64 = 15.0;

/// `n` points with x, y uniform in [0, 1) and area `π·(15·u)²` pt², drawn in the lesson's
/// order (all x, then all y, then all sizes) from plot `plot_num`'s stream.
pub fn points(run_seed: u64, plot_num: u64, n: usize) -> Points {
    let mut rng = seed::stream(run_seed, plot_num);
    let mut draw = |n: usize| -> Vec<f64> { (0..n).map(|_| seed::uniform(&mut rng)).collect() };
    let x = draw(n);
    let y = draw(n);
    let area = draw(n)
        .into_iter()
        .map(|u| PI * (MAX_RADIUS_PT * u).powi(2))
        .collect();
    Points { x, y, area }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_lesson_distribution() {
        let p = points(99, 1, 500);
        assert_eq!(p.len(), 500);
        assert!(p.x.iter().chain(&p.y).all(|&v| (0.0..1.0).contains(&v)));
        let max_area = PI * MAX_RADIUS_PT * MAX_RADIUS_PT;
        assert!(p.area.iter().all(|&s| (0.0..max_area).contains(&s)));
        assert_ne!(p.x, p.y, "x and y must be independent draws");
    }

    #[test]
    fn a_plot_depends_on_seed_and_number_only() {
        assert_eq!(points(5, 3, 50), points(5, 3, 50));
        assert_ne!(points(5, 3, 50), points(5, 4, 50));
        assert_ne!(points(5, 3, 50), points(6, 3, 50));
    }
}
