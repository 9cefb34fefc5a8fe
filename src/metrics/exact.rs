//! Exactly rounded floating-point sums (Shewchuk's partials, as Python's `math.fsum`).
//!
//! Metric values are summed across files in whatever order the threads finish. A plain `f64`
//! sum would then differ in its last bits between runs and thread counts; an exact sum, rounded
//! once at the end, is the same whatever the order, and equal to `math.fsum` of the same values.
//!
//! Values so large that a sum of them could pass the largest `f64` (from 2^970, about 1e292) are
//! summed apart, scaled down by 2^600 (exactly), so no intermediate step overflows whatever the
//! order; a total beyond the largest `f64` is then ±infinity, where `math.fsum` raises
//! `OverflowError` (and a plain sum would give NaN or a wrong number).

/// From this magnitude on, a value is summed in the scaled part.
const BIG: f64 = f64::from_bits((1023 + 970) << 52); // 2^970
/// 2^-600 and 2^600: scaling by them is exact for the big values.
const DOWN: f64 = f64::from_bits((1023 - 600) << 52);
const UP: f64 = f64::from_bits((1023 + 600) << 52);
/// In the list of partials, separates the plain ones from the scaled ones (only once a big
/// value was added).
const MARK: f64 = f64::NAN;

/// A running exact sum of finite `f64` values.
///
/// Most sums of metric values (byte and record counts, 0/1 ratios) stay exact in one `f64`, so
/// one partial is kept inline and a list of them is allocated only when a sum first needs two:
/// 16 bytes instead of a list's 32, in an accumulator kept per series and bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct ExactSum {
    /// The one partial while `more` is `None` (NaN while nothing was added).
    one: f64,
    /// Non-overlapping partial sums, increasing in magnitude, once more than one is needed;
    /// their exact total is the sum. Boxed so that the common case costs 8 bytes, not 24.
    #[allow(clippy::box_collection)]
    more: Option<Box<Vec<f64>>>,
}

impl Default for ExactSum {
    fn default() -> Self {
        ExactSum {
            one: f64::NAN,
            more: None,
        }
    }
}

impl ExactSum {
    /// Adds `x` (non-finite values are ignored: JSON cannot carry them).
    #[inline]
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        if x.abs() >= BIG {
            return self.add_split(x);
        }
        if self.more.is_none() {
            if self.one.is_nan() {
                self.one = x;
                return;
            }
            // Shewchuk's step over the one partial, as `add_to` takes it.
            let (mut x, mut y) = (x, self.one);
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo == 0.0 {
                self.one = hi;
            } else {
                self.more = Some(Box::new(vec![lo, hi]));
            }
            return;
        }
        if let Some(partials) = self.more.as_deref_mut() {
            if partials.iter().any(|p| p.is_nan()) {
                return self.add_split(x);
            }
            add_to(partials, x);
        }
    }

    /// The rare path: a big value, or any value once the sum holds a big one. `x` is added
    /// to the plain partials, or scaled down to the scaled ones.
    #[cold]
    fn add_split(&mut self, x: f64) {
        let (mut plain, mut scaled) = self.split();
        if x.abs() < BIG {
            add_to(&mut plain, x);
        } else {
            add_to(&mut scaled, x * DOWN);
        }
        self.set_split(plain, scaled);
    }

    /// The plain partials and the scaled ones.
    fn split(&self) -> (Vec<f64>, Vec<f64>) {
        let p = self.partials();
        match p.iter().position(|x| x.is_nan()) {
            Some(i) => (p[..i].to_vec(), p[i + 1..].to_vec()),
            None => (p.to_vec(), Vec::new()),
        }
    }

    fn set_split(&mut self, mut plain: Vec<f64>, scaled: Vec<f64>) {
        plain.push(MARK);
        plain.extend(scaled);
        self.more = Some(Box::new(plain));
    }

    /// The partials, in increasing magnitude (then the mark and the scaled ones, if any).
    fn partials(&self) -> &[f64] {
        match &self.more {
            Some(p) => p,
            None if self.one.is_nan() => &[],
            None => std::slice::from_ref(&self.one),
        }
    }

    /// True while nothing was added.
    pub fn is_empty(&self) -> bool {
        self.one.is_nan() && self.more.is_none()
    }

    /// Adds everything `other` holds.
    pub fn merge(&mut self, other: &ExactSum) {
        if other.more.is_none() {
            // One partial (or none): no lists to split.
            if !other.one.is_nan() {
                self.add(other.one);
            }
            return;
        }
        let (plain, scaled) = other.split();
        for p in plain {
            self.add(p);
        }
        if !scaled.is_empty() {
            let (mine, mut big) = self.split();
            for s in scaled {
                add_to(&mut big, s);
            }
            self.set_split(mine, big);
        }
    }

    /// The sum, correctly rounded to the nearest `f64` (ties to even); ±infinity when it is
    /// beyond the largest `f64`.
    pub fn value(&self) -> f64 {
        if self.more.is_none() {
            return if self.one.is_nan() { 0.0 } else { self.one };
        }
        let (plain, scaled) = self.split();
        let big = rounded(&scaled);
        if big == 0.0 {
            return rounded(&plain);
        }
        // The scaled part is at least 2^370 unless it cancelled to nothing; its partials
        // scaled back up overflow only when the total does.
        let mut all = Vec::with_capacity(plain.len() + scaled.len());
        for s in scaled {
            let up = s * UP;
            if up.is_infinite() {
                return up;
            }
            all.push(up);
        }
        all.extend(plain);
        all.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
        let mut total: Vec<f64> = Vec::new();
        for x in all {
            // Near the largest f64 a step can overflow: the total is then beyond it.
            let mut probe = total.clone();
            add_to(&mut probe, x);
            if let Some(inf) = probe.iter().find(|p| !p.is_finite()) {
                return if inf.is_nan() {
                    big.signum() * f64::INFINITY
                } else {
                    *inf
                };
            }
            total = probe;
        }
        rounded(&total)
    }
}

/// The correctly rounded total of non-overlapping partials in increasing magnitude.
fn rounded(p: &[f64]) -> f64 {
    let Some(mut n) = p.len().checked_sub(1) else {
        return 0.0;
    };
    let mut hi = p[n];
    let mut lo = 0.0;
    while n > 0 {
        let x = hi;
        n -= 1;
        let y = p[n];
        hi = x + y;
        let yr = hi - x;
        lo = y - yr;
        if lo != 0.0 {
            break;
        }
    }
    // Round half to even across the remaining partials, as CPython does.
    if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
        let y = lo * 2.0;
        let x = hi + y;
        let yr = x - hi;
        if y == yr {
            hi = x;
        }
    }
    hi
}

/// Shewchuk's step: adds `x` to non-overlapping `partials` (increasing in magnitude), keeping
/// them so.
fn add_to(partials: &mut Vec<f64>, mut x: f64) {
    let mut i = 0;
    for j in 0..partials.len() {
        let mut y = partials[j];
        if x.abs() < y.abs() {
            std::mem::swap(&mut x, &mut y);
        }
        let hi = x + y;
        let lo = y - (hi - x);
        if lo != 0.0 {
            partials[i] = lo;
            i += 1;
        }
        x = hi;
    }
    partials.truncate(i);
    partials.push(x);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(xs: &[f64]) -> f64 {
        let mut s = ExactSum::default();
        xs.iter().for_each(|&x| s.add(x));
        s.value()
    }

    #[test]
    fn known_exact_sums() {
        // Values checked against Python's math.fsum.
        assert_eq!(sum(&[]), 0.0);
        assert_eq!(sum(&[0.1; 10]), 1.0);
        assert_eq!(
            sum(&[1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50]),
            1e-100
        );
        assert_eq!(sum(&[1.0, 1e100, 1.0, -1e100]), 2.0);
        assert_eq!(
            sum(&[2.0f64.powi(53), 1.0, 2.0f64.powi(-52)]),
            2.0f64.powi(53) + 2.0
        );
        assert_eq!(sum(&[0.1, 0.2, 0.3]), 0.6);
        assert_eq!(
            sum(&[1.0, 2.0f64.powi(-53), 2.0f64.powi(-106)]),
            1.0 + f64::EPSILON
        );
    }

    #[test]
    fn overflowing_sums_are_infinite_in_any_order() {
        assert_eq!(BIG, 2.0f64.powi(970));
        assert_eq!(
            (DOWN * UP, UP, DOWN),
            (1.0, 2.0f64.powi(600), 2.0f64.powi(-600))
        );
        let cases: [(&[f64], f64); 9] = [
            // math.fsum raises OverflowError on these two.
            (&[1e308, 1e308], f64::INFINITY),
            (&[-1e308, -1e308, 1.0], f64::NEG_INFINITY),
            // Exact where math.fsum overflows halfway in this order.
            (&[1e308, 1e308, -1e308], 1e308),
            (&[f64::MAX, -f64::MAX, 5.0], 5.0),
            (&[1e300, 1.0, -1e300], 1.0),
            (&[1e300, 1e-300], 1e300),
            (&[1e300, 1e300], 2e300),
            (&[f64::MAX, 1.0], f64::MAX),
            // Half an ulp of MAX more rounds up to infinity.
            (&[f64::MAX, 2.0f64.powi(970)], f64::INFINITY),
        ];
        for (xs, want) in cases {
            let mut rev = xs.to_vec();
            rev.reverse();
            assert_eq!(sum(xs), want, "{xs:?}");
            assert_eq!(sum(&rev), want, "{rev:?}");
            // Any split, merged either way.
            for cut in 0..=xs.len() {
                let (mut a, mut b) = (ExactSum::default(), ExactSum::default());
                xs[..cut].iter().for_each(|&x| a.add(x));
                xs[cut..].iter().for_each(|&x| b.add(x));
                let mut ab = a.clone();
                ab.merge(&b);
                b.merge(&a);
                assert_eq!((ab.value(), b.value()), (want, want), "{xs:?} at {cut}");
            }
        }
    }

    #[test]
    fn order_and_merge_do_not_matter() {
        let xs: Vec<f64> = (0..500)
            .map(|i| ((i * 7919) % 1000) as f64 / 7.0 - 50.0)
            .collect();
        let forward = sum(&xs);
        let mut rev = xs.clone();
        rev.reverse();
        assert_eq!(sum(&rev), forward);
        let (mut a, mut b) = (ExactSum::default(), ExactSum::default());
        for (i, &x) in xs.iter().enumerate() {
            if i % 3 == 0 { &mut a } else { &mut b }.add(x);
        }
        b.merge(&a);
        assert_eq!(b.value(), forward);
    }
}
