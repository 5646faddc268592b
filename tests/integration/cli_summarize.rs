//! `parallax summarize` and `parallax embed` through the built binary on real articles.

use crate::common::*;
use serde_json::Value;

fn seed_article() -> String {
    std::fs::read_to_string(shared_data("seed-article.txt")).unwrap()
}

#[test]
fn summary_sentences_are_verbatim_and_in_article_order() {
    let article = seed_article();
    let out = parallax()
        .args(["summarize", "--sentences", "3", "--format", "json"])
        .arg(shared_data("seed-article.txt"))
        .output()
        .unwrap();
    let v = json_of(out);
    let sents = v["sentences"].as_array().unwrap();
    assert_eq!(sents.len(), 3);
    let mut last = None;
    for s in sents {
        let text = s["text"].as_str().unwrap();
        assert!(article.contains(text), "not verbatim: {text}");
        let idx = s["index"].as_u64().unwrap();
        assert!(last.is_none_or(|l| idx > l), "not in article order");
        last = Some(idx);
    }
    assert_eq!(v["method"], "extractive");
    assert_eq!(v["model"], "all-MiniLM-L6-v2");
    assert!(v["input_tokens"].as_u64().unwrap() > 100);
}

#[test]
fn jsonl_inputs_keep_their_ids_in_input_order() {
    let out = parallax()
        .args(["summarize", "-n", "2", "-f", "json"])
        .arg(root().join("examples/geneva_talks_nov23-en.jsonl"))
        .output()
        .unwrap();
    let ids: Vec<String> = json_lines_of(out)
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 7);
    assert_eq!(ids[0], "geneva_talks_nov23-008");
    assert_eq!(ids[6], "geneva_talks_nov23-091");
}

#[test]
fn a_bad_jsonl_line_is_named_by_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("in.jsonl");
    std::fs::write(
        &f,
        "{\"id\":\"a\",\"text\":\"Fine text here.\"}\n{\"id\":\"b\",\"body\":\"x\"}\n",
    )
    .unwrap();
    let out = parallax().arg("summarize").arg(&f).output().unwrap();
    assert_clean_failure(&out, &["in.jsonl:2", "no 'text' field"]);
}

#[test]
fn embed_writes_jsonl_atomically_with_ids() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("s.jsonl");
    std::fs::write(
        &input,
        "{\"id\":7,\"text\":\"Kyiv received the plan.\"}\n{\"id\":8,\"text\":\"Moscow said nothing.\"}\n",
    )
    .unwrap();
    let output = tmp.path().join("out.jsonl");
    let out = parallax()
        .arg("embed")
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .output()
        .unwrap();
    assert!(stdout_of(out).is_empty(), "data goes to the file only");
    let lines: Vec<Value> = std::fs::read_to_string(&output)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], 7);
    assert_eq!(lines[1]["text"], "Moscow said nothing.");
    assert_eq!(lines[1]["embedding"].as_array().unwrap().len(), 384);
    // Nothing temporary is left beside the output.
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 2);

    // A failing run leaves an existing output untouched.
    std::fs::write(&input, "{\"id\":1}\n").unwrap();
    let before = std::fs::read(&output).unwrap();
    let out = parallax()
        .arg("embed")
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .output()
        .unwrap();
    assert_clean_failure(&out, &["s.jsonl:1", "no 'text' field"]);
    assert_eq!(std::fs::read(&output).unwrap(), before);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 2);
}

#[test]
fn ratio_and_words_bound_the_summary_length() {
    let run = |args: &[&str]| -> Value {
        let out = parallax()
            .arg("summarize")
            .args(args)
            .args(["-f", "json"])
            .arg(shared_data("seed-article.txt"))
            .output()
            .unwrap();
        json_of(out)
    };
    let v = run(&["--ratio", "0.25"]);
    let n = v["input_sentences"].as_u64().unwrap() as f64;
    let got = v["sentences"].as_array().unwrap().len() as f64;
    assert_eq!(got, (n * 0.25).round().max(1.0), "ratio 0.25 of {n}");

    let v = run(&["--words", "60"]);
    let words = v["summary"].as_str().unwrap().split_whitespace().count();
    let picked = v["sentences"].as_array().unwrap().len();
    assert!(
        picked >= 1 && (words <= 60 || picked == 1),
        "{words} words in {picked} sentences"
    );

    let out = parallax()
        .args(["summarize", "--ratio", "1.5", "-"])
        .write_stdin("Some text.")
        .output()
        .unwrap();
    assert_clean_failure(&out, &["--ratio must be in (0, 1]"]);
}

#[test]
fn eval_rouge_reports_the_method_beside_lead3_and_beats_it_on_cnn() {
    let out = parallax()
        .args(["eval", "rouge", "--limit", "25", "--json", "--data"])
        .arg(shared_data("summ-dev.jsonl"))
        .output()
        .unwrap();
    let rows: Vec<Value> = serde_json::from_value(json_of(out)).unwrap();
    let get = |method: &str, key: &str| -> f64 {
        rows.iter()
            .find(|r| r["dataset"] == "cnn_dailymail" && r["method"] == method)
            .unwrap()[key]
            .as_f64()
            .unwrap()
    };
    assert_eq!(rows.len(), 2, "the first 25 records are CNN stories");
    // Measured: 34.45 / 14.73 against Lead-3's 31.58 / 13.23.
    assert!(get("extractive", "rouge1") > get("lead-3", "rouge1"));
    assert!(get("extractive", "rouge2") > get("lead-3", "rouge2"));
    assert!(
        get("lead-3", "rouge1") > 20.0,
        "lead-3 on CNN is a real baseline"
    );
}

/// `eval rouge` streams its dataset 64 documents at a time; an over-long document is an
/// error naming its line and the flag, and `--limit` stops reading early.
#[test]
fn eval_rouge_bounds_each_document_and_names_the_line() {
    let out = parallax()
        .args(["-q", "eval", "rouge", "--max-chars", "500", "--data"])
        .arg(shared_data("summ-dev.jsonl"))
        .output()
        .unwrap();
    assert_clean_failure(&out, &["summ-dev.jsonl:1", "--max-chars 500"]);
}

/// A file too big to be one document is refused before it is read (a sparse 100 MB file:
/// reading it would take seconds and 100 MB), naming the flag that raises the bound.
#[test]
fn oversized_inputs_are_refused_early_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.txt");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(100_000_000)
        .unwrap();
    let out = parallax().arg("summarize").arg(&big).output().unwrap();
    assert_clean_failure(&out, &["big.txt", "--max-chars", "100 MB"]);

    // A document over --max-chars (file small enough to read, text too long).
    let text = seed_article();
    let out = parallax()
        .args(["summarize", "--max-chars", "1000"])
        .arg(shared_data("seed-article.txt"))
        .output()
        .unwrap();
    assert!(text.chars().count() > 1000);
    assert_clean_failure(&out, &["seed-article.txt", "--max-chars 1000"]);

    // More sentences than --max-sentences: refused before embedding, naming the flag.
    let out = parallax()
        .args(["summarize", "--max-sentences", "3"])
        .arg(shared_data("seed-article.txt"))
        .output()
        .unwrap();
    assert_clean_failure(&out, &["seed-article.txt", "--max-sentences 3"]);
    // Within both bounds it summarizes.
    let out = parallax()
        .args([
            "-q",
            "summarize",
            "--max-sentences",
            "500",
            "--max-chars",
            "10000",
        ])
        .arg(shared_data("seed-article.txt"))
        .output()
        .unwrap();
    assert_success(&out);
    assert!(!out.stdout.is_empty());
}
