//! `record_read`: the fuzz input decoded (`arbitrary`) into a run record's contents — rows
//! with raw statuses, plot numbers, offsets, sizes, archive names and strings of any bytes;
//! the status stored as this version's enum, a newer one's, another integer or none;
//! fields missing or of the wrong type; attributes missing, of the wrong type or empty —
//! written as a real HDF5 file with the HDF5 library, beside real tar archives, and read with
//! the functions `report`, `extract` and `--resume` use. Raw bytes of the HDF5 container
//! itself would mostly fuzz libhdf5.
//!
//! Beyond not crashing: `extract` writes nothing outside its output directory, and a record
//! as this version writes it (every field and attribute of its type) reports in every
//! format, one line a row.

use arbitrary::Arbitrary;
use hdf5::types::TypeDescriptor as TD;
use hdf5::types::{CompoundField, CompoundType, EnumMember, EnumType, FloatSize, IntSize};
use hdf5_sys::h5a::{H5Aclose, H5Acreate2, H5Awrite};
use hdf5_sys::h5d::{H5Dclose, H5Dcreate2, H5Dwrite};
use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5p::H5P_DEFAULT;
use hdf5_sys::h5s::{H5S_class_t, H5Sclose, H5Screate, H5Screate_simple, H5S_ALL};
use plotrand_mpi::fuzzing::ReportFormat;
use plotrand_mpi::{pack, record};
use std::ffi::CString;
use std::path::Path;

#[derive(Arbitrary, Debug)]
pub struct Record {
    pub rows: Vec<Row>,
    pub status: StatusType,
    /// Fields stored otherwise than this version does, by their index in `/results`' order
    /// (the status aside): most inputs change none or few.
    pub fields: Vec<(u8, Field)>,
    pub shape: Shape,
    pub hosts: Attr,
    pub version: Attr,
    /// The other string attributes (`format`, `input`, …).
    pub texts: Attr,
    /// The numeric attributes (`ranks`, `plots_done`, `wall_seconds`, …).
    pub numbers: Attr,
    pub archives: Vec<Archive>,
    /// `--resume`'s plot count.
    pub num_plots: u8,
    /// `extract`'s plots; none: `--all`.
    pub wanted: Vec<u8>,
}

#[derive(Arbitrary, Debug)]
pub struct Row {
    pub plot: Number,
    pub rank: i32,
    pub host: u32,
    pub elapsed: f64,
    pub bytes: u64,
    pub status: StatusValue,
    pub attempt: u32,
    pub dropped: u64,
    pub file: Text,
    pub place: Place,
    pub object: Text,
    pub reason: Text,
}

/// A number, mostly a small one (a plot of the run).
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Number {
    Small(u8),
    Any(u64),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum StatusValue {
    Ok,
    Failed,
    Skipped,
    NotDone,
    Any(i32),
}

/// A string field or attribute.
#[derive(Arbitrary, Debug, Clone)]
pub enum Text {
    Empty,
    /// `plot_K.png`, as a plot's file is named.
    Plot(u8),
    Bytes(Vec<u8>),
    /// A null pointer: a variable-length string never written.
    Null,
}

/// Where a row says its plot is packed.
#[derive(Arbitrary, Debug, Clone)]
pub enum Place {
    None,
    /// A member of one of the archives, its length off by `delta`.
    Member {
        archive: u8,
        member: u8,
        delta: i8,
    },
    /// Any offset in a file of any name (kept inside the work directory).
    Raw {
        archive: Vec<u8>,
        offset: u64,
    },
    /// A named pipe under an archive's name.
    Fifo,
    /// A symbolic link to the first archive.
    Link,
}

/// How `/results`' status is stored.
#[derive(Arbitrary, Debug, Clone)]
pub enum StatusType {
    /// This version's enum.
    Ours,
    /// This version's members and more, as a newer version might write.
    Extra(Vec<(Vec<u8>, i32)>),
    /// Other members altogether.
    Other(Vec<(Vec<u8>, i32)>),
    /// This version's members on a 1-byte base.
    Small,
    Int32,
    Int64,
    Unsigned8,
    Float,
    Text,
    Missing,
}

/// How a field is stored.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq)]
pub enum Field {
    Right,
    Missing,
    Float,
    Int8,
    Text,
    Fixed,
}

#[derive(Arbitrary, Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    OneD,
    Scalar,
    TwoD,
    /// A null dataspace: no rows at all, not even an empty list.
    Null,
    /// A group of that name, not a dataset.
    Group,
}

#[derive(Arbitrary, Debug, Clone)]
pub enum Attr {
    /// As this version writes it: a string, or a list of strings for `hosts`, or a number.
    Right(Vec<Text>),
    Missing,
    Number(u64),
    Float(f64),
    /// A string attribute with a null dataspace: no value at all.
    Null,
    Fixed(Vec<u8>),
    Texts(Vec<Text>),
}

#[derive(Arbitrary, Debug, Clone)]
pub struct Archive {
    pub members: Vec<(Text, Vec<u8>)>,
    /// Cut to this many bytes, as a killed rank leaves it.
    pub cut: Option<u16>,
}

/// A value of a field, before it is stored in the field's type.
enum Value {
    Int(i128),
    Float(f64),
    Text(Option<CString>),
}

pub fn check(input: &Record) {
    let dir = super::work_dir();
    let (archives, members) = write_archives(&dir, &input.archives);
    let record = dir.join("plotrand.h5");
    if write_record(&record, input, &archives, &members).is_err() {
        return; // HDF5 refused these contents (duplicate enum members, …): nothing to read
    }
    let before = super::tree(&dir);

    let n = u64::from(input.num_plots);
    let is_record = record::is_run_record(&record);
    let made = record::made_by(&record, n);
    assert!(made.is_empty() || made.len() == n as usize);
    let _ = record::read(&record);

    let mut lines = Vec::new();
    for format in [ReportFormat::Table, ReportFormat::Csv, ReportFormat::Json] {
        for failed_only in [false, true] {
            let mut out = Vec::new();
            let reported = plotrand_mpi::fuzzing::report(&record, format, failed_only, &mut out);
            assert_eq!(reported.is_ok() && is_record, reported.is_ok());
            if !failed_only {
                lines.push((format, reported.map(|()| count_lines(&out))));
            }
        }
    }
    if as_written(input) {
        let rows = input.rows.len().min(64);
        for (format, counted) in lines {
            let counted = counted.unwrap_or_else(|e| panic!("{format:?}: {e}"));
            let header = usize::from(format != ReportFormat::Json);
            assert_eq!(counted, rows + header, "{format:?}: one line a row");
        }
    }

    let out = dir.join("out");
    let wanted: Vec<u64> = input.wanted.iter().map(|&k| u64::from(k)).collect();
    let _ = plotrand_mpi::extract(&record, &wanted, wanted.is_empty(), &out);
    let outside: Vec<_> = super::tree(&dir)
        .into_iter()
        .filter(|p| !p.starts_with("out") && !before.contains(p))
        .collect();
    assert!(
        outside.is_empty(),
        "extract wrote outside its directory: {outside:?}"
    );
}

/// Lines of a report, a CSV record's quoted line breaks counted too: in a record as this
/// version writes it, names hold no line breaks of their own, but any byte may be there.
fn count_lines(out: &[u8]) -> usize {
    out.iter().filter(|&&b| b == b'\n').count()
}

/// Whether the record is as this version writes it, which every format must report whole:
/// every field and attribute of its type, one row a plot, no line breaks in its strings
/// (a run escapes them in reasons; CSV quotes them, and a quoted line break is a line more).
pub fn as_written(input: &Record) -> bool {
    let plain = |t: &Text| match t {
        Text::Bytes(b) => !b.iter().take_while(|&&c| c != 0).any(|&c| c == b'\n'),
        _ => true,
    };
    let place_plain = |p: &Place| match p {
        Place::Raw { archive, .. } => !archive.contains(&b'\n'),
        _ => true,
    };
    matches!(input.status, StatusType::Ours)
        && input.fields.iter().all(|&(_, f)| f == Field::Right)
        && input.shape == Shape::OneD
        && matches!(&input.hosts, Attr::Right(h) if h.iter().all(plain))
        && matches!(input.version, Attr::Right(_))
        && input.rows.iter().all(|r| {
            [&r.file, &r.object, &r.reason].into_iter().all(plain) && place_plain(&r.place)
        })
}

/// The archives `plots-000K.tar` in `dir`, with the offsets and lengths of their members; a
/// named pipe and a link under archive names.
fn write_archives(dir: &Path, archives: &[Archive]) -> (Vec<String>, Vec<Vec<(u64, u64)>>) {
    let mut names = Vec::new();
    let mut places = Vec::new();
    for (k, archive) in archives.iter().take(4).enumerate() {
        let mut bytes = Vec::new();
        let mut members = Vec::new();
        for (name, data) in &archive.members {
            let name = match name.bytes() {
                Some(b) if !b.is_empty() => String::from_utf8_lossy(&b).into_owned(),
                _ => "plot_1.png".to_string(),
            };
            let start = pack::member(&name, data, &mut bytes);
            members.push((start as u64, data.len() as u64));
        }
        bytes.extend_from_slice(&[0; 1024]);
        if let Some(cut) = archive.cut {
            bytes.truncate(usize::from(cut));
        }
        let name = pack::archive_name(k as u32);
        std::fs::write(dir.join(&name), bytes).unwrap();
        names.push(name);
        places.push(members);
    }
    let fifo = CString::new(dir.join("fifo.tar").into_os_string().into_encoded_bytes()).unwrap();
    // SAFETY: a NUL-terminated path.
    assert_eq!(unsafe { libc_mkfifo(fifo.as_ptr(), 0o600) }, 0, "mkfifo");
    std::os::unix::fs::symlink(pack::archive_name(0), dir.join("link.tar")).unwrap();
    (names, places)
}

extern "C" {
    #[link_name = "mkfifo"]
    fn libc_mkfifo(path: *const std::ffi::c_char, mode: u32) -> i32;
}

impl Text {
    /// The bytes, up to a NUL (where HDF5's strings end); `None` for a null string.
    fn bytes(&self) -> Option<Vec<u8>> {
        match self {
            Text::Empty => Some(Vec::new()),
            Text::Plot(k) => Some(format!("plot_{k}.png").into_bytes()),
            Text::Bytes(b) => Some(b.iter().copied().take_while(|&c| c != 0).collect()),
            Text::Null => None,
        }
    }

    fn value(&self) -> Value {
        Value::Text(self.bytes().map(|b| CString::new(b).expect("no NUL")))
    }
}

impl StatusValue {
    fn value(self) -> i128 {
        match self {
            StatusValue::Ok => 0,
            StatusValue::Failed => 1,
            StatusValue::Skipped => 2,
            StatusValue::NotDone => 3,
            StatusValue::Any(v) => i128::from(v),
        }
    }
}

impl Number {
    fn value(self) -> i128 {
        match self {
            Number::Small(k) => i128::from(k),
            Number::Any(k) => i128::from(k),
        }
    }
}

const OUR_STATUSES: [(&str, i32); 4] = [("Ok", 0), ("Failed", 1), ("Skipped", 2), ("NotDone", 3)];

fn enum_of(size: IntSize, members: impl IntoIterator<Item = (Vec<u8>, i32)>) -> TD {
    TD::Enum(EnumType {
        size,
        signed: true,
        members: members
            .into_iter()
            .map(|(name, value)| EnumMember {
                name: String::from_utf8_lossy(&name).into_owned(),
                value: value as i64 as u64,
            })
            .collect(),
    })
}

fn status_type(status: &StatusType) -> Option<TD> {
    let ours = || OUR_STATUSES.map(|(n, v)| (n.as_bytes().to_vec(), v));
    Some(match status {
        StatusType::Ours => enum_of(IntSize::U4, ours()),
        StatusType::Extra(more) => enum_of(IntSize::U4, ours().into_iter().chain(more.clone())),
        StatusType::Other(members) => enum_of(IntSize::U4, members.clone()),
        StatusType::Small => enum_of(IntSize::U1, ours()),
        StatusType::Int32 => TD::Integer(IntSize::U4),
        StatusType::Int64 => TD::Integer(IntSize::U8),
        StatusType::Unsigned8 => TD::Unsigned(IntSize::U1),
        StatusType::Float => TD::Float(FloatSize::U8),
        StatusType::Text => TD::VarLenUnicode,
        StatusType::Missing => return None,
    })
}

fn field_type(field: Field, right: TD) -> Option<TD> {
    Some(match field {
        Field::Right => right,
        Field::Missing => return None,
        Field::Float => TD::Float(FloatSize::U8),
        Field::Int8 => TD::Integer(IntSize::U1),
        Field::Text => TD::VarLenUnicode,
        Field::Fixed => TD::FixedAscii(8),
    })
}

/// `/results` and the root attributes, as `input` says, through the HDF5 library's C API:
/// the hdf5 crate writes only the types a Rust struct has.
fn write_record(
    path: &Path,
    input: &Record,
    archives: &[String],
    members: &[Vec<(u64, u64)>],
) -> hdf5::Result<()> {
    if matches!(&input.status, StatusType::Other(m) if m.is_empty()) {
        // libhdf5 1.10 segfaults creating a dataset of a compound holding such an enum.
        return Err("an enum of no members".into());
    }
    let file = hdf5::File::create(path)?;
    let u8_ = TD::Unsigned(IntSize::U8);
    let vlu = TD::VarLenUnicode;
    let rights = [
        ("plot", u8_.clone()),
        ("rank", TD::Integer(IntSize::U4)),
        ("host", TD::Unsigned(IntSize::U4)),
        ("elapsed", TD::Float(FloatSize::U8)),
        ("bytes", u8_.clone()),
        ("attempt", TD::Unsigned(IntSize::U4)),
        ("dropped", u8_.clone()),
        ("file", vlu.clone()),
        ("archive", vlu.clone()),
        ("offset", u8_),
        ("object", vlu.clone()),
        ("reason", vlu),
    ];
    let mut how = [Field::Right; 12];
    for &(i, field) in &input.fields {
        how[usize::from(i) % how.len()] = field;
    }
    let mut fields: Vec<(&str, TD)> = rights
        .into_iter()
        .zip(how)
        .filter_map(|((name, right), how)| Some((name, field_type(how, right)?)))
        .collect();
    if let Some(status) = status_type(&input.status) {
        // Where this version has it: after `bytes`.
        let at = fields
            .iter()
            .position(|(n, _)| *n == "bytes")
            .map_or(0, |i| i + 1);
        fields.insert(at, ("status", status));
    }
    if fields.is_empty() {
        return Err("no fields".into());
    }
    let row_type = CompoundType {
        fields: fields
            .iter()
            .enumerate()
            .map(|(index, (name, ty))| CompoundField::new(name, ty.clone(), 0, index))
            .collect(),
        size: 0,
    }
    .to_c_repr();

    let rows: Vec<Vec<(&str, Value)>> = input
        .rows
        .iter()
        .take(64)
        .map(|r| row_values(r, archives, members))
        .collect();
    let count = match input.shape {
        Shape::OneD => rows.len(),
        Shape::TwoD => 2 * rows.len(),
        Shape::Scalar => 1,
        Shape::Null | Shape::Group => 0,
    };
    let mut buf = vec![0u8; count * row_type.size];
    let mut strings = Vec::new(); // alive until written
    for (i, chunk) in buf.chunks_mut(row_type.size).enumerate() {
        let Some(row) = rows.get(i % rows.len().max(1)) else {
            break;
        };
        for field in &row_type.fields {
            let value = row.iter().find(|(n, _)| *n == field.name).map(|(_, v)| v);
            store(
                &mut chunk[field.offset..field.offset + field.ty.size()],
                &field.ty,
                value,
                &mut strings,
            );
        }
    }
    let dtype = hdf5::Datatype::from_descriptor(&TD::Compound(row_type))?;
    match input.shape {
        Shape::Group => drop(file.create_group("results")?),
        shape => {
            let dims: &[u64] = match shape {
                Shape::TwoD => &[rows.len() as u64, 2],
                _ => &[rows.len() as u64],
            };
            let space = match shape {
                Shape::Scalar => Space::new(H5S_class_t::H5S_SCALAR, &[]),
                Shape::Null => Space::new(H5S_class_t::H5S_NULL, &[]),
                _ => Space::new(H5S_class_t::H5S_SIMPLE, dims),
            }?;
            // SAFETY: valid ids, a NUL-terminated name, a buffer of `count` rows of the type.
            unsafe {
                let name = c"results";
                let ds = H5Dcreate2(
                    file.id(),
                    name.as_ptr(),
                    dtype.id(),
                    space.0,
                    H5P_DEFAULT,
                    H5P_DEFAULT,
                    H5P_DEFAULT,
                );
                if ds < 0 {
                    return Err("H5Dcreate2".into());
                }
                let written = count == 0
                    || H5Dwrite(
                        ds,
                        dtype.id(),
                        H5S_ALL,
                        H5S_ALL,
                        H5P_DEFAULT,
                        buf.as_ptr().cast(),
                    ) >= 0;
                H5Dclose(ds);
                if !written {
                    return Err("H5Dwrite".into());
                }
            }
        }
    }
    drop(strings);

    let attrs = &record_attr_names();
    for &(name, kind) in attrs {
        let attr = match kind {
            AttrKind::Hosts => &input.hosts,
            AttrKind::Version => &input.version,
            AttrKind::Text => &input.texts,
            AttrKind::Number | AttrKind::Float => &input.numbers,
        };
        write_attr(&file, name, kind, attr)?;
    }
    Ok(())
}

fn row_values<'a>(
    r: &Row,
    archives: &[String],
    members: &[Vec<(u64, u64)>],
) -> Vec<(&'a str, Value)> {
    let (archive, offset, bytes) = match &r.place {
        Place::None => (Text::Empty, 0, r.bytes),
        Place::Member {
            archive,
            member,
            delta,
        } if !archives.is_empty() => {
            let k = usize::from(*archive) % archives.len();
            let (offset, len) = members[k]
                .get(usize::from(*member) % members[k].len().max(1))
                .copied()
                .unwrap_or((512, 0));
            let len = len.wrapping_add_signed(i64::from(*delta));
            (Text::Bytes(archives[k].clone().into_bytes()), offset, len)
        }
        Place::Member { .. } => (Text::Plot(0), 0, r.bytes),
        Place::Raw { archive, offset } => {
            // Any name, but inside the work directory: opening any file of the machine
            // would fuzz the machine.
            let name: Vec<u8> = b"x-"
                .iter()
                .chain(archive)
                .map(|&b| if b == b'/' { b'_' } else { b })
                .collect();
            (Text::Bytes(name), *offset, r.bytes)
        }
        Place::Fifo => (Text::Bytes(b"fifo.tar".to_vec()), 512, r.bytes),
        Place::Link => (Text::Bytes(b"link.tar".to_vec()), 512, r.bytes),
    };
    vec![
        ("plot", Value::Int(r.plot.value())),
        ("rank", Value::Int(i128::from(r.rank))),
        ("host", Value::Int(i128::from(r.host))),
        ("elapsed", Value::Float(r.elapsed)),
        ("bytes", Value::Int(i128::from(bytes))),
        ("status", Value::Int(r.status.value())),
        ("attempt", Value::Int(i128::from(r.attempt))),
        ("dropped", Value::Int(i128::from(r.dropped))),
        ("file", r.file.value()),
        ("archive", archive.value()),
        ("offset", Value::Int(i128::from(offset))),
        ("object", r.object.value()),
        ("reason", r.reason.value()),
    ]
}

/// `value` stored in `out` as type `ty`, converted as a cast would.
fn store(out: &mut [u8], ty: &TD, value: Option<&Value>, strings: &mut Vec<CString>) {
    let Some(value) = value else { return };
    let int = match value {
        Value::Int(v) => *v,
        Value::Float(f) => *f as i128,
        Value::Text(t) => t.as_ref().map_or(0, |t| t.as_bytes().len() as i128),
    };
    match ty {
        TD::Integer(_) | TD::Unsigned(_) | TD::Enum(_) | TD::Boolean => {
            out.copy_from_slice(&int.to_le_bytes()[..out.len()]);
        }
        TD::Float(FloatSize::U8) => {
            let f = match value {
                Value::Float(f) => *f,
                _ => int as f64,
            };
            out.copy_from_slice(&f.to_le_bytes());
        }
        TD::Float(_) => {}
        TD::VarLenUnicode | TD::VarLenAscii => {
            let text = match value {
                Value::Text(t) => t.clone(),
                Value::Int(v) => Some(CString::new(v.to_string()).unwrap()),
                Value::Float(f) => Some(CString::new(f.to_string()).unwrap()),
            };
            let ptr = text.as_ref().map_or(std::ptr::null(), |t| t.as_ptr());
            out.copy_from_slice(&(ptr as usize).to_le_bytes());
            strings.extend(text);
        }
        TD::FixedAscii(_) | TD::FixedUnicode(_) => {
            if let Value::Text(Some(t)) = value {
                let b = t.as_bytes();
                let n = b.len().min(out.len());
                out[..n].copy_from_slice(&b[..n]);
            }
        }
        _ => {}
    }
}

#[derive(Clone, Copy, PartialEq)]
enum AttrKind {
    Hosts,
    Version,
    Text,
    Number,
    Float,
}

fn record_attr_names() -> [(&'static str, AttrKind); 18] {
    use AttrKind::*;
    [
        ("program_version", Version),
        ("hosts", Hosts),
        ("build", Text),
        ("mpi_library", Text),
        ("command_line", Text),
        ("start_time", Text),
        ("format", Text),
        ("input", Text),
        ("seed", Number),
        ("attempt", Number),
        ("ranks", Number),
        ("plots_done", Number),
        ("plots_failed", Number),
        ("plots_skipped", Number),
        ("plots_not_done", Number),
        ("points", Number),
        ("width", Number),
        ("wall_seconds", Float),
    ]
}

fn write_attr(file: &hdf5::File, name: &str, kind: AttrKind, attr: &Attr) -> hdf5::Result<()> {
    let scalar = |texts: &[Text]| {
        texts
            .first()
            .map_or(Value::Text(Some(CString::default())), Text::value)
    };
    let (ty, values, space): (TD, Vec<Value>, Space) = match attr {
        Attr::Missing => return Ok(()),
        Attr::Right(texts) => match kind {
            AttrKind::Hosts => (
                TD::VarLenUnicode,
                texts.iter().take(8).map(Text::value).collect(),
                Space::list(texts.len().min(8))?,
            ),
            AttrKind::Version | AttrKind::Text => {
                (TD::VarLenUnicode, vec![scalar(texts)], Space::scalar()?)
            }
            AttrKind::Number => (
                TD::Unsigned(IntSize::U8),
                vec![Value::Int(texts.len() as i128)],
                Space::scalar()?,
            ),
            AttrKind::Float => (
                TD::Float(FloatSize::U8),
                vec![Value::Float(texts.len() as f64)],
                Space::scalar()?,
            ),
        },
        Attr::Number(v) => (
            TD::Unsigned(IntSize::U8),
            vec![Value::Int(i128::from(*v))],
            Space::scalar()?,
        ),
        Attr::Float(f) => (
            TD::Float(FloatSize::U8),
            vec![Value::Float(*f)],
            Space::scalar()?,
        ),
        Attr::Null => (
            TD::VarLenUnicode,
            Vec::new(),
            Space::new(H5S_class_t::H5S_NULL, &[])?,
        ),
        Attr::Fixed(b) => (
            TD::FixedAscii(8),
            vec![Text::Bytes(b.clone()).value()],
            Space::scalar()?,
        ),
        Attr::Texts(texts) => (
            TD::VarLenUnicode,
            texts.iter().take(8).map(Text::value).collect(),
            Space::list(texts.len().min(8))?,
        ),
    };
    let dtype = hdf5::Datatype::from_descriptor(&ty)?;
    let size = ty.size();
    let mut buf = vec![0u8; values.len() * size];
    let mut strings = Vec::new();
    for (chunk, value) in buf.chunks_mut(size.max(1)).zip(&values) {
        store(chunk, &ty, Some(value), &mut strings);
    }
    let name = CString::new(name).unwrap();
    // SAFETY: valid ids, a NUL-terminated name, a buffer of as many values as the space holds.
    unsafe {
        let a = H5Acreate2(
            file.id(),
            name.as_ptr(),
            dtype.id(),
            space.0,
            H5P_DEFAULT,
            H5P_DEFAULT,
        );
        if a < 0 {
            return Err("H5Acreate2".into());
        }
        let written = values.is_empty() || H5Awrite(a, dtype.id(), buf.as_ptr().cast()) >= 0;
        H5Aclose(a);
        if !written {
            return Err("H5Awrite".into());
        }
    }
    Ok(())
}

/// A dataspace id, closed when dropped.
struct Space(hid_t);

impl Space {
    fn new(class: H5S_class_t, dims: &[u64]) -> hdf5::Result<Space> {
        // SAFETY: plain calls; `dims` outlives the call.
        let id = unsafe {
            match class {
                H5S_class_t::H5S_SIMPLE => {
                    H5Screate_simple(dims.len() as i32, dims.as_ptr(), std::ptr::null())
                }
                class => H5Screate(class),
            }
        };
        if id < 0 {
            return Err("H5Screate".into());
        }
        Ok(Space(id))
    }

    fn scalar() -> hdf5::Result<Space> {
        Space::new(H5S_class_t::H5S_SCALAR, &[])
    }

    fn list(n: usize) -> hdf5::Result<Space> {
        Space::new(H5S_class_t::H5S_SIMPLE, &[n as u64])
    }
}

impl Drop for Space {
    fn drop(&mut self) {
        // SAFETY: an id this made.
        unsafe { H5Sclose(self.0) };
    }
}
