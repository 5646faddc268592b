//! The step every finding starts from: each source's language and reporting sentences
//! (debris dropped), one batched embedding pass over them and the frame descriptions, and
//! each sentence's salience in its source. Findings read this value and never re-embed.

use super::sources::Source;
use std::collections::HashMap;

use super::{epithets, exclusive, frames, text, Cite, CompareConfig};
use crate::analyze::extractive::{rank, ExtractiveConfig, Length};
use crate::encode::{Backend, BatchEncoder, Truncation};
use crate::error::Result;
use crate::input::{self, debris};

/// One reporting sentence of one source.
#[derive(Debug, Clone)]
pub struct Sent {
    /// Position of its source in [`Prepared::sources`].
    pub source: usize,
    /// 0-based position among all sentences of its source (debris included), as cited.
    pub index: usize,
    /// The sentence as split.
    pub text: String,
    /// Row in [`Prepared::vectors`], for sources the model reads.
    pub vector: Option<usize>,
    /// Centrality in its source, scaled to 0..1 (0 for sources the model does not read).
    pub salience: f32,
}

/// Everything the findings share, computed once.
pub struct Prepared<'a> {
    /// The sources, in input order.
    pub sources: &'a [Source],
    /// Each source's unit: its label, or its group in the group view.
    pub unit_names: Vec<String>,
    /// Each source's group in the group view (`None` without one).
    pub groups: Vec<Option<String>>,
    /// The distinct units, in order of first appearance.
    pub units: Vec<String>,
    /// Each source's language (detected, else declared, else English).
    pub langs: Vec<String>,
    /// Whether the embedding model reads each source's language.
    pub readable: Vec<bool>,
    /// Each source's sentence count before debris was dropped.
    pub all_counts: Vec<usize>,
    /// Every reporting sentence of every source, sources in order.
    pub sents: Vec<Sent>,
    /// Each source's sentences (indices into `sents`).
    pub by_source: Vec<Vec<usize>>,
    /// The sentences the model read (indices into `sents`): what semantic findings use.
    pub aligned: Vec<usize>,
    /// Sentence vectors (rows of readable sentences).
    pub vectors: Vec<Vec<f32>>,
    /// One vector per entry of [`frames::FRAMES`], embedded in the same pass.
    pub frame_vectors: Vec<Vec<f32>>,
    /// Names and epithets found in the reporting sentences, with their vectors: only with
    /// a multilingual model, which can tell that Switzerland and Швейцарії are one place,
    /// and "Russian President" and "президент России" one title.
    pub names: HashMap<String, Vec<f32>>,
    /// Each readable source's summary picks (indices into `sents`).
    pub picks: Vec<Option<Vec<usize>>>,
    /// What the reader must know, in the order found.
    pub warnings: Vec<String>,
}

impl Prepared<'_> {
    /// The vector of sentence `i` (an index into `sents`), if the model read it.
    pub fn vector(&self, i: usize) -> Option<&[f32]> {
        self.sents[i].vector.map(|v| self.vectors[v].as_slice())
    }

    /// The position of `unit` in [`Prepared::units`].
    pub fn unit_index(&self, unit: &str) -> usize {
        self.units
            .iter()
            .position(|u| u == unit)
            .expect("every unit is listed")
    }

    /// The unit sentence `i` belongs to.
    pub fn unit_of(&self, i: usize) -> &str {
        &self.unit_names[self.sents[i].source]
    }

    /// Sentence `i` as evidence.
    pub fn cite(&self, i: usize) -> Cite {
        let s = &self.sents[i];
        Cite {
            source: self.sources[s.source].label.clone(),
            index: s.index,
            text: s.text.clone(),
        }
    }
}

/// Splits, filters, embeds and ranks the sources' sentences.
pub fn prepare<'a, B: Backend<Output = Vec<f32>>>(
    encoder: &BatchEncoder<B>,
    model_name: &str,
    sources: &'a [Source],
    cfg: &CompareConfig,
) -> Result<Prepared<'a>> {
    let mut warnings = Vec::new();
    let groups: Vec<Option<String>> = sources.iter().map(|s| cfg.group_of(s)).collect();
    let unit_names: Vec<String> = sources
        .iter()
        .zip(&groups)
        .map(|(s, g)| g.clone().unwrap_or_else(|| s.label.clone()))
        .collect();
    let mut units: Vec<String> = Vec::new();
    for u in &unit_names {
        if !units.contains(u) {
            units.push(u.clone());
        }
    }
    if units.len() < 2 {
        warnings.push(format!(
            "only one {} ({}): nothing to compare it with, so shared, unique and disagreement \
             findings are empty",
            if cfg.group_by.is_some() {
                "group"
            } else {
                "source"
            },
            units.first().map(String::as_str).unwrap_or("none")
        ));
    }

    let mut langs = Vec::new();
    let mut all_counts = Vec::new();
    let mut sents: Vec<Sent> = Vec::new();
    let mut readable = Vec::new();
    for (si, s) in sources.iter().enumerate() {
        let lang = text::source_language(&s.doc).unwrap_or_else(|| "en".into());
        let ok = cfg
            .model_languages
            .as_ref()
            .is_none_or(|l| l.iter().any(|x| x == &lang));
        if !ok {
            warnings.push(format!(
                "{}: written in '{lang}', which the model {model_name} does not read; it is left \
                 out of claims, unique claims, disagreements and frames, and its summary is its \
                 lead (its terms and attributions are still reported). Pass --model-dir with a \
                 multilingual model to include it",
                s.label
            ));
        }
        let all = input::split(&s.doc.text, &lang);
        all_counts.push(all.len());
        for (index, sentence) in all.into_iter().enumerate() {
            let body = debris::strip_header(&sentence.text);
            if debris::is_reporting(body) {
                sents.push(Sent {
                    source: si,
                    index,
                    text: body.to_string(),
                    vector: None,
                    salience: 0.0,
                });
            }
        }
        langs.push(lang);
        readable.push(ok);
    }

    // One batched pass: every readable sentence, then the frame descriptions. A sentence
    // longer than the model reads is cut: its first 256 tokens still say what it reports.
    // Names, for matching them across languages (multilingual models only).
    let mut name_list: Vec<String> = Vec::new();
    if cfg.model_languages.is_none() {
        let mut seen = std::collections::HashSet::new();
        for s in sents.iter().filter(|s| readable[s.source]) {
            let found = exclusive::names(&s.text).into_iter().map(|(n, _, _)| n);
            let epithets = epithets::in_sentence(&s.text, &langs[s.source])
                .into_iter()
                .map(|(_, _, e)| e);
            for n in found.chain(epithets) {
                if seen.insert(n.clone()) {
                    name_list.push(n);
                }
            }
        }
    }
    let mut texts: Vec<&str> = Vec::new();
    for s in sents.iter_mut().filter(|s| readable[s.source]) {
        s.vector = Some(texts.len());
        texts.push(&s.text);
    }
    let frame_at = texts.len();
    texts.extend(frames::FRAMES.iter().map(|(_, d)| *d));
    let name_at = texts.len();
    texts.extend(name_list.iter().map(String::as_str));
    let mut vectors = encoder.encode(&texts, Truncation::Cut)?.outputs;
    let names: HashMap<String, Vec<f32>> = name_list
        .into_iter()
        .zip(vectors.split_off(name_at))
        .collect();
    let frame_vectors = vectors.split_off(frame_at);

    let by_source: Vec<Vec<usize>> = (0..sources.len())
        .map(|si| {
            (0..sents.len())
                .filter(|&i| sents[i].source == si)
                .collect()
        })
        .collect();

    // Each readable source's summary, and each sentence's salience in its source.
    let ext = ExtractiveConfig::default();
    let mut picks: Vec<Option<Vec<usize>>> = Vec::new();
    for (si, idx) in by_source.iter().enumerate() {
        if !readable[si] || idx.is_empty() {
            picks.push(None);
            continue;
        }
        let emb: Vec<Vec<f32>> = idx
            .iter()
            .map(|&i| vectors[sents[i].vector.expect("readable")].clone())
            .collect();
        let ranking = rank(&emb, |_| 0, Length::Sentences(cfg.summary_sentences), &ext);
        for (&i, salience) in idx.iter().zip(ranking.salience()) {
            sents[i].salience = salience;
        }
        picks.push(Some(ranking.picked.iter().map(|&k| idx[k]).collect()));
    }
    let aligned = (0..sents.len())
        .filter(|&i| sents[i].vector.is_some())
        .collect();
    Ok(Prepared {
        sources,
        unit_names,
        groups,
        units,
        langs,
        readable,
        all_counts,
        sents,
        by_source,
        aligned,
        vectors,
        frame_vectors,
        names,
        picks,
        warnings,
    })
}
