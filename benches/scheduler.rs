//! The batch scheduler alone, on the token lengths of the real article sentences in
//! `../shared/data/coverage-dev.jsonl`: padding efficiency (real tokens / padded tokens) and
//! scheduling time, token-budget packing against fixed-size batches in input order.
//!
//! `cargo bench --bench scheduler` prints the efficiencies first, then criterion's timings.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use parallax::encode::scheduler::{padding_efficiency, plan, plan_fixed, BatchConfig};

fn sentence_lengths() -> Vec<usize> {
    let root = env!("CARGO_MANIFEST_DIR");
    let data = std::fs::read_to_string(format!("{root}/../shared/data/coverage-dev.jsonl"))
        .expect("../shared/data/coverage-dev.jsonl");
    let tokenizer = parallax::encode::tokenizer::load(
        format!("{root}/models/all-MiniLM-L6-v2/tokenizer.json").as_ref(),
    )
    .expect("run scripts/setup.sh first");
    let mut sentences = Vec::new();
    for line in data.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let lang = v["language"].as_str().unwrap_or("en");
        for s in parallax::input::split(v["text"].as_str().unwrap(), lang) {
            sentences.push(s.text);
        }
    }
    let enc = tokenizer.encode_batch(sentences, true).unwrap();
    enc.iter().map(|e| e.get_ids().len().min(256)).collect()
}

fn bench(c: &mut Criterion) {
    let lengths = sentence_lengths();
    println!(
        "{} sentences, {} tokens; padding efficiency (real / padded tokens):",
        lengths.len(),
        lengths.iter().sum::<usize>()
    );
    for budget in [512, 1024, 2048, 4096, 8192] {
        let cfg = BatchConfig {
            batch_tokens: budget,
            max_batch_size: 256,
        };
        let p = plan(&lengths, cfg);
        println!(
            "  token budget {budget:>5}: {:.3} in {} batches",
            padding_efficiency(&lengths, &p),
            p.len()
        );
    }
    for size in [8, 32, 128] {
        let p = plan_fixed(&lengths, size);
        println!(
            "  fixed size {size:>3}, input order: {:.3} in {} batches",
            padding_efficiency(&lengths, &p),
            p.len()
        );
    }
    let cfg = BatchConfig::default();
    c.bench_function("plan token budget 1024", |b| {
        b.iter(|| plan(black_box(&lengths), cfg))
    });
    c.bench_function("plan fixed 32 input order", |b| {
        b.iter(|| plan_fixed(black_box(&lengths), 32))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
