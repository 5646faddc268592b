//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/data`, beside the checkout (CI has it at the same place).
pub fn shared_data(name: &str) -> PathBuf {
    let p = root().join("../shared/data").join(name);
    assert!(p.exists(), "test data {} is missing", p.display());
    p
}

/// The models folder scripts/setup.sh installed.
pub fn models_dir() -> PathBuf {
    root().join("models")
}

pub fn default_model_dir() -> PathBuf {
    models_dir().join("all-MiniLM-L6-v2")
}

/// The built binary, with the environment cleared of settings that would change results.
pub fn parallax() -> Command {
    let mut c = Command::cargo_bin("parallax").expect("binary built");
    c.env_remove("PARALLAX_MODELS")
        .env_remove("PARALLAX_MODEL")
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1");
    c
}

/// Copies a model folder (to corrupt the copy, never the original).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

/// Asserts that a failed run said something useful and did not panic.
pub fn assert_clean_failure(out: &std::process::Output, must_contain: &[&str]) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        !out.status.success(),
        "expected failure, got success; stderr: {stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "panicked: {stderr}"
    );
    for s in must_contain {
        assert!(stderr.contains(s), "stderr lacks {s:?}: {stderr}");
    }
    stderr
}

/// Cuts a file to `1/divisor` of its length, as an interrupted download leaves it.
pub fn truncate_to(path: &Path, divisor: u64) {
    let len = std::fs::metadata(path).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .unwrap()
        .set_len(len / divisor)
        .unwrap();
}

/// Asserts that a run succeeded; its stderr is the failure message.
pub fn assert_success(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "the run failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The stdout of a run that must have succeeded.
pub fn stdout_of(out: std::process::Output) -> String {
    assert_success(&out);
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}

/// The stdout of a successful run, as one JSON value.
pub fn json_of(out: std::process::Output) -> serde_json::Value {
    serde_json::from_str(&stdout_of(out)).expect("stdout is one JSON value")
}

/// The stdout of a successful run, as JSON Lines.
pub fn json_lines_of(out: std::process::Output) -> Vec<serde_json::Value> {
    stdout_of(out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}
