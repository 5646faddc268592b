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
    // The machine's Hugging Face settings must not reach a test (tests/integration/hub.rs
    // sets its own).
    for key in [
        "HF_HOME",
        "HF_HUB_CACHE",
        "HUGGINGFACE_HUB_CACHE",
        "HF_ENDPOINT",
        "HF_TOKEN",
        "HF_TOKEN_PATH",
        "HF_HUB_OFFLINE",
    ] {
        c.env_remove(key);
    }
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

/// Runs the built binary with `args` and returns its output and its peak resident memory in
/// KiB (`ru_maxrss` of this child alone, from `wait4`: other tests' processes do not count).
// The child is reaped by wait4 (for its rusage), not by std's wait.
#[allow(clippy::zombie_processes)]
pub fn run_with_peak_rss(args: &[&std::ffi::OsStr]) -> (std::process::Output, u64) {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("parallax"))
        .args(args)
        .env_remove("PARALLAX_MODELS")
        .env_remove("PARALLAX_MODEL")
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut o = Vec::new();
        out.read_to_end(&mut o).unwrap();
        o
    });
    let mut stderr = Vec::new();
    err.read_to_end(&mut stderr).unwrap();
    let stdout = reader.join().unwrap();
    let mut status: libc::c_int = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill; the pid is our child's
    // and is waited for exactly once (std's Child is not waited on afterwards).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert!(pid > 0, "wait4 failed");
    let output = std::process::Output {
        status: std::process::ExitStatus::from_raw(status),
        stdout,
        stderr,
    };
    (output, usage.ru_maxrss as u64)
}
