//! Where results go: stdout, or a file written atomically (`-o FILE`).

use std::io::Write;
use std::path::PathBuf;

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
