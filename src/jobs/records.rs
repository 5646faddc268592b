//! The records of a job: its JSON Lines input read one line at a time, and the error
//! record a bad line becomes. The error record's shape is defined here alone, because a
//! resumed run reads back what an earlier run wrote (see [`super::resume`]).

use std::fs::File;
use std::io::{BufRead, BufReader};

use crate::input::lines::{Bounded, BoundedLines};
use std::path::Path;

use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::input::{document, Document};

/// One line of the input: a usable record, or why it is not.
#[derive(Debug)]
pub enum Line {
    /// A record to process.
    Record {
        /// Its 1-based line.
        line: usize,
        /// Its document.
        doc: Document,
        /// The record as read, for fields the task needs beyond the document's.
        raw: Value,
    },
    /// A line that cannot be processed.
    Bad {
        /// Its 1-based line.
        line: usize,
        /// Its id, when it has one.
        id: Option<String>,
        /// Why, for the error record.
        reason: String,
    },
}

impl Line {
    /// The 1-based line it came from.
    pub fn line(&self) -> usize {
        match self {
            Line::Record { line, .. } | Line::Bad { line, .. } => *line,
        }
    }
}

/// Reads JSON Lines one record at a time (memory stays bounded whatever the file size:
/// a line longer than [`line_cap`] is measured, not kept, and becomes a bad record).
pub struct Records<R: BufRead> {
    lines: BoundedLines<R>,
    origin: String,
    field: String,
    max_chars: usize,
}

/// The longest line kept for records of at most `max_chars` characters: six bytes a
/// character (a JSON `\uXXXX` escape) and 1 MiB for the other fields.
pub fn line_cap(max_chars: usize) -> usize {
    max_chars.saturating_mul(6).saturating_add(1 << 20)
}

impl Records<BufReader<File>> {
    /// Reads a JSON Lines file.
    pub fn open(path: &Path, field: &str, max_chars: usize) -> Result<Self> {
        let f = File::open(path).map_err(|e| Error::io(path, e))?;
        Ok(Self::new(
            BufReader::new(f),
            &path.display().to_string(),
            field,
            max_chars,
        ))
    }
}

impl<R: BufRead> Records<R> {
    /// The same records with lines kept only up to `cap` bytes (for readers with no
    /// `--max-chars`, such as `stories`, which reads only a lead).
    pub fn with_line_cap(self, cap: usize) -> Self {
        Self {
            lines: BoundedLines::new(self.lines.into_inner(), cap),
            ..self
        }
    }

    /// Reads JSON Lines from any reader; `origin` names it in messages.
    pub fn new(reader: R, origin: &str, field: &str, max_chars: usize) -> Self {
        Self {
            lines: BoundedLines::new(reader, line_cap(max_chars)),
            origin: origin.to_string(),
            field: field.to_string(),
            max_chars,
        }
    }
}

impl<R: BufRead> Iterator for Records<R> {
    type Item = Result<Line>;

    fn next(&mut self) -> Option<Result<Line>> {
        loop {
            let (line, text) = match self.lines.next()? {
                Ok((n, Bounded::Text(t))) => (n, t),
                Ok((line, Bounded::TooLong(bytes))) => {
                    let cap = self.lines.max_bytes();
                    let reason = if cap == line_cap(self.max_chars) {
                        format!(
                            "the line is {bytes} bytes, over the {cap} bytes kept for records \
                             of --max-chars {}; it was skipped without being read (raise \
                             --max-chars, or split the record)",
                            self.max_chars
                        )
                    } else {
                        format!(
                            "the line is {bytes} bytes, over the {cap} bytes a record may have; \
                             it was skipped without being read (split the record)"
                        )
                    };
                    return Some(Ok(Line::Bad {
                        line,
                        id: None,
                        reason,
                    }));
                }
                Err(e) => {
                    return Some(Err(Error::File {
                        path: self.origin.clone().into(),
                        message: format!("cannot read: {e}"),
                    }))
                }
            };
            if text.trim().is_empty() {
                continue;
            }
            let value: Value = match serde_json::from_str(text.trim_end()) {
                Ok(v) => v,
                Err(e) => {
                    return Some(Ok(Line::Bad {
                        line,
                        id: None,
                        reason: format!("not valid JSON: {e}"),
                    }))
                }
            };
            let id = document::scalar(value.get("id"));
            let bad = |reason: String| {
                Some(Ok(Line::Bad {
                    line,
                    id: id.clone(),
                    reason,
                }))
            };
            if id.as_deref().is_none_or(|s| s.trim().is_empty()) {
                return bad(
                    "no 'id' field: batch jobs need an id per record to resume and shard".into(),
                );
            }
            let at = format!("{}:{line}", self.origin);
            let doc = match document::record(value.clone(), &at, &self.field) {
                Ok(d) => d,
                Err(e) => {
                    let msg = e.to_string();
                    let reason = msg.strip_prefix(&format!("{at}: ")).unwrap_or(&msg);
                    return bad(reason.to_string());
                }
            };
            let chars = doc.text.chars().count();
            if chars > self.max_chars {
                return bad(format!(
                    "text of {chars} characters is over the limit of {} (--max-chars)",
                    self.max_chars
                ));
            }
            return Some(Ok(Line::Record {
                line,
                doc,
                raw: value,
            }));
        }
    }
}

/// The error record of input line `line`: `{"line", "error", "id"?}`. A resumed run counts
/// the id (or, without one, the line) as done.
pub fn error_record(line: usize, id: Option<&str>, reason: &str) -> String {
    let mut v = json!({"line": line, "error": reason});
    if let Some(id) = id {
        v["id"] = json!(id);
    }
    v.to_string()
}

/// The input line an error record without an id stands for.
pub fn error_line(record: &Value) -> Option<usize> {
    record
        .get("line")
        .and_then(Value::as_u64)
        .map(|l| l as usize)
}

/// The error record's reason for a duplicate id.
pub const DUPLICATE_ID: &str = "duplicate id: an earlier record has the same id";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_are_reported_with_reasons() {
        let input = "{\"id\":\"a\",\"text\":\"fine text\"}\nnot json\n{\"id\":\"b\",\"text\":\"\"}\n\n{\"text\":\"no id\"}\n{\"id\":\"c\",\"text\":\"far too long\"}\n";
        let lines: Vec<Line> = Records::new(input.as_bytes(), "in.jsonl", "text", 10)
            .map(|r| r.unwrap())
            .collect();
        assert!(
            matches!(&lines[0], Line::Record { line: 1, doc, .. } if doc.id.as_deref() == Some("a"))
        );
        assert!(
            matches!(&lines[1], Line::Bad { line: 2, id: None, reason } if reason.contains("not valid JSON"))
        );
        assert!(
            matches!(&lines[2], Line::Bad { line: 3, id: Some(i), reason } if i == "b" && reason.contains("empty"))
        );
        assert!(
            matches!(&lines[3], Line::Bad { line: 5, reason, .. } if reason.contains("no 'id'"))
        );
        assert!(
            matches!(&lines[4], Line::Bad { line: 6, reason, .. } if reason.contains("--max-chars"))
        );
    }

    #[test]
    fn error_records_read_back() {
        let v: Value = serde_json::from_str(&error_record(7, None, "bad")).unwrap();
        assert_eq!(error_line(&v), Some(7));
        assert_eq!(v["error"], "bad");
        let v: Value = serde_json::from_str(&error_record(8, Some("x"), "bad")).unwrap();
        assert_eq!(v["id"], "x");
    }
}
