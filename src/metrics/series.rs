//! Where the Metrics dashboard's aggregate keeps its numbers: each series (a key of strings)
//! interned once per thread, and its buckets in an array indexed by time.
//!
//! A Metric Streams export carries one datapoint per series and minute, in no order of series,
//! so every datapoint lands on a series the one before did not touch: what costs is memory
//! traffic, not arithmetic. So the keys of all series sit end to end in one string (a lookup
//! compares against memory that stays in cache), and a series' buckets are one array of
//! accumulators indexed by `(time - first) / width` rather than a tree to walk. A series whose
//! datapoints are too sparse for an array (a long fixed window with few datapoints) keeps a
//! B-tree instead, so memory stays bounded by the datapoints read.

use std::collections::{BTreeMap, VecDeque};
use std::hash::{BuildHasher, Hash, Hasher};

use foldhash::fast::RandomState;
use hashbrown::HashTable;

use super::Acc;
use crate::window::{Millis, bucket_start};

/// Series keys interned to small integers, with a value per series.
#[derive(Clone)]
pub struct SeriesMap<const N: usize, V> {
    /// Ids, found by the hash of their key.
    table: HashTable<u32>,
    state: RandomState,
    /// Every key's parts, end to end.
    text: String,
    /// Per id: where each part of its key ends in `text` (a key starts where the previous ended).
    ends: Vec<[u32; N]>,
    /// Per id: the hash of its key, for growing the table.
    hashes: Vec<u64>,
    /// Per id: its value.
    values: Vec<V>,
}

impl<const N: usize, V> Default for SeriesMap<N, V> {
    fn default() -> Self {
        SeriesMap {
            table: HashTable::new(),
            state: RandomState::default(),
            text: String::new(),
            ends: Vec::new(),
            hashes: Vec::new(),
            values: Vec::new(),
        }
    }
}

impl<const N: usize, V: std::fmt::Debug> std::fmt::Debug for SeriesMap<N, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<const N: usize, V> SeriesMap<N, V> {
    fn hash(&self, key: &[&str; N]) -> u64 {
        let mut h = self.state.build_hasher();
        for p in key {
            // `str::hash` ends each part with a terminator, so ("ab","c") and ("a","bc") differ.
            p.hash(&mut h);
        }
        h.finish()
    }

    /// The key of `id`.
    fn key(&self, id: usize) -> [&str; N] {
        let mut start = match id.checked_sub(1) {
            Some(prev) => self.ends[prev][N - 1] as usize,
            None => 0,
        };
        self.ends[id].map(|end| {
            // The ends are where whole parts were pushed, so they are character boundaries.
            let part = self.text.get(start..end as usize).unwrap_or_default();
            start = end as usize;
            part
        })
    }

    /// The value of `key`, made with `make` (from the key) the first time.
    #[inline]
    pub fn entry_with(&mut self, key: [&str; N], make: impl FnOnce(&[&str; N]) -> V) -> &mut V {
        let id = self.id_with(key, make);
        &mut self.values[id]
    }

    /// The id of `key`, its value made with `make` (from the key) the first time.
    #[inline]
    pub fn id_with(&mut self, key: [&str; N], make: impl FnOnce(&[&str; N]) -> V) -> usize {
        let hash = self.hash(&key);
        let found = self
            .table
            .find(hash, |&id| self.key(id as usize) == key)
            .copied();
        match found {
            Some(id) => id as usize,
            None => self.insert(hash, key, make),
        }
    }

    /// The value of `id` (from [`id_with`](Self::id_with)).
    #[inline]
    pub fn get(&self, id: usize) -> &V {
        &self.values[id]
    }

    /// The value of `id`, mutably.
    #[inline]
    pub fn get_mut(&mut self, id: usize) -> &mut V {
        &mut self.values[id]
    }

    #[cold]
    fn insert(&mut self, hash: u64, key: [&str; N], make: impl FnOnce(&[&str; N]) -> V) -> usize {
        let id = self.values.len();
        self.values.push(make(&key));
        let ends = key.map(|p| {
            self.text.push_str(p);
            // Keys total far less than 4 GiB: each came from an input of at most that.
            u32::try_from(self.text.len()).unwrap_or(u32::MAX)
        });
        self.ends.push(ends);
        self.hashes.push(hash);
        let hashes = &self.hashes;
        self.table
            .insert_unique(hash, id as u32, |&i| hashes[i as usize]);
        id
    }

    /// Number of series.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when no series was seen.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Every series and its value, in the order first seen.
    pub fn iter(&self) -> impl Iterator<Item = ([&str; N], &V)> {
        self.values
            .iter()
            .enumerate()
            .map(|(i, v)| (self.key(i), v))
    }

    /// Every series and its value, mutably, in the order first seen.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.values.iter_mut()
    }

    /// Every series and its value, taken out.
    pub fn into_entries(self) -> impl Iterator<Item = ([String; N], V)> {
        let keys: Vec<[String; N]> = (0..self.len())
            .map(|i| self.key(i).map(str::to_string))
            .collect();
        keys.into_iter().zip(self.values)
    }
}

/// Slots an array of buckets may have for `points` datapoints before the series keeps a
/// B-tree instead: a few empty buckets per datapoint are cheaper than a tree, many are not.
fn dense_limit(points: u64) -> u64 {
    4 * points + 256
}

/// The buckets of one series, in time order: accumulators of buckets `width` wide.
#[derive(Debug, Clone, Default)]
pub struct Buckets {
    width: Millis,
    /// Datapoints added (for judging how sparse the array would be).
    points: u64,
    /// `dense[i]` is the bucket starting at `first + i * width` (an empty accumulator is a
    /// bucket without data), until the series is found too sparse for that.
    first: Millis,
    dense: VecDeque<Acc>,
    /// Buckets by start, once the series was found too sparse for an array.
    sparse: Option<BTreeMap<Millis, Acc>>,
}

impl Buckets {
    /// No buckets yet, `width` wide.
    pub fn new(width: Millis) -> Self {
        Buckets {
            width,
            ..Buckets::default()
        }
    }

    /// The width of the buckets.
    pub fn width(&self) -> Millis {
        self.width
    }

    /// The accumulator of the bucket holding `time`.
    #[inline]
    pub fn at(&mut self, time: Millis) -> &mut Acc {
        let start = bucket_start(time, self.width);
        self.points += 1;
        if self.sparse.is_none() {
            if let Some(i) = self.dense_slot(start) {
                return &mut self.dense[i];
            }
            let map: BTreeMap<Millis, Acc> = self.drain().collect();
            self.sparse = Some(map);
        }
        self.sparse
            .get_or_insert_default()
            .entry(start)
            .or_default()
    }

    /// The index of the bucket starting at `start` in the array, grown to hold it, unless
    /// that would leave it too sparse.
    #[inline]
    fn dense_slot(&mut self, start: Millis) -> Option<usize> {
        let limit = dense_limit(self.points);
        let len = self.dense.len() as u64;
        if len == 0 {
            self.first = start;
            self.dense.push_back(Acc::default());
            return Some(0);
        }
        if start >= self.first {
            let i = ((start - self.first) / self.width) as u64;
            if i < len {
                return Some(i as usize);
            }
            if i >= limit {
                return None;
            }
            self.dense.resize_with(i as usize + 1, Acc::default);
            return Some(i as usize);
        }
        let before = ((self.first - start) / self.width) as u64;
        if before + len >= limit {
            return None;
        }
        for _ in 0..before {
            self.dense.push_front(Acc::default());
        }
        self.first = start;
        Some(0)
    }

    /// The buckets with data, in time order: (start, accumulator).
    pub fn iter(&self) -> Box<dyn Iterator<Item = (Millis, &Acc)> + '_> {
        match &self.sparse {
            None => Box::new(
                self.dense
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| !a.is_empty())
                    .map(|(i, a)| (self.first + i as Millis * self.width, a)),
            ),
            Some(map) => Box::new(
                map.iter()
                    .filter(|(_, a)| !a.is_empty())
                    .map(|(t, a)| (*t, a)),
            ),
        }
    }

    /// The buckets with data, taken out, in time order.
    fn drain(&mut self) -> Box<dyn Iterator<Item = (Millis, Acc)>> {
        let (first, width) = (self.first, self.width);
        let dense = std::mem::take(&mut self.dense);
        match self.sparse.take() {
            None => Box::new(
                dense
                    .into_iter()
                    .enumerate()
                    .filter(|(_, a)| !a.is_empty())
                    .map(move |(i, a)| (first + i as Millis * width, a)),
            ),
            Some(map) => Box::new(map.into_iter().filter(|(_, a)| !a.is_empty())),
        }
    }

    /// Adds `other`'s buckets (of a width that divides this one's) into this one's.
    pub fn merge(&mut self, mut other: Buckets) {
        let points = self.points + other.points;
        for (t, acc) in other.drain() {
            self.at(t).merge(&acc);
        }
        self.points = points;
    }

    /// The same buckets merged into buckets `width` wide (a multiple of the current width).
    pub fn coarsen(&mut self, width: Millis) {
        let mut wide = Buckets::new(width);
        for (t, acc) in self.drain() {
            wide.at(t).merge(&acc);
        }
        wide.points = self.points;
        *self = wide;
    }

    /// True when no datapoint was added.
    pub fn is_empty(&self) -> bool {
        self.points == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{Point, Stat};

    fn point(v: f64) -> Point {
        Point {
            sum: Some(v),
            count: Some(1.0),
            max: Some(v),
            avg: None,
        }
    }

    /// The buckets as (start, sum), from a B-tree filled the plain way.
    fn reference(points: &[(Millis, f64)], width: Millis) -> Vec<(Millis, Option<f64>)> {
        let mut map: BTreeMap<Millis, Acc> = BTreeMap::new();
        for &(t, v) in points {
            map.entry(bucket_start(t, width))
                .or_default()
                .add(&point(v));
        }
        map.iter().map(|(t, a)| (*t, a.stat(Stat::Sum))).collect()
    }

    fn sums(b: &Buckets) -> Vec<(Millis, Option<f64>)> {
        b.iter().map(|(t, a)| (t, a.stat(Stat::Sum))).collect()
    }

    #[test]
    fn dense_sparse_and_any_order_agree_with_a_btree() {
        let minute = 60_000;
        // In order, reversed, shuffled, with gaps, negative times, and one far outlier that
        // turns the array into a tree.
        let mut cases: Vec<Vec<(Millis, f64)>> = Vec::new();
        let in_order: Vec<(Millis, f64)> = (0..500).map(|i| (i * minute + 7, i as f64)).collect();
        cases.push(in_order.clone());
        cases.push(in_order.iter().rev().copied().collect());
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut shuffled = in_order.clone();
        for i in (1..shuffled.len()).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            shuffled.swap(i, (seed % (i as u64 + 1)) as usize);
        }
        cases.push(shuffled);
        cases.push(vec![
            (-5 * minute, 1.0),
            (3 * minute, 2.0),
            (-5 * minute + 1, 0.5),
        ]);
        let mut outlier = in_order[..50].to_vec();
        outlier.push((1_000_000 * minute, 9.0));
        outlier.push((-1_000_000 * minute, 8.0));
        outlier.extend_from_slice(&in_order[50..60]);
        cases.push(outlier);
        for points in &cases {
            for width in [minute, 5 * minute] {
                let mut b = Buckets::new(width);
                for &(t, v) in points {
                    b.at(t).add(&point(v));
                }
                assert_eq!(sums(&b), reference(points, width), "width {width}");
                // Coarsened, and merged from two halves: the same as filled at that width.
                let mut wide = b.clone();
                wide.coarsen(15 * minute);
                assert_eq!(sums(&wide), reference(points, 15 * minute));
                let (a, c) = points.split_at(points.len() / 3);
                let (mut x, mut y) = (Buckets::new(width), Buckets::new(width));
                a.iter().for_each(|&(t, v)| x.at(t).add(&point(v)));
                c.iter().for_each(|&(t, v)| y.at(t).add(&point(v)));
                x.merge(y);
                assert_eq!(sums(&x), reference(points, width));
            }
        }
    }

    #[test]
    fn sparse_series_stay_small() {
        let mut b = Buckets::new(60_000);
        for day in 0..365 {
            b.at(day * 86_400_000).add(&point(1.0));
        }
        assert!(b.sparse.is_some());
        assert_eq!(b.iter().count(), 365);
    }

    #[test]
    fn keys_are_interned_once() {
        let mut m: SeriesMap<2, u32> = SeriesMap::default();
        let keys = [["a", "bc"], ["ab", "c"], ["", ""], ["é", "x"], ["a", "bc"]];
        for k in keys {
            *m.entry_with(k, |_| 0) += 1;
        }
        let got: Vec<_> = m.iter().map(|(k, v)| (k, *v)).collect();
        assert_eq!(
            got,
            [
                (["a", "bc"], 2),
                (["ab", "c"], 1),
                (["", ""], 1),
                (["é", "x"], 1)
            ]
        );
        for i in 0..5000 {
            m.entry_with([&i.to_string(), "k"], |_| i);
        }
        assert_eq!(m.len(), 5004);
        assert_eq!(*m.entry_with(["4321", "k"], |_| 0), 4321);
    }
}
