//! `parallax batch` through the built binary: a job killed with SIGKILL and resumed writes
//! exactly the records of an uninterrupted run; shards cover every id once (also through
//! the shipped Slurm example); bad records become error records and the job goes on.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::{assert_clean_failure, assert_success, parallax, shared_data};
use serde_json::{json, Value};

/// The CNN stories of summ-dev as batch input (`id`, `text`).
fn corpus(dir: &Path, n: usize) -> (PathBuf, Vec<String>) {
    let rows: Vec<Value> = std::fs::read_to_string(shared_data("summ-dev.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["dataset"] == "cnn_dailymail")
        .take(n)
        .collect();
    let ids = rows
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let path = dir.join("in.jsonl");
    let text: String = rows
        .iter()
        .map(|r| json!({"id": r["id"], "text": r["document"]}).to_string() + "\n")
        .collect();
    std::fs::write(&path, text).unwrap();
    (path, ids)
}

fn records(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{}: bad line {l:?}: {e}", path.display()))
        })
        .collect()
}

fn by_id(recs: &[Value]) -> BTreeMap<String, Value> {
    let mut m = BTreeMap::new();
    for r in recs {
        let id = r["id"].as_str().unwrap().to_string();
        assert!(
            m.insert(id.clone(), r.clone()).is_none(),
            "id {id} written twice"
        );
    }
    m
}

fn batch(input: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    parallax()
        .args(["batch", "--threads", "2"])
        .arg(input)
        .arg("-o")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn killed_job_resumes_to_exactly_the_uninterrupted_output() {
    let tmp = tempfile::tempdir().unwrap();
    let (input, ids) = corpus(tmp.path(), 25);

    let whole = tmp.path().join("whole.jsonl");
    let out = batch(&input, &whole, &["--chunk", "2", "-q"]);
    assert_success(&out);
    let expected = by_id(&records(&whole));
    assert_eq!(
        expected.keys().cloned().collect::<BTreeSet<_>>(),
        ids.iter().cloned().collect()
    );

    // Start the same job, kill it (SIGKILL) once some batches are written.
    let part = tmp.path().join("part.jsonl");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_parallax"))
        .args(["batch", "--threads", "2", "--chunk", "2", "-q"])
        .arg(&input)
        .arg("-o")
        .arg(&part)
        .env("NO_COLOR", "1")
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let done = std::fs::read_to_string(&part)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if done >= 4 {
            break;
        }
        assert!(Instant::now() < deadline, "no output after 120 s");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the job ended before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let before = std::fs::read_to_string(&part).unwrap().lines().count();
    assert!(
        before < ids.len(),
        "killed too late to test anything ({before} lines)"
    );

    // Without --resume the output is protected; with it, the job finishes.
    assert_clean_failure(&batch(&input, &part, &[]), &["already exists", "--resume"]);
    let out = batch(&input, &part, &["--resume", "--chunk", "2"]);
    assert_success(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{} records written", ids.len() - before)),
        "{stderr}"
    );

    let resumed = by_id(&records(&part)); // panics on a duplicate id or a broken line
    assert_eq!(resumed.len(), ids.len(), "every id exactly once");
    for (id, rec) in &expected {
        assert_eq!(&resumed[id], rec, "{id}: resumed record differs");
    }
}

#[test]
fn shards_cover_every_id_once_also_through_the_slurm_example() {
    let tmp = tempfile::tempdir().unwrap();
    let (input, ids) = corpus(tmp.path(), 12);
    let mut seen = Vec::new();
    for i in 0..3 {
        let out = tmp.path().join(format!("part-{i}.jsonl"));
        let o = batch(&input, &out, &["--shard", &format!("{i}/3"), "-q"]);
        assert_success(&o);
        seen.extend(
            records(&out)
                .into_iter()
                .map(|r| r["id"].as_str().unwrap().to_string()),
        );
    }
    seen.sort();
    let mut all = ids.clone();
    all.sort();
    assert_eq!(seen, all, "3 shards: every id exactly once");

    // deploy/slurm-array.sh, run as Slurm would run its 8 array tasks.
    let outdir = tmp.path().join("slurm");
    for task in 0..8 {
        let o = std::process::Command::new("bash")
            .arg(crate::common::root().join("deploy/slurm-array.sh"))
            .arg(&input)
            .arg(&outdir)
            .env("SLURM_ARRAY_TASK_ID", task.to_string())
            .env("SLURM_CPUS_PER_TASK", "2")
            .env("PARALLAX", env!("CARGO_BIN_EXE_parallax"))
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "task {task}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let mut merged = Vec::new();
    for task in 0..8 {
        merged.extend(records(&outdir.join(format!("part-{task}.jsonl"))));
    }
    assert_eq!(by_id(&merged).keys().cloned().collect::<Vec<_>>(), all);
}

#[test]
fn bad_records_become_error_records_and_the_job_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let (input, ids) = corpus(tmp.path(), 3);
    let mut text = std::fs::read_to_string(&input).unwrap();
    text.push_str("{not json\n");
    text.push_str("{\"id\": \"empty\", \"text\": \"  \"}\n");
    text.push_str("{\"text\": \"A record without an id cannot be resumed.\"}\n");
    text.push_str(&format!(
        "{{\"id\": \"{}\", \"text\": \"Same id again.\"}}\n",
        ids[0]
    ));
    text.push_str(&format!(
        "{{\"id\": \"huge\", \"text\": \"{}\"}}\n",
        "word ".repeat(12_000)
    ));
    std::fs::write(&input, text).unwrap();

    let out = tmp.path().join("out.jsonl");
    let errors = tmp.path().join("errors.jsonl");
    let o = batch(
        &input,
        &out,
        &["--errors", errors.to_str().unwrap(), "--max-chars", "50000"],
    );
    assert_eq!(o.status.code(), Some(3), "some records failed: exit 3");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("3 records written, 5 failed"), "{stderr}");
    assert_eq!(by_id(&records(&out)).len(), 3);
    let errs = records(&errors);
    let reasons: Vec<(u64, String)> = errs
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["error"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(reasons.len(), 5, "{reasons:?}");
    assert!(reasons[0].0 == 4 && reasons[0].1.contains("not valid JSON"));
    assert!(reasons[1].0 == 5 && reasons[1].1.contains("empty") && errs[1]["id"] == "empty");
    assert!(reasons[2].0 == 6 && reasons[2].1.contains("no 'id'"));
    assert!(reasons[3].0 == 7 && reasons[3].1.contains("duplicate id"));
    assert!(reasons[4].0 == 8 && reasons[4].1.contains("--max-chars"));
    // Every input line is accounted for, once.
    assert_eq!(records(&out).len() + errs.len(), 8);
}

#[test]
fn compare_task_writes_one_comparison_per_event() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp.jsonl");
    let o = batch(
        &shared_data("coverage-dev.jsonl"),
        &out,
        &["--task", "compare", "-q", "--model", "all-MiniLM-L6-v2"],
    );
    assert_success(&o);
    let recs = records(&out);
    let groups: BTreeSet<String> = recs
        .iter()
        .map(|r| r["group"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(groups.len(), 10);
    assert_eq!(recs.len(), 10);
    let ternopil = recs
        .iter()
        .find(|r| r["group"] == "ternopil_strike_nov19")
        .unwrap();
    assert_eq!(ternopil["sources"].as_array().unwrap().len(), 11);
    assert!(!ternopil["disagreements"].as_array().unwrap().is_empty());
    // Resuming a finished job does nothing and says so.
    let o = batch(
        &shared_data("coverage-dev.jsonl"),
        &out,
        &[
            "--task",
            "compare",
            "--resume",
            "--model",
            "all-MiniLM-L6-v2",
        ],
    );
    assert_success(&o);
    assert!(String::from_utf8_lossy(&o.stderr).contains("0 groups written"));
    assert_eq!(records(&out).len(), 10);
}

/// A 200 MB line (one record) among ordinary ones is skipped as an error record without
/// being read into memory: peak memory stays within 100 MB of the same job without it.
#[test]
fn a_huge_line_is_an_error_record_and_is_never_held_in_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let (small, _) = corpus(tmp.path(), 4);
    let text = std::fs::read_to_string(&small).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let huge = format!(
        "{{\"id\": \"huge\", \"text\": \"{}\"}}",
        "The council met. ".repeat(200 << 20 >> 4)
    );
    lines.insert(2, &huge);
    let big = tmp.path().join("big.jsonl");
    std::fs::write(&big, lines.join("\n") + "\n").unwrap();
    drop(huge);

    let run = |input: &Path, name: &str| {
        let out = tmp.path().join(format!("{name}-out.jsonl"));
        let errors = tmp.path().join(format!("{name}-errors.jsonl"));
        let args: Vec<&std::ffi::OsStr> = vec![
            "batch".as_ref(),
            "--threads".as_ref(),
            "2".as_ref(),
            "-q".as_ref(),
            "--max-chars".as_ref(),
            "100000".as_ref(),
            input.as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
            "--errors".as_ref(),
            errors.as_os_str(),
        ];
        let (o, peak) = crate::common::run_with_peak_rss(&args);
        (o, peak, records(&out), errors)
    };
    let (o, small_peak, small_out, _) = run(&small, "small");
    assert_success(&o);
    let (o, big_peak, big_out, errors) = run(&big, "big");
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(big_out.len(), small_out.len());
    let errs = records(&errors);
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0]["line"], 3);
    assert!(errs[0]["error"]
        .as_str()
        .unwrap()
        .contains("skipped without being read"));
    assert!(
        big_peak < small_peak + 100 * 1024,
        "peak {big_peak} KiB with the huge line, {small_peak} KiB without"
    );
}
