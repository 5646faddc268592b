//! The scheduler on the real sentence lengths of the articles in coverage-dev.jsonl.

use crate::common::*;
use parallax::encode::scheduler::{padding_efficiency, plan, plan_fixed, BatchConfig};

fn real_lengths() -> Vec<usize> {
    let tok =
        parallax::encode::tokenizer::load(&default_model_dir().join("tokenizer.json")).unwrap();
    let data = std::fs::read_to_string(shared_data("coverage-dev.jsonl")).unwrap();
    let mut sentences = Vec::new();
    for line in data.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let lang = v["language"].as_str().unwrap_or("en");
        sentences.extend(
            parallax::input::split(v["text"].as_str().unwrap(), lang)
                .into_iter()
                .map(|s| s.text),
        );
    }
    assert!(sentences.len() > 1000);
    tok.encode_batch(sentences, true)
        .unwrap()
        .iter()
        .map(|e| e.get_ids().len().min(256))
        .collect()
}

#[test]
fn default_packing_wastes_under_a_tenth_on_padding_and_keeps_every_sentence() {
    let lengths = real_lengths();
    let cfg = BatchConfig::default();
    let batches = plan(&lengths, cfg);
    let eff = padding_efficiency(&lengths, &batches);
    assert!(eff >= 0.9, "padding efficiency {eff}");
    let fixed = padding_efficiency(&lengths, &plan_fixed(&lengths, 32));
    assert!(eff > 2.0 * fixed, "packed {eff} vs fixed-size {fixed}");
    let mut seen: Vec<usize> = batches
        .iter()
        .flat_map(|b| b.indices.iter().copied())
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..lengths.len()).collect::<Vec<_>>());
    for b in &batches {
        assert!(b.padded_tokens() <= cfg.batch_tokens || b.indices.len() == 1);
    }
}
