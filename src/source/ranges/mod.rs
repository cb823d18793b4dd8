//! Which frames of an input share one value range (`--range`), and the ranges they share.
//! A frame's colours (or a line's y axis) mean the same across the frames of its group, so
//! that a series animates on one scale; each group's range is agreed by every rank before
//! any frame is drawn (run/frame_ranges), the same at any rank count.

pub mod robust;

use crate::plan::{PlanObject, PlotOf};

/// `--range`: which frames of an array share their value range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RangeSharing {
    /// The frames along the first leading dimension (time, as CF and xarray put it),
    /// separately for each index of the other leading dimensions: each level of a
    /// (time, level, lat, lon) field its own range.
    #[default]
    Series,
    /// Each frame its own range.
    Frame,
    /// All frames of an array one range.
    Object,
}

impl RangeSharing {
    pub const ALL: [RangeSharing; 3] = [
        RangeSharing::Series,
        RangeSharing::Frame,
        RangeSharing::Object,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RangeSharing::Series => "series",
            RangeSharing::Frame => "frame",
            RangeSharing::Object => "object",
        }
    }

    /// How many groups of frames of `object` share a range: none where every group would be
    /// one frame (a frame's own range is its group's).
    fn groups(self, object: &PlanObject) -> u64 {
        let frames = object.frames();
        let per_group = match self {
            RangeSharing::Frame => return 0,
            RangeSharing::Object => frames,
            RangeSharing::Series => object.frame_shape.first().copied().unwrap_or(0),
        };
        if !object.has_frames() || per_group < 2 {
            return 0;
        }
        frames / per_group
    }

    /// The group (of [`Self::groups`]) frame `frame` of an object with `groups` belongs to.
    /// Frames are numbered row-major, the first leading dimension outermost: frame
    /// `t · groups + g` is index t of the series of group g.
    fn group_of(frame: u64, groups: u64) -> u64 {
        frame % groups
    }
}

/// The groups of frames of a plan that share a range, and their ranges once agreed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SharedRanges {
    /// Where each object's groups begin in `ranges`, and where the last one's end.
    first: Vec<usize>,
    ranges: Vec<Option<(f64, f64)>>,
}

impl SharedRanges {
    /// Room for the ranges of `objects`' groups under `sharing`, for the objects `shares`
    /// picks (others, e.g. whose limits are all given, keep their frames' own ranges).
    pub fn layout(
        objects: &[PlanObject],
        sharing: RangeSharing,
        shares: impl Fn(&PlanObject) -> bool,
    ) -> SharedRanges {
        let mut first = Vec::with_capacity(objects.len() + 1);
        let mut total = 0usize;
        for object in objects {
            first.push(total);
            if shares(object) {
                total += sharing.groups(object) as usize;
            }
        }
        first.push(total);
        SharedRanges {
            first,
            ranges: vec![None; total],
        }
    }

    /// How many groups share a range.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The group plot `of` belongs to, if its frames share a range.
    pub fn group(&self, of: PlotOf<'_>) -> Option<usize> {
        let start = *self.first.get(of.index)?;
        let groups = (self.first[of.index + 1] - start) as u64;
        (groups > 0).then(|| start + RangeSharing::group_of(of.frame, groups) as usize)
    }

    /// The object (its index in the plan) whose frames make up group `group`.
    pub fn object_of(&self, group: usize) -> usize {
        self.first.partition_point(|&first| first <= group) - 1
    }

    /// The range plot `of` shares with its group, once agreed; `None`: its own.
    pub fn range(&self, of: PlotOf<'_>) -> Option<(f64, f64)> {
        self.group(of).and_then(|g| self.ranges[g])
    }

    /// Every group's range, in group order.
    pub fn ranges(&self) -> &[Option<(f64, f64)>] {
        &self.ranges
    }

    pub fn set_ranges(&mut self, ranges: Vec<Option<(f64, f64)>>) {
        assert_eq!(ranges.len(), self.ranges.len(), "one range per group");
        self.ranges = ranges;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Kind;

    fn array(frame_shape: Vec<u64>) -> PlanObject {
        PlanObject {
            path: "/x".into(),
            kind: Kind::Heatmap,
            frame_shape,
            picks: Vec::new(),
        }
    }

    fn of(object: &PlanObject, index: usize, frame: u64) -> PlotOf<'_> {
        PlotOf {
            index,
            object,
            frame,
        }
    }

    #[test]
    fn a_series_is_the_first_dimension_for_each_index_of_the_others() {
        // (time 3, level 2): frames t0l0, t0l1, t1l0, t1l1, t2l0, t2l1.
        let era5 = array(vec![3, 2]);
        let objects = [array(vec![]), era5.clone(), array(vec![4])];
        let ranges = SharedRanges::layout(&objects, RangeSharing::Series, |_| true);
        assert_eq!(ranges.len(), 3, "two levels, and one series of 4");
        let groups: Vec<_> = (0..6).map(|k| ranges.group(of(&era5, 1, k))).collect();
        assert_eq!(
            groups,
            [Some(0), Some(1), Some(0), Some(1), Some(0), Some(1)]
        );
        assert_eq!(ranges.group(of(&objects[0], 0, 0)), None);
        assert_eq!(ranges.group(of(&objects[2], 2, 3)), Some(2));
        let owners: Vec<_> = (0..3).map(|g| ranges.object_of(g)).collect();
        assert_eq!(owners, [1, 1, 2], "object 0 has no group");
    }

    #[test]
    fn object_sharing_is_one_group_and_frame_sharing_none() {
        let objects = [array(vec![3, 2]), array(vec![5])];
        let whole = SharedRanges::layout(&objects, RangeSharing::Object, |_| true);
        assert_eq!(whole.len(), 2);
        assert_eq!(whole.group(of(&objects[0], 0, 5)), Some(0));
        assert_eq!(whole.group(of(&objects[1], 1, 4)), Some(1));
        let own = SharedRanges::layout(&objects, RangeSharing::Frame, |_| true);
        assert!(own.is_empty());
        assert_eq!(own.range(of(&objects[0], 0, 1)), None);
    }

    #[test]
    fn groups_of_one_frame_and_objects_left_out_take_no_room() {
        let objects = [array(vec![1, 1000]), array(vec![4]), array(vec![6])];
        let ranges = SharedRanges::layout(&objects, RangeSharing::Series, |o| o.frame_shape != [6]);
        assert_eq!(ranges.len(), 1);
        assert_eq!(ranges.group(of(&objects[0], 0, 999)), None);
        assert_eq!(ranges.group(of(&objects[1], 1, 2)), Some(0));
        assert_eq!(ranges.group(of(&objects[2], 2, 2)), None);
    }
}
