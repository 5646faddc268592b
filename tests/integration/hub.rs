//! Models from the Hugging Face Hub, through the built binary and a local server that
//! answers the Hub's routes and headers (never the internet): `models pull` fetches only
//! what a model needs, resumes a cut download, refuses a corrupt one, needs a token for a
//! private repo and nothing when offline; `--model ORG/NAME` then runs from the cache with
//! no server at all, and reads a cache that Python's huggingface_hub wrote.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use sha2::Digest;

use crate::common::{assert_clean_failure, parallax, root, shared_data};

const COMMIT: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";

/// What the server does beyond serving files.
#[derive(Default, Clone)]
struct Behaviour {
    /// The first full download of this file stops after this many bytes.
    cut: Option<(String, usize)>,
    /// This file is served with one byte changed (its etag stays the true one).
    corrupt: Option<String>,
    /// Every request needs `Authorization: Bearer TOKEN`.
    token: Option<String>,
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    range: Option<String>,
}

struct Server {
    endpoint: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    /// Serves `files` as the repo `repo` (revision `main` = [`COMMIT`]).
    fn start(repo: &str, files: BTreeMap<String, Vec<u8>>, behaviour: Behaviour) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let state = Arc::new(Mutex::new(behaviour));
        let (repo, files) = (repo.to_string(), Arc::new(files));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (repo, files, log, state) =
                    (repo.clone(), files.clone(), log.clone(), state.clone());
                std::thread::spawn(move || {
                    let _ = answer(stream, &repo, &files, &log, &state);
                });
            }
        });
        Server { endpoint, seen }
    }

    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn git_sha1(data: &[u8]) -> String {
    let mut h = sha1::Sha1::new();
    h.update(format!("blob {}\0", data.len()).as_bytes());
    h.update(data);
    hex::encode(h.finalize())
}

fn is_lfs(name: &str) -> bool {
    name.ends_with(".safetensors") || name.ends_with(".bin") || name.ends_with(".h5")
}

fn answer(
    mut stream: TcpStream,
    repo: &str,
    files: &BTreeMap<String, Vec<u8>>,
    log: &Mutex<Vec<Seen>>,
    state: &Mutex<Behaviour>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let (mut range, mut auth) = (None, None);
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            match k.trim().to_ascii_lowercase().as_str() {
                "range" => range = Some(v.trim().to_string()),
                "authorization" => auth = Some(v.trim().to_string()),
                _ => {}
            }
        }
    }
    log.lock().unwrap().push(Seen {
        path: path.clone(),
        range: range.clone(),
    });
    let behaviour = state.lock().unwrap().clone();
    let respond =
        |stream: &mut TcpStream, status: &str, headers: &[(String, String)], body: &[u8]| {
            let mut head = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            stream.write_all(head.as_bytes())?;
            stream.write_all(b"\r\n")?;
            stream.write_all(body)
        };
    if let Some(token) = &behaviour.token {
        if auth.as_deref() != Some(&format!("Bearer {token}")) {
            let body = br#"{"error":"Repository not found"}"#;
            let len = vec![("Content-Length".to_string(), body.len().to_string())];
            return respond(&mut stream, "401 Unauthorized", &len, body);
        }
    }
    if path == format!("/api/models/{repo}/revision/main") {
        let body = json!({"id": repo, "sha": COMMIT,
            "siblings": files.keys().map(|f| json!({"rfilename": f})).collect::<Vec<_>>()})
        .to_string();
        let headers = vec![
            ("Content-Type".to_string(), "application/json".to_string()),
            ("Content-Length".to_string(), body.len().to_string()),
        ];
        return respond(&mut stream, "200 OK", &headers, body.as_bytes());
    }
    let prefix = format!("/{repo}/resolve/main/");
    let Some(data) = path
        .strip_prefix(&prefix)
        .and_then(|f| files.get(f).map(|d| (f, d)))
    else {
        let headers = vec![("Content-Length".to_string(), "0".to_string())];
        return respond(&mut stream, "404 Not Found", &headers, b"");
    };
    let (name, data) = data;
    let etag = if is_lfs(name) {
        hex::encode(sha2::Sha256::digest(data))
    } else {
        git_sha1(data)
    };
    let mut body = data.clone();
    if behaviour.corrupt.as_deref() == Some(name) {
        let mid = body.len() / 2;
        body[mid] ^= 0x5a;
    }
    let start: usize = range
        .as_deref()
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.split('-').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let end: usize = range
        .as_deref()
        .and_then(|r| r.split('-').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(body.len() - 1);
    let part = &body[start.min(body.len())..(end + 1).min(body.len())];
    let mut headers = vec![
        ("ETag".to_string(), format!("\"{etag}\"")),
        ("X-Repo-Commit".to_string(), COMMIT.to_string()),
        ("Content-Length".to_string(), part.len().to_string()),
        ("Accept-Ranges".to_string(), "bytes".to_string()),
    ];
    if is_lfs(name) {
        headers.push(("X-Linked-Etag".to_string(), format!("\"{etag}\"")));
    }
    let status = if range.is_some() {
        headers.push((
            "Content-Range".to_string(),
            format!("bytes {start}-{}/{}", start + part.len() - 1, body.len()),
        ));
        "206 Partial Content"
    } else {
        "200 OK"
    };
    // A full download (not the one-byte probe) of the file to cut stops midway, once.
    if let Some((file, after)) = &behaviour.cut {
        if file == name && part.len() > 1 {
            state.lock().unwrap().cut = None;
            return respond(&mut stream, status, &headers, &part[..*after]);
        }
    }
    respond(&mut stream, status, &headers, part)
}

fn read_dir_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// `parallax` with its Hub settings pointed at a test cache (and, when given, a server).
fn hub_cmd(cache: &Path, server: Option<&Server>) -> assert_cmd::Command {
    let mut c = parallax();
    c.env("HF_HUB_CACHE", cache)
        .env("HF_HOME", cache.join("home"));
    match server {
        Some(s) => c.env("HF_ENDPOINT", &s.endpoint),
        // A port nothing listens on: any request would fail loudly.
        None => c.env("HF_ENDPOINT", "http://127.0.0.1:9"),
    };
    c
}

fn run_ok(cmd: &mut assert_cmd::Command) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn article() -> PathBuf {
    shared_data("seed-article.txt")
}

fn os(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<OsString> {
    args.iter().map(|a| a.as_ref().to_os_string()).collect()
}

/// The NLI part of a comparison of the seed article with itself, the model chosen by
/// `model` (the elapsed times and the model's name removed: they differ between runs that
/// must agree).
fn nli_of(mut cmd: assert_cmd::Command, model: Vec<OsString>) -> Value {
    let out = run_ok(
        cmd.args(["-q", "compare", "--format", "json"])
            .args(model)
            .arg(article())
            .arg(article()),
    );
    let mut v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut nli = v["frames"]["nli"].take();
    assert!(nli.is_object(), "no NLI frames");
    nli.as_object_mut().unwrap().remove("elapsed_ms");
    nli.as_object_mut().unwrap().remove("model");
    nli
}

#[test]
fn pull_fetches_what_the_model_needs_and_summarize_then_runs_offline() {
    let dir = tempfile::tempdir().unwrap();
    let model = crate::cli_abstractive::tiny_bart(&dir.path().join("tiny-bart"), 512);
    let mut files = read_dir_files(&model);
    // What a real repo holds beside what parallax reads; none of it may be fetched.
    files.insert("tf_model.h5".into(), vec![7u8; 4096]);
    files.insert("README.md".into(), b"# tiny".to_vec());
    let server = Server::start("fixture-org/tiny-bart", files, Behaviour::default());
    let cache = dir.path().join("cache");

    let out =
        run_ok(hub_cmd(&cache, Some(&server)).args(["models", "pull", "fixture-org/tiny-bart"]));
    let snapshot = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    assert_eq!(
        snapshot,
        cache.join(format!("models--fixture-org--tiny-bart/snapshots/{COMMIT}"))
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("3 file(s) downloaded"), "{stderr}");
    let fetched: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert!(
        !fetched
            .iter()
            .any(|p| p.contains("tf_model.h5") || p.contains("README")),
        "fetched more than the model needs: {fetched:?}"
    );
    assert_eq!(
        std::fs::read_to_string(cache.join("models--fixture-org--tiny-bart/refs/main")).unwrap(),
        COMMIT
    );
    // The Hub layout: snapshot entries are links to blobs named by etag.
    let weights = snapshot.join("model.safetensors");
    assert!(std::fs::symlink_metadata(&weights)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read(&weights).unwrap(),
        std::fs::read(model.join("model.safetensors")).unwrap()
    );

    // A second pull finds everything cached and checked, and downloads nothing.
    let before = server.requests().len();
    let out =
        run_ok(hub_cmd(&cache, Some(&server)).args(["models", "pull", "fixture-org/tiny-bart"]));
    assert!(String::from_utf8_lossy(&out.stderr).contains("0 file(s) downloaded, 3 already cached"));
    let again: Vec<Seen> = server.requests()[before..].to_vec();
    assert!(
        again.iter().all(|r| r.path.starts_with("/api/")),
        "{again:?}"
    );

    // The model runs from the cache with the network forbidden and no server reachable,
    // and says what the same folder says through --model-dir.
    let summarize = |mut cmd: assert_cmd::Command, model: Vec<OsString>| -> Value {
        let out = run_ok(
            cmd.args([
                "-q",
                "summarize",
                "-m",
                "abstractive",
                "--format",
                "json",
                "--threads",
                "2",
            ])
            .args(model)
            .arg(article()),
        );
        let mut v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v.as_object_mut().unwrap().remove("elapsed_ms");
        v.as_object_mut().unwrap().remove("model");
        v
    };
    let mut offline = hub_cmd(&cache, None);
    offline.env("HF_HUB_OFFLINE", "1");
    let from_hub = summarize(offline, os(&[&"--model", &"fixture-org/tiny-bart"]));
    let from_dir = summarize(parallax(), os(&[&"--model-dir", &model]));
    assert_eq!(from_hub, from_dir);
    assert_eq!(before, server.requests().len() - again.len());

    // models list shows it with its task; verify checks every hash.
    let out = run_ok(hub_cmd(&cache, None).args(["models", "list", "--json"]));
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let row = rows
        .iter()
        .find(|r| r["name"] == "fixture-org/tiny-bart")
        .unwrap();
    assert_eq!(row["status"], "hub cache");
    let out = run_ok(hub_cmd(&cache, None).args(["models", "verify", "fixture-org/tiny-bart"]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.lines().filter(|l| l.starts_with("ok ")).count(),
        3,
        "{text}"
    );
}

#[test]
fn a_cut_download_resumes_and_a_corrupt_one_is_not_kept() {
    let files = read_dir_files(&root().join("tests/fixtures/nli-bart"));
    let size = files["model.safetensors"].len();
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let cut = Behaviour {
        cut: Some(("model.safetensors".into(), size / 3)),
        ..Default::default()
    };
    let server = Server::start("fixture-org/nli", files.clone(), cut);
    let out = hub_cmd(&cache, Some(&server))
        .args(["models", "pull", "fixture-org/nli"])
        .output()
        .unwrap();
    assert_clean_failure(&out, &["model.safetensors", "again"]);
    let blobs = cache.join("models--fixture-org--nli/blobs");
    let partial: Vec<PathBuf> = std::fs::read_dir(&blobs)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "part"))
        .collect();
    assert_eq!(partial.len(), 1, "the cut download is kept to resume");
    assert_eq!(
        std::fs::metadata(&partial[0]).unwrap().len() as usize,
        size / 3
    );

    run_ok(hub_cmd(&cache, Some(&server)).args(["models", "pull", "fixture-org/nli"]));
    let resumed = server.requests().iter().any(|r| {
        r.path.ends_with("model.safetensors") && r.range == Some(format!("bytes={}-", size / 3))
    });
    assert!(
        resumed,
        "no ranged request from the cut: {:?}",
        server.requests()
    );
    let out = run_ok(hub_cmd(&cache, None).args(["models", "verify", "fixture-org/nli"]));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("CORRUPT"));

    // A download whose bytes do not hash to the Hub's etag fails and leaves nothing.
    let cache2 = dir.path().join("cache2");
    let corrupt = Behaviour {
        corrupt: Some("model.safetensors".into()),
        ..Default::default()
    };
    let server = Server::start("fixture-org/nli", files, corrupt);
    let out = hub_cmd(&cache2, Some(&server))
        .args(["models", "pull", "fixture-org/nli"])
        .output()
        .unwrap();
    assert_clean_failure(
        &out,
        &[
            "model.safetensors",
            "does not match the Hub's hash",
            "not kept",
        ],
    );
    let snapshot = cache2.join(format!("models--fixture-org--nli/snapshots/{COMMIT}"));
    assert!(!snapshot.join("model.safetensors").exists());
    let kept: Vec<String> = std::fs::read_dir(cache2.join("models--fixture-org--nli/blobs"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.len() == 64)
        .collect();
    assert!(kept.is_empty(), "a corrupt blob was kept: {kept:?}");
}

#[test]
fn private_repos_need_a_token_and_offline_means_no_network() {
    let files = read_dir_files(&root().join("tests/fixtures/nli-bart"));
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let private = Behaviour {
        token: Some("hf_secret".into()),
        ..Default::default()
    };
    let server = Server::start("fixture-org/private", files, private);
    let out = hub_cmd(&cache, Some(&server))
        .args(["models", "pull", "fixture-org/private"])
        .output()
        .unwrap();
    assert_clean_failure(&out, &["fixture-org/private", "refused access", "HF_TOKEN"]);
    run_ok(
        hub_cmd(&cache, Some(&server))
            .env("HF_TOKEN", "hf_secret")
            .args(["models", "pull", "fixture-org/private"]),
    );

    // Offline: pull refuses before any request; a model not cached names the pull command.
    let before = server.requests().len();
    let out = hub_cmd(&cache, Some(&server))
        .env("HF_HUB_OFFLINE", "1")
        .args(["models", "pull", "fixture-org/private"])
        .output()
        .unwrap();
    assert_clean_failure(&out, &["HF_HUB_OFFLINE"]);
    assert_eq!(server.requests().len(), before);
    let out = hub_cmd(&cache, None)
        .args(["summarize", "--model", "fixture-org/absent"])
        .arg(article())
        .output()
        .unwrap();
    assert_clean_failure(
        &out,
        &[
            "fixture-org/absent",
            "parallax models pull fixture-org/absent",
        ],
    );
    let out = hub_cmd(&cache, None)
        .args(["summarize", "--model", "fixture-org/a/b"])
        .arg(article())
        .output()
        .unwrap();
    assert_clean_failure(&out, &["not a Hugging Face model id"]);
}

#[test]
fn pytorch_only_weights_are_converted_tensor_for_tensor() {
    let reference = root().join("tests/fixtures/nli-bart");
    let mut files = read_dir_files(&reference);
    files.remove("model.safetensors");
    files.extend(read_dir_files(&root().join("tests/fixtures/nli-bart-bin")));
    assert!(files.contains_key("pytorch_model.bin"));
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let server = Server::start("fixture-org/nli-bin", files, Behaviour::default());
    let out =
        run_ok(hub_cmd(&cache, Some(&server)).args(["models", "pull", "fixture-org/nli-bin"]));
    assert!(String::from_utf8_lossy(&out.stderr).contains("weights converted"));
    let snapshot = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());

    let converted = tch::Tensor::read_safetensors(snapshot.join("model.safetensors")).unwrap();
    let expected: BTreeMap<String, tch::Tensor> =
        tch::Tensor::read_safetensors(reference.join("model.safetensors"))
            .unwrap()
            .into_iter()
            .collect();
    assert_eq!(converted.len(), expected.len());
    for (name, t) in &converted {
        let e = &expected[name];
        assert_eq!((t.size(), t.kind()), (e.size(), e.kind()), "{name}");
        assert!(t.equal(e), "{name} differs");
    }
    // The converted model reads as the original does.
    let from_hub = nli_of(
        hub_cmd(&cache, None),
        os(&[&"--nli-model", &"fixture-org/nli-bin"]),
    );
    let from_dir = nli_of(parallax(), os(&[&"--nli-model-dir", &reference]));
    assert_eq!(from_hub, from_dir);
}

/// tests/fixtures/hf-cache was written by Python's huggingface_hub (`snapshot_download`,
/// scripts/make_hub_fixtures.py): parallax reads it in place, with no server.
#[test]
fn a_cache_written_by_python_huggingface_hub_is_read_in_place() {
    let cache = root().join("tests/fixtures/hf-cache");
    let out = run_ok(hub_cmd(&cache, None).args(["models", "list", "--json"]));
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let row = rows
        .iter()
        .find(|r| r["name"] == "fixture-org/nli-bart")
        .unwrap();
    assert_eq!(row["task"], "nli");
    let out = run_ok(hub_cmd(&cache, None).args(["models", "verify", "fixture-org/nli-bart"]));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).matches("ok ").count(),
        3
    );
    let mut offline = hub_cmd(&cache, None);
    offline.env("HF_HUB_OFFLINE", "1");
    let from_cache = nli_of(offline, os(&[&"--nli-model", &"fixture-org/nli-bart"]));
    let fixture = root().join("tests/fixtures/nli-bart");
    let from_dir = nli_of(parallax(), os(&[&"--nli-model-dir", &fixture]));
    assert_eq!(from_cache, from_dir);
}

/// A checkpoint in shards (`model.safetensors.index.json` naming two files) is fetched
/// shard by shard and merged into one `model.safetensors` equal to the whole.
#[test]
fn sharded_checkpoints_are_fetched_and_merged() {
    let reference = root().join("tests/fixtures/nli-bart");
    let mut files = read_dir_files(&reference);
    files.remove("model.safetensors");
    let tensors = tch::Tensor::read_safetensors(reference.join("model.safetensors")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let half = tensors.len() / 2;
    let mut weight_map = serde_json::Map::new();
    for (i, part) in [&tensors[..half], &tensors[half..]].into_iter().enumerate() {
        let name = format!("model-{:05}-of-00002.safetensors", i + 1);
        let path = dir.path().join(&name);
        tch::Tensor::write_safetensors(part, &path).unwrap();
        for (t, _) in part {
            weight_map.insert(t.clone(), json!(name));
        }
        files.insert(name, std::fs::read(&path).unwrap());
    }
    let index = json!({"metadata": {}, "weight_map": weight_map}).to_string();
    files.insert("model.safetensors.index.json".into(), index.into_bytes());
    let cache = dir.path().join("cache");
    let server = Server::start("fixture-org/sharded", files, Behaviour::default());
    let out =
        run_ok(hub_cmd(&cache, Some(&server)).args(["models", "pull", "fixture-org/sharded"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("5 file(s) downloaded") && stderr.contains("weights converted"),
        "{stderr}"
    );
    let snapshot = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let merged: BTreeMap<String, tch::Tensor> =
        tch::Tensor::read_safetensors(snapshot.join("model.safetensors"))
            .unwrap()
            .into_iter()
            .collect();
    assert_eq!(merged.len(), tensors.len());
    for (name, t) in &tensors {
        assert!(merged[name].equal(t), "{name} differs");
    }
}
