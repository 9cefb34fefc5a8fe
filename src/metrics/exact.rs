//! Exactly rounded floating-point sums (Shewchuk's partials, as Python's `math.fsum`).
//!
//! Metric values are summed across files in whatever order the threads finish. A plain `f64`
//! sum would then differ in its last bits between runs and thread counts; an exact sum, rounded
//! once at the end, is the same whatever the order, and equal to `math.fsum` of the same values.

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
            add_to(partials, x);
        }
    }

    /// The partials, in increasing magnitude.
    fn partials(&self) -> &[f64] {
        match &self.more {
            Some(p) => p,
            None if self.one.is_nan() => &[],
            None => std::slice::from_ref(&self.one),
        }
    }

    /// Adds everything `other` holds.
    pub fn merge(&mut self, other: &ExactSum) {
        for &p in other.partials() {
            self.add(p);
        }
    }

    /// The sum, correctly rounded to the nearest `f64` (ties to even).
    pub fn value(&self) -> f64 {
        let p = self.partials();
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
