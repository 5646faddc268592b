//! `parallax summarize`.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use parallax::analyze::extractive::ExtractiveConfig;
use parallax::analyze::summarize::{summarize_extractive, Length};
use parallax::render::{self, Format};

use super::{ModelArgs, RuntimeArgs};

#[derive(Args)]
pub struct SummarizeArgs {
    /// Files (plain text, markdown, JSON or JSON Lines with a text field), or - for stdin.
    #[arg(value_name = "INPUT", default_value = "-")]
    pub inputs: Vec<String>,

    /// Number of sentences in each summary.
    #[arg(long, short = 'n', value_name = "N", conflicts_with_all = ["ratio", "words"])]
    pub sentences: Option<usize>,

    /// Share of the article's sentences to keep (0 < R ≤ 1).
    #[arg(long, value_name = "R", conflicts_with = "words")]
    pub ratio: Option<f32>,

    /// Most words in each summary (at least one sentence is kept).
    #[arg(long, value_name = "W")]
    pub words: Option<usize>,

    /// JSON field that holds the text, for JSON and JSON Lines inputs.
    #[arg(long, default_value = "text")]
    pub field: String,

    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Write here (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub model: ModelArgs,

    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

impl SummarizeArgs {
    fn length(&self) -> anyhow::Result<Length> {
        Ok(match (self.sentences, self.ratio, self.words) {
            (Some(0), _, _) => anyhow::bail!("--sentences must be at least 1"),
            (Some(n), _, _) => Length::Sentences(n),
            (_, Some(r), _) if !(r > 0.0 && r <= 1.0) => {
                anyhow::bail!("--ratio must be in (0, 1], got {r}")
            }
            (_, Some(r), _) => Length::Ratio(r),
            (_, _, Some(0)) => anyhow::bail!("--words must be at least 1"),
            (_, _, Some(w)) => Length::Words(w),
            _ => Length::default(),
        })
    }
}

pub fn run(args: SummarizeArgs) -> anyhow::Result<i32> {
    let length = args.length()?;
    let docs = parallax::input::load_all(&args.inputs, &args.field)?;
    let device = args.runtime.prepare()?;
    let model = parallax::models::resolve(&args.model.spec(), "sentence-embeddings")?;
    let started = Instant::now();
    let mut embedder =
        parallax::encode::load_embedder(&model, device, args.runtime.batch_config(device)?)?;
    tracing::info!(model = %model.name, elapsed_ms = started.elapsed().as_millis() as u64, "model loaded");
    let summaries = summarize_extractive(
        &mut embedder,
        &model.name,
        &docs,
        length,
        &ExtractiveConfig::default(),
    )?;
    for s in &summaries {
        if s.truncated_sentences > 0 {
            tracing::warn!(
                "{}: {} sentence(s) longer than the model's maximum were cut before embedding",
                s.origin,
                s.truncated_sentences
            );
        }
        if s.sentences.is_empty() {
            tracing::warn!("{}: no sentences to summarize", s.origin);
        }
    }
    super::output::write(
        args.output.as_ref(),
        &render::summary::render(&summaries, args.format),
    )?;
    Ok(0)
}
