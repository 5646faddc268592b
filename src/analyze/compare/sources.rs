//! The sources of a comparison and the names the report gives them.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::input::{document, Document};

/// One input source with the label the report uses for it.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name the report cites it by (distinct within a comparison).
    pub label: String,
    /// Its text and metadata.
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
    /// By the record's `country`.
    Country,
    /// By the record's `outlet`.
    Outlet,
}

/// The sources of a comparison: `labelled` as `LABEL=PATH_OR_URL` (a file of several
/// records gives LABEL 1, LABEL 2, ...), then `inputs` labelled by outlet, title or file
/// name. A JSON Lines corpus of several stories needs `event`; every text must have words.
pub fn load(
    labelled: &[String],
    inputs: &[String],
    event: Option<&str>,
    field: &str,
) -> Result<Vec<Source>> {
    let mut out: Vec<Source> = Vec::new();
    for spec in labelled {
        let (label, input) = spec.split_once('=').ok_or_else(|| {
            Error::Input(format!(
                "--source {spec:?}: expected LABEL=PATH_OR_URL, e.g. --source RU=tass.txt"
            ))
        })?;
        if label.trim().is_empty() {
            return Err(Error::Input(format!(
                "--source {spec:?}: the label is empty"
            )));
        }
        let docs = document::load(input, field)?;
        let n = docs.len();
        for (i, doc) in docs.into_iter().enumerate() {
            let label = if n > 1 {
                format!("{label} {}", i + 1)
            } else {
                label.to_string()
            };
            out.push(Source { label, doc });
        }
    }
    let mut docs: Vec<Document> = Vec::new();
    for input in inputs {
        docs.extend(document::load(input, field)?);
    }
    let events: Vec<String> = docs.iter().filter_map(|d| d.event.clone()).collect();
    if let Some(ev) = event {
        let before = docs.len();
        docs.retain(|d| d.event.as_deref() == Some(ev));
        if docs.is_empty() && before > 0 {
            return Err(Error::Input(format!(
                "no record has event '{ev}'; events in the input: {}",
                summarize_events(&events)
            )));
        }
    } else {
        let mut distinct = events.clone();
        distinct.sort();
        distinct.dedup();
        if distinct.len() > 1 {
            return Err(Error::Input(format!(
                "the input holds {} stories; pick one with --event ID ({})",
                distinct.len(),
                summarize_events(&events)
            )));
        }
    }
    out.extend(label_sources(docs));
    if out.is_empty() {
        return Err(Error::Input(
            "no sources: give files or URLs, or --source LABEL=PATH_OR_URL (see --help)".into(),
        ));
    }
    distinct_labels(&mut out);
    if let Some(s) = out.iter().find(|s| s.doc.text.trim().is_empty()) {
        return Err(Error::Input(format!(
            "{} ({}): the text is empty",
            s.label, s.doc.origin
        )));
    }
    Ok(out)
}

/// "event (records), ..." for error messages.
fn summarize_events(events: &[String]) -> String {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for e in events {
        *counts.entry(e).or_default() += 1;
    }
    counts
        .iter()
        .map(|(e, n)| format!("{e} ({n})"))
        .collect::<Vec<_>>()
        .join(", ")
}
