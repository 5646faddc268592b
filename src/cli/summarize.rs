//! `parallax summarize`.

use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, ValueEnum};
use parallax::analyze::abstractive::summarize_abstractive;
use parallax::analyze::extractive::ExtractiveConfig;
use parallax::analyze::summarize::{summarize_extractive, Length, Summary};
use parallax::encode::GenerationOptions;
use parallax::input::Document;
use parallax::output::Reads;
use parallax::render::{self, Format};

use super::{ModelArgs, RuntimeArgs};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Method {
    /// Picks the article's most central sentences, verbatim (offline, on the embedded model).
    Extractive,
    /// Writes new sentences with a BART, DistilBART, T5 or Pegasus model (--model-dir).
    Abstractive,
}

#[derive(Args)]
#[command(after_help = "Examples:\n  parallax summarize article.txt -n 3\n  \
parallax summarize https://example.org/story.html --format markdown\n  \
parallax summarize articles.jsonl --format json -o summaries.jsonl\n  \
parallax summarize long.txt --method abstractive --model-dir ~/models/distilbart-cnn-12-6")]
pub struct SummarizeArgs {
    /// Files (plain text, markdown, HTML, JSON or JSON Lines with a text field), http(s)
    /// URLs, or - for stdin.
    #[arg(value_name = "INPUT", default_value = "-")]
    pub inputs: Vec<String>,

    /// extractive: the article's own sentences; abstractive: generated text (needs a
    /// seq2seq model folder; long articles are summarized chunk by chunk, then the chunk
    /// summaries are summarized).
    #[arg(long, short = 'm', value_enum, default_value_t = Method::Extractive)]
    pub method: Method,

    /// Number of sentences in each summary.
    #[arg(long, short = 'n', value_name = "N", conflicts_with_all = ["ratio", "words"])]
    pub sentences: Option<usize>,

    /// Share of the article's sentences to keep (0 < R ≤ 1).
    #[arg(long, value_name = "R", conflicts_with = "words")]
    pub ratio: Option<f32>,

    /// Most words in each summary (at least one sentence is kept).
    #[arg(long, value_name = "W")]
    pub words: Option<usize>,

    /// Abstractive: beams in beam search (1 = greedy, deterministic and fastest).
    /// Default: the model's config.json, else 4.
    #[arg(long, value_name = "N", help_heading = "Abstractive")]
    pub beams: Option<i64>,

    /// Abstractive: fewest tokens in each generated summary. Default: the model's, else 30.
    #[arg(long, value_name = "TOKENS", help_heading = "Abstractive")]
    pub min_length: Option<i64>,

    /// Abstractive: most tokens in each generated summary. Default: the model's, else 142.
    #[arg(long, value_name = "TOKENS", help_heading = "Abstractive")]
    pub max_length: Option<i64>,

    /// Abstractive: never repeat an n-gram of this size (0 = off). Default: the model's, else 3.
    #[arg(long, value_name = "N", help_heading = "Abstractive")]
    pub no_repeat_ngram: Option<i64>,

    /// Abstractive: largest chunk, in tokens, an article is cut into (default and upper
    /// bound: the model's maximum input, e.g. 1024 for BART).
    #[arg(long, value_name = "TOKENS", help_heading = "Abstractive")]
    pub chunk_tokens: Option<usize>,

    /// JSON field that holds the text, for JSON and JSON Lines inputs.
    #[arg(long, default_value = "text")]
    pub field: String,

    /// Longest document read, in characters; a longer one is refused before any work (a
    /// plain file before it is read), naming this flag. Bounds time and memory.
    #[arg(long, value_name = "N", default_value_t = parallax::input::document::MAX_CHARS)]
    pub max_chars: usize,

    /// Extractive: most sentences of one document to score; a longer one is refused before
    /// it is embedded, naming this flag (centrality's time grows with its square).
    #[arg(long, value_name = "N", default_value_t = ExtractiveConfig::default().max_sentences)]
    pub max_sentences: usize,

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
    anyhow::ensure!(args.max_chars > 0, "--max-chars must be at least 1");
    if let Some(out) = &args.output {
        Reads::new()
            .inputs(&args.inputs)
            .check("-o", out, "output")?;
    }
    parallax::input::document::check_file_sizes(&args.inputs, args.max_chars)?;
    let max_bytes = (args.max_chars as u64)
        .saturating_mul(4)
        .max(parallax::input::document::MAX_INPUT_BYTES);
    let docs = parallax::input::load_all(&args.inputs, &args.field, max_bytes)?;
    parallax::input::document::check_documents(&docs, args.max_chars)?;
    let summaries = match args.method {
        Method::Extractive => extractive(&args, &docs)?,
        Method::Abstractive => abstractive(&args, &docs)?,
    };
    for s in &summaries {
        if s.truncated_inputs > 0 {
            tracing::warn!(
                "{}: {} model input(s) longer than the model's maximum were cut",
                s.origin,
                s.truncated_inputs
            );
        }
        if s.summary.is_empty() {
            tracing::warn!("{}: the summary is empty (no sentences to summarize, or the model generated only special tokens)", s.origin);
        }
    }
    super::output::write(
        args.output.as_ref(),
        &render::summary::render(&summaries, args.format),
    )?;
    Ok(0)
}

fn extractive(args: &SummarizeArgs, docs: &[Document]) -> anyhow::Result<Vec<Summary>> {
    let length = args.length()?;
    let opened = super::open_embedder(args.model.spec(), &args.runtime)?;
    Ok(summarize_extractive(
        &opened.embedder,
        &opened.model.name,
        docs,
        length,
        &ExtractiveConfig {
            max_sentences: args.max_sentences.max(1),
            ..ExtractiveConfig::default()
        },
    )?)
}

fn abstractive(args: &SummarizeArgs, docs: &[Document]) -> anyhow::Result<Vec<Summary>> {
    anyhow::ensure!(
        args.sentences.is_none() && args.ratio.is_none() && args.words.is_none(),
        "--sentences, --ratio and --words choose extractive lengths; for --method abstractive \
         use --min-length and --max-length (tokens)"
    );
    anyhow::ensure!(
        args.runtime.precision == parallax::encode::Precision::Fp32,
        "--precision int8 applies to sentence-embedding models; --method abstractive runs its \
         seq2seq model in fp32 (drop --precision)"
    );
    let device = args.runtime.prepare()?;
    let model = parallax::models::resolve(&args.model.spec(), "summarization").map_err(|e| {
        // With its causes: an unreadable config's reason is the source, not the message.
        let e = anyhow::Error::from(e);
        anyhow::anyhow!(
            "{e:#}\n--method abstractive needs a seq2seq model folder: --model-dir DIR with \
             config.json (bart, t5 or pegasus), model.safetensors or rust_model.ot, and tokenizer.json"
        )
    })?;
    let opts = GenerationOptions {
        num_beams: args.beams,
        min_length: args.min_length,
        max_length: args.max_length,
        no_repeat_ngram_size: args.no_repeat_ngram,
        length_penalty: None,
    };
    let started = Instant::now();
    let mut summarizer = parallax::encode::load_summarizer(
        &model,
        device,
        args.runtime.batch_config(device)?,
        opts,
    )?;
    // The batching core's budget for generation: the generator's best on this device,
    // unless --batch-tokens set one.
    if args.runtime.batch_tokens.is_none() {
        let own = summarizer.backend().own_decoder();
        summarizer.config.batch_tokens =
            parallax::encode::BatchConfig::for_generation(device, own).batch_tokens;
    }
    if let Some(n) = args.chunk_tokens {
        anyhow::ensure!(n >= 16, "--chunk-tokens must be at least 16");
        summarizer.backend_mut().limit_input(n);
    }
    tracing::info!(model = %model.name, elapsed_ms = started.elapsed().as_millis() as u64, "model loaded");
    Ok(summarize_abstractive(&mut summarizer, &model.name, docs)?)
}
