//! Loading a Hugging Face `tokenizer.json` for the batching core.

use std::path::Path;

use tokenizers::Tokenizer;

use crate::error::{Error, Result};

/// Loads `tokenizer.json` with its own padding and truncation turned off: the batching core
/// pads per batch, and cutting an input is an explicit decision, never a side effect of a
/// setting in the file (all-MiniLM-L6-v2's file pads and cuts everything to 128).
pub fn load(path: &Path) -> Result<Tokenizer> {
    let mut tok = Tokenizer::from_file(path).map_err(|e| Error::File {
        path: path.to_path_buf(),
        message: format!("not a valid tokenizer.json: {e}"),
    })?;
    tok.with_padding(None);
    tok.with_truncation(None)
        .map_err(|e| Error::Tokenizer(e.to_string()))?;
    Ok(tok)
}
