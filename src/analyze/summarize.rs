//! Summaries of whole documents, built on the extractive scorer and the embedding engine.

use serde::Serialize;

pub use super::extractive::Length;
use super::extractive::{rank, ExtractiveConfig};
use crate::encode::{Backend, BatchEncoder, Truncation};
use crate::error::{Error, Result};
use crate::input::{self, debris, Document, Sentence};

/// One sentence of a summary.
#[derive(Debug, Clone, Serialize)]
pub struct Picked {
    /// Its index among the source's sentences (0-based), for a sentence taken verbatim;
    /// `null` for generated text.
    pub index: Option<usize>,
    /// The sentence, or the generated text.
    pub text: String,
    /// For a generated sentence: the source sentence that shares the most words with it,
    /// so a reader can check what it rests on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
}

/// The source sentence behind a generated one.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    /// The source sentence's position among the article's sentences.
    pub index: usize,
    /// The source sentence.
    pub text: String,
    /// ROUGE-1 F1 between the generated sentence and this one (0..1): low values mean the
    /// model wrote something the article does not say in those words.
    pub overlap: f64,
}

#[derive(Debug, Clone, Serialize)]
/// The summary of one document, with what produced it.
pub struct Summary {
    /// The record's `id`, kept for scripts.
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The outlet, from the record.
    pub outlet: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The headline, from the record.
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The URL, from the record.
    pub url: Option<String>,
    /// Where the document came from: a file, `file:line` or `-`.
    pub origin: String,
    /// The summary as one text.
    pub summary: String,
    /// Its sentences, each with where it comes from.
    pub sentences: Vec<Picked>,
    /// "extractive" or "abstractive".
    pub method: &'static str,
    /// The model's name.
    pub model: String,
    /// Sentences in the document that could be picked.
    pub input_sentences: usize,
    /// Tokens the model read.
    pub input_tokens: usize,
    /// Model inputs cut to the model's maximum: sentences (extractive) or chunks
    /// (abstractive). Zero means the model saw the whole text.
    pub truncated_inputs: usize,
    /// Pieces the document was read in: 1 for extractive (scored whole), the number of
    /// map-stage chunks for abstractive.
    pub chunks: usize,
    /// Wall time of the batched pass that produced this summary (shared by every input of
    /// the pass, since they run together), model loading excluded.
    pub elapsed_ms: u64,
    /// The decoding settings, for abstractive summaries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generation: Option<crate::encode::GenerationSettings>,
}

/// Extractive summaries of several documents, with all their sentences embedded in one
/// batched pass.
pub fn summarize_extractive<B: Backend<Output = Vec<f32>>>(
    embedder: &BatchEncoder<B>,
    model_name: &str,
    docs: &[Document],
    length: Length,
    cfg: &ExtractiveConfig,
) -> Result<Vec<Summary>> {
    // Each document's content sentences, with their index among all its sentences.
    let split: Vec<Vec<(usize, Sentence)>> = docs
        .iter()
        .map(|d| {
            input::split(
                &d.text,
                &input::language::source_language(d).unwrap_or_else(|| "en".into()),
            )
            .into_iter()
            .enumerate()
            .filter(|(_, s)| debris::is_reporting(&s.text))
            .collect()
        })
        .collect();
    for (doc, sents) in docs.iter().zip(&split) {
        if sents.len() > cfg.max_sentences {
            return Err(Error::File {
                path: doc.origin.clone().into(),
                message: format!(
                    "{} sentences to score, over --max-sentences {} (centrality compares every \
                     pair, so time grows with the square); raise --max-sentences, or split the \
                     text into articles",
                    sents.len(),
                    cfg.max_sentences
                ),
            });
        }
    }
    let all: Vec<&str> = split
        .iter()
        .flatten()
        .map(|(_, s)| s.text.as_str())
        .collect();
    let started = std::time::Instant::now();
    // Over-long sentences are cut, and counted in the output, rather than failing a summary.
    let encoded = embedder.encode(&all, Truncation::Cut)?;
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
        let picked = rank(
            &emb,
            |i| sents[i].1.text.split_whitespace().count(),
            length,
            cfg,
        )
        .picked;
        let n = sents.len();
        let sentences: Vec<Picked> = picked
            .iter()
            .map(|&i| Picked {
                index: Some(sents[i].0),
                text: sents[i].1.text.clone(),
                evidence: None,
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
            truncated_inputs: truncated,
            chunks: 1,
            elapsed_ms: 0,
            generation: None,
        });
    }
    let elapsed_ms = started.elapsed().as_millis() as u64;
    for s in &mut out {
        s.elapsed_ms = elapsed_ms;
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
