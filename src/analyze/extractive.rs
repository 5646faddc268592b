//! Extractive summaries: position-aware centrality in the spirit of PacSum (Zheng and
//! Lapata 2019), with redundancy control.
//!
//! News puts what matters first, and a sentence that many later sentences elaborate on is
//! central. PacSum captures both by a *directed* centrality: similarity to the sentences
//! that follow counts fully, similarity to those before counts negatively (repeating what
//! was said is not new). Similarities are first thresholded relative to the document's own
//! range (edges below `min + beta·(max − min)` are dropped), so the score depends on the
//! structure of this article, not on the model's absolute similarity scale.

use crate::encode::cosine;

/// Tunables of the extractive method. Defaults come from PacSum's news settings and from
/// the ROUGE evaluation on the project's data.
#[derive(Debug, Clone, Copy)]
pub struct ExtractiveConfig {
    /// Threshold position between the smallest and largest similarity (0..1).
    pub beta: f32,
    /// Weight of edges to earlier sentences.
    pub lambda_backward: f32,
    /// Weight of edges to later sentences.
    pub lambda_forward: f32,
    /// A candidate this similar to a chosen sentence is skipped as redundant.
    pub redundancy: f32,
    /// Most sentences of one document `summarize` scores: centrality compares every sentence
    /// with every other, so time grows with the square of this (5,000 sentences, about 100
    /// pages, take seconds). A longer document is refused before it is embedded, naming
    /// `--max-sentences`.
    pub max_sentences: usize,
}

impl Default for ExtractiveConfig {
    fn default() -> Self {
        Self {
            beta: 0.3,
            lambda_backward: -0.3,
            lambda_forward: 1.0,
            redundancy: 0.85,
            max_sentences: 5_000,
        }
    }
}

/// Scores each sentence; higher is more central. Two passes over the pairs (the range of
/// similarities, then the scores) instead of a stored n × n matrix: memory stays linear in
/// the sentences, for twice the dot products.
pub fn centrality(embeddings: &[Vec<f32>], cfg: &ExtractiveConfig) -> Vec<f32> {
    let n = embeddings.len();
    if n <= 1 {
        return vec![1.0; n];
    }
    let (mut lo, mut hi) = (f32::MAX, f32::MIN);
    for i in 0..n {
        for j in (i + 1)..n {
            let s = cosine(&embeddings[i], &embeddings[j]);
            lo = lo.min(s);
            hi = hi.max(s);
        }
    }
    let threshold = lo + cfg.beta * (hi - lo);
    (0..n)
        .map(|i| {
            let mut score = 0.0;
            for j in 0..n {
                if i == j {
                    continue;
                }
                // cosine(i, j) as the first pass computed it (with i < j), bit for bit.
                let s = if i < j {
                    cosine(&embeddings[i], &embeddings[j])
                } else {
                    cosine(&embeddings[j], &embeddings[i])
                };
                let e = (s - threshold).max(0.0);
                score += if j < i {
                    cfg.lambda_backward * e
                } else {
                    cfg.lambda_forward * e
                };
            }
            score
        })
        .collect()
}

/// Picks sentences by score, skipping those too similar to one already picked, until
/// `keep(picked_so_far)` says stop. Returns indices in document order.
pub fn select(
    embeddings: &[Vec<f32>],
    scores: &[f32],
    cfg: &ExtractiveConfig,
    mut keep_going: impl FnMut(&[usize]) -> bool,
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    // Ties go to the earlier sentence: news is written most important first.
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let mut chosen: Vec<usize> = Vec::new();
    for i in order {
        if !keep_going(&chosen) {
            break;
        }
        let redundant = chosen
            .iter()
            .any(|&c| cosine(&embeddings[c], &embeddings[i]) > cfg.redundancy);
        if !redundant {
            chosen.push(i);
        }
    }
    chosen.sort_unstable();
    chosen
}

/// How long a summary should be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Length {
    /// This many sentences.
    Sentences(usize),
    /// A share of the document's sentences (at least one).
    Ratio(f32),
    /// At most this many words (at least one sentence).
    Words(usize),
}

impl Default for Length {
    fn default() -> Self {
        Length::Sentences(3)
    }
}

/// Every sentence's centrality and the sentences a summary picks: what both `summarize`
/// and `compare` (per source, and as the salience of every sentence) need.
#[derive(Debug, Clone)]
pub struct Ranking {
    /// Centrality of each sentence, in document order.
    pub scores: Vec<f32>,
    /// The picked sentences, in document order.
    pub picked: Vec<usize>,
}

impl Ranking {
    /// Scores scaled to 0..1 within the document (1 the most central), so that salience
    /// reads the same in a long and a short article; all 1 when every score is equal.
    pub fn salience(&self) -> Vec<f32> {
        let (lo, hi) = self
            .scores
            .iter()
            .fold((f32::MAX, f32::MIN), |(l, h), &x| (l.min(x), h.max(x)));
        self.scores
            .iter()
            .map(|&x| if hi > lo { (x - lo) / (hi - lo) } else { 1.0 })
            .collect()
    }
}

/// Scores the sentences and picks a summary of `length`; `words(i)` is sentence i's word
/// count, used by [`Length::Words`].
pub fn rank(
    embeddings: &[Vec<f32>],
    words: impl Fn(usize) -> usize,
    length: Length,
    cfg: &ExtractiveConfig,
) -> Ranking {
    let scores = centrality(embeddings, cfg);
    let n = embeddings.len();
    let picked = match length {
        Length::Sentences(k) => select(embeddings, &scores, cfg, |c| c.len() < k),
        Length::Ratio(r) => {
            let k = ((n as f32 * r).round() as usize).max(1);
            select(embeddings, &scores, cfg, |c| c.len() < k)
        }
        Length::Words(w) => {
            let total = |c: &[usize]| -> usize { c.iter().map(|&i| words(i)).sum() };
            let mut chosen = select(embeddings, &scores, cfg, |c| c.is_empty() || total(c) < w);
            while chosen.len() > 1 && total(&chosen) > w {
                // Drop the lowest-scoring pick until the budget holds.
                let worst = *chosen
                    .iter()
                    .min_by(|&&a, &&b| scores[a].total_cmp(&scores[b]))
                    .expect("non-empty");
                chosen.retain(|&i| i != worst);
            }
            chosen
        }
    };
    Ranking { scores, picked }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentence_later_ones_elaborate_on_outranks_a_digression() {
        // 0 is the lead; 2 and 3 elaborate on it; 1 is an aside.
        let e = vec![
            vec![1.0, 0.1, 0.0],
            vec![0.0, 0.0, 1.0],
            vec![0.9, 0.2, 0.1],
            vec![0.8, 0.3, 0.0],
        ];
        let s = centrality(&e, &ExtractiveConfig::default());
        assert!(s[0] > s[1] && s[0] > s[3], "{s:?}");
    }

    #[test]
    fn redundant_sentences_are_skipped_and_order_is_the_documents() {
        let e = vec![vec![1.0, 0.0], vec![0.0, 1.0], vec![1.0, 0.01]];
        let chosen = select(&e, &[0.5, 0.1, 0.9], &ExtractiveConfig::default(), |c| {
            c.len() < 2
        });
        assert_eq!(chosen, vec![1, 2]);
    }
}
