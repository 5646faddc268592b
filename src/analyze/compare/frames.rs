//! Frames: which aspect of the story each sentence stresses, in the 15 frames of the Policy
//! Frames Codebook (Boydstun, Card, Gross, Resnik and Smith 2014).
//!
//! Offline, parallax assigns each sentence to the frame whose description it is most
//! similar to in the embedding space. This is an approximation: the codebook is applied by
//! trained human coders, and similarity to a short description is a much weaker judge than
//! they are. Shares over many sentences are informative; one sentence's frame is not.
//!
//! With an NLI model (`--nli-model-dir`), frames are also assigned by zero-shot natural
//! language inference, as Hugging Face's zero-shot classification pipeline does: each
//! sentence is the premise, "This text is about {topic}." the hypothesis for each frame,
//! and the frame with the highest entailment wins. This reads each sentence with the
//! hypothesis, not just near it, and is the stronger (and 14 times costlier) method; it is
//! still not a trained coder.

use super::prepare::Prepared;
use super::{
    round3, Cite, FrameShare, FramedSentence, FramesReport, Hypothesis, NliFrame, NliFrames,
    UnitFrames,
};
use crate::encode::{NliLabels, NliModel, Truncation};
use crate::error::{Error, Result};

/// Zero-shot framing with an NLI model, for [`super::compare`].
pub struct NliFraming<'a> {
    /// The loaded cross-encoder.
    pub model: &'a NliModel,
    /// The model's name in the report.
    pub name: String,
    /// Hypothesis template with `{}` for the frame's topic.
    pub template: String,
    /// Called with (pairs done, pairs) after each batch: this is the slow part.
    pub progress: Box<dyn FnMut(usize, usize) + 'a>,
}

/// Finding: each unit's share of sentences per frame, by similarity always and by
/// zero-shot NLI when a model was given, with every framed sentence as evidence. Returns
/// the warnings the reader needs about the NLI model's languages.
pub fn frames(p: &Prepared, nli: Option<NliFraming>) -> Result<(FramesReport, Vec<String>)> {
    let mut warnings = Vec::new();
    let aligned = &p.aligned;
    let unit_of = |i: usize| p.unit_of(i);
    let by_sim: Vec<(usize, f32)> = aligned
        .iter()
        .map(|&i| by_similarity(p.vector(i).expect("aligned"), &p.frame_vectors))
        .collect();
    let sim_units = unit_frames(&p.units, aligned, &by_sim, unit_of, |i| p.cite(i));
    let nli_report = match nli {
        None => None,
        Some(mut n) => {
            let foreign: Vec<&str> = aligned
                .iter()
                .map(|&i| p.langs[p.sents[i].source].as_str())
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
            let started = std::time::Instant::now();
            let texts: Vec<&str> = aligned.iter().map(|&i| p.sents[i].text.as_str()).collect();
            let hyps = hypotheses(&n.template)?;
            let verdicts = by_nli(n.model, &texts, &hyps, &mut n.progress)?;
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
                    precision: n.model.backend().precision,
                    template: n.template.clone(),
                    hypotheses: hyps
                        .into_iter()
                        .zip(FRAMES)
                        .map(|(text, (frame, _))| Hypothesis { frame, text })
                        .collect(),
                    method: "zero-shot natural language inference",
                    note: "each sentence goes to the frame whose hypothesis (the template filled \
                           with the frame's topic) it entails most, as Hugging Face's zero-shot \
                           pipeline does; \"Other\" when even that one is more contradicted than \
                           entailed. Stronger than similarity, still not a trained coder",
                    units: unit_frames(&p.units, aligned, &scored, unit_of, |i| p.cite(i)),
                    agreement: if aligned.is_empty() {
                        0.0
                    } else {
                        round3(same as f32 / aligned.len() as f32)
                    },
                    pairs: aligned.len() * NLI_TOPICS.len(),
                    elapsed_ms: started.elapsed().as_millis() as u64,
                },
                verdicts,
            ))
        }
    };
    let sentences: Vec<FramedSentence> = aligned
        .iter()
        .enumerate()
        .map(|(k, &i)| FramedSentence {
            cite: p.cite(i),
            unit: p.unit_of(i).to_string(),
            frame: FRAMES[by_sim[k].0].0,
            similarity: round3(by_sim[k].1),
            nli: nli_report.as_ref().map(|(_, v)| NliFrame {
                frame: FRAMES[v[k].frame].0,
                best: FRAMES[v[k].best].0,
                probability: round3(v[k].probability),
                entailment: round3(v[k].entailment),
            }),
        })
        .collect();
    let report = FramesReport {
        method: "similarity to frame descriptions",
        note: "approximate: each sentence goes to the Policy Frames Codebook frame whose \
               description it is most similar to; read shares over many sentences, not \
               single assignments",
        units: sim_units,
        nli: nli_report.map(|(r, _)| r),
        sentences,
    };
    Ok((report, warnings))
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
            let mut counts = vec![0usize; FRAMES.len()];
            let mut best: Vec<Option<(f32, usize)>> = vec![None; FRAMES.len()];
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
            let mut shares: Vec<FrameShare> = FRAMES
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

/// Name and description of each frame. The descriptions paraphrase the codebook and are
/// written as news-like sentences, which suits a sentence-similarity model.
pub const FRAMES: &[(&str, &str)] = &[
    ("Economic", "The costs, benefits, money, trade, sanctions, prices, budgets, markets and economic consequences of the issue."),
    ("Capacity and resources", "The availability or lack of resources: weapons stocks, troops, energy supplies, infrastructure, funding and capacity to act."),
    ("Morality", "Moral and religious duty, right and wrong, ethics, honour, betrayal and what is just or shameful."),
    ("Fairness and equality", "Whether the outcome is fair or unjust, equal treatment, rewarding the aggressor or punishing the victim."),
    ("Legality and jurisdiction", "International law, treaties, sovereignty, courts, constitutional limits, legal rights, recognition of territory and jurisdiction."),
    ("Policy prescription", "Proposed plans, peace proposals, points of a deal, policies, their terms and whether they will work."),
    ("Crime and punishment", "War crimes, violations, investigations, accountability, sanctions as punishment, prisoners and enforcement."),
    ("Security and defense", "Military operations, attacks, missiles, drones, troops, front lines, security guarantees, defense and threats to the nation."),
    ("Health and safety", "Casualties, people killed and injured, rescue workers, hospitals, civilians in danger and humanitarian harm."),
    ("Quality of life", "Effects on daily life: homes destroyed, displacement, power outages, families, refugees and living conditions."),
    ("Cultural identity", "National identity, history, language, traditions, culture and what a people is."),
    ("Public opinion", "Polls, public attitudes, protests, citizens' views and the mood of society about the issue."),
    ("Political", "Political leaders, negotiations, summits, diplomacy, elections, parties, power struggles and political strategy."),
    ("External regulation and reputation", "Relations with other countries and allies, international reaction, alliances such as NATO and the EU, and a country's standing abroad."),
    ("Other", "Any aspect that fits none of the other frames."),
];

/// Below this cosine to every description, a sentence counts as "Other".
pub const MIN_SIMILARITY: f32 = 0.12;

/// The index of "Other" in [`FRAMES`].
pub const OTHER: usize = FRAMES.len() - 1;

/// What each frame (all but "Other") is "about", for zero-shot NLI: the hypothesis is
/// the template with this filled in ("This text is about the economy, money or costs.").
/// Short noun phrases, as zero-shot classification works best with.
pub const NLI_TOPICS: [&str; OTHER] = [
    "the economy, money or costs",
    "resources, supplies or capacity",
    "morality or ethics",
    "fairness or equality",
    "law, courts or sovereignty",
    "a proposed plan or policy",
    "crime or punishment",
    "military action, defense or security",
    "casualties, injuries or safety",
    "people's daily lives",
    "culture, history or national identity",
    "public opinion",
    "politics, diplomacy or negotiations",
    "international relations or a country's reputation",
];

/// Hugging Face's zero-shot pipeline default.
pub const DEFAULT_TEMPLATE: &str = "This text is about {}.";

/// Below this entailment probability (entailment against contradiction, for the winning
/// frame alone) a sentence counts as "Other": the model does not think it is about any.
pub const MIN_ENTAILMENT: f32 = 0.5;

/// One sentence's frame by similarity: the nearest description, or "Other".
pub fn by_similarity(sentence: &[f32], descriptions: &[Vec<f32>]) -> (usize, f32) {
    let (f, c) = descriptions
        .iter()
        .enumerate()
        .map(|(f, d)| (f, crate::encode::cosine(sentence, d)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or((OTHER, 0.0));
    (if c < MIN_SIMILARITY { OTHER } else { f }, c)
}

/// One sentence's frame by zero-shot NLI.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NliVerdict {
    /// Index into [`FRAMES`] ("Other" when `entailment` < [`MIN_ENTAILMENT`]).
    pub frame: usize,
    /// The frame with the highest entailment, even when too weak to count.
    pub best: usize,
    /// The winning frame's share of the softmax over all frames' entailment logits: Hugging
    /// Face's zero-shot score with `multi_label=False`.
    pub probability: f32,
    /// The winning frame's entailment probability against contradiction alone (the
    /// pipeline's `multi_label=True` score).
    pub entailment: f32,
}

/// The hypotheses of a template, one per frame but "Other". The template must hold `{}`.
pub fn hypotheses(template: &str) -> Result<Vec<String>> {
    if !template.contains("{}") {
        return Err(Error::Input(format!(
            "the NLI template {template:?} has no {{}} for the frame; e.g. {DEFAULT_TEMPLATE:?}"
        )));
    }
    Ok(NLI_TOPICS
        .iter()
        .map(|t| template.replacen("{}", t, 1))
        .collect())
}

/// Frames by zero-shot NLI: every sentence is paired with every frame's hypothesis (from
/// [`hypotheses`]) and the pairs run through the batching core (sentence × 14 pairs: the
/// cost of this method). `progress(done, total)` counts pairs.
pub fn by_nli(
    nli: &NliModel,
    sentences: &[&str],
    hyps: &[String],
    progress: impl FnMut(usize, usize),
) -> Result<Vec<NliVerdict>> {
    let pairs: Vec<(&str, &str)> = sentences
        .iter()
        .flat_map(|s| hyps.iter().map(move |h| (*s, h.as_str())))
        .collect();
    // A sentence longer than the model reads is cut, not refused: the frame of its first
    // 500 words is a fair reading.
    let logits = nli
        .encode_pairs_with(&pairs, Truncation::Cut, progress)?
        .outputs;
    let labels = &nli.backend().labels;
    Ok(logits
        .chunks(hyps.len())
        .map(|rows| verdict(rows, labels))
        .collect())
}

/// The zero-shot decision for one sentence from its rows of logits (one per frame).
fn verdict(rows: &[Vec<f32>], labels: &NliLabels) -> NliVerdict {
    let entail: Vec<f32> = rows.iter().map(|r| r[labels.entailment]).collect();
    let max = entail.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let total: f32 = entail.iter().map(|e| (e - max).exp()).sum();
    let (best, e) = entail
        .iter()
        .copied()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .expect("one row per frame");
    let row = &rows[best];
    // softmax over (contradiction, entailment).
    let entailment = 1.0 / (1.0 + (row[labels.contradiction] - row[labels.entailment]).exp());
    NliVerdict {
        frame: if entailment < MIN_ENTAILMENT {
            OTHER
        } else {
            best
        },
        best,
        probability: (e - max).exp() / total,
        entailment,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> NliLabels {
        NliLabels {
            entailment: 2,
            contradiction: 0,
            names: vec![
                "contradiction".into(),
                "neutral".into(),
                "entailment".into(),
            ],
        }
    }

    #[test]
    fn topics_cover_every_frame_but_other() {
        assert_eq!(NLI_TOPICS.len() + 1, FRAMES.len());
        assert_eq!(FRAMES[OTHER].0, "Other");
        let h = hypotheses(DEFAULT_TEMPLATE).unwrap();
        assert_eq!(h[0], "This text is about the economy, money or costs.");
        assert!(hypotheses("no slot").is_err());
    }

    #[test]
    fn verdict_is_the_zero_shot_pipeline_score() {
        // Frame 1 has the highest entailment logit; softmax over entailment logits.
        let mut rows = vec![vec![0.0, 0.0, -1.0]; OTHER];
        rows[1] = vec![-2.0, 0.0, 2.0];
        let v = verdict(&rows, &labels());
        assert_eq!(v.frame, 1);
        let expected = 2f32.exp() / (2f32.exp() + 13.0 * (-1f32).exp());
        assert!((v.probability - expected).abs() < 1e-6);
        assert!((v.entailment - 1.0 / (1.0 + (-4f32).exp())).abs() < 1e-6);
    }

    #[test]
    fn a_sentence_about_nothing_is_other() {
        // Frame 3 wins the softmax, but contradiction beats entailment for it.
        let mut rows = vec![vec![3.0, 0.0, -2.0]; OTHER];
        rows[3] = vec![1.0, 0.0, 0.5];
        let v = verdict(&rows, &labels());
        assert_eq!(v.frame, OTHER);
        assert!(v.entailment < MIN_ENTAILMENT);
    }
}
