//! `GroupMap`: the hash table aggregates count into, keyed by strings; and `Interner`, which
//! numbers distinct strings so that groupings can be keyed by small integers.
//!
//! Keys are tuples of strings. A lookup hashes the borrowed `&str` parts straight from the input
//! buffer, and the key is copied into owned storage only the first time a group is seen, so the
//! hot loop allocates nothing for groups it already knows. The hasher is seeded per process, so
//! attacker-chosen field values cannot be crafted to collide.

use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;

use foldhash::fast::RandomState;
use hashbrown::HashTable;

/// A map from `N` strings to a value `V`.
#[derive(Clone)]
pub struct GroupMap<const N: usize, V> {
    table: HashTable<(Key<N>, V)>,
    state: RandomState,
}

/// A stored key: the parts end to end in one allocation, with where each ends. A lookup
/// compares the lengths first, then bytes that sit together in memory, instead of following one
/// pointer per part to wherever the allocator put it.
#[derive(Clone)]
struct Key<const N: usize> {
    ends: [usize; N],
    text: Box<str>,
}

impl<const N: usize> Key<N> {
    fn new(parts: &[&str; N]) -> Self {
        let mut text = String::with_capacity(parts.iter().map(|p| p.len()).sum());
        let ends = parts.map(|p| {
            text.push_str(p);
            text.len()
        });
        Key {
            ends,
            text: text.into_boxed_str(),
        }
    }

    fn parts(&self) -> [&str; N] {
        let mut start = 0;
        self.ends.map(|end| {
            // The ends are where whole parts were pushed, so they are character boundaries.
            let part = self.text.get(start..end).unwrap_or_default();
            start = end;
            part
        })
    }

    #[inline]
    fn matches(&self, key: &[&str; N]) -> bool {
        let mut start = 0;
        for (end, part) in self.ends.iter().zip(key) {
            if end - start != part.len() {
                return false;
            }
            start = *end;
        }
        let text = self.text.as_bytes();
        let mut start = 0;
        for (end, part) in self.ends.iter().zip(key) {
            if !same_bytes(&text[start..*end], part.as_bytes()) {
                return false;
            }
            start = *end;
        }
        true
    }
}

/// `a == b` for slices of equal length, inline: key parts are short, and a call to `memcmp`
/// per part cost more than the comparison.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
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

impl<const N: usize, V> Default for GroupMap<N, V> {
    fn default() -> Self {
        Self {
            table: HashTable::new(),
            state: RandomState::default(),
        }
    }
}

impl<const N: usize, V: std::fmt::Debug> std::fmt::Debug for GroupMap<N, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

fn hash_parts(state: &RandomState, parts: &[&str]) -> u64 {
    let mut h = state.build_hasher();
    for p in parts {
        // `str::hash` ends each part with a terminator, so ("ab","c") and ("a","bc") differ.
        p.hash(&mut h);
    }
    h.finish()
}

impl<const N: usize, V> GroupMap<N, V> {
    /// The value for `key`, inserted with `V::default()` the first time.
    #[inline]
    pub fn entry(&mut self, key: [&str; N]) -> &mut V
    where
        V: Default,
    {
        self.entry_with(key, V::default)
    }

    /// The value for `key`, inserted with `make()` the first time.
    #[inline]
    pub fn entry_with(&mut self, key: [&str; N], make: impl FnOnce() -> V) -> &mut V {
        let hash = hash_parts(&self.state, &key);
        let state = &self.state;
        let entry = self.table.entry(
            hash,
            |(k, _)| k.matches(&key),
            |(k, _)| hash_parts(state, &k.parts()),
        );
        &mut entry
            .or_insert_with(|| (Key::new(&key), make()))
            .into_mut()
            .1
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// True when no group was seen.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Every group and its value, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = ([&str; N], &V)> {
        self.table.iter().map(|(k, v)| (k.parts(), v))
    }

    /// Folds `other` into `self`, combining the values of groups both have with `combine`.
    pub fn merge_with(&mut self, other: Self, mut combine: impl FnMut(&mut V, V))
    where
        V: Default,
    {
        for (k, v) in other.table {
            combine(self.entry(k.parts()), v);
        }
    }
}

impl<const N: usize> GroupMap<N, u64> {
    /// Adds `n` to the count of `key`.
    #[inline]
    pub fn add(&mut self, key: [&str; N], n: u64) {
        *self.entry(key) += n;
    }

    /// Adds the counts of `other`.
    pub fn merge(&mut self, other: Self) {
        self.merge_with(other, |a, b| *a += b);
    }

    /// Sums counts over a projection of the key: the `GROUP BY` that turns the one fine-grained
    /// aggregate into each panel's rows.
    pub fn project<'s, const M: usize>(
        &'s self,
        mut keep: impl FnMut(&[&'s str; N]) -> Option<[&'s str; M]>,
    ) -> GroupMap<M, u64> {
        let mut out = GroupMap::default();
        for (k, v) in self.iter() {
            if let Some(key) = keep(&k) {
                out.add(key, *v);
            }
        }
        out
    }

    /// The groups as owned rows, sorted by count descending, then key ascending: the order of
    /// every table, identical for any thread count.
    pub fn sorted(&self) -> Vec<([String; N], u64)> {
        let mut rows: Vec<_> = self
            .iter()
            .map(|(k, v)| (k.map(str::to_string), *v))
            .collect();
        rows.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        rows
    }
}

/// Distinct strings numbered in the order they were first seen: a grouping keyed by symbols
/// hashes and compares small integers, and each distinct string is stored once however many
/// groups hold it. Each thread numbers its own strings; a merge maps the other's numbers to
/// its own ([`Interner::absorb`]).
#[derive(Clone, Default)]
pub struct Interner {
    table: HashTable<u32>,
    /// Shared, so that table cells hold the string without a copy of their own.
    strings: Vec<Arc<str>>,
    state: RandomState,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.strings).finish()
    }
}

impl Interner {
    /// The symbol of `s`, numbered the first time it is seen.
    #[inline]
    pub fn intern(&mut self, s: &str) -> u32 {
        let Interner {
            table,
            strings,
            state,
        } = self;
        let hash = state.hash_one(s);
        let entry = table.entry(
            hash,
            |&i| same_bytes(strings[i as usize].as_bytes(), s.as_bytes()),
            |&i| state.hash_one(&*strings[i as usize]),
        );
        *entry
            .or_insert_with(|| {
                strings.push(s.into());
                (strings.len() - 1) as u32
            })
            .get()
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
    pub fn absorb(&mut self, other: &Interner) -> Vec<u32> {
        other.strings.iter().map(|s| self.intern(s)).collect()
    }

    /// Each symbol's place in the strings sorted ascending: comparing ranks orders symbols as
    /// their strings would be ordered.
    pub fn ranks(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.strings.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.get(a).cmp(self.get(b)));
        let mut ranks = vec![0; order.len()];
        for (rank, sym) in order.into_iter().enumerate() {
            ranks[sym as usize] = rank as u32;
        }
        ranks
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn counts_and_merges_like_a_btreemap() {
        let words = ["a", "b", "a", "ab", "", "b", "a", "é", "a\u{0}"];
        let mut simple: BTreeMap<(String, String), u64> = BTreeMap::new();
        let (mut left, mut right) = (GroupMap::<2, u64>::default(), GroupMap::default());
        for (i, w) in words.iter().enumerate() {
            let other = words[(i * 7) % words.len()];
            *simple
                .entry((w.to_string(), other.to_string()))
                .or_default() += 1;
            if i % 3 == 0 { &mut left } else { &mut right }.add([w, other], 1);
        }
        left.merge(right);
        let got: BTreeMap<(String, String), u64> = left
            .iter()
            .map(|([a, b], v)| ((a.to_string(), b.to_string()), *v))
            .collect();
        assert_eq!(got, simple);
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
    fn key_parts_do_not_run_together() {
        let mut m = GroupMap::<2, u64>::default();
        m.add(["ab", "c"], 1);
        m.add(["a", "bc"], 1);
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn sorted_is_count_desc_then_key_asc() {
        let mut m = GroupMap::<1, u64>::default();
        for (k, n) in [("b", 2), ("a", 2), ("c", 5), ("d", 1)] {
            m.add([k], n);
        }
        let order: Vec<_> = m
            .sorted()
            .into_iter()
            .map(|(k, n)| (k[0].clone(), n))
            .collect();
        assert_eq!(
            order,
            [
                ("c".into(), 5),
                ("a".into(), 2),
                ("b".into(), 2),
                ("d".into(), 1)
            ]
        );
    }

    #[test]
    fn project_sums() {
        let mut m = GroupMap::<2, u64>::default();
        m.add(["x", "1"], 2);
        m.add(["x", "2"], 3);
        m.add(["y", "1"], 4);
        let p = m.project(|[a, _]| (*a != "y").then_some([*a]));
        assert_eq!(p.sorted(), vec![(["x".to_string()], 5)]);
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
        let mut b = Interner::default();
        b.intern("z");
        b.intern("a");
        assert_eq!(b.absorb(&a), [2, 1, 3, 4]);
        let again = b.absorb(&a);
        assert_eq!(b.get(again[3]), "é");
    }
}
