//! ROUGE-1, ROUGE-2 and ROUGE-L F1, computed as Google's `rouge-score` package does, so
//! numbers are comparable with published ones: lower-case, every run of characters outside
//! `[a-z0-9]` is a separator, ROUGE-N on clipped n-gram counts, ROUGE-L on the longest
//! common subsequence of the whole token sequences. No stemming (rouge-score's
//! `use_stemmer=False`).

use std::collections::HashMap;

/// Precision, recall and F1 of one measure.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Score {
    /// Share of the prediction's n-grams found in the reference.
    pub precision: f64,
    /// Share of the reference's n-grams found in the prediction.
    pub recall: f64,
    /// Their harmonic mean.
    pub f1: f64,
}

impl Score {
    fn from_counts(overlap: usize, predicted: usize, reference: usize) -> Self {
        let precision = if predicted == 0 {
            0.0
        } else {
            overlap as f64 / predicted as f64
        };
        let recall = if reference == 0 {
            0.0
        } else {
            overlap as f64 / reference as f64
        };
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Score {
            precision,
            recall,
            f1,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
/// ROUGE-1, ROUGE-2 and ROUGE-L of one prediction.
pub struct Rouge {
    /// Unigram overlap.
    pub rouge1: Score,
    /// Bigram overlap.
    pub rouge2: Score,
    /// Longest common subsequence.
    pub rouge_l: Score,
}

/// rouge-score's default tokenizer.
pub fn tokenize(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    lower
        .split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

fn ngrams(tokens: &[String], n: usize) -> HashMap<&[String], usize> {
    let mut counts = HashMap::new();
    if tokens.len() >= n {
        for w in tokens.windows(n) {
            *counts.entry(w).or_insert(0) += 1;
        }
    }
    counts
}

fn rouge_n(pred: &[String], reference: &[String], n: usize) -> Score {
    let p = ngrams(pred, n);
    let r = ngrams(reference, n);
    let overlap = r
        .iter()
        .map(|(g, &c)| c.min(p.get(g).copied().unwrap_or(0)))
        .sum();
    Score::from_counts(overlap, p.values().sum(), r.values().sum())
}

fn lcs(a: &[String], b: &[String]) -> usize {
    let mut prev = vec![0usize; b.len() + 1];
    let mut cur = vec![0usize; b.len() + 1];
    for x in a {
        for (j, y) in b.iter().enumerate() {
            cur[j + 1] = if x == y {
                prev[j] + 1
            } else {
                prev[j + 1].max(cur[j])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Scores a predicted summary against a reference.
pub fn score(prediction: &str, reference: &str) -> Rouge {
    let p = tokenize(prediction);
    let r = tokenize(reference);
    Rouge {
        rouge1: rouge_n(&p, &r, 1),
        rouge2: rouge_n(&p, &r, 2),
        rouge_l: Score::from_counts(lcs(&p, &r), p.len(), r.len()),
    }
}

/// Mean F1 of each measure over many pairs.
pub fn mean_f1(scores: &[Rouge]) -> (f64, f64, f64) {
    if scores.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let n = scores.len() as f64;
    (
        scores.iter().map(|s| s.rouge1.f1).sum::<f64>() / n,
        scores.iter().map(|s| s.rouge2.f1).sum::<f64>() / n,
        scores.iter().map(|s| s.rouge_l.f1).sum::<f64>() / n,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_hand_computed_values() {
        let s = score("the cat sat on the mat", "the cat lay on the mat");
        // unigrams: 5 of 6 shared; bigrams: "the cat", "on the", "the mat" = 3 of 5.
        assert!((s.rouge1.f1 - 5.0 / 6.0).abs() < 1e-12);
        assert!((s.rouge2.f1 - 3.0 / 5.0).abs() < 1e-12);
        assert!((s.rouge_l.f1 - 5.0 / 6.0).abs() < 1e-12);
        assert_eq!(
            tokenize("U.S. won't-go, 2.5%"),
            vec!["u", "s", "won", "t", "go", "2", "5"]
        );
        assert_eq!(score("", "x").rouge1.f1, 0.0);
    }
}
