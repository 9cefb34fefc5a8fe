//! `Interner`: numbers distinct strings so that groupings can be keyed by small integers. The
//! hasher is seeded per process, so attacker-chosen field values cannot be crafted to collide.
//! Every interner of the process hashes with the same seed and keeps each string's hash, so
//! neither growing a table nor absorbing another thread's interner hashes a string again.

use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

use foldhash::fast::RandomState;
use hashbrown::HashTable;

/// `a == b` for slices of equal length, inline: key parts are short, and a call to `memcmp`
/// per part cost more than the comparison.
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    fn word(s: &[u8], at: usize) -> u64 {
        u64::from_ne_bytes(s[at..at + 8].try_into().unwrap_or_default())
    }
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let mut i = 0;
    while i + 8 <= n {
        if word(a, i) != word(b, i) {
            return false;
        }
        i += 8;
    }
    // The last (overlapping) word covers the tail.
    word(a, n - 8) == word(b, n - 8)
}

/// Distinct strings numbered in the order they were first seen: a grouping keyed by symbols
/// hashes and compares small integers, and each distinct string is stored once however many
/// groups hold it. Each thread numbers its own strings; a merge maps the other's numbers to
/// its own ([`Interner::absorb`]).
#[derive(Clone)]
pub struct Interner {
    table: HashTable<u32>,
    /// Shared, so that table cells hold the string without a copy of their own.
    strings: Vec<Arc<str>>,
    /// `state`'s hash of each string.
    hashes: Vec<u64>,
    state: RandomState,
    /// The symbol [`intern_run`](Interner::intern_run) returned last (`u32::MAX` before).
    last: u32,
    /// [`ranks`](Interner::ranks) and [`order`](Interner::order), once asked for (every panel
    /// that sorts on this field asks; a new string forgets them).
    ranks: OnceLock<Sorted>,
    /// Where a new string is looked for before it is stored ([`Strings`]), if anywhere.
    shared: Option<Arc<Strings>>,
}

/// The strings of every interner that shares it, each stored once: the interners of a pass's
/// threads each number their own strings, but a string two threads saw is one allocation
/// both hold. Without it each thread kept its own copy of every string it saw; on a trail
/// where both threads see every error message (tens of thousands, ~170 bytes each) the copies
/// a merge dropped stayed in the allocator's free lists, resident to the end of the run. Only
/// a thread's first sight of a string looks here (under a lock), never a repeat.
#[derive(Default)]
pub struct Strings {
    /// Each string with its hash (a table that grows places them again by it).
    table: Mutex<HashTable<(u64, Arc<str>)>>,
}

impl Strings {
    /// The store of the interners made now: the one still held by some interner, or a new
    /// one. Unrelated aggregates made at the same time may share one: a shared string is the
    /// same text, so nothing but where it is stored depends on it.
    pub fn current() -> Arc<Strings> {
        static CURRENT: Mutex<Weak<Strings>> = Mutex::new(Weak::new());
        let mut current = CURRENT.lock().unwrap_or_else(PoisonError::into_inner);
        current.upgrade().unwrap_or_else(|| {
            let new = Arc::new(Strings::default());
            *current = Arc::downgrade(&new);
            new
        })
    }

    /// The stored `s`, whose hash is `hash`, stored now if it was not.
    #[cold]
    fn get(&self, s: &str, hash: u64) -> Arc<str> {
        let mut table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = table.entry(
            hash,
            |(h, t)| *h == hash && same_bytes(t.as_bytes(), s.as_bytes()),
            |&(h, _)| h,
        );
        Arc::clone(&entry.or_insert_with(|| (hash, Arc::from(s))).get().1)
    }
}

/// The strings of an [`Interner`] sorted: each symbol's rank, and the symbol at each rank.
#[derive(Clone)]
struct Sorted {
    rank: Vec<u32>,
    order: Vec<u32>,
}

/// The hasher of every interner in the process: one random seed, so that a hash kept by one
/// interner is the hash of the same string in another.
fn shared_state() -> RandomState {
    static STATE: OnceLock<RandomState> = OnceLock::new();
    STATE.get_or_init(RandomState::default).clone()
}

impl Default for Interner {
    fn default() -> Self {
        Interner {
            table: HashTable::new(),
            strings: Vec::new(),
            hashes: Vec::new(),
            state: shared_state(),
            last: u32::MAX,
            ranks: OnceLock::new(),
            shared: None,
        }
    }
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.strings).finish()
    }
}

impl Interner {
    /// An interner whose new strings are looked for in `shared` first, and stored there.
    pub fn sharing(shared: &Arc<Strings>) -> Self {
        Interner {
            shared: Some(Arc::clone(shared)),
            ..Interner::default()
        }
    }

    /// Stops looking new strings up in a shared store (those held stay shared): once no
    /// interner holds it, the store's table is freed.
    pub fn unshare(&mut self) {
        self.shared = None;
    }

    /// The symbol of `s`, numbered the first time it is seen (the string then stored is the
    /// shared store's, or a copy of its own).
    #[inline]
    pub fn intern(&mut self, s: &str) -> u32 {
        self.intern_hashed(s, self.hash(s))
    }

    /// The hash this interner (and every other: they share one seed) keeps for `s`: the
    /// string's bytes alone, without the end marker `Hash for str` appends (a second multiply,
    /// and nothing here hashes strings one after another into one hasher).
    #[inline]
    pub fn hash(&self, s: &str) -> u64 {
        let mut h = self.state.build_hasher();
        h.write(s.as_bytes());
        h.finish()
    }

    /// The hash of symbol `i`'s string ([`hash`](Interner::hash)).
    #[inline]
    pub fn hash_of(&self, i: u32) -> u64 {
        self.hashes[i as usize]
    }

    /// [`intern`](Interner::intern) of `s`, whose [`hash`](Interner::hash) is `hash`.
    #[inline]
    pub fn intern_hashed(&mut self, s: &str, hash: u64) -> u32 {
        // Looked up first, then inserted when new: most strings are found, and a lookup alone
        // neither checks for room nor looks for a free slot as it probes.
        if let Some(i) = self.find(s, hash) {
            return i;
        }
        let stored = match &self.shared {
            Some(shared) => shared.get(s, hash),
            None => s.into(),
        };
        self.push(stored, hash)
    }

    /// The symbol of `s`, whose hash is `hash`, if it is here.
    #[inline]
    fn find(&self, s: &str, hash: u64) -> Option<u32> {
        let strings = &self.strings;
        self.table
            .find(hash, |&i| {
                same_bytes(strings[i as usize].as_bytes(), s.as_bytes())
            })
            .copied()
    }

    /// Numbers `s`, whose hash is `hash` and which is not here yet.
    #[inline]
    fn push(&mut self, s: Arc<str>, hash: u64) -> u32 {
        let i = self.strings.len() as u32;
        let hashes = &self.hashes;
        self.table.insert_unique(hash, i, |&i| hashes[i as usize]);
        self.strings.push(s);
        self.hashes.push(hash);
        self.ranks.take();
        i
    }

    /// [`intern`](Self::intern) for a field whose values come in runs (a CloudTrail file holds
    /// the records of one region): the string this returned last is compared first, and a
    /// string equal to it is not hashed or looked up.
    #[inline(always)]
    pub fn intern_run(&mut self, s: &str) -> u32 {
        if let Some(last) = self.strings.get(self.last as usize)
            && same_bytes(last.as_bytes(), s.as_bytes())
        {
            return self.last;
        }
        self.intern_new_run(s)
    }

    /// [`intern_run`](Self::intern_run) of a string other than the last.
    #[cold]
    #[inline(never)]
    fn intern_new_run(&mut self, s: &str) -> u32 {
        self.last = self.intern(s);
        self.last
    }

    /// True when symbol `i`'s string is `s`.
    #[inline]
    pub fn holds(&self, i: u32, s: &str) -> bool {
        same_bytes(self.strings[i as usize].as_bytes(), s.as_bytes())
    }

    /// The string of symbol `i`.
    #[inline]
    pub fn get(&self, i: u32) -> &str {
        &self.strings[i as usize]
    }

    /// The string of symbol `i`, shared (a table cell holds it without copying it).
    #[inline]
    pub fn shared(&self, i: u32) -> Arc<str> {
        Arc::clone(&self.strings[i as usize])
    }

    /// Number of distinct strings.
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// True when no string was interned.
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }

    /// Interns every string of `other`; returns, at each of `other`'s symbols, the symbol the
    /// same string has here.
    ///
    /// The strings already here are found first, so that room is made for exactly the new
    /// ones: where both threads saw every string (a trail read twice over), nothing grows, and
    /// a table sized for all of `other`'s strings would stay twice too big to the end of the
    /// run.
    pub fn absorb(&mut self, other: &Interner) -> Vec<u32> {
        const NEW: u32 = u32::MAX;
        let mut new = 0;
        let mut map: Vec<u32> = other
            .strings
            .iter()
            .zip(&other.hashes)
            .map(|(s, &hash)| {
                self.find(s, hash).unwrap_or_else(|| {
                    new += 1;
                    NEW
                })
            })
            .collect();
        if new == 0 {
            return map;
        }
        let hashes = &self.hashes;
        self.table.reserve(new, |&i| hashes[i as usize]);
        self.strings.reserve_exact(new);
        self.hashes.reserve_exact(new);
        // A string new here is shared with `other`, not copied; its hash is `other`'s (the
        // seed is the same). `other`'s strings are distinct, so none is here twice.
        for ((sym, s), &hash) in map.iter_mut().zip(&other.strings).zip(&other.hashes) {
            if *sym == NEW {
                *sym = self.push(Arc::clone(s), hash);
            }
        }
        map
    }

    /// Each symbol's place in the strings sorted ascending: comparing ranks orders symbols as
    /// their strings would be ordered.
    pub fn ranks(&self) -> &[u32] {
        &self.sorted().rank
    }

    /// The symbol at each rank ([`ranks`](Interner::ranks) inverted): the symbols in the order
    /// of their strings.
    pub fn order(&self) -> &[u32] {
        &self.sorted().order
    }

    fn sorted(&self) -> &Sorted {
        self.ranks.get_or_init(|| {
            let order = string_order(&self.strings);
            let mut rank = vec![0; order.len()];
            for (r, &sym) in order.iter().enumerate() {
                rank[sym as usize] = r as u32;
            }
            Sorted { rank, order }
        })
    }
}

/// The indices of `strings` (distinct) in the order of their strings. Sorted seven bytes at a
/// time as integers, not by comparing the strings: a comparison reached each string through
/// its pointer and called `memcmp`, ~17 times a string (a trail's ~24,000 error messages of
/// ~130 bytes), and the messages and users of a trail share long prefixes.
fn string_order(strings: &[Arc<str>]) -> Vec<u32> {
    let mut keyed: Vec<(u64, u32)> = (0..strings.len() as u32).map(|i| (0, i)).collect();
    sort_from(strings, &mut keyed, 0, 0);
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Sorts `v`, the indices of strings alike in their first `depth` bytes, on their bytes from
/// `depth`: the bytes all of them share are skipped; each is keyed by its next seven bytes
/// (zeros past its end) above how many of its bytes are left (at most eight: a string that
/// ends in the seven sorts before the longer ones it begins); keys alike, the strings go on
/// past them, and are sorted on the bytes after. `level` counts the recursion: past
/// [`SORT_LEVELS`] a run is sorted by comparison, so that strings made to share ever longer
/// prefixes (each seven bytes longer than the last) cannot grow the stack with their number.
fn sort_from(strings: &[Arc<str>], v: &mut [(u64, u32)], depth: usize, level: u32) {
    let rest = |i: u32| &strings[i as usize].as_bytes()[depth..];
    if v.len() <= 16 || level > SORT_LEVELS {
        v.sort_unstable_by(|a, b| rest(a.1).cmp(rest(b.1)));
        return;
    }
    let first = rest(v[0].1);
    let mut common = first.len();
    for &(_, i) in &v[1..] {
        common = common_prefix(&first[..common], rest(i));
        if common == 0 {
            break;
        }
    }
    let depth = depth + common;
    for (key, i) in v.iter_mut() {
        let s = &strings[*i as usize].as_bytes()[depth..];
        let mut k = [0u8; 8];
        let n = s.len().min(7);
        k[..n].copy_from_slice(&s[..n]);
        k[7] = s.len().min(8) as u8;
        *key = u64::from_be_bytes(k);
    }
    v.sort_unstable_by_key(|&(key, _)| key);
    // Distinct strings with equal keys both go on past them.
    for run in v.chunk_by_mut(|a, b| a.0 == b.0) {
        if run.len() > 1 {
            sort_from(strings, run, depth + 7, level + 1);
        }
    }
}

/// How deep [`sort_from`] recurses before it sorts a run by comparison.
const SORT_LEVELS: u32 = 64;

/// How many bytes `a` and `b` begin with alike, eight at a time.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let word =
        |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().unwrap_or_default());
    let mut i = 0;
    while i + 8 <= n {
        let diff = word(a, i) ^ word(b, i);
        if diff != 0 {
            return i + diff.trailing_zeros() as usize / 8;
        }
        i += 8;
    }
    i + a[i..n]
        .iter()
        .zip(&b[i..n])
        .take_while(|(x, y)| x == y)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_prefix_counts_the_bytes_alike() {
        let a: Vec<u8> = (1..=40).collect();
        for n in 0..=a.len() {
            assert_eq!(common_prefix(&a[..n], &a), n);
            assert_eq!(common_prefix(&a, &a[..n]), n);
            for at in 0..n {
                let mut b = a[..n].to_vec();
                b[at] = 0;
                assert_eq!(common_prefix(&a, &b), at, "{n} {at}");
            }
        }
    }

    /// `texts` in the order [`string_order`] gives them.
    fn in_string_order(texts: &[String]) -> Vec<String> {
        let strings: Vec<Arc<str>> = texts.iter().map(|s| Arc::from(s.as_str())).collect();
        string_order(&strings)
            .into_iter()
            .map(|i| strings[i as usize].to_string())
            .collect()
    }

    #[test]
    fn string_order_is_the_order_of_the_strings() {
        // Prefixes of each other, zero bytes where a shorter string has none, long shared
        // prefixes, bytes above 0x7f, runs bigger and smaller than the sorted-by-comparison
        // size, and random strings over a few letters.
        let mut texts: Vec<String> = vec![String::new(), "\0".into(), "\0\0".into(), "é".into()];
        let long = "arn:aws:sts::123456789012:assumed-role/";
        for i in 0..300u32 {
            texts.push(format!("{long}{}", i * 7919 % 300));
            texts.push(format!("{long}{i}\0"));
            texts.push(format!("{}", i % 97).repeat(i as usize % 13));
        }
        for n in 0..20 {
            texts.push("a".repeat(n));
            texts.push(format!("{}\0", "a".repeat(n)));
            texts.push(format!("{}b", "a".repeat(n)));
        }
        let mut x = 7u64;
        let mut next = |n: usize| {
            x = crate::testing::xorshift(x);
            x as usize % n
        };
        for _ in 0..3000 {
            let len = next(24);
            let s: String = (0..len)
                .map(|_| ['a', 'b', '\0', 'z', 'é'][next(5)])
                .collect();
            texts.push(s);
        }
        texts.sort();
        texts.dedup();
        // Numbered in a scrambled order.
        let mut scrambled = texts.clone();
        for i in (1..scrambled.len()).rev() {
            scrambled.swap(i, next(i + 1));
        }
        assert_eq!(in_string_order(&scrambled), texts);
    }

    #[test]
    fn string_order_of_ever_longer_shared_prefixes_stops_recursing() {
        // Each string shares seven more bytes with the next than with the one before, so
        // every level of the integer-key sort would take one string off its run: 300 levels
        // without the bound, past it here.
        let texts: Vec<String> = (0..300)
            .map(|k| format!("{}{}", "x".repeat(7 * k), ["y", "a"][k % 2]))
            .collect();
        let mut expected = texts.clone();
        expected.sort();
        assert_eq!(in_string_order(&texts), expected);
    }

    #[test]
    fn same_bytes_is_slice_equality() {
        let text: Vec<u8> = (0..40u8).collect();
        for n in 0..text.len() {
            let a = &text[..n];
            assert!(same_bytes(a, a));
            for i in 0..n {
                let mut b = a.to_vec();
                b[i] ^= 0x80;
                assert!(!same_bytes(a, &b), "{n} {i}");
            }
            assert!(!same_bytes(a, &text[..n + 1]));
        }
    }

    #[test]
    fn interner_numbers_strings_once_and_ranks_them() {
        let mut a = Interner::default();
        let syms: Vec<u32> = ["b", "a", "b", "", "é", "a"]
            .iter()
            .map(|s| a.intern(s))
            .collect();
        assert_eq!(syms, [0, 1, 0, 2, 3, 1]);
        assert_eq!((a.len(), a.get(3)), (4, "é"));
        // "" < "a" < "b" < "é"
        assert_eq!(a.ranks(), [2, 1, 0, 3]);
        assert_eq!(a.order(), [2, 1, 0, 3]);
        // Ranks asked for again are the same; a new string is ranked with the others.
        assert_eq!(a.ranks(), [2, 1, 0, 3]);
        a.intern("a");
        assert_eq!(a.ranks(), [2, 1, 0, 3]);
        a.intern("ab");
        assert_eq!(a.ranks(), [3, 1, 0, 4, 2]);
        a.intern("ab");
        assert_eq!(a.ranks(), [3, 1, 0, 4, 2]);
        assert_eq!(a.order(), [2, 1, 4, 0, 3]);
        let mut b = Interner::default();
        b.intern("z");
        b.intern("a");
        assert_eq!(b.absorb(&a), [2, 1, 3, 4, 5]);
        let again = b.absorb(&a);
        assert_eq!(b.get(again[3]), "é");
    }

    /// Absorbing strings that are all here maps them and grows nothing; absorbing new ones
    /// makes room for exactly them (the strings kept and their hashes, pushed in `other`'s
    /// order after this interner's own).
    #[test]
    fn absorb_makes_room_for_the_new_strings_only() {
        // 1024 strings: the vectors are full.
        let mut a = Interner::default();
        for i in 0..1_024 {
            a.intern(&format!("s{i}"));
        }
        let mut b = Interner::default();
        for i in (0..1_024).rev().step_by(7) {
            b.intern(&format!("s{i}"));
        }
        let room = |i: &Interner| {
            (
                i.table.capacity(),
                i.strings.capacity(),
                i.hashes.capacity(),
            )
        };
        let before = room(&a);
        assert_eq!((before.1, before.2), (1_024, 1_024));
        let map = a.absorb(&b);
        assert_eq!(room(&a), before);
        assert_eq!(a.len(), 1_024);
        let want: Vec<u32> = (0..1_024).rev().step_by(7).collect();
        assert_eq!(map, want);
        // 3 of c's 5 strings are new: they are numbered 1024, 1025, 1026 in c's order.
        let mut c = Interner::default();
        for t in ["s5", "new-x", "s999", "new-y", "new-z"] {
            c.intern(t);
        }
        assert_eq!(a.absorb(&c), [5, 1_024, 999, 1_025, 1_026]);
        assert_eq!((a.strings.capacity(), a.hashes.capacity()), (1_027, 1_027));
        assert_eq!(a.intern("new-z"), 1_026);
        assert_eq!(a.get(1_025), "new-y");
    }

    /// Interners sharing a store number their strings as an interner of their own does, and
    /// hold one allocation for a string both saw; an interner of its own, or one that stopped
    /// sharing, holds a copy. The store is the same while an interner holds it.
    #[test]
    fn shared_strings_are_stored_once_and_numbered_as_own_ones() {
        let store = Strings::current();
        assert!(Arc::ptr_eq(&store, &Strings::current()));
        let texts = ["b", "a", "b", "", "é", "a", "long text of a message"];
        let (mut a, mut b, mut own) = (
            Interner::sharing(&store),
            Interner::sharing(&store),
            Interner::default(),
        );
        for t in texts {
            assert_eq!(a.intern(t), own.intern(t), "{t:?}");
        }
        for t in texts.iter().rev() {
            b.intern(t);
        }
        for t in texts {
            let (x, y, z) = (a.intern(t), b.intern(t), own.intern(t));
            assert_eq!((a.get(x), b.get(y), own.get(z)), (t, t, t));
            assert!(Arc::ptr_eq(&a.shared(x), &b.shared(y)), "{t:?}");
            assert!(!Arc::ptr_eq(&a.shared(x), &own.shared(z)), "{t:?}");
        }
        b.unshare();
        let (x, y) = (a.intern("new"), b.intern("new"));
        assert!(!Arc::ptr_eq(&a.shared(x), &b.shared(y)));
        // Absorbing adopts the other's allocation of a new string.
        let mut c = Interner::default();
        let map = c.absorb(&a);
        assert!(Arc::ptr_eq(&c.shared(map[x as usize]), &a.shared(x)));
        assert_eq!(c.len(), a.len());
    }

    /// Interning in runs gives the symbols interning one at a time gives, whatever the runs,
    /// before and after another interner is absorbed.
    #[test]
    fn runs_are_numbered_as_single_strings() {
        let texts = [
            "us-east-1",
            "us-east-1",
            "eu-west-1",
            "",
            "",
            "us-east-1",
            "eu-west-1x",
        ];
        let (mut a, mut b) = (Interner::default(), Interner::default());
        for t in texts.iter().chain(texts.iter().rev()) {
            assert_eq!(a.intern_run(t), b.intern(t), "{t:?}");
        }
        let mut c = Interner::default();
        c.intern("ap-south-1");
        c.intern("eu-west-1");
        a.absorb(&c);
        b.absorb(&c);
        for t in ["eu-west-1x", "ap-south-1", "ap-south-1", "us-east-1"] {
            assert_eq!(a.intern_run(t), b.intern(t), "{t:?}");
        }
        assert_eq!(a.len(), 5);
    }

    /// Tables grown many times (their entries placed again by the kept hashes) and interners
    /// made apart, absorbed by their kept hashes, still find every string, once.
    #[test]
    fn kept_hashes_find_strings_after_growth_and_absorbing() {
        let text = |i: usize| format!("{i:x}-{}", "long ".repeat(i % 7));
        let mut a = Interner::default();
        for i in 0..5_000 {
            assert_eq!(a.intern(&text(i)), i as u32);
        }
        for i in (0..5_000).rev() {
            assert_eq!(a.intern(&text(i)), i as u32);
        }
        // Made on another thread, from every third string on: the overlap is found, the rest
        // numbered after a's.
        let b = std::thread::spawn(move || {
            let mut b = Interner::default();
            for i in (3_000..9_000).step_by(3) {
                b.intern(&text(i));
            }
            b
        })
        .join()
        .unwrap();
        let map = a.absorb(&b);
        let mut next = 5_000;
        for (j, i) in (3_000..9_000).step_by(3).enumerate() {
            let want = if i < 5_000 {
                i as u32
            } else {
                next += 1;
                next - 1
            };
            assert_eq!(map[j], want, "{i}");
            assert_eq!(a.get(map[j]), text(i));
        }
        assert_eq!(a.len(), next as usize);
        assert_eq!(a.intern(&text(8_997)), next - 1);
    }
}
