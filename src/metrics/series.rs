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

use std::borrow::Cow;

use super::exact::ExactSum;
use super::{Acc, MaxOf, Point};
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
    pub fn key(&self, id: usize) -> [&str; N] {
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

    /// Every value, by id.
    pub fn values_mut(&mut self) -> &mut [V] {
        &mut self.values
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

/// What a series keeps per bucket: only what the panel that shows it reads, or everything.
///
/// A Sum panel reads one exact sum per bucket, an Average panel a sum and a count, a Maximum
/// panel a maximum; an [`Acc`] keeps all of them (56 bytes, where a sum is 16), and every
/// datapoint of a day of minutes lands on a bucket no datapoint before it touched, so the
/// smaller the accumulator, the less memory the datapoints scatter into. A compact layout holds
/// exactly what its panel reads as long as each datapoint carries that (a Metric Streams record
/// carries sum, count and maximum); the first datapoint that does not (a `get-metric-data`
/// result of another statistic, a non-finite value, an Average without a count) turns the
/// series into the full layout, which loses nothing the panel reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// An exact sum (a Sum panel).
    Sum,
    /// An exact sum and an exact count (an Average panel).
    Average,
    /// A maximum (a Maximum panel).
    Maximum,
    /// Every statistic ([`Acc`]): `health`, and series whose datapoints a compact layout cannot
    /// hold.
    #[default]
    Full,
}

/// One bucket's accumulator in a compact layout.
trait Cell: Default + Clone {
    /// Adds what the panel reads of `p`; false (and nothing added) when the cell cannot hold
    /// `p` exactly as an [`Acc`] would.
    fn add(&mut self, p: &Point) -> bool;
    fn merge(&mut self, o: &Self);
    fn is_empty(&self) -> bool;
    /// The same bucket as an [`Acc`] (the statistics the layout leaves out are absent).
    fn to_acc(&self) -> Acc;
}

/// Finite: what a compact cell can hold (an [`Acc`] records that a non-finite value was seen).
fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite())
}

impl Cell for ExactSum {
    #[inline(always)]
    fn add(&mut self, p: &Point) -> bool {
        let Some(s) = finite(p.sum) else { return false };
        ExactSum::add(self, s);
        true
    }
    fn merge(&mut self, o: &Self) {
        ExactSum::merge(self, o);
    }
    fn is_empty(&self) -> bool {
        ExactSum::is_empty(self)
    }
    fn to_acc(&self) -> Acc {
        Acc::of_parts(Some(self), None, None)
    }
}

/// An exact sum and an exact count.
#[derive(Debug, Clone, Default)]
struct SumCount(ExactSum, ExactSum);

impl Cell for SumCount {
    #[inline(always)]
    fn add(&mut self, p: &Point) -> bool {
        // An Average with a zero count falls back to the averages without counts: only an
        // `Acc` keeps those.
        let (Some(s), Some(c), None) = (finite(p.sum), finite(p.count), p.avg) else {
            return false;
        };
        self.0.add(s);
        self.1.add(c);
        true
    }
    fn merge(&mut self, o: &Self) {
        self.0.merge(&o.0);
        self.1.merge(&o.1);
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    fn to_acc(&self) -> Acc {
        if self.is_empty() {
            return Acc::default();
        }
        Acc::of_parts(Some(&self.0), Some(&self.1), None)
    }
}

impl Cell for MaxOf {
    #[inline(always)]
    fn add(&mut self, p: &Point) -> bool {
        // A NaN maximum leaves an `Acc`'s maximum unset but its bucket not empty.
        let Some(m) = p.max.filter(|m| !m.is_nan()) else {
            return false;
        };
        MaxOf::add(self, m);
        true
    }
    fn merge(&mut self, o: &Self) {
        if let Some(m) = o.get() {
            MaxOf::add(self, m);
        }
    }
    fn is_empty(&self) -> bool {
        self.get().is_none()
    }
    fn to_acc(&self) -> Acc {
        Acc::of_parts(None, None, self.get())
    }
}

impl Cell for Acc {
    #[inline(always)]
    fn add(&mut self, p: &Point) -> bool {
        Acc::add(self, p);
        true
    }
    fn merge(&mut self, o: &Self) {
        Acc::merge(self, o);
    }
    fn is_empty(&self) -> bool {
        Acc::is_empty(self)
    }
    fn to_acc(&self) -> Acc {
        self.clone()
    }
}

/// A series' cells of one layout, in time order.
#[derive(Debug, Clone, Default)]
struct Cells<C> {
    /// `dense[i]` is the bucket starting at `first + i * width` (an empty cell is a bucket
    /// without data), until the series is found too sparse for that.
    first: Millis,
    dense: VecDeque<C>,
    /// Buckets by start, once the series was found too sparse for an array.
    sparse: Option<BTreeMap<Millis, C>>,
}

impl<C: Cell + 'static> Cells<C> {
    /// The cell of the bucket starting at `start`; `limit` is how many slots the array may
    /// have.
    #[inline]
    fn at(&mut self, start: Millis, width: Millis, limit: u64) -> &mut C {
        if self.sparse.is_none() {
            if let Some(i) = self.dense_slot(start, width, limit) {
                return &mut self.dense[i];
            }
            let map: BTreeMap<Millis, C> = self.drain(width).collect();
            self.sparse = Some(map);
        }
        self.sparse
            .get_or_insert_default()
            .entry(start)
            .or_default()
    }

    /// Merges the cells into cells `width` wide (a multiple of `old`, their width) in place,
    /// as [`Buckets::add_cells`] merges them into an empty series (each non-empty cell in time
    /// order into the cell of its wider bucket, made empty when first needed), but without
    /// looking each up: in time order, each lands on the last cell made or past it. True when
    /// done; false, changing nothing, for cells in a B-tree or whose wider array would be too
    /// sparse (`limit` slots), which the general way merges.
    fn coarsen_dense(&mut self, old: Millis, width: Millis, limit: u64) -> bool {
        if self.sparse.is_some() {
            return false;
        }
        let (Some(a), Some(z)) = (
            self.dense.iter().position(|c| !c.is_empty()),
            self.dense.iter().rposition(|c| !c.is_empty()),
        ) else {
            *self = Cells::default();
            return true;
        };
        let at = |i: usize| self.first + i as Millis * old;
        let first = bucket_start(at(a), width);
        let slots = ((bucket_start(at(z), width) - first) / width) as u64 + 1;
        if slots > limit {
            return false;
        }
        let mut wide: VecDeque<C> = VecDeque::with_capacity(slots as usize);
        let start = self.first;
        for (i, c) in std::mem::take(&mut self.dense).into_iter().enumerate() {
            if c.is_empty() {
                continue;
            }
            let t = start + i as Millis * old;
            // `first` is a bucket start at or before `t`.
            let j = ((t - first) / width) as usize;
            if j >= wide.len() {
                wide.resize_with(j + 1, C::default);
            }
            wide[j].merge(&c);
        }
        *self = Cells {
            first,
            dense: wide,
            sparse: None,
        };
        true
    }

    /// The index of the bucket starting at `start` in the array, grown to hold it, unless
    /// that would leave it too sparse.
    #[inline]
    fn dense_slot(&mut self, start: Millis, width: Millis, limit: u64) -> Option<usize> {
        let len = self.dense.len() as u64;
        if len == 0 {
            self.first = start;
            self.dense.push_back(C::default());
            return Some(0);
        }
        if start >= self.first {
            let i = ((start - self.first) / width) as u64;
            if i < len {
                return Some(i as usize);
            }
            if i >= limit {
                return None;
            }
            // Datapoints mostly come in time order: the next bucket is one more cell.
            if i == len {
                self.dense.push_back(C::default());
            } else {
                self.dense.resize_with(i as usize + 1, C::default);
            }
            return Some(i as usize);
        }
        let before = ((self.first - start) / width) as u64;
        if before + len >= limit {
            return None;
        }
        for _ in 0..before {
            self.dense.push_front(C::default());
        }
        self.first = start;
        Some(0)
    }

    /// The cells with data, in time order: (start, cell).
    fn iter(&self, width: Millis) -> Box<dyn Iterator<Item = (Millis, &C)> + '_> {
        match &self.sparse {
            None => Box::new(
                self.dense
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| !a.is_empty())
                    .map(move |(i, a)| (self.first + i as Millis * width, a)),
            ),
            Some(map) => Box::new(
                map.iter()
                    .filter(|(_, a)| !a.is_empty())
                    .map(|(t, a)| (*t, a)),
            ),
        }
    }

    /// The starts of the first and the last cell with data.
    fn span(&self, width: Millis) -> Option<(Millis, Millis)> {
        match &self.sparse {
            None => {
                let first = self.dense.iter().position(|c| !c.is_empty())?;
                let last = self.dense.iter().rposition(|c| !c.is_empty())?;
                let at = |i: usize| self.first + i as Millis * width;
                Some((at(first), at(last)))
            }
            Some(map) => {
                let mut with_data = map.iter().filter(|(_, c)| !c.is_empty()).map(|(t, _)| *t);
                let first = with_data.next()?;
                Some((first, with_data.next_back().unwrap_or(first)))
            }
        }
    }

    /// The cells with data, taken out, in time order.
    fn drain(&mut self, width: Millis) -> Box<dyn Iterator<Item = (Millis, C)>> {
        let first = self.first;
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

    /// The same cells as [`Acc`]s.
    fn take_full(&mut self) -> Cells<Acc> {
        let mut full = Cells::<Acc> {
            first: self.first,
            dense: VecDeque::new(),
            sparse: None,
        };
        match self.sparse.take() {
            None => full.dense = self.dense.iter().map(C::to_acc).collect(),
            Some(map) => full.sparse = Some(map.iter().map(|(t, c)| (*t, c.to_acc())).collect()),
        }
        full
    }
}

/// The cells of a series, in its layout.
#[derive(Debug, Clone)]
enum Store {
    Sum(Cells<ExactSum>),
    Average(Cells<SumCount>),
    Maximum(Cells<MaxOf>),
    Full(Cells<Acc>),
}

impl Store {
    fn new(layout: Layout) -> Self {
        match layout {
            Layout::Sum => Store::Sum(Cells::default()),
            Layout::Average => Store::Average(Cells::default()),
            Layout::Maximum => Store::Maximum(Cells::default()),
            Layout::Full => Store::Full(Cells::default()),
        }
    }

    fn layout(&self) -> Layout {
        match self {
            Store::Sum(_) => Layout::Sum,
            Store::Average(_) => Layout::Average,
            Store::Maximum(_) => Layout::Maximum,
            Store::Full(_) => Layout::Full,
        }
    }

    /// The cells as [`Acc`]s, the layout now [`Layout::Full`].
    #[cold]
    fn make_full(&mut self) -> &mut Cells<Acc> {
        let full = match self {
            Store::Sum(c) => c.take_full(),
            Store::Average(c) => c.take_full(),
            Store::Maximum(c) => c.take_full(),
            Store::Full(c) => std::mem::take(c),
        };
        *self = Store::Full(full);
        match self {
            Store::Full(c) => c,
            _ => unreachable!("just set"),
        }
    }
}

/// The buckets of one series, in time order: accumulators of buckets `width` wide, in the
/// series' [`Layout`].
#[derive(Debug, Clone)]
pub struct Buckets {
    width: Millis,
    /// Datapoints added (for judging how sparse the array would be).
    points: u64,
    store: Store,
    /// Some datapoint in the full layout may lack a Sum or a Maximum: one added to it without
    /// both, or any before a compact layout turned full (see
    /// [`sum_and_max_everywhere`](Self::sum_and_max_everywhere)).
    gaps: bool,
}

impl Default for Buckets {
    fn default() -> Self {
        Buckets::new(0, Layout::Full)
    }
}

impl Buckets {
    /// No buckets yet, `width` wide, keeping what `layout` says.
    pub fn new(width: Millis, layout: Layout) -> Self {
        Buckets {
            width,
            points: 0,
            store: Store::new(layout),
            gaps: false,
        }
    }

    /// True when every bucket is known to carry a Sum and a Maximum (as Metric Streams
    /// datapoints do): a full layout every datapoint of which carried both. `health` then
    /// need not look through the buckets for a check left without its statistic.
    pub fn sum_and_max_everywhere(&self) -> bool {
        matches!(self.store, Store::Full(_)) && !self.gaps
    }

    /// The width of the buckets.
    pub fn width(&self) -> Millis {
        self.width
    }

    /// What the buckets keep.
    pub fn layout(&self) -> Layout {
        self.store.layout()
    }

    /// Adds a datapoint at `time`.
    #[inline(always)]
    pub fn add(&mut self, time: Millis, p: &Point) {
        let start = bucket_start(time, self.width);
        self.points += 1;
        let (width, limit) = (self.width, dense_limit(self.points));
        let added = match &mut self.store {
            Store::Sum(c) => Cell::add(c.at(start, width, limit), p),
            Store::Average(c) => c.at(start, width, limit).add(p),
            Store::Maximum(c) => Cell::add(c.at(start, width, limit), p),
            Store::Full(c) => {
                c.at(start, width, limit).add(p);
                self.gaps |= p.sum.is_none() || p.max.is_none_or(f64::is_nan);
                true
            }
        };
        if !added {
            // What the compact cells held is not known datapoint by datapoint.
            self.gaps = true;
            self.store.make_full().at(start, width, limit).add(p);
        }
    }

    /// Adds the cells of `other` (buckets `other_width` wide, a width that divides this one).
    fn add_cells(&mut self, other: Store, other_width: Millis) {
        let (width, limit) = (self.width, dense_limit(self.points));
        let at = move |t: Millis| bucket_start(t, width);
        match (&mut self.store, other) {
            (Store::Sum(mine), Store::Sum(mut o)) => {
                for (t, c) in o.drain(other_width) {
                    Cell::merge(mine.at(at(t), width, limit), &c);
                }
            }
            (Store::Average(mine), Store::Average(mut o)) => {
                for (t, c) in o.drain(other_width) {
                    mine.at(at(t), width, limit).merge(&c);
                }
            }
            (Store::Maximum(mine), Store::Maximum(mut o)) => {
                for (t, c) in o.drain(other_width) {
                    Cell::merge(mine.at(at(t), width, limit), &c);
                }
            }
            (_, mut o) => {
                let theirs = o.make_full();
                let mine = self.store.make_full();
                for (t, c) in theirs.drain(other_width) {
                    mine.at(at(t), width, limit).merge(&c);
                }
            }
        }
    }

    /// The starts of the buckets with data, in time order (no [`Acc`] made).
    pub fn times(&self) -> Box<dyn Iterator<Item = Millis> + '_> {
        let w = self.width;
        match &self.store {
            Store::Sum(c) => Box::new(c.iter(w).map(|(t, _)| t)),
            Store::Average(c) => Box::new(c.iter(w).map(|(t, _)| t)),
            Store::Maximum(c) => Box::new(c.iter(w).map(|(t, _)| t)),
            Store::Full(c) => Box::new(c.iter(w).map(|(t, _)| t)),
        }
    }

    /// The starts of the first and the last bucket with data (none when none has data), without
    /// going through the others.
    pub fn span(&self) -> Option<(Millis, Millis)> {
        let w = self.width;
        match &self.store {
            Store::Sum(c) => c.span(w),
            Store::Average(c) => c.span(w),
            Store::Maximum(c) => c.span(w),
            Store::Full(c) => c.span(w),
        }
    }

    /// The buckets with data, in time order: (start, accumulator). A compact layout's buckets
    /// come as [`Acc`]s made for the occasion.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (Millis, Cow<'_, Acc>)> + '_> {
        let w = self.width;
        match &self.store {
            Store::Sum(c) => Box::new(c.iter(w).map(|(t, c)| (t, Cow::Owned(c.to_acc())))),
            Store::Average(c) => Box::new(c.iter(w).map(|(t, c)| (t, Cow::Owned(c.to_acc())))),
            Store::Maximum(c) => Box::new(c.iter(w).map(|(t, c)| (t, Cow::Owned(c.to_acc())))),
            Store::Full(c) => Box::new(c.iter(w).map(|(t, c)| (t, Cow::Borrowed(c)))),
        }
    }

    /// Adds `other`'s buckets (of a width that divides this one's) into this one's.
    pub fn merge(&mut self, other: Buckets) {
        let points = self.points + other.points;
        // The array may grow as the merged series would have grown it.
        self.points = points;
        let both_full =
            matches!(self.store, Store::Full(_)) && matches!(other.store, Store::Full(_));
        self.gaps |= other.gaps;
        self.add_cells(other.store, other.width);
        if !both_full && matches!(self.store, Store::Full(_)) {
            // Full now, with what compact cells held: not known datapoint by datapoint.
            self.gaps = true;
        }
    }

    /// The same buckets merged into buckets `width` wide (a multiple of the current width).
    pub fn coarsen(&mut self, width: Millis) {
        let (old, limit) = (self.width, dense_limit(self.points));
        let done = match &mut self.store {
            Store::Sum(c) => c.coarsen_dense(old, width, limit),
            Store::Average(c) => c.coarsen_dense(old, width, limit),
            Store::Maximum(c) => c.coarsen_dense(old, width, limit),
            Store::Full(c) => c.coarsen_dense(old, width, limit),
        };
        if done {
            self.width = width;
            return;
        }
        self.coarsen_by_lookup(width);
    }

    /// [`coarsen`](Self::coarsen) the general way: every cell looked up in the wider buckets.
    fn coarsen_by_lookup(&mut self, width: Millis) {
        let mut wide = Buckets::new(width, self.layout());
        wide.points = self.points;
        wide.gaps = self.gaps;
        let store = std::mem::replace(&mut self.store, Store::new(Layout::Full));
        wide.add_cells(store, self.width);
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
    use crate::metrics::Stat;

    #[test]
    fn sum_and_max_everywhere_only_while_every_datapoint_had_both() {
        let whole = |v: f64| Point {
            sum: Some(v),
            count: Some(1.0),
            max: Some(v),
            avg: None,
        };
        let mut full = Buckets::new(60_000, Layout::Full);
        full.add(0, &whole(1.0));
        assert!(full.sum_and_max_everywhere());
        // A compact layout does not know it; one turned full by an average forgets it.
        let mut compact = Buckets::new(60_000, Layout::Sum);
        compact.add(0, &whole(1.0));
        assert!(!compact.sum_and_max_everywhere());
        let mut other = full.clone();
        other.merge(compact.clone());
        assert!(!other.sum_and_max_everywhere());
        let average = Point {
            avg: Some(2.0),
            ..Point::default()
        };
        compact.add(60_000, &average);
        assert!(!compact.sum_and_max_everywhere());
        // A Sum without a Maximum, then a NaN Maximum, in the full layout.
        let mut no_max = full.clone();
        no_max.add(
            60_000,
            &Point {
                max: None,
                ..whole(1.0)
            },
        );
        assert!(!no_max.sum_and_max_everywhere());
        let mut nan_max = full.clone();
        nan_max.add(
            60_000,
            &Point {
                max: Some(f64::NAN),
                ..whole(1.0)
            },
        );
        assert!(!nan_max.sum_and_max_everywhere());
        let mut merged = Buckets::new(60_000, Layout::Full);
        merged.merge(full.clone());
        assert!(merged.sum_and_max_everywhere());
        merged.merge(no_max);
        assert!(!merged.sum_and_max_everywhere());
    }

    fn point(v: f64) -> Point {
        Point {
            sum: Some(v),
            count: Some(1.0),
            max: Some(v),
            avg: None,
        }
    }

    const LAYOUTS: [Layout; 4] = [Layout::Sum, Layout::Average, Layout::Maximum, Layout::Full];

    /// What a panel reads of a bucket in `layout`: its statistic (all three for the full one).
    fn read(layout: Layout, a: &Acc) -> [Option<f64>; 3] {
        let all = [Stat::Sum, Stat::Average, Stat::Maximum].map(|s| a.stat(s));
        match layout {
            Layout::Sum => [all[0], None, None],
            Layout::Average => [None, all[1], None],
            Layout::Maximum => [None, None, all[2]],
            Layout::Full => all,
        }
    }

    /// The buckets as (start, statistics read), from a B-tree of [`Acc`]s filled the plain way.
    fn reference_of(
        points: &[(Millis, Point)],
        width: Millis,
        layout: Layout,
    ) -> Vec<(Millis, [Option<f64>; 3])> {
        let mut map: BTreeMap<Millis, Acc> = BTreeMap::new();
        for (t, p) in points {
            map.entry(bucket_start(*t, width)).or_default().add(p);
        }
        map.iter()
            .filter(|(_, a)| !a.is_empty())
            .map(|(t, a)| (*t, read(layout, a)))
            .collect()
    }

    fn reference(
        points: &[(Millis, f64)],
        width: Millis,
        layout: Layout,
    ) -> Vec<(Millis, [Option<f64>; 3])> {
        let points: Vec<(Millis, Point)> = points.iter().map(|&(t, v)| (t, point(v))).collect();
        reference_of(&points, width, layout)
    }

    /// What a panel of `layout` reads of `b` (which may have fallen back to the full layout).
    fn sums(b: &Buckets, layout: Layout) -> Vec<(Millis, [Option<f64>; 3])> {
        b.iter().map(|(t, a)| (t, read(layout, &a))).collect()
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
            seed = crate::testing::xorshift(seed);
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
        for (points, layout) in cases.iter().flat_map(|c| LAYOUTS.map(|l| (c, l))) {
            for width in [minute, 5 * minute] {
                let mut b = Buckets::new(width, layout);
                for &(t, v) in points {
                    b.add(t, &point(v));
                }
                assert_eq!(b.layout(), layout);
                assert_eq!(
                    sums(&b, layout),
                    reference(points, width, layout),
                    "{layout:?}"
                );
                // Coarsened, and merged from two halves: the same as filled at that width.
                let mut wide = b.clone();
                wide.coarsen(15 * minute);
                assert_eq!(sums(&wide, layout), reference(points, 15 * minute, layout));
                let (a, c) = points.split_at(points.len() / 3);
                let (mut x, mut y) = (Buckets::new(width, layout), Buckets::new(width, layout));
                a.iter().for_each(|&(t, v)| x.add(t, &point(v)));
                c.iter().for_each(|&(t, v)| y.add(t, &point(v)));
                x.merge(y);
                assert_eq!(sums(&x, layout), reference(points, width, layout));
            }
        }
    }

    /// Coarsening an array in place leaves exactly the cells (partials of every exact sum
    /// included, empty cells between) that looking each cell up in the wider buckets leaves.
    #[test]
    fn coarsening_in_place_gives_the_cells_a_lookup_gives() {
        let minute = 60_000;
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed = crate::testing::xorshift(seed);
            seed
        };
        let mut in_place = 0;
        for case in 0..400 {
            let layout = LAYOUTS[case % 4];
            let width = [minute, 5 * minute][case / 4 % 2];
            let n = 1 + next() % 300;
            let mut b = Buckets::new(width, layout);
            for _ in 0..n {
                let r = next();
                // Minutes around zero, sometimes far out (an array too sparse, or a B-tree).
                let minute_at = match r % 2000 {
                    0 => (r >> 8) as i64 % 100_000 - 50_000,
                    _ => (r >> 8) as i64 % 700 - 200,
                };
                let t = minute_at * minute + (r >> 40) as i64 % minute;
                // Fractions that need more than one partial, and now and then a datapoint no
                // compact layout holds.
                let v = (r >> 20) as f64 / 3.0 - 1e5;
                let p = match r % 97 {
                    0 => Point {
                        max: Some(v),
                        ..Point::default()
                    },
                    _ => Point {
                        sum: Some(v),
                        count: Some((r % 7) as f64),
                        max: Some(v),
                        avg: None,
                    },
                };
                b.add(t, &p);
            }
            for wide in [5 * minute, 15 * minute, 60 * minute] {
                if wide <= width {
                    continue;
                }
                let (mut fast, mut slow) = (b.clone(), b.clone());
                fast.coarsen(wide);
                slow.coarsen_by_lookup(wide);
                assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "case {case}");
                in_place += usize::from(match &b.store {
                    Store::Sum(c) => c.sparse.is_none(),
                    Store::Average(c) => c.sparse.is_none(),
                    Store::Maximum(c) => c.sparse.is_none(),
                    Store::Full(c) => c.sparse.is_none(),
                });
            }
        }
        // Most cases are arrays, coarsened in place.
        assert!(in_place > 300, "{in_place}");
    }

    #[test]
    fn sparse_series_stay_small() {
        for layout in LAYOUTS {
            let mut b = Buckets::new(60_000, layout);
            for day in 0..365 {
                b.add(day * 86_400_000, &point(1.0));
            }
            let sparse = match &b.store {
                Store::Sum(c) => c.sparse.is_some(),
                Store::Average(c) => c.sparse.is_some(),
                Store::Maximum(c) => c.sparse.is_some(),
                Store::Full(c) => c.sparse.is_some(),
            };
            assert!(sparse, "{layout:?}");
            assert_eq!(b.iter().count(), 365);
        }
    }

    /// Datapoints a compact layout cannot hold (another statistic only, non-finite values, an
    /// Average without a count) turn the series into the full layout, in any bucket, any order
    /// and either side of a merge: the panel reads the same as from [`Acc`]s throughout.
    #[test]
    fn what_a_compact_layout_cannot_hold_falls_back_exactly() {
        let minute = 60_000;
        let odd = [
            Point {
                max: Some(3.0),
                ..Point::default()
            },
            Point {
                sum: Some(f64::INFINITY),
                count: Some(2.0),
                max: Some(f64::NAN),
                avg: None,
            },
            Point {
                sum: Some(5.0),
                count: Some(0.0),
                max: None,
                avg: Some(7.0),
            },
            Point {
                avg: Some(6.0),
                ..Point::default()
            },
            Point {
                sum: Some(-0.0),
                count: Some(f64::NAN),
                max: Some(f64::NEG_INFINITY),
                avg: None,
            },
        ];
        for (i, o) in odd.iter().enumerate() {
            for at in [0, 3, 9] {
                let mut points: Vec<(Millis, Point)> = (0..10)
                    .map(|m| (m * minute, point(m as f64 + 0.5)))
                    .collect();
                // In a bucket of its own, or with others.
                let t = if at == 9 {
                    30 * minute
                } else {
                    (at as i64 % 4) * minute + 1
                };
                points.insert(at, (t, *o));
                for layout in LAYOUTS {
                    let want = reference_of(&points, minute, layout);
                    let mut b = Buckets::new(minute, layout);
                    points.iter().for_each(|(t, p)| b.add(*t, p));
                    assert_eq!(sums(&b, layout), want, "odd {i} at {at}, {layout:?}");
                    for cut in [0, at, at + 1, points.len()] {
                        let (mut x, mut y) =
                            (Buckets::new(minute, layout), Buckets::new(minute, layout));
                        points[..cut].iter().for_each(|(t, p)| x.add(*t, p));
                        points[cut..].iter().for_each(|(t, p)| y.add(*t, p));
                        x.merge(y);
                        assert_eq!(
                            sums(&x, layout),
                            want,
                            "odd {i} at {at}, cut {cut}, {layout:?}"
                        );
                        let mut wide = x.clone();
                        wide.coarsen(5 * minute);
                        assert_eq!(
                            sums(&wide, layout),
                            reference_of(&points, 5 * minute, layout)
                        );
                    }
                }
            }
        }
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

#[cfg(test)]
mod span_tests {
    use super::*;

    /// The first and last bucket with data, as the buckets in time order say, in every layout
    /// and for a series sparse enough for the B-tree (minutes 0 and 100,000).
    #[test]
    fn span_is_the_first_and_last_bucket_with_data() {
        let p = Point {
            sum: Some(1.0),
            count: Some(1.0),
            max: Some(1.0),
            avg: None,
        };
        for layout in [Layout::Sum, Layout::Average, Layout::Maximum, Layout::Full] {
            let mut b = Buckets::new(60_000, layout);
            assert_eq!(b.span(), None);
            for minute in [7, 3, 10, 5] {
                b.add(minute * 60_000 + 59_999, &p);
            }
            assert_eq!(b.span(), Some((180_000, 600_000)), "{layout:?}");
            let mut sparse = Buckets::new(60_000, layout);
            sparse.add(6_000_000_000, &p);
            sparse.add(0, &p);
            assert_eq!(sparse.span(), Some((0, 6_000_000_000)), "{layout:?}");
            let times: Vec<Millis> = sparse.times().collect();
            assert_eq!(times, [0, 6_000_000_000], "{layout:?}");
        }
    }
}
