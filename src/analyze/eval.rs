//! Summary quality against human references: ROUGE of the extractive summarizer beside the
//! Lead-k baseline, per dataset (`parallax eval rouge`).

use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use super::extractive::{ExtractiveConfig, Length};
use super::rouge::{self, Rouge};
use super::summarize::{lead, summarize_extractive};
use crate::encode::{Backend, BatchEncoder};
use crate::error::{Error, Result};
use crate::input::document::check_documents;
use crate::input::lines::{too_long, Bounded, BoundedLines, MAX_LINE_BYTES};
use crate::input::Document;

/// One document with its human reference summary.
#[derive(Debug, Clone)]
pub struct Pair {
    /// The document (Multi-News' `|||||` between articles read as paragraph breaks).
    pub document: Document,
    /// The reference summary.
    pub reference: String,
    /// Its dataset, reported separately ("all" when the record has none).
    pub dataset: String,
}

/// One row of the table: a method's mean F1 scores on one dataset.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// The dataset.
    pub dataset: String,
    /// Documents scored.
    pub documents: usize,
    /// "extractive" or "lead-N".
    pub method: String,
    /// ROUGE-1 F1 × 100.
    pub rouge1: f64,
    /// ROUGE-2 F1 × 100.
    pub rouge2: f64,
    /// ROUGE-L F1 × 100.
    pub rouge_l: f64,
}

/// Documents summarized and scored at a time: memory holds one chunk's sentences and
/// vectors, not the dataset's, and a ROUGE triple per document.
const CHUNK: usize = 64;

/// How a dataset is read.
#[derive(Debug, Clone, Copy)]
pub struct ReadLimits {
    /// At most this many records (the rest of the file is not read).
    pub limit: Option<usize>,
    /// A document longer than this many characters is an error naming its line.
    pub max_chars: usize,
}

/// Streams JSON Lines with `document`, `reference` and optionally `dataset` and `id`, one
/// record at a time (lines over [`MAX_LINE_BYTES`] are refused without being held). A bad
/// record is an error naming its file and line; a file without records is an error too.
pub fn read_pairs(
    path: &Path,
    limits: ReadLimits,
) -> Result<std::iter::Peekable<impl Iterator<Item = Result<Pair>>>> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let shown = path.display().to_string();
    let io_path = path.to_path_buf();
    let mut pairs = BoundedLines::new(BufReader::new(f), MAX_LINE_BYTES)
        .filter_map(move |line| {
            let (n, line) = match line {
                Ok(x) => x,
                Err(e) => return Some(Err(Error::io(&io_path, e))),
            };
            let at = format!("{shown}:{n}");
            match line {
                Bounded::TooLong(bytes) => Some(Err(too_long(&at, bytes))),
                Bounded::Text(t) if t.trim().is_empty() => None,
                Bounded::Text(t) => Some(pair(&t, at, limits.max_chars)),
            }
        })
        .take(limits.limit.unwrap_or(usize::MAX))
        .peekable();
    if pairs.peek().is_none() {
        return Err(Error::Input(format!("{}: no records", path.display())));
    }
    Ok(pairs)
}

fn pair(line: &str, at: String, max_chars: usize) -> Result<Pair> {
    let v: Value = serde_json::from_str(line)
        .map_err(|e| Error::Input(format!("{at}: not valid JSON: {e}")))?;
    let field = |k: &str| -> Result<String> {
        v.get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| Error::Input(format!("{at}: no '{k}' string field")))
    };
    let document = Document {
        id: v.get("id").and_then(Value::as_str).map(str::to_string),
        text: field("document")?.replace("|||||", "\n\n"),
        origin: at.clone(),
        ..Default::default()
    };
    check_documents(std::slice::from_ref(&document), max_chars)?;
    Ok(Pair {
        reference: field("reference")?,
        dataset: v
            .get("dataset")
            .and_then(Value::as_str)
            .unwrap_or("all")
            .to_string(),
        document,
    })
}

/// ROUGE of `sentences`-sentence extractive summaries and of the Lead-`sentences`
/// baseline, per dataset (in name order), the method's row first. The pairs are consumed
/// [`CHUNK`] at a time, so a dataset of any length runs in bounded memory.
pub fn rouge_table<B: Backend<Output = Vec<f32>>>(
    encoder: &BatchEncoder<B>,
    model_name: &str,
    pairs: impl IntoIterator<Item = Result<Pair>>,
    sentences: usize,
) -> Result<Vec<Line>> {
    // dataset -> (method scores, lead scores)
    let mut by_set: BTreeMap<String, (Vec<Rouge>, Vec<Rouge>)> = BTreeMap::new();
    let mut pairs = pairs.into_iter().peekable();
    while pairs.peek().is_some() {
        let chunk = pairs.by_ref().take(CHUNK).collect::<Result<Vec<Pair>>>()?;
        let docs: Vec<Document> = chunk.iter().map(|p| p.document.clone()).collect();
        let summaries = summarize_extractive(
            encoder,
            model_name,
            &docs,
            Length::Sentences(sentences),
            &ExtractiveConfig::default(),
        )?;
        for (p, s) in chunk.iter().zip(&summaries) {
            let entry = by_set.entry(p.dataset.clone()).or_default();
            entry.0.push(rouge::score(&s.summary, &p.reference));
            let lead_text = lead(&p.document.text, "en", sentences).join(" ");
            entry.1.push(rouge::score(&lead_text, &p.reference));
        }
    }
    let mut lines = Vec::new();
    for (set, (ours, leads)) in &by_set {
        for (method, scores) in [
            ("extractive".to_string(), ours),
            (format!("lead-{sentences}"), leads),
        ] {
            let (r1, r2, rl) = rouge::mean_f1(scores);
            lines.push(Line {
                dataset: set.to_string(),
                documents: scores.len(),
                method,
                rouge1: r1 * 100.0,
                rouge2: r2 * 100.0,
                rouge_l: rl * 100.0,
            });
        }
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::{fake, BatchConfig};

    #[test]
    fn the_table_has_both_methods_per_dataset_and_bad_lines_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.jsonl");
        std::fs::write(
            &p,
            r#"{"dataset":"b","document":"One sentence here now. Two sentences here now. Three more words here.","reference":"Two sentences here now."}
{"dataset":"a","document":"Alpha beta gamma delta. Epsilon zeta eta theta.","reference":"Alpha beta gamma delta."}
"#,
        )
        .unwrap();
        let all = ReadLimits {
            limit: None,
            max_chars: 1000,
        };
        let pairs = read_pairs(&p, all).unwrap();
        let e = fake::embedder(BatchConfig::default()).unwrap();
        let t = rouge_table(&e, "fake", pairs, 1).unwrap();
        let rows: Vec<(&str, &str)> = t
            .iter()
            .map(|l| (l.dataset.as_str(), l.method.as_str()))
            .collect();
        assert_eq!(
            rows,
            [
                ("a", "extractive"),
                ("a", "lead-1"),
                ("b", "extractive"),
                ("b", "lead-1")
            ]
        );
        // Lead-1 of "a" is its reference word for word.
        assert!((t[1].rouge1 - 100.0).abs() < 1e-9);
        let first = |limits| read_pairs(&p, limits).unwrap().next().unwrap();
        let err = first(ReadLimits {
            limit: None,
            max_chars: 10,
        })
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("d.jsonl:1") && err.contains("--max-chars 10"),
            "{err}"
        );
        std::fs::write(&p, "\n{\"document\":\"x\"}\n").unwrap();
        let err = first(all).unwrap_err().to_string();
        assert!(
            err.ends_with("d.jsonl:2: no 'reference' string field"),
            "{err}"
        );
        std::fs::write(&p, "\n\n").unwrap();
        assert!(read_pairs(&p, all).is_err());
    }
}
