//! `parallax embed` as a stream: sentences in (one per line, or JSON Lines records), one
//! JSON Lines record with its vector out, `chunk` sentences at a time so that memory stays
//! bounded whatever the input's size.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};

use crate::input::lines::{too_long, Bounded, BoundedLines, MAX_LINE_BYTES};

use serde::Serialize;
use serde_json::Value;

use crate::encode::{Backend, BatchEncoder, Truncation};
use crate::error::{Error, Result};

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

/// How the input is read.
#[derive(Debug, Clone, Copy)]
pub struct EmbedInput<'a> {
    /// Every input as records (JSON Lines), not only `.jsonl` names.
    pub jsonl: bool,
    /// The field that holds the sentence in a record.
    pub field: &'a str,
    /// Sentences embedded per pass.
    pub chunk: usize,
    /// Cut over-long sentences (marked `"truncated": true`) rather than stop.
    pub truncation: Truncation,
}

/// Embeds every non-blank line of `inputs` (files, or `-` for standard input; each opened
/// when reached, `.jsonl` names read as records) into `out`, `chunk` sentences at a time
/// across inputs. `progress(done)` is called as the batches of a chunk finish and
/// `chunk_done(sentences, truncated)` after each chunk is written. Returns the sentences
/// embedded. An over-long sentence without truncation is an error naming its file and line;
/// a closed pipe on `out` ends the output quietly.
pub fn embed_stream<B: Backend<Output = Vec<f32>>>(
    encoder: &BatchEncoder<B>,
    inputs: &[String],
    how: EmbedInput,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(usize),
    chunk_done: &mut dyn FnMut(usize, usize),
) -> Result<usize> {
    let mut chunk: Vec<Item> = Vec::with_capacity(how.chunk.min(1 << 16));
    let mut total = 0;
    for input in inputs {
        let jsonl = how.jsonl || crate::input::document::is_jsonl(input);
        let reader: Box<dyn BufRead> = if input == "-" {
            Box::new(BufReader::new(std::io::stdin()))
        } else {
            let f = File::open(input).map_err(|e| Error::File {
                path: input.into(),
                message: format!("cannot open input: {e}"),
            })?;
            Box::new(BufReader::new(f))
        };
        for line in BoundedLines::new(reader, MAX_LINE_BYTES) {
            let (n, line) = line.map_err(|e| Error::File {
                path: input.into(),
                message: format!("cannot read: {e}"),
            })?;
            let at = format!("{input}:{n}");
            let line = match line {
                Bounded::Text(t) => t,
                Bounded::TooLong(bytes) => return Err(too_long(&at, bytes)),
            };
            if line.trim().is_empty() {
                continue;
            }
            chunk.push(if jsonl {
                parse_record(&line, &at, how.field)?
            } else {
                Item {
                    text: line,
                    id: None,
                    at,
                }
            });
            if chunk.len() == how.chunk {
                total += flush(
                    encoder,
                    how.truncation,
                    &mut chunk,
                    out,
                    progress,
                    chunk_done,
                )?;
            }
        }
    }
    total += flush(
        encoder,
        how.truncation,
        &mut chunk,
        out,
        progress,
        chunk_done,
    )?;
    Ok(total)
}

fn parse_record(line: &str, at: &str, field: &str) -> Result<Item> {
    let value: Value = serde_json::from_str(line)
        .map_err(|e| Error::Input(format!("{at}: not valid JSON: {e}")))?;
    let doc = crate::input::document::record(value.clone(), at, field)?;
    Ok(Item {
        text: doc.text,
        id: value.get("id").cloned(),
        at: at.to_string(),
    })
}

fn flush<B: Backend<Output = Vec<f32>>>(
    encoder: &BatchEncoder<B>,
    truncation: Truncation,
    chunk: &mut Vec<Item>,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(usize),
    chunk_done: &mut dyn FnMut(usize, usize),
) -> Result<usize> {
    if chunk.is_empty() {
        return Ok(0);
    }
    let texts: Vec<&str> = chunk.iter().map(|i| i.text.as_str()).collect();
    let encoded = encoder
        .encode_with(&texts, truncation, |done, _| progress(done))
        .map_err(|e| match e {
            // The core counts inputs within the chunk; the user needs the file and line.
            Error::TooLong {
                count,
                max,
                first,
                first_len,
            } => Error::Input(format!(
                "{}: sentence of {first_len} tokens is over the model's maximum of {max} \
                 ({count} such sentence(s) in this chunk); pass --truncate to cut them explicitly, or split them",
                chunk[first].at
            )),
            other => other,
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
        let mut line = serde_json::to_vec(&rec)
            .map_err(|e| Error::Input(format!("cannot write a record as JSON: {e}")))?;
        line.push(b'\n');
        if let Err(e) = out.write_all(&line) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                break;
            }
            return Err(Error::write("the output", e));
        }
    }
    let n = chunk.len();
    chunk_done(n, encoded.truncated.len());
    chunk.clear();
    Ok(n)
}
