//! The scaling study: speedup Sp = T1/Tp and efficiency Ep = Sp/p from run records made with
//! different rank counts on the same work, as a table and as the lesson's chart.

use crate::cli::Exit;
use crate::figure::PngCompression;
use crate::outdir;
use crate::render::axes::{register_font, FONT_FAMILY};
use crate::run_record;
use plotters::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `plotrand-mpi speedup`: the table on stdout and the chart in `chart`.
pub fn run(records: &[PathBuf], chart_path: &Path) -> Exit {
    let points = match records
        .iter()
        .map(|r| read_run(r))
        .collect::<Result<Vec<_>, _>>()
        .and_then(|runs| study(&runs))
    {
        Ok(points) => points,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    print!("{}", table(&points));
    match chart(&points, chart_path) {
        Ok(()) => {
            println!("Chart: {}", chart_path.display());
            Exit::AllWritten
        }
        Err(e) => {
            eprintln!("plotrand-mpi: {e}");
            Exit::SomeFailed
        }
    }
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
    #[error("the records do not describe the same work: '{}' is {b_work} but '{}' is {a_work}; compare runs of one command line with different -n", a.display(), b.display())]
    DifferentWork {
        a: PathBuf,
        a_work: String,
        b: PathBuf,
        b_work: String,
    },
    #[error("no record of a run on 1 rank among the {0} given: T1 is the time on one rank")]
    NoSerialRun(usize),
    #[error("no run records given")]
    Empty,
    #[error("could not draw the chart '{}': {reason}", path.display())]
    Chart { path: PathBuf, reason: String },
}

pub fn read_run(path: &Path) -> Result<TimedRun, ScalingError> {
    let r = run_record::read(path).map_err(|source| ScalingError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let work = format!(
        "{} plots ({} failed) of {} {}×{} {} (input '{}')",
        r.counts.done, r.counts.failed, r.points, r.width, r.height, r.format, r.input,
    );
    Ok(TimedRun {
        path: r.path,
        ranks: r.ranks,
        wall: r.wall_seconds,
        work,
    })
}

/// Median wall time per rank count, relative to the median on one rank.
pub fn study(runs: &[TimedRun]) -> Result<Vec<Point>, ScalingError> {
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
    let t1 = by_p
        .get_mut(&1)
        .map(median)
        .ok_or(ScalingError::NoSerialRun(runs.len()))?;
    Ok(by_p
        .into_iter()
        .map(|(p, mut walls)| {
            let tp = median(&mut walls);
            let speedup = t1 / tp;
            Point {
                p,
                runs: walls.len(),
                tp,
                speedup,
                efficiency: speedup / p as f64,
            }
        })
        .collect())
}

pub fn table(points: &[Point]) -> String {
    let mut out = format!(
        "{:>5}  {:>4}  {:>10}  {:>7}  {:>7}\n",
        "p", "runs", "Tp (s)", "Sp", "Ep"
    );
    for pt in points {
        out += &format!(
            "{:>5}  {:>4}  {:>10.3}  {:>7.2}  {:>7.2}\n",
            pt.p, pt.runs, pt.tp, pt.speedup, pt.efficiency
        );
    }
    out
}

/// The lesson's chart: speedup against processes with the ideal Sp = p, and efficiency.
pub fn chart(points: &[Point], path: &Path) -> Result<(), ScalingError> {
    let fail = |e: &dyn std::fmt::Display| ScalingError::Chart {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    register_font();
    let (width, height) = (800u32, 600u32);
    let mut rgb = vec![255u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        draw_chart(&root, points).map_err(|e| fail(&e))?;
        root.present().map_err(|e| fail(&e))?;
    }
    let mut png = Vec::new();
    crate::render::raster::encode_rgb(&rgb, width, height, PngCompression::Fast, &mut png)
        .map_err(|e| fail(&e))?;
    outdir::write_file(path, &png).map_err(|e| fail(&e))
}

fn draw_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    points: &[Point],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let max_p = points.iter().map(|p| p.p).max().unwrap_or(1) as f64;
    let max_s = points.iter().map(|p| p.speedup).fold(max_p, f64::max);
    let (top, bottom) = root.split_vertically(330);
    let font = |size: f64| (FONT_FAMILY, size);
    let mut speed = ChartBuilder::on(&top)
        .caption("Speedup Sp = T1 / Tp", font(22.0))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(55)
        .build_cartesian_2d(0.0..max_p * 1.05, 0.0..max_s * 1.1)?;
    speed
        .configure_mesh()
        .x_desc("processes p")
        .y_desc("speedup")
        .label_style(font(15.0))
        .draw()?;
    speed
        .draw_series(DashedLineSeries::new(
            [(0.0, 0.0), (max_p, max_p)],
            6,
            4,
            BLACK.stroke_width(1),
        ))?
        .label("ideal (Sp = p)")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK));
    let blue = RGBColor(0x1f, 0x77, 0xb4);
    let sp: Vec<(f64, f64)> = points.iter().map(|p| (p.p as f64, p.speedup)).collect();
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
        .build_cartesian_2d(0.0..max_p * 1.05, 0.0..1.1)?;
    eff.configure_mesh()
        .x_desc("processes p")
        .y_desc("efficiency")
        .label_style(font(15.0))
        .draw()?;
    let ep: Vec<(f64, f64)> = points.iter().map(|p| (p.p as f64, p.efficiency)).collect();
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
        let pts = study(&runs).unwrap();
        assert_eq!(pts.iter().map(|p| p.p).collect::<Vec<_>>(), [1, 2, 4]);
        assert_eq!((pts[0].runs, pts[0].tp, pts[0].speedup), (3, 11.0, 1.0));
        assert!((pts[1].speedup - 11.0 / 6.0).abs() < 1e-12);
        assert!(
            (pts[2].tp - 3.5).abs() < 1e-12 && (pts[2].efficiency - 11.0 / 3.5 / 4.0).abs() < 1e-12
        );
        let text = table(&pts);
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
    fn a_study_needs_one_rank_and_the_same_work() {
        assert!(matches!(
            study(&[run(2, 1.0)]),
            Err(ScalingError::NoSerialRun(1))
        ));
        let mut other = run(2, 1.0);
        other.work = "128 plots".into();
        let err = study(&[run(1, 2.0), other]).unwrap_err().to_string();
        assert!(
            err.contains("same work") && err.contains("128 plots"),
            "{err}"
        );
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
