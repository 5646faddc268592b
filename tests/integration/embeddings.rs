//! The embedding engine against an independent reference, and batching that changes
//! nothing but speed.

use crate::common::*;
use parallax::encode::{cosine, load_embedder, BatchConfig, Truncation};
use parallax::models::{resolve, ModelSpec};
use serde_json::Value;

fn embedder(cfg: BatchConfig) -> parallax::encode::Embedder {
    let m = resolve(&ModelSpec::Default, "sentence-embeddings").expect("run scripts/setup.sh");
    load_embedder(&m, tch::Device::Cpu, cfg).unwrap()
}

fn reference() -> Vec<(String, Vec<f32>)> {
    std::fs::read_to_string(shared_data("minilm-reference.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let e = v["embedding"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap() as f32)
                .collect();
            (v["text"].as_str().unwrap().to_string(), e)
        })
        .collect()
}

/// sentence-transformers 3.0.1 computed these one sentence per call; we embed them all in
/// packed batches, which must not matter.
#[test]
fn matches_sentence_transformers_on_every_reference_sentence() {
    let refs = reference();
    assert_eq!(refs.len(), 66);
    let e = embedder(BatchConfig::default());
    let texts: Vec<&str> = refs.iter().map(|(t, _)| t.as_str()).collect();
    let out = e.encode(&texts, Truncation::Refuse).unwrap();
    assert!(out.truncated.is_empty());
    for ((text, want), got) in refs.iter().zip(&out.outputs) {
        assert_eq!(got.len(), 384);
        let c = cosine(want, got);
        assert!(c >= 0.9999, "cosine {c} for {text:?}");
    }
}

#[test]
fn batched_equals_one_by_one() {
    let refs = reference();
    let texts: Vec<&str> = refs.iter().map(|(t, _)| t.as_str()).collect();
    let packed = embedder(BatchConfig {
        batch_tokens: 2048,
        max_batch_size: 64,
    });
    let batched = packed.encode(&texts, Truncation::Refuse).unwrap();
    assert!(batched.batches < texts.len(), "inputs were packed together");
    let single = embedder(BatchConfig {
        batch_tokens: 1,
        max_batch_size: 1,
    });
    let one_by_one = single.encode(&texts, Truncation::Refuse).unwrap();
    assert_eq!(one_by_one.batches, texts.len());
    for (i, (a, b)) in batched.outputs.iter().zip(&one_by_one.outputs).enumerate() {
        let c = cosine(a, b);
        assert!(c >= 0.99999, "input {i} ({:?}): cosine {c}", texts[i]);
    }
}

#[test]
fn outputs_come_back_in_input_order_and_long_inputs_are_never_cut_silently() {
    let e = embedder(BatchConfig::default());
    let long = "word ".repeat(400);
    let texts = ["Short one.", long.as_str(), "Another short sentence here."];
    let err = e
        .encode(&texts, Truncation::Refuse)
        .unwrap_err()
        .to_string();
    assert!(err.contains("input 1") && err.contains("256"), "{err}");

    let out = e.encode(&texts, Truncation::Cut).unwrap();
    assert_eq!(out.truncated, vec![1]);
    assert_eq!(out.lengths[1], 256);
    // Order: each output equals the embedding of its own input.
    let alone = e.encode(&[texts[2]], Truncation::Cut).unwrap();
    assert!(cosine(&alone.outputs[0], &out.outputs[2]) > 0.99999);
    assert!(cosine(&alone.outputs[0], &out.outputs[0]) < 0.99);
}
