//! Gold annotations of an event's coverage (the format of `../shared/data/gold/`, documented
//! in docs/EVALUATION.md): what a careful analyst reports, read and checked against the
//! articles before anything is scored, so that a typo in the gold fails with its place named
//! instead of silently lowering a score.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::values::{holds, squash};
use crate::error::{Error, Result};
use crate::input::Document;

/// The kinds an exclusive detail may have (the report's `exclusive[].kind`).
pub const KINDS: [&str; 6] = ["person", "place", "organisation", "figure", "date", "quote"];

/// One event as annotated.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldEvent {
    /// The event id (the records' `event`).
    pub event: String,
    /// The record ids of every source of the event, as compared.
    pub sources: Vec<String>,
    /// Every fact two or more sources report.
    #[serde(default)]
    pub facts: Vec<GoldFact>,
    /// Details exactly one source gives.
    #[serde(default)]
    pub exclusives: Vec<GoldExclusive>,
    /// Things sources give different values for.
    #[serde(default)]
    pub disagreements: Vec<GoldDisagreement>,
    /// The file it was read from, for messages.
    #[serde(skip)]
    pub file: PathBuf,
}

/// A fact two or more sources report, with each source's wording of it.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldFact {
    /// Its id within the event.
    pub id: String,
    /// One atomic English statement.
    pub what: String,
    /// Record id → exact substrings of the sentences that state it.
    pub evidence: BTreeMap<String, Vec<String>>,
}

/// A concrete detail exactly one source gives.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldExclusive {
    /// The record id of the source.
    pub source: String,
    /// One of [`KINDS`].
    pub kind: String,
    /// The detail as the source writes it.
    pub value: String,
    /// An exact substring of the sentence that gives it.
    pub evidence: String,
    /// Why it is exclusive (for the reader of the gold).
    #[serde(default)]
    pub why: String,
}

/// Sources giving different values for one thing.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldDisagreement {
    /// What the values are of.
    pub what: String,
    /// Record id → the value as given.
    pub values: BTreeMap<String, String>,
}

/// Reads one gold file, or every `*.json` in a folder (in name order).
pub fn read(path: &Path) -> Result<Vec<GoldEvent>> {
    let files: Vec<PathBuf> = if path.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| Error::io(path, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
            .collect();
        v.sort();
        if v.is_empty() {
            return Err(Error::File {
                path: path.to_path_buf(),
                message: "no gold file (*.json) in this folder".into(),
            });
        }
        v
    } else {
        vec![path.to_path_buf()]
    };
    let mut out: Vec<GoldEvent> = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
        let mut g: GoldEvent = serde_json::from_str(&text).map_err(|e| Error::File {
            path: file.clone(),
            message: format!("not a gold annotation (see docs/EVALUATION.md for the format): {e}"),
        })?;
        if let Some(first) = out.iter().find(|o| o.event == g.event) {
            return Err(Error::File {
                path: file,
                message: format!(
                    "event '{}' is annotated twice (also in {})",
                    g.event,
                    first.file.display()
                ),
            });
        }
        g.file = file;
        out.push(g);
    }
    Ok(out)
}

impl GoldEvent {
    fn bad(&self, field: String, problem: impl std::fmt::Display) -> Error {
        Error::File {
            path: self.file.clone(),
            message: format!("event '{}': {field}: {problem}", self.event),
        }
    }

    /// Checks the annotation against the articles: every id known, every evidence string
    /// in its article, every fact with two or more sources. The first problem is an error
    /// naming the file, the event and the field.
    pub fn check(&self, articles: &HashMap<String, Document>) -> Result<()> {
        if self.sources.is_empty() {
            return Err(self.bad("sources".into(), "empty: list the record ids compared"));
        }
        if self.sources.iter().all(|s| !articles.contains_key(s)) {
            return Err(self.bad(
                "sources".into(),
                format!(
                    "none of its {} record ids is in the data; give the corpus that holds the \
                     event with --data",
                    self.sources.len()
                ),
            ));
        }
        for (i, s) in self.sources.iter().enumerate() {
            if !articles.contains_key(s) {
                return Err(self.bad(
                    format!("sources[{i}]"),
                    format!("no record '{s}' in the data"),
                ));
            }
            if self.sources[..i].contains(s) {
                return Err(self.bad(format!("sources[{i}]"), format!("'{s}' is listed twice")));
            }
        }
        let known = |field: String, id: &str| -> Result<&Document> {
            if !self.sources.iter().any(|s| s == id) {
                return Err(self.bad(
                    field,
                    format!("unknown source id '{id}' (not in the event's sources)"),
                ));
            }
            Ok(&articles[id])
        };
        let in_article = |field: String, doc: &Document, ev: &str| -> Result<()> {
            if ev.trim().is_empty() {
                return Err(self.bad(field, "empty evidence"));
            }
            if !doc.text.contains(ev) && !squash(&doc.text).contains(&squash(ev)) {
                return Err(self.bad(
                    field,
                    format!(
                        "{ev:?} is not in the article's text (evidence must be an exact \
                         substring of the record's `text`)"
                    ),
                ));
            }
            Ok(())
        };
        for (i, f) in self.facts.iter().enumerate() {
            let at = format!("facts[{i}] ('{}')", f.id);
            if f.evidence.len() < 2 {
                return Err(self.bad(
                    format!("{at}.evidence"),
                    format!(
                        "{} source(s); a fact needs two or more (a detail one source gives \
                         is an exclusive)",
                        f.evidence.len()
                    ),
                ));
            }
            if self.facts[..i].iter().any(|g| g.id == f.id) {
                return Err(self.bad(format!("{at}.id"), "the id is used twice"));
            }
            for (src, evs) in &f.evidence {
                let doc = known(format!("{at}.evidence"), src)?;
                if evs.is_empty() {
                    return Err(self.bad(format!("{at}.evidence['{src}']"), "no evidence string"));
                }
                for (j, ev) in evs.iter().enumerate() {
                    in_article(format!("{at}.evidence['{src}'][{j}]"), doc, ev)?;
                }
            }
        }
        for (i, x) in self.exclusives.iter().enumerate() {
            let at = format!("exclusives[{i}]");
            let doc = known(format!("{at}.source"), &x.source)?;
            if !KINDS.contains(&x.kind.as_str()) {
                return Err(self.bad(
                    format!("{at}.kind"),
                    format!("'{}' is not one of {}", x.kind, KINDS.join(", ")),
                ));
            }
            if x.value.trim().is_empty() {
                return Err(self.bad(format!("{at}.value"), "empty"));
            }
            in_article(format!("{at}.evidence"), doc, &x.evidence)?;
        }
        for (i, d) in self.disagreements.iter().enumerate() {
            let at = format!("disagreements[{i}]");
            if d.values.len() < 2 {
                return Err(self.bad(
                    format!("{at}.values"),
                    "fewer than two sources: a disagreement is between sources",
                ));
            }
            for src in d.values.keys() {
                known(format!("{at}.values"), src)?;
            }
        }
        Ok(())
    }

    /// Whether `text` (a cited sentence of `source`) states fact `f` for that source.
    pub fn states(f: &GoldFact, source: &str, text: &str) -> bool {
        f.evidence
            .get(source)
            .is_some_and(|evs| evs.iter().any(|ev| holds(text, ev)))
    }
}
