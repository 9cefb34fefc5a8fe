//! Exactly rounded floating-point sums (Shewchuk's partials, as Python's `math.fsum`).
//!
//! Metric values are summed across files in whatever order the threads finish. A plain `f64`
//! sum would then differ in its last bits between runs and thread counts; an exact sum, rounded
//! once at the end, is the same whatever the order, and equal to `math.fsum` of the same values.

/// A running exact sum of finite `f64` values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExactSum {
    /// Non-overlapping partial sums, increasing in magnitude; their exact total is the sum.
    /// Three fit inline, which is what sums of metric values almost always need.
    partials: smallvec::SmallVec<[f64; 3]>,
}

impl ExactSum {
    /// Adds `x` (non-finite values are ignored: JSON cannot carry them).
    pub fn add(&mut self, mut x: f64) {
        if !x.is_finite() {
            return;
        }
        let mut i = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        self.partials.truncate(i);
        self.partials.push(x);
    }

    /// Adds everything `other` holds.
    pub fn merge(&mut self, other: &ExactSum) {
        for &p in &other.partials {
            self.add(p);
        }
    }

    /// The sum, correctly rounded to the nearest `f64` (ties to even).
    pub fn value(&self) -> f64 {
        let p = &self.partials;
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
