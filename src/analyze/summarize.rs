//! Summaries of whole documents, built on the extractive scorer and the embedding engine.

use serde::Serialize;

use super::extractive::{centrality, select, ExtractiveConfig};
use crate::encode::{Embedder, Truncation};
use crate::error::Result;
use crate::input::{self, Document, Sentence};

/// How long a summary should be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Length {
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

/// One picked sentence, with its index among the source's sentences.
#[derive(Debug, Clone, Serialize)]
pub struct Picked {
    pub index: usize,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outlet: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub origin: String,
    pub summary: String,
    pub sentences: Vec<Picked>,
    pub method: &'static str,
    pub model: String,
    pub input_sentences: usize,
    pub input_tokens: usize,
    /// Sentences cut to the model's maximum before embedding.
    pub truncated_sentences: usize,
}

/// Sentences a summary should never pick: no letters, or too short to say anything.
fn is_content(s: &Sentence) -> bool {
    s.text.split_whitespace().count() >= 4 && s.text.chars().any(char::is_alphabetic)
}

/// Extractive summaries of several documents, with all their sentences embedded in one
/// batched pass.
pub fn summarize_extractive(
    embedder: &mut Embedder,
    model_name: &str,
    docs: &[Document],
    length: Length,
    cfg: &ExtractiveConfig,
) -> Result<Vec<Summary>> {
    // Over-long sentences are cut, and counted in the output, rather than failing a summary.
    embedder.truncation = Truncation::Cut;
    // Each document's content sentences, with their index among all its sentences.
    let split: Vec<Vec<(usize, Sentence)>> = docs
        .iter()
        .map(|d| {
            input::split(&d.text, d.language.as_deref().unwrap_or("en"))
                .into_iter()
                .enumerate()
                .filter(|(_, s)| is_content(s))
                .collect()
        })
        .collect();
    let all: Vec<&str> = split
        .iter()
        .flatten()
        .map(|(_, s)| s.text.as_str())
        .collect();
    let encoded = embedder.encode(&all)?;
    let mut vectors = encoded.outputs.into_iter();
    let mut at = 0;
    let mut out = Vec::with_capacity(docs.len());
    for (doc, sents) in docs.iter().zip(&split) {
        let emb: Vec<Vec<f32>> = vectors.by_ref().take(sents.len()).collect();
        let tokens: usize = encoded.lengths[at..at + sents.len()].iter().sum();
        let truncated = encoded
            .truncated
            .iter()
            .filter(|&&i| i >= at && i < at + sents.len())
            .count();
        at += sents.len();
        let scores = centrality(&emb, cfg);
        let n = sents.len();
        let picked = match length {
            Length::Sentences(k) => select(&emb, &scores, cfg, |c| c.len() < k),
            Length::Ratio(r) => {
                let k = ((n as f32 * r).round() as usize).max(1);
                select(&emb, &scores, cfg, |c| c.len() < k)
            }
            Length::Words(w) => {
                let words = |c: &[usize]| -> usize {
                    c.iter()
                        .map(|&i| sents[i].1.text.split_whitespace().count())
                        .sum()
                };
                let mut chosen = select(&emb, &scores, cfg, |c| c.is_empty() || words(c) < w);
                while chosen.len() > 1 && words(&chosen) > w {
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
        let sentences: Vec<Picked> = picked
            .iter()
            .map(|&i| Picked {
                index: sents[i].0,
                text: sents[i].1.text.clone(),
            })
            .collect();
        out.push(Summary {
            id: doc.id.clone(),
            outlet: doc.outlet.clone(),
            title: doc.title.clone(),
            url: doc.url.clone(),
            origin: doc.origin.clone(),
            summary: sentences
                .iter()
                .map(|p| p.text.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            sentences,
            method: "extractive",
            model: model_name.to_string(),
            input_sentences: n,
            input_tokens: tokens,
            truncated_sentences: truncated,
        });
    }
    Ok(out)
}

/// The Lead-k baseline: the document's first `k` sentences, as split for summaries.
pub fn lead(text: &str, lang: &str, k: usize) -> Vec<String> {
    input::split(text, lang)
        .into_iter()
        .take(k)
        .map(|s| s.text)
        .collect()
}
