//! The sources of a comparison and the names the report gives them.

use serde::Serialize;

use crate::input::Document;

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
