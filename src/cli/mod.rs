//! Command-line arguments. Every model command shares `ModelArgs` and `RuntimeArgs`, so
//! `--model`, `--model-dir`, `--device` and `--threads` mean the same everywhere.

pub mod batch;
pub mod bench;
pub mod compare;
pub mod embed;
pub mod eval;
pub mod models;
pub mod output;
pub mod stories;
pub mod summarize;

use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};
use parallax::device::DeviceChoice;
use parallax::encode::{BatchConfig, Embedder, Precision};
use parallax::models::{ModelSpec, ResolvedModel};

#[derive(Parser)]
#[command(
    name = "parallax",
    version,
    about = "Summarize news articles and compare how outlets cover the same story, with local transformer models",
    long_about = "Summarize news articles and compare how outlets cover the same story, with transformer \
models that run locally on CPU or GPU. Every judgement comes with the sentences behind it.\n\n\
Models are installed by scripts/setup.sh into ./models (or $PARALLAX_MODELS); \
`parallax models list` shows them.",
    after_help = "Examples:\n  parallax summarize article.txt --sentences 3\n  \
parallax embed sentences.txt -o vectors.jsonl\n  parallax models verify"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// More log output on stderr (-v info, -vv debug). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Only errors on stderr: no progress bars, no warnings.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Subcommand)]
pub enum Command {
    /// Summarize articles (extractive, on the embedded sentence model).
    Summarize(summarize::SummarizeArgs),
    /// Compare how several sources cover one story: shared and unique claims, conflicting
    /// figures, distinctive wording, how each side names things across languages, whom
    /// each quotes, frames; each with its evidence.
    Compare(compare::CompareArgs),
    /// Run summarize or compare over a whole JSON Lines corpus: streamed, resumable
    /// (--resume), shardable across machines (--shard I/N), bad records reported, not fatal.
    Batch(batch::BatchArgs),
    /// Find the stories of an unlabelled corpus across languages (articles that report one
    /// event), and each group's blindspots: stories other groups carry and it does not.
    Stories(stories::StoriesArgs),
    /// Embed sentences as vectors, written as JSON Lines.
    Embed(embed::EmbedArgs),
    /// List, and verify the files of, the models parallax knows.
    #[command(subcommand)]
    Models(models::ModelsCommand),
    /// Measure summary quality (ROUGE against references, beside Lead-3).
    #[command(subcommand)]
    Eval(eval::EvalCommand),
    /// Measure throughput (see README, Benchmarks).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

/// Which model to run.
#[derive(Args, Debug, Clone)]
pub struct ModelArgs {
    /// A model from the manifest, by name (see `parallax models list`), or from the Hugging
    /// Face cache as ORG/NAME[@REVISION] (fetched by transformers or `parallax models pull`;
    /// nothing is downloaded here).
    #[arg(long, value_name = "NAME", env = "PARALLAX_MODEL")]
    pub model: Option<String>,

    /// Any Hugging Face-style model folder: config.json, model.safetensors or rust_model.ot,
    /// tokenizer.json. Takes precedence over --model.
    #[arg(long, value_name = "DIR")]
    pub model_dir: Option<PathBuf>,
}

impl ModelArgs {
    pub fn spec(&self) -> ModelSpec {
        ModelSpec::from_args(self.model.clone(), self.model_dir.clone())
    }
}

/// Where and how the model runs.
#[derive(Args, Debug, Clone)]
pub struct RuntimeArgs {
    /// auto uses a CUDA GPU when libtorch sees one; cuda fails clearly when there is none.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Auto)]
    pub device: DeviceChoice,

    /// CPU threads for libtorch (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Token budget of one batch: batch size × longest input in it. Default: 512 on CPU
    /// (larger batches fall out of cache and run slower; see `parallax bench embed`),
    /// 16384 on a GPU.
    #[arg(long, value_name = "N")]
    pub batch_tokens: Option<usize>,

    /// Most inputs in one batch, whatever the budget.
    #[arg(long, value_name = "N", default_value_t = BatchConfig::default().max_batch_size)]
    pub max_batch_size: usize,

    /// Arithmetic of the models' linear layers. int8 (CPU only): dynamically quantized,
    /// calibrated at load; sentence embeddings about 1.9× faster with vectors at cosine
    /// ≥ 0.99 to fp32's (README, Embeddings); NLI models (frames) too, unchecked on real
    /// NLI weights (README). Abstractive models refuse it.
    #[arg(long, value_enum, default_value_t = Precision::Fp32)]
    pub precision: Precision,
}

impl RuntimeArgs {
    /// Applies the thread setting and picks the device.
    pub fn prepare(&self) -> anyhow::Result<tch::Device> {
        parallax::device::set_threads(self.threads)?;
        Ok(parallax::device::select(self.device)?)
    }

    pub fn batch_config(&self, device: tch::Device) -> anyhow::Result<BatchConfig> {
        let batch_tokens = self
            .batch_tokens
            .unwrap_or_else(|| BatchConfig::for_device(device).batch_tokens);
        anyhow::ensure!(batch_tokens > 0, "--batch-tokens must be at least 1");
        anyhow::ensure!(
            self.max_batch_size > 0,
            "--max-batch-size must be at least 1"
        );
        Ok(BatchConfig {
            batch_tokens,
            max_batch_size: self.max_batch_size,
        })
    }
}

/// A sentence-embedding model opened for a command, with what was decided on the way.
pub struct Opened {
    pub embedder: Embedder,
    pub model: ResolvedModel,
    /// What the user (or the automatic pick) asked for.
    pub spec: ModelSpec,
    pub device: tch::Device,
}

/// The one way a command opens its sentence-embedding model: threads and device from
/// `runtime`, the model from `spec` (its files checked), the batching core's budget for
/// that device.
pub fn open_embedder(spec: ModelSpec, runtime: &RuntimeArgs) -> anyhow::Result<Opened> {
    let device = runtime.prepare()?;
    let model = parallax::models::resolve(&spec, "sentence-embeddings")?;
    let started = Instant::now();
    let embedder = parallax::encode::load_embedder(
        &model,
        device,
        runtime.batch_config(device)?,
        runtime.precision,
    )?;
    tracing::info!(model = %model.name, elapsed_ms = started.elapsed().as_millis() as u64, "model loaded");
    Ok(Opened {
        embedder,
        model,
        spec,
        device,
    })
}

/// Whether stderr may carry colour and progress bars.
pub fn stderr_is_interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Whether stdout may carry colour: a terminal, and NO_COLOR unset.
pub fn stdout_is_colored() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
