//! Finding: each source as the reader meets it, with its own short summary.

use super::prepare::Prepared;
use super::{CompareConfig, SourceReport};

/// One report per source: what it is, its language, how much of it was reporting, and a
/// summary (extractive where the model reads it, else its lead).
pub fn sources(p: &Prepared, cfg: &CompareConfig) -> Vec<SourceReport> {
    p.sources
        .iter()
        .enumerate()
        .map(|(si, s)| {
            let idx = &p.by_source[si];
            let (summary, method) = match &p.picks[si] {
                Some(picks) => (picks.iter().map(|&i| p.cite(i)).collect(), "extractive"),
                None => (
                    idx.iter()
                        .take(cfg.summary_sentences)
                        .map(|&i| p.cite(i))
                        .collect(),
                    "lead",
                ),
            };
            SourceReport {
                label: s.label.clone(),
                group: p.groups[si].clone(),
                id: s.doc.id.clone(),
                outlet: s.doc.outlet.clone(),
                country: s.doc.country.clone(),
                title: s.doc.title.clone(),
                url: s.doc.url.clone(),
                language: p.langs[si].clone(),
                declared_language: s.doc.language.clone(),
                sentences: p.all_counts[si],
                reporting_sentences: idx.len(),
                aligned: p.readable[si],
                summary,
                summary_method: method,
            }
        })
        .collect()
}
