//! The scaling study: speedup Sp = T1/Tp and efficiency Ep = Sp/p from run records made with
//! different rank counts on the same work, as a table and as the lesson's chart.

use crate::exit::{Error, Exit};
use crate::figure::PngCompression;
use crate::output;
use crate::render::text::{register_font, FONT_FAMILY};
use crate::sinks::console;
use crate::sinks::record;
use plotters::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `plotrand-mpi speedup`: the table on stdout and the chart in `chart`.
pub fn run(records: &[PathBuf], chart_path: &Path) -> Result<Exit, Error> {
    let png = chart_path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    if !png {
        return Err(Error::usage(format!(
            "--chart '{}': the chart is a PNG image; give a path ending in .png",
            chart_path.display()
        )));
    }
    let study = records
        .iter()
        .map(|r| read_run(r))
        .collect::<Result<Vec<_>, _>>()
        .and_then(|runs| study(&runs))
        .map_err(Error::usage)?;
    let drawn = chart(&study, chart_path);
    let said = match &drawn {
        Ok(()) => format!("{}Chart: {}\n", table(&study), chart_path.display()),
        Err(_) => table(&study),
    };
    let printed = console::print(&said);
    drawn.map_err(Error::failed)?;
    printed.map_err(|e| Error::failed(format!("could not print the study: {e}")))?;
    Ok(Exit::AllWritten)
}

/// What one run record says about its run, for the study.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedRun {
    pub path: PathBuf,
    pub ranks: u64,
    pub wall: f64,
    /// What must match across runs for the comparison to mean anything.
    pub work: String,
}

/// One row of the study: rank count, runs at that count, median wall time, speedup, efficiency.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub p: u64,
    pub runs: usize,
    pub tp: f64,
    pub speedup: f64,
    pub efficiency: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum ScalingError {
    #[error("could not read run record '{}': {source}", path.display())]
    Read { path: PathBuf, source: hdf5::Error },
    #[error("the records do not describe the same work: '{}' is {a_work}, but '{}' is {b_work}; compare runs of one command line on different rank counts (mpirun -n)", a.display(), b.display())]
    DifferentWork {
        a: PathBuf,
        a_work: String,
        b: PathBuf,
        b_work: String,
    },
    #[error("run record '{}' {problem}: it cannot be part of a study", path.display())]
    Unusable { path: PathBuf, problem: String },
    #[error("no run records given")]
    Empty,
    #[error("could not draw the chart '{}': {reason}", path.display())]
    Chart { path: PathBuf, reason: String },
}

pub fn read_run(path: &Path) -> Result<TimedRun, ScalingError> {
    let r = record::read(path).map_err(|source| ScalingError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let unusable = |problem: String| ScalingError::Unusable {
        path: path.to_path_buf(),
        problem,
    };
    if r.ranks == 0 {
        return Err(unusable("says the run had 0 ranks".into()));
    }
    if !plausible_wall(r.wall_seconds) {
        let w = r.wall_seconds;
        // Tiny and huge times in exponent form: 1e-320, not 320 zeros.
        let text = if w.is_finite() && w != 0.0 && !(1e-4..1e15).contains(&w.abs()) {
            format!("{w:e}")
        } else {
            format!("{w}")
        };
        return Err(unusable(format!("has a wall time of {text} s")));
    }
    let points = if r.input.is_empty() {
        format!("{} points each", r.points)
    } else {
        format!("from input '{}'", r.input)
    };
    let work = format!(
        "{} plots drawn ({} failed, {} skipped, {} not done), {points}, {}×{} px {}",
        r.counts.done,
        r.counts.failed,
        r.counts.skipped,
        r.counts.not_done,
        r.width,
        r.height,
        r.format,
    );
    Ok(TimedRun {
        path: r.path,
        ranks: r.ranks,
        wall: r.wall_seconds,
        work,
    })
}

/// Whether a record's wall time can be a run's: MPI_Wtime ticks in nanoseconds at best, and
/// no job runs for a century. Beyond, speedups overflow (1 s over 1e-320 s is infinite) and
/// a chart's axis could not be drawn.
fn plausible_wall(seconds: f64) -> bool {
    (1e-9..=3.2e9).contains(&seconds)
}

/// The study: the median wall time per rank count, and speedup and efficiency relative to
/// the smallest rank count p0 (one rank, ideally): Sp = p0·T(p0)/Tp, so that the base's
/// speedup is p0 and the ideal is Sp = p; Ep = Sp/p.
pub fn study(runs: &[TimedRun]) -> Result<Study, ScalingError> {
    let first = runs.first().ok_or(ScalingError::Empty)?;
    if let Some(other) = runs.iter().find(|r| r.work != first.work) {
        return Err(ScalingError::DifferentWork {
            a: first.path.clone(),
            a_work: first.work.clone(),
            b: other.path.clone(),
            b_work: other.work.clone(),
        });
    }
    let mut by_p: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
    for r in runs {
        by_p.entry(r.ranks).or_default().push(r.wall);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    };
    let (&base, base_walls) = by_p.iter_mut().next().expect("at least one run");
    let t_base = median(base_walls);
    let points = by_p
        .into_iter()
        .map(|(p, mut walls)| {
            let tp = median(&mut walls);
            let speedup = base as f64 * t_base / tp;
            Point {
                p,
                runs: walls.len(),
                tp,
                speedup,
                efficiency: speedup / p as f64,
            }
        })
        .collect();
    Ok(Study { base, points })
}

/// Speedup and efficiency per rank count, relative to the smallest one, `base`.
#[derive(Debug, Clone, PartialEq)]
pub struct Study {
    pub base: u64,
    pub points: Vec<Point>,
}

pub fn table(study: &Study) -> String {
    let mut out = String::new();
    if study.points.len() == 1 {
        out += &format!(
            "Only runs on p = {}: run the same work on other rank counts to compare\n",
            study.base
        );
    } else if study.base != 1 {
        let p0 = study.base;
        out += &format!(
            "No 1-rank run: relative to p = {p0}, taken as perfect (Sp = {p0}·T{p0}/Tp)\n"
        );
    }
    out += &format!(
        "{:>5}  {:>4}  {:>10}  {:>7}  {:>7}\n",
        "p", "runs", "Tp (s)", "Sp", "Ep"
    );
    for pt in &study.points {
        out += &format!(
            "{:>5}  {:>4}  {:>10.3}  {:>7.2}  {:>7.2}\n",
            pt.p, pt.runs, pt.tp, pt.speedup, pt.efficiency
        );
    }
    out
}

/// The lesson's chart: speedup against processes with the ideal Sp = p, and efficiency.
pub fn chart(study: &Study, path: &Path) -> Result<(), ScalingError> {
    let fail = |e: &dyn std::fmt::Display| ScalingError::Chart {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    register_font();
    let (width, height) = (800u32, 600u32);
    let mut rgb = vec![255u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        draw_chart(&root, study).map_err(|e| fail(&e))?;
        root.present().map_err(|e| fail(&e))?;
    }
    let mut png = Vec::new();
    crate::render::png::encode_rgb(&rgb, width, height, PngCompression::Fast, &mut png)
        .map_err(|e| fail(&e))?;
    output::write_file(path, &png).map_err(|e| fail(&e))
}

fn draw_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    study: &Study,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let points = &study.points;
    // Processes are whole numbers: an integer axis puts ticks only on them.
    let max_p = points.iter().map(|p| p.p).max().unwrap_or(1);
    let x_range = 0..max_p + 1;
    let x_labels = (max_p as usize + 2).min(12);
    let max_s = points
        .iter()
        .map(|p| p.speedup)
        .fold(max_p as f64, f64::max);
    let max_e = points.iter().map(|p| p.efficiency).fold(1.0, f64::max);
    let (top, bottom) = root.split_vertically(330);
    let font = |size: f64| (FONT_FAMILY, size);
    let caption = match study.base {
        1 => "Speedup Sp = T1 / Tp".to_string(),
        p0 => format!("Speedup Sp = {p0}·T{p0} / Tp (relative to p = {p0})"),
    };
    let mut speed = ChartBuilder::on(&top)
        .caption(caption, font(22.0))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(55)
        .build_cartesian_2d(x_range.clone(), 0.0..max_s * 1.1)?;
    speed
        .configure_mesh()
        .x_labels(x_labels)
        .x_desc("processes p")
        .y_desc("speedup")
        .label_style(font(15.0))
        .draw()?;
    let dashed = |from: (u64, f64), to: (u64, f64)| {
        DashedLineSeries::new([from, to], 6, 4, BLACK.stroke_width(1))
    };
    speed
        .draw_series(dashed((0, 0.0), (max_p, max_p as f64)))?
        .label("ideal (Sp = p)")
        // The legend's sample is dashed as the line is.
        .legend(|(x, y)| {
            plotters::element::DashedPathElement::new([(x, y), (x + 20, y)], 6, 4, BLACK)
        });
    let blue = RGBColor(0x1f, 0x77, 0xb4);
    let sp: Vec<(u64, f64)> = points.iter().map(|p| (p.p, p.speedup)).collect();
    speed
        .draw_series(LineSeries::new(sp.clone(), blue.stroke_width(2)))?
        .label("measured")
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], blue.stroke_width(2)));
    speed.draw_series(sp.iter().map(|&xy| Circle::new(xy, 4, blue.filled())))?;
    speed
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(font(15.0))
        .border_style(BLACK)
        .background_style(WHITE)
        .draw()?;

    let orange = RGBColor(0xff, 0x7f, 0x0e);
    let mut eff = ChartBuilder::on(&bottom)
        .caption("Efficiency Ep = Sp / p", font(22.0))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(55)
        .build_cartesian_2d(x_range, 0.0..max_e * 1.1)?;
    eff.configure_mesh()
        .x_labels(x_labels)
        .x_desc("processes p")
        .y_desc("efficiency")
        .label_style(font(15.0))
        .draw()?;
    let ep: Vec<(u64, f64)> = points.iter().map(|p| (p.p, p.efficiency)).collect();
    eff.draw_series(LineSeries::new(ep.clone(), orange.stroke_width(2)))?;
    eff.draw_series(ep.iter().map(|&xy| Circle::new(xy, 4, orange.filled())))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(ranks: u64, wall: f64) -> TimedRun {
        TimedRun {
            path: format!("r{ranks}-{wall}.h5").into(),
            ranks,
            wall,
            work: "64 plots".into(),
        }
    }

    #[test]
    fn speedup_and_efficiency_from_medians() {
        let runs = [
            run(1, 10.0),
            run(1, 12.0),
            run(1, 11.0),
            run(2, 6.0),
            run(4, 4.0),
            run(4, 3.0),
        ];
        let study = study(&runs).unwrap();
        let pts = &study.points;
        assert_eq!(pts.iter().map(|p| p.p).collect::<Vec<_>>(), [1, 2, 4]);
        assert_eq!((pts[0].runs, pts[0].tp, pts[0].speedup), (3, 11.0, 1.0));
        assert!((pts[1].speedup - 11.0 / 6.0).abs() < 1e-12);
        assert!(
            (pts[2].tp - 3.5).abs() < 1e-12 && (pts[2].efficiency - 11.0 / 3.5 / 4.0).abs() < 1e-12
        );
        let text = table(&study);
        assert!(
            text.lines()
                .nth(3)
                .unwrap()
                .split_whitespace()
                .eq(["4", "2", "3.500", "3.14", "0.79"]),
            "{text}"
        );
    }

    #[test]
    fn without_a_one_rank_run_the_smallest_count_is_the_base() {
        let study = study(&[run(4, 8.0), run(8, 5.0), run(16, 2.0)]).unwrap();
        assert_eq!(study.base, 4);
        let sp: Vec<f64> = study.points.iter().map(|p| p.speedup).collect();
        assert_eq!(sp, [4.0, 6.4, 16.0]);
        assert_eq!(study.points[2].efficiency, 1.0);
        let text = table(&study);
        assert!(
            text.starts_with("No 1-rank run: relative to p = 4"),
            "{text}"
        );
    }

    #[test]
    fn a_study_needs_the_same_work_and_names_each_record_with_its_own() {
        let mut other = run(2, 1.0);
        other.work = "128 plots".into();
        for runs in [[run(1, 2.0), other.clone()], [other.clone(), run(1, 2.0)]] {
            let err = study(&runs).unwrap_err().to_string();
            let (a, b) = (&runs[0], &runs[1]);
            let expected = format!(
                "'{}' is {}, but '{}' is {}",
                a.path.display(),
                a.work,
                b.path.display(),
                b.work
            );
            assert!(err.contains(&expected), "{err}");
        }
        assert!(matches!(study(&[]), Err(ScalingError::Empty)));
    }

    #[test]
    fn the_chart_is_a_png() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("speedup.png");
        chart(
            &study(&[run(1, 8.0), run(2, 4.4), run(4, 2.6)]).unwrap(),
            &path,
        )
        .unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let reader = png::Decoder::new(std::io::Cursor::new(bytes))
            .read_info()
            .unwrap();
        assert_eq!((reader.info().width, reader.info().height), (800, 600));
    }
}
