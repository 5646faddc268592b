//! `parallax eval rouge`: summary quality against human references, beside Lead-3.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use comfy_table::{presets, Table};
use parallax::analyze::eval;

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

pub fn run(cmd: EvalCommand) -> anyhow::Result<i32> {
    let EvalCommand::Rouge(args) = cmd;
    anyhow::ensure!(args.sentences > 0, "--sentences must be at least 1");
    let pairs = eval::read_pairs(&args.data, args.limit)?;
    let opened = super::open_embedder(args.model.spec(), &args.runtime)?;
    let lines = eval::rouge_table(&opened.embedder, &opened.model.name, &pairs, args.sentences)?;
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
