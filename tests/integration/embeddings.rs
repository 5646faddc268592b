//! The embedding engine against an independent reference, and batching that changes
//! nothing but speed.

use crate::common::*;
use parallax::encode::{cosine, load_embedder, BatchConfig, Precision, Truncation};
use parallax::models::{resolve, ModelSpec};
use serde_json::Value;

fn embedder(cfg: BatchConfig) -> parallax::encode::Embedder {
    let m = resolve(&ModelSpec::Default, "sentence-embeddings").expect("run scripts/setup.sh");
    load_embedder(&m, tch::Device::Cpu, cfg, Precision::Fp32).unwrap()
}

/// The `embedding` array of one record (the reference file's and `parallax embed`'s).
fn embedding_of(v: &Value) -> Vec<f32> {
    v["embedding"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

fn reference() -> Vec<(String, Vec<f32>)> {
    std::fs::read_to_string(shared_data("minilm-reference.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["text"].as_str().unwrap().to_string(), embedding_of(&v))
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

/// `--precision int8` (FBGEMM dynamic quantization) against fp32 on both shipped models:
/// the 66 reference sentences and the dev coverage's own sentences (every third, in four
/// languages), each vector at cosine ≥ 0.99 to fp32's. Also against sentence-transformers'
/// reference directly, so the bound is to the peer, not only to ourselves.
#[test]
fn int8_vectors_stay_within_cosine_0_99_of_fp32() {
    let refs = reference();
    let docs = parallax::input::load_all(
        &[shared_data("coverage-dev.jsonl").display().to_string()],
        "text",
        parallax::input::document::MAX_INPUT_BYTES,
    )
    .unwrap();
    let dev: Vec<String> = docs
        .iter()
        .flat_map(|d| parallax::input::split(&d.text, d.language.as_deref().unwrap_or("en")))
        .map(|s| s.text)
        .step_by(3)
        .collect();
    assert!(dev.len() > 300, "{} dev sentences", dev.len());
    let mut texts: Vec<&str> = refs.iter().map(|(t, _)| t.as_str()).collect();
    texts.extend(dev.iter().map(String::as_str));
    for name in ["all-MiniLM-L6-v2", "multilingual-e5-small"] {
        let m = resolve(&ModelSpec::Name(name.into()), "sentence-embeddings").unwrap();
        let run = |p: Precision| {
            load_embedder(&m, tch::Device::Cpu, BatchConfig::default(), p)
                .unwrap()
                .encode(&texts, Truncation::Cut)
                .unwrap()
                .outputs
        };
        let (fp32, int8) = (run(Precision::Fp32), run(Precision::Int8));
        let cosines: Vec<f32> = fp32.iter().zip(&int8).map(|(a, b)| cosine(a, b)).collect();
        let worst = cosines.iter().cloned().fold(f32::MAX, f32::min);
        let mean = cosines.iter().sum::<f32>() / cosines.len() as f32;
        eprintln!(
            "{name}: int8 vs fp32 over {} sentences: min cosine {worst:.4}, mean {mean:.4}",
            texts.len()
        );
        assert!(worst >= 0.99, "{name}: worst cosine {worst}");
        assert!(
            worst < 0.99999,
            "{name}: int8 gave fp32's vectors: not quantized"
        );
        if name == "all-MiniLM-L6-v2" {
            for ((text, want), got) in refs.iter().zip(&int8) {
                let c = cosine(want, got);
                assert!(
                    c >= 0.99,
                    "int8 vs sentence-transformers: cosine {c} for {text:?}"
                );
            }
        }
    }
}

/// The flag through the binary: `embed --precision int8` writes vectors close to fp32's
/// and says nothing on stderr; the commands it does not apply to refuse it by name.
#[test]
fn precision_int8_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("s.txt");
    std::fs::write(
        &input,
        "The council approved the budget on Tuesday.\nПрезидент подписал закон.\nNo.\n",
    )
    .unwrap();
    let run = |precision: &str| {
        let out_path = dir.path().join(format!("{precision}.jsonl"));
        let out = parallax()
            .arg("embed")
            .arg(&input)
            .args(["--precision", precision, "-o"])
            .arg(&out_path)
            .output()
            .unwrap();
        assert_success(&out);
        assert!(
            out.stderr.is_empty(),
            "stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read_to_string(&out_path)
            .unwrap()
            .lines()
            .map(|l| embedding_of(&serde_json::from_str(l).unwrap()))
            .collect::<Vec<_>>()
    };
    let (fp32, int8) = (run("fp32"), run("int8"));
    assert_eq!(fp32.len(), 3);
    for (a, b) in fp32.iter().zip(&int8) {
        let c = cosine(a, b);
        assert!((0.99..0.99999).contains(&c), "cosine {c}");
    }

    let out = parallax()
        .args([
            "summarize",
            "--method",
            "abstractive",
            "--precision",
            "int8",
        ])
        .arg(shared_data("seed-article.txt"))
        .output()
        .unwrap();
    assert_clean_failure(&out, &["--precision int8", "fp32"]);
    let out = parallax()
        .args(["embed", "--precision", "int8", "--device", "cuda"])
        .arg(&input)
        .output()
        .unwrap();
    // No GPU here: the CUDA error comes first; with one, int8 is refused by name.
    assert_clean_failure(&out, &[]);
    let out = parallax()
        .args(["embed", "--precision", "int4"])
        .arg(&input)
        .output()
        .unwrap();
    assert_clean_failure(&out, &["int4", "fp32", "int8"]);
}
