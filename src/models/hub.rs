//! Models from the Hugging Face Hub. `--model ORG/NAME[@REVISION]` reads the local Hub cache
//! in the layout Python's `huggingface_hub` writes (`models--ORG--NAME/{refs,blobs,
//! snapshots}`), so a model that transformers already fetched is used where it lies, with
//! no download and no copy. Only `parallax models pull` touches the network: a newsroom
//! may not want a tool that phones out on its own. The layout and the resumable download
//! are Hugging Face's own Rust client (`hf-hub`); what it leaves out (the Python client's
//! environment variables, hash checks, weights that need converting) is here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use hf_hub::api::sync::{ApiBuilder, ApiError};
use hf_hub::{Cache, Repo, RepoType};

use crate::error::{Error, Result};

/// A Hub model as the user names it: `ORG/NAME` and a revision (branch, tag or commit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubId {
    /// `ORG/NAME`.
    pub repo: String,
    /// `main` unless `@REVISION` was given.
    pub revision: String,
}

impl HubId {
    /// Reads `ORG/NAME[@REVISION]`. The checks are the Hub's own naming rules, and they
    /// matter here because both parts become paths in the cache.
    pub fn parse(text: &str) -> Result<HubId> {
        let bad = |why: &str| {
            Error::Input(format!(
                "'{text}' is not a Hugging Face model id: {why} (expected ORG/NAME or \
                 ORG/NAME@REVISION, e.g. sshleifer/distilbart-cnn-12-6)"
            ))
        };
        let (repo, revision) = match text.split_once('@') {
            Some((r, v)) => (r, v),
            None => (text, "main"),
        };
        let parts: Vec<&str> = repo.split('/').collect();
        if parts.len() != 2 {
            return Err(bad("it needs exactly one '/'"));
        }
        for p in &parts {
            let ok_chars = p
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            if p.is_empty() || p.len() > 96 || !ok_chars {
                return Err(bad("each part is 1 to 96 letters, digits, '-', '_' or '.'"));
            }
            if p.starts_with(['-', '.']) || p.ends_with(['-', '.']) || p.contains("..") {
                return Err(bad(
                    "a part may not start or end with '-' or '.', nor hold '..'",
                ));
            }
        }
        let safe_revision = !revision.is_empty()
            && !revision.starts_with('/')
            && !revision
                .split('/')
                .any(|s| s.is_empty() || s == "." || s == "..")
            && !revision.chars().any(|c| c.is_control() || c == '\\');
        if !safe_revision {
            return Err(bad(
                "the revision after '@' is a branch, tag or commit name",
            ));
        }
        Ok(HubId {
            repo: repo.to_string(),
            revision: revision.to_string(),
        })
    }

    fn repo(&self) -> Repo {
        Repo::with_revision(self.repo.clone(), RepoType::Model, self.revision.clone())
    }

    /// The repo's folder in the cache.
    pub fn folder(&self, cache: &Path) -> PathBuf {
        cache.join(self.repo().folder_name())
    }
}

impl std::fmt::Display for HubId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.revision == "main" {
            write!(f, "{}", self.repo)
        } else {
            write!(f, "{}@{}", self.repo, self.revision)
        }
    }
}

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|v| !v.trim().is_empty())
}

/// `HF_HOME`, as the Python client resolves it.
fn hf_home() -> Option<PathBuf> {
    env("HF_HOME").map(PathBuf::from).or_else(|| {
        env("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .map(|c| c.join("huggingface"))
    })
}

/// The Hub cache: `HF_HUB_CACHE`, else `HF_HOME/hub`, else `~/.cache/huggingface/hub`
/// (the Python client's order).
pub fn cache_dir() -> Result<PathBuf> {
    env("HF_HUB_CACHE")
        .or_else(|| env("HUGGINGFACE_HUB_CACHE"))
        .map(PathBuf::from)
        .or_else(|| hf_home().map(|h| h.join("hub")))
        .ok_or_else(|| {
            Error::Input("no Hugging Face cache folder: set HF_HOME or HF_HUB_CACHE".into())
        })
}

/// `HF_TOKEN`, else the token file `huggingface-cli login` writes.
fn token() -> Option<String> {
    if let Some(t) = env("HF_TOKEN") {
        return Some(t.trim().to_string());
    }
    let path = env("HF_TOKEN_PATH")
        .map(PathBuf::from)
        .or_else(|| hf_home().map(|h| h.join("token")))?;
    let t = std::fs::read_to_string(path).ok()?;
    Some(t.trim().to_string()).filter(|t| !t.is_empty())
}

/// `HF_HUB_OFFLINE` set to a true value forbids the network, as in the Python tools.
pub fn offline() -> bool {
    env("HF_HUB_OFFLINE").is_some_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "1" | "on" | "yes" | "true"
        )
    })
}

fn is_commit(revision: &str) -> bool {
    revision.len() == 40 && revision.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The snapshot folder `id`'s revision points to in the cache (a commit names it
/// directly; a branch or tag through `refs/`), holding at least its config. A model that
/// is not cached is an error naming the pull command; nothing is downloaded.
fn cached_snapshot(id: &HubId) -> Result<PathBuf> {
    let cache = cache_dir()?;
    let folder = id.folder(&cache);
    let not_cached = |what: String| {
        Error::Input(format!(
            "{what}; fetch it with `parallax models pull {id}` (on a machine with network; \
             the cache is {}, set by HF_HUB_CACHE or HF_HOME)",
            cache.display()
        ))
    };
    let commit = if is_commit(&id.revision) {
        id.revision.clone()
    } else {
        match std::fs::read_to_string(folder.join("refs").join(&id.revision)) {
            Ok(c) => c.trim().to_string(),
            Err(_) => return Err(not_cached(format!("the model '{id}' is not in the cache"))),
        }
    };
    let snap = folder.join("snapshots").join(commit);
    if !snap.join("config.json").exists() {
        return Err(not_cached(format!(
            "the cached snapshot of '{id}' has no config.json"
        )));
    }
    Ok(snap)
}

/// The cached snapshot folder of `id` (see [`cached_snapshot`]), its weights made loadable
/// (see [`prepare_weights`]).
pub fn snapshot(id: &HubId) -> Result<PathBuf> {
    let snap = cached_snapshot(id)?;
    prepare_weights(&snap)?;
    Ok(snap)
}

/// Files of a model repo that parallax reads: its config, every tokenizer file a
/// transformers model may ship, and one set of weights (safetensors first, then
/// PyTorch's pickles, converted on arrival, then rust-bert's `.ot`). Never the whole repo:
/// repos also hold TensorFlow, Flax, ONNX and Rust copies of the weights.
pub fn wanted(files: &BTreeSet<String>) -> std::result::Result<Vec<String>, String> {
    const SMALL: &[&str] = &[
        "config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "added_tokens.json",
        "vocab.json",
        "merges.txt",
        "vocab.txt",
        "spiece.model",
        "sentencepiece.bpe.model",
        "sentence_bert_config.json",
        "generation_config.json",
    ];
    const WEIGHTS: &[&str] = &[
        "model.safetensors",
        "model.safetensors.index.json",
        "pytorch_model.bin",
        "pytorch_model.bin.index.json",
        "rust_model.ot",
    ];
    if !files.contains("config.json") {
        return Err("the repo has no config.json, so it is not a transformers model".into());
    }
    let Some(weights) = WEIGHTS.iter().find(|w| files.contains(**w)) else {
        return Err(format!(
            "the repo has none of {}: no weights parallax can load",
            WEIGHTS.join(", ")
        ));
    };
    let mut out: Vec<String> = SMALL
        .iter()
        .filter(|f| files.contains(**f))
        .map(|f| f.to_string())
        .collect();
    out.push(weights.to_string());
    Ok(out)
}

/// The shards an `*.index.json` names, in order.
fn shards(index: &Path) -> Result<Vec<String>> {
    let v = crate::util::read_json(index)?;
    let map = v
        .get("weight_map")
        .and_then(serde_json::Value::as_object)
        .ok_or_else(|| Error::File {
            path: index.into(),
            message: "no 'weight_map' object".into(),
        })?;
    let mut names: Vec<String> = map
        .values()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect();
    names.sort();
    names.dedup();
    for n in &names {
        if n.contains('/') || n.contains('\\') || n.starts_with('.') {
            return Err(Error::File {
                path: index.into(),
                message: format!("shard name '{n}' is not a file of the folder"),
            });
        }
    }
    Ok(names)
}

/// Makes a snapshot's weights loadable as `model.safetensors`, written beside the Hub's
/// files when they are PyTorch pickles (`pytorch_model.bin`, read by candle's pickle
/// reader: no Python) or shards of either format (merged). Each written tensor is read
/// back and compared with its source before the file takes its name. A folder that has
/// `model.safetensors` or `rust_model.ot` already is left alone.
pub fn prepare_weights(dir: &Path) -> Result<Option<PathBuf>> {
    let target = dir.join("model.safetensors");
    if target.exists() || dir.join("rust_model.ot").exists() {
        return Ok(None);
    }
    let sources: Vec<PathBuf> = if dir.join("model.safetensors.index.json").is_file() {
        shards(&dir.join("model.safetensors.index.json"))?
            .into_iter()
            .map(|s| dir.join(s))
            .collect()
    } else if dir.join("pytorch_model.bin").is_file() {
        vec![dir.join("pytorch_model.bin")]
    } else if dir.join("pytorch_model.bin.index.json").is_file() {
        shards(&dir.join("pytorch_model.bin.index.json"))?
            .into_iter()
            .map(|s| dir.join(s))
            .collect()
    } else {
        return Ok(None);
    };
    let mut tensors: Vec<(String, tch::Tensor)> = Vec::new();
    for src in &sources {
        let read = if src.extension().is_some_and(|e| e == "safetensors") {
            tch::Tensor::read_safetensors(src).map_err(|e| e.to_string())
        } else {
            read_pickle(src)
        };
        let read = read.map_err(|e| Error::File {
            path: src.clone(),
            message: format!(
                "cannot read the weights to convert them ({}); the file may be truncated \
                 or not a PyTorch state dict: run `parallax models pull` again",
                e.lines().next().unwrap_or_default()
            ),
        })?;
        tensors.extend(read.into_iter().map(|(n, t)| (n, t.contiguous())));
    }
    let mut seen = BTreeSet::new();
    for (name, _) in &tensors {
        if !seen.insert(name.as_str()) {
            return Err(Error::File {
                path: dir.into(),
                message: format!("tensor '{name}' is in two shards; the checkpoint is broken"),
            });
        }
    }
    let partial = dir.join("model.safetensors.parallax-partial");
    let fail = |message: String| {
        let _ = std::fs::remove_file(&partial);
        Error::File {
            path: target.clone(),
            message,
        }
    };
    tch::Tensor::write_safetensors(&tensors, &partial)
        .map_err(|e| fail(format!("cannot write the converted weights: {e}")))?;
    let back = tch::Tensor::read_safetensors(&partial)
        .map_err(|e| fail(format!("cannot read back the converted weights: {e}")))?;
    let back: std::collections::HashMap<String, tch::Tensor> = back.into_iter().collect();
    for (name, t) in &tensors {
        let same = back
            .get(name)
            .is_some_and(|b| b.size() == t.size() && b.kind() == t.kind() && b.equal(t));
        if !same {
            return Err(fail(format!(
                "the converted tensor '{name}' differs from its source; nothing was kept"
            )));
        }
    }
    if back.len() != tensors.len() {
        return Err(fail(
            "the converted file has extra tensors; nothing was kept".into(),
        ));
    }
    std::fs::rename(&partial, &target).map_err(|e| fail(e.to_string()))?;
    tracing::info!(
        tensors = tensors.len(),
        from = %sources[0].display(),
        "weights converted to {}",
        target.display()
    );
    Ok(Some(target))
}

/// The tensors of a PyTorch pickle (`torch.save` of a state dict) as libtorch tensors,
/// through candle's reader; values are copied as they are, in their own dtype.
fn read_pickle(path: &Path) -> std::result::Result<Vec<(String, tch::Tensor)>, String> {
    use candle_core::DType as D;
    let tensors = candle_core::pickle::read_all(path).map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(tensors.len());
    for (name, t) in tensors {
        let shape: Vec<i64> = t.dims().iter().map(|&d| d as i64).collect();
        let flat = t.flatten_all().map_err(|e| e.to_string())?;
        let err = |e: candle_core::Error| format!("tensor '{name}': {e}");
        let data = match t.dtype() {
            D::F32 => tch::Tensor::from_slice(&flat.to_vec1::<f32>().map_err(err)?),
            D::F64 => tch::Tensor::from_slice(&flat.to_vec1::<f64>().map_err(err)?),
            D::F16 => tch::Tensor::from_slice(&flat.to_vec1::<half::f16>().map_err(err)?),
            D::BF16 => tch::Tensor::from_slice(&flat.to_vec1::<half::bf16>().map_err(err)?),
            D::I64 => tch::Tensor::from_slice(&flat.to_vec1::<i64>().map_err(err)?),
            D::U8 => tch::Tensor::from_slice(&flat.to_vec1::<u8>().map_err(err)?),
            other => {
                return Err(format!(
                    "tensor '{name}' has dtype {other:?}, not converted"
                ))
            }
        };
        out.push((name, data.view(shape.as_slice())));
    }
    Ok(out)
}

/// What a file's check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The content hashes to the Hub's etag (sha256 for LFS files, git's blob sha1 else).
    Ok,
    /// The content does not match: `expected` etag, `found` hash.
    Corrupt {
        /// The etag (the blob's name).
        expected: String,
        /// The content's hash.
        found: String,
    },
    /// Not a Hub blob (a file parallax wrote, or a copy): nothing to check against.
    Unchecked,
}

/// The blob a snapshot entry points to, if it is a Hub symlink.
fn blob_of(entry: &Path) -> Option<PathBuf> {
    let target = std::fs::read_link(entry).ok()?;
    let blob = entry.parent()?.join(target);
    blob.parent()?
        .file_name()
        .is_some_and(|n| n == "blobs")
        .then_some(blob)
}

/// Checks a snapshot entry against the etag its blob is named by: the Hub names LFS files
/// by their sha256 and other files by git's blob sha1, and the cache names blobs by etag.
pub fn check(entry: &Path) -> Result<Check> {
    let Some(blob) = blob_of(entry) else {
        return Ok(Check::Unchecked);
    };
    let etag = blob
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let found = if etag.len() == 64 && etag.bytes().all(|b| b.is_ascii_hexdigit()) {
        super::store::sha256_file(&blob)?
    } else if etag.len() == 40 && etag.bytes().all(|b| b.is_ascii_hexdigit()) {
        let len = std::fs::metadata(&blob)
            .map_err(|e| Error::io(&blob, e))?
            .len();
        super::store::hash_file(
            &blob,
            <sha1::Sha1 as sha1::Digest>::new(),
            format!("blob {len}\0").as_bytes(),
        )?
    } else {
        return Ok(Check::Unchecked);
    };
    Ok(if found.eq_ignore_ascii_case(&etag) {
        Check::Ok
    } else {
        Check::Corrupt {
            expected: etag,
            found,
        }
    })
}

/// What `pull` did.
#[derive(Debug)]
pub struct Pulled {
    /// The snapshot folder.
    pub dir: PathBuf,
    /// The commit the revision pointed to.
    pub commit: String,
    /// Files fetched now.
    pub downloaded: Vec<String>,
    /// Files already in the cache, checked.
    pub cached: Vec<String>,
    /// The weights file parallax wrote from PyTorch pickles or shards, if any.
    pub converted: Option<PathBuf>,
}

fn hub_error(id: &HubId, file: Option<&str>, e: ApiError) -> Error {
    let what = match file {
        Some(f) => format!("{id}: {f}"),
        None => id.to_string(),
    };
    let message = match e {
        ApiError::RequestError(e) => match *e {
            ureq2::Error::Status(401 | 403, _) => format!(
                "{what}: the Hub refused access (private or gated model): set HF_TOKEN to a \
                 token with read access (or run `huggingface-cli login`), and accept the \
                 model's terms on its page if it is gated"
            ),
            ureq2::Error::Status(404, _) => {
                format!("{what}: not found: check the model id and revision (ORG/NAME@REVISION)")
            }
            ureq2::Error::Status(code, _) => format!("{what}: the Hub answered HTTP {code}"),
            ureq2::Error::Transport(t) => format!(
                "{what}: cannot reach the Hub ({t}); run again to resume (the part already \
                 downloaded is kept), set HF_ENDPOINT for a mirror, or HF_HUB_OFFLINE=1 to work \
                 from the cache"
            ),
        },
        ApiError::IoError(e) => {
            format!("{what}: the download broke off ({e}); run the same command again to resume it")
        }
        ApiError::InvalidResume => format!(
            "{what}: a partial download in the cache is longer than the file; remove the \
             *.part file under the model's blobs folder and pull again"
        ),
        other => format!("{what}: {other}"),
    };
    Error::Input(message)
}

/// Downloads what parallax needs of `id` (see [`wanted`]) into the Hub cache, resuming
/// any partial download and checking every file against its etag; a file that does not
/// match is removed and the pull fails. PyTorch-only weights are converted at once, so a
/// later run reads them directly. `HF_HUB_OFFLINE` forbids it.
pub fn pull(id: &HubId, progress: bool) -> Result<Pulled> {
    if offline() {
        return Err(Error::Input(format!(
            "HF_HUB_OFFLINE is set, so `models pull {id}` may not use the network; unset it \
             on a connected machine, or copy a Hugging Face cache that holds the model"
        )));
    }
    let cache = cache_dir()?;
    let mut builder = ApiBuilder::from_cache(Cache::new(cache.clone()))
        .with_progress(progress)
        .with_token(token());
    if let Some(endpoint) = env("HF_ENDPOINT") {
        builder = builder.with_endpoint(endpoint.trim_end_matches('/').to_string());
    }
    let api = builder.build().map_err(|e| hub_error(id, None, e))?;
    let repo = api.repo(id.repo());
    let info = repo.info().map_err(|e| hub_error(id, None, e))?;
    let listed: BTreeSet<String> = info.siblings.iter().map(|s| s.rfilename.clone()).collect();
    let mut files = wanted(&listed).map_err(|why| Error::Input(format!("{id}: {why}")))?;
    let snap = id.folder(&cache).join("snapshots").join(&info.sha);
    let mut pulled = Pulled {
        dir: snap.clone(),
        commit: info.sha.clone(),
        downloaded: Vec::new(),
        cached: Vec::new(),
        converted: None,
    };
    let mut i = 0;
    while i < files.len() {
        let file = files[i].clone();
        i += 1;
        let entry = snap.join(&file);
        if entry.exists() && check(&entry)? != Check::Ok {
            // A copy that does not verify is fetched again.
            let _ = std::fs::remove_file(&entry);
        }
        let path = if entry.exists() {
            pulled.cached.push(file.clone());
            entry
        } else {
            let path = repo
                .download(&file)
                .map_err(|e| hub_error(id, Some(&file), e))?;
            if let Check::Corrupt { expected, found } = check(&path)? {
                if let Some(blob) = blob_of(&path) {
                    let _ = std::fs::remove_file(blob);
                }
                let _ = std::fs::remove_file(&path);
                return Err(Error::Input(format!(
                    "{id}: {file}: the download does not match the Hub's hash (expected \
                     {expected}, got {found}); it was not kept: run the pull again"
                )));
            }
            pulled.downloaded.push(file.clone());
            path
        };
        if file.ends_with(".index.json") {
            files.extend(shards(&path)?);
        }
    }
    // hf-hub points the revision's ref at the commit as it downloads; a pull where every
    // file was cached still records it.
    if !is_commit(&id.revision) {
        Cache::new(cache)
            .repo(id.repo())
            .create_ref(&info.sha)
            .map_err(|e| Error::io(&snap, e))?;
    }
    pulled.converted = prepare_weights(&snap)?;
    Ok(pulled)
}

/// One cached Hub model, for `models list`.
#[derive(Debug, Clone)]
pub struct Cached {
    /// `ORG/NAME`.
    pub repo: String,
    /// The revision names that point at a snapshot (`main`, tags).
    pub revisions: Vec<String>,
    /// The snapshot of the first revision (or the newest snapshot).
    pub dir: PathBuf,
    /// `architectures[0]` of its config.
    pub architecture: String,
    /// The parallax task the architecture serves, guessed.
    pub task: &'static str,
    /// Bytes of its blobs.
    pub size_bytes: u64,
}

/// The parallax task an architecture name suggests.
pub fn task_of(architecture: &str, config: &serde_json::Value) -> &'static str {
    let entail = config
        .get("label2id")
        .and_then(serde_json::Value::as_object)
        .is_some_and(|m| m.keys().any(|k| k.eq_ignore_ascii_case("entailment")));
    if architecture.ends_with("ForConditionalGeneration") {
        "summarize (abstractive)"
    } else if architecture.ends_with("ForSequenceClassification") && entail {
        "nli"
    } else if architecture.ends_with("Model") || architecture.is_empty() {
        "embed"
    } else {
        "unknown"
    }
}

/// The models in the Hub cache (an empty list when it does not exist).
pub fn cached_models() -> Result<Vec<Cached>> {
    let cache = cache_dir()?;
    let Ok(entries) = std::fs::read_dir(&cache) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(rest) = name.strip_prefix("models--") else {
            continue;
        };
        let Some((org, model)) = rest.split_once("--") else {
            continue;
        };
        let folder = entry.path();
        let mut revisions = Vec::new();
        let mut dir = None;
        if let Ok(refs) = std::fs::read_dir(folder.join("refs")) {
            for r in refs.flatten() {
                let commit = std::fs::read_to_string(r.path()).unwrap_or_default();
                let snap = folder.join("snapshots").join(commit.trim());
                if snap.join("config.json").exists() {
                    revisions.push(r.file_name().to_string_lossy().to_string());
                    if dir.is_none() || revisions.last().is_some_and(|r| r == "main") {
                        dir = Some(snap);
                    }
                }
            }
        }
        let dir = match dir {
            Some(d) => d,
            None => match std::fs::read_dir(folder.join("snapshots"))
                .ok()
                .and_then(|s| {
                    s.flatten()
                        .map(|e| e.path())
                        .find(|p| p.join("config.json").exists())
                }) {
                Some(d) => d,
                None => continue,
            },
        };
        revisions.sort();
        let config: serde_json::Value = std::fs::read_to_string(dir.join("config.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        let architecture = config
            .get("architectures")
            .and_then(|a| a.get(0))
            .and_then(serde_json::Value::as_str)
            .unwrap_or("")
            .to_string();
        let size_bytes = std::fs::read_dir(folder.join("blobs"))
            .map(|b| {
                b.flatten()
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0);
        out.push(Cached {
            repo: format!("{org}/{model}"),
            revisions,
            task: task_of(&architecture, &config),
            architecture,
            dir,
            size_bytes,
        });
    }
    out.sort_by(|a, b| a.repo.cmp(&b.repo));
    Ok(out)
}

/// Every file of `id`'s cached snapshot with its check, for `models verify ORG/NAME`.
pub fn verify(id: &HubId) -> Result<Vec<(PathBuf, Check)>> {
    let snap = cached_snapshot(id)?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&snap)
        .map_err(|e| Error::io(&snap, e))?
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|f| check(&f).map(|c| (f, c)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_hub_rules_and_cannot_leave_the_cache() {
        let id = HubId::parse("sshleifer/distilbart-cnn-12-6").unwrap();
        assert_eq!(id.revision, "main");
        assert_eq!(id.to_string(), "sshleifer/distilbart-cnn-12-6");
        let id = HubId::parse("facebook/bart-large-mnli@refs/pr/3").unwrap();
        assert_eq!(
            (id.repo.as_str(), id.revision.as_str()),
            ("facebook/bart-large-mnli", "refs/pr/3")
        );
        for bad in [
            "bart",
            "a/b/c",
            "../x",
            "org/..",
            "org/name@",
            "org/name@../../etc",
            "org/name@/abs",
            "org/na me",
            "org/-x",
            "",
        ] {
            assert!(HubId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_files_pulled_are_config_tokenizer_and_one_set_of_weights() {
        let set = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        let got = wanted(&set(&[
            "config.json",
            "vocab.json",
            "merges.txt",
            "pytorch_model.bin",
            "model.safetensors",
            "tf_model.h5",
            "flax_model.msgpack",
            "rust_model.ot",
            "README.md",
        ]))
        .unwrap();
        assert_eq!(
            got,
            [
                "config.json",
                "vocab.json",
                "merges.txt",
                "model.safetensors"
            ]
        );
        let got = wanted(&set(&[
            "config.json",
            "tokenizer.json",
            "pytorch_model.bin",
        ]))
        .unwrap();
        assert_eq!(got, ["config.json", "tokenizer.json", "pytorch_model.bin"]);
        assert!(wanted(&set(&["config.json", "tf_model.h5"]))
            .unwrap_err()
            .contains("no weights"));
        assert!(wanted(&set(&["model.safetensors"]))
            .unwrap_err()
            .contains("config.json"));
    }

    #[test]
    fn tasks_are_guessed_from_the_architecture() {
        let nli =
            serde_json::json!({"label2id": {"contradiction": 0, "neutral": 1, "entailment": 2}});
        assert_eq!(task_of("BartForSequenceClassification", &nli), "nli");
        assert_eq!(
            task_of("BartForConditionalGeneration", &nli),
            "summarize (abstractive)"
        );
        assert_eq!(task_of("BertModel", &serde_json::json!({})), "embed");
        assert_eq!(
            task_of("BertForSequenceClassification", &serde_json::json!({})),
            "unknown"
        );
    }
}
