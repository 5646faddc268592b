//! `summarize --method abstractive` through the built binary, on tiny BART and T5 models
//! with random weights that the test builds (no seq2seq weights can be installed here):
//! the whole path runs (load, chunk, batched generation, map-reduce, decode, evidence),
//! greedy decoding is deterministic, batching does not change the output, long articles
//! are read in several chunks, and broken model folders fail clearly.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::common::{assert_clean_failure, json_lines_of, parallax, shared_data, truncate_to};
use serde_json::{json, Value};
use tch::{nn, Device};

/// Real news documents from the evaluation set.
fn documents(n: usize) -> Vec<(String, String)> {
    std::fs::read_to_string(shared_data("summ-dev.jsonl"))
        .unwrap()
        .lines()
        .take(n)
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_string(),
                v["document"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A word-level tokenizer.json over the most frequent words of the documents, with the
/// architecture's special tokens and template.
fn write_tokenizer(dir: &Path, specials: &[&str], template: &[&str]) -> usize {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for (_, doc) in documents(40) {
        for w in doc.split(|c: char| !c.is_alphanumeric()) {
            if !w.is_empty() {
                *counts.entry(w.to_string()).or_default() += 1;
            }
        }
    }
    let mut words: Vec<(String, usize)> = counts.into_iter().collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut vocab = serde_json::Map::new();
    for (i, s) in specials.iter().enumerate() {
        vocab.insert(s.to_string(), json!(i));
    }
    for p in [".", ",", "'", "\"", "-", "(", ")", ":", "``", "''"] {
        let n = vocab.len();
        vocab.entry(p.to_string()).or_insert(json!(n));
    }
    for (w, _) in words.into_iter().take(1500) {
        let n = vocab.len();
        vocab.entry(w).or_insert(json!(n));
    }
    let size = vocab.len();
    let added: Vec<Value> = specials
        .iter()
        .enumerate()
        .map(|(i, s)| {
            json!({"id": i, "content": s, "single_word": false, "lstrip": false,
                   "rstrip": false, "normalized": false, "special": true})
        })
        .collect();
    let piece = |t: &str, seq: &str| {
        if t == "$A" {
            json!({"Sequence": {"id": seq, "type_id": 0}})
        } else {
            json!({"SpecialToken": {"id": t, "type_id": 0}})
        }
    };
    let single: Vec<Value> = template.iter().map(|t| piece(t, "A")).collect();
    let pair: Vec<Value> = template
        .iter()
        .map(|t| piece(t, "A"))
        .chain(template.iter().map(|t| piece(t, "B")))
        .collect();
    let mut special_tokens = serde_json::Map::new();
    for t in template.iter().filter(|t| **t != "$A") {
        let id = specials.iter().position(|s| s == t).unwrap();
        special_tokens.insert(t.to_string(), json!({"id": t, "ids": [id], "tokens": [t]}));
    }
    let tok = json!({
        "version": "1.0", "truncation": null, "padding": null,
        "added_tokens": added, "normalizer": null,
        "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": {"type": "TemplateProcessing", "single": single, "pair": pair,
                           "special_tokens": special_tokens},
        "decoder": null,
        "model": {"type": "WordLevel", "vocab": vocab, "unk_token": specials[3]},
    });
    std::fs::write(dir.join("tokenizer.json"), tok.to_string()).unwrap();
    size
}

/// Overwrites every weight and bias (layer norms keep their ones and zeros) with values
/// drawn from a generator seeded by `seed` and the variable's name. tch's global RNG
/// cannot be used: the tests of this binary run in parallel threads, and several build
/// models at once, so `manual_seed` then `new` gave each test weights that depended on
/// the other threads' timing (a CI run got a model whose two summaries coincided).
/// At rust-bert's 0.02 (and up to 0.05) the tiny model's greedy output barely reads its
/// input (two articles gave one summary); BART gets 0.3, where they clearly differ.
fn fill_deterministically(vs: &nn::VarStore, seed: u64, std: f64) {
    let mut vars: Vec<(String, tch::Tensor)> = vs.variables().into_iter().collect();
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    let half_width = std * 3f64.sqrt();
    tch::no_grad(|| {
        for (name, mut t) in vars {
            if name.contains("norm") {
                continue;
            }
            // splitmix64, seeded by the seed and an FNV-1a hash of the name.
            let mut state = name.bytes().fold(0xcbf2_9ce4_8422_2325u64 ^ seed, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
            let values: Vec<f32> = (0..t.numel())
                .map(|_| {
                    state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
                    let mut z = state;
                    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                    z ^= z >> 31;
                    let unit = (z >> 11) as f64 / (1u64 << 53) as f64;
                    ((unit * 2.0 - 1.0) * half_width) as f32
                })
                .collect();
            let source = tch::Tensor::from_slice(&values)
                .view(t.size().as_slice())
                .to_kind(t.kind());
            t.copy_(&source);
        }
    });
}

/// A 2-layer BART (d_model 32) that reads at most `max_positions` tokens.
pub(crate) fn tiny_bart(dir: &Path, max_positions: i64) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let vocab = write_tokenizer(
        dir,
        &["<s>", "<pad>", "</s>", "<unk>"],
        &["<s>", "$A", "</s>"],
    );
    let config = json!({
        "model_type": "bart", "vocab_size": vocab, "d_model": 32,
        "encoder_layers": 2, "decoder_layers": 2, "num_hidden_layers": 2,
        "encoder_attention_heads": 4, "decoder_attention_heads": 4,
        "encoder_ffn_dim": 64, "decoder_ffn_dim": 64,
        "max_position_embeddings": max_positions, "activation_function": "gelu",
        "dropout": 0.0, "attention_dropout": 0.0, "activation_dropout": 0.0,
        "encoder_layerdrop": 0.0, "decoder_layerdrop": 0.0, "init_std": 0.02,
        "bos_token_id": 0, "pad_token_id": 1, "eos_token_id": 2,
        "decoder_start_token_id": 2, "forced_bos_token_id": 0, "forced_eos_token_id": 2,
        "is_encoder_decoder": true, "scale_embedding": false
    });
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    let cfg: rust_bert::bart::BartConfig = serde_json::from_value(config).unwrap();
    let vs = nn::VarStore::new(Device::Cpu);
    let _model = rust_bert::bart::BartForConditionalGeneration::new(vs.root(), &cfg);
    fill_deterministically(&vs, 7, 0.3);
    vs.save(dir.join("model.safetensors")).unwrap();
    dir.to_path_buf()
}

/// A 2-layer T5 (d_model 32), saved in rust-bert's .ot format.
fn tiny_t5(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let vocab = write_tokenizer(dir, &["<pad>", "</s>", "<s>", "<unk>"], &["$A", "</s>"]);
    let config = json!({
        "model_type": "t5", "vocab_size": vocab, "d_model": 32, "d_ff": 64, "d_kv": 8,
        "num_heads": 4, "num_layers": 2, "dropout_rate": 0.0, "initializer_factor": 1.0,
        "layer_norm_epsilon": 1e-6, "relative_attention_num_buckets": 32,
        "feed_forward_proj": "relu", "is_encoder_decoder": true,
        "pad_token_id": 0, "eos_token_id": 1, "decoder_start_token_id": 0
    });
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    let cfg: rust_bert::t5::T5Config = serde_json::from_value(config).unwrap();
    let vs = nn::VarStore::new(Device::Cpu);
    let _model = rust_bert::t5::T5ForConditionalGeneration::new(vs.root(), &cfg);
    fill_deterministically(&vs, 11, 0.08);
    vs.save(dir.join("rust_model.ot")).unwrap();
    dir.to_path_buf()
}

/// A 2-layer Pegasus (d_model 32).
fn tiny_pegasus(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let vocab = write_tokenizer(dir, &["<pad>", "</s>", "<mask>", "<unk>"], &["$A", "</s>"]);
    let config = json!({
        "model_type": "pegasus", "vocab_size": vocab, "d_model": 32,
        "encoder_layers": 2, "decoder_layers": 2, "num_hidden_layers": 2,
        "encoder_attention_heads": 4, "decoder_attention_heads": 4,
        "encoder_ffn_dim": 64, "decoder_ffn_dim": 64, "max_position_embeddings": 256,
        "activation_function": "relu", "dropout": 0.0, "attention_dropout": 0.0,
        "activation_dropout": 0.0, "encoder_layerdrop": 0.0, "decoder_layerdrop": 0.0,
        "init_std": 0.02, "scale_embedding": true, "is_encoder_decoder": true,
        "pad_token_id": 0, "eos_token_id": 1, "decoder_start_token_id": 0
    });
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    let cfg: rust_bert::pegasus::PegasusConfig = serde_json::from_value(config).unwrap();
    let vs = nn::VarStore::new(Device::Cpu);
    let _model = rust_bert::pegasus::PegasusForConditionalGeneration::new(vs.root(), &cfg);
    fill_deterministically(&vs, 13, 0.3);
    vs.save(dir.join("model.safetensors")).unwrap();
    dir.to_path_buf()
}

fn write_jsonl(path: &Path, docs: &[(String, String)]) {
    let lines: Vec<String> = docs
        .iter()
        .map(|(id, text)| json!({"id": id, "text": text}).to_string())
        .collect();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

/// Runs the abstractive summarizer; returns the JSON objects by id.
fn summarize(model: &Path, input: &Path, extra: &[&str]) -> BTreeMap<String, Value> {
    let out = parallax()
        .args([
            "summarize",
            "--method",
            "abstractive",
            "--format",
            "json",
            "--threads",
            "2",
        ])
        .args(["--beams", "1", "--min-length", "4", "--max-length", "12"])
        .arg("--model-dir")
        .arg(model)
        .arg(input)
        .args(extra)
        .output()
        .unwrap();
    json_lines_of(out)
        .into_iter()
        .map(|v| (v["id"].as_str().unwrap().to_string(), v))
        .collect()
}

#[test]
fn bart_summarizes_long_articles_in_chunks_deterministically() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_bart(&tmp.path().join("tiny-bart"), 128);
    let input = tmp.path().join("docs.jsonl");
    let docs = documents(2);
    write_jsonl(&input, &docs);

    let first = summarize(&model, &input, &[]);
    let second = summarize(&model, &input, &[]);
    assert_eq!(first.len(), 2);
    for (id, text) in &docs {
        let s = &first[id];
        assert_eq!(s["method"], "abstractive");
        assert_eq!(s["model"], "tiny-bart");
        assert_eq!(s["generation"]["num_beams"], 1);
        let summary = s["summary"].as_str().unwrap();
        assert!(!summary.is_empty(), "{id}: empty summary");
        // A 500+-word article cannot fit 128 tokens: it must be read in several chunks,
        // and every one of its tokens must have reached the model (nothing cut).
        assert!(text.split_whitespace().count() > 400);
        assert!(s["chunks"].as_u64().unwrap() > 1, "{id}: {s}");
        assert_eq!(s["truncated_inputs"], 0);
        assert!(s["input_tokens"].as_u64().unwrap() > 400);
        assert!(s["elapsed_ms"].is_u64());
        // Every generated sentence points at the source sentence that backs it.
        let n = s["input_sentences"].as_u64().unwrap();
        for p in s["sentences"].as_array().unwrap() {
            assert!(p["index"].is_null());
            let e = &p["evidence"];
            if !e.is_null() {
                assert!(e["index"].as_u64().unwrap() < n);
                assert!(text.contains(e["text"].as_str().unwrap().split(' ').next().unwrap()));
            }
        }
        assert_eq!(
            first[id]["summary"], second[id]["summary"],
            "greedy decoding must be deterministic"
        );
    }
    assert_ne!(
        first[&docs[0].0]["summary"], first[&docs[1].0]["summary"],
        "different articles, same summary: the input is not reaching the model"
    );
}

#[test]
fn batched_generation_equals_one_by_one() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_bart(&tmp.path().join("tiny-bart"), 256);
    let input = tmp.path().join("docs.jsonl");
    // Articles of different lengths, so batches hold padded rows.
    let docs: Vec<(String, String)> = documents(4)
        .into_iter()
        .enumerate()
        .map(|(i, (id, text))| {
            let words: Vec<&str> = text.split_whitespace().take(40 + 30 * i).collect();
            (id, words.join(" "))
        })
        .collect();
    write_jsonl(&input, &docs);
    let batched = summarize(&model, &input, &["--batch-tokens", "100000"]);
    let alone = summarize(&model, &input, &["--batch-tokens", "1"]);
    for (id, _) in &docs {
        assert_eq!(batched[id]["chunks"], 1, "{id} should fit one chunk");
        assert_eq!(
            batched[id]["summary"], alone[id]["summary"],
            "{id}: batched output differs from one-by-one output"
        );
    }
}

#[test]
fn t5_runs_with_its_prefix_and_chunks_on_request() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_t5(&tmp.path().join("tiny-t5"));
    let input = tmp.path().join("docs.jsonl");
    let docs = documents(1);
    write_jsonl(&input, &docs);
    let whole = summarize(&model, &input, &[]);
    let s = &whole[&docs[0].0];
    assert_eq!(s["method"], "abstractive");
    assert!(!s["summary"].as_str().unwrap().is_empty());
    // T5 reads 512 tokens; smaller chunks on request give more of them.
    let chunked = summarize(&model, &input, &["--chunk-tokens", "64"]);
    let c = &chunked[&docs[0].0];
    assert!(
        c["chunks"].as_u64().unwrap() > s["chunks"].as_u64().unwrap(),
        "{} vs {}",
        c["chunks"],
        s["chunks"]
    );
    assert_eq!(c["truncated_inputs"], 0);
}

#[test]
fn pegasus_summarizes_in_chunks_deterministically() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_pegasus(&tmp.path().join("tiny-pegasus"));
    let input = tmp.path().join("docs.jsonl");
    let docs = documents(2);
    write_jsonl(&input, &docs);
    let first = summarize(&model, &input, &["--chunk-tokens", "200"]);
    let second = summarize(&model, &input, &["--chunk-tokens", "200"]);
    assert_eq!(first.len(), 2);
    for (id, _) in &docs {
        let s = &first[id];
        assert_eq!(s["generation"]["decoder"], "parallax", "{s}");
        assert!(s["chunks"].as_u64().unwrap() > 1, "{s}");
        assert_eq!(s["truncated_inputs"], 0);
        assert!(!s["summary"].as_str().unwrap().is_empty(), "{id}: {s}");
        assert_eq!(s["summary"], second[id]["summary"]);
    }
    assert_ne!(
        first[&docs[0].0]["summary"], first[&docs[1].0]["summary"],
        "different articles, same summary: the input is not reaching the model"
    );
}

#[test]
fn broken_seq2seq_folders_fail_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_bart(&tmp.path().join("tiny-bart"), 128);
    let input = tmp.path().join("doc.txt");
    std::fs::write(&input, &documents(1)[0].1).unwrap();
    let run = |dir: &Path| {
        parallax()
            .args(["summarize", "--method", "abstractive", "--model-dir"])
            .arg(dir)
            .arg(&input)
            .output()
            .unwrap()
    };

    // Truncated weights.
    let cut = tmp.path().join("cut");
    crate::common::copy_dir(&model, &cut);
    truncate_to(&cut.join("model.safetensors"), 2);
    assert_clean_failure(
        &run(&cut),
        &["model.safetensors", "cannot load the weights"],
    );

    // An encoder-only config.
    let enc = tmp.path().join("encoder-only");
    crate::common::copy_dir(&model, &enc);
    std::fs::write(enc.join("config.json"), r#"{"model_type": "bert"}"#).unwrap();
    assert_clean_failure(
        &run(&enc),
        &["config.json", "model_type 'bert' cannot summarize"],
    );

    // A BART config missing a field rust-bert needs (it would panic inside rust-bert).
    let half = tmp.path().join("half-config");
    crate::common::copy_dir(&model, &half);
    std::fs::write(
        half.join("config.json"),
        r#"{"model_type": "bart", "d_model": 32}"#,
    )
    .unwrap();
    assert_clean_failure(&run(&half), &["config.json", "not a BART config"]);

    // No tokenizer.
    let notok = tmp.path().join("no-tokenizer");
    crate::common::copy_dir(&model, &notok);
    std::fs::remove_file(notok.join("tokenizer.json")).unwrap();
    assert_clean_failure(&run(&notok), &["no-tokenizer", "tokenizer.json"]);

    // No model at all: abstractive has no default.
    let out = parallax()
        .args(["summarize", "--method", "abstractive"])
        .arg(&input)
        .output()
        .unwrap();
    assert_clean_failure(&out, &["--model-dir"]);

    // Extractive length options do not apply.
    let out = parallax()
        .args([
            "summarize",
            "--method",
            "abstractive",
            "-n",
            "3",
            "--model-dir",
        ])
        .arg(&model)
        .arg(&input)
        .output()
        .unwrap();
    assert_clean_failure(&out, &["--min-length"]);

    // More tokens than the model has positions (128): an error, not a panic mid-run.
    let out = parallax()
        .args([
            "summarize",
            "--method",
            "abstractive",
            "--max-length",
            "200",
        ])
        .arg("--model-dir")
        .arg(&model)
        .arg(&input)
        .output()
        .unwrap();
    assert_clean_failure(&out, &["--max-length 200", "128 positions"]);

    // A special token past the vocabulary: named, not a failure inside libtorch.
    let bad_id = tmp.path().join("bad-id");
    crate::common::copy_dir(&model, &bad_id);
    let path = bad_id.join("config.json");
    let mut config: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    config["forced_bos_token_id"] = json!(1_000_000);
    std::fs::write(&path, config.to_string()).unwrap();
    assert_clean_failure(
        &run(&bad_id),
        &["config.json", "forced_bos_token_id 1000000", "vocabulary"],
    );
}

/// transformers saves a model's decoding token ids (here the forced first token) in
/// generation_config.json and reads them from there; so must parallax, or a model saved
/// that way decodes from the wrong first token.
#[test]
fn generation_config_overrides_the_decoding_ids_of_config_json() {
    let tmp = tempfile::tempdir().unwrap();
    let base = tiny_bart(&tmp.path().join("base"), 128);
    let input = tmp.path().join("docs.jsonl");
    write_jsonl(&input, &documents(2));
    let variant = |name: &str, config_bos: Option<i64>, generation_bos: Option<i64>| {
        let dir = tmp.path().join(name);
        crate::common::copy_dir(&base, &dir);
        let path = dir.join("config.json");
        let mut config: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        match config_bos {
            Some(id) => config["forced_bos_token_id"] = json!(id),
            None => {
                config
                    .as_object_mut()
                    .unwrap()
                    .remove("forced_bos_token_id");
            }
        }
        std::fs::write(&path, config.to_string()).unwrap();
        if let Some(id) = generation_bos {
            let g = json!({"forced_bos_token_id": id, "decoder_start_token_id": 2});
            std::fs::write(dir.join("generation_config.json"), g.to_string()).unwrap();
        }
        let out = summarize(&dir, &input, &[]);
        assert_eq!(out.len(), 2);
        out.into_values()
            .map(|v| v["summary"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    // Token 9 forced first: in config.json, or only in generation_config.json (which must
    // win over config.json's 0).
    let in_config = variant("in-config", Some(9), None);
    let in_generation = variant("in-generation", Some(0), Some(9));
    let ignored = variant("bos-0", Some(0), None);
    assert_eq!(in_generation, in_config);
    assert_ne!(in_generation, ignored, "the forced token changed nothing");
}

/// parallax generates BART and Pegasus with its own decoder and beam search (for speed);
/// they must give the tokens rust-bert's `generate` gives: greedy and beam search, n-gram
/// bans, a minimum length, articles of different lengths batched with padding, and
/// articles leaving the batch as their search ends.
#[test]
fn own_bart_decoder_generates_what_rust_bert_generates() {
    let tmp = tempfile::tempdir().unwrap();
    let bart = tiny_bart(&tmp.path().join("tiny-bart"), 256);
    let pegasus = tiny_pegasus(&tmp.path().join("tiny-pegasus"));
    let input = tmp.path().join("docs.jsonl");
    let docs: Vec<(String, String)> = documents(5)
        .into_iter()
        .enumerate()
        .map(|(i, (id, text))| {
            let words: Vec<&str> = text.split_whitespace().take(30 + 35 * i).collect();
            (id, words.join(" "))
        })
        .collect();
    write_jsonl(&input, &docs);
    let run = |model: &Path, settings: &[&str], rust_bert: bool| -> BTreeMap<String, String> {
        let mut cmd = parallax();
        cmd.args(["summarize", "--method", "abstractive", "--format", "json"])
            .args(["--threads", "2", "--batch-tokens", "100000"])
            .args(settings)
            .arg("--model-dir")
            .arg(model)
            .arg(&input);
        if rust_bert {
            cmd.env("PARALLAX_RUST_BERT_GENERATE", "1");
        }
        json_lines_of(cmd.output().unwrap())
            .into_iter()
            .map(|v| {
                assert_eq!(v["chunks"], 1, "{v}");
                let decoder = if rust_bert { "rust-bert" } else { "parallax" };
                assert_eq!(v["generation"]["decoder"], decoder, "{v}");
                let id = v["id"].as_str().unwrap().to_string();
                (id, v["summary"].as_str().unwrap().to_string())
            })
            .collect()
    };
    let greedy = ["--beams", "1", "--min-length", "4", "--max-length", "16"];
    let beams = [
        "--beams",
        "3",
        "--min-length",
        "6",
        "--max-length",
        "18",
        "--no-repeat-ngram",
        "2",
    ];
    for (model, settings) in [&bart, &pegasus]
        .into_iter()
        .flat_map(|m| [(m, &greedy[..]), (m, &beams[..])])
    {
        let ours = run(model, settings, false);
        let theirs = run(model, settings, true);
        assert_eq!(ours.len(), docs.len());
        assert_eq!(ours, theirs, "{model:?} {settings:?}");
        let distinct: std::collections::HashSet<&String> = ours.values().collect();
        assert!(
            distinct.len() > 1,
            "one summary for every article: {ours:?}"
        );
    }
}
