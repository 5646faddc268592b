//! The library's error type. Every variant names the file, field or value at fault and,
//! where there is one, the command that fixes it: these messages are what a user reads.

use std::path::PathBuf;

/// What the model commands print when something goes wrong; the CLI adds no more than context.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("unknown model '{name}'; known models: {known}. Run `parallax models list` to see them, or pass --model-dir DIR for any Hugging Face-style model folder")]
    /// `--model NAME` that the manifest does not list.
    UnknownModel {
        /// The name asked for.
        name: String,
        /// The manifest's names.
        known: String,
    },

    #[error(
        "model '{name}' is not installed ({path} is missing); run `scripts/setup.sh` to install it"
    )]
    /// A manifest model whose folder is missing.
    ModelNotInstalled {
        /// The model.
        name: String,
        /// Where it should be.
        path: PathBuf,
    },

    #[error("model '{name}': {problem}; run `scripts/setup.sh` to reinstall it (then `parallax models verify`)")]
    /// A manifest model whose files fail their size or hash check.
    ModelCorrupt {
        /// The model.
        name: String,
        /// Which file, and how.
        problem: String,
    },

    #[error("model folder {dir} {problem}")]
    /// A `--model-dir` folder that lacks what the task needs.
    BadModelDir {
        /// The folder.
        dir: PathBuf,
        /// What it lacks.
        problem: String,
    },

    #[error("{path}: {message}")]
    /// A file that exists but is not what it should be.
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },

    // The system's words are the source, not part of the message: printed as a chain
    // (`{:#}`, as the CLI does) they would otherwise appear twice.
    #[error("{path}: cannot read")]
    /// A file that could not be read.
    Io {
        /// The file.
        path: PathBuf,
        #[source]
        /// What the system said.
        source: std::io::Error,
    },

    #[error("{path}: cannot write")]
    /// A file, device or stream that could not be written (created, replaced, synced).
    Write {
        /// The file, as the user named it.
        path: PathBuf,
        #[source]
        /// What the system said.
        source: std::io::Error,
    },

    #[error("{0}")]
    /// Bad input or arguments; the message says which and what to do.
    Input(String),

    #[error("--device cuda was asked for, but {0}; use --device cpu, or build for GPU with `scripts/setup.sh --gpu`")]
    /// `--device cuda` without a GPU.
    NoCuda(String),

    #[error("{count} input(s) exceed the model's maximum of {max} tokens (the first is input {first}, {first_len} tokens); pass --truncate to cut them explicitly, or split them")]
    /// Inputs longer than the model reads, with truncation refused.
    TooLong {
        /// How many.
        count: usize,
        /// The model's maximum, in tokens.
        max: usize,
        /// Position of the first one.
        first: usize,
        /// Its length, in tokens.
        first_len: usize,
    },

    #[error("tokenizer: {0}")]
    /// The tokenizer failed.
    Tokenizer(String),

    #[error("model runtime (libtorch): {0}")]
    /// libtorch failed.
    Torch(#[from] tch::TchError),

    #[error("model: {0}")]
    /// A model misbehaved or could not be built.
    Model(String),
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// A failed write: told apart from a failed read, since "cannot read" on the file a
    /// user asked to be written sends them looking at the wrong problem.
    pub(crate) fn write(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Write {
            path: path.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chain as the CLI prints it (`error: {e:#}` of an anyhow error).
    fn chain(e: Error) -> String {
        let mut s = e.to_string();
        let mut cause = std::error::Error::source(&e);
        while let Some(c) = cause {
            s.push_str(&format!(": {c}"));
            cause = c.source();
        }
        s
    }

    #[test]
    fn io_errors_say_read_or_write_and_the_system_reason_once() {
        let denied = || std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let reason = denied().to_string();
        let w = chain(Error::write("out.txt", denied()));
        assert_eq!(w, format!("out.txt: cannot write: {reason}"));
        let r = chain(Error::io("in.txt", denied()));
        assert_eq!(r, format!("in.txt: cannot read: {reason}"));
    }
}
