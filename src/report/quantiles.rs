//! Percentiles of whole seconds: exact up to [`EXACT_LIMIT`] values, then a DDSketch.
//!
//! Exact percentiles use the nearest rank (the smallest value with at least p % of the values
//! at or below it), so they are values that occurred and do not depend on the order values
//! arrived in or on how parts were merged. Past the limit the values move into a DDSketch
//! (`sketches-ddsketch`, default configuration), whose answers are within 1 % of the true
//! value (relative error) for any quantile; memory then stays under 2 048 bins.

use sketches_ddsketch::{Config, DDSketch};

/// Values kept exactly per group and rule before switching to the sketch.
pub const EXACT_LIMIT: usize = 1_000_000;

/// The sketch's relative error bound, as written in reports.
pub const SKETCH_ERROR: &str = "1%";

/// A multiset of non-negative durations in whole seconds.
#[derive(Clone)]
pub(crate) enum Quantiles {
    /// Every value (at most [`EXACT_LIMIT`]), unsorted.
    Exact(Vec<u32>),
    /// Past the limit, or a value too large for the exact store.
    Sketch(Box<DDSketch>),
}

impl std::fmt::Debug for Quantiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Quantiles::Exact(values) => write!(f, "Exact({} values)", values.len()),
            Quantiles::Sketch(sketch) => write!(f, "Sketch({} values)", sketch.count()),
        }
    }
}

impl Default for Quantiles {
    fn default() -> Quantiles {
        Quantiles::Exact(Vec::new())
    }
}

impl Quantiles {
    /// Adds one value (negative durations count as zero).
    pub(crate) fn add(&mut self, secs: i64) {
        let secs = secs.max(0);
        if let Quantiles::Exact(values) = self {
            match u32::try_from(secs) {
                Ok(v) if values.len() < EXACT_LIMIT => {
                    values.push(v);
                    return;
                }
                _ => self.switch_to_sketch(),
            }
        }
        if let Quantiles::Sketch(sketch) = self {
            #[allow(
                clippy::cast_precision_loss,
                reason = "the sketch is approximate by design"
            )]
            sketch.add(secs as f64);
        }
    }

    /// The number of values.
    #[cfg(test)]
    pub(crate) fn len(&self) -> u64 {
        match self {
            Quantiles::Exact(values) => values.len() as u64,
            Quantiles::Sketch(sketch) => u64::try_from(sketch.count()).unwrap_or(u64::MAX),
        }
    }

    /// Whether the values are still exact.
    pub(crate) fn is_exact(&self) -> bool {
        matches!(self, Quantiles::Exact(_))
    }

    /// Moves exact values into a sketch.
    fn switch_to_sketch(&mut self) {
        if let Quantiles::Exact(values) = self {
            let mut sketch = DDSketch::new(Config::defaults());
            for &v in values.iter() {
                sketch.add(f64::from(v));
            }
            *self = Quantiles::Sketch(Box::new(sketch));
        }
    }

    /// Adds every value of `other`.
    pub(crate) fn merge(&mut self, other: Quantiles) {
        match (&mut *self, other) {
            (Quantiles::Exact(mine), Quantiles::Exact(theirs)) => {
                if mine.len() + theirs.len() <= EXACT_LIMIT {
                    mine.extend(theirs);
                } else {
                    self.switch_to_sketch();
                    self.merge(Quantiles::Exact(theirs));
                }
            }
            (Quantiles::Sketch(mine), Quantiles::Exact(theirs)) => {
                for v in theirs {
                    mine.add(f64::from(v));
                }
            }
            (Quantiles::Exact(_), Quantiles::Sketch(theirs)) => {
                self.switch_to_sketch();
                self.merge(Quantiles::Sketch(theirs));
            }
            (Quantiles::Sketch(mine), Quantiles::Sketch(theirs)) => {
                // Sketches of one configuration always merge; a failure would only lose
                // precision claims, so fall back to adding nothing rather than panicking.
                let _ = mine.merge(&theirs);
            }
        }
    }

    /// The given percentiles (each 0–100), in whole seconds; `None` without values.
    pub(crate) fn percentiles(&self, ps: &[u32]) -> Vec<Option<i64>> {
        match self {
            Quantiles::Exact(values) => {
                let mut sorted = values.clone();
                sorted.sort_unstable();
                ps.iter().map(|&p| nearest_rank(&sorted, p)).collect()
            }
            Quantiles::Sketch(sketch) => ps
                .iter()
                .map(|&p| {
                    let q = f64::from(p) / 100.0;
                    #[allow(
                        clippy::cast_possible_truncation,
                        reason = "whole seconds of an approximate figure"
                    )]
                    sketch
                        .quantile(q)
                        .ok()
                        .flatten()
                        .map(|v| v.max(0.0).round() as i64)
                })
                .collect(),
        }
    }
}

/// The nearest-rank percentile of sorted values.
fn nearest_rank(sorted: &[u32], p: u32) -> Option<i64> {
    let n = sorted.len() as u64;
    if n == 0 {
        return None;
    }
    // rank = ceil(p/100 · n), at least 1.
    let rank = (u64::from(p) * n).div_ceil(100).max(1);
    let index = usize::try_from(rank - 1).ok()?;
    sorted.get(index).map(|&v| i64::from(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_picks_values_that_occurred() {
        let mut q = Quantiles::default();
        for v in [5, 1, 4, 2, 3, 6, 7, 8, 9, 10] {
            q.add(v);
        }
        assert_eq!(
            q.percentiles(&[50, 90, 99, 100, 0]),
            [Some(5), Some(9), Some(10), Some(10), Some(1)]
        );
        assert_eq!(Quantiles::default().percentiles(&[50]), [None]);
    }

    #[test]
    fn merging_parts_gives_the_figures_of_the_whole() {
        let mut whole = Quantiles::default();
        let mut a = Quantiles::default();
        let mut b = Quantiles::default();
        for v in 0..1000 {
            whole.add(v * 7 % 1013);
            if v % 3 == 0 {
                a.add(v * 7 % 1013);
            } else {
                b.add(v * 7 % 1013);
            }
        }
        a.merge(b);
        assert_eq!(
            a.percentiles(&[50, 90, 99]),
            whole.percentiles(&[50, 90, 99])
        );
        assert_eq!(a.len(), 1000);
    }

    #[test]
    fn past_the_limit_the_sketch_stays_within_its_bound() {
        let mut q = Quantiles::default();
        for v in 0..(EXACT_LIMIT as i64 + 10) {
            q.add(v % 10_000 + 1);
        }
        assert!(!q.is_exact());
        assert_eq!(q.len(), EXACT_LIMIT as u64 + 10);
        let p50 = q.percentiles(&[50])[0].unwrap() as f64;
        assert!((p50 - 5000.0).abs() <= 5000.0 * 0.011, "p50 {p50}");
    }
}
