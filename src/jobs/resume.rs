//! Resuming and writing a job's output. Crash safety rests on one rule: output is appended
//! a whole batch of lines at a time and synced, and an id counts as done only when its
//! line is complete. A run killed mid-write leaves at most one partial last line, which
//! [`Resume::load`] cuts off.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::records::error_line;
use crate::error::{Error, Result};

/// What an earlier run already wrote to the output.
#[derive(Debug, Default)]
pub struct Resume {
    /// Keys (ids, or group keys) with a complete record.
    pub done: HashSet<String>,
    /// Input lines with an error record.
    pub bad_lines: HashSet<usize>,
    /// Complete lines in the output.
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
            // An error record stands for its input line (a duplicate id's line is not the
            // id's first record); any other record for its key.
            if v.get("error").is_some() {
                if let Some(l) = error_line(&v) {
                    state.bad_lines.insert(l);
                }
            } else if let Some(k) = v.get(key).and_then(Value::as_str) {
                state.done.insert(k.to_string());
            }
        }
        if complete < bytes.len() {
            state.cut_bytes = (bytes.len() - complete) as u64;
            f.set_len(complete as u64)
                .map_err(|e| Error::write(out, e))?;
            f.seek(SeekFrom::End(0)).map_err(|e| Error::write(out, e))?;
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
        .map_err(|e| Error::write(path, e))?;
        Ok(Self {
            file,
            path: path.to_path_buf(),
        })
    }

    /// Appends lines, then syncs them to disk.
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
            .map_err(|e| Error::write(&self.path, e))
    }
}

/// Where a job writes: its output, and error records there or in a file of their own.
pub struct Sinks {
    out: Appender,
    errors: Option<Appender>,
}

impl Sinks {
    /// Opens a job's output for a fresh run or (`resume`) to continue one, and reads what
    /// an earlier run wrote to it. A fresh run refuses to overwrite a non-empty file: a
    /// user's finished job is never lost to a forgotten --resume. `key` names the field
    /// that marks a finished unit of work (`id`, or `group` for compare). Only a resumed
    /// run reads the files back, and only regular ones: a fresh run has nothing to read
    /// (and reading `-o /dev/stdout` or a FIFO would wait forever for its own output).
    pub fn open(
        out: &Path,
        errors: Option<&Path>,
        resume: bool,
        key: &str,
    ) -> Result<(Self, Resume)> {
        for p in std::iter::once(out).chain(errors) {
            let meta = std::fs::metadata(p);
            if !resume && meta.as_ref().is_ok_and(|m| m.len() > 0) {
                return Err(Error::Input(format!(
                    "{} already exists; pass --resume to continue that job, or remove it",
                    p.display()
                )));
            }
            if resume && meta.is_ok_and(|m| !m.is_file()) {
                return Err(Error::Input(format!(
                    "--resume reads back what {} holds, and it is not a regular file (a \
                     device, FIFO or socket keeps nothing to resume from); write to a file",
                    p.display()
                )));
            }
        }
        let mut state = Resume::default();
        if resume {
            state = Resume::load(out, key)?;
            if let Some(e) = errors {
                let more = Resume::load(e, "id")?;
                state.done.extend(more.done);
                state.bad_lines.extend(more.bad_lines);
            }
        }
        let sinks = Sinks {
            out: Appender::open(out, !resume)?,
            errors: errors.map(|p| Appender::open(p, !resume)).transpose()?,
        };
        Ok((sinks, state))
    }

    /// Writes finished records (in input line order) and error records, each list emptied.
    pub fn write(
        &mut self,
        lines: &mut Vec<(usize, String)>,
        errors: &mut Vec<(usize, String)>,
    ) -> Result<()> {
        match &mut self.errors {
            Some(e) => {
                e.append(&errors.drain(..).map(|(_, l)| l).collect::<Vec<_>>())?;
            }
            None => lines.append(errors),
        }
        lines.sort_by_key(|(line, _)| *line);
        self.out
            .append(&lines.drain(..).map(|(_, l)| l).collect::<Vec<_>>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
