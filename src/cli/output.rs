//! Where results go: stdout, or the file `-o FILE` names, written as
//! `parallax::output` decides (a file replaced atomically, a link's target, a device in place).

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use parallax::output::Output;

/// Writes all of `text` to `path` or to stdout.
pub fn write(path: Option<&PathBuf>, text: &str) -> anyhow::Result<()> {
    match path {
        // The library's error names the file and says "cannot write": no context to add.
        Some(p) => Ok(parallax::output::write(p, text.as_bytes())?),
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

/// Where a streaming command writes.
pub enum Writer {
    Stdout(BufWriter<std::io::Stdout>),
    File(Output),
}

impl Write for Writer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Writer::Stdout(w) => w.write(buf),
            Writer::File(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self {
            Writer::Stdout(w) => w.write_all(buf),
            Writer::File(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Writer::Stdout(w) => w.flush(),
            Writer::File(w) => w.flush(),
        }
    }
}

/// Stdout, or an output that becomes the file only when the run succeeds (dropped
/// unfinished, it leaves the old file as it was).
pub struct Sink {
    /// Where the command writes.
    pub out: Writer,
}

impl Sink {
    /// Stdout, or `path` opened through `parallax::output`.
    pub fn open(path: Option<&Path>) -> anyhow::Result<Self> {
        Ok(Self {
            out: match path {
                None => Writer::Stdout(BufWriter::new(std::io::stdout())),
                Some(p) => Writer::File(Output::create(p)?),
            },
        })
    }

    /// Flushes (a closed stdout pipe is not an error) and, for a file, moves it into place.
    pub fn finish(self) -> anyhow::Result<()> {
        match self.out {
            Writer::Stdout(mut w) => w
                .flush()
                .or_else(ignore_broken_pipe)
                .context("writing to stdout"),
            Writer::File(o) => Ok(o.finish()?),
        }
    }
}
