//! `parallax embed`: sentences in, vectors out (JSON Lines), streamed in chunks so any
//! number of sentences runs in bounded memory.

use std::path::PathBuf;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use parallax::encode::Truncation;
use parallax::jobs::embed::{embed_stream, EmbedInput};

use super::{ModelArgs, RuntimeArgs};

#[derive(Args)]
pub struct EmbedArgs {
    /// Text files with one sentence per line, or JSON Lines files (.jsonl) with a text field;
    /// - for stdin. Blank lines are skipped.
    #[arg(value_name = "INPUT", default_value = "-")]
    pub inputs: Vec<String>,

    /// Read every input as JSON Lines (the default for .jsonl and .ndjson files).
    #[arg(long)]
    pub jsonl: bool,

    /// JSON field that holds the sentence; an `id` field, if present, is copied to the output.
    #[arg(long, default_value = "text")]
    pub field: String,

    /// Cut sentences longer than the model's maximum (they are marked "truncated": true)
    /// instead of stopping with an error.
    #[arg(long)]
    pub truncate: bool,

    /// Sentences read, embedded and written at a time; bounds memory.
    #[arg(long, value_name = "N", default_value_t = 8192)]
    pub chunk: usize,

    /// Write here (atomically: the file appears only when the run succeeds) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub model: ModelArgs,

    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

pub fn run(args: EmbedArgs, quiet: bool) -> anyhow::Result<i32> {
    anyhow::ensure!(args.chunk > 0, "--chunk must be at least 1");
    if let Some(out) = &args.output {
        parallax::output::Reads::new()
            .inputs(&args.inputs)
            .check("-o", out, "output")?;
    }
    let super::Opened {
        embedder, model, ..
    } = super::open_embedder(args.model.spec(), &args.runtime)?;
    let truncation = if args.truncate {
        Truncation::Cut
    } else {
        Truncation::Refuse
    };

    let progress = if quiet || !super::stderr_is_interactive() {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {human_pos} sentences embedded, {per_sec} [{elapsed}]",
            )
            .expect("valid template"),
        );
        bar
    };

    let mut sink = super::output::Sink::open(args.output.as_deref())?;
    let how = EmbedInput {
        jsonl: args.jsonl,
        field: &args.field,
        chunk: args.chunk,
        truncation,
    };
    // Sentences written before the chunk in progress.
    let written = std::cell::Cell::new(0u64);
    let total = embed_stream(
        &embedder,
        &args.inputs,
        how,
        &mut sink.out,
        &mut |done| progress.set_position(written.get() + done as u64),
        &mut |n, cut| {
            if cut > 0 {
                tracing::warn!(
                    "{cut} sentence(s) were longer than the model's maximum and were cut"
                );
            }
            written.set(written.get() + n as u64);
            progress.set_position(written.get());
        },
    )?;
    progress.finish_and_clear();
    sink.finish()?;
    tracing::info!(sentences = total, model = %model.name, "embedded");
    Ok(0)
}
