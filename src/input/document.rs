//! Loading the documents a command works on: plain-text or markdown files, HTML pages (reduced
//! to their article), JSON or JSON Lines records with a text field, http(s) URLs, or standard
//! input (`-`).

use std::fs;
use std::io::Read;
use std::path::Path;

use serde_json::Value;

use super::{fetch, html};
use crate::error::{Error, Result};

/// One article or text to work on.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Document {
    /// The record's `id` when it came from JSON, else none.
    pub id: Option<String>,
    /// The headline.
    pub title: Option<String>,
    /// Where it was published.
    pub url: Option<String>,
    /// The outlet.
    pub outlet: Option<String>,
    /// The outlet's country.
    pub country: Option<String>,
    /// The declared language (ISO 639-1).
    pub language: Option<String>,
    /// The story it belongs to, in a labelled corpus.
    pub event: Option<String>,
    /// The text.
    pub text: String,
    /// Where it came from, for messages: `file`, `file:line` or `-`.
    pub origin: String,
}

/// Reads every input in order. JSON Lines (`.jsonl`, `.ndjson`) and JSON (`.json`) give one
/// document per record, with `field` as the text; anything else is one plain-text document.
pub fn load_all(inputs: &[String], field: &str, max_bytes: u64) -> Result<Vec<Document>> {
    let mut docs = Vec::new();
    for input in inputs {
        docs.extend(load_capped(input, field, max_bytes)?);
    }
    Ok(docs)
}

/// Most bytes one input of a one-shot command (`summarize`, `compare`) is read to, a file
/// or standard input alike: these commands hold their inputs whole, so the bound is their
/// memory's. Corpora of any size stream through `batch`, `embed` and `stories`. (Raised by
/// `summarize --max-chars`, to four bytes a character.)
pub const MAX_INPUT_BYTES: u64 = 256 << 20;

fn too_big(origin: &str, bytes: u64, max_bytes: u64) -> Error {
    Error::File {
        path: origin.into(),
        message: format!(
            "more than {} MB: one-shot commands hold their inputs whole and read at most {} MB \
             of one; stream a corpus with `parallax batch` (JSON Lines), or raise \
             `summarize --max-chars`",
            bytes / 1_000_000,
            max_bytes / 1_000_000
        ),
    }
}

/// Most characters of one document the one-shot commands read by default: about 500 pages,
/// far beyond any article, and small enough that summarizing it stays within a minute and
/// well under 1 GB on a laptop (docs/GUIDE.md, Limits). `--max-chars` raises it.
pub const MAX_CHARS: usize = 1_000_000;

/// Refuses, before reading anything, a plain file that cannot hold a document within
/// `max_chars` (UTF-8 takes at most 4 bytes a character); JSON Lines files hold many
/// documents and are checked document by document by [`check_documents`] instead.
pub fn check_file_sizes(inputs: &[String], max_chars: usize) -> Result<()> {
    for input in inputs {
        if input == "-" || fetch::is_url(input) || is_jsonl(input) {
            continue;
        }
        let Ok(meta) = fs::metadata(input) else {
            continue; // the read reports a missing file with its own message
        };
        let limit = max_chars.saturating_mul(4) as u64;
        if meta.is_file() && meta.len() > limit {
            return Err(Error::File {
                path: input.into(),
                message: format!(
                    "{} MB is more than one document of --max-chars {max_chars} characters can \
                     be; raise --max-chars to \
                     read it whole, or split it into articles (JSON Lines) \
                     for `parallax batch`",
                    meta.len() / 1_000_000
                ),
            });
        }
    }
    Ok(())
}

/// Refuses a document longer than `max_chars` characters, naming it and the flag.
pub fn check_documents(docs: &[Document], max_chars: usize) -> Result<()> {
    for d in docs {
        // Counting stops just past the limit, so a huge text costs no more than a small one.
        if d.text.chars().nth(max_chars).is_some() {
            return Err(Error::File {
                path: d.origin.clone().into(),
                message: format!(
                    "text longer than --max-chars {max_chars} characters; raise --max-chars to \
                     read it whole, or split it into articles"
                ),
            });
        }
    }
    Ok(())
}

/// Reads one input: a file, a URL or `-`, at most [`MAX_INPUT_BYTES`].
pub fn load(input: &str, field: &str) -> Result<Vec<Document>> {
    load_capped(input, field, MAX_INPUT_BYTES)
}

/// [`load`] with another bound: a file over `max_bytes` is refused before it is read, and
/// standard input is read no further than that.
pub fn load_capped(input: &str, field: &str, max_bytes: u64) -> Result<Vec<Document>> {
    if input == "-" {
        let mut text = String::new();
        let read = std::io::stdin()
            .take(max_bytes.saturating_add(1))
            .read_to_string(&mut text)
            .map_err(|e| Error::io("<stdin>", e))?;
        if read as u64 > max_bytes {
            return Err(too_big("<stdin>", read as u64, max_bytes));
        }
        return Ok(vec![Document {
            text,
            origin: "-".into(),
            ..Default::default()
        }]);
    }
    if fetch::is_url(input) {
        let page = fetch::fetch(input, fetch::FetchLimits::default())?;
        return if page.is_html || html::looks_like_html(&page.body) {
            from_html(&page.body, input, Some(input))
        } else {
            Ok(vec![Document {
                text: page.body,
                url: Some(input.to_string()),
                origin: input.to_string(),
                ..Default::default()
            }])
        };
    }
    let path = Path::new(input);
    if let Ok(meta) = fs::metadata(path) {
        if meta.is_file() && meta.len() > max_bytes {
            return Err(too_big(input, meta.len(), max_bytes));
        }
    }
    let bytes = fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = String::from_utf8(bytes).map_err(|e| Error::File {
        path: path.to_path_buf(),
        message: format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ),
    })?;
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        _ if is_jsonl(input) => parse_jsonl(&text, input, field),
        "json" => parse_json(&text, input, field),
        "html" | "htm" | "xhtml" => from_html(&text, input, None),
        _ => Ok(vec![Document {
            text,
            origin: input.to_string(),
            ..Default::default()
        }]),
    }
}

/// Whether a path names a JSON Lines file (one record per line), by its extension.
pub fn is_jsonl(input: &str) -> bool {
    let lower = input.to_lowercase();
    lower.ends_with(".jsonl") || lower.ends_with(".ndjson")
}

fn from_html(page: &str, origin: &str, url: Option<&str>) -> Result<Vec<Document>> {
    let article = html::extract(page, origin, url)?;
    Ok(vec![Document {
        title: article.title,
        url: url.map(str::to_string),
        text: article.text,
        origin: origin.to_string(),
        ..Default::default()
    }])
}

fn parse_jsonl(text: &str, origin: &str, field: &str) -> Result<Vec<Document>> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("{origin}:{}", n + 1);
        let value: Value = serde_json::from_str(line).map_err(|e| Error::File {
            path: at.clone().into(),
            message: format!("not valid JSON: {e}"),
        })?;
        out.push(record(value, &at, field)?);
    }
    Ok(out)
}

fn parse_json(text: &str, origin: &str, field: &str) -> Result<Vec<Document>> {
    let value: Value = serde_json::from_str(text).map_err(|e| Error::File {
        path: origin.into(),
        message: format!("not valid JSON: {e}"),
    })?;
    match value {
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| record(v, &format!("{origin}[{i}]"), field))
            .collect(),
        v => Ok(vec![record(v, origin, field)?]),
    }
}

/// A record's field as text: a string as it is, a number as written (ids are often
/// numbers); anything else is no value.
pub fn scalar(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// One JSON record as a document; `at` names the record in errors.
pub fn record(value: Value, at: &str, field: &str) -> Result<Document> {
    let Value::Object(map) = value else {
        return Err(Error::File {
            path: at.into(),
            message: "expected a JSON object".into(),
        });
    };
    let text = match map.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::String(_)) => {
            return Err(Error::File {
                path: at.into(),
                message: format!("field '{field}' is empty"),
            })
        }
        Some(_) => {
            return Err(Error::File {
                path: at.into(),
                message: format!("field '{field}' is not a string"),
            })
        }
        None => {
            return Err(Error::File {
                path: at.into(),
                message: format!("no '{field}' field (choose another with --field)"),
            })
        }
    };
    let s = |k: &str| scalar(map.get(k));
    Ok(Document {
        id: s("id"),
        title: s("title"),
        url: s("url"),
        outlet: s("outlet"),
        country: s("country"),
        language: s("language"),
        event: s("event"),
        text,
        origin: at.to_string(),
    })
}
