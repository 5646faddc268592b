//! `parallax eval rouge|stories|compare`: summaries against human references, stories
//! against labels, comparisons against gold annotations.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use comfy_table::{presets, Table};
use parallax::analyze::eval;
use parallax::analyze::stories::score::Scores;
use parallax::analyze::stories::StoriesConfig;
use parallax::jobs::stories as job;

use super::{ModelArgs, RuntimeArgs};

#[derive(Subcommand)]
pub enum EvalCommand {
    /// ROUGE-1/2/L F1 of the summarizer and of Lead-3 on a JSONL file with `document` and
    /// `reference` fields (and optionally `dataset`, reported separately).
    Rouge(RougeArgs),
    /// Pairwise and B-cubed precision/recall/F1 of `parallax stories` against a label
    /// field, beside a one-threshold baseline.
    Stories(StoriesEvalArgs),
    /// What `compare` finds against gold annotations of events (facts two or more sources
    /// report, details only one gives, disagreements): fact recall, claim purity and
    /// fragmentation, exclusive recall, precision and kind accuracy, unique-claim precision,
    /// disagreement recall, per event and micro-averaged. The measures are defined in
    /// docs/EVALUATION.md.
    Compare(CompareEvalArgs),
}

#[derive(Args)]
pub struct CompareEvalArgs {
    /// JSON Lines corpora holding the annotated events' records (by `id`); repeat for
    /// several, e.g. --data ../shared/data/coverage-dev.jsonl --data
    /// ../shared/data/coverage-world-dev.jsonl.
    #[arg(long, value_name = "FILE", required = true)]
    pub data: Vec<PathBuf>,

    /// A gold annotation (JSON) or a folder of them, e.g. ../shared/data/gold.
    #[arg(long, value_name = "FILE_OR_DIR")]
    pub gold: PathBuf,

    /// Only this event.
    #[arg(long, value_name = "ID")]
    pub event: Option<String>,

    /// Print JSON (every count, score and problem per event, and the micro-average)
    /// instead of a table.
    #[arg(long)]
    pub json: bool,

    /// The sentence model; by default the one `compare` would choose for each event (the
    /// multilingual model when a source is not in English).
    #[command(flatten)]
    pub model: ModelArgs,

    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

/// Runs `compare` on each gold event, one unit per source, and scores its report.
fn compare(args: CompareEvalArgs) -> anyhow::Result<i32> {
    use parallax::analyze::compare::{compare, pick_model};
    use parallax::analyze::eval_compare as ec;
    let (events, articles) = ec::load(&args.data, &args.gold, args.event.as_deref())?;
    let mut opened: Vec<(String, super::Opened)> = Vec::new();
    let mut scores = Vec::new();
    for g in &events {
        let sources = ec::sources(g, &articles);
        let spec = pick_model(args.model.spec(), &sources);
        let key = format!("{spec:?}");
        let at = match opened.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                opened.push((key, super::open_embedder(spec, &args.runtime)?));
                opened.len() - 1
            }
        };
        let o = &opened[at].1;
        let cfg = super::compare::config(&o.spec, &o.model, None, 3);
        let report = compare(&o.embedder, &o.model.name, &sources, &cfg, None)?;
        scores.push(ec::score(g, &articles, &report));
    }
    let all = ec::micro(&scores);
    if args.json {
        let out = serde_json::json!({ "events": scores, "micro": all });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(0);
    }
    let pct = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.2}"));
    let mut t = Table::new();
    t.load_preset(presets::NOTHING);
    t.set_header([
        "EVENT", "SRC", "FACTS", "RECALL", "PURITY", "FRAG", "CLAIMS", "EXCL", "X-REC", "X-PREC",
        "KIND", "UNIQ", "U-PREC", "DIS", "D-REC",
    ]);
    for s in scores.iter().chain(std::iter::once(&all)) {
        let c = &s.counts;
        let r = &s.scores;
        t.add_row([
            s.event.clone(),
            s.sources.to_string(),
            format!("{}/{}", c.facts_found, c.facts),
            pct(r.fact_recall),
            pct(r.claim_purity),
            pct(r.fragmentation),
            format!("{} ({} unmapped)", c.claims, c.claims_unmapped),
            format!("{}/{}", c.exclusives_found, c.exclusives),
            pct(r.exclusive_recall),
            format!(
                "{} of {}",
                pct(r.exclusive_precision),
                c.exclusives_reported
            ),
            pct(r.kind_accuracy),
            c.unique.to_string(),
            pct(r.unique_precision),
            format!("{}/{}", c.disagreements_found, c.disagreements),
            pct(r.disagreement_recall),
        ]);
    }
    println!("{t}");
    println!(
        "model {}; one unit per source; `all` is the micro-average (counts added); --json \
         lists the missed facts, split facts, refuted exclusives and the rest",
        all.model
    );
    Ok(0)
}

#[derive(Args)]
pub struct StoriesEvalArgs {
    /// JSON Lines with `id`, `text` and the label (e.g. ../shared/data/coverage-dev.jsonl,
    /// label `event`), or the Multi-News layout (`document` with source articles joined by
    /// `|||||`, each record one story; e.g. ../shared/data/summ-dev.jsonl).
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,

    /// The field that says which story a record belongs to.
    #[arg(long, default_value = "event", value_name = "FIELD")]
    pub label: String,

    /// Only records whose `dataset` field is this (summ-dev holds CNN and Multi-News).
    #[arg(long, value_name = "NAME")]
    pub dataset: Option<String>,

    /// Also score these thresholds (comma-separated), to see how the choice was made.
    #[arg(long, value_delimiter = ',', value_name = "SIMS")]
    pub sweep: Vec<f32>,

    /// As `stories --threshold`.
    #[arg(long, default_value_t = StoriesConfig::default().threshold, value_name = "SIM")]
    pub threshold: f32,

    /// As `stories --window-days`.
    #[arg(long, default_value_t = StoriesConfig::default().window_days, value_name = "DAYS")]
    pub window_days: i64,

    /// As `stories --day-penalty`.
    #[arg(long, default_value_t = StoriesConfig::default().day_penalty, value_name = "SIM")]
    pub day_penalty: f32,

    /// Refuse more labelled articles than this, before the model loads: every article's
    /// vector is held, and the baseline compares each article with every story.
    #[arg(long, default_value_t = 20_000, value_name = "N")]
    pub max_articles: usize,

    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub model: ModelArgs,

    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

#[derive(serde::Serialize)]
struct StoriesLine {
    method: String,
    threshold: f32,
    articles: usize,
    #[serde(flatten)]
    scores: Scores,
}

fn stories(args: StoriesEvalArgs) -> anyhow::Result<i32> {
    super::stories::check_dates(args.window_days, args.day_penalty)?;
    anyhow::ensure!(args.max_articles > 0, "--max-articles must be at least 1");
    let keep = match &args.dataset {
        Some(d) => Some(job::dataset_ids(&args.data, d)?),
        None => None,
    };
    let labelled = job::read_labelled(
        &args.data,
        &args.label,
        "country",
        keep.as_ref(),
        args.max_articles,
    )?;
    anyhow::ensure!(
        !labelled.is_empty(),
        "{}: no labelled article to score",
        args.data.display()
    );
    let opened = super::open_embedder(
        super::stories::stories_model(args.model.spec()),
        &args.runtime,
    )?;
    let articles: Vec<_> = labelled.iter().map(|(a, _)| a.clone()).collect();
    let vectors = job::embed_leads(&opened.embedder, &articles, &mut |_| {})?;
    let method = StoriesConfig {
        threshold: args.threshold,
        window_days: args.window_days,
        day_penalty: args.day_penalty,
        ..StoriesConfig::default()
    };
    let mut runs = vec![("stories".to_string(), method.clone())];
    for &t in &args.sweep {
        runs.push((
            "stories".into(),
            StoriesConfig {
                threshold: t,
                ..method.clone()
            },
        ));
    }
    runs.push(("baseline".into(), StoriesConfig::baseline()));
    let lines: Vec<StoriesLine> = runs
        .into_iter()
        .map(|(name, config)| StoriesLine {
            method: name,
            threshold: config.threshold,
            articles: labelled.len(),
            scores: job::evaluate(&labelled, &vectors, config),
        })
        .collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&lines)?);
        return Ok(0);
    }
    let mut t = Table::new();
    t.load_preset(presets::NOTHING);
    t.set_header([
        "METHOD",
        "THRESHOLD",
        "ARTICLES",
        "STORIES",
        "LABELS",
        "PAIR-P",
        "PAIR-R",
        "PAIR-F1",
        "B3-P",
        "B3-R",
        "B3-F1",
    ]);
    for l in &lines {
        let s = &l.scores;
        t.add_row([
            l.method.clone(),
            format!("{:.2}", l.threshold),
            l.articles.to_string(),
            s.clusters.to_string(),
            s.labels.to_string(),
            format!("{:.3}", s.pairwise.precision),
            format!("{:.3}", s.pairwise.recall),
            format!("{:.3}", s.pairwise.f1),
            format!("{:.3}", s.bcubed.precision),
            format!("{:.3}", s.bcubed.recall),
            format!("{:.3}", s.bcubed.f1),
        ]);
    }
    println!("{t}");
    println!(
        "model {}; stories: leads with language offsets removed, {}-day window, {} per day apart; \
         baseline: raw cosine, no dates",
        opened.model.name, args.window_days, args.day_penalty
    );
    Ok(0)
}

#[derive(Args)]
pub struct RougeArgs {
    /// JSON Lines with `document` and `reference` (e.g. ../shared/data/summ-dev.jsonl).
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,

    /// Sentences per summary, for the method and the lead baseline.
    #[arg(long, short = 'n', default_value_t = 3)]
    pub sentences: usize,

    /// Only the first N records (the rest of the file is not read).
    #[arg(long)]
    pub limit: Option<usize>,

    /// A document longer than this many characters is an error naming its line (documents
    /// are read, summarized and scored 64 at a time, so the file's length is not bounded).
    #[arg(long, default_value_t = 1_000_000, value_name = "CHARS")]
    pub max_chars: usize,

    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub model: ModelArgs,

    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

pub fn run(cmd: EvalCommand) -> anyhow::Result<i32> {
    let args = match cmd {
        EvalCommand::Rouge(args) => args,
        EvalCommand::Stories(args) => return stories(args),
        EvalCommand::Compare(args) => return compare(args),
    };
    anyhow::ensure!(args.sentences > 0, "--sentences must be at least 1");
    anyhow::ensure!(args.max_chars > 0, "--max-chars must be at least 1");
    let limits = eval::ReadLimits {
        limit: args.limit,
        max_chars: args.max_chars,
    };
    let pairs = eval::read_pairs(&args.data, limits)?;
    let opened = super::open_embedder(args.model.spec(), &args.runtime)?;
    let lines = eval::rouge_table(&opened.embedder, &opened.model.name, pairs, args.sentences)?;
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
