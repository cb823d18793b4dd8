//! How plots are named: the lesson's `plot_<k>`, an object's path made a safe file stem, or a
//! `--name` template; and the plot-block subdirectories of `--max-files-per-dir`.

use crate::plan::Plan;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// The run record's name inside the output directory, unless `--record` says otherwise.
pub const RECORD_FILE_NAME: &str = "plotrand.h5";

/// Where `--save-data` puts the ranks' data files, inside the output directory.
pub const DATA_DIR: &str = "data";

/// What defines the plots of the directory (see `manifest`), written before the first plot.
pub const MANIFEST_FILE_NAME: &str = "plotrand-manifest.txt";

/// Rank 0 holds a lock on this file in the output directory for the whole run.
pub const LOCK_FILE_NAME: &str = ".plotrand.lock";

/// The subdirectory of plot `plot_num` when directories hold at most `per_dir` plots:
/// plots 1..=per_dir in `0000`, the next block in `0001`, and so on.
pub(super) fn subdir(plot_num: u64, per_dir: Option<u64>) -> Option<String> {
    per_dir.map(|n| format!("{:04}", (plot_num - 1) / n))
}

/// Longest file stem made from an object path, in bytes: far below NAME_MAX (255).
pub(super) const MAX_STEM: usize = 120;

/// A file stem from an HDF5 object path that cannot leave the output directory: `/` becomes
/// `_`, anything but ASCII letters, digits, `-` and `.` becomes `_`, runs of `_` shrink to
/// one, and leading dots and dashes go (no hidden files, no `..`, nothing a shell command
/// would take for an option).
pub(super) fn sanitize(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        let keep = c.is_ascii_alphanumeric() || c == '-' || c == '.';
        let c = if keep { c } else { '_' };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    let trimmed = out
        .trim_start_matches(['_', '.', '-'])
        .trim_end_matches(['_', '.']);
    let mut stem = if trimmed.is_empty() {
        "dataset".to_string()
    } else {
        trimmed.to_string()
    };
    if stem.len() > MAX_STEM {
        stem.truncate(MAX_STEM);
        stem = format!(
            "{}-{:08x}",
            stem.trim_end_matches(['_', '.']),
            short_hash(path)
        );
    }
    stem
}

/// FNV-1a, 32 bits: a stable tag to tell apart paths that sanitise alike.
pub(super) fn short_hash(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// How the plots of a run are named.
#[derive(Debug, Clone)]
pub(super) enum Names {
    /// `plot_<k>`, `k` zero-padded to `width` digits.
    Random { width: usize },
    Input {
        objects: Vec<ObjectNames>,
        template: Option<String>,
        /// Digits of the largest plot number, for `{n}`.
        width: usize,
    },
}

/// The names of one object's plots.
#[derive(Debug, Clone)]
pub(super) struct ObjectNames {
    /// The object's path as a safe, unique file stem (`{object}`).
    stem: String,
    first_plot: u64,
    has_frames: bool,
    /// Digits of the largest frame index, for `{frame}`.
    frame_width: usize,
}

pub(super) fn digits(n: u64) -> usize {
    n.max(1).ilog10() as usize + 1
}

impl Names {
    pub(super) fn new(plan: &Plan, template: Option<&str>) -> Names {
        let width = digits(plan.num_plots());
        let Plan::Input { objects } = plan else {
            return Names::Random { width };
        };
        let paths: Vec<String> = objects.iter().map(|o| o.path.clone()).collect();
        let mut first_plot = 1;
        let objects = unique_stems(&paths)
            .into_iter()
            .zip(objects)
            .map(|(stem, object)| {
                let names = ObjectNames {
                    stem,
                    first_plot,
                    has_frames: object.has_frames(),
                    frame_width: digits(object.frames().saturating_sub(1)),
                };
                first_plot += object.frames();
                names
            })
            .collect();
        Names::Input {
            objects,
            template: template.map(str::to_owned),
            width,
        }
    }

    pub(super) fn stem(&self, plot_num: u64) -> String {
        match self {
            Names::Random { width } => format!("plot_{plot_num:0width$}"),
            Names::Input {
                objects,
                template,
                width,
            } => {
                let at = objects.partition_point(|o| o.first_plot <= plot_num) - 1;
                let object = &objects[at];
                let frame = plot_num - object.first_plot;
                let frame_width = object.frame_width;
                let default = if object.has_frames {
                    "{object}_{frame}"
                } else {
                    "{object}"
                };
                template
                    .as_deref()
                    .unwrap_or(default)
                    .replace("{object}", &object.stem)
                    .replace("{frame}", &format!("{frame:0frame_width$}"))
                    .replace("{n}", &format!("{plot_num:0width$}"))
            }
        }
    }
}

/// One piece of a name template.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Field<'a> {
    Text(&'a str),
    Object,
    Frame,
    N,
}

/// A template's pieces, in order.
fn fields(template: &str) -> Vec<Field<'_>> {
    const PLACES: [(&str, Field<'static>); 3] = [
        ("{object}", Field::Object),
        ("{frame}", Field::Frame),
        ("{n}", Field::N),
    ];
    let mut out = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        let next = PLACES
            .iter()
            .filter_map(|&(place, field)| rest.find(place).map(|at| (at, place.len(), field)))
            .min_by_key(|&(at, _, _)| at);
        let Some((at, len, field)) = next else {
            out.push(Field::Text(rest));
            break;
        };
        if at > 0 {
            out.push(Field::Text(&rest[..at]));
        }
        out.push(field);
        rest = &rest[at + len..];
    }
    out
}

/// The number `text` starts with, if it starts with exactly `width` digits' worth.
fn leading_number(text: &str, width: usize) -> Option<(u64, &str)> {
    let digits = text.get(..width)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((digits.parse().ok()?, &text[width..]))
}

/// What a name said so far, as a template is read back.
#[derive(Debug, Clone, Copy, Default)]
struct Read {
    object: Option<usize>,
    frame: Option<u64>,
    n: Option<u64>,
}

/// Reads plots' stems back to their plot numbers by parsing them as [`Names`] makes them,
/// with a table of the objects' stems only: a table of every plot's name would cost rank 0
/// about 100 bytes a plot (a gigabyte for 10^7 frames) where `--resume` needs none. A stem
/// read back is named again and compared, so only a plot's own name gives its number.
pub(super) struct NameReader<'a> {
    names: &'a Names,
    stems: HashMap<&'a str, usize>,
    num_plots: u64,
}

impl Names {
    pub(super) fn reader(&self, num_plots: u64) -> NameReader<'_> {
        let stems = match self {
            Names::Random { .. } => HashMap::new(),
            Names::Input { objects, .. } => objects
                .iter()
                .enumerate()
                .map(|(i, o)| (o.stem.as_str(), i))
                .collect(),
        };
        NameReader {
            names: self,
            stems,
            num_plots,
        }
    }
}

impl NameReader<'_> {
    /// The plot among `1..=num_plots` whose stem is `stem`.
    pub(super) fn plot_of(&self, stem: &str) -> Option<u64> {
        match self.names {
            Names::Random { .. } => {
                let k = stem.strip_prefix("plot_")?.parse().ok()?;
                self.is_named(k, stem).then_some(k)
            }
            Names::Input { template, .. } => match template {
                Some(template) => self.read(&fields(template), stem, stem, Read::default()),
                None => [
                    [Field::Object, Field::Text("_"), Field::Frame].as_slice(),
                    &[Field::Object],
                ]
                .iter()
                .find_map(|fields| self.read(fields, stem, stem, Read::default())),
            },
        }
    }

    fn is_named(&self, k: u64, stem: &str) -> bool {
        (1..=self.num_plots).contains(&k) && self.names.stem(k) == stem
    }

    /// Reads `rest`, the part of `stem` after what `got` holds, as `fields`; tries each way
    /// an object's stem could end (stems may hold the text that follows them).
    fn read(&self, fields: &[Field], rest: &str, stem: &str, got: Read) -> Option<u64> {
        let Some((&field, more)) = fields.split_first() else {
            let k = self.plot(got)?;
            return (rest.is_empty() && self.is_named(k, stem)).then_some(k);
        };
        let Names::Input { objects, width, .. } = self.names else {
            return None;
        };
        match field {
            Field::Text(text) => self.read(more, rest.strip_prefix(text)?, stem, got),
            Field::N => {
                let (n, rest) = leading_number(rest, *width)?;
                self.read(more, rest, stem, Read { n: Some(n), ..got })
            }
            Field::Frame => {
                let widths = match got.object {
                    Some(i) => objects[i].frame_width..=objects[i].frame_width,
                    None => 1..=20,
                };
                widths.into_iter().find_map(|w| {
                    let (frame, rest) = leading_number(rest, w)?;
                    let got = Read {
                        frame: Some(frame),
                        ..got
                    };
                    self.read(more, rest, stem, got)
                })
            }
            Field::Object => {
                let ends: Vec<usize> = match more.first() {
                    Some(Field::Text(text)) => rest.match_indices(text).map(|(at, _)| at).collect(),
                    Some(_) => rest.char_indices().map(|(at, _)| at).collect(),
                    None => vec![rest.len()],
                };
                ends.into_iter().find_map(|end| {
                    let &object = self.stems.get(&rest[..end])?;
                    let got = Read {
                        object: Some(object),
                        ..got
                    };
                    self.read(more, &rest[end..], stem, got)
                })
            }
        }
    }

    /// The plot a name's fields give: `{n}` says it; else the object's first plot and the
    /// frame (a template without `{object}` and `{n}` is refused for several objects).
    fn plot(&self, got: Read) -> Option<u64> {
        let Names::Input { objects, .. } = self.names else {
            return None;
        };
        match got.n {
            Some(n) => Some(n),
            None => objects[got.object.unwrap_or(0)]
                .first_plot
                .checked_add(got.frame.unwrap_or(0)),
        }
    }
}

/// A `--name` template that would give two plots of `plan` one name, and why.
pub fn name_clash(template: &str, plan: &Plan) -> Option<String> {
    let Plan::Input { objects } = plan else {
        return None;
    };
    if template.contains("{n}") {
        return None;
    }
    let framed = objects.iter().any(|o| o.has_frames());
    if framed && !template.contains("{frame}") {
        return Some(
            "the input has datasets of several frames; put {frame} or {plot} in the template"
                .into(),
        );
    }
    if objects.len() > 1 && !template.contains("{object}") {
        return Some(
            "the input has several objects; put {object} or {plot} in the template".into(),
        );
    }
    None
}

/// Sanitised stems, made unique: a stem already taken gets the path's hash, then a counter.
/// Case is folded when comparing, so that case-insensitive file systems cannot merge files.
pub(super) fn unique_stems(paths: &[String]) -> Vec<String> {
    let mut taken = HashSet::new();
    paths
        .iter()
        .map(|path| {
            let base = sanitize(path);
            let mut stem = base.clone();
            let mut n = 1;
            while !taken.insert(stem.to_ascii_lowercase()) {
                stem = if n == 1 {
                    format!("{base}-{:08x}", short_hash(path))
                } else {
                    format!("{base}-{:08x}-{n}", short_hash(path))
                };
                n += 1;
            }
            stem
        })
        .collect()
}

/// Rank `rank`'s archive, relative to the output directory.
pub fn archive_name(rank: u32) -> String {
    format!("plots-{rank:04}.tar")
}

/// The rank whose archive `name` is, for names [`archive_name`] makes.
pub(super) fn archive_rank(name: &str) -> Option<u32> {
    let digits = name.strip_prefix("plots-")?.strip_suffix(".tar")?;
    (digits.len() >= 4 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
        .filter(|&r| archive_name(r) == name)
}

/// Whether `relative` (to the output directory) is where a rank's archive goes.
pub fn is_archive(relative: &Path) -> bool {
    relative.to_str().and_then(archive_rank).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_paths_become_safe_file_names() {
        assert_eq!(sanitize("/exp1/run 3/xy"), "exp1_run_3_xy");
        assert_eq!(sanitize("/../../etc/passwd"), "etc_passwd");
        assert_eq!(sanitize("/.."), "dataset");
        assert_eq!(sanitize("/.hidden"), "hidden");
        assert_eq!(sanitize("/a\nb\u{7}c/ünï"), "a_b_c_n");
        assert_eq!(sanitize("/a/b.c"), "a_b.c");
        let long = format!("/{}", "x".repeat(500));
        let stem = sanitize(&long);
        assert!(
            stem.len() <= MAX_STEM + 9 && stem.starts_with("xxx"),
            "{stem}"
        );
        for stem in [sanitize("/\u{0}/\u{1}"), sanitize("/a/../../b")] {
            assert!(
                !stem.contains('/') && !stem.starts_with('.') && !stem.is_empty(),
                "{stem}"
            );
        }
    }

    #[test]
    fn two_objects_never_share_a_file() {
        let paths: Vec<String> = ["/a b", "/a_b", "/a/b", "/A_B", "/a?b"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let stems = unique_stems(&paths);
        let folded: HashSet<String> = stems.iter().map(|s| s.to_ascii_lowercase()).collect();
        assert_eq!(folded.len(), paths.len(), "{stems:?}");
        assert_eq!(stems[0], "a_b");
        assert!(stems[1].starts_with("a_b-"));
        assert_eq!(unique_stems(&paths), stems, "deterministic");
    }

    #[test]
    fn blocks_of_plots_share_a_subdirectory() {
        assert_eq!(subdir(1, None), None);
        assert_eq!(subdir(1, Some(1000)).as_deref(), Some("0000"));
        assert_eq!(subdir(1000, Some(1000)).as_deref(), Some("0000"));
        assert_eq!(subdir(1001, Some(1000)).as_deref(), Some("0001"));
        assert_eq!(subdir(2_000_000, Some(100)).as_deref(), Some("19999"));
    }
}
