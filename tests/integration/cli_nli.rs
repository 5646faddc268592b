//! Frames by zero-shot NLI (`compare --nli-model-dir`) through the built binary.
//!
//! No NLI weights can be installed here, so the fixtures (tests/fixtures/nli-bart,
//! nli-xlm-roberta, nli-bert) are small BART, XLM-RoBERTa and BERT classifiers with random weights that
//! Hugging Face transformers built and saved, and `expected.json` is what transformers'
//! zero-shot-classification pipeline says of every sentence of the Ternopil story (made by
//! `benches/peer_zero_shot.py --expect`; see benches/nli_vs_peer.sh). parallax must give each
//! sentence the frame the reference gives it, with the same probability: that checks
//! loading, pair tokenization, the decoder shift and end-of-sequence pooling (BART),
//! RoBERTa's positions, BERT's pooler and the zero-shot arithmetic, on real articles. What the frames mean
//! needs real NLI weights, which a user brings.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::common::{
    assert_clean_failure, assert_success, copy_dir, json_of, parallax, root, shared_data,
    stdout_of, truncate_to,
};
use serde_json::Value;

const EVENT: &str = "ternopil_strike_nov19";

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// The English Ternopil articles, as the fixtures' expectations were made from them.
fn story(dir: &Path) -> PathBuf {
    let lines: Vec<String> = std::fs::read_to_string(shared_data("coverage-dev.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["event"] == EVENT && v["language"] == "en")
        .map(|v| {
            serde_json::json!({"id": v["id"], "outlet": v["outlet"], "event": v["event"],
                               "text": v["text"]})
            .to_string()
        })
        .collect();
    assert!(lines.len() >= 5, "the story has {} articles", lines.len());
    let path = dir.join("story.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn compare(input: &Path, extra: &[&str]) -> std::process::Output {
    parallax()
        .arg("compare")
        .arg(input)
        .args(["--threads", "2", "--model", "all-MiniLM-L6-v2"])
        .args(extra)
        .output()
        .unwrap()
}

fn compare_json(input: &Path, extra: &[&str]) -> Value {
    json_of(compare(input, &[&["--format", "json"], extra].concat()))
}

/// parallax's frames for the story agree with transformers' zero-shot pipeline on the same
/// model, sentence by sentence; the report's shares add up.
fn check_against_reference(model: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let input = story(tmp.path());
    let dir = fixture(model);
    let r = compare_json(&input, &["--nli-model-dir", dir.to_str().unwrap()]);
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();

    let nli = &r["frames"]["nli"];
    assert_eq!(nli["model"], model);
    assert_eq!(nli["template"], "This text is about {}.");
    assert_eq!(
        nli["hypotheses"], expected["hypotheses"],
        "the hypotheses are the ones the reference was asked"
    );
    assert_eq!(nli["hypotheses"].as_array().unwrap().len(), 14);

    let reference: HashMap<&str, &Value> = expected["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["text"].as_str().unwrap(), s))
        .collect();
    let framed = r["frames"]["sentences"].as_array().unwrap();
    assert_eq!(nli["pairs"], framed.len() * 14);
    let mut checked = 0;
    let mut frames_seen = std::collections::BTreeSet::new();
    for s in framed {
        let n = &s["nli"];
        let (best, p, entail) = (
            n["best"].as_str().unwrap(),
            n["probability"].as_f64().unwrap(),
            n["entailment"].as_f64().unwrap(),
        );
        assert!((0.0..=1.0).contains(&p) && (0.0..=1.0).contains(&entail));
        // "Other" exactly when the best frame is more contradicted than entailed. The
        // program decides on the unrounded entailment and the report rounds it to 0.001,
        // so within half a unit of 0.5 either answer is right.
        if entail <= 0.4995 {
            assert_eq!(n["frame"], "Other", "{s}");
        } else if entail >= 0.5005 {
            assert_eq!(n["frame"], best, "{s}");
        } else {
            assert!(n["frame"] == "Other" || n["frame"] == best, "{s}");
        }
        frames_seen.insert(best.to_string());
        let Some(want) = reference.get(s["text"].as_str().unwrap()) else {
            continue;
        };
        checked += 1;
        let want_p = want["probability"].as_f64().unwrap();
        assert!(
            (p - want_p).abs() <= 0.002,
            "{model}: probability {p} where transformers gives {want_p}: {}",
            s["text"]
        );
        // A near tie (within the report's rounding) may go either way.
        let tie = want_p - want["runner_up"].as_f64().unwrap() < 0.002;
        assert!(
            best == want["best"] || tie,
            "{model}: frame {best} where transformers gives {}: {}",
            want["best"],
            s["text"]
        );
    }
    assert!(
        checked >= 60,
        "only {checked} of {} sentences are in expected.json; if the sentence splitter \
         changed, remake it with benches/peer_zero_shot.py --expect",
        framed.len()
    );
    assert!(
        frames_seen.len() >= 4,
        "the fixture should put sentences in several frames: {frames_seen:?}"
    );

    // Shares: every unit's sentences, once each, as many as the similarity frames read.
    let sim_units = r["frames"]["units"].as_array().unwrap();
    for (u, sim) in nli["units"].as_array().unwrap().iter().zip(sim_units) {
        assert_eq!(u["unit"], sim["unit"]);
        assert_eq!(u["sentences"], sim["sentences"]);
        let shares = u["shares"].as_array().unwrap();
        let counted: u64 = shares
            .iter()
            .map(|s| s["sentences"].as_u64().unwrap())
            .sum();
        assert_eq!(counted, u["sentences"].as_u64().unwrap());
        let total: f64 = shares.iter().map(|s| s["share"].as_f64().unwrap()).sum();
        assert!(u["sentences"] == 0 || (total - 1.0).abs() < 0.01, "{u}");
        // Each frame's example is one of this unit's framed sentences.
        for sh in shares {
            let ex = &sh["example"];
            assert!(framed.iter().any(|s| s["text"] == ex["text"]
                && s["source"] == ex["source"]
                && s["nli"]["frame"] == sh["frame"]));
        }
    }
    let agreement = nli["agreement"].as_f64().unwrap();
    let same = framed
        .iter()
        .filter(|s| s["frame"] == s["nli"]["frame"])
        .count();
    assert!((agreement - same as f64 / framed.len() as f64).abs() < 0.001);
}

#[test]
fn bart_frames_match_the_transformers_zero_shot_pipeline() {
    check_against_reference("nli-bart");
}

#[test]
fn xlm_roberta_frames_match_the_transformers_zero_shot_pipeline() {
    check_against_reference("nli-xlm-roberta");
}

#[test]
fn bert_frames_match_the_transformers_zero_shot_pipeline() {
    check_against_reference("nli-bert");
}

/// `--precision int8` reaches every NLI architecture's linear layers: the report says so
/// and the probabilities move, while every sentence is still framed. (The fixtures' random
/// weights are too small and too sharp for a quality check: that is README, Benchmarks.)
#[test]
fn int8_reaches_the_nli_models() {
    let tmp = tempfile::tempdir().unwrap();
    let input = story(tmp.path());
    let probabilities = |r: &Value| -> Vec<f64> {
        r["frames"]["sentences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["nli"]["probability"].as_f64().unwrap())
            .collect()
    };
    for model in ["nli-xlm-roberta", "nli-bert", "nli-bart"] {
        let dir = fixture(model);
        let nli = ["--nli-model-dir", dir.to_str().unwrap()];
        let fp32 = compare_json(&input, &nli);
        let int8 = compare_json(&input, &[&nli[..], &["--precision", "int8"]].concat());
        assert_eq!(fp32["frames"]["nli"]["precision"], "fp32");
        assert_eq!(int8["frames"]["nli"]["precision"], "int8", "{model}");
        let (a, b) = (probabilities(&fp32), probabilities(&int8));
        assert_eq!(a.len(), b.len());
        assert!(a.len() >= 60);
        assert!(b.iter().all(|p| (0.0..=1.0).contains(p)));
        assert!(a != b, "{model}: int8 gave fp32's probabilities exactly");
    }
}

#[test]
fn batching_does_not_change_the_frames_and_reports_show_them() {
    let tmp = tempfile::tempdir().unwrap();
    let input = story(tmp.path());
    let model = fixture("nli-bart");
    let nli = ["--nli-model-dir", model.to_str().unwrap()];
    let packed = compare_json(&input, &nli);
    let single = compare_json(&input, &[&nli[..], &["--max-batch-size", "1"]].concat());
    let strip = |r: &Value| -> Vec<Value> {
        r["frames"]["sentences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["nli"].clone())
            .collect()
    };
    let (a, b) = (strip(&packed), strip(&single));
    assert_eq!(a.len(), b.len());
    // Packed and single-row batches differ by float noise (about 1e-7), and the report
    // rounds to 0.001: two values straddling a rounding boundary print one unit apart, and
    // read back as f64 that unit is 0.0010000000000000009. So the bound is one unit and a
    // half, far below what a batching bug (a wrong mask, a mixed-up row) gives.
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(model.join("expected.json")).unwrap())
            .unwrap();
    let gap: HashMap<&str, f64> = expected["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let p = s["probability"].as_f64().unwrap() - s["runner_up"].as_f64().unwrap();
            (s["text"].as_str().unwrap(), p)
        })
        .collect();
    let texts: Vec<&str> = packed["frames"]["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    for ((x, y), text) in a.iter().zip(&b).zip(texts) {
        let (px, py) = (
            x["probability"].as_f64().unwrap(),
            y["probability"].as_f64().unwrap(),
        );
        assert!(
            (px - py).abs() <= 0.0015,
            "{px} packed, {py} single: {text}"
        );
        // A near tie (within the reference's rounding) may go either way.
        let tie = gap.get(text).is_none_or(|&g| g < 0.002);
        assert!(
            x["best"] == y["best"] || tie,
            "{x} packed, {y} single: {text}"
        );
    }

    // Another template reaches the model.
    let custom = compare_json(
        &input,
        &[&nli[..], &["--nli-template", "The article is about {}."]].concat(),
    );
    for h in custom["frames"]["nli"]["hypotheses"].as_array().unwrap() {
        assert!(h["text"]
            .as_str()
            .unwrap()
            .starts_with("The article is about "));
    }

    // Text, markdown and HTML all carry the NLI frames beside the similarity ones.
    let render =
        |format: &str| stdout_of(compare(&input, &[&nli[..], &["--format", format]].concat()));
    let text = render("text");
    assert!(
        text.contains("FRAMES (approximate)")
            && text.contains("FRAMES BY ZERO-SHOT NLI (nli-bart)")
    );
    assert!(text.contains("NLI and similarity agree on"));
    let md = render("markdown");
    assert!(md.contains("### Frames by zero-shot natural language inference (nli-bart"));
    let html = render("html");
    assert!(html.contains("aria-label=\"frame shares by zero-shot NLI\""));
    assert!(html.contains("By zero-shot NLI"));
    // Without an NLI model there is no NLI section, and the JSON has no `nli` key.
    let plain = compare_json(&input, &[]);
    assert!(plain["frames"].get("nli").is_none());
    assert!(plain["frames"]["sentences"][0].get("nli").is_none());
}

#[test]
fn batch_compare_frames_by_nli_reproducibly() {
    let tmp = tempfile::tempdir().unwrap();
    let input = story(tmp.path());
    let model = fixture("nli-bart");
    let out = tmp.path().join("out.jsonl");
    let run = parallax()
        .args(["batch", "--task", "compare", "-q", "--threads", "2"])
        .args(["--model", "all-MiniLM-L6-v2", "--nli-model-dir"])
        .arg(&model)
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_success(&run);
    let line: Value = serde_json::from_str(std::fs::read_to_string(&out).unwrap().trim()).unwrap();
    let nli = &line["frames"]["nli"];
    assert_eq!(nli["model"], "nli-bart");
    // Timings would make a resumed job's output differ from an uninterrupted one.
    assert!(nli.get("elapsed_ms").is_none());
    assert!(line["frames"]["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["nli"]["frame"].is_string()));
}

#[test]
fn bad_nli_models_and_templates_fail_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let input = story(tmp.path());
    let good = fixture("nli-bart");
    let run = |dir: &Path, extra: &[&str]| {
        compare(
            &input,
            &[&["--nli-model-dir", dir.to_str().unwrap()], extra].concat(),
        )
    };

    // A template without a slot fails before any model is loaded.
    assert_clean_failure(&run(&good, &["--nli-template", "About this."]), &["{}"]);
    assert_clean_failure(&run(&tmp.path().join("nowhere"), &[]), &["does not exist"]);

    // A classifier that is not NLI (no entailment class).
    let sentiment = tmp.path().join("sentiment");
    copy_dir(&good, &sentiment);
    let config = || -> Value {
        serde_json::from_str(&std::fs::read_to_string(good.join("config.json")).unwrap()).unwrap()
    };
    let mut cfg = config();
    cfg["id2label"] = serde_json::json!({"0": "negative", "1": "neutral", "2": "positive"});
    cfg["label2id"] = serde_json::json!({"negative": 0, "neutral": 1, "positive": 2});
    std::fs::write(sentiment.join("config.json"), cfg.to_string()).unwrap();
    assert_clean_failure(&run(&sentiment, &[]), &["config.json", "entailment"]);

    // DeBERTa-v2 is refused with the reason, not run wrongly.
    let deberta = tmp.path().join("deberta");
    copy_dir(&good, &deberta);
    let mut cfg = config();
    cfg["model_type"] = "deberta-v2".into();
    std::fs::write(deberta.join("config.json"), cfg.to_string()).unwrap();
    assert_clean_failure(&run(&deberta, &[]), &["deberta-v2", "not supported"]);

    // An interrupted download.
    let cut = tmp.path().join("cut");
    copy_dir(&good, &cut);
    truncate_to(&cut.join("model.safetensors"), 3);
    assert_clean_failure(&run(&cut, &[]), &["model.safetensors"]);
}

#[test]
fn a_sentence_that_spells_out_the_end_token_is_framed_too() {
    // BART pools at its last </s>; a sentence that writes "</s>" has one more than the
    // others (transformers' pipeline refuses such a batch). parallax frames it.
    let tmp = tempfile::tempdir().unwrap();
    let text = "Russian missiles struck two apartment blocks in Ternopil on Wednesday. \
                The markup <p>text</s> appeared in the agency's feed about the strike. \
                Rescue workers searched the rubble for survivors through the night.";
    let input = tmp.path().join("odd.txt");
    std::fs::write(&input, text).unwrap();
    let model = fixture("nli-bart");
    // All 42 pairs in one batch, so that the odd rows meet the others.
    let r = compare_json(
        &input,
        &[
            "--nli-model-dir",
            model.to_str().unwrap(),
            "--batch-tokens",
            "100000",
            "--max-batch-size",
            "64",
        ],
    );
    let framed = r["frames"]["sentences"].as_array().unwrap();
    assert_eq!(framed.len(), 3, "{framed:?}");
    assert!(framed.iter().all(|s| s["nli"]["frame"].is_string()));
}

#[test]
fn non_english_sentences_warn_that_the_nli_model_must_be_multilingual() {
    // The whole Ternopil story, English, Russian and Ukrainian: compare reads it with the
    // multilingual embedding model, and the NLI frames come with a warning naming the
    // languages the English hypotheses were set against.
    let data = shared_data("coverage-dev.jsonl");
    let model = fixture("nli-xlm-roberta");
    let out = parallax()
        .arg("compare")
        .arg(&data)
        .args(["--event", EVENT, "--format", "json", "--threads", "2"])
        .arg("--nli-model-dir")
        .arg(&model)
        .output()
        .unwrap();
    let r = json_of(out);
    let warning = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .find(|w| w.starts_with("frames by NLI"))
        .expect("a warning about non-English sentences");
    assert!(
        warning.contains("ru") && warning.contains("uk") && warning.contains("nli-xlm-roberta"),
        "{warning}"
    );
    assert!(!warning.contains("  "), "{warning}");
    // Those sentences are framed all the same.
    let framed = r["frames"]["sentences"].as_array().unwrap();
    assert!(framed.len() > 68 && framed.iter().all(|s| s["nli"].is_object()));
}
