//! `parallax compare`.

use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use parallax::analyze::compare::{
    compare, frames, glossary::Glossary, pick_model, CompareConfig, GroupBy, NliFraming, Source,
};
use parallax::encode::NliModel;
use parallax::models::ModelSpec;
use parallax::output::Reads;
use parallax::render::compare::{render, CompareFormat};

use super::{ModelArgs, RuntimeArgs};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum GroupArg {
    Country,
    Outlet,
}

#[derive(Args)]
#[command(after_help = "Examples:\n  \
parallax compare --source US=ap.html --source RU=tass.txt --source UA=https://example.org/story\n  \
parallax compare ../shared/data/coverage-dev.jsonl --event geneva_talks_nov23 --group-by country\n  \
parallax compare a.txt b.txt --format json -o report.json")]
pub struct CompareArgs {
    /// Articles: files (text, markdown, HTML, JSON/JSON Lines with id, outlet, country,
    /// language, title, text), http(s) URLs. Labels come from the outlet, the title or the
    /// file name.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// A labelled source, LABEL=PATH_OR_URL (repeatable).
    #[arg(long = "source", value_name = "LABEL=PATH_OR_URL")]
    pub sources: Vec<String>,

    /// With JSON Lines holding several stories: the `event` to compare.
    #[arg(long, value_name = "ID")]
    pub event: Option<String>,

    /// Compare groups of sources (all US outlets against all Russian ones, ...) instead of
    /// single sources.
    #[arg(long, value_enum)]
    pub group_by: Option<GroupArg>,

    /// Sentences in each source's summary.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub summary_sentences: usize,

    /// JSON field that holds the text, for JSON and JSON Lines inputs.
    #[arg(long, default_value = "text")]
    pub field: String,

    #[arg(long, short = 'f', value_enum, default_value_t = CompareFormat::Text)]
    pub format: CompareFormat,

    /// Write here (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Most sources in one comparison. Claim alignment compares every sentence of every
    /// source with every other, so time and memory grow with the square of the sources'
    /// sentences; more sources are refused before any model is loaded, naming this flag.
    /// For a corpus, `parallax stories` then `batch --task compare` splits it by story.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub max_sources: usize,

    #[command(flatten)]
    pub model: ModelArgs,

    #[command(flatten)]
    pub nli: NliArgs,

    #[command(flatten)]
    pub glossary: GlossaryArgs,

    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

/// The naming glossary (compare and batch --task compare).
#[derive(Args, Debug, Clone)]
pub struct GlossaryArgs {
    /// A naming glossary (TOML, the format of the shipped data/glossary.toml): its concepts
    /// are added to the shipped ones, and one with the same id replaces the shipped one.
    #[arg(long, value_name = "FILE")]
    pub glossary: Option<PathBuf>,

    /// Leave the shipped glossary out: only --glossary's concepts (if any) are counted;
    /// the epithets the data shows are reported either way.
    #[arg(long)]
    pub no_glossary: bool,
}

impl GlossaryArgs {
    /// The glossary to use, read before any model is loaded so a bad file fails fast.
    pub fn load(&self) -> anyhow::Result<Glossary> {
        let base = if self.no_glossary {
            Glossary::default()
        } else {
            Glossary::shipped()
        };
        Ok(match &self.glossary {
            Some(path) => base.extended(Glossary::read(path)?),
            None => base,
        })
    }
}

/// Frames by zero-shot NLI (compare and batch --task compare).
#[derive(Args, Debug, Clone)]
pub struct NliArgs {
    /// An NLI model folder (Hugging Face style: config.json with entailment in id2label,
    /// model.safetensors or rust_model.ot, tokenizer.json): BART, RoBERTa, XLM-RoBERTa or BERT,
    /// e.g. facebook/bart-large-mnli or, for Russian and Ukrainian sources,
    /// joeddav/xlm-roberta-large-xnli.
    /// Adds frames by zero-shot NLI beside the similarity frames. Costs 14 model passes per
    /// sentence: minutes for a large model on CPU.
    #[arg(long, value_name = "DIR")]
    pub nli_model_dir: Option<PathBuf>,

    /// The same from the Hugging Face cache: ORG/NAME[@REVISION] (fetch it once with
    /// `parallax models pull`), e.g. facebook/bart-large-mnli.
    #[arg(long, value_name = "ORG/NAME", conflicts_with = "nli_model_dir")]
    pub nli_model: Option<String>,

    /// Hypothesis for zero-shot NLI; {} takes each frame's topic.
    #[arg(long, value_name = "TEXT", default_value = frames::DEFAULT_TEMPLATE)]
    pub nli_template: String,
}

impl NliArgs {
    /// Loads the NLI model when one was asked for (checking the template first, so that a
    /// typo fails before minutes of loading).
    pub fn load(
        &self,
        device: tch::Device,
        batch: parallax::encode::BatchConfig,
        precision: parallax::encode::Precision,
    ) -> anyhow::Result<Option<(NliModel, String)>> {
        let spec = match (&self.nli_model_dir, &self.nli_model) {
            (Some(dir), _) => ModelSpec::Dir(dir.clone()),
            (None, Some(id)) => ModelSpec::Hub(id.clone()),
            (None, None) => return Ok(None),
        };
        frames::hypotheses(&self.nli_template)?;
        let model = parallax::models::resolve(&spec, "nli")?;
        let started = Instant::now();
        let nli = parallax::encode::load_nli(&model, device, batch, precision)?;
        tracing::info!(
            model = %model.name,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "NLI model loaded"
        );
        Ok(Some((nli, model.name)))
    }

    /// The framing request for one comparison; `progress` sees (pairs done, pairs).
    pub fn framing<'a>(
        &self,
        loaded: &'a Option<(NliModel, String)>,
        progress: impl FnMut(usize, usize) + 'a,
    ) -> Option<NliFraming<'a>> {
        loaded.as_ref().map(|(model, name)| NliFraming {
            model,
            name: name.clone(),
            template: self.nli_template.clone(),
            progress: Box::new(progress),
        })
    }
}

pub fn run(args: CompareArgs, quiet: bool) -> anyhow::Result<i32> {
    if let Some(out) = &args.output {
        Reads::new()
            .inputs(&args.inputs)
            .sources(&args.sources)
            .file("the glossary", args.glossary.glossary.as_deref())
            .check("-o", out, "output")?;
    }
    let sources = load_sources(&args)?;
    anyhow::ensure!(
        sources.len() <= args.max_sources,
        "{} sources to compare, over --max-sources {}: alignment compares every sentence \
         pair, so the cost grows with the square; raise --max-sources, or find the stories \
         first (`parallax stories --annotate`) and compare each with `parallax batch --task \
         compare --group-key story`",
        sources.len(),
        args.max_sources
    );
    let glossary = args.glossary.load()?;
    let opened = super::open_embedder(pick_model(args.model.spec(), &sources), &args.runtime)?;
    let nli = args.nli.load(
        opened.device,
        args.runtime.batch_config(opened.device)?,
        args.runtime.precision,
    )?;
    let cfg = CompareConfig {
        glossary,
        ..config(
            &opened.spec,
            &opened.model,
            args.group_by,
            args.summary_sentences,
        )
    };
    let started = Instant::now();
    let bar = nli_bar(quiet);
    let framing = args.nli.framing(&nli, |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    });
    let report = compare(
        &opened.embedder,
        &opened.model.name,
        &sources,
        &cfg,
        framing,
    )?;
    bar.finish_and_clear();
    tracing::info!(
        sources = sources.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "compared"
    );
    for w in &report.warnings {
        tracing::warn!("{w}");
    }
    let color = args.output.is_none() && super::stdout_is_colored();
    super::output::write(args.output.as_ref(), &render(&report, args.format, color))?;
    Ok(0)
}

/// Progress of zero-shot framing (the slow part of a comparison with an NLI model), on a
/// terminal only.
fn nli_bar(quiet: bool) -> ProgressBar {
    if quiet || !super::stderr_is_interactive() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "frames by NLI {bar:30} {human_pos}/{human_len} pairs, {per_sec} [{elapsed} < {eta}]",
        )
        .expect("valid template"),
    );
    bar
}

/// The comparison settings for the model, with the user's grouping and summary length.
pub fn config(
    spec: &ModelSpec,
    model: &parallax::models::ResolvedModel,
    group_by: Option<GroupArg>,
    summary_sentences: usize,
) -> CompareConfig {
    CompareConfig {
        summary_sentences: summary_sentences.max(1),
        group_by: group_by.map(|g| match g {
            GroupArg::Country => GroupBy::Country,
            GroupArg::Outlet => GroupBy::Outlet,
        }),
        ..CompareConfig::for_model(spec, model)
    }
}

fn load_sources(args: &CompareArgs) -> anyhow::Result<Vec<Source>> {
    Ok(parallax::analyze::compare::sources::load(
        &args.sources,
        &args.inputs,
        args.event.as_deref(),
        &args.field,
    )?)
}
