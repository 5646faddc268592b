//! `parallax batch`: flags and progress; the job itself is `parallax::jobs`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use parallax::jobs::{self, Comparer, Job, Shard, Sinks, Tally};
use parallax::output::Reads;

use super::compare::{GroupArg, NliArgs};
use super::{ModelArgs, RuntimeArgs};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Task {
    /// One extractive summary per record.
    Summarize,
    /// One comparison per group of records (--group-key, default `event`).
    Compare,
}

/// Exit status when the job finished but some records failed.
pub const EXIT_SOME_FAILED: i32 = 3;

#[derive(Args)]
#[command(
    after_help = "Output is appended and synced batch by batch; a job that was killed \
continues with --resume, skipping every id already written. Failed records become error \
records ({\"id\", \"line\", \"error\"}) in OUT, or in --errors FILE; the job goes on, and exits \
with status 3 if any failed.\n\nExamples:\n  \
parallax batch articles.jsonl --task summarize -o summaries.jsonl\n  \
parallax batch articles.jsonl -o summaries.jsonl --resume\n  \
parallax batch coverage.jsonl --task compare -o comparisons.jsonl\n  \
parallax batch articles.jsonl -o part-2.jsonl --shard 2/8   # worker 2 of 8"
)]
pub struct BatchArgs {
    /// JSON Lines input; each record needs an `id` and a `text` (see --field).
    #[arg(value_name = "INPUT.jsonl")]
    pub input: PathBuf,

    #[arg(long, value_enum, default_value_t = Task::Summarize)]
    pub task: Task,

    /// Output, JSON Lines (appended to with --resume).
    #[arg(long, short = 'o', value_name = "OUT.jsonl")]
    pub output: PathBuf,

    /// Continue a job: keep OUT and skip the ids (or groups) it already holds.
    #[arg(long)]
    pub resume: bool,

    /// Write error records here instead of into OUT.
    #[arg(long, value_name = "FILE")]
    pub errors: Option<PathBuf>,

    /// Process only share I of N (0-based), chosen by a hash of each record's id (of each
    /// group's key for compare); N workers with I = 0..N-1 cover every record once.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,

    /// compare: the field that groups records into one story.
    #[arg(long, default_value = "event", value_name = "FIELD")]
    pub group_key: String,

    /// compare: run the analyses between countries or outlets within each group.
    #[arg(long, value_enum)]
    pub group_by: Option<GroupArg>,

    /// summarize: records per batch (each batch is embedded in one pass, then written).
    #[arg(long, default_value_t = 64, value_name = "N")]
    pub chunk: usize,

    /// Sentences per summary (summarize) or per source summary (compare).
    #[arg(long, short = 'n', default_value_t = 3)]
    pub sentences: usize,

    /// Records whose text is longer than this many characters become error records.
    #[arg(long, default_value_t = 1_000_000, value_name = "CHARS")]
    pub max_chars: usize,

    /// JSON field that holds the text.
    #[arg(long, default_value = "text")]
    pub field: String,

    #[command(flatten)]
    pub model: ModelArgs,

    /// compare: frames by zero-shot NLI as well.
    #[command(flatten)]
    pub nli: NliArgs,

    #[command(flatten)]
    pub glossary: super::compare::GlossaryArgs,

    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

/// Progress on stderr: a bar on a terminal, a log line every few seconds elsewhere.
struct Progress {
    bar: Option<ProgressBar>,
    quiet: bool,
    started: Instant,
    last_log: Instant,
    total: Option<u64>,
    unit: &'static str,
}

impl Progress {
    fn new(quiet: bool) -> Self {
        Self {
            bar: None,
            quiet,
            started: Instant::now(),
            last_log: Instant::now(),
            total: None,
            unit: "records",
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl jobs::Progress for Progress {
    fn start(&mut self, total: Option<u64>, unit: &'static str) {
        self.bar = (!self.quiet && super::stderr_is_interactive()).then(|| {
            let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
            // Without a total (an input from a pipe) there is no bar to fill or time left.
            let template = match total {
                Some(_) => "{bar:30} {human_pos}/{human_len} {msg} [{elapsed} < {eta}]",
                None => "{spinner} {human_pos} lines {msg} [{elapsed}]",
            };
            bar.set_style(ProgressStyle::with_template(template).expect("valid template"));
            bar
        });
        self.started = Instant::now();
        self.last_log = Instant::now();
        self.total = total;
        self.unit = unit;
    }

    fn update(&mut self, done: u64, tally: &Tally) {
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let rate = (tally.written + tally.failed) as f64 / secs;
        let msg = format!(
            "{}/s, {:.0} tokens/s, {} failed",
            fmt_rate(rate),
            tally.tokens as f64 / secs,
            tally.failed
        );
        match &self.bar {
            Some(bar) => {
                bar.set_position(done);
                bar.set_message(msg);
            }
            None if self.last_log.elapsed() >= Duration::from_secs(5) => {
                self.last_log = Instant::now();
                let total = self.total.map(|t| format!("/{t}")).unwrap_or_default();
                tracing::info!("{done}{total} {} done, {msg}", self.unit);
            }
            None => {}
        }
    }
}

fn fmt_rate(r: f64) -> String {
    if r >= 10.0 {
        format!("{r:.0} records")
    } else {
        format!("{r:.2} records")
    }
}

pub fn run(args: BatchArgs, quiet: bool) -> anyhow::Result<i32> {
    anyhow::ensure!(args.chunk > 0, "--chunk must be at least 1");
    anyhow::ensure!(args.sentences > 0, "--sentences must be at least 1");
    let reads = Reads::new()
        .file("the input", Some(&args.input))
        .file("the glossary", args.glossary.glossary.as_deref());
    reads.check("-o", &args.output, "output")?;
    if let Some(errors) = &args.errors {
        reads
            .file("the output", Some(&args.output))
            .check("--errors", errors, "error records")?;
    }
    if args.task == Task::Compare {
        jobs::check_compare_input(&args.input)?;
    }
    let key = match args.task {
        Task::Summarize => "id",
        Task::Compare => "group",
    };
    let (mut sinks, resume) = Sinks::open(&args.output, args.errors.as_deref(), args.resume, key)?;
    if resume.cut_bytes > 0 {
        tracing::warn!(
            "{}: cut a partial last line ({} bytes) left by an interrupted run",
            args.output.display(),
            resume.cut_bytes
        );
    }
    if args.resume && resume.records > 0 {
        tracing::info!(
            "resuming: {} records already in {}",
            resume.records,
            args.output.display()
        );
    }

    let super::Opened {
        embedder,
        model,
        spec,
        device,
    } = super::open_embedder(args.model.spec(), &args.runtime)?;
    let job = Job {
        input: &args.input,
        field: &args.field,
        max_chars: args.max_chars,
        shard: args.shard,
        chunk: args.chunk,
        group_key: &args.group_key,
    };
    let mut progress = Progress::new(quiet);
    let started = Instant::now();
    let tally = match args.task {
        Task::Summarize => jobs::summarize(
            &job,
            &embedder,
            &model.name,
            args.sentences,
            &resume,
            &mut sinks,
            &mut progress,
        )?,
        Task::Compare => {
            let cfg = parallax::analyze::compare::CompareConfig {
                glossary: args.glossary.load()?,
                ..super::compare::config(&spec, &model, args.group_by, args.sentences)
            };
            let nli = args.nli.load(
                device,
                args.runtime.batch_config(device)?,
                args.runtime.precision,
            )?;
            let comparer = Comparer {
                encoder: &embedder,
                model_name: &model.name,
                cfg: &cfg,
                nli: nli
                    .as_ref()
                    .map(|(m, name)| (m, name.as_str(), args.nli.nli_template.as_str())),
            };
            jobs::compare_groups(&job, comparer, &resume, &mut sinks, &mut progress)?
        }
    };
    progress.finish();
    let secs = started.elapsed().as_secs_f64();
    let what = if args.task == Task::Compare {
        "groups"
    } else {
        "records"
    };
    let failed_where = match &args.errors {
        Some(e) => e.display().to_string(),
        None => args.output.display().to_string(),
    };
    if !quiet {
        eprintln!(
            "batch: {} {what} written, {} failed{}, {} skipped (already done){} in {:.1} s ({:.2} {what}/s)",
            tally.written,
            tally.failed,
            if tally.failed > 0 { format!(" (error records in {failed_where})") } else { String::new() },
            tally.skipped,
            if args.shard.is_some() { format!(", {} left to other shards", tally.other_shards) } else { String::new() },
            secs,
            (tally.written + tally.failed) as f64 / secs.max(1e-3)
        );
    }
    Ok(if tally.failed > 0 {
        EXIT_SOME_FAILED
    } else {
        0
    })
}
