//! The library's error type. Every variant names the file, field or value at fault and,
//! where there is one, the command that fixes it: these messages are what a user reads.

use std::path::PathBuf;

/// What the model commands print when something goes wrong; the CLI adds no more than context.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("unknown model '{name}'; known models: {known}. Run `parallax models list` to see them, or pass --model-dir DIR for any Hugging Face-style model folder")]
    UnknownModel { name: String, known: String },

    #[error(
        "model '{name}' is not installed ({path} is missing); run `scripts/setup.sh` to install it"
    )]
    ModelNotInstalled { name: String, path: PathBuf },

    #[error("model '{name}': {problem}; run `scripts/setup.sh` to reinstall it (then `parallax models verify`)")]
    ModelCorrupt { name: String, problem: String },

    #[error("model folder {dir} {problem}")]
    BadModelDir { dir: PathBuf, problem: String },

    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },

    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{0}")]
    Input(String),

    #[error("--device cuda was asked for, but {0}; use --device cpu, or build for GPU with `scripts/setup.sh --gpu`")]
    NoCuda(String),

    #[error("{count} input(s) exceed the model's maximum of {max} tokens (the first is input {first}, {first_len} tokens); pass --truncate to cut them explicitly, or split them")]
    TooLong {
        count: usize,
        max: usize,
        first: usize,
        first_len: usize,
    },

    #[error("tokenizer: {0}")]
    Tokenizer(String),

    #[error("model runtime (libtorch): {0}")]
    Torch(#[from] tch::TchError),

    #[error("model: {0}")]
    Model(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
