//! `plotrand-mpi sample FILE.h5`: an input file to try `--input` with, and a skewed workload
//! for comparing schedules: datasets whose sizes grow geometrically from 10 points to
//! `max_points`, in path order, so that the last contiguous block holds the heavy ones.

use crate::exit::{Error, Exit};
use crate::output::h5::PendingH5;
use crate::sinks::console;
use crate::source::seed;
use std::path::Path;

/// `plotrand-mpi sample`: writes the file and says what it holds. An existing file is
/// replaced only with `force`, only once the new one is whole, and only if it is a regular
/// file or a symbolic link (the link itself, never what it points at).
pub fn run(file: &Path, datasets: usize, max_points: u64, force: bool) -> Result<Exit, Error> {
    if let Ok(meta) = std::fs::symlink_metadata(file) {
        let kind = meta.file_type();
        if !(kind.is_file() || kind.is_symlink()) {
            // Renaming over it would replace a device, pipe or socket (as root, /dev/null).
            return Err(Error::usage(format!(
                "'{}' is not a regular file; sample writes regular files only: choose another name",
                file.display()
            )));
        }
        if !force {
            return Err(Error::usage(format!(
                "'{}' exists; pass --force to replace it, or choose another name",
                file.display()
            )));
        }
    }
    write(file, datasets, max_points).map_err(|e| {
        let message = format!("could not write '{}': {e}", file.display());
        Error::failed(message)
    })?;
    let said = format!(
        "Wrote {datasets} datasets of 10 to {max_points} points to {}\n",
        file.display()
    );
    // The file is written: a report that cannot be printed changes nothing.
    let _ = console::print(&said);
    Ok(Exit::AllWritten)
}

/// Sizes of `count` datasets growing geometrically from 10 to `max_points`.
pub fn sizes(count: usize, max_points: u64) -> Vec<u64> {
    let (lo, hi) = (10f64, max_points.max(10) as f64);
    (0..count)
        .map(|i| {
            let t = if count > 1 {
                i as f64 / (count - 1) as f64
            } else {
                1.0
            };
            (lo * (hi / lo).powf(t)).round() as u64
        })
        .collect()
}

/// Writes `/skewed/dNNN` datasets of shape (n, 3): x, y uniform in [0, 1), size in pt²
/// (matplotlib's `s`), each with `x_label`/`y_label` attributes, under a temporary name
/// renamed into place when complete.
pub fn write(
    path: &Path,
    count: usize,
    max_points: u64,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let h5 = PendingH5::create(path)?;
    fill(h5.file(), count, max_points)?;
    h5.commit()
}

fn fill(file: &hdf5::File, count: usize, max_points: u64) -> hdf5::Result<()> {
    let group = file.create_group("skewed")?;
    for (i, n) in sizes(count, max_points).into_iter().enumerate() {
        let mut rng = seed::stream(0x5a3, i as u64);
        let rows: Vec<f64> = (0..n)
            .flat_map(|_| {
                let (x, y, u) = (
                    seed::uniform(&mut rng),
                    seed::uniform(&mut rng),
                    seed::uniform(&mut rng),
                );
                [x, y, 36.0 * u]
            })
            .collect();
        let ds = group
            .new_dataset::<f64>()
            .shape((n as usize, 3))
            .create(format!("d{i:03}").as_str())?;
        ds.write_raw(&rows[..])?;
        let label = |name: &str, text: &str| -> hdf5::Result<()> {
            let value: hdf5::types::VarLenUnicode = text.parse().expect("ASCII label");
            ds.new_attr::<hdf5::types::VarLenUnicode>()
                .create(name)?
                .write_scalar(&value)
        };
        label("x_label", "x")?;
        label("y_label", "y")?;
        // Says that the third column holds marker sizes.
        let columns: Vec<hdf5::types::VarLenUnicode> = ["x", "y", "size"]
            .iter()
            .map(|c| c.parse().expect("ASCII column name"))
            .collect();
        ds.new_attr::<hdf5::types::VarLenUnicode>()
            .shape(3)
            .create("columns")?
            .write_raw(&columns)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_grow_from_ten_to_the_maximum() {
        assert_eq!(sizes(3, 1000), [10, 100, 1000]);
        assert_eq!(sizes(1, 500), [500]);
    }

    #[test]
    fn the_sample_is_a_valid_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.h5");
        write(&path, 4, 1000).unwrap();
        let choice = crate::source::Choice::default();
        let selection = crate::source::input::Selection::new(None).unwrap();
        let listing = crate::source::input::listing(&path, &selection, &choice).unwrap();
        let paths: Vec<&str> = listing.objects.iter().map(|o| o.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/skewed/d000",
                "/skewed/d001",
                "/skewed/d002",
                "/skewed/d003"
            ]
        );
        assert_eq!(
            listing.described[3],
            "(1000, 3) table, columns x, y, size as x, y, size"
        );
        let file = hdf5::File::open(&path).unwrap();
        let plan = crate::plan::Plan::Input {
            objects: listing.objects.into(),
        };
        let of = plan.object(4).unwrap();
        let data = crate::source::input::read::read(&file, of, &choice, &mut None).unwrap();
        assert_eq!(data.points().unwrap().len(), 1000);
        assert!(data.points().unwrap().area.iter().any(|&s| s != 36.0));
        assert_eq!(data.x_label.as_deref(), Some("x"));
    }
}
