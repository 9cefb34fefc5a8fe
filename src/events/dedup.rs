//! `--dedup`: counting each `eventID` once when the same log file was delivered (or copied)
//! twice. The set of IDs seen is shared by all worker threads, so the first sighting wins
//! whichever thread reads it; it is sharded to keep lock contention low.

use std::collections::HashSet;
use std::hash::BuildHasher;
use std::sync::Mutex;

use foldhash::fast::{FixedState, RandomState};

const SHARDS: usize = 64;

/// Event IDs seen so far.
pub struct SeenIds {
    shards: Vec<Mutex<HashSet<u128, RandomState>>>,
}

impl std::fmt::Debug for SeenIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeenIds").finish_non_exhaustive()
    }
}

impl Default for SeenIds {
    fn default() -> Self {
        Self {
            shards: (0..SHARDS)
                .map(|_| Mutex::new(HashSet::default()))
                .collect(),
        }
    }
}

/// An event ID as 128 bits: a UUID's own bits, or two independent 64-bit hashes of any other
/// text (a collision between two distinct IDs is then a 2^-128 chance).
fn id_bits(id: &str) -> u128 {
    let hex: String = id.chars().filter(|c| *c != '-').collect();
    if id.len() == 36
        && hex.len() == 32
        && let Ok(v) = u128::from_str_radix(&hex, 16)
    {
        return v;
    }
    let half = |seed: u64| FixedState::with_seed(seed).hash_one(id);
    (u128::from(half(0x6b69_6e65_7369_7331)) << 64) | u128::from(half(0x696e_7369_6768_7473))
}

impl SeenIds {
    /// True the first time `id` is offered, false after.
    pub fn first_time(&self, id: &str) -> bool {
        let bits = id_bits(id);
        let shard = (bits as usize) % SHARDS;
        self.shards[shard]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sighting_only() {
        let seen = SeenIds::default();
        assert!(seen.first_time("77cf0d06-ce90-42da-9576-71986fec411f"));
        assert!(!seen.first_time("77cf0d06-ce90-42da-9576-71986fec411f"));
        assert!(seen.first_time("77cf0d06-ce90-42da-9576-71986fec4110"));
        assert!(seen.first_time("not-a-uuid"));
        assert!(!seen.first_time("not-a-uuid"));
        assert!(seen.first_time("not-a-uuie"));
    }

    #[test]
    fn uuids_keep_their_bits() {
        assert_eq!(id_bits("00000000-0000-0000-0000-0000000000ff"), 255);
        assert_ne!(id_bits("x"), id_bits("y"));
    }
}
