//! PNG encoders and settings on the same default frames: time and bytes, for choosing what
//! `--png-compression` means. Indexed (what plotrand-mpi writes) against RGB (the same
//! pixels, three bytes each, as a generic RGB path would encode them).
//! `cargo bench --bench png_encoders` (add `-- N` for N frames; default 100).

use plotrand_mpi::layout::Layout;
use plotrand_mpi::raster::{self, Frame};
use plotrand_mpi::PngCompression;
use plotrand_mpi::MATPLOTLIB_BLUE;
use plotrand_mpi::{random, Content, PlotData};
use png::{ColorType, DeflateCompression as Deflate, Filter};
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn encode(
    pixels: &[u8],
    colour: ColorType,
    palette: &[u8],
    filter: Filter,
    deflate: Deflate,
) -> usize {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, 640, 480);
    encoder.set_color(colour);
    encoder.set_depth(png::BitDepth::Eight);
    if colour == ColorType::Indexed {
        encoder.set_palette(palette);
    }
    encoder.set_filter(filter);
    encoder.set_deflate_compression(deflate);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(pixels).unwrap();
    writer.finish().unwrap();
    out.len()
}

fn main() {
    let n: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100);
    let mut frame = Frame::default();
    let mut frames = Vec::new();
    for k in 1..=n {
        let points = random::points(1, k, 500);
        let data = PlotData {
            content: Content::Scatter(points.clone()),
            ..PlotData::default()
        };
        frame
            .draw(&points, &Layout::new(640, 480, &data), MATPLOTLIB_BLUE)
            .unwrap();
        frames.push(frame.pixels.clone());
    }
    let palette = frame.palette().to_vec();
    let rgb: Vec<Vec<u8>> = frames
        .iter()
        .map(|f| {
            f.iter()
                .flat_map(|&i| palette[usize::from(i) * 3..][..3].to_vec())
                .collect()
        })
        .collect();
    println!("{n} default frames (640×480), median per frame:");
    println!("  {:<42} {:>8} {:>8}", "encoding", "ms", "KB");
    let (indexed, rgb_type) = (ColorType::Indexed, ColorType::Rgb);
    let (up, adaptive) = (Filter::Up, Filter::Adaptive);
    let fast = Deflate::FdeflateUltraFast;
    #[rustfmt::skip]
    let cases: [(&str, ColorType, Filter, Deflate); 11] = [
        ("indexed, fdeflate, no filter", indexed, Filter::NoFilter, fast),
        ("indexed, fdeflate, Sub", indexed, Filter::Sub, fast),
        ("indexed, fdeflate, Up  (--png-compression fast)", indexed, up, fast),
        ("indexed, fdeflate, adaptive  (balanced)", indexed, adaptive, fast),
        ("indexed, zlib level 1, Up", indexed, up, Deflate::Level(1)),
        ("indexed, zlib level 2, Up", indexed, up, Deflate::Level(2)),
        ("indexed, zlib level 2, adaptive", indexed, adaptive, Deflate::Level(2)),
        ("indexed, zlib level 6, Up", indexed, up, Deflate::Level(6)),
        ("indexed, zlib level 9, adaptive  (high)", indexed, adaptive, Deflate::Level(9)),
        ("RGB, fdeflate, adaptive (png's Fast)", rgb_type, adaptive, fast),
        ("RGB, zlib level 6, adaptive (png's Balanced)", rgb_type, adaptive, Deflate::Level(6)),
    ];
    for (name, colour, filter, deflate) in cases {
        let (mut times, mut sizes) = (Vec::new(), Vec::new());
        let images = if colour == indexed { &frames } else { &rgb };
        for pixels in images {
            let t = Instant::now();
            sizes.push(encode(pixels, colour, &palette, filter, deflate) as f64);
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        println!(
            "  {name:<48} {:>8.3} {:>8.1}",
            median(times),
            median(sizes) / 1e3
        );
    }
    for level in [
        PngCompression::Fast,
        PngCompression::Balanced,
        PngCompression::High,
    ] {
        let mut out = Vec::new();
        let t = Instant::now();
        raster::encode_indexed(&frame, level, &mut out).unwrap();
        println!(
            "  check: --png-compression {level:?}: {:.3} ms, {:.1} KB (last frame)",
            t.elapsed().as_secs_f64() * 1e3,
            out.len() as f64 / 1e3
        );
    }
}
