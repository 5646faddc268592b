//! How several sources cover one story: what they share, what only one reports, where
//! their figures disagree, how their wording differs, whom they quote and how they frame
//! it. Every finding carries the sentences behind it (`Cite`: source, position, text).
//!
//! [`compare`] is a pipeline: [`prepare`] splits, filters, embeds and ranks every sentence
//! once; then each finding is one function in the file named for it, reading the prepared
//! value and returning its part of the [`Report`].
//!
//! Semantic analyses (claims, unique claims, disagreements, frames, summaries) need the
//! embedding model to understand the source's language; lexical ones (terms, attribution)
//! work on any language with word boundaries.

pub mod attribution;
pub mod claims;
pub mod dates;
pub mod disagreements;
pub mod epithets;
pub mod exclusive;
pub mod facts;
pub mod frames;
pub mod glossary;
pub mod naming;
pub mod prepare;
pub mod report;
pub mod sources;
pub mod speakers;
pub mod summary;
pub mod terms;
pub mod text;
pub mod unique;

use claims::AlignConfig;
pub use frames::NliFraming;
pub use report::*;
pub use sources::{distinct_labels, label_sources, GroupBy, Source};

use crate::encode::{Backend, BatchEncoder};
use crate::error::Result;
use crate::models::{ModelSpec, ResolvedModel};

/// The settings of one comparison.
#[derive(Debug, Clone)]
pub struct CompareConfig {
    /// Sentences in each source's summary.
    pub summary_sentences: usize,
    /// Compare groups of sources (countries, outlets) instead of single sources.
    pub group_by: Option<GroupBy>,
    /// Languages the embedding model understands; `None` when it is multilingual.
    pub model_languages: Option<Vec<String>>,
    /// When two sentences count as one claim.
    pub align: AlignConfig,
    /// A sentence is unique to its source when no sentence of another source reaches this
    /// cosine (0.45: below it, MiniLM pairs in the coverage data share at most the topic).
    pub unique_below: f32,
    /// Sentences this similar (or in one claim) are checked for conflicting figures.
    pub related: f32,
    /// Most unique claims reported per unit.
    pub max_unique: usize,
    /// Most distinctive terms reported per unit and language.
    pub max_terms: usize,
    /// The naming glossary (`--glossary`, `--no-glossary`).
    pub glossary: glossary::Glossary,
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
            max_unique: 5,
            max_terms: 12,
            glossary: glossary::Glossary::shipped(),
        }
    }
}

impl CompareConfig {
    /// The settings for a model: its own thresholds (a model's cosines have their own
    /// scale; the manifest carries each model's, read off the coverage data), and which
    /// languages it reads, which decides which sources join the semantic analyses.
    pub fn for_model(spec: &ModelSpec, model: &ResolvedModel) -> Self {
        let mut cfg = CompareConfig::default();
        if let Some(t) = model.entry.as_ref().and_then(|e| e.compare) {
            cfg.align.link = t.link;
            cfg.align.strong = t.strong;
            cfg.unique_below = t.unique_below;
            cfg.related = t.related;
        }
        // The embedded default is English-only; a model the user brings is taken to read
        // the sources' languages (they chose it for them).
        cfg.model_languages = match (spec, &model.entry) {
            (ModelSpec::Dir(_), _) => None,
            (_, Some(e)) => e.languages.clone(),
            _ => None,
        };
        cfg
    }

    /// The group a source belongs to in the group view ("unknown" when its record lacks
    /// the field), or `None` without a group view.
    pub fn group_of(&self, s: &Source) -> Option<String> {
        self.group_by.map(|g| {
            let v = match g {
                GroupBy::Country => s.doc.country.clone(),
                GroupBy::Outlet => s.doc.outlet.clone(),
            };
            v.unwrap_or_else(|| "unknown".into())
        })
    }
}

/// The multilingual model parallax converts at set-up (see models/manifest.toml).
pub const MULTILINGUAL: &str = "multilingual-e5-small";

/// Unless the user chose a model: all sources in English → the default MiniLM (fast);
/// any other language → the multilingual model when it is installed, so that a Russian
/// sentence and its English counterpart can align into one claim.
pub fn pick_model(spec: ModelSpec, sources: &[Source]) -> ModelSpec {
    if !matches!(spec, ModelSpec::Default) {
        return spec;
    }
    let foreign: Vec<String> = sources
        .iter()
        .filter_map(|s| text::source_language(&s.doc))
        .filter(|l| l != "en")
        .collect();
    if foreign.is_empty() {
        return spec;
    }
    if multilingual_installed() {
        tracing::info!("sources in {} → using {MULTILINGUAL}", foreign.join(", "));
        ModelSpec::Name(MULTILINGUAL.into())
    } else {
        tracing::warn!(
            "sources in {} but {MULTILINGUAL} is not installed (scripts/setup.sh installs it); \
             using the English-only default",
            foreign.join(", ")
        );
        spec
    }
}

/// Whether the multilingual model's files are in the models folder.
pub fn multilingual_installed() -> bool {
    let manifest = crate::models::Manifest::embedded();
    manifest.get(MULTILINGUAL).ok().is_some_and(|e| {
        crate::models::store::is_installed(
            &crate::models::store::models_dir().join(MULTILINGUAL),
            e,
        )
    })
}

/// Compares the sources. Labels must be distinct ([`distinct_labels`] makes them so).
pub fn compare<B: Backend<Output = Vec<f32>>>(
    encoder: &BatchEncoder<B>,
    model_name: &str,
    sources: &[Source],
    cfg: &CompareConfig,
    nli: Option<NliFraming>,
) -> Result<Report> {
    let started = std::time::Instant::now();
    let p = prepare::prepare(encoder, model_name, sources, cfg)?;
    let claims = claims::claims(&p, cfg);
    let (frames, frame_warnings) = frames::frames(&p, nli)?;
    let people = speakers::speakers(&p);
    Ok(Report {
        schema: SCHEMA,
        model: model_name.to_string(),
        group_by: cfg.group_by,
        units: p.units.clone(),
        sources: summary::sources(&p, cfg),
        shared: claims::shared(&p, &claims),
        unique: unique::unique(&p, &claims, cfg),
        exclusive: exclusive::exclusive(&p, &claims, cfg),
        disagreements: disagreements::disagreements(&p, &claims, cfg),
        terms: terms::terms(&p, cfg),
        attribution: attribution::attribution(&p.units, &people),
        speakers: people,
        naming: Naming {
            epithets: epithets::epithets(&p),
            ..naming::naming(&p, &cfg.glossary)
        },
        frames,
        warnings: [p.warnings.clone(), frame_warnings].concat(),
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}

fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    //! The findings on the fake model (word-overlap vectors): no model files, milliseconds.
    use super::*;
    use crate::encode::{fake, BatchConfig};
    use crate::input::Document;

    fn source(label: &str, country: &str, text: &str) -> Source {
        Source {
            label: label.into(),
            doc: Document {
                id: Some(label.into()),
                title: None,
                url: None,
                outlet: Some(label.into()),
                country: Some(country.into()),
                language: Some("en".into()),
                event: None,
                text: text.into(),
                origin: format!("{label}.txt"),
            },
        }
    }

    fn strike() -> Vec<Source> {
        vec![
            source(
                "A",
                "UA",
                "Russian missiles struck apartment blocks in Ternopil overnight. \
                 At least 26 people were killed in the strike, officials said. \
                 Mayor Serhiy Nadal said the city opened shelters for families.",
            ),
            source(
                "B",
                "US",
                "Russian missiles struck apartment blocks in Ternopil overnight, rescuers said. \
                 At least 20 people were killed in the strike. \
                 Farmers in the western region reported a good harvest this autumn.",
            ),
        ]
    }

    fn run(sources: &[Source], cfg: &CompareConfig) -> Report {
        let e = fake::embedder(BatchConfig::default()).unwrap();
        compare(&e, "fake", sources, cfg, None).unwrap()
    }

    #[test]
    fn shared_unique_disagreement_and_speakers() {
        let r = run(&strike(), &CompareConfig::default());
        assert_eq!(r.units, ["A", "B"]);
        let struck = r
            .shared
            .iter()
            .find(|c| c.wording.iter().all(|w| w.text.contains("struck")))
            .expect("the strike is a shared claim");
        assert_eq!(struck.units, ["A", "B"]);
        assert_eq!(struck.wording.len(), 2);
        let d = &r.disagreements;
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            (
                d[0].what.as_str(),
                d[0].a.value.as_str(),
                d[0].b.value.as_str()
            ),
            ("killed", "26", "20")
        );
        assert!(d[0].same_claim);
        let unique_a = &r.unique.iter().find(|u| u.unit == "A").unwrap().claims;
        assert!(unique_a.iter().any(|c| c.cite.text.contains("shelters")));
        assert!(unique_a.iter().all(|c| !c.cite.text.contains("struck")));
        let speakers_a = &r
            .attribution
            .iter()
            .find(|a| a.unit == "A")
            .unwrap()
            .speakers;
        assert!(
            speakers_a.iter().any(|s| s.name.contains("Nadal")),
            "{speakers_a:?}"
        );
        // Every citation is a sentence of the source it names, at the index it gives.
        for c in r.shared.iter().flat_map(|c| &c.wording) {
            let s = r.sources.iter().find(|s| s.label == c.source).unwrap();
            assert!(s.reporting_sentences > 0);
            assert!(strike()
                .iter()
                .any(|x| x.label == c.source && x.doc.text.contains(&c.text)));
        }
    }

    #[test]
    fn group_view_compares_groups_and_keeps_within_group_pairs_out() {
        let mut sources = strike();
        sources.push(source(
            "C",
            "UA",
            "Farmers in the western region reported a good harvest this autumn, the ministry said.",
        ));
        let cfg = CompareConfig {
            group_by: Some(GroupBy::Country),
            ..CompareConfig::default()
        };
        let r = run(&sources, &cfg);
        assert_eq!(r.units, ["UA", "US"]);
        assert_eq!(r.sources[2].group.as_deref(), Some("UA"));
        // B (US) and C (UA) share the harvest sentence: a claim between groups.
        assert!(r
            .shared
            .iter()
            .any(|c| c.units == ["UA", "US"] && c.wording.iter().any(|w| w.source == "C")));
        // Nothing is unique to UA that C's copy of B's sentence would make shared.
        let ua = &r.unique.iter().find(|u| u.unit == "UA").unwrap().claims;
        assert!(ua.iter().all(|c| !c.cite.text.contains("harvest")));
    }

    #[test]
    fn one_source_warns_and_finds_nothing_shared() {
        let r = run(&strike()[..1], &CompareConfig::default());
        assert!(r.shared.is_empty() && r.disagreements.is_empty());
        assert!(r.warnings[0].starts_with("only one source (A)"));
        assert_eq!(r.sources[0].summary_method, "extractive");
    }

    #[test]
    fn an_unread_language_is_summarised_by_its_lead_and_left_out_of_claims() {
        let mut sources = strike();
        sources[1].doc.text = "Российские ракеты ударили по жилым домам в Тернополе ночью. \
                               Погибли по меньшей мере 20 человек, сообщили спасатели."
            .into();
        sources[1].doc.language = Some("ru".into());
        let r = run(&sources, &CompareConfig::default());
        assert!(!r.sources[1].aligned);
        assert_eq!(r.sources[1].summary_method, "lead");
        assert!(r.shared.is_empty());
        assert!(r
            .warnings
            .iter()
            .any(|w| w.starts_with("B: written in 'ru'")));
    }
}
