//! Datapoints read more than once: the same export saved twice, overlapping get-metric-data
//! exports, a Metric Streams file copied into two folders or a batch Firehose delivered again.
//! Counted again, each would double the sums of its minute, with no sign of it.
//!
//! A datapoint repeats when its series already has a datapoint at the same time carrying one of
//! the same statistics (a get-metric-data `Sum` result and a `Maximum` result of one series and
//! minute are not repeats: they make one bucket together). Two ways to find them:
//!
//! - always, nearly for free: [`Minutes`], per series, a byte per whole minute saying which
//!   statistics were read at it, a few cache lines a series that its datapoints, counted series
//!   by series, bring in anyway. Each thread finds the repeats among what it read; the merge
//!   finds those across threads (the statistics both read at a minute). A datapoint not on a
//!   whole minute, or too far from the rest of its series, is not checked (never called a
//!   repeat): it is counted in [`Check::Unchecked`]'s number.
//! - with `--dedup`: [`SeenPoints`], every (series, time) counted so far and its statistics,
//!   shared by all threads, so the first sighting wins whichever thread reads it.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Mutex;

use foldhash::fast::{FixedState, RandomState};

use super::Point;
use crate::window::Millis;

/// A Sum.
pub(crate) const SUM: u8 = 1;
/// A SampleCount.
pub(crate) const COUNT: u8 = 2;
/// A Maximum.
pub(crate) const MAX: u8 = 4;
/// An Average without a count.
pub(crate) const AVG: u8 = 8;
/// The statistics.
pub(crate) const STATS: u8 = SUM | COUNT | MAX | AVG;
/// Some datapoint of the minute carried more than one statistic (Metric Streams,
/// get-metric-statistics): a repeat found at a merge is then one datapoint, not one per
/// statistic both sides read (get-metric-data's results carry one each).
const SEVERAL: u8 = 16;

const MINUTE: Millis = 60_000;

/// How many minutes a series' [`Minutes`] covers at most: 2^16, 45 days (64 KiB).
pub(crate) const MAX_SPAN: i64 = 1 << 16;

/// The statistics `p` carries.
#[inline(always)]
pub(crate) fn bits(p: &Point) -> u8 {
    u8::from(p.sum.is_some())
        | u8::from(p.count.is_some()) << 1
        | u8::from(p.max.is_some()) << 2
        | u8::from(p.avg.is_some()) << 3
}

/// `p` without the statistics in `drop`.
pub(crate) fn without(p: &Point, drop: u8) -> Point {
    let keep = |v: Option<f64>, bit: u8| v.filter(|_| drop & bit == 0);
    Point {
        sum: keep(p.sum, SUM),
        count: keep(p.count, COUNT),
        max: keep(p.max, MAX),
        avg: keep(p.avg, AVG),
    }
}

/// What [`Minutes::check`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// No statistic of the datapoint was read at its minute before.
    New,
    /// One was.
    Repeat,
    /// Not checked: not on a whole minute, or too far from the series' other datapoints.
    Unchecked,
}

/// The minutes of one series at which datapoints were read, and their statistics: a byte per
/// minute from `first`, made a day long at the first datapoint and grown (by doubling, so that
/// datapoints in time order seldom grow it), to at most [`MAX_SPAN`] minutes and while it
/// stays dense enough (see [`limit`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct Minutes {
    /// The time of `bits[0]`: a whole minute.
    first: Millis,
    bits: Vec<u8>,
}

/// How many minutes the bytes of a series with datapoints at `marked` minutes may span: a day,
/// and 64 minutes a datapoint more (an hourly series stays checked), to [`MAX_SPAN`]; so memory
/// is at most a day's bytes (1,440) and 64 a datapoint more, and 64 KiB a series.
fn limit(marked: u64) -> i64 {
    (DAY + 64 * marked.min(MAX_SPAN as u64) as i64).min(MAX_SPAN)
}

/// Minutes in a day: the bytes a series starts with.
const DAY: i64 = 1440;

impl Minutes {
    /// Marks the statistics `b` (from [`bits`]) read at `time`, and says whether one was read
    /// there before.
    #[inline(always)]
    pub(crate) fn check(&mut self, time: Millis, b: u8) -> Check {
        // Unsigned: a time before `first` wraps to an index past the bytes (and a time not on
        // a whole minute is one with a remainder), both left to the general way.
        let d = time.wrapping_sub(self.first) as u64;
        let i = d / MINUTE as u64;
        if d - i * MINUTE as u64 == 0
            && let Some(cell) = self.bits.get_mut(i as usize)
        {
            let old = *cell;
            *cell = old | MARK[usize::from(b & STATS)];
            return if old & b != 0 {
                Check::Repeat
            } else {
                Check::New
            };
        }
        self.check_outside(time, b)
    }

    /// [`check`](Self::check) of a time outside the bytes or not on a whole minute: the bytes
    /// grow to hold its minute, unless that would span too much.
    #[cold]
    fn check_outside(&mut self, time: Millis, b: u8) -> Check {
        if time.rem_euclid(MINUTE) != 0 {
            return Check::Unchecked;
        }
        let minute = time.div_euclid(MINUTE);
        if self.bits.is_empty() {
            self.first = time;
            self.bits = vec![0; DAY as usize];
        } else {
            // Grown by doubling: counting the minutes marked costs as much as the growth.
            let marked = self.bits.iter().filter(|&&m| m != 0).count() as u64;
            let limit = limit(marked + 1);
            let first = self.first / MINUTE;
            let len = self.bits.len() as i64;
            if minute >= first + len {
                let need = minute - first + 1;
                if need > limit {
                    return Check::Unchecked;
                }
                let len = need.max(2 * len).min(limit);
                self.bits.reserve_exact(len as usize - self.bits.len());
                self.bits.resize(len as usize, 0);
            } else {
                // Before the first: room for as many minutes again before it (datapoints read
                // backwards grow it once per doubling), within the limit.
                let need = first + len - minute;
                if need > limit {
                    return Check::Unchecked;
                }
                let extra = (first - minute) + (limit - need).min(len);
                let mut bits = vec![0u8; (len + extra) as usize];
                bits[extra as usize..].copy_from_slice(&self.bits);
                self.bits = bits;
                self.first -= extra * MINUTE;
            }
        }
        self.check(time, b)
    }

    /// The minutes of `o` (of the same series, from another thread) added: the number of its
    /// datapoints that repeat one of these, and the earliest minute of a repeat. Where the two
    /// together would span more than [`MAX_SPAN`], the minutes where both have bytes are
    /// compared and the wider one is kept (a repeat of the other's datapoints in a later merge
    /// is not found).
    pub(crate) fn merge(&mut self, mut o: Minutes) -> (u64, Option<Millis>) {
        if o.bits.is_empty() {
            return (0, None);
        }
        if self.bits.is_empty() {
            *self = o;
            return (0, None);
        }
        let first = |m: &Minutes| m.first / MINUTE;
        let end = |m: &Minutes| first(m) + m.bits.len() as i64;
        let (lo, hi) = (first(self).min(first(&o)), end(self).max(end(&o)));
        let mut repeats = 0;
        let mut earliest = None;
        let (from, to) = (first(self).max(first(&o)), end(self).min(end(&o)));
        for minute in from..to {
            let a = self.bits[(minute - first(self)) as usize];
            let b = o.bits[(minute - first(&o)) as usize];
            let both = a & b & STATS;
            if both != 0 {
                repeats += if (a | b) & SEVERAL != 0 {
                    1
                } else {
                    u64::from(both.count_ones())
                };
                earliest.get_or_insert(minute * MINUTE);
            }
        }
        if hi - lo > MAX_SPAN {
            if o.bits.len() > self.bits.len() {
                std::mem::swap(self, &mut o);
            }
            return (repeats, earliest);
        }
        if first(&o) < first(self) || end(&o) > end(self) {
            let mut bits = vec![0u8; (hi - lo) as usize];
            let at = (first(self) - lo) as usize;
            bits[at..at + self.bits.len()].copy_from_slice(&self.bits);
            self.bits = bits;
            self.first = lo * MINUTE;
        }
        let at = (first(&o) - first(self)) as usize;
        for (mine, theirs) in self.bits[at..at + o.bits.len()].iter_mut().zip(&o.bits) {
            *mine |= theirs;
        }
        (repeats, earliest)
    }
}

/// The byte a datapoint of statistics `b` leaves at its minute: `b`, and [`SEVERAL`] when
/// that is more than one.
const MARK: [u8; 16] = {
    let mut t = [0u8; 16];
    let mut b = 0;
    while b < 16 {
        t[b] = b as u8 | if b.count_ones() > 1 { SEVERAL } else { 0 };
        b += 1;
    }
    t
};

const SHARDS: usize = 64;

/// With `--dedup`: the statistics counted so far of every (series, time), shared by all worker
/// threads; sharded to keep lock contention low. A series is known by a 64-bit hash of its key
/// ([`series_hash`]), the same in every thread.
pub struct SeenPoints {
    shards: Vec<Mutex<Shard>>,
}

/// Statistics counted, by (series hash, time).
type Shard = HashMap<(u64, Millis), u8, RandomState>;

impl std::fmt::Debug for SeenPoints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeenPoints").finish_non_exhaustive()
    }
}

impl Default for SeenPoints {
    fn default() -> Self {
        Self {
            shards: (0..SHARDS)
                .map(|_| Mutex::new(HashMap::default()))
                .collect(),
        }
    }
}

impl SeenPoints {
    /// Marks the statistics `b` of series `series` at `time` counted, and gives those counted
    /// there before.
    pub(crate) fn mark(&self, series: u64, time: Millis, b: u8) -> u8 {
        let shard = (series ^ (time as u64 / 1000)) as usize % SHARDS;
        let mut map = self.shards[shard].lock().unwrap_or_else(|e| e.into_inner());
        let cell = map.entry((series, time)).or_insert(0);
        let old = *cell;
        *cell |= b;
        old
    }
}

/// A series key's hash, the same in every thread and run (two series of a run sharing one is a
/// 2^-64 chance a pair).
pub(crate) fn series_hash(key: &[&str]) -> u64 {
    let mut h = FixedState::with_seed(0x6b69_6e65_7369_7331).build_hasher();
    for part in key {
        std::hash::Hash::hash(part, &mut h);
    }
    std::hash::Hasher::finish(&h)
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: Millis = MINUTE;

    #[test]
    fn a_statistic_read_twice_at_a_minute_repeats() {
        let mut m = Minutes::default();
        assert_eq!(m.check(10 * M, SUM), Check::New);
        // Another statistic of the same minute: a get-metric-data Maximum result.
        assert_eq!(m.check(10 * M, MAX), Check::New);
        assert_eq!(m.check(10 * M, SUM), Check::Repeat);
        assert_eq!(m.check(10 * M, SUM | COUNT | MAX), Check::Repeat);
        // Earlier and later minutes, then back.
        assert_eq!(m.check(3 * M, SUM), Check::New);
        assert_eq!(m.check(500 * M, SUM), Check::New);
        assert_eq!(m.check(3 * M, SUM), Check::Repeat);
        assert_eq!(m.check(-7 * M, AVG), Check::New);
        assert_eq!(m.check(-7 * M, AVG), Check::Repeat);
        // Not on a whole minute: never a repeat.
        assert_eq!(m.check(10 * M + 1, SUM), Check::Unchecked);
        assert_eq!(m.check(10 * M + 1, SUM), Check::Unchecked);
    }

    #[test]
    fn the_span_is_bounded() {
        let mut m = Minutes::default();
        assert_eq!(m.check(0, SUM), Check::New);
        // Too far for one datapoint (the first day is free, then 64 minutes a datapoint).
        assert_eq!(m.check(2000 * M, SUM), Check::Unchecked);
        assert_eq!(m.check(-2000 * M, SUM), Check::Unchecked);
        assert_eq!(m.check(1400 * M, SUM), Check::New);
        // Every hour for years: checked for 45 days, then no more (the bytes stop growing).
        let mut hourly = Minutes::default();
        let mut unchecked = 0;
        for hour in 0..24 * 400 {
            if hourly.check(hour * 60 * M, SUM) == Check::Unchecked {
                unchecked += 1;
            }
        }
        assert!(hourly.bits.len() as i64 <= MAX_SPAN);
        assert_eq!(unchecked, 24 * 400 - (MAX_SPAN + 59) / 60);
        for hour in 0..24 * 400 {
            let again = hourly.check(hour * 60 * M, SUM);
            assert_ne!(again, Check::New, "{hour}");
        }
    }

    /// A merge finds the repeats a single thread reading both halves finds: one per datapoint,
    /// whether datapoints carry one statistic or several.
    #[test]
    fn merged_repeats_are_counted_as_one_thread_counts_them() {
        let ms = SUM | COUNT | MAX;
        // (minute, statistics) read by one thread, then by another.
        type Read<'a> = &'a [(i64, u8)];
        let cases: [(Read<'_>, Read<'_>, u64); 5] = [
            // A Metric Streams file read twice: one repeat a minute.
            (&[(0, ms), (1, ms)], &[(1, ms), (0, ms), (2, ms)], 2),
            // get-metric-data Sum and Maximum results read twice: one a result.
            (&[(0, SUM), (0, MAX)], &[(0, MAX), (0, SUM)], 2),
            // Sum on one side, Maximum on the other: none.
            (&[(0, SUM)], &[(0, MAX), (5, SUM)], 0),
            // Far apart: each kept apart, no repeat.
            (&[(0, SUM)], &[(MAX_SPAN + 10, SUM)], 0),
            // Earlier on the other side.
            (&[(100, SUM)], &[(90, SUM), (100, SUM)], 1),
        ];
        for (a, b, want) in cases {
            let (mut x, mut y, mut one) =
                (Minutes::default(), Minutes::default(), Minutes::default());
            let mut serial = 0;
            for &(m, s) in a {
                x.check(m * M, s);
                serial += u64::from(one.check(m * M, s) == Check::Repeat);
            }
            for &(m, s) in b {
                y.check(m * M, s);
                serial += u64::from(one.check(m * M, s) == Check::Repeat);
            }
            assert_eq!(serial, want, "{a:?} {b:?}");
            let (n, _) = x.merge(y);
            assert_eq!(n, want, "{a:?} {b:?}");
            // The merged minutes know both sides.
            for &(m, s) in a.iter().chain(b) {
                if (m - a[0].0).abs() < MAX_SPAN / 2 {
                    assert_eq!(x.check(m * M, s), Check::Repeat, "{m}");
                }
            }
        }
    }

    #[test]
    fn shared_points_give_what_was_counted_before() {
        let seen = SeenPoints::default();
        let s = series_hash(&["1", "r", "s", "", "", "IncomingBytes"]);
        assert_ne!(s, series_hash(&["1", "r", "s", "", "", "IncomingRecords"]));
        assert_ne!(s, series_hash(&["1", "r", "", "s", "", "IncomingBytes"]));
        assert_eq!(seen.mark(s, 0, SUM), 0);
        assert_eq!(seen.mark(s, 0, MAX), SUM);
        assert_eq!(seen.mark(s, 0, SUM | COUNT), SUM | MAX);
        assert_eq!(seen.mark(s, 1, SUM), 0);
        let p = Point {
            sum: Some(1.0),
            count: Some(2.0),
            max: Some(3.0),
            avg: None,
        };
        assert_eq!(bits(&p), SUM | COUNT | MAX);
        assert_eq!(
            without(&p, SUM | MAX),
            Point {
                count: Some(2.0),
                ..Point::default()
            }
        );
    }
}
