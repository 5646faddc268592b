//! How well a clustering matches labels: the two measures the news-clustering literature
//! reports. Pairwise P/R/F1 counts pairs of articles (a pair is right when both put it in
//! one cluster); B-cubed P/R/F1 averages, per article, the share of its cluster that shares
//! its label (precision) and of its label that shares its cluster (recall), so a large
//! story does not outweigh many small ones the way it does in pairwise counts.

use std::collections::HashMap;
use std::hash::Hash;

use serde::Serialize;

/// Precision, recall and their harmonic mean.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Prf {
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
}

impl Prf {
    fn new(precision: f64, recall: f64) -> Self {
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Self {
            precision,
            recall,
            f1,
        }
    }
}

/// Both measures of one clustering.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Scores {
    /// Pairwise precision/recall/F1.
    pub pairwise: Prf,
    /// B-cubed precision/recall/F1.
    pub bcubed: Prf,
    /// Clusters predicted.
    pub clusters: usize,
    /// Labels in the truth.
    pub labels: usize,
}

/// Scores `predicted` against `truth` (one entry per item, same order). Counts come from
/// the contingency table, so the cost is linear in items.
pub fn score<P: Hash + Eq, T: Hash + Eq>(predicted: &[P], truth: &[T]) -> Scores {
    assert_eq!(predicted.len(), truth.len(), "one label per item");
    let n = predicted.len();
    let mut cell: HashMap<(&P, &T), usize> = HashMap::new();
    let mut pred: HashMap<&P, usize> = HashMap::new();
    let mut gold: HashMap<&T, usize> = HashMap::new();
    for (p, t) in predicted.iter().zip(truth) {
        *cell.entry((p, t)).or_default() += 1;
        *pred.entry(p).or_default() += 1;
        *gold.entry(t).or_default() += 1;
    }
    let pairs = |k: usize| (k * k.saturating_sub(1) / 2) as f64;
    let together: f64 = cell.values().map(|&k| pairs(k)).sum();
    let pred_pairs: f64 = pred.values().map(|&k| pairs(k)).sum();
    let gold_pairs: f64 = gold.values().map(|&k| pairs(k)).sum();
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 1.0 };
    let pairwise = Prf::new(ratio(together, pred_pairs), ratio(together, gold_pairs));
    // B-cubed: each item in cell (p, t) has precision k/|p| and recall k/|t|.
    let (mut bp, mut br) = (0.0, 0.0);
    for (&(p, t), &k) in &cell {
        bp += (k * k) as f64 / pred[p] as f64;
        br += (k * k) as f64 / gold[t] as f64;
    }
    let bcubed = if n == 0 {
        Prf::new(1.0, 1.0)
    } else {
        Prf::new(bp / n as f64, br / n as f64)
    };
    Scores {
        pairwise,
        bcubed,
        clusters: pred.len(),
        labels: gold.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked by hand. Items 1..6, truth {1,2,3} {4,5} {6}, prediction {1,2} {3,4,5} {6}.
    /// Pairs: predicted {12, 34, 35, 45} = 4; true {12, 13, 23, 45} = 4; both {12, 45} = 2:
    /// P = R = 0.5. B-cubed precision per item: 1, 1, 1/3, 2/3, 2/3, 1 → 14/3 / 6 = 7/9;
    /// recall: 2/3, 2/3, 1/3, 1, 1, 1 → 14/3 / 6 = 7/9.
    #[test]
    fn hand_computed_case() {
        let truth = ["a", "a", "a", "b", "b", "c"];
        let pred = [1, 1, 2, 2, 2, 3];
        let s = score(&pred, &truth);
        assert!((s.pairwise.precision - 0.5).abs() < 1e-12);
        assert!((s.pairwise.recall - 0.5).abs() < 1e-12);
        assert!((s.pairwise.f1 - 0.5).abs() < 1e-12);
        assert!((s.bcubed.precision - 7.0 / 9.0).abs() < 1e-12);
        assert!((s.bcubed.recall - 7.0 / 9.0).abs() < 1e-12);
        assert_eq!((s.clusters, s.labels), (3, 3));
    }

    #[test]
    fn all_in_one_and_all_apart() {
        let truth = ["a", "a", "b", "b"];
        let one = score(&[0, 0, 0, 0], &truth);
        assert_eq!(one.bcubed.recall, 1.0);
        assert!((one.bcubed.precision - 0.5).abs() < 1e-12);
        assert!((one.pairwise.precision - 2.0 / 6.0).abs() < 1e-12);
        let apart = score(&[0, 1, 2, 3], &truth);
        assert_eq!(apart.bcubed.precision, 1.0);
        assert!((apart.bcubed.recall - 0.5).abs() < 1e-12);
        // No predicted pair at all: precision is vacuous (1), recall 0.
        assert_eq!(apart.pairwise.precision, 1.0);
        assert_eq!(apart.pairwise.recall, 0.0);
        let perfect = score(&["x", "x", "y", "y"], &truth);
        assert_eq!(perfect.bcubed.f1, 1.0);
        assert_eq!(perfect.pairwise.f1, 1.0);
    }
}
