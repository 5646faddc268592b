//! The bookkeeping of resumable batch jobs, apart from what they compute: reading a JSON
//! Lines input record by record, sharding by id, and finding what an earlier (perhaps
//! killed) run already wrote.
//!
//! Crash safety rests on one rule: output is appended a whole batch of lines at a time and
//! synced, and an id counts as done only when its line is complete. A run killed mid-write
//! leaves at most one partial last line, which `Resume::load` cuts off.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::input::{document, Document};

/// `--shard I/N`: this worker's share of the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("'{s}': expected I/N, e.g. 0/4"))?;
        let index: u64 = i
            .trim()
            .parse()
            .map_err(|_| format!("'{i}' is not a number"))?;
        let count: u64 = n
            .trim()
            .parse()
            .map_err(|_| format!("'{n}' is not a number"))?;
        if count == 0 || index >= count {
            return Err(format!("shard {index}/{count}: need 0 ≤ I < N"));
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Whether this shard owns `key`. The hash (SHA-256, first 8 bytes) is the same on
    /// every machine and every run, so N workers split the records exactly, with no
    /// coordination.
    pub fn owns(&self, key: &str) -> bool {
        let digest = Sha256::digest(key.as_bytes());
        let h = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
        h % self.count == self.index
    }
}

/// One line of the input: a usable record, or why it is not.
#[derive(Debug)]
pub enum Line {
    Record {
        line: usize,
        doc: Document,
        /// The record as read, for fields the task needs beyond the document's.
        raw: Value,
    },
    Bad {
        line: usize,
        id: Option<String>,
        reason: String,
    },
}

impl Line {
    pub fn line(&self) -> usize {
        match self {
            Line::Record { line, .. } | Line::Bad { line, .. } => *line,
        }
    }
}

/// Reads JSON Lines one record at a time (memory stays bounded whatever the file size).
pub struct Records<R: BufRead> {
    reader: R,
    origin: String,
    field: String,
    max_chars: usize,
    line: usize,
    buf: String,
}

impl Records<BufReader<File>> {
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
    pub fn new(reader: R, origin: &str, field: &str, max_chars: usize) -> Self {
        Self {
            reader,
            origin: origin.to_string(),
            field: field.to_string(),
            max_chars,
            line: 0,
            buf: String::new(),
        }
    }
}

impl<R: BufRead> Iterator for Records<R> {
    type Item = Result<Line>;

    fn next(&mut self) -> Option<Result<Line>> {
        loop {
            self.buf.clear();
            match self.reader.read_line(&mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => {
                    return Some(Err(Error::File {
                        path: self.origin.clone().into(),
                        message: format!("cannot read line {}: {e}", self.line + 1),
                    }))
                }
            }
            self.line += 1;
            if self.buf.trim().is_empty() {
                continue;
            }
            let line = self.line;
            let value: Value = match serde_json::from_str(self.buf.trim_end()) {
                Ok(v) => v,
                Err(e) => {
                    return Some(Ok(Line::Bad {
                        line,
                        id: None,
                        reason: format!("not valid JSON: {e}"),
                    }))
                }
            };
            let id = value.get("id").and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            });
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

/// What an earlier run already wrote to the output.
#[derive(Debug, Default)]
pub struct Resume {
    /// Keys (ids, or group keys) with a complete record or error record.
    pub done: HashSet<String>,
    /// Input lines reported as errors without an id.
    pub bad_lines: HashSet<usize>,
    pub records: usize,
    /// Bytes of a partial last line that were cut off.
    pub cut_bytes: u64,
}

impl Resume {
    /// Reads `out` (if it exists), cutting a partial last line left by a killed run.
    /// `key` names the field that identifies a finished unit of work (`id` or `group`).
    pub fn load(out: &Path, key: &str) -> Result<Self> {
        let mut state = Resume::default();
        let mut f = match OpenOptions::new().read(true).write(true).open(out) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(state),
            Err(e) => return Err(Error::io(out, e)),
        };
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).map_err(|e| Error::io(out, e))?;
        let complete = match bytes.iter().rposition(|&b| b == b'\n') {
            Some(p) => p + 1,
            None => 0,
        };
        for (n, line) in bytes[..complete].split(|&b| b == b'\n').enumerate() {
            if line.is_empty() {
                continue;
            }
            let v: Value = serde_json::from_slice(line).map_err(|e| Error::File {
                path: out.to_path_buf(),
                message: format!(
                    "line {} is not JSON ({e}); this does not look like parallax batch output, \
                     so --resume will not append to it",
                    n + 1
                ),
            })?;
            state.records += 1;
            match v.get(key).and_then(Value::as_str) {
                Some(k) => {
                    state.done.insert(k.to_string());
                }
                None => {
                    if let Some(l) = v.get("line").and_then(Value::as_u64) {
                        state.bad_lines.insert(l as usize);
                    }
                }
            }
        }
        if complete < bytes.len() {
            state.cut_bytes = (bytes.len() - complete) as u64;
            f.set_len(complete as u64).map_err(|e| Error::io(out, e))?;
            f.seek(SeekFrom::End(0)).map_err(|e| Error::io(out, e))?;
        }
        Ok(state)
    }
}

/// Appends whole lines and syncs them: after `append` returns, the lines survive a crash.
pub struct Appender {
    file: File,
    path: PathBuf,
}

impl Appender {
    /// Opens for appending; `fresh` starts the file over (a run without --resume).
    pub fn open(path: &Path, fresh: bool) -> Result<Self> {
        let file = if fresh {
            File::create(path)
        } else {
            OpenOptions::new().create(true).append(true).open(path)
        }
        .map_err(|e| Error::io(path, e))?;
        Ok(Self {
            file,
            path: path.to_path_buf(),
        })
    }

    pub fn append(&mut self, lines: &[String]) -> Result<()> {
        if lines.is_empty() {
            return Ok(());
        }
        let mut buf = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
        for l in lines {
            buf.push_str(l);
            buf.push('\n');
        }
        // One write per batch, then sync: a kill leaves whole lines plus at most one partial.
        self.file
            .write_all(buf.as_bytes())
            .and_then(|_| self.file.sync_data())
            .map_err(|e| Error::io(&self.path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_ids() {
        let shards: Vec<Shard> = (0..3).map(|i| format!("{i}/3").parse().unwrap()).collect();
        for id in 0..1000 {
            let key = format!("doc-{id}");
            assert_eq!(shards.iter().filter(|s| s.owns(&key)).count(), 1);
        }
        assert!("3/3".parse::<Shard>().is_err());
        assert!("1".parse::<Shard>().is_err());
    }

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
    fn resume_cuts_a_partial_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.jsonl");
        std::fs::write(
            &out,
            "{\"id\":\"a\"}\n{\"error\":\"x\",\"line\":4}\n{\"id\":\"b\",\"summ",
        )
        .unwrap();
        let r = Resume::load(&out, "id").unwrap();
        assert!(r.done.contains("a") && !r.done.contains("b"));
        assert!(r.bad_lines.contains(&4));
        assert_eq!(r.records, 2);
        assert!(r.cut_bytes > 0);
        assert!(std::fs::read_to_string(&out).unwrap().ends_with("4}\n"));
    }
}
