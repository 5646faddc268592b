//! `parallax batch`: resumable, shardable jobs over JSON Lines.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use parallax::analyze::compare::{compare, distinct_labels, label_sources};
use parallax::analyze::extractive::ExtractiveConfig;
use parallax::analyze::summarize::{summarize_extractive, Length};
use parallax::batch::{Appender, Line, Records, Resume, Shard};
use parallax::encode::Embedder;
use parallax::input::Document;
use serde_json::{json, Value};

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
    pub runtime: RuntimeArgs,
}

/// Counts for the progress line and the final summary.
#[derive(Default)]
struct Tally {
    written: usize,
    failed: usize,
    skipped: usize,
    other_shards: usize,
    tokens: usize,
}

/// Progress on stderr: a bar on a terminal, a log line every few seconds elsewhere.
struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    last_log: Instant,
    total: u64,
    unit: &'static str,
}

impl Progress {
    fn new(total: u64, unit: &'static str, quiet: bool) -> Self {
        let bar = (!quiet && super::stderr_is_interactive()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:30} {human_pos}/{human_len} {msg} [{elapsed} < {eta}]",
                )
                .expect("valid template"),
            );
            bar
        });
        Self {
            bar,
            started: Instant::now(),
            last_log: Instant::now(),
            total,
            unit,
        }
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
                tracing::info!("{done}/{} {} done, {msg}", self.total, self.unit);
            }
            None => {}
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
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

/// Error records go to --errors, else into the output with the rest.
struct Sinks {
    out: Appender,
    errors: Option<Appender>,
}

impl Sinks {
    fn write(
        &mut self,
        lines: &mut Vec<(usize, String)>,
        errors: &mut Vec<(usize, String)>,
    ) -> anyhow::Result<()> {
        match &mut self.errors {
            Some(e) => {
                e.append(&errors.drain(..).map(|(_, l)| l).collect::<Vec<_>>())?;
            }
            None => lines.append(errors),
        }
        lines.sort_by_key(|(line, _)| *line);
        self.out
            .append(&lines.drain(..).map(|(_, l)| l).collect::<Vec<_>>())?;
        Ok(())
    }
}

fn error_record(line: usize, id: Option<&str>, reason: &str) -> String {
    let mut v = json!({"line": line, "error": reason});
    if let Some(id) = id {
        v["id"] = json!(id);
    }
    v.to_string()
}

pub fn run(args: BatchArgs, quiet: bool) -> anyhow::Result<i32> {
    anyhow::ensure!(args.chunk > 0, "--chunk must be at least 1");
    anyhow::ensure!(args.sentences > 0, "--sentences must be at least 1");
    anyhow::ensure!(
        args.input != args.output,
        "the output would overwrite the input {}",
        args.input.display()
    );
    if !args.resume {
        for p in std::iter::once(&args.output).chain(args.errors.as_ref()) {
            if std::fs::metadata(p).is_ok_and(|m| m.len() > 0) {
                anyhow::bail!(
                    "{} already exists; pass --resume to continue that job, or remove it",
                    p.display()
                );
            }
        }
    }
    let key = match args.task {
        Task::Summarize => "id",
        Task::Compare => "group",
    };
    let mut resume = Resume::load(&args.output, key)?;
    if let Some(e) = &args.errors {
        let more = Resume::load(e, "id")?;
        resume.done.extend(more.done);
        resume.bad_lines.extend(more.bad_lines);
    }
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
    let mut sinks = Sinks {
        out: Appender::open(&args.output, !args.resume)?,
        errors: args
            .errors
            .as_ref()
            .map(|p| Appender::open(p, !args.resume))
            .transpose()?,
    };

    let device = args.runtime.prepare()?;
    let spec = args.model.spec();
    let model = parallax::models::resolve(&spec, "sentence-embeddings")?;
    let mut embedder =
        parallax::encode::load_embedder(&model, device, args.runtime.batch_config(device)?)?;
    let started = Instant::now();
    let tally = match args.task {
        Task::Summarize => summarize(
            &args,
            &mut embedder,
            &model.name,
            &resume,
            &mut sinks,
            quiet,
        )?,
        Task::Compare => {
            let cfg = super::compare::config(&spec, &model, args.group_by, args.sentences);
            let nli = args.nli.load(device, args.runtime.batch_config(device)?)?;
            let engine = Engine {
                embedder: &mut embedder,
                model_name: &model.name,
                cfg: &cfg,
                nli: &nli,
            };
            compare_groups(&args, engine, &resume, &mut sinks, quiet)?
        }
    };
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

/// Lines in the input, for the progress total (a fast byte scan).
fn count_lines(path: &Path) -> anyhow::Result<u64> {
    let mut f =
        std::fs::File::open(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            return Ok(n);
        }
        n += buf[..k].iter().filter(|&&b| b == b'\n').count() as u64;
    }
}

fn summarize(
    args: &BatchArgs,
    embedder: &mut Embedder,
    model_name: &str,
    resume: &Resume,
    sinks: &mut Sinks,
    quiet: bool,
) -> anyhow::Result<Tally> {
    let mut progress = Progress::new(count_lines(&args.input)?, "lines", quiet);
    let mut tally = Tally::default();
    let mut seen: HashSet<String> = resume.done.clone();
    let mut docs: Vec<(usize, Document)> = Vec::new();
    let mut errors: Vec<(usize, String)> = Vec::new();
    let mut lines: Vec<(usize, String)> = Vec::new();
    let mut last_line = 0;
    let length = Length::Sentences(args.sentences);
    let mut flush = |docs: &mut Vec<(usize, Document)>,
                     errors: &mut Vec<(usize, String)>,
                     lines: &mut Vec<(usize, String)>,
                     tally: &mut Tally|
     -> anyhow::Result<()> {
        if !docs.is_empty() {
            let batch: Vec<Document> = docs.iter().map(|(_, d)| d.clone()).collect();
            let summaries = summarize_extractive(
                embedder,
                model_name,
                &batch,
                length,
                &ExtractiveConfig::default(),
            )?;
            for ((line, _), s) in docs.iter().zip(summaries) {
                tally.tokens += s.input_tokens;
                let mut v = serde_json::to_value(&s)?;
                // Timing differs run to run; records must not, so that a resumed job
                // writes what an uninterrupted one does.
                if let Value::Object(m) = &mut v {
                    m.remove("elapsed_ms");
                    m.remove("origin");
                }
                lines.push((*line, v.to_string()));
            }
            tally.written += docs.len();
            docs.clear();
        }
        tally.failed += errors.len();
        sinks.write(lines, errors)
    };
    for item in Records::open(&args.input, &args.field, args.max_chars)? {
        let item = item?;
        let line = item.line();
        last_line = line;
        let key = match &item {
            Line::Record { doc, .. } => doc.id.clone().expect("records have ids"),
            Line::Bad { id: Some(id), .. } => id.clone(),
            Line::Bad { id: None, line, .. } => format!("line:{line}"),
        };
        if args.shard.is_some_and(|s| !s.owns(&key)) {
            tally.other_shards += 1;
            continue;
        }
        match item {
            Line::Bad { line, id, .. }
                if id.as_ref().map_or(resume.bad_lines.contains(&line), |i| {
                    resume.done.contains(i)
                }) =>
            {
                tally.skipped += 1;
            }
            Line::Bad { line, id, reason } => {
                errors.push((line, error_record(line, id.as_deref(), &reason)));
            }
            Line::Record { doc, .. } => {
                let id = doc.id.clone().expect("records have ids");
                if resume.done.contains(&id) {
                    tally.skipped += 1;
                } else if !seen.insert(id.clone()) {
                    errors.push((
                        line,
                        error_record(
                            line,
                            Some(&id),
                            "duplicate id: an earlier record has the same id",
                        ),
                    ));
                } else {
                    docs.push((line, doc));
                }
            }
        }
        if docs.len() >= args.chunk {
            flush(&mut docs, &mut errors, &mut lines, &mut tally)?;
            progress.update(last_line as u64, &tally);
        }
    }
    flush(&mut docs, &mut errors, &mut lines, &mut tally)?;
    progress.update(last_line as u64, &tally);
    progress.finish();
    Ok(tally)
}

/// What runs each comparison of a compare job.
struct Engine<'a> {
    embedder: &'a mut Embedder,
    model_name: &'a str,
    cfg: &'a parallax::analyze::compare::CompareConfig,
    nli: &'a Option<(parallax::encode::NliModel, String)>,
}

fn compare_groups(
    args: &BatchArgs,
    engine: Engine,
    resume: &Resume,
    sinks: &mut Sinks,
    quiet: bool,
) -> anyhow::Result<Tally> {
    // First pass: where each group's records are (byte offsets), in order of first
    // appearance. Memory holds offsets, not texts.
    let path = &args.input;
    let mut reader = BufReader::new(
        std::fs::File::open(path).with_context(|| format!("{}: cannot read", path.display()))?,
    );
    let mut groups: Vec<(String, Vec<(usize, u64)>)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = Default::default();
    let mut tally = Tally::default();
    let mut errors: Vec<(usize, String)> = Vec::new();
    let mut buf = String::new();
    let (mut offset, mut line) = (0u64, 0usize);
    loop {
        buf.clear();
        let n = reader.read_line(&mut buf)?;
        if n == 0 {
            break;
        }
        line += 1;
        let at = offset;
        offset += n as u64;
        if buf.trim().is_empty() {
            continue;
        }
        let group = serde_json::from_str::<Value>(buf.trim_end())
            .ok()
            .and_then(|v| {
                v.get(&args.group_key)
                    .and_then(Value::as_str)
                    .map(str::to_string)
            });
        match group {
            Some(g) => {
                let i = *index.entry(g.clone()).or_insert_with(|| {
                    groups.push((g, Vec::new()));
                    groups.len() - 1
                });
                groups[i].1.push((line, at));
            }
            None => {
                let key = format!("line:{line}");
                if args.shard.is_some_and(|s| !s.owns(&key)) || resume.bad_lines.contains(&line) {
                    continue;
                }
                errors.push((
                    line,
                    error_record(
                        line,
                        None,
                        &format!(
                            "not valid JSON, or no '{}' field to group by",
                            args.group_key
                        ),
                    ),
                ));
            }
        }
    }
    let mut lines = Vec::new();
    tally.failed += errors.len();
    sinks.write(&mut lines, &mut errors)?;

    let mut progress = Progress::new(groups.len() as u64, "groups", quiet);
    let mut file = reader.into_inner();
    for (gi, (group, members)) in groups.iter().enumerate() {
        if args.shard.is_some_and(|s| !s.owns(group)) {
            tally.other_shards += 1;
            continue;
        }
        if resume.done.contains(group) {
            tally.skipped += 1;
            continue;
        }
        let mut docs = Vec::new();
        let mut seen = HashSet::new();
        for &(line, at) in members {
            file.seek(SeekFrom::Start(at))?;
            let mut text = String::new();
            BufReader::new(&mut file).read_line(&mut text)?;
            let mut records = Records::new(
                text.as_bytes(),
                &path.display().to_string(),
                &args.field,
                args.max_chars,
            );
            match records.next() {
                Some(Ok(Line::Record { doc, .. })) => {
                    if seen.insert(doc.id.clone()) {
                        docs.push(doc);
                    } else {
                        errors.push((
                            line,
                            error_record(
                                line,
                                doc.id.as_deref(),
                                "duplicate id: an earlier record has the same id",
                            ),
                        ));
                    }
                }
                Some(Ok(Line::Bad { id, reason, .. })) => {
                    errors.push((line, error_record(line, id.as_deref(), &reason)));
                }
                Some(Err(e)) => return Err(e.into()),
                None => {}
            }
        }
        tally.failed += errors.len();
        if !docs.is_empty() {
            let mut sources = label_sources(docs);
            distinct_labels(&mut sources);
            let framing = args.nli.framing(engine.nli, |_, _| {});
            let report = compare(
                engine.embedder,
                engine.model_name,
                &sources,
                engine.cfg,
                framing,
            )?;
            let mut v = serde_json::to_value(&report)?;
            // Timings differ run to run; a resumed job must write what an uninterrupted
            // one would.
            if let Some(Value::Object(n)) = v.pointer_mut("/frames/nli") {
                n.remove("elapsed_ms");
            }
            if let Value::Object(m) = &mut v {
                m.remove("elapsed_ms");
                m.insert("group".into(), json!(group));
            }
            tally.tokens += sources.iter().map(|s| s.doc.text.len() / 4).sum::<usize>();
            lines.push((members[0].0, v.to_string()));
            tally.written += 1;
        }
        sinks.write(&mut lines, &mut errors)?;
        progress.update(gi as u64 + 1, &tally);
    }
    progress.finish();
    Ok(tally)
}
