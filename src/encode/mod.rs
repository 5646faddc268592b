//! Encode stage: the batching core (scheduler + runner) and the model backends behind it.

pub mod backend;
pub mod bert;
pub mod runner;
pub mod scheduler;
pub mod tokenizer;

pub use backend::{Backend, Tokenized};
pub use bert::BertEmbedder;
pub use runner::{BatchEncoder, Encoded, Truncation};
pub use scheduler::{Batch, BatchConfig};

use crate::error::{Error, Result};
use crate::models::ResolvedModel;

/// A sentence-embedding engine: the default model behind the batching core.
pub type Embedder = BatchEncoder<BertEmbedder>;

/// Loads a sentence-embedding model (BERT architecture) with its tokenizer.
pub fn load_embedder(
    m: &ResolvedModel,
    device: tch::Device,
    config: BatchConfig,
) -> Result<Embedder> {
    let tok_path = m.file("tokenizer.json").ok_or_else(|| Error::BadModelDir {
        dir: m.dir.clone(),
        problem: "has no tokenizer.json (sentence embeddings need the Hugging Face tokenizer file)"
            .into(),
    })?;
    let tokenizer = tokenizer::load(&tok_path)?;
    let backend = BertEmbedder::load(m, device)?;
    Ok(BatchEncoder::new(backend, tokenizer, config))
}

/// Cosine similarity of two vectors (0 when either is all zeros).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut dot, mut na, mut nb) = (0f32, 0f32, 0f32);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na.sqrt() * nb.sqrt())
    }
}
