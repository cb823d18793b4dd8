//! A bounded property test of the HDF5 input reader: a few hundred generated files with
//! random trees, types, shapes, values (NaN, ±∞, huge), attributes of the wrong type, soft
//! links in cycles, dangling soft and external links. Listing and reading each object, and
//! drawing what reads, must give a result or an error — never a panic or a hang.
//! Deterministic (seeded); any file that once broke the reader stays here as a case.

use crate::common::library::{
    listing, read, seed, Choice, Content, FigureSpec, Format, InputError, Plan, Renderer, Selection,
};
use crate::common::writing_hdf5;
use hdf5::types::VarLenUnicode;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::path::Path;

struct Gen(Xoshiro256PlusPlus);

impl Gen {
    fn below(&mut self, n: u64) -> u64 {
        (seed::uniform(&mut self.0) * n as f64) as u64
    }

    fn value(&mut self) -> f64 {
        match self.below(10) {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => f64::NEG_INFINITY,
            3 => 1e300,
            4 => -0.0,
            _ => seed::uniform(&mut self.0) * 200.0 - 100.0,
        }
    }
}

fn dataset(g: &mut Gen, group: &hdf5::Group, name: &str) -> hdf5::Result<()> {
    let rows = g.below(6) as usize;
    let shape: Vec<usize> = match g.below(5) {
        0 => vec![rows],
        1 => vec![rows, 2],
        2 => vec![rows, 3],
        3 => vec![rows, 1 + g.below(5) as usize],
        _ => vec![rows, 2, 2],
    };
    let n: usize = shape.iter().product();
    let values: Vec<f64> = (0..n).map(|_| g.value()).collect();
    match g.below(6) {
        0 => group
            .new_dataset::<f64>()
            .shape(shape)
            .create(name)?
            .write_raw(&values[..]),
        1 => {
            let v: Vec<f32> = values.iter().map(|&x| x as f32).collect();
            group
                .new_dataset::<f32>()
                .shape(shape)
                .create(name)?
                .write_raw(&v[..])
        }
        2 => {
            let v: Vec<i8> = values.iter().map(|&x| x as i8).collect();
            group
                .new_dataset::<i8>()
                .shape(shape)
                .create(name)?
                .write_raw(&v[..])
        }
        3 => {
            let v: Vec<u64> = values.iter().map(|&x| x.abs() as u64).collect();
            group
                .new_dataset::<u64>()
                .shape(shape)
                .create(name)?
                .write_raw(&v[..])
        }
        4 => {
            let v: Vec<VarLenUnicode> = values
                .iter()
                .map(|x| x.to_string().parse().unwrap())
                .collect();
            group
                .new_dataset::<VarLenUnicode>()
                .shape(shape)
                .create(name)?
                .write_raw(&v[..])
        }
        _ => {
            let v: Vec<bool> = values.iter().map(|&x| x > 0.0).collect();
            group
                .new_dataset::<bool>()
                .shape(shape)
                .create(name)?
                .write_raw(&v[..])
        }
    }
}

fn tree(g: &mut Gen, group: &hdf5::Group, depth: u32) -> hdf5::Result<()> {
    for i in 0..1 + g.below(4) {
        match g.below(if depth < 3 { 8 } else { 5 }) {
            0..=2 => dataset(g, group, &format!("d{i}"))?,
            3 => {
                // An x/y group, with lengths and types that may or may not agree.
                let xy = group.create_group(&format!("xy{i}"))?;
                for column in ["x", "y", "size"] {
                    if column != "size" || g.below(2) == 0 {
                        dataset(g, &xy, column)?;
                    }
                }
                if g.below(2) == 0 {
                    xy.new_attr::<i32>().create("x_label")?.write_scalar(&7)?; // wrong type
                }
            }
            4 => match g.below(3) {
                0 => group.link_soft("/", &format!("cycle{i}"))?,
                1 => group.link_soft("/nowhere", &format!("dangling{i}"))?,
                _ => group.link_external("missing.h5", "/x", &format!("ext{i}"))?,
            },
            _ => tree(g, &group.create_group(&format!("g{i}"))?, depth + 1)?,
        }
    }
    Ok(())
}

/// The paths of the objects `selection` lists in `path`.
fn list(path: &Path, selection: &Selection) -> Result<Vec<String>, InputError> {
    let found = listing(path, selection, &Choice::default())?;
    Ok(found.objects.into_iter().map(|o| o.path).collect())
}

/// Lists and reads every plot (every frame of every object); returns (plotted, refused with
/// a reason).
fn check(path: &Path, renderer: &mut Renderer) -> (usize, usize) {
    let choice = Choice::default();
    let Ok(found) = listing(path, &Selection::new(Some("/**")).unwrap(), &choice) else {
        return (0, 0); // "nothing plottable" is a fine answer
    };
    let plan = Plan::Input {
        objects: found.objects.into(),
    };
    let file = hdf5::File::open(path).unwrap();
    let (mut plotted, mut refused) = (0, 0);
    // Kept from plot to plot, as a rank keeps it: the next frame of an array reuses it.
    let mut frames = None;
    for plot_num in 1..=plan.num_plots() {
        let of = plan.object(plot_num).unwrap();
        let object = of.object.path.clone();
        match read(&file, of, &choice, &mut frames) {
            Ok(data) => {
                match &data.content {
                    Content::Scatter(points) => {
                        assert!(!points.is_empty(), "{object}: no points but no error");
                        assert!(points.x.iter().chain(&points.y).all(|v| v.is_finite()));
                    }
                    Content::Line(series) => {
                        assert!(!series.y.is_empty(), "{object}: an empty line");
                        assert_eq!(series.x.len(), series.y.len(), "{object}");
                    }
                    Content::Heatmap(grid) => {
                        assert_eq!(grid.values.len(), grid.rows * grid.cols, "{object}");
                        assert_eq!(grid.x_edges.len(), grid.cols + 1, "{object}");
                        assert_eq!(grid.y_edges.len(), grid.rows + 1, "{object}");
                    }
                }
                renderer
                    .render(&data)
                    .unwrap_or_else(|e| panic!("{object}: {e}"));
                plotted += 1;
            }
            Err(reason) => {
                assert!(
                    reason.to_string().contains(object.as_str()),
                    "the reason names the object: {reason}"
                );
                refused += 1;
            }
        }
    }
    (plotted, refused)
}

#[test]
fn generated_files_never_break_the_reader() {
    let dir = tempfile::tempdir().unwrap();
    let spec = FigureSpec {
        width: 64,
        height: 48,
        format: Format::Png,
        png_compression: Default::default(),
    };
    let mut renderer = Renderer::new(spec);
    let (mut plotted, mut refused) = (0, 0);
    for case in 0..250u64 {
        let mut g = Gen(seed::stream(0xf022, case));
        let path = dir.path().join(format!("case{case}.h5"));
        // No other test may start a process while this one has HDF5 files open (see
        // `writing_hdf5`).
        let _hdf5_open = writing_hdf5();
        {
            let file = hdf5::File::create(&path).unwrap();
            tree(&mut g, &file, 0).unwrap();
        }
        let (p, r) = check(&path, &mut renderer);
        (plotted, refused) = (plotted + p, refused + r);
    }
    // The generator must reach both sides, or the test proves nothing.
    assert!(
        plotted > 50 && refused > 50,
        "{plotted} plotted, {refused} refused"
    );
}

/// Each damaged file is refused as a whole when listed, with an error that names the file
/// and gives HDF5's reason; the intact file lists, so the damage is what is refused.
#[test]
fn truncated_and_garbage_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.h5");
    // No other test may start a process while this one has HDF5 files open (see
    // `writing_hdf5`); this one starts none.
    let _hdf5_open = writing_hdf5();
    {
        let file = hdf5::File::create(&path).unwrap();
        let rows: Vec<f64> = (0..20_000).map(f64::from).collect();
        file.new_dataset::<f64>()
            .shape((10_000, 2))
            .create("xy")
            .unwrap()
            .write_raw(&rows[..])
            .unwrap();
    }
    let all = Selection::new(None).unwrap();
    assert_eq!(list(&path, &all).unwrap(), ["/xy"]);
    let bytes = std::fs::read(&path).unwrap();
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let signed_noise = [&bytes[..8], &noise[..]].concat();
    let cases: [(&str, &[u8], &str); 7] = [
        ("cut in half", &bytes[..bytes.len() / 2], "truncated file"),
        ("cut to 1000 bytes", &bytes[..1000], "truncated file"),
        ("cut to 100 bytes", &bytes[..100], "truncated file"),
        // The signature, and no valid superblock after it: no valid size of addresses.
        (
            "cut to the signature",
            &bytes[..8],
            "bad byte number in an address",
        ),
        ("empty", &[], "it is not an HDF5 file"),
        ("noise", &noise, "it is not an HDF5 file"),
        (
            "the signature, then noise",
            &signed_noise,
            "bad byte number in an address",
        ),
    ];
    for (case, content, reason) in cases {
        std::fs::write(&path, content).unwrap();
        let error = match list(&path, &all) {
            Ok(objects) => panic!("{case}: listed as {objects:?}"),
            Err(e) => e.to_string(),
        };
        let opening = format!("'{}' could not be opened as HDF5: ", path.display());
        let hdf5_reason = error
            .split_once(&opening)
            .unwrap_or_else(|| panic!("{case}: {error}"))
            .1;
        assert!(
            hdf5_reason.contains(reason) && !hdf5_reason.starts_with(';'),
            "{case}: wanted {reason:?} in {error}"
        );
    }
}
