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
    /// The source's label.
    pub source: String,
    /// Its 0-based position among the source's sentences.
    pub index: usize,
    /// The sentence as split.
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
/// One source as the report shows it: what it is, and its own short summary.
pub struct SourceReport {
    /// The label every citation uses.
    pub label: String,
    /// The unit this source belongs to in the group view (its country or outlet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The record's `id`, when it had one.
    pub id: Option<String>,
    /// The outlet, from the record.
    pub outlet: Option<String>,
    /// The country, from the record.
    pub country: Option<String>,
    /// The headline, when known.
    pub title: Option<String>,
    /// Where it was published, when known.
    pub url: Option<String>,
    /// Detected language (ISO 639-1), falling back to the declared one.
    pub language: String,
    /// The `language` field of the input, when it had one.
    pub declared_language: Option<String>,
    /// Sentences in the source (before debris was dropped).
    pub sentences: usize,
    /// Sentences left after dropping site debris (menus, bylines, "Read more", headings).
    pub reporting_sentences: usize,
    /// Whether the embedding model read this source (false: language it does not know).
    pub aligned: bool,
    /// Its most central sentences (or its lead, see `summary_method`).
    pub summary: Vec<Cite>,
    /// "extractive", or "lead" when the model cannot read the language.
    pub summary_method: &'static str,
}

#[derive(Debug, Clone, Serialize)]
/// A claim that two or more units carry.
pub struct SharedClaim {
    /// The sources (or groups) that carry it.
    pub units: Vec<String>,
    /// Mean cosine between the wordings: 1 is near-identical text.
    pub similarity: f32,
    /// Each source's own wording (one sentence per source).
    pub wording: Vec<Cite>,
}

#[derive(Debug, Clone, Serialize)]
/// A salient sentence that no other unit comes close to.
pub struct UniqueClaim {
    /// The sentence.
    pub cite: Cite,
    /// Centrality of the sentence in its own source (0..1, 1 the most central).
    pub salience: f32,
    /// Highest cosine to any sentence of another unit: how far from unique it came.
    pub nearest: f32,
    /// That sentence of another unit, so the reader sees what came closest.
    pub nearest_cite: Option<Cite>,
}

#[derive(Debug, Clone, Serialize)]
/// One unit's unique claims.
pub struct UnitUnique {
    /// The unit (source, or group in the group view).
    pub unit: String,
    /// Its unique claims, most salient first.
    pub claims: Vec<UniqueClaim>,
}

#[derive(Debug, Clone, Serialize)]
/// A figure as one side gives it.
pub struct FigureCite {
    /// The figure as written.
    pub value: String,
    /// The sentence that gives it.
    pub cite: Cite,
}

#[derive(Debug, Clone, Serialize)]
/// Two units giving different figures (or dates) for the same thing.
pub struct Disagreement {
    /// What is counted: a class (killed, injured, points, ...) or the word after the number.
    pub what: String,
    /// One side.
    pub a: FigureCite,
    /// The other side.
    pub b: FigureCite,
    /// Cosine between the two sentences.
    pub similarity: f32,
    /// Whether the two sentences were aligned into one claim.
    pub same_claim: bool,
}

#[derive(Debug, Clone, Serialize)]
/// One unit's distinctive terms in one language.
pub struct UnitTerms {
    /// The unit.
    pub unit: String,
    /// The language of the texts compared (ISO 639-1).
    pub language: String,
    /// The units whose text in the same language it was compared against.
    pub against: Vec<String>,
    /// Most distinctive first.
    pub terms: Vec<Term>,
}

#[derive(Debug, Clone, Serialize)]
/// Someone a unit quotes or cites.
pub struct Speaker {
    /// The name as this unit writes it most often (titles left off).
    pub name: String,
    /// The speaker as the whole report names them (see [`Person`]): the key that joins
    /// this row to the same person in other units.
    pub person: String,
    /// "person", "organisation", or "name" when nothing tells.
    pub kind: &'static str,
    /// Sentences that attribute something to them.
    pub count: usize,
    /// The titles this unit gives them ("Kremlin spokesman", "пресс-секретарь президента").
    pub titles: Vec<String>,
    /// Up to three of those sentences.
    pub evidence: Vec<Cite>,
}

#[derive(Debug, Clone, Serialize)]
/// One speaker across the units: every spelling of one person or organisation.
pub struct Person {
    /// The fullest spelling, Latin script first.
    pub name: String,
    /// "person", "organisation", or "name" when nothing tells.
    pub kind: &'static str,
    /// Every spelling the sources use, titles left off.
    pub spellings: Vec<String>,
    /// The units that quote them, in unit order.
    pub units: Vec<PersonInUnit>,
}

#[derive(Debug, Clone, Serialize)]
/// How one unit quotes one speaker.
pub struct PersonInUnit {
    /// The unit.
    pub unit: String,
    /// Sentences that attribute something to them.
    pub count: usize,
    /// The unit's most used spelling.
    pub spelling: String,
    /// The titles the unit gives them.
    pub titles: Vec<String>,
    /// Up to three of those sentences.
    pub evidence: Vec<Cite>,
}

#[derive(Debug, Clone, Serialize)]
/// Whom one unit quotes.
pub struct UnitAttribution {
    /// The unit.
    pub unit: String,
    /// Most quoted first.
    pub speakers: Vec<Speaker>,
}

#[derive(Debug, Clone, Serialize)]
/// One frame's share of a unit's sentences.
pub struct FrameShare {
    /// The frame's name.
    pub frame: String,
    /// Sentences in this frame.
    pub sentences: usize,
    /// Their share of the unit's framed sentences (0..1).
    pub share: f32,
    /// The sentence of this unit most similar to the frame's description.
    pub example: Option<Cite>,
}

#[derive(Debug, Clone, Serialize)]
/// One unit's frames.
pub struct UnitFrames {
    /// The unit.
    pub unit: String,
    /// Its framed sentences.
    pub sentences: usize,
    /// Frames with at least one sentence, largest first.
    pub shares: Vec<FrameShare>,
}

#[derive(Debug, Clone, Serialize)]
/// Frames: which aspect of the story each unit stresses.
pub struct FramesReport {
    /// How sentences were assigned.
    pub method: &'static str,
    /// How to read the shares.
    pub note: &'static str,
    /// Each unit's shares by similarity.
    pub units: Vec<UnitFrames>,
    /// Frames by zero-shot NLI, when an NLI model was given (`--nli-model-dir`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nli: Option<NliFrames>,
    /// Every framed sentence with its frame by each method: the evidence behind the shares.
    pub sentences: Vec<FramedSentence>,
}

#[derive(Debug, Clone, Serialize)]
/// Frames by zero-shot NLI.
pub struct NliFrames {
    /// The NLI model's name.
    pub model: String,
    /// How its linear layers computed (`--precision`; a BART variant that only rust-bert
    /// runs stays fp32).
    pub precision: crate::encode::Precision,
    /// The hypothesis template; `{}` took each frame's topic.
    pub template: String,
    /// The hypothesis of each frame, exactly as the model read it.
    pub hypotheses: Vec<Hypothesis>,
    /// How sentences were assigned.
    pub method: &'static str,
    /// How to read the shares.
    pub note: &'static str,
    /// Each unit's shares by NLI.
    pub units: Vec<UnitFrames>,
    /// Share of sentences that NLI and similarity put in the same frame.
    pub agreement: f32,
    /// (sentence, hypothesis) pairs the model read.
    pub pairs: usize,
    /// Wall time of the NLI pass.
    pub elapsed_ms: u64,
}

#[derive(Debug, Clone, Serialize)]
/// One frame's hypothesis.
pub struct Hypothesis {
    /// The frame.
    pub frame: &'static str,
    /// The hypothesis the model read.
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
/// One framed sentence with its frame by each method.
pub struct FramedSentence {
    #[serde(flatten)]
    /// The sentence.
    pub cite: Cite,
    /// Its unit.
    pub unit: String,
    /// Frame by similarity, and the cosine to its description.
    pub frame: &'static str,
    /// Cosine to the frame's description.
    pub similarity: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Its frame by NLI, when a model was given.
    pub nli: Option<NliFrame>,
}

#[derive(Debug, Clone, Serialize)]
/// A sentence's frame by zero-shot NLI.
pub struct NliFrame {
    /// The frame ("Other" when even the best is more contradicted than entailed).
    pub frame: &'static str,
    /// The frame whose hypothesis it entails most; `frame` is "Other" when even this one
    /// is more contradicted than entailed.
    pub best: &'static str,
    /// Zero-shot score: the frame's share of the softmax over all frames' entailment.
    pub probability: f32,
    /// Entailment against contradiction for this frame alone.
    pub entailment: f32,
}

/// A detail (a name, figure, date or quotation) that one unit gives and no other does.
#[derive(Debug, Clone, Serialize)]
pub struct Exclusive {
    /// The unit that gives it.
    pub unit: String,
    /// "place", "person", "organisation", "figure", "date" or "quote".
    pub kind: &'static str,
    /// The detail as written.
    pub value: String,
    /// The sentence that gives it.
    pub cite: Cite,
}

/// How each unit names the contested things of the story (see naming in docs/GUIDE.md).
#[derive(Debug, Clone, Serialize)]
pub struct Naming {
    /// The glossary used: "built-in", a file, or both; empty with `--no-glossary`.
    pub glossary: String,
    /// The glossary's concepts that some unit names, in glossary order.
    pub concepts: Vec<ConceptNaming>,
    /// Titles and epithets next to the people and places several units mention, found
    /// without the glossary.
    pub epithets: Vec<EntityEpithets>,
}

/// One glossary concept and the variants the units use for it.
#[derive(Debug, Clone, Serialize)]
pub struct ConceptNaming {
    /// The concept's key.
    pub id: String,
    /// What it is.
    pub name: String,
    /// Why its wording matters.
    pub about: String,
    /// The variants used, most used first.
    pub variants: Vec<VariantNaming>,
}

/// One way of naming a concept, and who uses it.
#[derive(Debug, Clone, Serialize)]
pub struct VariantNaming {
    /// The variant ("special military operation").
    pub variant: String,
    /// The units that use it, in unit order.
    pub units: Vec<NameUse>,
}

/// How often one unit uses one wording, and where.
#[derive(Debug, Clone, Serialize)]
pub struct NameUse {
    /// The unit.
    pub unit: String,
    /// Sentences that use it.
    pub count: usize,
    /// The forms written ("СВО", "специальной военной операции").
    pub forms: Vec<String>,
    /// Up to two of those sentences.
    pub evidence: Vec<Cite>,
}

/// The epithets the units put next to one person or place.
#[derive(Debug, Clone, Serialize)]
pub struct EntityEpithets {
    /// The entity, in its fullest spelling (Latin script first).
    pub entity: String,
    /// "person" (places' preceding words are prepositions far more often than epithets).
    pub kind: &'static str,
    /// The units that mention it.
    pub mentioned_by: Vec<String>,
    /// Groups of epithets that say the same across languages, most used first.
    pub epithets: Vec<EpithetGroup>,
}

/// Epithets that say one thing ("Russian President" / "президент России" / "президент РФ").
#[derive(Debug, Clone, Serialize)]
pub struct EpithetGroup {
    /// The group's most used epithet.
    pub label: String,
    /// Every epithet of the group as written.
    pub forms: Vec<String>,
    /// Each unit's uses.
    pub units: Vec<NameUse>,
}

/// The whole comparison. Top-level keys are the stable JSON schema (docs/SCHEMA.md).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The sentence-embedding model that aligned the sentences.
    pub model: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// What the group view grouped by, if anything.
    pub group_by: Option<GroupBy>,
    /// The units compared: source labels, or group names with `group_by`.
    pub units: Vec<String>,
    /// Each source.
    pub sources: Vec<SourceReport>,
    /// Claims two or more units carry.
    pub shared: Vec<SharedClaim>,
    /// What each unit alone reports.
    pub unique: Vec<UnitUnique>,
    /// Details only one unit gives, though their sentence may be shared.
    pub exclusive: Vec<Exclusive>,
    /// Conflicting figures and dates.
    pub disagreements: Vec<Disagreement>,
    /// Distinctive terms per unit and language.
    pub terms: Vec<UnitTerms>,
    /// Whom each unit quotes.
    pub attribution: Vec<UnitAttribution>,
    /// The speakers across units: one row per person or organisation, however spelled.
    pub speakers: Vec<Person>,
    /// Which words each unit uses for the contested things, across languages.
    pub naming: Naming,
    /// Frames.
    pub frames: FramesReport,
    /// What the reader must know about this comparison (unread languages, a single unit).
    pub warnings: Vec<String>,
    /// Wall time of the comparison, model loading excluded.
    pub elapsed_ms: u64,
}

#[cfg(test)]
impl Report {
    /// A report of English sources `(label, record id)` that found nothing, for tests to
    /// fill with the findings they are about.
    pub(crate) fn empty(sources: &[(&str, &str)]) -> Report {
        Report {
            schema: SCHEMA,
            model: "fake".into(),
            group_by: None,
            units: sources.iter().map(|(l, _)| l.to_string()).collect(),
            sources: sources
                .iter()
                .map(|(label, id)| SourceReport {
                    label: label.to_string(),
                    group: None,
                    id: Some(id.to_string()),
                    outlet: Some(label.to_string()),
                    country: None,
                    title: None,
                    url: None,
                    language: "en".into(),
                    declared_language: None,
                    sentences: 3,
                    reporting_sentences: 3,
                    aligned: true,
                    summary: vec![],
                    summary_method: "extractive",
                })
                .collect(),
            shared: vec![],
            unique: vec![],
            exclusive: vec![],
            disagreements: vec![],
            terms: vec![],
            attribution: vec![],
            speakers: vec![],
            naming: Naming {
                glossary: String::new(),
                concepts: vec![],
                epithets: vec![],
            },
            frames: FramesReport {
                method: "",
                note: "",
                units: vec![],
                nli: None,
                sentences: vec![],
            },
            warnings: vec![],
            elapsed_ms: 0,
        }
    }
}
