//! Model resolution, shared by every model command: `--model NAME` (from the manifest),
//! `--model-dir DIR` (any Hugging Face-style folder), or the task's default model.

use std::path::{Path, PathBuf};

use super::manifest::{Manifest, ModelEntry};
use super::store;
use crate::error::{Error, Result};

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub enum ModelSpec {
    /// The task's default model from the manifest.
    #[default]
    Default,
    /// A manifest model by name.
    Name(String),
    /// A Hugging Face Hub model in the local Hub cache: `ORG/NAME[@REVISION]`.
    Hub(String),
    /// Any Hugging Face-style folder.
    Dir(PathBuf),
}

impl ModelSpec {
    /// `--model-dir` wins over `--model`; neither is the default. A name with a '/' is a
    /// Hub id (manifest names have none).
    pub fn from_args(name: Option<String>, dir: Option<PathBuf>) -> Self {
        match (name, dir) {
            (_, Some(d)) => ModelSpec::Dir(d),
            (Some(n), None) if n.contains('/') => ModelSpec::Hub(n),
            (Some(n), None) => ModelSpec::Name(n),
            (None, None) => ModelSpec::Default,
        }
    }
}

/// The weights file of a model folder, by format.
#[derive(Debug, Clone)]
pub enum Weights {
    /// `model.safetensors`.
    Safetensors(PathBuf),
    /// rust-bert's converted libtorch format.
    Ot(PathBuf),
}

impl Weights {
    /// The weights file.
    pub fn path(&self) -> &Path {
        match self {
            Weights::Safetensors(p) | Weights::Ot(p) => p,
        }
    }

    /// The error of weights that would not load, for every backend alike: the loaders'
    /// messages run to many lines of tensor names, so the first line is kept.
    pub fn load_error(&self, e: impl std::fmt::Display) -> Error {
        Error::File {
            path: self.path().to_path_buf(),
            message: format!(
                "cannot load the weights ({}); the file may be truncated, corrupt, or for another architecture",
                e.to_string().lines().next().unwrap_or_default()
            ),
        }
    }
}

/// A model folder's `config.json`, read once for whichever backend opens it: `model_type`
/// picks the architecture, and every problem is an error that names the file. rust-bert's
/// own config readers panic on a field they cannot parse, so each backend parses with
/// [`ModelConfig::parse`] first.
#[derive(Debug, Clone)]
pub struct ModelConfig {
    /// The file.
    pub path: PathBuf,
    /// Its JSON.
    pub raw: serde_json::Value,
    /// Its `model_type`, or "" when it has none.
    pub model_type: String,
}

impl ModelConfig {
    /// The config as an architecture's serde type; `arch` names it in the error.
    pub fn parse<T: serde::de::DeserializeOwned>(&self, arch: &str) -> Result<T> {
        serde_json::from_value(self.raw.clone())
            .map_err(|e| self.error(format!("not a {arch} config: {e}")))
    }

    /// An error about this config file.
    pub fn error(&self, message: impl Into<String>) -> Error {
        Error::File {
            path: self.path.clone(),
            message: message.into(),
        }
    }

    /// An integer field, if present.
    pub fn int(&self, key: &str) -> Option<i64> {
        self.raw.get(key).and_then(serde_json::Value::as_i64)
    }
}

/// A model folder that has been checked enough to try loading it.
#[derive(Debug, Clone)]
pub struct ResolvedModel {
    /// Manifest name, or the folder's name for `--model-dir`.
    pub name: String,
    /// The folder.
    pub dir: PathBuf,
    /// Its `config.json`.
    pub config: PathBuf,
    /// Its weights file.
    pub weights: Weights,
    /// The manifest entry, when the model came from it.
    pub entry: Option<ModelEntry>,
}

impl ResolvedModel {
    /// Reads `config.json`.
    pub fn read_config(&self) -> Result<ModelConfig> {
        let raw = crate::util::read_json(&self.config)?;
        let model_type = raw
            .get("model_type")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("")
            .to_string();
        Ok(ModelConfig {
            path: self.config.clone(),
            raw,
            model_type,
        })
    }

    /// A file of the folder, if it exists.
    pub fn file(&self, name: &str) -> Option<PathBuf> {
        let p = self.dir.join(name);
        p.is_file().then_some(p)
    }

    /// Longest input in tokens: the manifest's or sentence-transformers' `max_seq_length`,
    /// else the position embeddings of `config.json`.
    pub fn max_seq_length(&self, max_position_embeddings: usize) -> usize {
        if let Some(n) = self.entry.as_ref().and_then(|e| e.max_seq_length) {
            return n;
        }
        let st = self
            .file("sentence_bert_config.json")
            .and_then(|p| std::fs::read_to_string(p).ok())
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| v.get("max_seq_length")?.as_u64());
        match st {
            Some(n) => (n as usize).min(max_position_embeddings),
            None => max_position_embeddings,
        }
    }
}

/// Finds and checks the model for `task`. Errors say exactly what is missing and what to run.
pub fn resolve(spec: &ModelSpec, task: &str) -> Result<ResolvedModel> {
    let manifest = Manifest::embedded();
    match spec {
        ModelSpec::Dir(dir) => resolve_dir(dir, dir_name(dir), None),
        ModelSpec::Name(name) => resolve_entry(manifest.get(name)?),
        ModelSpec::Hub(text) => {
            let id = super::hub::HubId::parse(text)?;
            let dir = super::hub::snapshot(&id)?;
            resolve_dir(&dir, id.to_string(), None)
        }
        ModelSpec::Default => {
            let entry = manifest.default_for(task).ok_or_else(|| {
                Error::Input(format!(
                    "no default model for task '{task}'; pass --model-dir DIR"
                ))
            })?;
            resolve_entry(entry)
        }
    }
}

fn resolve_entry(entry: &ModelEntry) -> Result<ResolvedModel> {
    let dir = store::models_dir().join(&entry.name);
    store::ensure_sound(&dir, entry)?;
    resolve_dir(&dir, entry.name.clone(), Some(entry.clone()))
}

fn dir_name(dir: &Path) -> String {
    dir.canonicalize()
        .unwrap_or_else(|_| dir.to_path_buf())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string())
}

fn resolve_dir(dir: &Path, name: String, entry: Option<ModelEntry>) -> Result<ResolvedModel> {
    let bad = |problem: &str| Error::BadModelDir {
        dir: dir.to_path_buf(),
        problem: problem.to_string(),
    };
    if !dir.exists() {
        return Err(bad("does not exist"));
    }
    if !dir.is_dir() {
        return Err(bad(
            "is not a folder; --model-dir takes a Hugging Face-style model folder",
        ));
    }
    let config = dir.join("config.json");
    if !config.is_file() {
        return Err(bad(
            "has no config.json: a Hugging Face-style model folder holds config.json, \
             model.safetensors (or rust_model.ot) and tokenizer.json (or the architecture's vocab files)",
        ));
    }
    let weights = if dir.join("model.safetensors").is_file() {
        Weights::Safetensors(dir.join("model.safetensors"))
    } else if dir.join("rust_model.ot").is_file() {
        Weights::Ot(dir.join("rust_model.ot"))
    } else {
        return Err(bad(
            "has no weights: expected model.safetensors or rust_model.ot \
             (a pytorch_model.bin must be converted first, e.g. with rust-bert's convert_model.py)",
        ));
    };
    Ok(ResolvedModel {
        name,
        dir: dir.to_path_buf(),
        config,
        weights,
        entry,
    })
}
