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

use crate::encode::{NliLabels, NliModel};
use crate::error::{Error, Result};

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
    let logits = nli.encode_pairs_with(&pairs, progress)?.outputs;
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
