//! Text as matplotlib draws it. The unit tests of src/render/font.rs compare glyph offsets
//! with tests/data/matplotlib_text.json, which tests/data/matplotlib_text.py prints from the
//! venv's matplotlib; here that file is checked to be what the script prints today, and
//! whole figures are set beside xarray's: the same files drawn by `.plot()`
//! (scripts/look.py) and by the program, compared pixel for pixel where the texts are.

use crate::common::*;
use std::path::Path;
use std::process::Command;

#[test]
fn the_expected_glyph_offsets_are_matplotlibs() {
    let data = repo_path("tests/data");
    let out = run(Command::new(python()).arg(data.join("matplotlib_text.py")));
    assert!(
        out.success(),
        "matplotlib_text.py failed: {}",
        out.context()
    );
    let checked_in = std::fs::read_to_string(data.join("matplotlib_text.json")).unwrap();
    if out.stdout != checked_in {
        let first = out
            .stdout
            .lines()
            .zip(checked_in.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(out.stdout.lines().count().min(checked_in.lines().count()));
        panic!(
            "tests/data/matplotlib_text.json is not what matplotlib_text.py prints (first \
             difference at line {}):\n  printed:     {}\n  checked in:  {}\nregenerate it with \
             \"$(scripts/pyenv.sh)\" tests/data/matplotlib_text.py > \
             tests/data/matplotlib_text.json, and see whether the unit tests still pass",
            first + 1,
            out.stdout.lines().nth(first).unwrap_or("(end)"),
            checked_in.lines().nth(first).unwrap_or("(end)"),
        );
    }
}

/// A PNG as grey levels (the mean of red, green and blue), with its size.
fn grey(path: &Path) -> (usize, usize, Vec<u8>) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    let channels = frame.color_type.samples();
    let grey = pixels[..frame.buffer_size()]
        .chunks_exact(channels)
        .map(|p| {
            ((u16::from(p[0]) + u16::from(p[1 % channels]) + u16::from(p[2 % channels])) / 3) as u8
        })
        .collect();
    (frame.width as usize, frame.height as usize, grey)
}

/// Where the ink (darker than 215) of a region lies, and how far apart the two images are
/// in it at most.
fn compare(
    theirs: &(usize, usize, Vec<u8>),
    ours: &(usize, usize, Vec<u8>),
    [left, top, right, bottom]: [usize; 4],
) -> (Option<[usize; 4]>, Option<[usize; 4]>, u8) {
    let ink_box = |(w, _, g): &(usize, usize, Vec<u8>)| {
        let mut b: Option<[usize; 4]> = None;
        for y in top..bottom {
            for x in left..right {
                if g[y * w + x] < 215 {
                    b = Some(b.map_or([x, y, x, y], |b| {
                        [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)]
                    }));
                }
            }
        }
        b
    };
    let w = theirs.0;
    let most = (top..bottom)
        .flat_map(|y| (left..right).map(move |x| y * w + x))
        .map(|i| theirs.2[i].abs_diff(ours.2[i]))
        .max()
        .unwrap_or(0);
    (ink_box(theirs), ink_box(ours), most)
}

#[test]
fn labels_are_drawn_where_matplotlib_draws_them() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, look) = (tmp.path().join("data"), tmp.path().join("look"));
    // xarray's figures of the real files (look.py makes the files first).
    let drawn = run_within(
        Command::new(python())
            .arg(repo_path("scripts/look.py"))
            .arg(&data)
            .arg(&look),
        SLOW_LIMIT,
    );
    assert!(drawn.success(), "look.py failed: {}", drawn.context());
    let ours = tmp.path().join("ours");
    for file in ["xr_netcdf4.nc", "nc4_timeseries.nc"] {
        let input = data.join(file);
        let run = alone(&args!("--input {} -o {} -q", input, ours));
        assert_eq!(run.code, 0, "{}", run.context());
    }
    // Tick labels and axis labels: under the axes (below the ticks' ends), left of them
    // (clear of the ticks and of the titles, which differ: ours name the object), and the
    // colour bar's tick labels. xarray wraps colour bar labels longer than 30 characters.
    const BELOW: [usize; 4] = [0, 433, 640, 480];
    const LEFT: [usize; 4] = [0, 52, 73, 480];
    const BAR_TICKS: [usize; 4] = [527, 52, 558, 440];
    let pairs = [
        ("xr_netcdf4__tas.png", "tas_0.png", true),
        ("xr_netcdf4__orog.png", "orog.png", true),
        ("xr_netcdf4__sst.png", "sst.png", true),
        ("xr_netcdf4__nino34.png", "nino34.png", false),
        ("nc4_timeseries__discharge.png", "discharge.png", false),
        ("nc4_timeseries__water_level.png", "water_level.png", false),
    ];
    for (theirs, mine, heatmap) in pairs {
        let (a, b) = (grey(&look.join(theirs)), grey(&ours.join(mine)));
        assert_eq!((a.0, a.1), (640, 480), "{theirs}");
        assert_eq!((b.0, b.1), (640, 480), "{mine}");
        let mut regions = vec![("under the axes", BELOW), ("left of the axes", LEFT)];
        if heatmap {
            regions.push(("the colour bar's ticks", BAR_TICKS));
        }
        for (where_, region) in regions {
            let (their_ink, our_ink, most) = compare(&a, &b, region);
            assert!(their_ink.is_some(), "{theirs}: no text {where_}");
            assert_eq!(
                our_ink, their_ink,
                "{mine} against xarray's {theirs}: the ink {where_} (left, top, right, bottom)"
            );
            // Both anti-alias the same outlines at the same positions; what differs is the
            // rasterisers' curve flattening and our 32 levels of grey.
            assert!(
                most <= 48,
                "{mine} against xarray's {theirs}: {where_}, pixels differ by up to {most} \
                 grey levels"
            );
        }
    }
}
