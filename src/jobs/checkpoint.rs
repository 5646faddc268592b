//! The leads' vectors of a `parallax stories` run, kept beside its output as they are
//! computed, so that a killed run resumes (`--resume`) without embedding again: embedding
//! is 99.5% of a run's time, and grouping the vectors again takes seconds. The file holds
//! the vectors in input order, so a resumed run reads it alongside the input, one record
//! per article, and memory stays flat; the first article that differs (another input, a
//! changed lead) ends the reuse, and the rest of the file is cut away.
//!
//! Format: the line `parallax-leads 1 MODEL\n`, then per article `u32` id length, the id,
//! `u64` hash of its lead, `u32` dimension and the vector as `f32`, all little-endian. A
//! record torn by the kill is cut on resume.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use sha2::Digest;

use crate::error::{Error, Result};

/// Articles embedded and written per step while checkpointing: what a kill can lose.
pub const SAVE_EVERY: usize = 64;

/// An open checkpoint.
pub struct Checkpoint {
    path: PathBuf,
    file: File,
    /// Still reading what an earlier run stored.
    reader: Option<BufReader<File>>,
    /// End of the last record read back or written.
    end: u64,
    /// Vectors reused so far.
    pub reused: usize,
}

fn header(model: &str) -> String {
    format!("parallax-leads 1 {model}\n")
}

fn lead_hash(lead: &str) -> u64 {
    let d = sha2::Sha256::digest(lead.as_bytes());
    u64::from_le_bytes(d[..8].try_into().expect("8 bytes"))
}

impl Checkpoint {
    /// The checkpoint of output `out`: `OUT.parallax-leads`.
    pub fn path_for(out: &Path) -> PathBuf {
        let mut name = out.file_name().unwrap_or_default().to_os_string();
        name.push(".parallax-leads");
        out.with_file_name(name)
    }

    /// Opens the checkpoint at `path` for `model`: to read back what it holds when
    /// `resume`, else (or when it was made with another model) to start it afresh.
    pub fn open(path: &Path, model: &str, resume: bool) -> Result<Checkpoint> {
        let io = |e| Error::io(path, e);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io)?;
        let head = header(model);
        let mut found = vec![0u8; head.len()];
        let same_model = resume && file.read_exact(&mut found).is_ok() && found == head.as_bytes();
        if resume && !same_model && file.metadata().map_err(io)?.len() > 0 {
            tracing::warn!(
                "{}: made by another model or version; its vectors are not reused",
                path.display()
            );
        }
        let reader = if same_model {
            let mut r = BufReader::new(file.try_clone().map_err(io)?);
            r.seek(SeekFrom::Start(head.len() as u64)).map_err(io)?;
            Some(r)
        } else {
            file.set_len(0).map_err(io)?;
            file.seek(SeekFrom::Start(0)).map_err(io)?;
            file.write_all(head.as_bytes()).map_err(io)?;
            file.sync_data().map_err(io)?;
            None
        };
        Ok(Checkpoint {
            path: path.to_path_buf(),
            file,
            reader,
            end: head.len() as u64,
            reused: 0,
        })
    }

    fn read_record(r: &mut BufReader<File>) -> Option<(String, u64, Vec<f32>, u64)> {
        let mut u32b = [0u8; 4];
        let mut u64b = [0u8; 8];
        r.read_exact(&mut u32b).ok()?;
        let n = u32::from_le_bytes(u32b) as usize;
        if n > 1 << 20 {
            return None;
        }
        let mut id = vec![0u8; n];
        r.read_exact(&mut id).ok()?;
        r.read_exact(&mut u64b).ok()?;
        let hash = u64::from_le_bytes(u64b);
        r.read_exact(&mut u32b).ok()?;
        let dim = u32::from_le_bytes(u32b) as usize;
        if dim > 1 << 16 {
            return None;
        }
        let mut raw = vec![0u8; dim * 4];
        r.read_exact(&mut raw).ok()?;
        let v = raw
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
            .collect();
        let len = (4 + n + 8 + 4 + dim * 4) as u64;
        Some((String::from_utf8(id).ok()?, hash, v, len))
    }

    /// The stored vector of the next article, when it is this one (same id, same lead).
    /// The first article that is not ends the reading: later ones are embedded anew.
    pub fn cached(&mut self, id: &str, lead: &str) -> Option<Vec<f32>> {
        let r = self.reader.as_mut()?;
        match Self::read_record(r) {
            Some((stored, hash, v, len)) if stored == id && hash == lead_hash(lead) => {
                self.end += len;
                self.reused += 1;
                Some(v)
            }
            _ => {
                self.reader = None;
                None
            }
        }
    }

    /// Where the next record starts: a mark to [`Checkpoint::rewind`] to.
    pub fn mark(&self) -> (u64, usize) {
        (self.end, self.reused)
    }

    /// Forgets the records read since `mark`: their articles are embedded again with
    /// the rest of their step, so that every step is embedded whole, as in a run never
    /// interrupted (a vector depends, in its last bits, on the batch it was computed in).
    pub fn rewind(&mut self, mark: (u64, usize)) {
        self.reader = None;
        (self.end, self.reused) = mark;
    }

    /// Appends the vectors of articles just embedded (after any that were read back),
    /// durably: a kill after this loses none of them.
    pub fn append(&mut self, items: &[(&str, &str, &[f32])]) -> Result<()> {
        let io = |e| Error::write(&self.path, e);
        // Whatever followed the last record reused (another input's, or torn) goes.
        self.reader = None;
        let mut buf = Vec::new();
        for (id, lead, v) in items {
            buf.extend_from_slice(&(id.len() as u32).to_le_bytes());
            buf.extend_from_slice(id.as_bytes());
            buf.extend_from_slice(&lead_hash(lead).to_le_bytes());
            buf.extend_from_slice(&(v.len() as u32).to_le_bytes());
            for x in *v {
                buf.extend_from_slice(&x.to_le_bytes());
            }
        }
        self.file.set_len(self.end).map_err(io)?;
        self.file.seek(SeekFrom::Start(self.end)).map_err(io)?;
        self.file.write_all(&buf).map_err(io)?;
        self.file.sync_data().map_err(io)?;
        self.end += buf.len() as u64;
        Ok(())
    }

    /// The run is complete: the checkpoint is removed.
    pub fn finish(self) -> Result<()> {
        drop(self.file);
        std::fs::remove_file(&self.path).map_err(|e| Error::write(&self.path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_come_back_in_order_until_the_input_differs_and_a_torn_tail_is_cut() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.parallax-leads");
        let mut c = Checkpoint::open(&path, "m", false).unwrap();
        c.append(&[("a", "lead a", &[1.0, 2.0]), ("b", "lead b", &[3.0, 4.0])])
            .unwrap();
        drop(c);
        // A kill in the middle of a record leaves a torn tail.
        let full = std::fs::metadata(&path).unwrap().len();
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&[9, 0, 0]).unwrap();
        drop(f);

        let mut c = Checkpoint::open(&path, "m", true).unwrap();
        assert_eq!(c.cached("a", "lead a"), Some(vec![1.0, 2.0]));
        assert_eq!(c.cached("b", "lead b"), Some(vec![3.0, 4.0]));
        assert_eq!(c.cached("c", "lead c"), None);
        c.append(&[("c", "lead c", &[5.0, 6.0])]).unwrap();
        assert_eq!(c.reused, 2);
        drop(c);
        assert!(std::fs::metadata(&path).unwrap().len() > full);

        // A changed lead ends the reuse there; another model reuses nothing.
        let mut c = Checkpoint::open(&path, "m", true).unwrap();
        assert!(c.cached("a", "lead a").is_some());
        assert_eq!(c.cached("b", "lead B changed"), None);
        assert_eq!(
            c.cached("c", "lead c"),
            None,
            "reading stopped at the change"
        );
        drop(c);
        let mut c = Checkpoint::open(&path, "other", true).unwrap();
        assert_eq!(c.cached("a", "lead a"), None);
        c.finish().unwrap();
        assert!(!path.exists());
    }
}
