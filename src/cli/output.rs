//! Where results go: stdout, or a file written atomically (`-o FILE`).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

/// Writes all of `text` to `path` (atomically) or to stdout.
pub fn write(path: Option<&PathBuf>, text: &str) -> anyhow::Result<()> {
    match path {
        Some(p) => parallax::util::write_atomic(p, text.as_bytes())
            .with_context(|| format!("writing {}", p.display())),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|_| out.flush())
                .or_else(ignore_broken_pipe)
                .context("writing to stdout")
        }
    }
}

/// `parallax ... | head` closing the pipe early is not an error worth a message.
pub fn ignore_broken_pipe(e: std::io::Error) -> std::io::Result<()> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(e)
    }
}

/// Stdout, or a temporary file renamed over the target when the run succeeds.
pub struct Sink {
    /// Where the command writes.
    pub out: BufWriter<Box<dyn Write>>,
    /// The temporary, the target, and the file to sync before the rename.
    target: Option<(PathBuf, PathBuf, File)>,
}

impl Sink {
    /// Stdout, or a temporary beside `path`.
    pub fn open(path: Option<&Path>) -> anyhow::Result<Self> {
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
                let sync = f.try_clone()?;
                Ok(Self {
                    out: BufWriter::new(Box::new(f)),
                    target: Some((tmp, p.to_path_buf(), sync)),
                })
            }
        }
    }

    /// Flushes (a closed stdout pipe is not an error) and, for a file, syncs and moves the
    /// temporary into place.
    pub fn finish(mut self) -> anyhow::Result<()> {
        self.out.flush().or_else(ignore_broken_pipe)?;
        if let Some((tmp, target, file)) = self.target.take() {
            file.sync_all()
                .with_context(|| format!("cannot write {}", tmp.display()))?;
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
        if let Some((tmp, _, _)) = &self.target {
            let _ = std::fs::remove_file(tmp);
        }
    }
}
