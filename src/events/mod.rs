//! The Events dashboard's data: which CloudTrail records count (Kinesis only, in the window,
//! through the filters) and the aggregate, [`EventsAgg`], the panels are built from.
//!
//! Each panel has its own grouping, keyed only by the fields it shows (the `GROUP BY` a SQL
//! rendering of the panel would use), and a pass counts only the groupings of the selected
//! panels: one table keyed by every field would grow with the product of their cardinalities
//! (on a trail of realistic cardinality, many times the rows of any panel). The groupings the
//! api-calls grouping contains (`[name]`, `[user, name]`, `[region, name]`, `[address]`) are
//! summed from it after the pass when it is counted, instead of being counted record by record.

pub mod dedup;

use std::collections::HashMap;
use std::sync::Arc;

use std::hash::{BuildHasher, Hasher};

use foldhash::fast::RandomState;
use hashbrown::HashTable;

use crate::cloudtrail::reader::RecordQuery;
use crate::cloudtrail::{Field, Kind, PERSON_TYPES, Record, Skip, kind};
use crate::filter::{Matcher, StreamFilter};
use crate::group::{Interner, Strings};
use crate::pipeline::Merge;
use crate::window::{Millis, Window, bucket_start, union_range, widen_range};

/// The filters the dashboard offers as template variables.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// `--event-name`.
    pub event_name: Matcher,
    /// `--user` (the derived user).
    pub user: Matcher,
    /// `--source-ip`.
    pub source_ip: Matcher,
    /// `--region`.
    pub region: Matcher,
    /// `--stream`: names, globs and stream ARNs (checked against the account below and the
    /// region).
    pub stream: StreamFilter,
    /// `--account`: `recipientAccountId`, else the account in the file's S3 key.
    pub account: Matcher,
}

/// What to count.
#[derive(Debug, Clone)]
pub struct Query {
    /// Only events in this window count.
    pub window: Window,
    /// Only events through these filters count.
    pub filters: Filters,
    /// Width of the over-time buckets.
    pub bucket: Millis,
    /// Only find the time range of the Kinesis events (the first pass of `--relative-to
    /// latest`); nothing is grouped.
    pub scan_only: bool,
    /// With `--dedup`: the event IDs already counted, shared by all threads.
    pub dedup: Option<Arc<dedup::SeenIds>>,
    /// The groupings to count (those of the selected panels).
    pub groupings: Groupings,
}

/// The groupings a pass counts, one per panel, each named by its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Groupings {
    /// `[event name]` (events).
    pub by_name: bool,
    /// `[event name]` to counts per bucket start (events over time).
    pub over_time: bool,
    /// `[region, user, event name, source address]` (api-calls).
    pub calls: bool,
    /// `[user, event name]` (by-user).
    pub by_user: bool,
    /// `[region, event name]` (by-region).
    pub by_region: bool,
    /// `[error code, error message, event name, user, source address]`, of calls with an
    /// error code only (errors).
    pub errors: bool,
    /// `[user]`, of identities of the [`PERSON_TYPES`] only (top-users).
    pub person_users: bool,
    /// `[source address]` (locations).
    pub by_ip: bool,
}

impl Groupings {
    /// Every grouping.
    pub const ALL: Groupings = Groupings {
        by_name: true,
        over_time: true,
        calls: true,
        by_user: true,
        by_region: true,
        errors: true,
        person_users: true,
        by_ip: true,
    };

    /// The groupings counted record by record: those `calls` contains are summed from it after
    /// the pass when it is counted.
    #[inline]
    fn counted(self) -> Groupings {
        if self.calls {
            Groupings {
                by_name: false,
                by_user: false,
                by_region: false,
                by_ip: false,
                ..self
            }
        } else {
            self
        }
    }
}

impl Query {
    /// Every Kinesis event in `window`, no filters, no dedup, over-time buckets of `bucket`,
    /// every grouping.
    pub fn new(window: Window, bucket: Millis) -> Self {
        Query {
            window,
            filters: Filters::default(),
            bucket,
            scan_only: false,
            dedup: None,
            groupings: Groupings::ALL,
        }
    }
}

/// Counts over all records read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct EventCounts {
    /// Records read, of any service.
    pub records: u64,
    /// Kinesis Data Streams events (before window and filters).
    pub kinesis: u64,
    /// Events of other services (read and ignored).
    pub other_services: u64,
    /// CloudTrail Insights events (ignored).
    pub insights: u64,
    /// Records skipped as malformed: no `eventSource`, or a Kinesis event without a valid
    /// `eventTime` or `eventName`.
    pub malformed: u64,
    /// Kinesis events in the window and through the filters: what the panels count.
    pub matched: u64,
    /// Events left out by `--dedup` because their `eventID` was already counted.
    pub duplicates: u64,
    /// With `--dedup`: counted events without an `eventID`, which could not be checked.
    pub unchecked: u64,
    /// Accounts of the Kinesis events, before window and filters.
    pub accounts: crate::account::Accounts,
    /// Time range of all Kinesis events.
    pub kinesis_range: Option<(Millis, Millis)>,
    /// Time range of the matched events.
    pub matched_range: Option<(Millis, Millis)>,
}

impl Merge for EventCounts {
    fn merge(&mut self, o: Self) {
        self.records += o.records;
        self.kinesis += o.kinesis;
        self.other_services += o.other_services;
        self.insights += o.insights;
        self.malformed += o.malformed;
        self.matched += o.matched;
        self.duplicates += o.duplicates;
        self.unchecked += o.unchecked;
        self.accounts.merge(o.accounts);
        self.kinesis_range = union_range(self.kinesis_range, o.kinesis_range);
        self.matched_range = union_range(self.matched_range, o.matched_range);
    }
}

/// Counts per bucket start.
pub type BucketCounts = HashMap<Millis, u64, RandomState>;

/// Counts at `[N]` symbols.
type SymCounts<const N: usize> = HashMap<Syms<N>, u64, RandomState>;

/// A grouping's key: a symbol of each of its `N` fields. Hashed as whole 128-bit words, four
/// symbols to a word (one multiply for a key of up to four), not as a slice of bytes with its
/// length (the derived hash of an array: a length, a byte hash and a final multiply).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Syms<const N: usize>([u32; N]);

impl<const N: usize> std::hash::Hash for Syms<N> {
    #[inline]
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        for word in self.0.chunks(4) {
            h.write_u128(
                word.iter()
                    .rev()
                    .fold(0u128, |w, &s| (w << 32) | u128::from(s)),
            );
        }
    }
}

/// An over-time key: an event name symbol and a bucket start, hashed as one 128-bit word (one
/// multiply).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NameAt(u32, Millis);

impl std::hash::Hash for NameAt {
    #[inline]
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        h.write_u128((u128::from(self.1 as u64) << 32) | u128::from(self.0));
    }
}

/// The api-calls grouping, `[region, user, name, address]`: each group's key and count, found
/// by a record's own strings. A group is hashed from its four strings' hashes (each interner's,
/// the same for a string whatever its symbol), so a record that belongs to a group already
/// counted (nearly every one: 61,590 groups of 871,168 calls on the realistic corpus) is found
/// with one lookup here and a comparison of its three strings with the group's, instead of
/// three interner lookups, each a chain of loads (control bytes, slot, stored string, its
/// bytes), and then a lookup of the symbols. Only a new group's strings are interned.
///
/// The groups are kept in one table per region: a file holds one region's records, and files
/// are read in path order (account, then region), so the groups a run of files counts into are
/// those of one small table that stays in the core's cache, not scattered through one table
/// of every group (on the realistic corpus, one of 3 MB where a record's slot was most often
/// a cache miss; its largest region's is a quarter of that).
#[derive(Debug, Clone, Default)]
struct Calls {
    /// At each region symbol, the groups of that region.
    tables: Vec<HashTable<(Syms<4>, u64)>>,
    state: RandomState,
}

/// The hash, under `state`, of the api-calls group whose strings' hashes are `h` (region,
/// name, user, address).
#[inline]
fn group_hash(state: &RandomState, [r, n, u, a]: [u64; 4]) -> u64 {
    let mut h = state.build_hasher();
    h.write_u128((u128::from(r) << 64) | u128::from(n));
    h.write_u128((u128::from(u) << 64) | u128::from(a));
    h.finish()
}

/// [`group_hash`] of group `k`, its symbols those of `interners` (region, user, name,
/// address).
#[inline]
fn group_hash_of(state: &RandomState, k: &Syms<4>, interners: [&Interner; 4]) -> u64 {
    let Syms([r, u, n, a]) = *k;
    let [regions, users, names, ips] = interners;
    group_hash(
        state,
        [
            regions.hash_of(r),
            names.hash_of(n),
            users.hash_of(u),
            ips.hash_of(a),
        ],
    )
}

impl Calls {
    /// Counts a call of `[name, user, address]` in the region of symbol `reg` (of `regions`);
    /// their symbols in `[names, users, addresses]`, interned there when the group is new.
    #[inline]
    fn count(
        &mut self,
        regions: &Interner,
        [names, users, ips]: [&mut Interner; 3],
        reg: u32,
        [name, user, ip]: [&str; 3],
    ) -> [u32; 3] {
        let hashes = [
            regions.hash_of(reg),
            names.hash(name),
            users.hash(user),
            ips.hash(ip),
        ];
        let Calls { tables, state } = self;
        let hash = group_hash(state, hashes);
        let table = region_table(tables, reg);
        let found = table.find_mut(hash, |(Syms([r, u, n, a]), _)| {
            *r == reg && names.holds(*n, name) && users.holds(*u, user) && ips.holds(*a, ip)
        });
        if let Some((Syms([_, u, n, a]), count)) = found {
            *count += 1;
            return [*n, *u, *a];
        }
        let n = names.intern_hashed(name, hashes[1]);
        let u = users.intern_hashed(user, hashes[2]);
        let a = ips.intern_hashed(ip, hashes[3]);
        let interners = [regions, &*users, &*names, &*ips];
        table.insert_unique(hash, (Syms([reg, u, n, a]), 1), |(k, _)| {
            group_hash_of(state, k, interners)
        });
        [n, u, a]
    }

    /// Adds the counts of `from`, its keys mapped by `map` to symbols of `interners`; as
    /// [`absorb`] does, the groups already here first.
    fn absorb(&mut self, from: Calls, map: impl Fn(Syms<4>) -> Syms<4>, interners: [&Interner; 4]) {
        let Calls { tables, state } = self;
        let hash = |k: &Syms<4>| group_hash_of(state, k, interners);
        for mut from in from.tables {
            // Every group of `from` is of one region: the first says which it is here.
            let Some(&(first, _)) = from.iter().next() else {
                continue;
            };
            let table = region_table(tables, map(first).0[0]);
            from.retain(|(k, n)| {
                let k = map(*k);
                match table.find_mut(hash(&k), |(x, _)| *x == k) {
                    Some((_, count)) => {
                        *count += *n;
                        false
                    }
                    None => true,
                }
            });
            table.reserve(from.len(), |(k, _)| hash(k));
            for (k, n) in from {
                let k = map(k);
                table.insert_unique(hash(&k), (k, n), |(k, _)| hash(k));
            }
        }
    }

    /// Every group, of every region.
    fn groups(&self) -> impl Iterator<Item = &(Syms<4>, u64)> {
        Counted {
            inner: self.tables.iter().flatten(),
            left: self.tables.iter().map(HashTable::len).sum(),
        }
    }

    fn is_empty(&self) -> bool {
        self.tables.iter().all(HashTable::is_empty)
    }
}

/// The table of region symbol `reg`'s groups, made if there is none yet.
#[inline]
fn region_table(
    tables: &mut Vec<HashTable<(Syms<4>, u64)>>,
    reg: u32,
) -> &mut HashTable<(Syms<4>, u64)> {
    let i = reg as usize;
    if i >= tables.len() {
        tables.resize_with(i + 1, HashTable::new);
    }
    &mut tables[i]
}

/// An iterator that knows how many items it has left (a flattened one does not), so that the
/// rows collected from it are allocated once.
struct Counted<I> {
    inner: I,
    left: usize,
}

impl<I: Iterator> Iterator for Counted<I> {
    type Item = I::Item;

    #[inline]
    fn next(&mut self) -> Option<I::Item> {
        let item = self.inner.next()?;
        self.left -= 1;
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

/// Counts at each event name symbol in each over-time bucket. One map keyed by both, so memory
/// is one entry per pair counted whatever the input (a vector of names per bucket grew with
/// buckets × names: 2 GB for 20,000 made-up event names over 20,000 hours). The bucket of the
/// record before is remembered, with its counts by name in a vector (a file's records come from
/// a few minutes, so most records add to it: an index, not a hash and a lookup); they go into
/// the map when a record of another bucket comes, or before the map is read. Memory is one
/// vector of names, however many buckets.
#[derive(Debug, Default, Clone)]
struct OverTime {
    counts: HashMap<NameAt, u64, RandomState>,
    /// The bucket counted in last: its start.
    last: Option<Millis>,
    /// Counts in bucket `last` at each name symbol, not in `counts` yet.
    row: Vec<u64>,
    /// The names with a count in `row`.
    in_row: Vec<u32>,
}

impl OverTime {
    /// Adds `n` at `name` in the bucket of width `width` holding `t`.
    #[inline(always)]
    fn add(&mut self, name: u32, t: Millis, width: Millis, n: u64) {
        match self.last {
            // `t - start` cannot overflow: both are in the years 1970 to 9999.
            Some(start) if t >= start && t - start < width => {
                if let Some(count) = self.row.get_mut(name as usize)
                    && *count > 0
                {
                    *count += n;
                    return;
                }
            }
            _ => self.start_bucket(t, width),
        }
        self.add_new(name, n);
    }

    /// The row is of the bucket of width `width` holding `t` from now on.
    #[cold]
    #[inline(never)]
    fn start_bucket(&mut self, t: Millis, width: Millis) {
        self.settle();
        self.last = Some(bucket_start(t, width));
    }

    /// Adds `n` at `name`, which has no count in the row yet.
    #[inline(never)]
    fn add_new(&mut self, name: u32, n: u64) {
        let i = name as usize;
        if i >= self.row.len() {
            self.row.resize(i + 1, 0);
        }
        if self.row[i] == 0 {
            self.in_row.push(name);
        }
        self.row[i] += n;
    }

    /// Moves the counts of the last bucket's row into the map.
    fn settle(&mut self) {
        let Some(start) = self.last else { return };
        for name in self.in_row.drain(..) {
            let n = std::mem::take(&mut self.row[name as usize]);
            if n > 0 {
                *self.counts.entry(NameAt(name, start)).or_default() += n;
            }
        }
    }

    /// Every count, those of the map and those of the last bucket's row (a `(name, bucket
    /// start)` can be in both).
    fn each(&self) -> impl Iterator<Item = (NameAt, u64)> + '_ {
        let row = self.last.map(|start| {
            self.in_row
                .iter()
                .map(move |&name| (NameAt(name, start), self.row[name as usize]))
        });
        self.counts
            .iter()
            .map(|(&k, &n)| (k, n))
            .chain(row.into_iter().flatten())
            .filter(|&(_, n)| n > 0)
    }

    /// Adds the counts of `o`, its name symbols mapped by `names`.
    fn absorb(&mut self, mut o: OverTime, names: &[u32]) {
        self.settle();
        o.settle();
        absorb(&mut self.counts, o.counts, |NameAt(name, t)| {
            NameAt(names[name as usize], t)
        });
    }
}

/// The aggregate of the Events dashboard: the counts, and one grouping per selected panel.
///
/// Field values are interned per thread (each distinct region, user, event name and address
/// numbered once, [`Interner`]), so the groupings are keyed by small integers: a record costs
/// at most one string lookup per field instead of one per field per grouping (with api-calls
/// counted, one lookup of its group by the record's strings), and a value is stored
/// once however many groups hold it. A merge maps the other thread's numbers to these; the
/// strings are looked at again only to sort the rows. Error codes and messages are interned
/// too (a trail of realistic cardinality has tens of thousands of distinct messages, and a
/// merge of groups keyed by five strings was most of the time after the read).
#[derive(Debug, Default, Clone)]
pub struct EventsAgg {
    /// Counts over everything read.
    pub counts: EventCounts,
    regions: Interner,
    users: Interner,
    names: Interner,
    ips: Interner,
    codes: Interner,
    messages: Interner,
    /// At each event name symbol.
    by_name: Vec<u64>,
    /// `[name, bucket start]`.
    over_time: OverTime,
    /// `[region, user, name, address]`.
    calls: Calls,
    /// `[user, name]`.
    by_user: SymCounts<2>,
    /// `[region, name]`.
    by_region: SymCounts<2>,
    /// `[error code, error message, name, user, address]` of the calls with an error code.
    errors: SymCounts<5>,
    /// At each user symbol.
    person_users: Vec<u64>,
    /// At each address symbol.
    by_ip: Vec<u64>,
    /// Where the user of a record is written when it is not a string of the record (an Identity
    /// Center user, [`Record::user_in`]): one buffer, not an allocation a record.
    scratch: String,
}

/// Adds `n` at `i`, growing `v` as needed.
#[inline(always)]
fn bump(v: &mut Vec<u64>, i: u32, n: u64) {
    match v.get_mut(i as usize) {
        Some(count) => *count += n,
        None => bump_new(v, i, n),
    }
}

/// [`bump`] at an `i` past the end of `v`.
#[cold]
#[inline(never)]
fn bump_new(v: &mut Vec<u64>, i: u32, n: u64) {
    v.resize(i as usize + 1, 0);
    v[i as usize] += n;
}

/// Adds the counts of `from`, its keys mapped by `map`.
///
/// The groups already here are counted first, so that room is made for exactly the new ones:
/// where both threads saw every group (a trail read twice over), the table does not grow, and
/// one sized for all of `from`'s groups would stay twice too big to the end of the run.
fn absorb<K: std::hash::Hash + Eq, L: Copy>(
    into: &mut HashMap<K, u64, RandomState>,
    mut from: HashMap<L, u64, RandomState>,
    map: impl Fn(L) -> K,
) {
    from.retain(|&k, &mut n| match into.get_mut(&map(k)) {
        Some(count) => {
            *count += n;
            false
        }
        None => true,
    });
    into.reserve(from.len());
    for (k, n) in from {
        into.insert(map(k), n);
    }
}

impl EventsAgg {
    /// An empty aggregate whose error codes and messages are stored in the [`Strings`] of the
    /// aggregates made at the same time (the other threads' of a pass), so that a value every
    /// thread saw is stored once, not once a thread. Only those: messages are most of the
    /// strings' bytes (tens of thousands of ~170 bytes on a realistic trail), and sharing the
    /// addresses too takes the store's lock at every new one (872,793 on the stress corpus)
    /// for under 1 MiB of memory (four copies of the realistic corpus: 40.5 MiB sharing every
    /// field, 41.2 sharing these two; median peak RSS).
    pub fn sharing_strings() -> Self {
        let shared = Strings::current();
        let interner = || Interner::sharing(&shared);
        EventsAgg {
            codes: interner(),
            messages: interner(),
            ..EventsAgg::default()
        }
    }
}

impl Merge for EventsAgg {
    /// The interners are absorbed side by side, then the groupings (on the rayon pool: the
    /// merge runs after the read, while the other threads would wait).
    fn merge(&mut self, o: Self) {
        let EventsAgg {
            counts,
            regions,
            users,
            names,
            ips,
            codes,
            messages,
            by_name,
            over_time,
            calls,
            by_user,
            by_region,
            errors,
            person_users,
            by_ip,
            scratch: _,
        } = self;
        let ((region_map, user_map), ((name_map, ip_map), (codes, messages))) = rayon::join(
            || rayon::join(|| regions.absorb(&o.regions), || users.absorb(&o.users)),
            || {
                rayon::join(
                    || rayon::join(|| names.absorb(&o.names), || ips.absorb(&o.ips)),
                    || rayon::join(|| codes.absorb(&o.codes), || messages.absorb(&o.messages)),
                )
            },
        );
        let interners = [&*regions, &*users, &*names, &*ips];
        let (regions, users, names, ips) = (region_map, user_map, name_map, ip_map);
        let at = |v: &[u32], i: u32| v[i as usize];
        let (regions, users, names, ips) = (&regions, &users, &names, &ips);
        rayon::scope(|s| {
            s.spawn(|_| {
                absorb(errors, o.errors, |Syms([c, m, name, u, ip])| {
                    Syms([
                        at(&codes, c),
                        at(&messages, m),
                        at(names, name),
                        at(users, u),
                        at(ips, ip),
                    ])
                })
            });
            s.spawn(|_| {
                calls.absorb(
                    o.calls,
                    |Syms([r, u, name, ip])| {
                        Syms([at(regions, r), at(users, u), at(names, name), at(ips, ip)])
                    },
                    interners,
                )
            });
            s.spawn(|_| {
                over_time.absorb(o.over_time, names);
                absorb(by_user, o.by_user, |Syms([u, name])| {
                    Syms([at(users, u), at(names, name)])
                });
                absorb(by_region, o.by_region, |Syms([r, name])| {
                    Syms([at(regions, r), at(names, name)])
                });
                for (i, n) in o.by_name.into_iter().enumerate() {
                    bump(by_name, names[i], n);
                }
                for (i, n) in o.person_users.into_iter().enumerate() {
                    bump(person_users, users[i], n);
                }
                for (i, n) in o.by_ip.into_iter().enumerate() {
                    bump(by_ip, ips[i], n);
                }
            });
        });
        counts.merge(o.counts);
    }

    /// The pass is over: the interners of error codes and messages (the only ones that share,
    /// [`EventsAgg::sharing_strings`]) stop looking new strings up in the store they share with
    /// the other threads', so that its table is freed (with one thread, no merge would have
    /// dropped it).
    fn finish(&mut self) {
        self.codes.unshare();
        self.messages.unshare();
    }
}

/// Rows of a grouping, as they are read: keys and counts, by count descending, then keys
/// ascending. The keys are the interners' own strings, shared, so that the table built from
/// them copies none; they are made as the table takes them, not kept in a list of their own.
pub struct Rows<'a, const N: usize> {
    sorted: Sorted<N>,
    interners: [&'a Interner; N],
    /// The symbol at each rank, of each part (for [`Sorted::Packed`]).
    orders: [&'a [u32]; N],
}

/// The sorted groups of [`Rows`].
enum Sorted<const N: usize> {
    /// One number a group: the count's complement above the key's ranks, packed side by side
    /// in these widths.
    Packed(std::vec::IntoIter<u128>, [u32; N]),
    /// Each group's ranks, symbols and count, for ranks too wide to pack.
    Wide(std::vec::IntoIter<([u32; N], [u32; N], u64)>),
}

impl<const N: usize> Iterator for Rows<'_, N> {
    type Item = ([Arc<str>; N], u64);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let (syms, n) = match &mut self.sorted {
            Sorted::Packed(keys, bits) => {
                let key = keys.next()?;
                let mut packed = key as u64;
                let mut syms = [0; N];
                for j in (0..N).rev() {
                    let rank = packed & ((1 << bits[j]) - 1);
                    syms[j] = self.orders[j][rank as usize];
                    packed >>= bits[j];
                }
                (syms, !((key >> 64) as u64))
            }
            Sorted::Wide(rows) => {
                let (_, syms, n) = rows.next()?;
                (syms, n)
            }
        };
        Some((
            std::array::from_fn(|j| self.interners[j].shared(syms[j])),
            n,
        ))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.sorted {
            Sorted::Packed(keys, _) => keys.size_hint(),
            Sorted::Wide(rows) => rows.size_hint(),
        }
    }
}

impl<const N: usize> ExactSizeIterator for Rows<'_, N> {}

/// Rows of a grouping as codes: each key part's strings that the rows hold, ascending, and each
/// row's code of each part (its string's place among them) and count, in the order of
/// [`Rows`]. A table is made of it without a shared string for each of its cells (a reference
/// count updated for each, where the rows are tens of thousands and their strings a few
/// thousand).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked<const N: usize> {
    /// Of each key part, the distinct strings of the rows, ascending.
    pub strings: [Vec<Arc<str>>; N],
    /// Each row's code of each part (`N` a row): the place of its string in `strings`.
    pub codes: Vec<u32>,
    /// Each row's count.
    pub counts: Vec<u64>,
}

impl<const N: usize> Rows<'_, N> {
    /// The first `limit` rows, as codes.
    pub fn ranked(self, limit: usize) -> Ranked<N> {
        let rows = self.len().min(limit);
        let mut codes = Vec::with_capacity(rows * N);
        let mut counts = Vec::with_capacity(rows);
        // Each part's rank, as the rows are sorted on them.
        match self.sorted {
            Sorted::Packed(keys, bits) => {
                for key in keys.take(rows) {
                    let mut packed = key as u64;
                    let mut ranks = [0; N];
                    for j in (0..N).rev() {
                        ranks[j] = (packed & ((1 << bits[j]) - 1)) as u32;
                        packed >>= bits[j];
                    }
                    codes.extend_from_slice(&ranks);
                    counts.push(!((key >> 64) as u64));
                }
            }
            Sorted::Wide(sorted) => {
                for (ranks, _, n) in sorted.take(rows) {
                    codes.extend_from_slice(&ranks);
                    counts.push(n);
                }
            }
        }
        // At each rank of each part, its code: the ranks the rows hold, numbered in order.
        const UNUSED: u32 = u32::MAX;
        let mut code: [Vec<u32>; N] = self.interners.map(|i| vec![UNUSED; i.len()]);
        for row in codes.chunks_exact(N) {
            for (c, &rank) in code.iter_mut().zip(row) {
                c[rank as usize] = 0;
            }
        }
        let strings = std::array::from_fn(|j| {
            let mut strings = Vec::new();
            for (rank, c) in code[j].iter_mut().enumerate() {
                if *c != UNUSED {
                    *c = strings.len() as u32;
                    strings.push(self.interners[j].shared(self.orders[j][rank]));
                }
            }
            strings
        });
        for row in codes.chunks_exact_mut(N) {
            for (c, rank) in code.iter().zip(row) {
                *rank = c[*rank as usize];
            }
        }
        Ranked {
            strings,
            codes,
            counts,
        }
    }
}

/// `counts` as [`Rows`], the symbols of key part `j` resolved in `interners[j]`. Sorted on
/// the strings' ranks, so the comparisons are of integers: where the ranks of all `N` parts
/// fit in 64 bits side by side (the widest panel of a trail of a million addresses needs
/// under 50), each row is sorted as one 128-bit number, the count's complement above the
/// ranks, and its symbols are read back from the ranks.
fn sorted_rows<'a, const N: usize>(
    counts: impl Iterator<Item = ([u32; N], u64)>,
    interners: [&'a Interner; N],
) -> Rows<'a, N> {
    let ranks = interners.map(Interner::ranks);
    let orders = interners.map(Interner::order);
    // Bits that hold every rank of each part.
    let bits = interners.map(|i| u32::BITS - (i.len().max(1) as u32 - 1).leading_zeros());
    if bits.iter().sum::<u32>() > u64::BITS {
        let mut rows: Vec<([u32; N], [u32; N], u64)> = counts
            .map(|(k, n)| (std::array::from_fn(|j| ranks[j][k[j] as usize]), k, n))
            .collect();
        rows.sort_unstable_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        return Rows {
            sorted: Sorted::Wide(rows.into_iter()),
            interners,
            orders,
        };
    }
    let mut keys: Vec<u128> = counts
        .map(|(k, n)| {
            let mut packed = 0u64;
            for j in 0..N {
                packed = (packed << bits[j]) | u64::from(ranks[j][k[j] as usize]);
            }
            (u128::from(!n) << 64) | u128::from(packed)
        })
        .collect();
    // Distinct groups have distinct ranks: no two keys are equal.
    keys.sort_unstable();
    Rows {
        sorted: Sorted::Packed(keys.into_iter(), bits),
        interners,
        orders,
    }
}

/// The non-zero counts of `v`, keyed by their index.
fn nonzero(v: &[u64]) -> impl Iterator<Item = ([u32; 1], u64)> + '_ {
    v.iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(i, n)| ([i as u32], *n))
}

impl EventsAgg {
    /// Counts one record under `q`; a malformed record is counted as such and refused with
    /// the reason.
    #[inline]
    pub fn add(&mut self, q: &Query, r: &impl Record, path_account: &str) -> Result<(), Skip> {
        // Taken apart, so that the user written into `scratch` is held while the rest counts.
        let EventsAgg {
            counts: c,
            regions,
            users,
            names,
            ips,
            codes,
            messages,
            by_name,
            over_time,
            calls,
            by_user,
            by_region,
            errors,
            person_users,
            by_ip,
            scratch,
        } = self;
        c.records += 1;
        let (t, name) = match kind(r) {
            Ok(Kind::Kinesis { time, name }) => (time, name),
            Ok(Kind::Insight) => {
                c.insights += 1;
                return Ok(());
            }
            Ok(Kind::OtherService) => {
                c.other_services += 1;
                return Ok(());
            }
            Err(skip) => {
                c.malformed += 1;
                return Err(skip);
            }
        };
        c.kinesis += 1;
        widen_range(&mut c.kinesis_range, t);
        let account = crate::account::of(r.field(Field::RecipientAccountId), path_account);
        c.accounts.add(account);
        if q.scan_only || !q.window.contains(t) {
            return Ok(());
        }
        let f = &q.filters;
        // Read once, for the user and for whether it is a person.
        let kind = r.identity_type();
        let user = r.user_in(kind, scratch);
        let (region, ip) = (r.field(Field::AwsRegion), r.field(Field::SourceIp));
        if !(f.event_name.matches(name)
            && f.region.matches(region)
            && f.user.matches(user)
            && f.source_ip.matches(ip)
            && (f.stream.is_any() || {
                // The stream's own account and region where an ARN names it (a call to
                // another account's stream is in the caller's trail), else the record's.
                let (account, region) = r.stream_home().unwrap_or((account, region));
                f.stream.matches(r.stream(), account, region)
            })
            && f.account.matches(account))
        {
            return Ok(());
        }
        if let Some(seen) = &q.dedup {
            let id = r.field(Field::EventId);
            if id.is_empty() {
                c.unchecked += 1;
            } else if !seen.first_time(id) {
                c.duplicates += 1;
                return Ok(());
            }
        }
        c.matched += 1;
        widen_range(&mut c.matched_range, t);
        let g = q.groupings.counted();
        let person = g.person_users && PERSON_TYPES.contains(&kind);
        let code = if g.errors {
            r.field(Field::ErrorCode)
        } else {
            ""
        };
        let error = !code.is_empty();
        let (reg, [n, u, a]) = if g.calls {
            // A file holds one region's records.
            let reg = regions.intern_run(region);
            let found = calls.count(regions, [names, users, ips], reg, [name, user, ip]);
            (reg, found)
        } else {
            let n = if g.by_name || g.over_time || g.by_user || g.by_region || error {
                names.intern(name)
            } else {
                0
            };
            let u = if g.by_user || person || error {
                users.intern(user)
            } else {
                0
            };
            let reg = if g.by_region {
                regions.intern_run(region)
            } else {
                0
            };
            let a = if g.by_ip || error { ips.intern(ip) } else { 0 };
            (reg, [n, u, a])
        };
        if g.by_name {
            bump(by_name, n, 1);
        }
        if g.over_time {
            over_time.add(n, t, q.bucket, 1);
        }
        if g.by_user {
            *by_user.entry(Syms([u, n])).or_default() += 1;
        }
        if g.by_region {
            *by_region.entry(Syms([reg, n])).or_default() += 1;
        }
        if g.by_ip {
            bump(by_ip, a, 1);
        }
        if person {
            bump(person_users, u, 1);
        }
        if error {
            let c = codes.intern(code);
            let m = messages.intern(r.field(Field::ErrorMessage));
            *errors.entry(Syms([c, m, n, u, a])).or_default() += 1;
        }
        Ok(())
    }

    /// Sums `calls` by the key parts `keep` picks.
    fn project<const M: usize>(&self, keep: impl Fn([u32; 4]) -> [u32; M]) -> SymCounts<M> {
        let mut out = SymCounts::default();
        for (k, n) in self.calls.groups() {
            *out.entry(Syms(keep(k.0))).or_default() += n;
        }
        out
    }

    /// Calls by `[event name]`.
    pub fn by_name(&self) -> Rows<'_, 1> {
        if self.by_name.is_empty() && !self.calls.is_empty() {
            let v = self.project(|[_, _, n, _]| [n]);
            sorted_rows(v.into_iter().map(|(k, n)| (k.0, n)), [&self.names])
        } else {
            sorted_rows(nonzero(&self.by_name), [&self.names])
        }
    }

    /// Calls by event name, then bucket start, by name ascending.
    pub fn over_time(&self) -> Vec<(&str, BucketCounts)> {
        let mut by_name: HashMap<u32, BucketCounts, RandomState> = HashMap::default();
        for (NameAt(n, t), c) in self.over_time.each() {
            *by_name.entry(n).or_default().entry(t).or_default() += c;
        }
        let mut series: Vec<(&str, BucketCounts)> = by_name
            .into_iter()
            .map(|(n, counts)| (self.names.get(n), counts))
            .collect();
        series.sort_unstable_by(|a, b| a.0.cmp(b.0));
        series
    }

    /// Calls by `[region, user, event name, source address]`.
    pub fn calls(&self) -> Rows<'_, 4> {
        let interners = [&self.regions, &self.users, &self.names, &self.ips];
        sorted_rows(self.calls.groups().map(|(k, n)| (k.0, *n)), interners)
    }

    /// Calls by `[user, event name]`.
    pub fn by_user(&self) -> Rows<'_, 2> {
        let projected;
        let groups = if self.by_user.is_empty() {
            projected = self.project(|[_, u, n, _]| [u, n]);
            &projected
        } else {
            &self.by_user
        };
        sorted_rows(
            groups.iter().map(|(k, n)| (k.0, *n)),
            [&self.users, &self.names],
        )
    }

    /// Calls by `[region, event name]`.
    pub fn by_region(&self) -> Rows<'_, 2> {
        let projected;
        let groups = if self.by_region.is_empty() {
            projected = self.project(|[r, _, n, _]| [r, n]);
            &projected
        } else {
            &self.by_region
        };
        sorted_rows(
            groups.iter().map(|(k, n)| (k.0, *n)),
            [&self.regions, &self.names],
        )
    }

    /// Calls with an error code by `[error code, error message, event name, user, source
    /// address]`.
    pub fn errors(&self) -> Rows<'_, 5> {
        let interners = [
            &self.codes,
            &self.messages,
            &self.names,
            &self.users,
            &self.ips,
        ];
        sorted_rows(self.errors.iter().map(|(k, n)| (k.0, *n)), interners)
    }

    /// Calls by identities of the [`PERSON_TYPES`], by `[user]`.
    pub fn person_users(&self) -> Rows<'_, 1> {
        sorted_rows(nonzero(&self.person_users), [&self.users])
    }

    /// Calls by `[source address]`, in no particular order.
    pub fn by_ip(&self) -> Vec<(&str, u64)> {
        if self.by_ip.is_empty() {
            self.project(|[_, _, _, a]| [a])
                .into_iter()
                .map(|(Syms([a]), n)| (self.ips.get(a), n))
                .collect()
        } else {
            nonzero(&self.by_ip)
                .map(|([a], n)| (self.ips.get(a), n))
                .collect()
        }
    }
}

impl RecordQuery for Query {
    type Acc = EventsAgg;

    fn new_acc(&self) -> EventsAgg {
        EventsAgg::sharing_strings()
    }

    fn add(
        &self,
        acc: &mut EventsAgg,
        record: &impl Record,
        path_account: &str,
    ) -> Result<(), Skip> {
        acc.add(self, record, path_account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudtrail::parse::parse_record;

    fn query() -> Query {
        Query {
            window: Window::default(),
            filters: Filters::default(),
            bucket: 3_600_000,
            scan_only: false,
            dedup: None,
            groupings: Groupings::ALL,
        }
    }

    fn add_all(q: &Query, recs: &[&str]) -> EventsAgg {
        let mut cube = EventsAgg::default();
        for r in recs {
            let _ = cube.add(q, &parse_record(r).unwrap(), "");
        }
        cube
    }

    /// Rows as the panels define their order, on the strings themselves: count descending,
    /// then the key's strings ascending, part by part.
    fn naive_rows<const N: usize>(
        counts: &[([u32; N], u64)],
        interners: [&Interner; N],
    ) -> Vec<([Arc<str>; N], u64)> {
        let mut rows: Vec<([Arc<str>; N], u64)> = counts
            .iter()
            .map(|(k, n)| (std::array::from_fn(|j| interners[j].shared(k[j])), *n))
            .collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        rows
    }

    /// Distinct random keys over interners of `sizes` strings (with common prefixes, the empty
    /// string and non-ASCII), counts with many ties.
    fn random_groups<const N: usize>(
        sizes: [u32; N],
        groups: usize,
        seed: u64,
    ) -> (Vec<Interner>, Vec<([u32; N], u64)>) {
        let mut x = seed;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let interners: Vec<Interner> = sizes
            .iter()
            .map(|&size| {
                let mut i = Interner::default();
                while (i.len() as u32) < size {
                    let v = next();
                    let s = match v % 5 {
                        0 => String::new(),
                        1 => format!("é{}", v % 97),
                        2 => format!("Rate exceeded for stream s-{} under {}", v % 1000, v % 7),
                        _ => format!("{:x}", v % 100_000),
                    };
                    i.intern(&s);
                }
                i
            })
            .collect();
        let mut seen = std::collections::HashSet::new();
        let mut counts = Vec::new();
        while counts.len() < groups {
            let k: [u32; N] = std::array::from_fn(|j| (next() % u64::from(sizes[j])) as u32);
            if seen.insert(k) {
                let n = if next() % 3 == 0 {
                    1 + next() % 4
                } else {
                    next() % 1_000_000 + 1
                };
                counts.push((k, n));
            }
        }
        (interners, counts)
    }

    #[test]
    fn rows_sort_as_their_strings() {
        // Ranks packed in 64 bits (3 + 15 + 1 + 9 + 14), as many groups as interners allow,
        // and a single group of a single string.
        let (i, c) = random_groups([7, 20_000, 2, 300, 9_000], 20_000, 1);
        let parts = [&i[0], &i[1], &i[2], &i[3], &i[4]];
        assert_eq!(
            sorted_rows(c.iter().copied(), parts).collect::<Vec<_>>(),
            naive_rows(&c, parts)
        );
        let (i, c) = random_groups([3, 5], 15, 2);
        assert_eq!(
            sorted_rows(c.iter().copied(), [&i[0], &i[1]]).collect::<Vec<_>>(),
            naive_rows(&c, [&i[0], &i[1]])
        );
        let (i, c) = random_groups([1], 1, 3);
        assert_eq!(
            sorted_rows(c.iter().copied(), [&i[0]]).collect::<Vec<_>>(),
            naive_rows(&c, [&i[0]])
        );
        // 5 x 14 bits: too wide to pack.
        let (i, c) = random_groups([9_000; 5], 5_000, 4);
        let parts = [&i[0], &i[1], &i[2], &i[3], &i[4]];
        assert_eq!(
            sorted_rows(c.iter().copied(), parts).collect::<Vec<_>>(),
            naive_rows(&c, parts)
        );
        // The rows left are known at every step, both ways.
        for (sizes, seed) in [([7, 20_000, 2, 300, 9_000], 1), ([9_000; 5], 4)] {
            let (i, c) = random_groups(sizes, 3, seed);
            let mut rows = sorted_rows(c.into_iter(), [&i[0], &i[1], &i[2], &i[3], &i[4]]);
            for left in (0..=3).rev() {
                assert_eq!(rows.len(), left);
                assert_eq!(rows.next().is_some(), left > 0);
            }
        }
    }

    /// Counts by `(bucket start, name)`, as the over-time grouping holds them.
    fn by_bucket(o: &OverTime) -> std::collections::BTreeMap<(Millis, u32), u64> {
        let mut out = std::collections::BTreeMap::new();
        assert!(o.counts.values().all(|&n| n > 0), "a count of 0");
        for (NameAt(name, start), n) in o.each() {
            *out.entry((start, name)).or_default() += n;
        }
        out
    }

    /// Each count lands in the bucket holding its time, whether or not the time before was in
    /// the same bucket (the last bucket is remembered), and a merge maps the other's names.
    #[test]
    fn over_time_counts_in_the_bucket_of_each_time() {
        let w = 60_000;
        let mut o = OverTime::default();
        for (name, t) in [
            (0, 120_000),
            (1, 179_999),
            (0, 180_000),
            (2, 0),
            (0, 120_001),
            (1, 59_999),
            (1, 119_999),
        ] {
            o.add(name, t, w, 1);
        }
        let mut other = OverTime::default();
        other.add(0, 180_005, w, 3);
        other.add(1, 240_000, w, 1);
        other.add(0, 59_000, w, 2);
        // The other's name 0 is this one's 1, and its 1 is this one's 0.
        o.absorb(other, &[1, 0]);
        let want = [
            ((0, 1), 3),
            ((0, 2), 1),
            ((60_000, 1), 1),
            ((120_000, 0), 2),
            ((120_000, 1), 1),
            ((180_000, 0), 1),
            ((180_000, 1), 3),
            ((240_000, 0), 1),
        ];
        assert_eq!(by_bucket(&o), want.into_iter().collect());
    }

    /// A grouping absorbing groups it holds adds their counts and grows nothing, even when
    /// full; new groups are inserted with their counts, their keys mapped.
    #[test]
    fn absorb_adds_counts_and_grows_for_new_groups_only() {
        let mut into = SymCounts::<2>::with_capacity_and_hasher(1_000, RandomState::default());
        let n = into.capacity() as u32;
        into.extend((0..n).map(|i| (Syms([i, i % 7]), u64::from(i))));
        assert_eq!(into.capacity(), n as usize);
        // Keys swapped by the map: [i % 7, i] is here as [i, i % 7].
        let from: SymCounts<2> = (0..n).step_by(3).map(|i| (Syms([i % 7, i]), 5)).collect();
        absorb(&mut into, from, |Syms([a, b])| Syms([b, a]));
        assert_eq!((into.len(), into.capacity()), (n as usize, n as usize));
        for i in 0..n {
            let extra = if i % 3 == 0 { 5 } else { 0 };
            assert_eq!(into[&Syms([i, i % 7])], u64::from(i) + extra, "{i}");
        }
        let from: SymCounts<2> = [([1, 1], 2), ([n, 1], 3), ([n + 1, 2], 4)]
            .into_iter()
            .map(|(k, c)| (Syms(k), c))
            .collect();
        absorb(&mut into, from, |k| k);
        assert_eq!(into.len(), n as usize + 2);
        let at = |k| into[&Syms(k)];
        assert_eq!((at([1, 1]), at([n, 1]), at([n + 1, 2])), (3, 3, 4));
    }

    /// Aggregates made together share their error codes' and messages' strings until
    /// `finish`, which they do not after; other fields' strings are their own.
    #[test]
    fn strings_are_shared_until_the_pass_is_finished() {
        let (mut a, mut b) = (EventsAgg::sharing_strings(), EventsAgg::sharing_strings());
        let q = query();
        let stored = |i: &Interner, text: &str| {
            let sym = (0..i.len() as u32).find(|&s| i.get(s) == text);
            i.shared(sym.unwrap())
        };
        let failed = |user: &str| {
            KIN.replace("alice", user).replace(
                r#""eventName""#,
                &format!(
                    r#""errorCode":"LimitExceededException","errorMessage":"no {user}","eventName""#
                ),
            )
        };
        for c in [&mut a, &mut b] {
            c.add(&q, &parse_record(&failed("alice")).unwrap(), "")
                .unwrap();
        }
        assert!(Arc::ptr_eq(
            &stored(&a.messages, "no alice"),
            &stored(&b.messages, "no alice")
        ));
        let code = "LimitExceededException";
        assert!(Arc::ptr_eq(
            &stored(&a.codes, code),
            &stored(&b.codes, code)
        ));
        assert!(!Arc::ptr_eq(
            &stored(&a.users, "alice"),
            &stored(&b.users, "alice")
        ));
        a.finish();
        for c in [&mut a, &mut b] {
            c.add(&q, &parse_record(&failed("bob")).unwrap(), "")
                .unwrap();
        }
        let (x, y) = (stored(&a.messages, "no bob"), stored(&b.messages, "no bob"));
        assert!(!Arc::ptr_eq(&x, &y));
        assert_eq!((&*x, &*y), ("no bob", "no bob"));
    }

    /// A call is counted in the group of its own four strings, found by them however its
    /// strings were seen before (a user that is an address elsewhere, the same call from
    /// another region, a string that is another's prefix), through the table's growth and a
    /// merge of two threads' groups.
    #[test]
    fn calls_are_grouped_by_their_strings() {
        let call = |region: &str, user: &str, name: &str, ip: &str| {
            format!(
                r#"{{"eventTime":"2024-03-09T10:00:00Z","eventSource":"kinesis.amazonaws.com","eventName":"{name}","awsRegion":"{region}","sourceIPAddress":"{ip}","userIdentity":{{"type":"IAMUser","userName":"{user}"}}}}"#
            )
        };
        let lambda = "lambda.amazonaws.com";
        let mut calls = vec![
            ("us-east-2", lambda, "PutRecord", lambda),
            ("us-east-2", "alice", "PutRecord", "1.2.3.4"),
            ("eu-west-1", "alice", "PutRecord", "1.2.3.4"),
            ("us-east-2", "alice", "PutRecords", "1.2.3.4"),
            ("us-east-2", "1.2.3.4", "PutRecord", "alice"),
            ("us-east-2", "alic", "PutRecord", "1.2.3.4"),
            ("us-east-2", "alice", "PutRecord", "1.2.3.4"),
            ("us-east-2", lambda, "PutRecord", lambda),
            ("us-east-2", "alice", "PutRecord", "1.2.3.4"),
        ];
        // 3,000 more groups (the table grows many times), every third called twice.
        let ips: Vec<String> = (0..3_000)
            .map(|i| format!("10.0.{}.{}", i / 256, i % 256))
            .collect();
        for (i, ip) in ips.iter().enumerate() {
            for _ in 0..1 + usize::from(i % 3 == 0) {
                calls.push(("us-west-2", "bob", "GetRecords", ip));
            }
        }
        let q = query();
        let mut one = EventsAgg::default();
        let (mut a, mut b) = (EventsAgg::sharing_strings(), EventsAgg::sharing_strings());
        for (i, &(r, u, n, ip)) in calls.iter().enumerate() {
            let json = call(r, u, n, ip);
            let rec = parse_record(&json).unwrap();
            one.add(&q, &rec, "").unwrap();
            let half = if i % 2 == 0 { &mut a } else { &mut b };
            half.add(&q, &rec, "").unwrap();
        }
        a.merge(b);
        let row = |k: [&str; 4], n: u64| (k.map(Arc::from), n);
        let (mut twice, mut once) = (Vec::new(), Vec::new());
        for (i, ip) in ips.iter().enumerate() {
            if i % 3 == 0 {
                twice.push(ip)
            } else {
                once.push(ip)
            }
        }
        twice.sort();
        once.sort();
        let bob = |ip: &&String, n| row(["us-west-2", "bob", "GetRecords", ip], n);
        let mut want = vec![
            row(["us-east-2", "alice", "PutRecord", "1.2.3.4"], 3),
            row(["us-east-2", lambda, "PutRecord", lambda], 2),
        ];
        want.extend(twice.iter().map(|ip| bob(ip, 2)));
        want.extend([
            row(["eu-west-1", "alice", "PutRecord", "1.2.3.4"], 1),
            row(["us-east-2", "1.2.3.4", "PutRecord", "alice"], 1),
            row(["us-east-2", "alic", "PutRecord", "1.2.3.4"], 1),
            row(["us-east-2", "alice", "PutRecords", "1.2.3.4"], 1),
        ]);
        want.extend(once.iter().map(|ip| bob(ip, 1)));
        assert_eq!(want.len(), 6 + 3_000);
        for got in [one.calls().collect::<Vec<_>>(), a.calls().collect()] {
            assert_eq!(got.len(), want.len());
            for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                assert_eq!(g, w, "row {i}");
            }
        }
        // The other groupings are summed from these groups' symbols.
        let pair = |k: [&str; 2], n: u64| (k.map(Arc::from), n);
        let by_user = [
            pair(["bob", "GetRecords"], 4_000),
            pair(["alice", "PutRecord"], 4),
            pair([lambda, "PutRecord"], 2),
            pair(["1.2.3.4", "PutRecord"], 1),
            pair(["alic", "PutRecord"], 1),
            pair(["alice", "PutRecords"], 1),
        ];
        assert_eq!(a.by_user().collect::<Vec<_>>(), by_user);
    }

    const KIN: &str = r#"{"eventTime":"2024-03-09T10:00:00Z","eventSource":" kinesis.amazonaws.com ","eventName":"PutRecord ","awsRegion":"us-east-2 ","sourceIPAddress":" 1.2.3.4","userIdentity":{"type":"IAMUser","userName":"alice"},"requestParameters":{"streamName":"orders"}}"#;

    #[test]
    fn classifies_records() {
        let recs = [
            KIN,
            r#"{"eventTime":"2024-03-09T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject"}"#,
            r#"{"eventTime":"2024-03-09T10:00:00Z","eventSource":"kinesis.amazonaws.com","eventName":"PutRecord","eventType":"AwsCloudTrailInsight"}"#,
            r#"{"eventSource":"kinesis.amazonaws.com","eventName":"PutRecord"}"#,
            r#"{"eventTime":"yesterday","eventSource":"kinesis.amazonaws.com","eventName":"PutRecord"}"#,
            r#"{"eventTime":"2024-03-09T10:00:00Z","eventSource":"kinesis.amazonaws.com"}"#,
            r#"{"eventTime":"2024-03-09T10:00:00Z"}"#,
        ];
        let cube = add_all(&query(), &recs);
        let c = &cube.counts;
        assert_eq!(
            (
                c.records,
                c.kinesis,
                c.other_services,
                c.insights,
                c.malformed,
                c.matched
            ),
            (7, 1, 1, 1, 4, 1)
        );
        assert_eq!(
            cube.calls().collect::<Vec<_>>(),
            vec![(
                ["us-east-2", "alice", "PutRecord", "1.2.3.4"].map(Arc::from),
                1
            )]
        );
        assert_eq!(
            cube.person_users().collect::<Vec<_>>(),
            vec![(["alice"].map(Arc::from), 1)]
        );
        assert_eq!(cube.errors().len(), 0);
    }

    #[test]
    fn window_and_filters() {
        let at = |t: &str, name: &str| {
            KIN.replace("2024-03-09T10:00:00Z", t)
                .replace("PutRecord ", name)
        };
        let recs = [
            at("2024-03-09T09:59:59Z", "A"),
            at("2024-03-09T10:00:00Z", "A"),
            at("2024-03-09T10:59:59.999Z", "B"),
            at("2024-03-09T11:00:00Z", "A"),
        ];
        let refs: Vec<&str> = recs.iter().map(String::as_str).collect();
        let mut q = query();
        q.window = Window {
            since: Some(1_709_978_400_000),
            until: Some(1_709_982_000_000),
        };
        let cube = add_all(&q, &refs);
        assert_eq!((cube.counts.kinesis, cube.counts.matched), (4, 2));
        assert_eq!(
            cube.counts.kinesis_range,
            Some((1_709_978_399_000, 1_709_982_000_000))
        );
        assert_eq!(
            cube.counts.matched_range,
            Some((1_709_978_400_000, 1_709_981_999_999))
        );
        q.filters.event_name = Matcher::new(&["B".to_string()]).unwrap();
        assert_eq!(add_all(&q, &refs).counts.matched, 1);
        q.filters.event_name = Matcher::default();
        q.filters.stream = StreamFilter::new(&["ord*".to_string()]).unwrap();
        assert_eq!(add_all(&q, &refs).counts.matched, 2);
        q.filters.region = Matcher::new(&["us-west-2".to_string()]).unwrap();
        assert_eq!(add_all(&q, &refs).counts.matched, 0);
    }
}
