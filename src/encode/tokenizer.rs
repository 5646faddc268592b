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

/// BART's tokenizer from the GPT-2 style files (byte-level BPE, `<s> … </s>` around each
/// input), for checkpoints that ship no tokenizer.json.
pub fn byte_level_bpe(vocab: &Path, merges: &Path) -> Result<Tokenizer> {
    use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
    use tokenizers::models::bpe::BPE;
    use tokenizers::pre_tokenizers::byte_level::ByteLevel;
    use tokenizers::processors::roberta::RobertaProcessing;

    let bpe = BPE::from_file(&vocab.to_string_lossy(), &merges.to_string_lossy())
        .build()
        .map_err(|e| Error::File {
            path: vocab.to_path_buf(),
            message: format!(
                "cannot read the BPE vocabulary with {}: {e}",
                merges.display()
            ),
        })?;
    let mut tok = Tokenizer::new(bpe);
    tok.with_pre_tokenizer(Some(ByteLevel::new(false, true, true)));
    tok.with_decoder(Some(ByteLevelDecoder::default()));
    tok.with_post_processor(Some(RobertaProcessing::new(
        ("</s>".into(), 2),
        ("<s>".into(), 0),
    )));
    Ok(tok)
}
