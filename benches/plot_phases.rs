//! Where a default plot's time goes: data, layout, markers, axes, PNG encoding, writing —
//! and the floor: encoding an already drawn frame and writing its bytes.
//! `cargo bench --bench plot_phases` (add `-- N` for N plots; default 400). Files go to a
//! temporary directory under $TMPDIR (default /tmp): set TMPDIR to measure another file
//! system, e.g. TMPDIR=/dev/shm for memory.

use plotrand_mpi::layout::Layout;
use plotrand_mpi::raster::{self, Frame};
use plotrand_mpi::write_atomically;
use plotrand_mpi::{random, Content, PlotData};
use plotrand_mpi::{FigureSpec, Format, PngCompression};
use plotrand_mpi::{Renderer, MATPLOTLIB_BLUE};
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let n: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(400);
    let dir = tempfile::tempdir().unwrap();
    let mut phases: Vec<(&str, Vec<f64>)> = [
        "data",
        "layout",
        "markers",
        "axes",
        "encode",
        "write",
        "total (render+write)",
        "floor: encode+write",
    ]
    .iter()
    .map(|p| (*p, Vec::new()))
    .collect();
    let mut frame = Frame::default();
    let mut out = Vec::new();
    let spec = FigureSpec {
        width: 640,
        height: 480,
        format: Format::Png,
        png_compression: PngCompression::Fast,
    };
    let mut renderer = Renderer::new(spec);
    let mut sizes = Vec::new();
    for k in 1..=n {
        let mut t = Instant::now();
        let mut lap = |i: usize, phases: &mut Vec<(&str, Vec<f64>)>| {
            phases[i].1.push(t.elapsed().as_secs_f64() * 1e3);
            t = Instant::now();
        };
        let points = random::points(1, k, 500);
        let data = PlotData {
            content: Content::Scatter(points.clone()),
            ..PlotData::default()
        };
        lap(0, &mut phases);
        let l = Layout::new(640, 480, &data);
        lap(1, &mut phases);
        frame.draw_markers(&points, &l, MATPLOTLIB_BLUE);
        lap(2, &mut phases);
        frame.draw_axes(&l).unwrap();
        lap(3, &mut phases);
        out.clear();
        raster::encode_indexed(&frame, PngCompression::Fast, &mut out).unwrap();
        lap(4, &mut phases);
        write_atomically(dir.path(), &format!("p{k}.png"), &out, false).unwrap();
        lap(5, &mut phases);
        sizes.push(out.len());
        let bytes = renderer.render(&data).unwrap().bytes;
        write_atomically(dir.path(), &format!("q{k}.png"), bytes, false).unwrap();
        lap(6, &mut phases);
        // The floor: what encoding the drawn frame and writing its bytes cost, together.
        let floor = phases[4].1.last().unwrap() + phases[5].1.last().unwrap();
        phases[7].1.push(floor);
    }
    println!("{n} default plots (640×480, 500 points), median per plot:");
    for (name, times) in phases {
        println!("  {name:<22} {:>8.3} ms", median(times));
    }
    sizes.sort();
    println!(
        "  PNG size (median)      {:>8.1} KB",
        sizes[sizes.len() / 2] as f64 / 1e3
    );
}
