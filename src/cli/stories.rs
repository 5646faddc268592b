//! `parallax stories`.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use parallax::analyze::compare::{multilingual_installed, MULTILINGUAL};
use parallax::analyze::stories::{blindspots, BlindspotRule, StoriesConfig};
use parallax::jobs::checkpoint::Checkpoint;
use parallax::jobs::stories as job;
use parallax::models::ModelSpec;
use parallax::output::Reads;
use parallax::render::stories::{render, StoriesFormat, StoriesView};

use super::{ModelArgs, RuntimeArgs};

#[derive(Args)]
#[command(after_help = "Examples:\n  \
parallax stories feed.jsonl -f text\n  \
parallax stories feed.jsonl --group-by outlet -f html -o stories.html\n  \
parallax stories feed.jsonl --annotate -o feed.stories.jsonl && \
parallax batch feed.stories.jsonl --task compare --group-key story -o compared.jsonl\n  \
parallax stories big.jsonl -o stories.jsonl --resume   # after a killed run")]
pub struct StoriesArgs {
    /// JSON Lines, one article per line: `id` and `text`, and when present `title`, `date`,
    /// `outlet`, `country`, `language`, `url`. Read in order: put it in date order (feeds
    /// are) so that finished stories can close and free their memory.
    #[arg(value_name = "INPUT.jsonl")]
    pub input: PathBuf,

    /// JSON field that holds the article text.
    #[arg(long, default_value = "text")]
    pub field: String,

    /// Field whose value groups outlets for coverage counts and blindspots: country,
    /// outlet, or any field of the records.
    #[arg(long, default_value = "country", value_name = "FIELD")]
    pub group_by: String,

    /// A dated article joins only stories whose dates it falls within this many days of.
    /// Undated articles may join any open story.
    #[arg(long, default_value_t = StoriesConfig::default().window_days, value_name = "DAYS")]
    pub window_days: i64,

    /// Similarity a pair of dated articles loses per day between them, so that a story on a
    /// topic in the news every day does not creep from one event to the next; 0 turns it off.
    #[arg(long, default_value_t = StoriesConfig::default().day_penalty, value_name = "SIM")]
    pub day_penalty: f32,

    /// Least average similarity for an article to join a story (and for two stories to
    /// merge): 90% the cosine of headline + lead with language offsets removed, 10% the names
    /// and numbers they share. Lower joins more; README, Finding stories, says how it was chosen.
    #[arg(long, default_value_t = StoriesConfig::default().threshold, value_name = "SIM")]
    pub threshold: f32,

    /// Blindspots: distinct outlets of one group that must carry a story.
    #[arg(long, default_value_t = BlindspotRule::default().min_sources, value_name = "K")]
    pub min_sources: usize,

    /// Blindspots: the largest share (0..1) of a story's outlets a group may have and still
    /// be blind to it. 0: it has none.
    #[arg(long, default_value_t = BlindspotRule::default().max_share, value_name = "SHARE")]
    pub max_share: f64,

    /// Write every input record with its `story` field instead of the stories (lines that
    /// could not be used are copied as they are). Feeds `batch --task compare --group-key story`.
    #[arg(long)]
    pub annotate: bool,

    #[arg(long, short = 'f', value_enum, default_value_t = StoriesFormat::Jsonl)]
    pub format: StoriesFormat,

    /// Write here (atomically) instead of stdout. The leads' vectors are kept beside it in
    /// FILE.parallax-leads while the run lasts, so that a killed run can --resume.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Continue a run into -o FILE that was killed: the vectors in FILE.parallax-leads are
    /// reused (embedding is nearly all of a run's time) and only the rest is embedded; the
    /// stories come out as an uninterrupted run's.
    #[arg(long)]
    pub resume: bool,

    #[command(flatten)]
    pub model: ModelArgs,

    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

/// `--window-days` and `--day-penalty`, which `stories` and `eval stories` share.
pub(super) fn check_dates(window_days: i64, day_penalty: f32) -> anyhow::Result<()> {
    anyhow::ensure!(
        window_days >= 0,
        "--window-days must be 0 or more (got {window_days})"
    );
    anyhow::ensure!(
        (0.0..=1.0).contains(&day_penalty),
        "--day-penalty is a similarity per day, between 0 and 1 (got {day_penalty})"
    );
    Ok(())
}

impl StoriesArgs {
    /// Every flag checked before any model is loaded or any record read; also returns
    /// the checkpoint the run keeps beside its output, if it keeps one.
    fn validate(&self) -> anyhow::Result<(StoriesConfig, BlindspotRule, Option<PathBuf>)> {
        check_dates(self.window_days, self.day_penalty)?;
        anyhow::ensure!(
            (-1.0..=1.0).contains(&self.threshold),
            "--threshold is a cosine similarity, between -1 and 1 (got {})",
            self.threshold
        );
        anyhow::ensure!(self.min_sources >= 1, "--min-sources must be at least 1");
        anyhow::ensure!(
            (0.0..1.0).contains(&self.max_share),
            "--max-share is a share of a story's outlets, from 0 up to (not including) 1 (got {})",
            self.max_share
        );
        anyhow::ensure!(
            !(self.annotate && self.format != StoriesFormat::Jsonl),
            "--annotate writes the input records as JSON Lines; drop --format"
        );
        anyhow::ensure!(
            self.input.is_file(),
            "{}: no such file (stories reads a JSON Lines file)",
            self.input.display()
        );
        anyhow::ensure!(
            !self.resume || self.output.is_some(),
            "--resume continues a run that wrote to -o FILE: give the same -o FILE"
        );
        let mut checkpoint = None;
        if let Some(out) = &self.output {
            let reads = Reads::new().file("the input", Some(&self.input));
            let dest = reads.check("-o", out, "output")?;
            // A device or FIFO keeps nothing to resume from, and a sidecar beside it
            // (/dev/null.parallax-leads) would litter a system folder.
            anyhow::ensure!(
                !(self.resume && dest.is_stream()),
                "--resume continues a run into a file, and {} is a device, FIFO or socket; \
                 write to a file to be able to resume",
                out.display()
            );
            if !dest.is_stream() {
                let path = Checkpoint::path_for(out);
                reads.check("-o's checkpoint", &path, "output")?;
                anyhow::ensure!(
                    self.resume || !path.exists(),
                    "{} holds the vectors of an interrupted run into {}: pass --resume to \
                     continue it, or remove the file to start over",
                    path.display(),
                    out.display()
                );
                checkpoint = Some(path);
            }
        }
        Ok((
            StoriesConfig {
                threshold: self.threshold,
                window_days: self.window_days,
                day_penalty: self.day_penalty,
                ..StoriesConfig::default()
            },
            BlindspotRule {
                min_sources: self.min_sources,
                max_share: self.max_share,
            },
            checkpoint,
        ))
    }
}

/// The multilingual model unless the user chose one: stories are found across languages.
pub fn stories_model(spec: ModelSpec) -> ModelSpec {
    match spec {
        ModelSpec::Default if multilingual_installed() => ModelSpec::Name(MULTILINGUAL.into()),
        ModelSpec::Default => {
            tracing::warn!(
                "{MULTILINGUAL} is not installed (scripts/setup.sh installs it): using the \
                 English-only default, which cannot match stories across languages"
            );
            spec
        }
        other => other,
    }
}

pub fn run(args: StoriesArgs, quiet: bool) -> anyhow::Result<i32> {
    let (config, rule, checkpoint_path) = args.validate()?;
    // Decided before the model loads: there is nothing to do.
    if let Some(out) = args.output.as_ref().filter(|_| args.resume) {
        if out.exists() && !Checkpoint::path_for(out).exists() {
            tracing::info!(
                "{} is complete (its run left no checkpoint): nothing to resume",
                out.display()
            );
            return Ok(0);
        }
    }
    let opened = super::open_embedder(stories_model(args.model.spec()), &args.runtime)?;
    if opened.model.name != MULTILINGUAL {
        tracing::warn!(
            "the default --threshold was chosen on {MULTILINGUAL}; with {} choose it on your data",
            opened.model.name
        );
    }
    let mut checkpoint = checkpoint_path
        .map(|path| Checkpoint::open(&path, &opened.model.name, args.resume))
        .transpose()?;
    let bar = bar(quiet);
    let started = Instant::now();
    let found = job::find_in_file(
        &opened.embedder,
        &args.input,
        &args.field,
        &args.group_by,
        config,
        checkpoint.as_mut(),
        &mut |n| bar.inc(n as u64),
    )?;
    if let Some(c) = checkpoint.as_ref().filter(|c| c.reused > 0) {
        tracing::info!(reused = c.reused, "vectors reused from the checkpoint");
    }
    bar.finish_and_clear();
    tracing::info!(
        articles = found.articles,
        stories = found.stories.len(),
        peak_open_articles = found.peak_open_articles,
        embed_secs = format!("{:.2}", found.embed_secs),
        cluster_secs = format!("{:.2}", found.cluster_secs),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "stories found"
    );
    for s in found.skipped.iter().take(20) {
        tracing::warn!(
            "{}:{}{}: skipped: {}",
            args.input.display(),
            s.line,
            s.id.as_deref()
                .map(|i| format!(" (id {i})"))
                .unwrap_or_default(),
            s.reason
        );
    }
    if found.skipped.len() > 20 {
        tracing::warn!("{} more records skipped", found.skipped.len() - 20);
    }
    if found.late > 0 {
        tracing::warn!(
            "{} articles came more than {} days after newer ones: the input is not in date \
             order, and they could not join stories already closed; sort it by date for \
             better stories",
            found.late,
            2 * args.window_days.max(1)
        );
    }
    if found.articles == 0 {
        if let Some(c) = checkpoint.take() {
            c.finish()?;
        }
    }
    anyhow::ensure!(
        found.articles > 0,
        "{}: no usable article (each line needs an `id` and a non-empty `{}`)",
        args.input.display(),
        args.field
    );
    if args.annotate {
        annotate(&args, &found.stories)?;
    } else {
        let mut stories = found.stories;
        let blind = blindspots(&mut stories, rule);
        let view = StoriesView {
            stories: &stories,
            blindspots: &blind,
            rule,
            group_by: &args.group_by,
            model: &opened.model.name,
        };
        super::output::write(args.output.as_ref(), &render(&view, args.format))?;
    }
    // The output is complete: the vectors are no longer needed.
    if let Some(c) = checkpoint {
        c.finish()?;
    }
    Ok(0)
}

/// Streams the annotated records to the output (through a temporary sibling and a rename,
/// so memory stays flat and a failed run leaves no half-written file) or to stdout.
fn annotate(
    args: &StoriesArgs,
    stories: &[parallax::analyze::stories::Story],
) -> anyhow::Result<()> {
    let mut sink = super::output::Sink::open(args.output.as_deref())?;
    match job::annotate(&args.input, stories, &mut sink.out) {
        // `parallax stories --annotate | head` is not an error worth a message.
        Err(parallax::error::Error::Write { ref source, .. })
            if source.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            Ok(())
        }
        result => {
            result?;
            sink.finish()
        }
    }
}

fn bar(quiet: bool) -> ProgressBar {
    if quiet || !super::stderr_is_interactive() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("stories {spinner} {human_pos} articles embedded, {per_sec}")
            .expect("valid template"),
    );
    bar
}
