//! parallax's BART decoding loop (`src/encode/bart.rs`) alone: the cost of one decoding
//! step of beam search, on a random BART small enough for criterion (d_model 256, 2 encoder
//! and 6 decoder layers, 8,000 tokens) and a batch like the summarizer's (8 articles of 128
//! tokens, 4 beams). A run that generates 2 tokens costs the encoder and two steps; one
//! that generates 17 costs 15 more steps, so the difference over 15 is the step.
//!
//! `cargo bench --bench decode_step` prints the per-step time first, then criterion's
//! timings of the two runs.

use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use parallax::encode::bart::{Bart, Decoding};
use rust_bert::bart::{BartConfig, BartForConditionalGeneration};
use tch::{nn, Device, Kind, Tensor};

fn model() -> Bart {
    let config: BartConfig = serde_json::from_value(serde_json::json!({
        "model_type": "bart", "vocab_size": 8000, "d_model": 256,
        "encoder_layers": 2, "decoder_layers": 6, "num_hidden_layers": 6,
        "encoder_attention_heads": 4, "decoder_attention_heads": 4,
        "encoder_ffn_dim": 1024, "decoder_ffn_dim": 1024,
        "max_position_embeddings": 256, "activation_function": "gelu",
        "dropout": 0.0, "attention_dropout": 0.0, "activation_dropout": 0.0,
        "encoder_layerdrop": 0.0, "decoder_layerdrop": 0.0, "init_std": 0.02,
        "bos_token_id": 0, "pad_token_id": 1, "eos_token_id": 2,
        "decoder_start_token_id": 2, "is_encoder_decoder": true
    }))
    .expect("a BART config");
    tch::manual_seed(0);
    let vs = nn::VarStore::new(Device::Cpu);
    let _model = BartForConditionalGeneration::new(vs.root(), &config);
    Bart::from_var_store(&vs, &config)
        .expect("the var store holds BART")
        .expect("a BART parallax decodes")
}

fn decoding(tokens: i64) -> Decoding {
    Decoding {
        num_beams: 4,
        // Exactly `tokens` generated (the start token counts), as the peer bench does.
        min_length: tokens + 1,
        max_length: tokens + 1,
        no_repeat_ngram_size: 0,
        length_penalty: 1.0,
        decoder_start: 2,
        eos: 2,
        pad: 1,
        forced_bos: None,
        forced_eos: None,
    }
}

fn bench(c: &mut Criterion) {
    tch::set_num_threads(2);
    let bart = model();
    tch::manual_seed(1);
    let ids = Tensor::randint_low(3, 8000, [8, 128], (Kind::Int64, Device::Cpu));
    let mask = Tensor::ones([8, 128], (Kind::Int64, Device::Cpu));
    let time = |tokens: i64| {
        let d = decoding(tokens);
        bart.generate(&ids, &mask, &d);
        let started = Instant::now();
        for _ in 0..3 {
            bart.generate(&ids, &mask, &d);
        }
        started.elapsed().as_secs_f64() / 3.0
    };
    let (short, long) = (time(2), time(17));
    println!(
        "8 articles x 4 beams: encoder + 2 steps {:.1} ms, + 17 steps {:.1} ms; one step {:.2} ms",
        short * 1e3,
        long * 1e3,
        (long - short) / 15.0 * 1e3
    );
    let mut group = c.benchmark_group("bart_beam_search");
    group.sample_size(10);
    for tokens in [2, 17] {
        let d = decoding(tokens);
        group.bench_function(format!("{tokens}_tokens"), |b| {
            b.iter(|| bart.generate(&ids, &mask, &d))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
