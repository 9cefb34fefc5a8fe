//! What the unit tests share.

/// One step of Marsaglia's xorshift64 (13, 7, 17): the tests' fixed-seed pseudo-random numbers,
/// the same every run. `x` must not be zero.
pub(crate) fn xorshift(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}
