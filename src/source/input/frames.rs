//! The frames of an N-D array, one plot each: a line (its last dimension) or a heatmap (its
//! last two) for every index of its leading dimensions, read as a hyperslab so that a rank
//! never holds more than the frame it draws. What all frames of an array share — the
//! dataset, how its values unpack, its axes and labels, the coordinates that title each
//! frame — is read once per rank and array: a frame then costs little more than its values.

use super::conventions::{self as cf, TimeUnits, Unpacking};
use super::h5::readable;
use super::links;
use super::object::{ObjectError, ReadError};
use crate::plan::{Kind, PlotOf};
use crate::source::data::{index_axis, Content, Grid, PlotData, Scale, Values};
use hdf5::types::TypeDescriptor;

/// An array opened for its frames: for the range of their values, or to draw them.
pub struct Frames {
    /// The plan's index of the array.
    object: usize,
    path: String,
    /// The file the array is in, and its length when the frames were opened: a frame is
    /// drawn only while the file still has it.
    file: std::path::PathBuf,
    file_len: u64,
    ds: hdf5::Dataset,
    slab: Slab,
    /// Whether HDF5 may leave values of a frame unwritten (storage never written under
    /// `fill_time = never`, or not a plain layout): then a frame starts as zeros, which h5py
    /// reads there too.
    may_skip: bool,
    float32: bool,
    unpacking: Unpacking,
    /// All a drawn frame shows but its values and title; `None` when opened for the range
    /// of values only.
    look: Option<Look>,
}

struct Look {
    template: PlotData,
    /// What names each leading index in a frame's title.
    leading: Vec<FrameAxis>,
}

/// A leading dimension as a frame's title names its index: `time = 2000-01-15`,
/// `level = 850 [hPa]`, or `dimension 0 = 3` without a coordinate.
enum FrameAxis {
    Position(usize),
    Coordinate {
        name: String,
        /// `None`: unreadable, so the title gives the index (`time = #3`).
        values: Option<Vec<f64>>,
        time: Option<TimeUnits>,
        units: Option<String>,
    },
}

impl Frames {
    /// Array `of.object`, opened to find the range of its frames' values.
    pub fn for_range(ds: hdf5::Dataset, of: PlotOf<'_>) -> Result<Frames, ObjectError> {
        // A chunk that fits HDF5's cache (1 MiB: a 512 × 512 float32 frame) is read into
        // the cache and copied out, for nothing, as frames are read once; unfiltered, it
        // can be read straight into the frame. Filtered chunks keep the cache: a chunk of
        // several frames is then decompressed once.
        let ds = without_chunk_cache(ds)?;
        let path = &of.object.path;
        check_shape(&ds, of)?;
        let slab =
            Slab::of(&ds, of.object.frame_shape.len()).map_err(|source| ReadError::Hdf5 {
                path: path.clone(),
                source,
            })?;
        let file = super::raw::file_name(&ds);
        let file_len = std::fs::metadata(&file).map_or(0, |m| m.len());
        Ok(Frames {
            object: of.index,
            path: path.clone(),
            file,
            file_len,
            slab,
            may_skip: may_skip_values(&ds),
            float32: is_float32(&ds),
            unpacking: Unpacking::of(&ds),
            ds,
            look: None,
        })
    }

    /// Array `of.object`, opened to draw its frames as `kind` (a line or a heatmap).
    pub fn for_drawing(
        ds: hdf5::Dataset,
        of: PlotOf<'_>,
        kind: Kind,
    ) -> Result<Frames, ObjectError> {
        let mut frames = Frames::for_range(ds, of)?;
        frames.look = Some(Look::of(&frames.ds, &frames.path, of, kind));
        Ok(frames)
    }

    /// Whether these are the frames of `of`'s array, opened to draw them if `drawing`.
    pub fn serve(&self, of: PlotOf<'_>, drawing: bool) -> bool {
        self.object == of.index && (self.look.is_some() || !drawing)
    }

    /// The values of frame `of`, read while the file is still as it was.
    pub fn checked_values(&self, of: PlotOf<'_>) -> Result<Values, ObjectError> {
        let values = self.values(of)?;
        self.check_file()?;
        Ok(values)
    }

    /// Frame `of`, titled with its place in the leading dimensions.
    pub fn frame(&self, of: PlotOf<'_>) -> Result<PlotData, ObjectError> {
        let look = self
            .look
            .as_ref()
            .expect("frames are drawn only when opened for drawing");
        let values = self.values(of)?;
        // After the read: a file cut short while it was read is caught too.
        self.check_file()?;
        let mut data = look.template.clone();
        match &mut data.content {
            Content::Heatmap(grid) => grid.values = values,
            Content::Line(series) => {
                series.y = values.into_f64();
                data.dropped = series.gaps();
            }
            Content::Scatter(_) => unreachable!("frames are lines and heatmaps"),
        }
        let mut title = self.path.clone();
        for (axis, &i) in look.leading.iter().zip(&of.object.frame_index(of.frame)) {
            title += ", ";
            title += &axis.label(i);
        }
        data.title = Some(title);
        Ok(data)
    }

    /// The file still as long as when the frames were opened (a stat, microseconds a frame).
    fn check_file(&self) -> Result<(), ObjectError> {
        let now = std::fs::metadata(&self.file).ok().map(|m| m.len());
        if now == Some(self.file_len) {
            return Ok(());
        }
        Err(ObjectError::ChangedFile {
            path: self.path.clone(),
            file: self.file.clone(),
            was: self.file_len,
            now,
        })
    }

    /// A frame's values, unpacked (CF). float32 frames without packing or missing values
    /// are kept as stored: HDF5's conversion to f64 costs several times more than reading.
    fn values(&self, of: PlotOf<'_>) -> Result<Values, ReadError> {
        let index = of.object.frame_index(of.frame);
        if self.float32 && self.unpacking == Unpacking::default() {
            return self.read(&index).map(Values::F32);
        }
        let mut values = if self.float32 {
            self.read::<f32>(&index)?
                .into_iter()
                .map(f64::from)
                .collect()
        } else {
            self.read(&index)?
        };
        self.unpacking.apply(&mut values);
        Ok(Values::F64(values))
    }

    fn read<T: hdf5::H5Type + Default + Clone>(&self, index: &[u64]) -> Result<Vec<T>, ReadError> {
        self.slab
            .read(&self.ds, index, self.may_skip)
            .map_err(|source| ReadError::Hdf5 {
                path: self.path.clone(),
                source,
            })
    }
}

impl Look {
    fn of(ds: &hdf5::Dataset, path: &str, of: PlotOf<'_>, kind: Kind) -> Look {
        let shape = ds.shape();
        let lead = of.object.frame_shape.len();
        let coords = cf::coordinates(ds);
        let dim_labels = cf::strings(ds, "DIMENSION_LABELS").unwrap_or_default();
        let value_label = cf::label(ds, cf::base_name(path));
        let template = match kind {
            Kind::Line => {
                let (x, x_scale, x_label) =
                    axis_values(&coords[lead], shape[lead], dim_labels.get(lead));
                let mut data = PlotData::line(path, x, Vec::new());
                data.x_scale = x_scale;
                data.x_label = x_label;
                data.y_label = Some(value_label);
                data
            }
            _ => {
                let (rows, cols) = (shape[lead], shape[lead + 1]);
                let (y, y_scale, y_label) = axis_values(&coords[lead], rows, dim_labels.get(lead));
                let (x, x_scale, x_label) =
                    axis_values(&coords[lead + 1], cols, dim_labels.get(lead + 1));
                PlotData {
                    content: Content::Heatmap(Grid {
                        values: Values::default(),
                        rows,
                        cols,
                        x_edges: cell_edges(&x),
                        y_edges: cell_edges(&y),
                        label: Some(value_label),
                    }),
                    x_scale,
                    y_scale,
                    x_label,
                    y_label,
                    ..PlotData::default()
                }
            }
        };
        let leading = coords[..lead]
            .iter()
            .enumerate()
            .map(|(dim, coord)| FrameAxis::of(coord.as_ref(), dim))
            .collect();
        Look { template, leading }
    }
}

impl FrameAxis {
    fn of(coord: Option<&hdf5::Dataset>, dim: usize) -> FrameAxis {
        let Some(c) = coord else {
            return FrameAxis::Position(dim);
        };
        let values = readable(c).then(|| c.read_raw::<f64>().ok()).flatten();
        FrameAxis::Coordinate {
            name: cf::base_name(&cf::name_of(c)).to_owned(),
            time: TimeUnits::of(c).map(|t| t.for_values(values.as_deref().unwrap_or_default())),
            values,
            units: cf::units(c),
        }
    }

    fn label(&self, i: u64) -> String {
        let (name, values, time, units) = match self {
            FrameAxis::Position(dim) => return format!("dimension {dim} = {i}"),
            FrameAxis::Coordinate {
                name,
                values,
                time,
                units,
            } => (name, values, time, units),
        };
        let Some(&value) = values.as_ref().and_then(|v| v.get(i as usize)) else {
            return format!("{name} = #{i}");
        };
        if let Some(t) = time {
            return format!("{name} = {}", t.title(value));
        }
        let number = cf::format_number(value);
        match units {
            Some(units) => format!("{name} = {number} [{units}]"),
            None => format!("{name} = {number}"),
        }
    }
}

/// A dimension's values (its coordinate's, as times where they are CF times, else
/// positions 0, 1, …), their scale and the axis label (from the coordinate, else the
/// dimension's label, as h5py's `dims[i].label` writes it).
fn axis_values(
    coord: &Option<hdf5::Dataset>,
    n: usize,
    dim_label: Option<&String>,
) -> (Vec<f64>, Scale, Option<String>) {
    let unlabelled = dim_label.filter(|l| !l.is_empty()).cloned();
    let Some(c) = coord else {
        return (index_axis(n), Scale::Linear, unlabelled);
    };
    let Some(mut values) = readable(c).then(|| c.read_raw::<f64>().ok()).flatten() else {
        return (index_axis(n), Scale::Linear, unlabelled);
    };
    let name = cf::base_name(&cf::name_of(c)).to_owned();
    if let Some(t) = TimeUnits::of(c) {
        for v in &mut values {
            *v = t.to_seconds(*v);
        }
        let label = cf::string(c, "long_name")
            .or_else(|| cf::string(c, "standard_name"))
            .unwrap_or(name);
        return (values, Scale::Time(t.calendar()), Some(label));
    }
    Unpacking::of(c).apply(&mut values);
    if values.iter().any(|v| !v.is_finite()) {
        return (index_axis(n), Scale::Linear, unlabelled);
    }
    (values, Scale::Linear, Some(cf::label(c, &name)))
}

/// Cell edges around centres, as xarray infers them for pcolormesh: midpoints, and half a
/// step beyond each end. Centres that are not monotonic give positions instead.
fn cell_edges(centres: &[f64]) -> Vec<f64> {
    let n = centres.len();
    let monotonic =
        centres.windows(2).all(|w| w[1] > w[0]) || centres.windows(2).all(|w| w[1] < w[0]);
    if n == 0 || !monotonic {
        return (0..=n).map(|i| i as f64 - 0.5).collect();
    }
    if n == 1 {
        return vec![centres[0] - 0.5, centres[0] + 0.5];
    }
    let mut edges = Vec::with_capacity(n + 1);
    edges.push(centres[0] - 0.5 * (centres[1] - centres[0]));
    edges.extend(centres.windows(2).map(|w| 0.5 * (w[0] + w[1])));
    edges.push(centres[n - 1] + 0.5 * (centres[n - 1] - centres[n - 2]));
    edges
}

/// Where a frame lies in the file and in memory, made once per array: a frame is then one
/// hyperslab selection and one `H5Dread` into a new vector (the general reading of a
/// slice makes and checks its dataspaces, types and an array each time).
struct Slab {
    file: hdf5::Dataspace,
    memory: hdf5::Dataspace,
    /// A frame's extent in every dimension: 1 in the leading ones.
    count: Vec<hdf5_sys::h5::hsize_t>,
    len: usize,
}

impl Slab {
    fn of(ds: &hdf5::Dataset, lead: usize) -> hdf5::Result<Slab> {
        let shape = ds.shape();
        let count: Vec<_> = shape
            .iter()
            .enumerate()
            .map(|(dim, &n)| if dim < lead { 1 } else { n as u64 })
            .collect();
        let len = shape[lead..].iter().product();
        Ok(Slab {
            file: ds.space()?,
            // The frame's own shape: HDF5 copies between selections of one shape fast,
            // and value by value otherwise.
            memory: hdf5::Dataspace::try_new(&shape[lead..])?,
            count,
            len,
        })
    }

    /// The frame at `index` of the leading dimensions, converted to `T` by HDF5; zeros
    /// first where HDF5 `may_skip` values.
    fn read<T: hdf5::H5Type + Default + Clone>(
        &self,
        ds: &hdf5::Dataset,
        index: &[u64],
        may_skip: bool,
    ) -> hdf5::Result<Vec<T>> {
        use hdf5_sys::{h5d, h5p, h5s};
        let memtype = hdf5::Datatype::from_type::<T>()?;
        let mut start = index.to_vec();
        start.resize(self.count.len(), 0);
        let mut values: Vec<T> = Vec::with_capacity(self.len);
        if may_skip {
            values.resize(self.len, T::default());
        }
        hdf5::sync::sync(|| -> hdf5::Result<()> {
            // SAFETY: `start` and `count` have the dataspace's rank; the selection has
            // `len` elements, the memory space `len`, and `values` room for `len` of T.
            unsafe {
                hdf5::h5check(h5s::H5Sselect_hyperslab(
                    self.file.id(),
                    h5s::H5S_seloper_t::H5S_SELECT_SET,
                    start.as_ptr(),
                    std::ptr::null(),
                    self.count.as_ptr(),
                    std::ptr::null(),
                ))?;
                hdf5::h5check(h5d::H5Dread(
                    ds.id(),
                    memtype.id(),
                    self.memory.id(),
                    self.file.id(),
                    h5p::H5P_DEFAULT,
                    values.as_mut_ptr().cast(),
                ))?;
            }
            Ok(())
        })?;
        // SAFETY: H5Dread wrote all `len` values: the storage's own, or the fill value
        // where none was written (the zeros above where HDF5 may skip them).
        unsafe { values.set_len(self.len) };
        Ok(values)
    }
}

/// `ds` opened again without a chunk cache, if its chunks are stored unfiltered. HDF5 keeps
/// one chunk cache per open dataset, made when it is first opened: the handle is closed
/// before the dataset is opened again.
fn without_chunk_cache(ds: hdf5::Dataset) -> Result<hdf5::Dataset, ReadError> {
    // A name that is not valid UTF-8 would not open the dataset again.
    let Ok(name) = String::from_utf8(super::raw::name_bytes(&ds)) else {
        return Ok(ds);
    };
    if !ds.is_chunked() || !ds.filters().is_empty() {
        return Ok(ds);
    }
    let Ok(file) = ds.file() else {
        return Ok(ds);
    };
    drop(ds);
    links::dataset_uncached(&file, &name)
        .or_else(|_| links::dataset(&file, &name))
        .map_err(|source| ReadError::Reopen {
            path: name.clone(),
            source,
        })
}

/// The frames the plan counted on: the same leading dimensions and a line's or heatmap's
/// rank. The file may have changed since it was planned (or differ on another node).
fn check_shape(ds: &hdf5::Dataset, of: PlotOf<'_>) -> Result<(), ObjectError> {
    let shape = ds.shape();
    let planned = &of.object.frame_shape;
    let frame_rank = if of.object.kind == Kind::Line { 1 } else { 2 };
    let leading: Vec<u64> = shape
        .iter()
        .take(planned.len())
        .map(|&n| n as u64)
        .collect();
    let same = shape.len() == planned.len() + frame_rank && of.object.fits(&leading);
    if same {
        return Ok(());
    }
    Err(ObjectError::ChangedShape {
        path: of.object.path.clone(),
        shape,
    })
}

/// Whether a read may leave values unwritten: HDF5 writes the fill value where no data was
/// written, unless the dataset says never to (`fill_time = never`), and a layout other than
/// contiguous, chunked or compact is not trusted to.
fn may_skip_values(ds: &hdf5::Dataset) -> bool {
    use hdf5::dataset::{FillTime, Layout};
    ds.dcpl().map_or(true, |dcpl| {
        dcpl.fill_time() == FillTime::Never
            || !matches!(
                dcpl.layout(),
                Layout::Contiguous | Layout::Chunked | Layout::Compact
            )
    })
}

fn is_float32(ds: &hdf5::Dataset) -> bool {
    matches!(
        ds.dtype().and_then(|t| super::raw::descriptor(&t)),
        Ok(TypeDescriptor::Float(hdf5::types::FloatSize::U4))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_edges_are_midpoints_with_half_steps_beyond() {
        assert_eq!(cell_edges(&[0.0, 1.0, 2.0]), [-0.5, 0.5, 1.5, 2.5]);
        assert_eq!(
            cell_edges(&[90.0, 0.0, -90.0]),
            [135.0, 45.0, -45.0, -135.0]
        );
        assert_eq!(cell_edges(&[5.0]), [4.5, 5.5]);
        assert_eq!(cell_edges(&[0.0, 2.0, 1.0]), [-0.5, 0.5, 1.5, 2.5]);
    }

    fn array(frame_shape: Vec<u64>) -> crate::plan::PlanObject {
        crate::plan::PlanObject {
            path: "/x".into(),
            kind: Kind::Heatmap,
            frame_shape,
            picks: Vec::new(),
        }
    }

    fn of(object: &crate::plan::PlanObject, frame: u64) -> PlotOf<'_> {
        PlotOf {
            index: 0,
            object,
            frame,
        }
    }

    #[test]
    fn an_array_whose_shape_is_not_the_planned_one_is_refused_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = hdf5::File::create(dir.path().join("f.h5")).unwrap();
        let ds = file.new_dataset::<f32>().shape(16).create("x").unwrap();
        let planned = array(vec![2, 2]);
        let why = Frames::for_range(ds, of(&planned, 0))
            .err()
            .unwrap()
            .to_string();
        assert!(
            why.starts_with("/x changed since the run was planned (it now has shape (16,)"),
            "{why}"
        );
    }

    #[test]
    fn frames_of_a_file_cut_short_while_drawn_fail_instead_of_reading_fill_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.h5");
        {
            let file = hdf5::File::create(&path).unwrap();
            let values: Vec<f32> = (0..3 * 4 * 5).map(|v| v as f32).collect();
            file.new_dataset_builder()
                .with_data(&ndarray::Array3::from_shape_vec((3, 4, 5), values).unwrap())
                .create("x")
                .unwrap();
        }
        let file = hdf5::File::open(&path).unwrap();
        let planned = array(vec![3]);
        let frames =
            Frames::for_drawing(file.dataset("x").unwrap(), of(&planned, 0), Kind::Heatmap)
                .unwrap();
        assert!(frames.frame(of(&planned, 0)).is_ok());
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(0)
            .unwrap();
        for k in 1..3 {
            let why = frames.frame(of(&planned, k)).err().unwrap().to_string();
            assert!(
                why.starts_with("/x changed since the run was planned (its file")
                    && why.contains("is now 0 bytes"),
                "{why}"
            );
            assert!(frames.checked_values(of(&planned, k)).is_err());
        }
    }

    #[test]
    fn only_unfiltered_chunked_arrays_are_opened_again_without_a_chunk_cache() {
        let dir = tempfile::tempdir().unwrap();
        let file = hdf5::File::create(dir.path().join("f.h5")).unwrap();
        let make = |name: &str, chunked: bool, deflate: bool| {
            let builder = file.new_dataset::<f32>().shape((2, 8, 8));
            let builder = if chunked {
                builder.chunk((1, 8, 8))
            } else {
                builder
            };
            let builder = if deflate { builder.deflate(4) } else { builder };
            builder.create(name).unwrap()
        };
        let cache = |ds: hdf5::Dataset| {
            let ds = without_chunk_cache(ds).unwrap();
            ds.dapl().unwrap().chunk_cache().nbytes
        };
        assert_eq!(cache(make("plain", true, false)), 0);
        assert_eq!(cache(make("compressed", true, true)), 1 << 20);
        let contiguous = without_chunk_cache(make("contiguous", false, false)).unwrap();
        assert_eq!(contiguous.name(), "/contiguous");
    }

    #[test]
    fn frames_never_written_under_fill_time_never_read_as_zeros() {
        use hdf5::dataset::FillTime;
        let dir = tempfile::tempdir().unwrap();
        let file = hdf5::File::create(dir.path().join("f.h5")).unwrap();
        let ds = file
            .new_dataset::<f32>()
            .shape((3, 4, 5))
            .chunk((1, 4, 5))
            .fill_time(FillTime::Never)
            .create("x")
            .unwrap();
        ds.write_slice(
            &ndarray::Array2::from_elem((4, 5), 7f32),
            ndarray::s![0, .., ..],
        )
        .unwrap();
        let planned = array(vec![3]);
        let frames = Frames::for_range(ds, of(&planned, 0)).unwrap();
        assert!(frames.may_skip);
        // Frame 0 first, so that frame 1's vector may be the memory frame 0's was in.
        let range = |k| frames.checked_values(of(&planned, k)).unwrap().range();
        assert_eq!(range(0), Some((7.0, 7.0)));
        assert_eq!(range(1), Some((0.0, 0.0)));
    }
}
