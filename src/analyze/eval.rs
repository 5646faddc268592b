//! Summary quality against human references: ROUGE of the extractive summarizer beside the
//! Lead-k baseline, per dataset (`parallax eval rouge`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use super::extractive::{ExtractiveConfig, Length};
use super::rouge::{self, Rouge};
use super::summarize::{lead, summarize_extractive};
use crate::encode::{Backend, BatchEncoder};
use crate::error::{Error, Result};
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

/// Reads JSON Lines with `document`, `reference` and optionally `dataset` and `id`; at most
/// `limit` records. A bad record is an error naming its file and line.
pub fn read_pairs(path: &Path, limit: Option<usize>) -> Result<Vec<Pair>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("{}:{}", path.display(), n + 1);
        let v: Value = serde_json::from_str(line)
            .map_err(|e| Error::Input(format!("{at}: not valid JSON: {e}")))?;
        let field = |k: &str| -> Result<String> {
            v.get(k)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| Error::Input(format!("{at}: no '{k}' string field")))
        };
        let document = field("document")?.replace("|||||", "\n\n");
        out.push(Pair {
            reference: field("reference")?,
            dataset: v
                .get("dataset")
                .and_then(Value::as_str)
                .unwrap_or("all")
                .to_string(),
            document: Document {
                id: v.get("id").and_then(Value::as_str).map(str::to_string),
                text: document,
                origin: at,
                ..Default::default()
            },
        });
        if limit.is_some_and(|l| out.len() >= l) {
            break;
        }
    }
    if out.is_empty() {
        return Err(Error::Input(format!("{}: no records", path.display())));
    }
    Ok(out)
}

/// ROUGE of `sentences`-sentence extractive summaries and of the Lead-`sentences`
/// baseline, per dataset (in name order), the method's row first.
pub fn rouge_table<B: Backend<Output = Vec<f32>>>(
    encoder: &BatchEncoder<B>,
    model_name: &str,
    pairs: &[Pair],
    sentences: usize,
) -> Result<Vec<Line>> {
    let docs: Vec<Document> = pairs.iter().map(|p| p.document.clone()).collect();
    let summaries = summarize_extractive(
        encoder,
        model_name,
        &docs,
        Length::Sentences(sentences),
        &ExtractiveConfig::default(),
    )?;
    // dataset -> (method scores, lead scores)
    let mut by_set: BTreeMap<&str, (Vec<Rouge>, Vec<Rouge>)> = BTreeMap::new();
    for (p, s) in pairs.iter().zip(&summaries) {
        let entry = by_set.entry(&p.dataset).or_default();
        entry.0.push(rouge::score(&s.summary, &p.reference));
        let lead_text = lead(&p.document.text, "en", sentences).join(" ");
        entry.1.push(rouge::score(&lead_text, &p.reference));
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
        let pairs = read_pairs(&p, None).unwrap();
        let e = fake::embedder(BatchConfig::default()).unwrap();
        let t = rouge_table(&e, "fake", &pairs, 1).unwrap();
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
        std::fs::write(&p, "{\"document\":\"x\"}\n").unwrap();
        let err = read_pairs(&p, None).unwrap_err().to_string();
        assert!(
            err.ends_with("d.jsonl:1: no 'reference' string field"),
            "{err}"
        );
    }
}
