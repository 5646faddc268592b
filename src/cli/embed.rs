//! `parallax embed`: sentences in, vectors out (JSON Lines), streamed in chunks so any
//! number of sentences runs in bounded memory.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use parallax::encode::{Embedder, Truncation};
use parallax::Error;
use serde::Serialize;
use serde_json::Value;

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

/// One output line. Vectors are written as f32 (shortest exact form), not widened to f64.
#[derive(Serialize)]
struct Record<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a Value>,
    text: &'a str,
    embedding: &'a [f32],
    #[serde(skip_serializing_if = "Option::is_none")]
    truncated: Option<bool>,
}

/// One sentence to embed, with where it came from.
struct Item {
    text: String,
    id: Option<Value>,
    /// `file:line`, for messages.
    at: String,
}

pub fn run(args: EmbedArgs, quiet: bool) -> anyhow::Result<i32> {
    anyhow::ensure!(args.chunk > 0, "--chunk must be at least 1");
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

    let mut sink = Sink::open(args.output.as_deref())?;
    let mut chunk: Vec<Item> = Vec::with_capacity(args.chunk);
    let mut total = 0usize;
    for input in &args.inputs {
        let jsonl = args.jsonl || parallax::input::document::is_jsonl(input);
        let reader = open(input)?;
        for (n, line) in reader.lines().enumerate() {
            let at = format!("{input}:{}", n + 1);
            let line = line.with_context(|| format!("reading {at}"))?;
            if line.trim().is_empty() {
                continue;
            }
            let item = if jsonl {
                parse_record(&line, &at, &args.field)?
            } else {
                Item {
                    text: line,
                    id: None,
                    at,
                }
            };
            chunk.push(item);
            if chunk.len() == args.chunk {
                total += flush(&embedder, truncation, &mut chunk, &mut sink, &progress)?;
            }
        }
    }
    total += flush(&embedder, truncation, &mut chunk, &mut sink, &progress)?;
    progress.finish_and_clear();
    sink.finish()?;
    tracing::info!(sentences = total, model = %model.name, "embedded");
    Ok(0)
}

fn flush(
    embedder: &Embedder,
    truncation: Truncation,
    chunk: &mut Vec<Item>,
    sink: &mut Sink,
    progress: &ProgressBar,
) -> anyhow::Result<usize> {
    if chunk.is_empty() {
        return Ok(0);
    }
    let texts: Vec<&str> = chunk.iter().map(|i| i.text.as_str()).collect();
    let encoded = embedder
        .encode_with(&texts, truncation, |done, _| progress.set_position(done as u64))
        .map_err(|e| match e {
            // The core counts inputs within the chunk; the user needs the file and line.
            Error::TooLong {
                count,
                max,
                first,
                first_len,
            } => anyhow::anyhow!(
                "{}: sentence of {first_len} tokens is over the model's maximum of {max} \
                 ({count} such sentence(s) in this chunk); pass --truncate to cut them explicitly, or split them",
                chunk[first].at
            ),
            other => other.into(),
        })?;
    let mut cut = encoded.truncated.iter().copied().peekable();
    for (i, (item, vector)) in chunk.iter().zip(&encoded.outputs).enumerate() {
        let truncated = cut.peek() == Some(&i);
        if truncated {
            cut.next();
        }
        let rec = Record {
            id: item.id.as_ref(),
            text: &item.text,
            embedding: vector,
            truncated: truncated.then_some(true),
        };
        serde_json::to_writer(&mut sink.out, &rec)?;
        sink.out
            .write_all(b"\n")
            .or_else(super::output::ignore_broken_pipe)?;
    }
    if !encoded.truncated.is_empty() {
        tracing::warn!(
            "{} sentence(s) were longer than the model's maximum and were cut",
            encoded.truncated.len()
        );
    }
    progress.inc(chunk.len() as u64);
    let n = chunk.len();
    chunk.clear();
    Ok(n)
}

fn open(input: &str) -> anyhow::Result<Box<dyn BufRead>> {
    if input == "-" {
        return Ok(Box::new(BufReader::new(std::io::stdin())));
    }
    let f = File::open(input).with_context(|| format!("cannot open input {input}"))?;
    Ok(Box::new(BufReader::new(f)))
}

fn parse_record(line: &str, at: &str, field: &str) -> anyhow::Result<Item> {
    let value: Value =
        serde_json::from_str(line).with_context(|| format!("{at}: not valid JSON"))?;
    let doc = parallax::input::document::record(value.clone(), at, field)?;
    Ok(Item {
        text: doc.text,
        id: value.get("id").cloned(),
        at: at.to_string(),
    })
}

/// Stdout, or a temporary file renamed over the target when the run succeeds.
struct Sink {
    out: BufWriter<Box<dyn Write>>,
    target: Option<(PathBuf, PathBuf)>,
}

impl Sink {
    fn open(path: Option<&Path>) -> anyhow::Result<Self> {
        match path {
            None => Ok(Self {
                out: BufWriter::new(Box::new(std::io::stdout())),
                target: None,
            }),
            Some(p) => {
                anyhow::ensure!(p.file_name().is_some(), "-o needs a file name");
                let tmp = parallax::util::temp_sibling(p);
                let f = File::create(&tmp)
                    .with_context(|| format!("cannot create {}", tmp.display()))?;
                Ok(Self {
                    out: BufWriter::new(Box::new(f)),
                    target: Some((tmp, p.to_path_buf())),
                })
            }
        }
    }

    fn finish(mut self) -> anyhow::Result<()> {
        self.out
            .flush()
            .or_else(super::output::ignore_broken_pipe)?;
        if let Some((tmp, target)) = self.target.take() {
            std::fs::rename(&tmp, &target).with_context(|| {
                format!("cannot move output into place at {}", target.display())
            })?;
        }
        Ok(())
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        // Still set only when the run failed: leave no half-written temporary behind.
        if let Some((tmp, _)) = &self.target {
            let _ = std::fs::remove_file(tmp);
        }
    }
}
