//! How several sources cover one story: what they share, what only one reports, where
//! their figures disagree, how their wording differs, whom they quote and how they frame
//! it. Every finding carries the sentences behind it (`Cite`: source, position, text).
//!
//! Semantic analyses (claims, unique claims, disagreements, frames, summaries) need the
//! embedding model to understand the source's language; lexical ones (terms, attribution)
//! work on any language with word boundaries.

pub mod attribution;
pub mod claims;
pub mod facts;
pub mod frames;
pub mod terms;
pub mod text;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::extractive::{centrality, select, ExtractiveConfig};
use crate::encode::{cosine, Embedder, NliModel, Truncation};
use crate::error::Result;
use crate::input::{self, Document};
use claims::{AlignConfig, Item};
use terms::Term;

/// The JSON schema version of [`Report`]; bumped on any breaking change.
pub const SCHEMA: &str = "parallax.compare/1";

/// One input source with the label the report uses for it.
#[derive(Debug, Clone)]
pub struct Source {
    pub label: String,
    pub doc: Document,
}

/// Sources labelled by outlet, else title, else file name.
pub fn label_sources(docs: Vec<Document>) -> Vec<Source> {
    docs.into_iter()
        .map(|doc| {
            let label = doc
                .outlet
                .clone()
                .or_else(|| doc.title.clone())
                .unwrap_or_else(|| {
                    std::path::Path::new(&doc.origin)
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_else(|| doc.origin.clone())
                });
            Source { label, doc }
        })
        .collect()
}

/// Makes labels distinct: a repeated outlet gets its record id (or a number), so every
/// citation names exactly one source.
pub fn distinct_labels(sources: &mut [Source]) {
    for i in 0..sources.len() {
        if sources[..i].iter().any(|s| s.label == sources[i].label) {
            let base = sources[i].label.clone();
            let mut candidate = match &sources[i].doc.id {
                Some(id) => format!("{base} [{id}]"),
                None => format!("{base} #2"),
            };
            let mut k = 2;
            while sources.iter().any(|s| s.label == candidate) {
                k += 1;
                candidate = format!("{base} #{k}");
            }
            sources[i].label = candidate;
        }
    }
}

/// What the group view groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    Country,
    Outlet,
}

#[derive(Debug, Clone)]
pub struct CompareConfig {
    /// Sentences in each source's summary.
    pub summary_sentences: usize,
    pub group_by: Option<GroupBy>,
    /// Languages the embedding model understands; `None` when it is multilingual.
    pub model_languages: Option<Vec<String>>,
    pub align: AlignConfig,
    /// A sentence is unique to its source when no sentence of another source reaches this
    /// cosine (0.45: below it, MiniLM pairs in the coverage data share at most the topic).
    pub unique_below: f32,
    /// Sentences this similar (or in one claim) are checked for conflicting figures.
    pub related: f32,
    pub max_shared: usize,
    pub max_unique: usize,
    pub max_terms: usize,
}

impl Default for CompareConfig {
    fn default() -> Self {
        Self {
            summary_sentences: 3,
            group_by: None,
            model_languages: Some(vec!["en".into()]),
            align: AlignConfig::default(),
            unique_below: 0.45,
            related: 0.5,
            max_shared: 25,
            max_unique: 5,
            max_terms: 12,
        }
    }
}

/// A sentence as evidence: which source, where in it (0-based sentence index), what it says.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Cite {
    pub source: String,
    pub index: usize,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceReport {
    pub label: String,
    /// The unit this source belongs to in the group view (its country or outlet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub id: Option<String>,
    pub outlet: Option<String>,
    pub country: Option<String>,
    pub title: Option<String>,
    pub url: Option<String>,
    /// Detected language (ISO 639-1), falling back to the declared one.
    pub language: String,
    /// The `language` field of the input, when it had one.
    pub declared_language: Option<String>,
    pub sentences: usize,
    /// Sentences left after dropping site debris (menus, bylines, "Read more", headings).
    pub reporting_sentences: usize,
    /// Whether the embedding model read this source (false: language it does not know).
    pub aligned: bool,
    pub summary: Vec<Cite>,
    /// "extractive", or "lead" when the model cannot read the language.
    pub summary_method: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct SharedClaim {
    /// The sources (or groups) that carry it.
    pub units: Vec<String>,
    /// Mean cosine between the wordings: 1 is near-identical text.
    pub similarity: f32,
    /// Each source's own wording (one sentence per source).
    pub wording: Vec<Cite>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UniqueClaim {
    pub cite: Cite,
    /// Centrality of the sentence in its own source (0..1, 1 the most central).
    pub salience: f32,
    /// Highest cosine to any sentence of another unit: how far from unique it came.
    pub nearest: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitUnique {
    pub unit: String,
    pub claims: Vec<UniqueClaim>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FigureCite {
    pub value: String,
    pub cite: Cite,
}

#[derive(Debug, Clone, Serialize)]
pub struct Disagreement {
    /// What is counted: a class (killed, injured, points, ...) or the word after the number.
    pub what: String,
    pub a: FigureCite,
    pub b: FigureCite,
    /// Cosine between the two sentences.
    pub similarity: f32,
    /// Whether the two sentences were aligned into one claim.
    pub same_claim: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitTerms {
    pub unit: String,
    pub language: String,
    /// The units whose text in the same language it was compared against.
    pub against: Vec<String>,
    pub terms: Vec<Term>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Speaker {
    pub name: String,
    pub count: usize,
    pub evidence: Vec<Cite>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitAttribution {
    pub unit: String,
    pub speakers: Vec<Speaker>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrameShare {
    pub frame: String,
    pub sentences: usize,
    pub share: f32,
    /// The sentence of this unit most similar to the frame's description.
    pub example: Option<Cite>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitFrames {
    pub unit: String,
    pub sentences: usize,
    pub shares: Vec<FrameShare>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FramesReport {
    pub method: &'static str,
    pub note: &'static str,
    pub units: Vec<UnitFrames>,
    /// Frames by zero-shot NLI, when an NLI model was given (`--nli-model-dir`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nli: Option<NliFrames>,
    /// Every framed sentence with its frame by each method: the evidence behind the shares.
    pub sentences: Vec<FramedSentence>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NliFrames {
    pub model: String,
    /// The hypothesis template; `{}` took each frame's topic.
    pub template: String,
    /// The hypothesis of each frame, exactly as the model read it.
    pub hypotheses: Vec<Hypothesis>,
    pub method: &'static str,
    pub note: &'static str,
    pub units: Vec<UnitFrames>,
    /// Share of sentences that NLI and similarity put in the same frame.
    pub agreement: f32,
    /// (sentence, hypothesis) pairs the model read.
    pub pairs: usize,
    pub elapsed_ms: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hypothesis {
    pub frame: &'static str,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FramedSentence {
    #[serde(flatten)]
    pub cite: Cite,
    pub unit: String,
    /// Frame by similarity, and the cosine to its description.
    pub frame: &'static str,
    pub similarity: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nli: Option<NliFrame>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NliFrame {
    pub frame: &'static str,
    /// The frame whose hypothesis it entails most; `frame` is "Other" when even this one
    /// is more contradicted than entailed.
    pub best: &'static str,
    /// Zero-shot score: the frame's share of the softmax over all frames' entailment.
    pub probability: f32,
    /// Entailment against contradiction for this frame alone.
    pub entailment: f32,
}

/// Zero-shot framing with an NLI model, for [`compare`].
pub struct NliFraming<'a> {
    pub model: &'a NliModel,
    /// The model's name in the report.
    pub name: String,
    /// Hypothesis template with `{}` for the frame's topic.
    pub template: String,
    /// Called with (pairs done, pairs) after each batch: this is the slow part.
    pub progress: Box<dyn FnMut(usize, usize) + 'a>,
}

/// The whole comparison. Top-level keys are the stable JSON schema (see README).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub model: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_by: Option<GroupBy>,
    /// The units compared: source labels, or group names with `group_by`.
    pub units: Vec<String>,
    pub sources: Vec<SourceReport>,
    pub shared: Vec<SharedClaim>,
    pub unique: Vec<UnitUnique>,
    pub disagreements: Vec<Disagreement>,
    pub terms: Vec<UnitTerms>,
    pub attribution: Vec<UnitAttribution>,
    pub frames: FramesReport,
    pub warnings: Vec<String>,
    /// Wall time of the comparison, model loading excluded.
    pub elapsed_ms: u64,
}

/// One reporting sentence of one source.
struct Sent {
    source: usize,
    index: usize,
    text: String,
    /// Row in the embedding matrix, for sources the model reads.
    vector: Option<usize>,
    salience: f32,
}

/// Compares the sources. Labels must be distinct (the CLI makes them so).
pub fn compare(
    embedder: &mut Embedder,
    model_name: &str,
    sources: &[Source],
    cfg: &CompareConfig,
    nli: Option<NliFraming>,
) -> Result<Report> {
    let started = std::time::Instant::now();
    let mut warnings = Vec::new();
    let group_of = |s: &Source| -> Option<String> {
        cfg.group_by.map(|g| {
            let v = match g {
                GroupBy::Country => s.doc.country.clone(),
                GroupBy::Outlet => s.doc.outlet.clone(),
            };
            v.unwrap_or_else(|| "unknown".into())
        })
    };
    let unit_names: Vec<String> = sources
        .iter()
        .map(|s| group_of(s).unwrap_or_else(|| s.label.clone()))
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

    // Languages, sentences, debris.
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
            if text::is_reporting(&sentence.text) {
                sents.push(Sent {
                    source: si,
                    index,
                    text: sentence.text,
                    vector: None,
                    salience: 0.0,
                });
            }
        }
        langs.push(lang);
        readable.push(ok);
    }

    // One batched pass: every readable sentence, then the frame descriptions.
    embedder.truncation = Truncation::Cut;
    let mut texts: Vec<&str> = Vec::new();
    for s in sents.iter_mut().filter(|s| readable[s.source]) {
        s.vector = Some(texts.len());
        texts.push(&s.text);
    }
    let frame_at = texts.len();
    texts.extend(frames::FRAMES.iter().map(|(_, d)| *d));
    let vectors = embedder.encode(&texts)?.outputs;
    let vec_of = |s: &Sent| s.vector.map(|v| vectors[v].as_slice());

    let by_source: Vec<Vec<usize>> = (0..sources.len())
        .map(|si| {
            (0..sents.len())
                .filter(|&i| sents[i].source == si)
                .collect()
        })
        .collect();

    // Per-source summaries, and each sentence's salience in its source.
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
        let scores = centrality(&emb, &ext);
        let (lo, hi) = scores
            .iter()
            .fold((f32::MAX, f32::MIN), |(l, h), &x| (l.min(x), h.max(x)));
        for (k, &i) in idx.iter().enumerate() {
            sents[i].salience = if hi > lo {
                (scores[k] - lo) / (hi - lo)
            } else {
                1.0
            };
        }
        let picked = select(&emb, &scores, &ext, |c| c.len() < cfg.summary_sentences);
        picks.push(Some(picked.iter().map(|&k| idx[k]).collect()));
    }
    let cite = |s: &Sent| Cite {
        source: sources[s.source].label.clone(),
        index: s.index,
        text: s.text.clone(),
    };
    let mut reports = Vec::new();
    for (si, s) in sources.iter().enumerate() {
        let idx = &by_source[si];
        let (summary, method) = match &picks[si] {
            Some(p) => (p.iter().map(|&i| cite(&sents[i])).collect(), "extractive"),
            None => (
                idx.iter()
                    .take(cfg.summary_sentences)
                    .map(|&i| cite(&sents[i]))
                    .collect::<Vec<_>>(),
                "lead",
            ),
        };
        reports.push(SourceReport {
            label: s.label.clone(),
            group: group_of(s),
            id: s.doc.id.clone(),
            outlet: s.doc.outlet.clone(),
            country: s.doc.country.clone(),
            title: s.doc.title.clone(),
            url: s.doc.url.clone(),
            language: langs[si].clone(),
            declared_language: s.doc.language.clone(),
            sentences: all_counts[si],
            reporting_sentences: idx.len(),
            aligned: readable[si],
            summary,
            summary_method: method,
        });
    }

    // Claims over readable sentences.
    let aligned: Vec<usize> = (0..sents.len())
        .filter(|&i| sents[i].vector.is_some())
        .collect();
    let items: Vec<Item> = aligned
        .iter()
        .map(|&i| Item {
            source: sents[i].source,
            vector: vec_of(&sents[i]).unwrap(),
        })
        .collect();
    let claim_sets: Vec<Vec<usize>> = claims::align(&items, cfg.align)
        .into_iter()
        .map(|c| c.into_iter().map(|k| aligned[k]).collect())
        .collect();
    let unit_of_sent = |i: usize| unit_names[sents[i].source].as_str();
    let mut claim_of: HashMap<usize, usize> = HashMap::new();
    let mut shared = Vec::new();
    for (ci, members) in claim_sets.iter().enumerate() {
        let mut cu: Vec<String> = Vec::new();
        for &i in members {
            let u = unit_of_sent(i).to_string();
            if !cu.contains(&u) {
                cu.push(u);
            }
        }
        for &i in members {
            claim_of.insert(i, ci);
        }
        if cu.len() < 2 {
            continue;
        }
        // Each source's most representative sentence: highest mean cosine to the others.
        let mut wording: Vec<usize> = Vec::new();
        let mut by_source: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for &i in members {
            by_source.entry(sents[i].source).or_default().push(i);
        }
        for (_, cands) in by_source {
            let best = cands
                .iter()
                .copied()
                .max_by(|&a, &b| {
                    let score = |x: usize| -> f32 {
                        members
                            .iter()
                            .filter(|&&m| m != x)
                            .map(|&m| {
                                cosine(vec_of(&sents[x]).unwrap(), vec_of(&sents[m]).unwrap())
                            })
                            .sum()
                    };
                    score(a).total_cmp(&score(b))
                })
                .expect("non-empty");
            wording.push(best);
        }
        let mut total = 0.0;
        let mut pairs = 0;
        for (a, &x) in wording.iter().enumerate() {
            for &y in &wording[a + 1..] {
                total += cosine(vec_of(&sents[x]).unwrap(), vec_of(&sents[y]).unwrap());
                pairs += 1;
            }
        }
        cu.sort_by_key(|u| units.iter().position(|x| x == u));
        shared.push(SharedClaim {
            units: cu,
            similarity: round3(if pairs > 0 { total / pairs as f32 } else { 1.0 }),
            wording: wording.iter().map(|&i| cite(&sents[i])).collect(),
        });
    }
    shared.sort_by(|a, b| {
        b.units
            .len()
            .cmp(&a.units.len())
            .then(b.wording.len().cmp(&a.wording.len()))
            .then(b.similarity.total_cmp(&a.similarity))
    });
    shared.truncate(cfg.max_shared);

    // Unique claims: salient readable sentences no other unit comes close to.
    let in_shared = |i: usize| {
        claim_of.get(&i).is_some_and(|&c| {
            claim_sets[c]
                .iter()
                .any(|&m| unit_of_sent(m) != unit_of_sent(i))
        })
    };
    let mut unique = Vec::new();
    for u in &units {
        let others: Vec<usize> = aligned
            .iter()
            .copied()
            .filter(|&j| unit_of_sent(j) != u)
            .collect();
        if others.is_empty() {
            continue;
        }
        let mut found: Vec<UniqueClaim> = aligned
            .iter()
            .copied()
            .filter(|&i| unit_of_sent(i) == u && !in_shared(i))
            .filter_map(|i| {
                let v = vec_of(&sents[i]).unwrap();
                let nearest = others
                    .iter()
                    .map(|&j| cosine(v, vec_of(&sents[j]).unwrap()))
                    .fold(f32::MIN, f32::max);
                (nearest < cfg.unique_below).then(|| UniqueClaim {
                    cite: cite(&sents[i]),
                    salience: round3(sents[i].salience),
                    nearest: round3(nearest),
                })
            })
            .collect();
        found.sort_by(|a, b| b.salience.total_cmp(&a.salience));
        found.truncate(cfg.max_unique);
        unique.push(UnitUnique {
            unit: u.clone(),
            claims: found,
        });
    }

    // Disagreements between related sentences of different units: counts when the
    // sentences are in one claim or similar; dates on stricter terms (below).
    let figs: Vec<(usize, Vec<facts::Figure>, Vec<facts::Figure>)> = aligned
        .iter()
        .map(|&i| {
            let t = &sents[i].text;
            (i, facts::figures(t), facts::dates(t))
        })
        .filter(|(_, f, d)| !f.is_empty() || !d.is_empty())
        .collect();
    let mut disagreements: Vec<Disagreement> = Vec::new();
    for (k, (i, fi, di)) in figs.iter().enumerate() {
        for (j, fj, dj) in &figs[k + 1..] {
            let (i, j) = (*i, *j);
            if unit_of_sent(i) == unit_of_sent(j) {
                continue;
            }
            let same_claim = claim_of.contains_key(&i) && claim_of.get(&i) == claim_of.get(&j);
            let sim = cosine(vec_of(&sents[i]).unwrap(), vec_of(&sents[j]).unwrap());
            if !same_claim && sim < cfg.related {
                continue;
            }
            let mut found = facts::conflicts(fi, fj);
            // Two dates in one claim are often two stages of one story (a swap on the 23rd
            // and the 25th, talks on the 23rd and a deadline on the 27th); they conflict only
            // when the sentences also give the same count, or say nearly the same thing.
            let anchored = fi
                .iter()
                .any(|a| fj.iter().any(|b| a.what == b.what && a.value == b.value));
            if same_claim && (anchored || sim >= cfg.align.strong) {
                found.extend(facts::conflicts(di, dj));
            }
            for (a, b) in found {
                disagreements.push(Disagreement {
                    what: a.what.clone(),
                    a: FigureCite {
                        value: a.text,
                        cite: cite(&sents[i]),
                    },
                    b: FigureCite {
                        value: b.text,
                        cite: cite(&sents[j]),
                    },
                    similarity: round3(sim),
                    same_claim,
                });
            }
        }
    }
    disagreements.sort_by(|a, b| {
        b.same_claim
            .cmp(&a.same_claim)
            .then(b.similarity.total_cmp(&a.similarity))
    });
    // One row per conflict between two sources: the clearest pair of sentences stays.
    let mut seen: Vec<(String, String, String, String, String)> = Vec::new();
    disagreements.retain(|d| {
        let (x, y) = (
            (d.a.cite.source.clone(), d.a.value.clone()),
            (d.b.cite.source.clone(), d.b.value.clone()),
        );
        let (x, y) = if x <= y { (x, y) } else { (y, x) };
        let key = (d.what.clone(), x.0, x.1, y.0, y.1);
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });

    // Distinctive terms, within each language.
    let mut terms_out = Vec::new();
    let mut languages: Vec<&String> = langs.iter().collect();
    languages.sort();
    languages.dedup();
    for lang in languages {
        let text_of = |u: &str| -> Vec<&str> {
            sents
                .iter()
                .filter(|s| unit_names[s.source] == u && &langs[s.source] == lang)
                .map(|s| s.text.as_str())
                .collect()
        };
        let present: Vec<&String> = units.iter().filter(|u| !text_of(u).is_empty()).collect();
        if present.len() < 2 {
            continue;
        }
        for u in &present {
            let focus = terms::counts(text_of(u), lang);
            let against: Vec<String> = present
                .iter()
                .filter(|x| *x != u)
                .map(|x| x.to_string())
                .collect();
            let rest = terms::counts(against.iter().flat_map(|x| text_of(x)), lang);
            terms_out.push(UnitTerms {
                unit: u.to_string(),
                language: lang.clone(),
                terms: terms::distinctive(&focus, &rest, 50.0, 2, 0.5, cfg.max_terms),
                against,
            });
        }
    }

    // Attribution.
    let mut attribution = Vec::new();
    for u in &units {
        let mut found: Vec<Speaker> = Vec::new();
        for s in sents.iter().filter(|s| &unit_names[s.source] == u) {
            for name in attribution::speakers(&s.text) {
                match found.iter_mut().find(|x| x.name == name) {
                    Some(x) => {
                        x.count += 1;
                        if x.evidence.len() < 3 {
                            x.evidence.push(cite(s));
                        }
                    }
                    None => found.push(Speaker {
                        name,
                        count: 1,
                        evidence: vec![cite(s)],
                    }),
                }
            }
        }
        found.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
        attribution.push(UnitAttribution {
            unit: u.clone(),
            speakers: found,
        });
    }

    // Frames: by similarity always, by zero-shot NLI when a model was given.
    let frame_vecs = &vectors[frame_at..];
    let by_sim: Vec<(usize, f32)> = aligned
        .iter()
        .map(|&i| frames::by_similarity(vec_of(&sents[i]).unwrap(), frame_vecs))
        .collect();
    let frame_units = unit_frames(
        &units,
        &aligned,
        &by_sim,
        |i| unit_of_sent(i),
        |i| cite(&sents[i]),
    );
    let nli_report = match nli {
        None => None,
        Some(mut n) => {
            let foreign: Vec<&str> = aligned
                .iter()
                .map(|&i| langs[sents[i].source].as_str())
                .filter(|l| *l != "en")
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            if !foreign.is_empty() {
                warnings.push(format!(
                    "frames by NLI: sentences in {} are judged against English hypotheses by {}; \
                     that is meaningful only if it is a multilingual (XNLI-trained) model",
                    foreign.join(", "),
                    n.name
                ));
            }
            let nli_started = std::time::Instant::now();
            let texts: Vec<&str> = aligned.iter().map(|&i| sents[i].text.as_str()).collect();
            let hypotheses = frames::hypotheses(&n.template)?;
            let verdicts = frames::by_nli(n.model, &texts, &hypotheses, &mut n.progress)?;
            let scored: Vec<(usize, f32)> =
                verdicts.iter().map(|v| (v.frame, v.probability)).collect();
            let same = scored
                .iter()
                .zip(&by_sim)
                .filter(|(a, b)| a.0 == b.0)
                .count();
            Some((
                NliFrames {
                    model: n.name.clone(),
                    template: n.template.clone(),
                    hypotheses: hypotheses
                        .into_iter()
                        .zip(frames::FRAMES)
                        .map(|(text, (frame, _))| Hypothesis { frame, text })
                        .collect(),
                    method: "zero-shot natural language inference",
                    note: "each sentence goes to the frame whose hypothesis (the template filled \
                           with the frame's topic) it entails most, as Hugging Face's zero-shot \
                           pipeline does; \"Other\" when even that one is more contradicted than \
                           entailed. Stronger than similarity, still not a trained coder",
                    units: unit_frames(
                        &units,
                        &aligned,
                        &scored,
                        |i| unit_of_sent(i),
                        |i| cite(&sents[i]),
                    ),
                    agreement: if aligned.is_empty() {
                        0.0
                    } else {
                        round3(same as f32 / aligned.len() as f32)
                    },
                    pairs: aligned.len() * frames::NLI_TOPICS.len(),
                    elapsed_ms: nli_started.elapsed().as_millis() as u64,
                },
                verdicts,
            ))
        }
    };
    let framed: Vec<FramedSentence> = aligned
        .iter()
        .enumerate()
        .map(|(k, &i)| FramedSentence {
            cite: cite(&sents[i]),
            unit: unit_of_sent(i).to_string(),
            frame: frames::FRAMES[by_sim[k].0].0,
            similarity: round3(by_sim[k].1),
            nli: nli_report.as_ref().map(|(_, v)| NliFrame {
                frame: frames::FRAMES[v[k].frame].0,
                best: frames::FRAMES[v[k].best].0,
                probability: round3(v[k].probability),
                entailment: round3(v[k].entailment),
            }),
        })
        .collect();

    Ok(Report {
        schema: SCHEMA,
        model: model_name.to_string(),
        group_by: cfg.group_by,
        units,
        sources: reports,
        shared,
        unique,
        disagreements,
        terms: terms_out,
        attribution,
        frames: FramesReport {
            method: "similarity to frame descriptions",
            note: "approximate: each sentence goes to the Policy Frames Codebook frame whose \
                   description it is most similar to; read shares over many sentences, not \
                   single assignments",
            units: frame_units,
            nli: nli_report.map(|(r, _)| r),
            sentences: framed,
        },
        warnings,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}

/// Each unit's share of sentences per frame, from one frame and score per sentence (in
/// the order of `sentences`); a frame's example is its highest-scoring sentence.
fn unit_frames<'a>(
    units: &[String],
    sentences: &[usize],
    verdicts: &[(usize, f32)],
    unit_of: impl Fn(usize) -> &'a str,
    cite: impl Fn(usize) -> Cite,
) -> Vec<UnitFrames> {
    units
        .iter()
        .map(|u| {
            let mut counts = vec![0usize; frames::FRAMES.len()];
            let mut best: Vec<Option<(f32, usize)>> = vec![None; frames::FRAMES.len()];
            let mut n = 0;
            for (&i, &(f, score)) in sentences.iter().zip(verdicts) {
                if unit_of(i) != u {
                    continue;
                }
                n += 1;
                counts[f] += 1;
                if best[f].is_none_or(|(b, _)| score > b) {
                    best[f] = Some((score, i));
                }
            }
            let mut shares: Vec<FrameShare> = frames::FRAMES
                .iter()
                .enumerate()
                .filter(|(f, _)| counts[*f] > 0)
                .map(|(f, (name, _))| FrameShare {
                    frame: name.to_string(),
                    sentences: counts[f],
                    share: round3(counts[f] as f32 / n as f32),
                    example: best[f].map(|(_, i)| cite(i)),
                })
                .collect();
            shares.sort_by_key(|s| std::cmp::Reverse(s.sentences));
            UnitFrames {
                unit: u.clone(),
                sentences: n,
                shares,
            }
        })
        .collect()
}

fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}
