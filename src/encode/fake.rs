//! A stand-in model for tests: no files, no libtorch, deterministic vectors. The batching
//! core, every analysis and the job driver take any [`Backend`], so with this one their
//! logic is tested in milliseconds while the real models are tested through the binary.
//!
//! The tokenizer is byte-level (every byte one token, lower-cased, GPT-2's byte alphabet),
//! and a sentence's vector is its bag of words hashed into [`HashEmbedder::DIM`]
//! dimensions, L2-normalised: the cosine of two sentences is their word overlap, so tests
//! can reason about which sentences align.

use std::str::FromStr;

use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::Tokenizer;

use super::backend::{Backend, Tokenized};
use super::runner::BatchEncoder;
use super::scheduler::BatchConfig;
use crate::error::{Error, Result};

/// A bag-of-words embedder over byte-level token ids.
#[derive(Debug, Clone)]
pub struct HashEmbedder {
    /// The token id of the space marker that starts every word.
    space: i64,
    /// Longest input, in tokens.
    pub max_len: usize,
}

impl HashEmbedder {
    /// Dimensions of every vector.
    pub const DIM: usize = 256;
}

impl Backend for HashEmbedder {
    type Output = Vec<f32>;

    fn max_input_tokens(&self) -> usize {
        self.max_len
    }

    fn run(&self, batch: &[&Tokenized]) -> Result<Vec<Vec<f32>>> {
        Ok(batch
            .iter()
            .map(|t| {
                let mut v = vec![0f32; Self::DIM];
                for word in t.ids.split(|&id| id == self.space) {
                    // Letters and digits only: "Kyiv," and "Kyiv" are one word.
                    let word: Vec<i64> = word
                        .iter()
                        .copied()
                        .filter(|&id| is_word_byte(id))
                        .collect();
                    if word.is_empty() {
                        continue;
                    }
                    let h = word.iter().fold(1469598103934665603u64, |h, &id| {
                        (h ^ id as u64).wrapping_mul(1099511628211)
                    });
                    v[(h % Self::DIM as u64) as usize] += 1.0;
                }
                let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                if norm > 0.0 {
                    v.iter_mut().for_each(|x| *x /= norm);
                }
                v
            })
            .collect())
    }
}

/// Ids are the bytes' positions in GPT-2's byte alphabet, sorted by character; ASCII
/// letters and digits map to themselves there, and any byte of a multi-byte character
/// (Cyrillic) counts as a word byte.
fn is_word_byte(id: i64) -> bool {
    let c = alphabet()[id as usize];
    c.is_ascii_alphanumeric() || !c.is_ascii()
}

fn alphabet() -> Vec<char> {
    let mut a: Vec<char> = ByteLevel::alphabet().into_iter().collect();
    a.sort_unstable();
    a
}

/// The byte-level tokenizer the fake model reads.
pub fn tokenizer() -> Result<Tokenizer> {
    let vocab: serde_json::Map<String, serde_json::Value> = alphabet()
        .iter()
        .enumerate()
        .map(|(i, c)| (c.to_string(), serde_json::Value::from(i)))
        .collect();
    let json = serde_json::json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": [],
        "normalizer": {"type": "Lowercase"},
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
        "post_processor": null,
        "decoder": null,
        "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
                  "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false,
                  "vocab": vocab, "merges": []}
    });
    Tokenizer::from_str(&json.to_string()).map_err(|e| Error::Tokenizer(e.to_string()))
}

/// A sentence encoder on the fake model, behind the real batching core.
pub fn embedder(config: BatchConfig) -> Result<BatchEncoder<HashEmbedder>> {
    let tokenizer = tokenizer()?;
    let space = tokenizer
        .token_to_id("Ġ")
        .ok_or_else(|| Error::Tokenizer("byte alphabet without the space marker".into()))?;
    Ok(BatchEncoder::new(
        HashEmbedder {
            space: i64::from(space),
            max_len: 256,
        },
        tokenizer,
        config,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::{cosine, Truncation};

    #[test]
    fn word_overlap_is_cosine() {
        let e = embedder(BatchConfig::default()).unwrap();
        let v = e
            .encode(
                &[
                    "Kyiv was hit.",
                    "kyiv was hit",
                    "Kharkiv is far away",
                    "Київ",
                ],
                Truncation::Refuse,
            )
            .unwrap()
            .outputs;
        assert!((cosine(&v[0], &v[1]) - 1.0).abs() < 1e-6);
        assert!(cosine(&v[0], &v[2]) < 0.3);
        assert!(v[3].iter().any(|&x| x > 0.0), "Cyrillic words count");
    }
}
