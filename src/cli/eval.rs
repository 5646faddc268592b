//! `parallax eval rouge`: summary quality against human references, beside Lead-3.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use comfy_table::{presets, Table};
use parallax::analyze::extractive::ExtractiveConfig;
use parallax::analyze::rouge::{self, Rouge};
use parallax::analyze::summarize::{lead, summarize_extractive, Length};
use parallax::input::Document;
use serde::Serialize;
use serde_json::Value;

use super::{ModelArgs, RuntimeArgs};

#[derive(Subcommand)]
pub enum EvalCommand {
    /// ROUGE-1/2/L F1 of the summarizer and of Lead-3 on a JSONL file with `document` and
    /// `reference` fields (and optionally `dataset`, reported separately).
    Rouge(RougeArgs),
}

#[derive(Args)]
pub struct RougeArgs {
    /// JSON Lines with `document` and `reference` (e.g. ../shared/data/summ-dev.jsonl).
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,

    /// Sentences per summary, for the method and the lead baseline.
    #[arg(long, short = 'n', default_value_t = 3)]
    pub sentences: usize,

    /// Only the first N records.
    #[arg(long)]
    pub limit: Option<usize>,

    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub model: ModelArgs,

    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

#[derive(Serialize)]
struct Line {
    dataset: String,
    documents: usize,
    method: String,
    rouge1: f64,
    rouge2: f64,
    rouge_l: f64,
}

pub fn run(cmd: EvalCommand) -> anyhow::Result<i32> {
    let EvalCommand::Rouge(args) = cmd;
    anyhow::ensure!(args.sentences > 0, "--sentences must be at least 1");
    let text = std::fs::read_to_string(&args.data)
        .with_context(|| format!("cannot read {}", args.data.display()))?;
    let mut docs = Vec::new();
    let mut references = Vec::new();
    let mut datasets = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("{}:{}", args.data.display(), n + 1);
        let v: Value =
            serde_json::from_str(line).with_context(|| format!("{at}: not valid JSON"))?;
        let field = |k: &str| -> anyhow::Result<String> {
            v.get(k)
                .and_then(Value::as_str)
                .map(str::to_string)
                .with_context(|| format!("{at}: no '{k}' string field"))
        };
        // Multi-News joins its source articles with |||||: they are paragraph breaks.
        let document = field("document")?.replace("|||||", "\n\n");
        references.push(field("reference")?);
        datasets.push(
            v.get("dataset")
                .and_then(Value::as_str)
                .unwrap_or("all")
                .to_string(),
        );
        docs.push(Document {
            id: v.get("id").and_then(Value::as_str).map(str::to_string),
            text: document,
            origin: at,
            ..Default::default()
        });
        if args.limit.is_some_and(|l| docs.len() >= l) {
            break;
        }
    }
    anyhow::ensure!(!docs.is_empty(), "{}: no records", args.data.display());

    let opened = super::open_embedder(args.model.spec(), &args.runtime)?;
    let summaries = summarize_extractive(
        &opened.embedder,
        &opened.model.name,
        &docs,
        Length::Sentences(args.sentences),
        &ExtractiveConfig::default(),
    )?;

    // dataset -> (method scores, lead scores)
    let mut by_set: BTreeMap<&str, (Vec<Rouge>, Vec<Rouge>)> = BTreeMap::new();
    for i in 0..docs.len() {
        let entry = by_set.entry(&datasets[i]).or_default();
        entry
            .0
            .push(rouge::score(&summaries[i].summary, &references[i]));
        let lead_text = lead(&docs[i].text, "en", args.sentences).join(" ");
        entry.1.push(rouge::score(&lead_text, &references[i]));
    }
    let mut lines = Vec::new();
    for (set, (ours, leads)) in &by_set {
        for (method, scores) in [
            ("extractive".to_string(), ours),
            (format!("lead-{}", args.sentences), leads),
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
    if args.json {
        println!("{}", serde_json::to_string_pretty(&lines)?);
    } else {
        let mut t = Table::new();
        t.load_preset(presets::NOTHING);
        t.set_header(["DATASET", "DOCS", "METHOD", "ROUGE-1", "ROUGE-2", "ROUGE-L"]);
        for l in &lines {
            t.add_row([
                l.dataset.clone(),
                l.documents.to_string(),
                l.method.clone(),
                format!("{:.2}", l.rouge1),
                format!("{:.2}", l.rouge2),
                format!("{:.2}", l.rouge_l),
            ]);
        }
        println!("{t}");
        println!(
            "F1 × 100, rouge-score conventions, no stemming; model {}",
            opened.model.name
        );
    }
    Ok(0)
}
