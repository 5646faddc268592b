//! The comparison as data: the stable JSON schema (`parallax.compare/1`) that every
//! renderer and every script reads. Adding a key is compatible; renaming or removing one
//! bumps [`SCHEMA`].

use serde::Serialize;

use super::sources::GroupBy;
use super::terms::Term;

/// The JSON schema version of [`Report`]; bumped on any breaking change.
pub const SCHEMA: &str = "parallax.compare/1";

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
