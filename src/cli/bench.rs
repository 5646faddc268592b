//! `parallax bench embed`: end-to-end embedding throughput (tokenize, schedule, run, pool)
//! across a sweep of token budgets, on real sentences the user supplies.

use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Subcommand};
use comfy_table::{presets, Table};
use parallax::encode::{scheduler, BatchConfig, Truncation};
use serde::Serialize;

use super::{ModelArgs, RuntimeArgs};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Sentences/s and tokens/s of the embedding engine across --batch-tokens values.
    Embed(BenchEmbedArgs),
}

#[derive(Args)]
pub struct BenchEmbedArgs {
    /// Articles to split into sentences (text, JSON or JSON Lines, as `summarize` reads).
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<String>,

    /// JSON field that holds the text.
    #[arg(long, default_value = "text")]
    pub field: String,

    /// Token budgets to measure, comma-separated. `1` runs one sentence per batch.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1,256,512,1024,2048,4096"
    )]
    pub sweep: Vec<usize>,

    /// Timed runs per setting; the fastest is reported.
    #[arg(long, default_value_t = 3)]
    pub repeat: usize,

    /// Use at most this many sentences.
    #[arg(long)]
    pub limit: Option<usize>,

    /// Also write the sentences, one per line, for a peer implementation to run on.
    #[arg(long, value_name = "FILE")]
    pub dump_sentences: Option<PathBuf>,

    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub model: ModelArgs,

    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

#[derive(Serialize)]
struct Row {
    batch_tokens: usize,
    max_batch_size: usize,
    batches: usize,
    padding_efficiency: f64,
    seconds: f64,
    sentences_per_s: f64,
    tokens_per_s: f64,
}

#[derive(Serialize)]
struct Report {
    model: String,
    device: String,
    threads: usize,
    sentences: usize,
    tokens: usize,
    rows: Vec<Row>,
}

pub fn run(cmd: BenchCommand) -> anyhow::Result<i32> {
    let BenchCommand::Embed(args) = cmd;
    anyhow::ensure!(args.repeat > 0, "--repeat must be at least 1");
    if let Some(p) = &args.dump_sentences {
        parallax::output::Reads::new().inputs(&args.inputs).check(
            "--dump-sentences",
            p,
            "sentences",
        )?;
    }
    let docs = parallax::input::load_all(
        &args.inputs,
        &args.field,
        parallax::input::document::MAX_INPUT_BYTES,
    )?;
    let mut sentences: Vec<String> = docs
        .iter()
        .flat_map(|d| parallax::input::split(&d.text, d.language.as_deref().unwrap_or("en")))
        .map(|s| s.text)
        .collect();
    if let Some(n) = args.limit {
        sentences.truncate(n);
    }
    anyhow::ensure!(!sentences.is_empty(), "no sentences in the inputs");
    if let Some(p) = &args.dump_sentences {
        parallax::output::write(p, (sentences.join("\n") + "\n").as_bytes())?;
    }
    let texts: Vec<&str> = sentences.iter().map(String::as_str).collect();

    let super::Opened {
        mut embedder,
        model,
        device,
        ..
    } = super::open_embedder(args.model.spec(), &args.runtime)?;
    // The warm-up runs at the CPU default whatever --batch-tokens says; the sweep sets its own.
    embedder.config = BatchConfig::default();
    let lengths: Vec<usize> = embedder.tokenize(&texts)?.iter().map(|t| t.len()).collect();
    let tokens: usize = lengths.iter().sum();
    // Warm-up: first calls allocate and pick kernels.
    embedder.encode(&texts[..texts.len().min(256)], Truncation::Cut)?;

    let mut rows = Vec::new();
    for &budget in &args.sweep {
        let cfg = if budget <= 1 {
            BatchConfig {
                batch_tokens: 1,
                max_batch_size: 1,
            }
        } else {
            BatchConfig {
                batch_tokens: budget,
                max_batch_size: args.runtime.max_batch_size,
            }
        };
        embedder.config = cfg;
        let plan = scheduler::plan(&lengths, cfg);
        let mut best = f64::MAX;
        for _ in 0..args.repeat {
            let t = Instant::now();
            let out = embedder.encode(&texts, Truncation::Cut)?;
            std::hint::black_box(&out.outputs);
            best = best.min(t.elapsed().as_secs_f64());
        }
        rows.push(Row {
            batch_tokens: cfg.batch_tokens,
            max_batch_size: cfg.max_batch_size,
            batches: plan.len(),
            padding_efficiency: scheduler::padding_efficiency(&lengths, &plan),
            seconds: best,
            sentences_per_s: texts.len() as f64 / best,
            tokens_per_s: tokens as f64 / best,
        });
    }
    let report = Report {
        model: model.name.clone(),
        device: parallax::device::describe(device),
        threads: parallax::device::threads(),
        sentences: texts.len(),
        tokens,
        rows,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "model {}, device {}, {} threads, {} sentences, {} tokens (best of {})",
            report.model,
            report.device,
            report.threads,
            report.sentences,
            report.tokens,
            args.repeat
        );
        let mut t = Table::new();
        t.load_preset(presets::NOTHING);
        t.set_header([
            "BATCH_TOKENS",
            "MAX_BATCH",
            "BATCHES",
            "PADDING_EFF",
            "SECONDS",
            "SENT/S",
            "TOK/S",
        ]);
        for r in &report.rows {
            t.add_row([
                r.batch_tokens.to_string(),
                r.max_batch_size.to_string(),
                r.batches.to_string(),
                format!("{:.3}", r.padding_efficiency),
                format!("{:.3}", r.seconds),
                format!("{:.1}", r.sentences_per_s),
                format!("{:.0}", r.tokens_per_s),
            ]);
        }
        println!("{t}");
    }
    Ok(0)
}
