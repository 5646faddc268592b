//! The job drivers on the fake model: what a resumed, sharded or failing job writes.

use std::path::Path;

use serde_json::{json, Value};

use super::records::DUPLICATE_ID;
use super::run::{compare_groups, summarize, Comparer, Job, Tally};
use super::{Shard, Sinks};
use crate::analyze::compare::CompareConfig;

use crate::encode::{fake, BatchConfig};

const INPUT: &str = r#"{"id":"a","event":"e1","outlet":"X","text":"Missiles struck the city overnight. Twenty people were killed in the strike. Rescuers searched the rubble for survivors."}
not json
{"id":"b","event":"e1","outlet":"Y","text":"Missiles struck the city overnight, officials said. Twenty people were killed there. The mayor opened shelters for families."}
{"id":"a","event":"e2","outlet":"Z","text":"A duplicate id with enough words to be a sentence."}
{"id":"c","event":"e2","outlet":"Z","text":""}
{"id":"d","event":"e2","outlet":"W","text":"Talks in Geneva ended without a deal on Sunday. Delegations will meet again next week."}
"#;

fn job<'a>(input: &'a Path, shard: Option<Shard>) -> Job<'a> {
    Job {
        input,
        field: "text",
        max_chars: 10_000,
        shard,
        chunk: 2,
        group_key: "event",
    }
}

/// Runs the summarize job into `out` (resuming what is there) and returns the file.
fn summarize_into(input: &Path, out: &Path, shard: Option<Shard>) -> (String, Tally) {
    let e = fake::embedder(BatchConfig::default()).unwrap();
    let (mut sinks, resume) = Sinks::open(out, None, true, "id").unwrap();
    let tally = summarize(
        &job(input, shard),
        &e,
        "fake",
        1,
        &resume,
        &mut sinks,
        &mut (),
    )
    .unwrap();
    (std::fs::read_to_string(out).unwrap(), tally)
}

#[test]
fn summarize_writes_records_and_errors_and_resumes_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, INPUT).unwrap();
    let (whole, tally) = summarize_into(&input, &dir.path().join("whole.jsonl"), None);
    assert_eq!((tally.written, tally.failed), (3, 3), "{whole}");
    let lines: Vec<Value> = whole
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = lines.iter().filter_map(|v| v["id"].as_str()).collect();
    assert_eq!(
        ids,
        ["a", "b", "a", "c", "d"],
        "records and error records in input order"
    );
    assert!(lines[1]["error"]
        .as_str()
        .unwrap()
        .contains("not valid JSON"));
    assert_eq!(lines[3]["error"], DUPLICATE_ID);
    assert!(lines.iter().all(|v| v.get("elapsed_ms").is_none()));

    // A run killed after its first batch: two complete lines and half of the third.
    let out = dir.path().join("resumed.jsonl");
    let cut: usize = whole.lines().take(2).map(|l| l.len() + 1).sum::<usize>() + 10;
    std::fs::write(&out, &whole[..cut]).unwrap();
    let (resumed, tally) = summarize_into(&input, &out, None);
    assert_eq!(resumed, whole);
    assert_eq!(tally.skipped, 2);
}

#[test]
fn shards_split_the_records_between_workers() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, INPUT).unwrap();
    let mut ids: Vec<String> = Vec::new();
    for i in 0..3 {
        let shard = Some(format!("{i}/3").parse().unwrap());
        let (out, _) = summarize_into(&input, &dir.path().join(format!("{i}.jsonl")), shard);
        for l in out.lines() {
            let v: Value = serde_json::from_str(l).unwrap();
            ids.push(
                v["id"]
                    .as_str()
                    .map_or(format!("line {}", v["line"]), str::to_string),
            );
        }
    }
    ids.sort();
    assert_eq!(ids, ["a", "a", "b", "c", "d", "line 2"]);
}

#[test]
fn compare_writes_one_report_per_group() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, INPUT).unwrap();
    let out = dir.path().join("out.jsonl");
    let e = fake::embedder(BatchConfig::default()).unwrap();
    let cfg = CompareConfig::default();
    let (mut sinks, resume) = Sinks::open(&out, None, false, "group").unwrap();
    let comparer = Comparer {
        encoder: &e,
        model_name: "fake",
        cfg: &cfg,
        nli: None,
    };
    let tally = compare_groups(&job(&input, None), comparer, &resume, &mut sinks, &mut ()).unwrap();
    assert_eq!(tally.written, 2);
    let text = std::fs::read_to_string(&out).unwrap();
    let reports: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v.get("group").is_some())
        .collect();
    assert_eq!(reports[0]["group"], "e1");
    assert_eq!(reports[0]["units"], json!(["X", "Y"]));
    assert!(!reports[0]["shared"].as_array().unwrap().is_empty());
    assert_eq!(reports[1]["group"], "e2");
    assert!(text.contains("no 'e1' field") || text.contains("field to group by"));
    // A second run without --resume refuses to overwrite the finished job.
    assert!(Sinks::open(&out, None, false, "group").is_err());
}
