//! `parallax eval compare` on the shared gold: every measure per event and in the
//! micro-average, the counts behind them consistent, and bad gold refused by file, event and
//! field before any model loads.

use serde_json::Value;

use crate::common::{parallax, shared_data};

fn data_args() -> Vec<String> {
    vec![
        "--data".into(),
        shared_data("coverage-dev.jsonl").display().to_string(),
        "--data".into(),
        shared_data("coverage-world-dev.jsonl")
            .display()
            .to_string(),
    ]
}

#[test]
fn scores_an_event_against_its_gold_with_every_measure() {
    let gold = shared_data("gold/ternopil_strike_nov19.json");
    let out = parallax()
        .args([
            "eval",
            "compare",
            "--json",
            "--gold",
            gold.to_str().unwrap(),
        ])
        .args(data_args())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let events = v["events"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["event"], "ternopil_strike_nov19");
    assert_eq!(e["sources"], 11);
    // Russian and Ukrainian sources: the model compare picks for them.
    assert_eq!(e["model"], "multilingual-e5-small");
    assert_eq!(e["facts"], 31, "every gold fact has two or more sources");
    assert_eq!(e["exclusives"], 39);
    assert_eq!(e["disagreements"], 7);
    for key in [
        "fact_recall",
        "claim_purity",
        "fragmentation",
        "exclusive_recall",
        "exclusive_precision",
        "kind_accuracy",
        "unique_precision",
        "disagreement_recall",
    ] {
        let x = e["scores"][key]
            .as_f64()
            .unwrap_or_else(|| panic!("{key}: {e}"));
        assert!(x >= 0.0, "{key} {x}");
        if key == "fragmentation" {
            assert!(x >= 1.0, "a found fact is in at least one claim: {x}");
        } else {
            assert!(x <= 1.0, "{key} {x}");
        }
    }
    // The ratios are the counts', and each missed fact is listed.
    let n = |k: &str| e[k].as_u64().unwrap();
    let recall = e["scores"]["fact_recall"].as_f64().unwrap();
    assert!((recall - n("facts_found") as f64 / 31.0).abs() < 1e-9);
    let missed = e["problems"]["missed_facts"].as_array().unwrap();
    assert_eq!(missed.len() as u64, 31 - n("facts_found"));
    assert!(n("claims_pure") <= n("claims_mapped") && n("claims_mapped") <= n("claims"));
    // Every shared claim the report found is scored: none is cut off at a fixed cap.
    assert!(n("claims") > 0);
    assert_eq!(v["micro"]["facts"], 31);
}

#[test]
fn the_table_has_a_row_per_event_and_the_micro_average() {
    let out = parallax()
        .args([
            "eval",
            "compare",
            "--gold",
            shared_data("gold").to_str().unwrap(),
            "--event",
            "zelensky_receives_plan_driscoll_nov20",
        ])
        .args(data_args())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for h in [
        "EVENT", "RECALL", "PURITY", "FRAG", "X-REC", "X-PREC", "KIND", "U-PREC", "D-REC",
    ] {
        assert!(text.contains(h), "{h}: {text}");
    }
    assert!(text.contains("zelensky_receives_plan_driscoll_nov20"));
    assert!(
        text.lines().any(|l| l.trim_start().starts_with("all ")),
        "{text}"
    );
}

/// A copy of a real gold file with one change, in a temporary folder.
fn broken_gold(dir: &std::path::Path, change: impl FnOnce(&mut Value)) -> std::path::PathBuf {
    let mut g: Value = serde_json::from_str(
        &std::fs::read_to_string(shared_data("gold/ternopil_strike_nov19.json")).unwrap(),
    )
    .unwrap();
    change(&mut g);
    let p = dir.join("bad.json");
    std::fs::write(&p, serde_json::to_string(&g).unwrap()).unwrap();
    p
}

fn refused(gold: &std::path::Path, want: &[&str]) {
    let out = parallax()
        .args(["eval", "compare", "--gold", gold.to_str().unwrap()])
        .args(data_args())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("bad.json"), "names the file: {err}");
    assert!(err.contains("event 'ternopil_strike_nov19'"), "{err}");
    for w in want {
        assert!(err.contains(w), "{w}: {err}");
    }
    assert!(out.stdout.is_empty(), "nothing scored");
}

#[test]
fn bad_gold_is_refused_naming_file_event_and_field() {
    let tmp = tempfile::tempdir().unwrap();
    let p = broken_gold(tmp.path(), |g| {
        g["facts"][0]["evidence"]["ternopil_strike_nov19-070"][0] =
            "words no article of the event holds".into();
    });
    refused(
        &p,
        &[
            "facts[0] ('f1').evidence['ternopil_strike_nov19-070'][0]",
            "not in the article",
        ],
    );
    let p = broken_gold(tmp.path(), |g| {
        g["exclusives"][0]["source"] = "no-such-record".into();
    });
    refused(
        &p,
        &["exclusives[0].source", "unknown source id 'no-such-record'"],
    );
    let p = broken_gold(tmp.path(), |g| {
        let ev = g["facts"][1]["evidence"].as_object_mut().unwrap();
        let keep = ev.keys().next().unwrap().clone();
        ev.retain(|k, _| *k == keep);
    });
    refused(
        &p,
        &["facts[1] ('f2').evidence", "a fact needs two or more"],
    );
    let p = broken_gold(tmp.path(), |g| {
        g["sources"] = serde_json::json!(["x-1", "x-2"]);
    });
    refused(&p, &["sources", "none of its 2 record ids is in the data"]);
}
