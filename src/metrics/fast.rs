//! The fast path for CloudWatch Metric Streams JSON: a hand-written scan, on the strict scanners
//! of [`crate::input::scan`], that reads the members of each record the dashboard uses
//! (`StreamRecord`) and steps over the rest without building it.
//!
//! It reads a text of whole top-level values (JSON lines, or objects concatenated with no
//! separator) one value at a time, and hands each record on as soon as its closing brace is
//! read. At the first value it is not sure of, it stops and says where that value's
//! predecessor ended, and the serde path in [`super::parse`] reads the rest of the text from
//! there: the records before were read exactly as serde would read them, so nothing is counted
//! twice and nothing is buffered. What it leaves to serde: a syntax error, a value that is not an
//! object, an escape in a key, a number where a string or an object is expected (serde parses
//! it, and can fail on its range), a member of a derived struct given twice (serde reports that
//! as an error), the CLI forms' keys, and text of 4 GiB or more.
//!
//! With a [`PrefixCache`] (the reader keeps one per thread), a record whose text up to
//! `"timestamp"` was seen before is read from there on, and handed on with what the consumer made
//! of the first one's identity.
//!
//! The rule that keeps the two paths equal: whatever this module reads, serde reads to the same
//! records. [`super::parse::compare_with_serde`] checks that; the tests run it on every fixture and on mutated
//! documents, and the `metric_streams_paths` fuzz target on whatever it finds.

use std::borrow::Cow;
use std::hash::BuildHasher;

use foldhash::fast::RandomState;
use hashbrown::HashTable;

use super::record::{CLI_KEYS, Given, StreamDims, StreamRecord, StreamValue};
use crate::input::lenient::{Num, Str};
use crate::input::scan::{Bail, Bytes, Cursor, Scan, Span};

/// Where the fast path stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// It read the whole text: `values` top-level values, at least one.
    Done {
        /// Values read.
        values: u32,
    },
    /// It read `values` values; the serde path reads the rest from offset `at` (0, or just
    /// after the last value read).
    HandOver {
        /// Values read.
        values: u32,
        /// Where the serde path starts.
        at: usize,
    },
}

/// A record as the fast path hands it on.
#[derive(Debug)]
pub(super) enum Item<'t, V> {
    /// Read whole.
    Record(StreamRecord<'t>),
    /// Its prefix is one a [`PrefixCache`] knows: the value the consumer gave for that prefix,
    /// and the members read after it.
    Known(V, Tail),
}

/// The members of a record after its cached prefix (see [`PrefixCache`]): all it has of a
/// [`StreamRecord`] besides what the prefix says.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Tail {
    /// `timestamp`.
    pub timestamp: Given<f64>,
    /// `value`.
    pub value: Given<StreamValue>,
}

/// Reads `text`, calling `each` with every Metric Streams record (any top-level object without
/// the CLI forms' keys) and the offset of its `{`, in order, until the end or the first value it
/// leaves to the serde path.
///
/// With a `cache`, a record whose prefix the cache knows is handed on as [`Item::Known`]; after
/// a record read whole, a value `each` returns is kept for its prefix, when the prefix can be
/// cached (see [`PrefixCache`]). Without one, every record is an [`Item::Record`].
pub(super) fn read<'t, V: Copy>(
    text: &'t str,
    cache: Option<&mut PrefixCache<V>>,
    each: impl FnMut(Item<'t, V>, usize) -> Option<V>,
) -> End {
    // The scanner keeps offsets as u32; larger texts take the serde path.
    if u32::try_from(text.len()).is_err() {
        return End::HandOver { values: 0, at: 0 };
    }
    Doc::<Bytes>::new(text).values(cache, each)
}

/// A record's *prefix* is its text from just after its `{` up to the first `"timestamp"` in it.
/// Metric Streams write every record's members in one order (`metric_stream_name`,
/// `account_id`, `region`, `namespace`, `metric_name`, `dimensions`, then `timestamp`, `value`,
/// `unit`), so the prefix is all that says which series a record is of, and a day of
/// one-minute datapoints repeats each prefix 1,440 times. This cache keeps, per prefix, what the
/// consumer made of the record's identity (for the Metrics cube, which series it is), so a
/// repeated prefix is neither parsed nor looked up by its six strings again: the scan jumps to
/// `"timestamp"` and reads only the tail.
///
/// Why a hit reads the record exactly as a full read would: the scan is a deterministic function of
/// the bytes it has read, and it decides everything up to a token from the bytes before that token.
/// A prefix is kept only when the full read of its record reached the top of its member loop with
/// the key `"timestamp"`'s quote exactly at the prefix's end (not inside a string, not a key of a
/// nested object), after reading only identity members (`namespace`, `metric_name`, `region`,
/// `account_id`, `dimensions`) and members it skips. A record with the identical prefix bytes
/// followed by `"timestamp"` reaches that same place in the identical state: the same members read
/// to the same values, the same set of members seen, identity members only. So reading on from
/// there gives what the full read gives, provided the rest adds nothing to the identity: a tail
/// that reads an identity member makes the record be read again from its `{` without the cache (a
/// duplicate then bails there, as always), and such a record's prefix is never kept. A hit reads
/// the tail with `Doc::tail`, the full read's member loop without the identity members: as there, a
/// `timestamp` or `value` given twice bails. The consumer's value must depend only on the identity
/// members and on what stays the same while the cache lives (the reader clears it when that
/// changes).
///
/// Memory is bounded whatever the input: prefixes longer than [`MAX_PREFIX`] are not cached,
/// and when [`MAX_ENTRIES`] prefixes or [`MAX_BYTES`] of them are kept, the cache is emptied
/// and fills again with what comes next (real inputs have a few thousand series).
#[derive(Clone)]
pub struct PrefixCache<V> {
    /// The kept prefixes, by their hash (held in the table itself: a lookup reads the entry
    /// where it probes, not through an index).
    table: HashTable<Entry<V>>,
    /// Every kept prefix, end to end.
    bytes: Vec<u8>,
    state: RandomState,
    /// The length of the shortest prefix kept; 0 when none is.
    shortest: usize,
    /// Where in `bytes` the prefix last kept with each value of a hash's top [`HINT_BITS`]
    /// bits starts: what [`PrefixCache::prefetch`] asks the CPU for. Only a hint (a stale or
    /// colliding one brings in the wrong bytes, nothing else).
    hints: Box<[u32; 1 << HINT_BITS]>,
}

/// How many of a hash's bits choose its [`PrefixCache::hints`] slot.
const HINT_BITS: u32 = 12;

/// The [`PrefixCache::hints`] slot of `hash`: its top [`HINT_BITS`] bits.
#[inline]
fn hint_slot(hash: u64) -> usize {
    (hash >> (64 - HINT_BITS)) as usize
}

/// One kept prefix.
#[derive(Clone)]
struct Entry<V> {
    hash: u64,
    /// Where it is in [`PrefixCache::bytes`].
    start: u32,
    end: u32,
    value: V,
}

/// Longest prefix cached (a Metric Streams prefix is about 250 bytes); also how far a record is
/// searched for `"timestamp"`, so a text without one is not searched to its end at every record.
pub const MAX_PREFIX: usize = 4096;
/// Most prefixes kept at once.
pub const MAX_ENTRIES: usize = 1 << 16;
/// Most bytes of prefixes kept at once.
pub const MAX_BYTES: usize = 16 << 20;

/// The key that ends a prefix, with its quotes.
const TIMESTAMP_KEY: &[u8; 11] = b"\"timestamp\"";

/// The offset of the first [`TIMESTAMP_KEY`] in `hay`. Sixteen places a step on x86_64 (SSE2):
/// a place is a candidate when it holds `"`, the next `t` and the tenth after it `"`, and only
/// candidates are compared whole. The search is short (a few dozen bytes past the shortest
/// prefix kept), where `memchr::memmem`'s set-up per call costs more than the search.
#[inline]
fn find_timestamp_key(hay: &[u8]) -> Option<usize> {
    const LAST: usize = TIMESTAMP_KEY.len() - 1;
    let mut i = 0;
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8,
            _mm_set1_epi8,
        };
        // SAFETY: SSE2 is part of every x86_64 target, and the loads read the 16 bytes at `i`,
        // `i + 1` and `i + LAST`, which `i + LAST + 16 <= hay.len()` keeps inside `hay` (the
        // loads need not be aligned).
        unsafe {
            let quote = _mm_set1_epi8(b'"' as i8);
            let t = _mm_set1_epi8(b't' as i8);
            while i + LAST + 16 <= hay.len() {
                let at = |k: usize| _mm_loadu_si128(hay.as_ptr().add(i + k).cast::<__m128i>());
                let opens = _mm_cmpeq_epi8(at(0), quote);
                let ts = _mm_cmpeq_epi8(at(1), t);
                let closes = _mm_cmpeq_epi8(at(LAST), quote);
                let mut candidates =
                    _mm_movemask_epi8(_mm_and_si128(_mm_and_si128(opens, ts), closes)) as u32;
                while candidates != 0 {
                    let k = i + candidates.trailing_zeros() as usize;
                    if bytes_at(hay, k, TIMESTAMP_KEY) {
                        return Some(k);
                    }
                    candidates &= candidates - 1;
                }
                i += 16;
            }
        }
    }
    hay[i..]
        .windows(TIMESTAMP_KEY.len())
        .position(|w| w == TIMESTAMP_KEY)
        .map(|k| i + k)
}

impl<V> Default for PrefixCache<V> {
    fn default() -> Self {
        PrefixCache {
            table: HashTable::new(),
            bytes: Vec::new(),
            state: RandomState::default(),
            shortest: 0,
            hints: Box::new([0; 1 << HINT_BITS]),
        }
    }
}

impl<V> std::fmt::Debug for PrefixCache<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrefixCache")
            .field("entries", &self.table.len())
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl<V: Copy> PrefixCache<V> {
    /// Forgets every prefix.
    pub fn clear(&mut self) {
        self.table.clear();
        self.bytes.clear();
        self.shortest = 0;
    }

    /// Number of prefixes kept.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// True when no prefix is kept.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Where the prefix of the record whose `{` is at `open` may end, to be looked up: the
    /// offset of the first `"timestamp"` after it, not further than [`MAX_PREFIX`], and no
    /// nearer than the shortest prefix kept (none shorter can be found, so the search starts
    /// there).
    ///
    /// Any end gives a correct lookup (see [`PrefixCache`]): a hit needs the whole prefix
    /// found, bytes and length, and a `"timestamp"` after it; starting further on only misses
    /// a prefix shorter than all kept, and the record read whole then keeps its own (see
    /// [`PrefixCache::keep`]).
    #[inline]
    fn prefix_end(&self, text: &[u8], open: usize) -> Option<usize> {
        let from = open + 1;
        let to = text.len().min(from + MAX_PREFIX + TIMESTAMP_KEY.len());
        let start = (from + self.shortest).min(to);
        find_timestamp_key(&text[start..to]).map(|i| start + i)
    }

    /// After a record at `open` was read whole: keeps the `value` the consumer gave for its
    /// prefix, when it can be cached (the record found it ends at `end`) and is not kept
    /// already. `looked_up` is the end that was looked up and missed, with its hash.
    #[inline]
    fn keep(
        &mut self,
        text: &[u8],
        open: usize,
        end: Option<usize>,
        looked_up: Option<(usize, u64)>,
        value: Option<V>,
    ) {
        let (Some(end), Some(value)) = (end, value) else {
            return;
        };
        let prefix = &text[open + 1..end];
        match looked_up {
            Some((q, hash)) if q == end => self.insert(hash, prefix, value),
            // A prefix shorter than the search's start, or one holding a `"timestamp"` before
            // its end (in a string, or a key of a nested object): found otherwise.
            _ => {
                let hash = self.hash(prefix);
                if self.get(hash, prefix).is_none() {
                    self.insert(hash, prefix, value);
                }
            }
        }
    }

    #[inline]
    fn hash(&self, prefix: &[u8]) -> u64 {
        self.state.hash_one(prefix)
    }

    /// Asks the CPU to bring the first 256 bytes of the prefix last kept with `hash`'s hint
    /// into cache (see [`PrefixCache::hints`]), without waiting for them.
    #[inline]
    fn prefetch(&self, hash: u64) {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            let start = self.hints[hint_slot(hash)] as usize;
            let end = self.bytes.len().min(start + 256);
            let mut at = start;
            while at < end {
                // SAFETY: a prefetch is a hint that never faults and reads nothing the
                // program sees; `at` is inside `bytes`; SSE is part of every x86_64 target.
                unsafe { _mm_prefetch::<_MM_HINT_T0>(self.bytes.as_ptr().add(at).cast()) };
                at += 64;
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = hash;
    }

    /// The value kept for `prefix`.
    #[inline]
    fn get(&self, hash: u64, prefix: &[u8]) -> Option<V> {
        let e = self.table.find(hash, |e| {
            e.hash == hash && &self.bytes[e.start as usize..e.end as usize] == prefix
        })?;
        Some(e.value)
    }

    /// Keeps `value` for `prefix` (not yet kept).
    #[cold]
    fn insert(&mut self, hash: u64, prefix: &[u8], value: V) {
        if prefix.len() > MAX_PREFIX {
            return;
        }
        if self.table.len() >= MAX_ENTRIES || self.bytes.len() + prefix.len() > MAX_BYTES {
            self.clear();
        }
        self.shortest = match self.table.is_empty() {
            true => prefix.len(),
            false => self.shortest.min(prefix.len()),
        };
        // Both bounds keep these far below 4 GiB.
        let start = self.bytes.len() as u32;
        self.bytes.extend_from_slice(prefix);
        self.hints[hint_slot(hash)] = start;
        let entry = Entry {
            hash,
            start,
            end: self.bytes.len() as u32,
            value,
        };
        self.table.insert_unique(hash, entry, |e| e.hash);
    }
}

/// The scan of one text.
struct Doc<'a, C> {
    s: C,
    text: &'a str,
}

/// Members of a record that serde's derive reads (a second one is an error there).
mod member {
    pub const NAMESPACE: u8 = 1;
    pub const METRIC_NAME: u8 = 2;
    pub const REGION: u8 = 4;
    pub const DIMENSIONS: u8 = 8;
    pub const TIMESTAMP: u8 = 16;
    pub const VALUE: u8 = 32;
    pub const ACCOUNT_ID: u8 = 64;
    /// The members that say which series a record is of.
    pub const IDENTITY: u8 = NAMESPACE | METRIC_NAME | REGION | DIMENSIONS | ACCOUNT_ID;
}

/// A record read by [`Doc::record`].
struct Whole<'a> {
    record: StreamRecord<'a>,
    /// Offset of its `}`.
    close: usize,
    /// The end of its prefix (the offset of the quote of its key `"timestamp"`), when the
    /// prefix can be cached.
    prefix_end: Option<usize>,
}

impl<'a, C: Cursor<'a>> Doc<'a, C> {
    fn new(text: &'a str) -> Self {
        Doc {
            s: C::new(text.as_bytes()),
            text,
        }
    }

    /// The top-level values, as `input::json::for_each_value` finds them: whitespace, and commas
    /// after the first value, between them.
    fn values<V: Copy>(
        &mut self,
        mut cache: Option<&mut PrefixCache<V>>,
        mut each: impl FnMut(Item<'a, V>, usize) -> Option<V>,
    ) -> End {
        let hand_over = |values, end| End::HandOver { values, at: end };
        if self.s.skip_bom().is_err() {
            return hand_over(0, 0);
        }
        let (mut values, mut end) = (0u32, 0usize);
        loop {
            let Some(at) = self.s.peek_at() else {
                // Whitespace only, or nothing read yet: serde words the report.
                return match values > 0 && self.s.finished() {
                    true => End::Done { values },
                    false => hand_over(values, end),
                };
            };
            match self.s.bytes()[at] {
                b'{' => {
                    self.s.advance();
                    let read = match cache.as_deref_mut() {
                        Some(cache) => self.cached_record(at, cache, &mut each),
                        None => self.record().map(|w| {
                            each(Item::Record(w.record), at);
                            w.close
                        }),
                    };
                    match read {
                        Ok(close) => {
                            values += 1;
                            end = close + 1;
                        }
                        Err(Bail) => return hand_over(values, end),
                    }
                }
                b',' if values > 0 => self.s.advance(),
                // Not an object, not JSON, or a form feed between values.
                _ => return hand_over(values, end),
            }
        }
    }

    /// A record, after its `{` (at `open`), read with the cache and handed to `each`: the
    /// offset of its `}`. A record read whole whose prefix can be cached has the value `each`
    /// gives back kept for its prefix.
    #[inline]
    fn cached_record<V: Copy>(
        &mut self,
        open: usize,
        cache: &mut PrefixCache<V>,
        each: &mut impl FnMut(Item<'a, V>, usize) -> Option<V>,
    ) -> Scan<usize> {
        let bytes = self.s.bytes();
        let Some(q) = cache.prefix_end(bytes, open) else {
            let w = self.record()?;
            let value = each(Item::Record(w.record), open);
            cache.keep(bytes, open, w.prefix_end, None, value);
            return Ok(w.close);
        };
        let prefix = &bytes[open + 1..q];
        let hash = cache.hash(prefix);
        // The kept prefix this one is compared with is seldom in cache (the text read since
        // it was last compared pushed it out): asked for now, it arrives while the tail is read,
        // which is the same whether the lookup hits or not (a miss forgets it).
        cache.prefetch(hash);
        let tail = self.tail(q);
        if let Some(value) = cache.get(hash, prefix) {
            if let Some((tail, close)) = tail? {
                each(Item::Known(value, tail), open);
                return Ok(close);
            }
            // The tail names the series too: read the record again, whole.
            self.s.seek(open + 1);
            let w = self.record()?;
            each(Item::Record(w.record), open);
            return Ok(w.close);
        }
        self.s.seek(open + 1);
        let w = self.record()?;
        let value = each(Item::Record(w.record), open);
        cache.keep(bytes, open, w.prefix_end, Some((q, hash)), value);
        Ok(w.close)
    }

    /// The members of a record object, after its `{`, and the offset of its `}`.
    ///
    /// When before the key `"timestamp"` only identity members and members that are skipped
    /// were read, and after it no identity member, the record's prefix (up to that key's quote)
    /// can be cached.
    #[inline(always)]
    fn record(&mut self) -> Scan<Whole<'a>> {
        let mut r = StreamRecord::default();
        let mut seen = 0;
        let mut prefix_seen = None;
        if let Some(close) = self.close_at() {
            return Ok(Whole {
                record: r,
                close,
                prefix_end: None,
            });
        }
        loop {
            let (m, key_start) = self.member_key()?;
            if seen & m != 0 {
                return Err(Bail);
            }
            if m == member::TIMESTAMP {
                prefix_seen = Some((seen, key_start - 1));
            }
            seen |= m;
            match m {
                member::NAMESPACE => r.namespace = self.str_value()?,
                member::METRIC_NAME => r.metric_name = self.str_value()?,
                member::REGION => r.region = self.str_value()?,
                member::ACCOUNT_ID => r.account_id = self.str_value()?,
                member::DIMENSIONS => r.dimensions = self.dimensions()?,
                member::TIMESTAMP => r.timestamp = self.given_num()?,
                member::VALUE => r.value = self.value()?,
                _ => self.s.skip_value()?,
            }
            if let Some(close) = self.end_of_member()? {
                // Cached only when the prefix held nothing but identity (and skipped) members
                // and the tail added none.
                let prefix_end = prefix_seen
                    .filter(|&(p, _)| {
                        p & !member::IDENTITY == 0
                            && p & member::IDENTITY == seen & member::IDENTITY
                    })
                    .map(|(_, end)| end);
                return Ok(Whole {
                    record: r,
                    close,
                    prefix_end,
                });
            }
        }
    }

    /// The members of a record from its cached prefix's end `q`, where the key `"timestamp"`
    /// is, to its `}`: the tail and the offset of the `}`; `None` when the tail names an
    /// identity member (the record must then be read whole). What [`record`](Self::record)
    /// does from there, without building a record: the prefix held identity members only (see
    /// [`PrefixCache`]), so `timestamp` and `value` are seen for the first time in the tail.
    #[inline(always)]
    fn tail(&mut self, q: usize) -> Scan<Option<(Tail, usize)>> {
        let mut tail = Tail::default();
        // The full read of this prefix read `"timestamp"` at `q` as a key: after it, the colon.
        self.s.seek(q + TIMESTAMP_KEY.len());
        self.s.expect(b':')?;
        tail.timestamp = match self.s.peek_at().and_then(|at| integer(self.text, at)) {
            Some((t, end)) => {
                self.s.seek(end);
                Given::Value(t)
            }
            None => self.given_num()?,
        };
        let mut seen = member::TIMESTAMP;
        // Metric Streams write `value` and `unit` next: while they come so, each is one turn of
        // the loop below with its key recognised by its bytes (as `key_span` reads them).
        if self.literal(b",\"value\":") {
            seen |= member::VALUE;
            tail.value = self.value()?;
            // The units Metric Streams write most are strings with nothing to unescape, passed
            // here as `skip_value` passes them.
            if self.literal(b",\"unit\":")
                && !(self.literal(b"\"Count\"") || self.literal(b"\"Bytes\""))
            {
                self.s.skip_value()?;
            }
        }
        loop {
            if let Some(close) = self.end_of_member()? {
                return Ok(Some((tail, close)));
            }
            let (m, _) = self.member_key()?;
            if m & member::IDENTITY != 0 {
                return Ok(None);
            }
            if seen & m != 0 {
                return Err(Bail);
            }
            seen |= m;
            match m {
                member::TIMESTAMP => tail.timestamp = self.given_num()?,
                member::VALUE => tail.value = self.value()?,
                _ => self.s.skip_value()?,
            }
        }
    }

    /// The key of a record's member, read: which member it is (its bit in [`member`], 0 for a
    /// member serde's derive does not read) and the offset of the key's text. An escaped key
    /// or a key of the CLI forms bails.
    #[inline(always)]
    fn member_key(&mut self) -> Scan<(u8, usize)> {
        let span = self.s.key_span()?;
        if span.escaped {
            return Err(Bail);
        }
        let key = &self.s.bytes()[span.start..span.end];
        let m = match key {
            b"namespace" => member::NAMESPACE,
            b"metric_name" => member::METRIC_NAME,
            b"region" => member::REGION,
            b"account_id" => member::ACCOUNT_ID,
            b"dimensions" => member::DIMENSIONS,
            b"timestamp" => member::TIMESTAMP,
            b"value" => member::VALUE,
            _ if CLI_KEYS.iter().any(|k| k.as_bytes() == key) => return Err(Bail),
            _ => 0,
        };
        Ok((m, span.start))
    }

    /// After a member of a record: `None` at a comma (passed), the offset of the `}` (passed)
    /// at the end.
    #[inline(always)]
    fn end_of_member(&mut self) -> Scan<Option<usize>> {
        let at = self.s.peek_at().ok_or(Bail)?;
        match self.s.bytes()[at] {
            b',' => {
                self.s.advance();
                Ok(None)
            }
            b'}' => {
                self.s.advance();
                Ok(Some(at))
            }
            _ => Err(Bail),
        }
    }

    /// When the next token is `}`: passes it and gives its offset.
    #[inline(always)]
    fn close_at(&mut self) -> Option<usize> {
        let at = self.s.peek_at()?;
        (self.s.bytes()[at] == b'}').then(|| {
            self.s.advance();
            at
        })
    }

    /// A string member, as `lenient::Str` reads it: a string is kept, any other value reads as
    /// absent. A bare number bails: serde parses it (and can fail on its range) where skipping
    /// would not.
    #[inline(always)]
    fn str_value(&mut self) -> Scan<Str<'a>> {
        match self.s.peek() {
            Some(b'"') => {
                let span = self.s.string()?;
                if span.escaped {
                    return self.unescaped(span);
                }
                // On character boundaries: the contents of a string the scanner found (quotes
                // are ASCII).
                let raw = self.text.get(span.start..span.end).ok_or(Bail)?;
                Ok(Str(Some(Cow::Borrowed(raw))))
            }
            Some(b'-' | b'0'..=b'9') | None => Err(Bail),
            Some(_) => self.s.skip_value().map(|()| Str(None)),
        }
    }

    /// A string with escapes: its exact text, quotes included, unescaped by serde_json itself.
    #[cold]
    fn unescaped(&mut self, span: Span) -> Scan<Str<'a>> {
        let quoted = self.text.get(span.start - 1..=span.end).ok_or(Bail)?;
        let value: String = serde_json::from_str(quoted).map_err(|_| Bail)?;
        Ok(Str(Some(Cow::Owned(value))))
    }

    /// A number member, as `lenient::Num` reads it: a number's value, any other value reads as
    /// absent.
    #[inline(always)]
    fn num_value(&mut self) -> Scan<Num> {
        match self.s.peek_at() {
            Some(at) => match self.s.bytes()[at] {
                b'-' | b'0'..=b'9' => {
                    if let Some((v, end)) = short_number(self.text, at) {
                        self.s.seek(end);
                        return Ok(Num(Some(v)));
                    }
                    let end = self.s.scalar()?;
                    // On character boundaries: a number is ASCII, and so is what ends it.
                    number(self.text.get(at..end).ok_or(Bail)?).map(|v| Num(Some(v)))
                }
                _ => self.s.skip_value().map(|()| Num(None)),
            },
            None => Err(Bail),
        }
    }

    /// A member a datapoint needs (`timestamp`, a statistic), present: its number, or
    /// [`Given::WrongType`] for any other value, as `record::Given` reads it.
    #[inline(always)]
    fn given_num(&mut self) -> Scan<Given<f64>> {
        Ok(match self.num_value()?.0 {
            Some(v) => Given::Value(v),
            None => Given::WrongType,
        })
    }

    /// Opens an object member: true (after the `{`) when the value is an object; any other
    /// value is skipped and reads as absent, as `lenient::Obj` reads it. A bare number bails.
    #[inline(always)]
    fn open_object(&mut self) -> Scan<bool> {
        match self.s.peek() {
            Some(b'{') => {
                self.s.advance();
                Ok(true)
            }
            Some(b'-' | b'0'..=b'9') | None => Err(Bail),
            Some(_) => self.s.skip_value().map(|()| false),
        }
    }

    /// After a member of an object: true when another follows (the comma is passed), false at
    /// the `}` (passed).
    #[inline(always)]
    fn next_member(&mut self) -> Scan<bool> {
        self.s.more(b'}')
    }

    /// `dimensions`, as `parse::StreamDims` reads it (a later `StreamName`, `ShardId` or
    /// `ConsumerName` replaces an earlier one there, so it does here).
    fn dimensions(&mut self) -> Scan<Option<StreamDims<'a>>> {
        if !self.open_object()? {
            return Ok(None);
        }
        let mut d = StreamDims::default();
        if self.s.eat(b'}') {
            return Ok(Some(d));
        }
        loop {
            match self.s.key()? {
                b"StreamName" => d.stream = self.str_value()?,
                b"ShardId" => d.shard = self.str_value()?,
                b"ConsumerName" => d.consumer = self.str_value()?,
                _ => {
                    self.s.skip_value()?;
                    d.other = true;
                }
            }
            if !self.next_member()? {
                return Ok(Some(d));
            }
        }
    }

    /// `value`, as `record::StreamValue` reads it: a member given twice bails.
    fn value(&mut self) -> Scan<Given<StreamValue>> {
        if let Some(v) = self.value_as_written() {
            return Ok(Given::Value(v));
        }
        if !self.open_object()? {
            return Ok(Given::WrongType);
        }
        let mut v = StreamValue::default();
        if self.s.eat(b'}') {
            return Ok(Given::Value(v));
        }
        // Metric Streams write `max`, `min`, `sum`, `count` in that order: while the keys come
        // so, each is recognised by its bytes (as `key` reads them), not scanned and matched.
        let mut next = 0;
        let mut seen = 0u8;
        loop {
            // Bits: 1 `sum`, 2 `count`, 4 `max`, 0 anything else.
            let bit = match next {
                0 if self.literal(b"\"max\":") => 4,
                1 if self.literal(b"\"min\":") => 0,
                2 if self.literal(b"\"sum\":") => 1,
                3 if self.literal(b"\"count\":") => 2,
                _ => {
                    next = usize::MAX - 1;
                    match self.s.key()? {
                        b"sum" => 1,
                        b"count" => 2,
                        b"max" => 4,
                        _ => 0,
                    }
                }
            };
            next += 1;
            if bit == 0 {
                self.s.skip_value()?;
            } else {
                if seen & bit != 0 {
                    return Err(Bail);
                }
                seen |= bit;
                let slot = match bit {
                    1 => &mut v.sum,
                    2 => &mut v.count,
                    _ => &mut v.max,
                };
                *slot = self.given_num()?;
            }
            if !self.next_member()? {
                return Ok(Given::Value(v));
            }
        }
    }

    /// `value` as Metric Streams write it, `{"max":N,"min":N,"sum":N,"count":N}` with no space
    /// and each number one [`short_number`] reads, read in one straight pass (and passed); `None`,
    /// with nothing but whitespace passed, for anything else, which [`value`](Self::value)'s
    /// member loop then reads. What the loop makes of such a text: the same members once each, in its fast order,
    /// `min` skipped (a number `short_number` reads is one the scanner's grammar passes).
    #[inline(always)]
    fn value_as_written(&mut self) -> Option<StreamValue> {
        let (t, b) = (self.text, self.s.bytes());
        let mut i = self.s.peek_at()?;
        #[inline(always)]
        fn member<const N: usize>(t: &str, i: &mut usize, key: &[u8; N]) -> Option<f64> {
            if !bytes_at(t.as_bytes(), *i, key) {
                return None;
            }
            let (v, end) = short_number(t, *i + N)?;
            *i = end;
            Some(v)
        }
        let max = member(t, &mut i, b"{\"max\":")?;
        member(t, &mut i, b",\"min\":")?;
        let sum = member(t, &mut i, b",\"sum\":")?;
        let count = member(t, &mut i, b",\"count\":")?;
        if b.get(i) != Some(&b'}') {
            return None;
        }
        self.s.seek(i + 1);
        Some(StreamValue {
            sum: Given::Value(sum),
            count: Given::Value(count),
            max: Given::Value(max),
        })
    }

    /// True (and passed) when the text from the next token on is `literal`, byte for byte.
    #[inline(always)]
    fn literal<const N: usize>(&mut self, literal: &[u8; N]) -> bool {
        match self.s.peek_at() {
            Some(at) if bytes_at(self.s.bytes(), at, literal) => {
                self.s.seek(at + N);
                true
            }
            _ => false,
        }
    }
}

/// True when `b` holds `key` at `i`. Of a length known when compiled, so the comparison is a
/// few loads, not a call to `memcmp` (which `starts_with` makes of it).
#[inline(always)]
fn bytes_at<const N: usize>(b: &[u8], i: usize, key: &[u8; N]) -> bool {
    b.get(i..)
        .and_then(|rest| rest.first_chunk::<N>())
        .is_some_and(|got| got == key)
}

/// The powers of ten exact in an `f64` (10^22 is the last).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A number read and checked in one pass, where [`number`] reads a number the scanner has
/// checked: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` from offset `i` of `t`; its value
/// (as [`number`] gives it) and the offset after it. `None` for what is not a JSON number there
/// (the scanner then bails), for a number of more than 64 bytes and for one beyond an `f64`'s
/// range, which the scanner and [`number`] read.
///
/// Digits that make an integer exact in an `f64` (see [`exact_digits`]) and a power of ten
/// within 10^±22 (timestamps, counts, `3.0`, `12.75`, 16-digit values up to 2^53 such as
/// `7292.446051660075`, and the exponent form Metric Streams write from 10^7 up,
/// `1.5898017E7`): the power of ten is exact too, so one multiplication or division rounds
/// correctly (Clinger's fast path). The rest (17-digit latencies such as `13740.380346790822`)
/// go to the standard library's correctly rounded parser, on the text already checked.
#[inline(always)]
fn short_number(t: &str, i: usize) -> Option<(f64, usize)> {
    if let Some(read) = whole_as_java_writes_it(t.as_bytes(), i) {
        return Some(read);
    }
    let b = t.as_bytes();
    let negative = b.get(i) == Some(&b'-');
    let start = i + usize::from(negative);
    let mut at = start;
    // Wrapping: more than 15 digits take the parser below, whatever `n` became.
    let mut n = 0u64;
    let mut run = |at: &mut usize| {
        let from = *at;
        while let Some(&c) = b.get(*at).filter(|c| c.is_ascii_digit()) {
            n = n.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
            *at += 1;
        }
        *at - from
    };
    let whole = run(&mut at);
    // No digits, or a leading zero followed by more digits (not JSON: the scanner bails).
    if whole == 0 || (whole > 1 && b[start] == b'0') {
        return None;
    }
    let mut fraction = 0;
    if b.get(at) == Some(&b'.') {
        // A whole number as Java writes it (`0.0`, `38.0`: a third to a half of the numbers
        // Metric Streams write): the value is the digits read, as the division below would
        // give (`n * 10` is exact in an `f64` up to 15 digits, and so is its tenth).
        if whole <= 14
            && b.get(at + 1) == Some(&b'0')
            && !matches!(b.get(at + 2), Some(b'0'..=b'9' | b'e' | b'E'))
        {
            let v = n as f64;
            return Some((if negative { -v } else { v }, at + 2));
        }
        at += 1;
        fraction = run(&mut at);
        if fraction == 0 {
            return None;
        }
    }
    let digits = whole + fraction;
    if exact_digits(n, digits) && !matches!(b.get(at), Some(b'e' | b'E')) {
        // One division.
        let v = n as f64 / POW10[fraction];
        return Some((if negative { -v } else { v }, at));
    }
    exponent_or_long(t, i, at, n, digits, fraction)
}

/// [`short_number`] of a whole number of one to seven digits written as Java writes it, `38.0`,
/// read in one eight-byte step; `None` for anything else (a sign, more digits, another
/// fraction, an exponent, fewer than eight bytes left), which the byte-by-byte read takes.
///
/// The value is the digits' (exact in an `f64`), as [`short_number`]'s own case of `.0` gives
/// it, and so is the offset after the `0`.
#[inline(always)]
fn whole_as_java_writes_it(b: &[u8], i: usize) -> Option<(f64, usize)> {
    let w = u64::from_le_bytes(*b.get(i..)?.first_chunk::<8>()?);
    // As in `integer`: the lowest byte with its high bit set is the first that is not a digit.
    let other = (w.wrapping_add(0x4646_4646_4646_4646) | w.wrapping_sub(0x3030_3030_3030_3030))
        & 0x8080_8080_8080_8080;
    let k = (other.trailing_zeros() / 8) as usize;
    // No digit, eight of them, or a leading zero before more digits.
    if k == 0 || k == 8 || (k > 1 && w & 0xff == u64::from(b'0')) {
        return None;
    }
    let end = i + k;
    if !bytes_at(b, end, b".0") || matches!(b.get(end + 2), Some(b'0'..=b'9' | b'e' | b'E')) {
        return None;
    }
    // The k digits moved up to the last places, '0's before them.
    let shift = 64 - 8 * k as u32;
    let digits = (w << shift) | (0x3030_3030_3030_3030 >> (64 - shift));
    Some((eight_digits(digits) as f64, end + 2))
}

/// True when `digits` decimal digits that make `n` (wrapping past 19 of them) are an integer
/// exact in an `f64`: at most 15 digits, or up to 19 (which cannot wrap a `u64`) of value at
/// most 2^53.
#[inline(always)]
fn exact_digits(n: u64, digits: usize) -> bool {
    digits <= 15 || (digits <= 19 && n <= 1 << 53)
}

/// A number that is a plain integer of 15 digits at most, as timestamps are written
/// (`1710022860000`), read eight digits a step; `None` for anything else (a sign, a fraction, an
/// exponent, more digits, a leading zero), which [`short_number`] reads. Its value and end are
/// those `short_number` gives (the digits are an integer exact in an `f64`).
#[inline(always)]
fn integer(t: &str, i: usize) -> Option<(f64, usize)> {
    let b = t.as_bytes();
    let mut at = i;
    let mut n = 0u64;
    while let Some(chunk) = b.get(at..).and_then(|rest| rest.first_chunk::<8>()) {
        let w = u64::from_le_bytes(*chunk);
        // The high bit of each byte that is not a digit. The first (lowest) one is exact: the
        // digits before it carry and borrow nothing into it.
        let other = (w.wrapping_add(0x4646_4646_4646_4646) | w.wrapping_sub(0x3030_3030_3030_3030))
            & 0x8080_8080_8080_8080;
        if other == 0 {
            n = n.wrapping_mul(100_000_000).wrapping_add(eight_digits(w));
            at += 8;
            continue;
        }
        let k = (other.trailing_zeros() / 8) as usize;
        if k > 0 {
            // The k digits moved up to the last places, '0's before them.
            let shift = 64 - 8 * k as u32;
            let w = (w << shift) | (0x3030_3030_3030_3030 >> (64 - shift));
            n = n.wrapping_mul(POW10_U64[k]).wrapping_add(eight_digits(w));
            at += k;
        }
        let digits = at - i;
        let plain = (1..=15).contains(&digits)
            && (digits == 1 || b[i] != b'0')
            && !matches!(b[at], b'.' | b'e' | b'E');
        return plain.then_some((n as f64, at));
    }
    // Fewer than 8 bytes left in the text.
    None
}

/// 10^k for the digits of one step of [`integer`].
const POW10_U64: [u64; 8] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/// The value of eight ASCII digits, the first in the lowest byte (as fast_float reads them).
#[inline(always)]
fn eight_digits(w: u64) -> u64 {
    let v = w.wrapping_sub(0x3030_3030_3030_3030);
    // Pairs, then fours, then the eight.
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let low = (v & 0x0000_00FF_0000_00FF).wrapping_mul(100 + (1_000_000 << 32));
    let high = ((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32));
    u64::from(low.wrapping_add(high).wrapping_shr(32) as u32)
}

/// The rest of [`short_number`], out of line: the number's text is `b[i..at]` up to any
/// exponent, its `digits` digits (`fraction` of them after the point) make `n` when there are
/// at most 15.
#[inline(never)]
fn exponent_or_long(
    t: &str,
    i: usize,
    mut at: usize,
    n: u64,
    digits: usize,
    fraction: usize,
) -> Option<(f64, usize)> {
    let b = t.as_bytes();
    let mut exponent = 0i32;
    if matches!(b.get(at), Some(b'e' | b'E')) {
        at += 1;
        let minus = b.get(at) == Some(&b'-');
        at += usize::from(minus || b.get(at) == Some(&b'+'));
        let from = at;
        while let Some(&c) = b.get(at).filter(|c| c.is_ascii_digit()) {
            // Saturating: anything this far out takes the parser below.
            exponent = (exponent * 10 + i32::from(c - b'0')).min(1 << 20);
            at += 1;
        }
        if at == from {
            return None;
        }
        if minus {
            exponent = -exponent;
        }
    }
    // Longer numbers go to the scanner and `number` (this also keeps `fraction` small).
    if at - i > 64 {
        return None;
    }
    let power = exponent - fraction as i32;
    if exact_digits(n, digits) && (-22..=22).contains(&power) {
        let v = if power >= 0 {
            n as f64 * POW10[power as usize]
        } else {
            n as f64 / POW10[(-power) as usize]
        };
        return Some((if b[i] == b'-' { -v } else { v }, at));
    }
    let v: f64 = t.get(i..at)?.parse().ok()?;
    // serde_json refuses a number beyond f64's range rather than give infinity.
    v.is_finite().then_some((v, at))
}

/// The value of a JSON number (checked by the scanner's grammar) that [`short_number`] left:
/// more than 64 bytes, or beyond an `f64`'s range. As serde_json with `float_roundtrip` gives it
/// to `lenient::Num`: correctly rounded from its decimal digits (the standard library's parser is
/// too; very long numbers go to serde_json itself), and a number too large for an `f64` an
/// error (a bail).
#[inline(never)]
fn number(text: &str) -> Scan<f64> {
    let v = if text.len() <= 64 {
        text.parse::<f64>().map_err(|_| Bail)?
    } else {
        serde_json::from_str::<Num>(text)
            .map_err(|_| Bail)?
            .0
            .ok_or(Bail)?
    };
    // serde_json refuses a number beyond f64's range rather than give infinity.
    if v.is_finite() { Ok(v) } else { Err(Bail) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::parse::compare_with_serde;

    /// The values the fast path reads itself (the rest must read the same on serde).
    fn fast_values(text: &str) -> u32 {
        compare_with_serde(text).unwrap_or_else(|e| panic!("{e}"))
    }

    const RECORD: &str = r#"{"metric_stream_name":"s","account_id":"111122223333","region":"us-east-1","namespace":"AWS/Kinesis","metric_name":"IncomingBytes","dimensions":{"StreamName":"orders","ShardId":"shardId-000000000001"},"timestamp":1710000000000,"value":{"max":10.011666666666667,"min":0.0,"sum":2.5e3,"count":3.0,"p99":[1,{"a":1e999}]},"unit":"Bytes"}"#;

    #[test]
    fn reads_the_common_layouts_itself() {
        let rec = RECORD;
        let cases = [
            (format!("{rec}\n{rec}\n"), 2),
            (format!("{rec}{rec}{rec}"), 3),
            (rec.to_string(), 1),
            (format!("\u{feff}{rec}\r\n,{rec}"), 2),
            (format!("  {rec} ,, {rec}  \n\n"), 2),
            ("{}".to_string(), 1),
            (r#"{"dimensions":{"StreamName":"s","ConsumerName":"a","ConsumerName":"b\u0063"}}"#.to_string(), 1),
            (r#"{"namespace":null,"metric_name":["x"],"region":{"a":[{}]},"dimensions":"d","timestamp":"t","value":true}"#.to_string(), 1),
            (r#"{"metric_name":" I\u006ecomingBytes ","dimensions":{"StreamName":"a","StreamName":"b","ShardId":null,"ConsumerName":null,"Other":1e999}}"#.to_string(), 1),
            (r#"{"timestamp":-0,"value":{"sum":-0.0,"count":0,"max":-1.5E-3}}"#.to_string(), 1),
            (r#"{"timestamp":1e308,"value":{"sum":12345678901234567890,"count":1e-400,"max":-9007199254740993}}"#.to_string(), 1),
            (r#"{"value":{"sum":0.1000000000000000055511151231257827021181583404541015625000000000001}}"#.to_string(), 1),
            (r#"{"value":{"min":1,"min":2},"unit":1,"unit":2}"#.to_string(), 1),
        ];
        for (text, n) in cases {
            assert_eq!(fast_values(&text), n, "{text}");
        }
    }

    #[test]
    fn values_as_metric_streams_write_them_and_near_misses_read_as_serde_does() {
        let cases = [
            // As written: the straight pass.
            (r#"{"max":1,"min":2,"sum":3,"count":4}"#, 1),
            (
                r#"{"max":1.5E7,"min":9.896168738673857,"sum":1.5898017E7,"count":61.0}"#,
                1,
            ),
            (
                r#"{"max":-0.0,"min":-1E-7,"sum":13740.380346790822,"count":0}"#,
                1,
            ),
            // Near misses: the member loop.
            (r#"{"max":1,"min":1e999,"sum":3,"count":4}"#, 1),
            (r#"{"max":1,"min":"x","sum":3,"count":4}"#, 1),
            (r#"{"max":1,"min":2,"sum":3,"count":4,"p50":1}"#, 1),
            (r#"{"max":1,"min":2,"sum":3}"#, 1),
            (r#"{"max": 1,"min":2,"sum":3,"count":4}"#, 1),
            (r#"{"max":1,"min":2,"sum":3,"count":4 }"#, 1),
            (r#"{ "max":1,"min":2,"sum":3,"count":4}"#, 1),
            (r#"{"max":1,"min":2,"count":4,"sum":3}"#, 1),
            (r#"{"max":1,"min":2,"sum":3,"count":4.5e}"#, 0),
            (r#"{"max":01,"min":2,"sum":3,"count":4}"#, 0),
            (r#"{"max":1,"min":2,"sum":3,"count":4,"count":5}"#, 0),
            (r#"{"max":1,"min":2,"sum":3,"count":1e400}"#, 0),
        ];
        for (value, n) in cases {
            let text = RECORD.replace(
                r#"{"max":10.011666666666667,"min":0.0,"sum":2.5e3,"count":3.0,"p99":[1,{"a":1e999}]}"#,
                value,
            );
            assert_ne!(text, RECORD);
            assert_eq!(fast_values(&text), n, "{text}");
            assert_eq!(fast_values(&format!("{text}\n{text}\n")), 2 * n, "{text}");
        }
    }

    #[test]
    fn the_timestamp_key_is_found_where_a_plain_search_finds_it() {
        let naive = |hay: &[u8]| hay.windows(11).position(|w| w == TIMESTAMP_KEY);
        // Near misses and the key, at every offset of haystacks of every length around the
        // 16-byte steps, alone and after a near miss.
        let pieces: [&[u8]; 8] = [
            b"\"timestamp\"",
            b"\"tXmestamp\"\"timestamp\"",
            b"\"timestamp",
            b"\"timestam\"",
            b"\"tXmestamp\"",
            b"\"t\"t\"t\"t\"",
            b"\"\"timestamp\"\"",
            b"timestamp\"",
        ];
        for len in 0..80 {
            for at in 0..len {
                for (p, piece) in pieces.iter().enumerate() {
                    for before in [None, Some(pieces[(p + 1) % pieces.len()])] {
                        let mut hay = vec![b'x'; len];
                        let mut place = |at: usize, piece: &[u8]| {
                            let end = (at + piece.len()).min(len);
                            hay[at..end].copy_from_slice(&piece[..end - at]);
                        };
                        place(at, piece);
                        if let Some(b) = before {
                            place(at / 3, b);
                        }
                        assert_eq!(find_timestamp_key(&hay), naive(&hay), "{hay:?}");
                    }
                }
            }
        }
        // A search that starts inside a key finds the next one.
        let two = br#"{"timestamp":1,"x":{"timestamp":2}}"#;
        assert_eq!(find_timestamp_key(two), Some(1));
        assert_eq!(find_timestamp_key(&two[2..]), Some(20 - 2));
    }

    #[test]
    fn leaves_the_rest_to_serde() {
        let rec = RECORD;
        let cases = [
            ("".to_string(), 0),
            (" \n ".to_string(), 0),
            ("42".to_string(), 0),
            ("[]".to_string(), 0),
            (format!("[{rec}]"), 0),
            (format!("{rec}\n[{rec}]\n{rec}"), 1),
            (format!("{rec}\n{{\"timestamp\": oops}}\n{rec}"), 1),
            (format!("{rec}\u{c}{rec}"), 1),
            (format!("{rec}\n{rec}\nx"), 2),
            (format!("{rec}\n{{\"namespace\":\"a\""), 1),
            (r#"{"MetricDataResults":[]}"#.to_string(), 0),
            (r#"{"Label":"x","Datapoints":[]}"#.to_string(), 0),
            (r#"{"namespace":5}"#.to_string(), 0),
            (r#"{"namespace":1e999}"#.to_string(), 0),
            (r#"{"dimensions":1}"#.to_string(), 0),
            (r#"{"dimensions":{"StreamName":2}}"#.to_string(), 0),
            (r#"{"dimensions":{"ConsumerName":2}}"#.to_string(), 0),
            (r#"{"value":7.5e1000}"#.to_string(), 0),
            (r#"{"timestamp":1e999}"#.to_string(), 0),
            (r#"{"timestamp":-1e999}"#.to_string(), 0),
            (r#"{"value":{"sum":1e400}}"#.to_string(), 0),
            (format!(r#"{{"value":{{"sum":1{}}}}}"#, "0".repeat(400)), 0),
            (r#"{"namespace":"a","namespace":"b"}"#.to_string(), 0),
            (r#"{"timestamp":1,"timestamp":"x"}"#.to_string(), 0),
            (r#"{"value":{"sum":1,"sum":2}}"#.to_string(), 0),
            (r#"{"n\u0061mespace":"AWS/Kinesis"}"#.to_string(), 0),
            (r#"{"dimensions":{"Stre\u0061mName":"a"}}"#.to_string(), 0),
            (r#"{"namespace":"\ud800"}"#.to_string(), 0),
            (r#"{"namespace":"a",}"#.to_string(), 0),
            ("{\"namespace\":\"tab\there\"}".to_string(), 0),
            (r#"{"timestamp":01}"#.to_string(), 0),
        ];
        for (text, n) in cases {
            assert_eq!(fast_values(&text), n, "{text}");
        }
    }

    #[test]
    fn numbers_read_as_serde_json_reads_them() {
        let cases = [
            "0",
            "-0",
            "-0.0",
            "0e0",
            "-0e-5",
            "1",
            "-1",
            "999999999999999",
            "-999999999999999",
            "9007199254740993",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "123456789012345678901234567890",
            "10.011666666666667",
            "0.1",
            "2.2250738585072011e-308",
            "2.2250738585072014e-308",
            "4.9e-324",
            "2e-324",
            "1e-400",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1E+2",
            "1e-0",
            "0.30000000000000004",
            "1.00000000000000011102230246251565404236316680908203125",
            "1.00000000000000011102230246251565404236316680908203124",
            "1.00000000000000011102230246251565404236316680908203126",
            "3.0",
            "-12.75",
            "0.001",
            "999999999999999.9",
            "99999999999999.99",
            "1234567.890123456",
            "0.000000000000001",
            "-0.000000000000000",
            "123456789012.345",
            "0.30000000000000004",
            "9007199254740.993",
            // As Metric Streams (Java's Double.toString) write values from 10^7 up and below
            // 10^-3, and the edges of the one-step path.
            "1.5898017E7",
            "8.77130197E8",
            "-9.13106887E8",
            "1.0E-4",
            "5.5249999999999995",
            "9.999999999999999E22",
            "1e22",
            "1e23",
            "123456789012345e-22",
            "123456789012345e-23",
            "123456789012345E7",
            "1.7976931348623157E308",
            "4.9E-324",
            "1e-99999999999",
            "0.0E0",
            // Digits up to 2^53 and just past it, and 19 and 20 digits.
            "7292.446051660075",
            "9007199254740992",
            "9007199254740993",
            "9007.199254740992",
            "9007.199254740993",
            "0.9007199254740993",
            "-900719925474099.2e-7",
            "900719925474099.3E+5",
            "1234567890123456789",
            "12345678901234567.89",
            "12345678901234567890",
            "0.0000000000000001234",
            // Whole numbers as Java writes them, and their near misses.
            "0.0",
            "38.0",
            "-38.0",
            "99999999999999.0",
            "999999999999999.0",
            "9007199254740993.0",
            "1.0e5",
            "1.0E-5",
            "1.00",
            "1.05",
        ];
        // And a sweep of short decimals, each digit count and place of the point.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut sweep = Vec::new();
        for digits in 1..=17 {
            for _ in 0..200 {
                seed = crate::testing::xorshift(seed);
                let s: String = (0..digits)
                    .map(|i| char::from(b'0' + ((seed >> (i * 3)) % 10) as u8))
                    .collect();
                let s = s.trim_start_matches('0');
                let s = if s.is_empty() { "0" } else { s };
                let point = (seed >> 60) as usize % (s.len() + 1);
                sweep.push(if point == 0 || point == s.len() {
                    s.to_string()
                } else {
                    format!("{}.{}", &s[..point], &s[point..])
                });
            }
        }
        // And the same digits with exponents, as Java writes them (one digit before the
        // point) and anywhere.
        let mut exponents = Vec::new();
        for (k, s) in sweep.iter().enumerate() {
            seed = crate::testing::xorshift(seed);
            let e = (seed % 61) as i32 - 30;
            let digits = s.replace('.', "");
            let digits = digits.trim_start_matches('0');
            if k % 2 == 0 && !digits.is_empty() {
                let rest = if digits.len() > 1 { &digits[1..] } else { "0" };
                exponents.push(format!("{}.{rest}E{e}", &digits[..1]));
            } else {
                exponents.push(format!("{s}e{e:+}"));
            }
        }
        let cases = cases
            .iter()
            .map(|s| s.to_string())
            .chain(sweep)
            .chain(exponents);
        for t in cases {
            let t = t.as_str();
            let want = serde_json::from_str::<Num>(t).unwrap().0.unwrap();
            let got = number(t).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{t}: {got} vs {want}");
            // The one-pass read, where it reads the number, reads it whole and the same,
            // whatever follows it.
            for after in ["", ",", "}", " ", "]"] {
                let text = format!("{t}{after}");
                if let Some((v, end)) = short_number(&text, 0) {
                    assert_eq!((end, v.to_bits()), (t.len(), want.to_bits()), "{text:?}");
                }
            }
            // Every number of at most 64 bytes is read in one pass.
            assert_eq!(short_number(t, 0).is_some(), t.len() <= 64, "{t}");
            // Plain integers of at most 15 digits, eight digits a step, where 8 bytes remain.
            let plain = t.len() <= 15
                && t.bytes().all(|c| c.is_ascii_digit())
                && (t.len() == 1 || !t.starts_with('0'));
            let text = format!("{t},\"value\":{{}}");
            assert_eq!(integer(&text, 0), plain.then_some((want, t.len())), "{t}");
        }
        // Timestamps of every digit count up to 16 and each digit in each place, before what
        // can follow a number.
        for digits in 1..=16u32 {
            for d in 0..10u64 {
                for place in 0..digits {
                    let n = 10u64.pow(digits - 1) + d * 10u64.pow(place);
                    for after in [",", "}", " ", ".5,", "e3,", "E3}", "0", "x"] {
                        let text = format!("{n}{after}        ");
                        let want = short_number(&text, 0);
                        let got = integer(&text, 0);
                        let plain = n.to_string().len() + usize::from(after == "0") <= 15
                            && !after.starts_with(['.', 'e', 'E']);
                        if got.is_some() || plain {
                            assert_eq!(got, want, "{text:?}");
                        }
                    }
                }
            }
        }
        // Fewer than 8 bytes left: not read here.
        assert_eq!(integer("1234567", 0), None);
        assert_eq!(integer("1,", 0), None);
        // What is not JSON is left to the scanner, which bails.
        for t in [
            "01", "-01", "00.5", "1.", "-", "-.5", ".5", "1.e5", "+1", "- 1", "1.}", "1e", "1E+",
            "-2e-", "1e+-2", "1ee2",
        ] {
            assert_eq!(short_number(t, 0), None, "{t}");
            assert_eq!(integer(&format!("{t}        "), 0), None, "{t}");
        }
        for t in ["1e309", "-1e309", "1.8e308"] {
            assert!(serde_json::from_str::<Num>(t).is_err(), "{t}");
            assert_eq!(number(t), Err(Bail), "{t}");
            assert_eq!(short_number(t, 0), None, "{t}");
        }
    }

    /// Whole numbers as Java writes them, and their near misses, each before what can end a
    /// number and with room for an eight-byte read: read in one step exactly when the text is
    /// one to seven digits (no leading zero but in `0.0`) and `.0`, and always to serde_json's
    /// value and the number's end.
    #[test]
    fn whole_numbers_as_java_writes_them_are_read_in_one_step() {
        let mut numbers = Vec::new();
        for digits in 1..=9u32 {
            for d in 0..10u64 {
                for place in 0..digits {
                    let n = 10u64.pow(digits - 1) * u64::from(digits > 1) + d * 10u64.pow(place);
                    numbers.push(n.to_string());
                }
            }
        }
        numbers.extend(["00", "07", "-5", "-0"].map(String::from));
        let mut stepped = 0;
        for n in &numbers {
            for tail in [
                ".0", ".00", ".05", ".5", ".0e3", ".0E3", ".0e-1", "", "e2", "E+2",
            ] {
                let t = format!("{n}{tail}");
                let want = serde_json::from_str::<Num>(&t).ok().and_then(|v| v.0);
                let one_step = (1..=7).contains(&n.len())
                    && (n.len() == 1 || !n.starts_with('0'))
                    && !n.starts_with('-')
                    && tail == ".0";
                for after in [",", "}", " ", "]", "\"x"] {
                    let text = format!("{t}{after}        ");
                    let got = short_number(&text, 0);
                    assert_eq!(
                        got.map(|(v, end)| (v.to_bits(), end)),
                        want.map(|v| (v.to_bits(), t.len())),
                        "{text:?}"
                    );
                    let step = whole_as_java_writes_it(text.as_bytes(), 0);
                    assert_eq!(step.is_some(), one_step, "{text:?}");
                    stepped += usize::from(step.is_some());
                }
            }
        }
        assert!(stepped > 1000, "{stepped}");
        // Fewer than eight bytes left: the byte-by-byte read.
        assert_eq!(whole_as_java_writes_it(b"38.0,", 0), None);
        assert_eq!(short_number("38.0,", 0), Some((38.0, 4)));
    }

    #[test]
    fn every_fixture_reads_the_same_on_both_paths() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
        let mut loader = crate::input::decode::Loader::default();
        let (mut files, mut streams, mut fast) = (0, 0, 0);
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let bytes = std::fs::read(&path).unwrap();
                let Ok(loaded) = loader.load_bytes(&bytes, 1 << 30) else {
                    continue;
                };
                files += 1;
                let text = loaded.into_text().text;
                let n = fast_values(text);
                if path.to_string_lossy().contains("metrics/streams/") {
                    streams += 1;
                    fast += usize::from(n > 0 && compare_reader(text));
                }
            }
        }
        assert!(files > 50, "{files} files");
        // The sample's Metric Streams files must be read by the fast path, to their end.
        assert!(streams >= 4 && fast == streams, "{fast} of {streams}");
    }

    /// The whole reader, fast path or not, gives the same counts, report and cube; true when
    /// the fast path read the whole text.
    fn compare_reader(text: &str) -> bool {
        use crate::diag::FileReport;
        use crate::metrics::parse::MetricsReader;
        use crate::metrics::{MetricsCube, Query};
        use crate::window::Window;
        let query = Query::new(Window::default(), 60_000);
        let reader = MetricsReader {
            query: &query,
            queries: None,
            statistics_series: None,
        };
        // Into one cube, as one thread reads files: the same text again (its prefixes cached),
        // and under other path accounts, which records without `account_id` take.
        let names = [
            "f",
            "f",
            "AWSLogs/111122223333/f",
            "AWSLogs/444455556666/f",
            "AWSLogs/111122223333/f",
        ];
        let run = |fast| {
            let mut cube = MetricsCube::default();
            let mut reports = Vec::new();
            for name in names {
                let mut report = FileReport::new(name.into());
                reader.read_with(&mut cube, text, &mut report, fast);
                reports.push(format!("{report:?}"));
            }
            let mut series: Vec<String> =
                cube.series().map(|(k, b)| format!("{k:?} {b:?}")).collect();
            series.sort();
            format!("{reports:?} {:?} {} {series:?}", cube.counts, cube.width)
        };
        assert_eq!(run(true), run(false));
        matches!(read::<()>(text, None, |_, _| None), End::Done { .. })
    }

    #[test]
    fn the_whole_reader_agrees_after_a_hand_over() {
        let rec = RECORD;
        for text in [
            format!("{rec}\n{rec}"),
            format!("{rec}\n{{\"timestamp\": oops}}\n{rec}\n{rec}"),
            format!("{rec}\n[1]\n{rec}\u{c}{rec}"),
            format!("{rec}{rec}\n{{\"namespace\":\"AWS/Kinesis\""),
        ] {
            compare_reader(&text);
        }
    }

    /// How many records of `text` come as [`Item::Known`] on a first and a second read with one
    /// cache, each record read whole keeping a value for its prefix.
    fn hits(text: &str) -> [usize; 2] {
        let mut cache = PrefixCache::default();
        [0, 1].map(|_| known(text, &mut cache))
    }

    /// Reads `text` once with `cache`: the records its prefixes knew.
    fn known(text: &str, cache: &mut PrefixCache<()>) -> usize {
        let mut known = 0;
        read(text, Some(cache), |item, _| match item {
            Item::Record(_) => Some(()),
            Item::Known((), _) => {
                known += 1;
                None
            }
        });
        known
    }

    /// `record` three times, then a Metric Streams line: read as serde reads it, on both paths;
    /// the [`hits`].
    fn thrice_then_a_line(record: &str) -> (String, [usize; 2]) {
        let text = format!(
            "{record}\n{record}\n{record}\n{}",
            line("m", "1710000000000,\"value\":{}")
        );
        compare_with_serde(&text).unwrap_or_else(|e| panic!("{e}"));
        compare_reader(&text);
        let hits = hits(&text);
        (text, hits)
    }

    /// A Metric Streams line as AWS writes it (one order of members), of `metric` and stream
    /// `s`, with `tail` after `"timestamp":`.
    fn line(metric: &str, tail: &str) -> String {
        format!(
            r#"{{"metric_stream_name":"ms","account_id":"111122223333","region":"us-east-1","namespace":"AWS/Kinesis","metric_name":"{metric}","dimensions":{{"StreamName":"s"}},"timestamp":{tail}}}"#
        )
    }

    #[test]
    fn the_prefix_cache_reads_records_as_serde_does() {
        let v = r#""value":{"max":2.0,"min":1.0,"sum":3.0,"count":2.0},"unit":"Count""#;
        let a = line("IncomingBytes", &format!("1710000000000,{v}"));
        let b = line(
            "IncomingBytes",
            r#"1710000060000,"value":{"sum":7.5},"unit":"Bytes""#,
        );
        let c = line("IncomingBytes", &format!("1710000120000,{v},\"extra\":[1]"));
        // A byte-prefix of another prefix, and one that has it as a byte-prefix.
        let short = line("Incoming", &format!("1710000000000,{v}"));
        let long = line("IncomingBytesX", &format!("1710000000000,{v}"));
        // Tails naming the series again: a member the prefix lacks, and one it has.
        let more = format!(
            r#"{{"metric_stream_name":"ms","region":"us-east-1","namespace":"AWS/Kinesis","metric_name":"IncomingBytes","dimensions":{{"StreamName":"s"}},"timestamp":1710000000000,{v}}}"#
        );
        let more_account = more.replace(r#""unit":"Count""#, r#""account_id":"444455556666""#);
        let twice = b.replace(r#""unit":"Bytes""#, r#""metric_name":"PutRecord.Bytes""#);
        let cases: [(Vec<&str>, [usize; 2]); 6] = [
            // Same prefix, other tails: hits from the second line on.
            (vec![&a, &b, &c, &a], [3, 4]),
            (vec![&a, &short, &long, &short, &a, &long], [3, 6]),
            // The tail adds `account_id`: read whole, never kept, never a hit.
            (vec![&more, &more_account, &more], [1, 2]),
            (vec![&more_account, &more_account], [0, 0]),
            // A duplicate `metric_name` in the tail: serde refuses it, and reads the rest.
            (vec![&b, &twice, &a], [0, 1]),
            (vec![&a, &twice, &a, &twice], [0, 1]),
        ];
        for (lines, want) in cases {
            let text = lines.join("\n");
            compare_with_serde(&text).unwrap_or_else(|e| panic!("{e}"));
            compare_reader(&text);
            assert_eq!(hits(&text), want, "{text}");
        }
    }

    /// A hit reads the tail on its own (`Doc::tail`), and the value object by its keys' bytes
    /// while they come in AWS's order: each tail must read as the whole record does on serde.
    #[test]
    fn tails_of_known_prefixes_read_as_serde_does() {
        let v = r#""value":{"max":2.0,"min":1.0,"sum":3.0,"count":2.0}"#;
        let good = line(
            "IncomingBytes",
            &format!("1710000000000,{v},\"unit\":\"Count\""),
        );
        // Each tail after `"timestamp":`, and how many records come as hits on the first and
        // the second read of `good`, the tail's line and `good` again.
        let read = [2, 3];
        let bails = [0, 1];
        let whole = [1, 2];
        let cases: Vec<(String, [usize; 2])> = vec![
            (format!("1710000060000,{v}"), read),
            (format!("1710000060000 , {v} , \"unit\" : \"Count\" "), read),
            (format!("1710000060000,\"unit\":\"Count\",{v}"), read),
            ("1710000060000".to_string(), read),
            (format!("1710000060000,{v},\"unit\":\"C\\u00f6unt\",\"unit\":{{\"a\":[1e999]}}"), read),
            (format!("1710000060000,{v},\"unit\":-1.5e-7,\"x\":\"\\\"\""), read),
            (r#"-0,"value":{}"#.to_string(), read),
            (r#"1.5e3,"value":null,"extra":{"namespace":"x","value":[1,2]}"#.to_string(), read),
            (r#""soon","value":{"sum":1}"#.to_string(), read),
            (r#"1710000060000,"value":{"count":1,"sum":2.5,"max":9,"min":1}"#.to_string(), read),
            (r#"1710000060000,"value":{"max":1,"sum":2,"count":3}"#.to_string(), read),
            (r#"1710000060000,"value":{"max":1,"min":0.5,"min":"x","p99":{},"sum":2,"count":3}"#.to_string(), read),
            (r#"1710000060000,"value":{ "max" :1,"min":1e999,"sum":-0.5E-3,"count":12345678901234567890}"#.to_string(), read),
            (r#"1710000060000,"value":{"max":245.56489405085796,"min":8.342976882804658,"sum":13740.380346790822,"count":87.0}"#.to_string(), read),
            (r#"1710000060000,"value":{"max":"1","min":null,"sum":true,"count":[2]}"#.to_string(), read),
            // A member given twice (serde's derive refuses it): in the tail, in `value`.
            (format!("1710000060000,{v},{v}"), bails),
            (format!("1710000060000,{v},\"timestamp\":1"), bails),
            (r#"1710000060000,"value":{"max":1,"min":1,"sum":2,"count":3,"max":4}"#.to_string(), bails),
            (r#"1710000060000,"value":{"max":1,"min":1,"sum":2,"count":3,"count":4}"#.to_string(), bails),
            (r#"1710000060000,"value":{"sum":1,"max":1,"sum":2}"#.to_string(), bails),
            // Escaped keys, a CLI form's key, bad syntax, a number too large for an f64.
            (r#"1710000060000,"v\u0061lue":{"sum":1}"#.to_string(), bails),
            (r#"1710000060000,"value":{"m\u0061x":1}"#.to_string(), bails),
            (r#"1710000060000,"Label":"x""#.to_string(), bails),
            (r#"1710000060000,"value":{"max":1,}"#.to_string(), bails),
            (r#"1710000060000,"value":{"max":01}"#.to_string(), bails),
            (r#"1710000060000,"value":{"max":1,"min":1.}"#.to_string(), bails),
            (r#"1710000060000,"value":{"max":1e999}"#.to_string(), bails),
            (r#"1710000060000,"value":{"max":1},"#.to_string(), bails),
            // An identity member in the tail: here one the prefix has, so given twice.
            (format!("1710000060000,{v},\"region\":\"eu-west-1\""), bails),
            (format!("1710000060000,{v},\"dimensions\":{{\"StreamName\":\"t\"}}"), bails),
        ];
        // And one the prefix lacks: the record is read again, whole (and counted in eu-west-1).
        let no_region = |l: String| l.replace(r#""region":"us-east-1","#, "");
        let cases = cases.into_iter().map(|(t, w)| (t, w, false)).chain([
            (
                format!("1710000060000,{v},\"region\":\"eu-west-1\""),
                whole,
                true,
            ),
            (
                format!("1710000060000,\"region\":\"eu-west-1\",{v}"),
                whole,
                true,
            ),
            (
                format!("1710000060000,{v},\"region\":\"a\",\"region\":\"b\""),
                bails,
                true,
            ),
        ]);
        for (tail, want, drop_region) in cases {
            let (mut good, mut odd) = (good.clone(), line("IncomingBytes", &tail));
            if drop_region {
                (good, odd) = (no_region(good), no_region(odd));
            }
            let text = format!("{good}\n{odd}\n{good}");
            compare_with_serde(&text).unwrap_or_else(|e| panic!("{e}"));
            compare_reader(&text);
            assert_eq!(hits(&text), want, "{text}");
        }
    }

    #[test]
    fn prefixes_that_cannot_be_cached_never_hit() {
        let v = r#""value":{"sum":3.0,"count":2.0,"max":2.0}"#;
        let texts = [
            // The value before the timestamp: the prefix would hide it.
            format!(
                r#"{{"namespace":"AWS/Kinesis","metric_name":"m",{v},"dimensions":{{"StreamName":"s"}},"timestamp":1710000000000}}"#
            ),
            // No timestamp: the search finds the next record's.
            r#"{"namespace":"AWS/Kinesis","metric_name":"m","dimensions":{"StreamName":"s"}}"#
                .to_string(),
            // Identity members after the timestamp.
            format!(
                r#"{{"namespace":"AWS/Kinesis","timestamp":1710000000000,"metric_name":"m","dimensions":{{"StreamName":"s"}},{v}}}"#
            ),
        ];
        for t in &texts {
            let (text, hits) = thrice_then_a_line(t);
            assert_eq!(hits, [0, 1], "{text}");
        }
    }

    #[test]
    fn prefixes_holding_timestamp_before_the_key_are_kept_by_the_full_read() {
        // `"timestamp"` as a dimension's value, a dimension's key, inside a string: the
        // search finds it before the key, but the record read whole says where its prefix
        // ends, and the records after it are looked up from there (the search starts at the
        // shortest prefix kept).
        let v = r#""value":{"sum":3.0,"count":2.0,"max":2.0}"#;
        let texts = [
            format!(
                r#"{{"namespace":"AWS/Kinesis","metric_name":"m","dimensions":{{"StreamName":"timestamp"}},"timestamp":1710000000000,{v}}}"#
            ),
            format!(
                r#"{{"namespace":"AWS/Kinesis","metric_name":"m","dimensions":{{"StreamName":"s","timestamp":"x"}},"timestamp":1710000000000,{v}}}"#
            ),
            format!(
                r#"{{"namespace":"AWS/Kinesis","metric_name":"\"timestamp","dimensions":{{"StreamName":"s"}},"timestamp":1710000000000,{v}}}"#
            ),
        ];
        for t in &texts {
            let (text, hits) = thrice_then_a_line(t);
            assert_eq!(hits, [2, 4], "{text}");
        }
        // A shorter prefix first: the search starts before the `"timestamp"` inside the
        // longer one, finds that, misses, and the record read whole is not kept twice.
        let short =
            r#"{"namespace":"AWS/Kinesis","metric_name":"m","timestamp":1710000000000,"value":{}}"#;
        let text = format!("{short}\n{t}\n{t}\n{t}\n{short}", t = texts[0]);
        compare_with_serde(&text).unwrap_or_else(|e| panic!("{e}"));
        compare_reader(&text);
        let mut cache = PrefixCache::default();
        let known = known(&text, &mut cache);
        assert_eq!((known, cache.len()), (1, 2), "{text}");
    }

    #[test]
    fn records_without_an_account_take_each_files_path_account() {
        use crate::diag::FileReport;
        use crate::metrics::parse::MetricsReader;
        use crate::metrics::{MetricsCube, Query, key};
        use crate::window::Window;
        let text = (0..3)
            .map(|i| {
                format!(
                    r#"{{"region":"eu-west-1","namespace":"AWS/Kinesis","metric_name":"IncomingBytes","dimensions":{{"StreamName":"s"}},"timestamp":{},"value":{{"sum":{i}.5,"count":1.0,"max":{i}.5}}}}"#,
                    1_710_000_000_000i64 + i * 60_000
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        let query = Query::new(Window::default(), 60_000);
        let reader = MetricsReader {
            query: &query,
            queries: None,
            statistics_series: None,
        };
        let mut cube = MetricsCube::default();
        for name in ["a/AWSLogs/111122223333/x", "a/AWSLogs/444455556666/x", "b"] {
            let mut report = FileReport::new(name.into());
            reader.read_with(&mut cube, &text, &mut report, true);
            assert_eq!(report.records, 3, "{name}");
        }
        // Each file's three datapoints in its own series: 0.5 + 1.5 + 2.5.
        let mut sums: Vec<(String, Option<f64>)> = cube
            .series()
            .map(|(k, b)| {
                let total = b
                    .iter()
                    .filter_map(|(_, a)| a.stat(crate::metrics::Stat::Sum));
                (k[key::ACCOUNT].to_string(), Some(total.sum()))
            })
            .collect();
        sums.sort_by(|x, y| x.0.cmp(&y.0));
        let want = ["", "111122223333", "444455556666"].map(|a| (a.to_string(), Some(4.5)));
        assert_eq!(sums, want);
    }

    #[test]
    fn the_prefix_cache_stays_bounded() {
        let mut cache = PrefixCache::<u32>::default();
        let prefix = |i: usize| format!(r#""metric_name":"m{i}","#);
        for i in 0..MAX_ENTRIES {
            let p = prefix(i);
            cache.insert(cache.hash(p.as_bytes()), p.as_bytes(), i as u32);
        }
        assert_eq!(cache.len(), MAX_ENTRIES);
        let p = prefix(0);
        assert_eq!(cache.get(cache.hash(p.as_bytes()), p.as_bytes()), Some(0));
        // Full: emptied, then it holds what came next.
        let p = prefix(MAX_ENTRIES);
        cache.insert(cache.hash(p.as_bytes()), p.as_bytes(), 7);
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.get(cache.hash(p.as_bytes()), p.as_bytes()), Some(7));
        let p = prefix(0);
        assert_eq!(cache.get(cache.hash(p.as_bytes()), p.as_bytes()), None);
        // And by bytes.
        let big = vec![b'x'; MAX_PREFIX];
        for i in 0..MAX_BYTES / MAX_PREFIX + 1 {
            let mut p = big.clone();
            p[..8].copy_from_slice(&(i as u64).to_le_bytes());
            cache.insert(cache.hash(&p), &p, 0);
            assert!(cache.bytes.len() <= MAX_BYTES);
        }
        // The small prefix and 4095 big ones fit; the next emptied it, and one more followed.
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn a_hint_names_the_prefix_last_kept_in_its_slot() {
        let mut cache = PrefixCache::<u32>::default();
        let mut last = std::collections::HashMap::new();
        for i in 0..3000u32 {
            let p = format!(r#""metric_name":"m{i}","#);
            let h = cache.hash(p.as_bytes());
            let start = cache.bytes.len();
            cache.insert(h, p.as_bytes(), i);
            last.insert(hint_slot(h), (start, p));
        }
        // 3,000 prefixes in 4,096 slots: some share one, and the later is named.
        assert!(last.len() < 3000);
        for (s, (start, p)) in &last {
            let at = cache.hints[*s] as usize;
            assert_eq!((at, &cache.bytes[at..at + p.len()]), (*start, p.as_bytes()));
        }
    }

    /// Damaged documents: the fast path may only accept what serde reads the same way.
    #[test]
    fn mutations_never_make_the_paths_differ() {
        let doc = format!(
            "{RECORD}\n{}\n{RECORD}",
            r#"{"namespace":"AWS/Kinesis","metric_name":"SubscribeToShardEvent.MillisBehindLatest","dimensions":{"StreamName":"a\"b","ConsumerName":"app"},"timestamp":1710000060000,"value":{"sum":-12.75,"count":4,"max":9}}"#
        );
        let bytes = doc.as_bytes();
        const PIECES: [&str; 18] = [
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"",
            "\\",
            "0",
            "-",
            "e",
            "1e999",
            " ",
            "\u{1}",
            "null",
            "\"sum\":",
            "\"namespace\":",
            "-0",
        ];
        let (mut whole, mut partly, mut tried) = (0, 0, 0);
        for text in crate::input::scan::mutations(bytes, &PIECES, 20_000) {
            let text = text.as_str();
            tried += 1;
            match fast_values(text) {
                3.. => whole += 1,
                1..=2 => partly += 1,
                0 => {}
            }
        }
        // Many mutations land in skipped members and stay valid; every kind must occur.
        assert!(
            whole > 1000 && partly > 1000 && whole + partly < tried,
            "{whole} whole, {partly} partly, of {tried}"
        );
    }
}
