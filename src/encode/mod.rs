//! Encode stage: the batching core (scheduler + runner) and the model backends behind it.

pub mod backend;
pub mod bart;
pub mod bert;
pub mod fake;
pub mod linear;
pub mod nli;
pub mod runner;
pub mod scheduler;
pub mod seq2seq;
pub mod tokenizer;

pub use backend::{Backend, Tokenized};
pub use bert::BertEmbedder;
pub use linear::Precision;
pub use nli::{NliClassifier, NliLabels};
pub use runner::{BatchEncoder, Encoded, Truncation};
pub use scheduler::{Batch, BatchConfig};
pub use seq2seq::{DecoderLoop, GenerationOptions, GenerationSettings, Seq2Seq};

use crate::error::{Error, Result};
use crate::models::ResolvedModel;

/// A sentence-embedding engine: the default model behind the batching core.
pub type Embedder = BatchEncoder<BertEmbedder>;

/// Text whose activations set the int8 layers' smoothing (see the file's header).
const CALIBRATION: &str = include_str!("../../data/calibration.txt");

/// Loads a sentence-embedding model (BERT architecture) with its tokenizer, in fp32 or,
/// calibrated and quantized, in int8.
pub fn load_embedder(
    m: &ResolvedModel,
    device: tch::Device,
    config: BatchConfig,
    precision: Precision,
) -> Result<Embedder> {
    let tok_path = m.file("tokenizer.json").ok_or_else(|| Error::BadModelDir {
        dir: m.dir.clone(),
        problem: "has no tokenizer.json (sentence embeddings need the Hugging Face tokenizer file)"
            .into(),
    })?;
    let tokenizer = tokenizer::load(&tok_path)?;
    precision.check(device)?;
    let backend = BertEmbedder::load(m, device)?;
    let mut encoder = BatchEncoder::new(backend, tokenizer, config);
    if let Some(p) = m.entry.as_ref().and_then(|e| e.prefix.clone()) {
        encoder.prefix = p;
    }
    if precision == Precision::Int8 {
        let tokens = encoder.tokenize(&calibration())?;
        encoder.backend_mut().quantize(&tokens)?;
    }
    Ok(encoder)
}

/// The calibration sentences (the file without its comments).
fn calibration() -> Vec<&'static str> {
    CALIBRATION
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect()
}

/// An abstractive summarizer: an encoder-decoder generator behind the batching core.
pub type Summarizer = BatchEncoder<Seq2Seq>;

/// Loads an encoder-decoder summarizer (BART, DistilBART, T5, Pegasus) with its tokenizer:
/// `tokenizer.json`, or for BART the GPT-2 style `vocab.json` + `merges.txt` that
/// distilbart checkpoints ship.
pub fn load_summarizer(
    m: &ResolvedModel,
    device: tch::Device,
    config: BatchConfig,
    opts: GenerationOptions,
) -> Result<Summarizer> {
    let tokenizer = pretrained_tokenizer(m)?;
    let backend = Seq2Seq::load(m, device, opts)?;
    Ok(BatchEncoder::new(backend, tokenizer, config))
}

/// A natural language inference cross-encoder (premise, hypothesis → entailment,
/// neutral, contradiction) behind the batching core.
pub type NliModel = BatchEncoder<NliClassifier>;

/// Loads an NLI model (BART, RoBERTa, XLM-RoBERTa, BERT) with its tokenizer. With int8,
/// the model is calibrated on the calibration sentences paired as (premise, hypothesis)
/// with the next one, so the separator and second-segment tokens are in the ranges; a BART
/// variant that only rust-bert runs stays fp32 (see [`NliClassifier::quantize`]) with a
/// warning.
pub fn load_nli(
    m: &ResolvedModel,
    device: tch::Device,
    config: BatchConfig,
    precision: Precision,
) -> Result<NliModel> {
    let tokenizer = pretrained_tokenizer(m)?;
    precision.check(device)?;
    let backend = NliClassifier::load(m, device)?;
    let mut model = BatchEncoder::new(backend, tokenizer, config);
    if precision == Precision::Int8 {
        let lines = calibration();
        let pairs: Vec<(&str, &str)> = lines
            .iter()
            .copied()
            .zip(lines.iter().copied().skip(1))
            .collect();
        let tokens = model.tokenize_pairs(&pairs)?;
        if !model.backend_mut().quantize(&tokens)? {
            tracing::warn!(
                model = %m.name,
                "--precision int8: this BART variant (sinusoidal positions, or an activation \
                 other than GELU or ReLU) runs on rust-bert's module, in fp32"
            );
        }
    }
    Ok(model)
}

/// The folder's `tokenizer.json`, or for BART and RoBERTa the GPT-2 style `vocab.json` +
/// `merges.txt` that older checkpoints ship instead.
fn pretrained_tokenizer(m: &ResolvedModel) -> Result<tokenizers::Tokenizer> {
    match m.file("tokenizer.json") {
        Some(p) => tokenizer::load(&p),
        None => match (m.file("vocab.json"), m.file("merges.txt")) {
            (Some(v), Some(mg)) => tokenizer::byte_level_bpe(&v, &mg),
            _ => Err(Error::BadModelDir {
                dir: m.dir.clone(),
                problem: "has no tokenizer.json (nor BART's vocab.json and merges.txt); \
                          save one with `AutoTokenizer.from_pretrained(DIR).save_pretrained(DIR)`"
                    .into(),
            }),
        },
    }
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
