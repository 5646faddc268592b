//! The models folder: where installed models live, and checking their files against the
//! manifest. Full sha256 checks of a 90 MB file cost a few hundred milliseconds, so loading
//! a model re-hashes only when a file's size or modification time changed since the last
//! good check (recorded in a stamp file beside the weights).

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::manifest::{FileEntry, ModelEntry};
use crate::error::{Error, Result};

/// Environment variable that relocates the models folder.
pub const MODELS_ENV: &str = "PARALLAX_MODELS";
const STAMP: &str = ".parallax-verified.json";

/// `$PARALLAX_MODELS`, else the `models/` folder of the checkout this binary was built from
/// (where `scripts/setup.sh` installs them).
pub fn models_dir() -> PathBuf {
    match std::env::var_os(MODELS_ENV) {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/models")),
    }
}

/// The state of one file of an installed model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum FileStatus {
    /// Size and hash as the manifest says.
    Ok,
    /// Not there.
    Missing,
    /// Not the size the manifest says.
    WrongSize {
        /// The manifest's size.
        expected: u64,
        /// The file's.
        actual: u64,
    },
    /// Not the hash the manifest says.
    WrongHash {
        /// The manifest's hash.
        expected: String,
        /// The file's.
        actual: String,
    },
}

impl FileStatus {
    /// Whether the file is as it should be.
    pub fn is_ok(&self) -> bool {
        matches!(self, FileStatus::Ok)
    }

    /// What is wrong, in words.
    pub fn describe(&self) -> String {
        match self {
            FileStatus::Ok => "ok".into(),
            FileStatus::Missing => "missing".into(),
            FileStatus::WrongSize { expected, actual } => {
                format!("truncated or wrong size ({actual} bytes, expected {expected})")
            }
            FileStatus::WrongHash { .. } => "corrupt (sha256 differs from the manifest)".into(),
        }
    }
}

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> Result<String> {
    hash_file(path, Sha256::new(), b"")
}

/// A file's digest by `h` after `prefix` (git's blob hash puts a header first), hex; read
/// a megabyte at a time.
pub fn hash_file(path: &Path, mut h: impl sha2::Digest, prefix: &[u8]) -> Result<String> {
    let mut f = fs::File::open(path).map_err(|e| Error::io(path, e))?;
    h.update(prefix);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Checks one file fully (size, then sha256).
pub fn check_file(dir: &Path, entry: &FileEntry) -> Result<FileStatus> {
    let path = dir.join(&entry.path);
    let Ok(meta) = fs::metadata(&path) else {
        return Ok(FileStatus::Missing);
    };
    if meta.len() != entry.size {
        return Ok(FileStatus::WrongSize {
            expected: entry.size,
            actual: meta.len(),
        });
    }
    let actual = sha256_file(&path)?;
    if actual != entry.sha256 {
        return Ok(FileStatus::WrongHash {
            expected: entry.sha256.clone(),
            actual,
        });
    }
    Ok(FileStatus::Ok)
}

/// Full check of every file of a model, in manifest order.
pub fn verify(dir: &Path, model: &ModelEntry) -> Result<Vec<(FileEntry, FileStatus)>> {
    let out = model
        .files
        .iter()
        .map(|f| Ok((f.clone(), check_file(dir, f)?)))
        .collect::<Result<Vec<_>>>()?;
    if out.iter().all(|(_, s)| s.is_ok()) {
        write_stamp(dir, model);
    }
    Ok(out)
}

/// Whether the model is installed: every file present (sizes are not checked here).
pub fn is_installed(dir: &Path, model: &ModelEntry) -> bool {
    model.files.iter().all(|f| dir.join(&f.path).is_file())
}

/// The check run before a model is loaded: cheap when nothing changed since the last full
/// check, a full check otherwise. Errors name the file and the command that fixes it.
pub fn ensure_sound(dir: &Path, model: &ModelEntry) -> Result<()> {
    if !dir.is_dir() {
        return Err(Error::ModelNotInstalled {
            name: model.name.clone(),
            path: dir.to_path_buf(),
        });
    }
    if let Some(f) = model.files.iter().find(|f| !dir.join(&f.path).is_file()) {
        return Err(Error::ModelNotInstalled {
            name: model.name.clone(),
            path: dir.join(&f.path),
        });
    }
    if stamp_matches(dir, model) {
        return Ok(());
    }
    for (file, status) in verify(dir, model)? {
        if !status.is_ok() {
            return Err(Error::ModelCorrupt {
                name: model.name.clone(),
                problem: format!(
                    "{} is {}",
                    dir.join(&file.path).display(),
                    status.describe()
                ),
            });
        }
    }
    Ok(())
}

#[derive(Serialize, Deserialize, PartialEq)]
struct Stamp {
    /// path -> (size, modification time in ns, sha256 it was verified against)
    files: BTreeMap<String, (u64, u128, String)>,
}

fn current_stamp(dir: &Path, model: &ModelEntry) -> Option<Stamp> {
    let mut files = BTreeMap::new();
    for f in &model.files {
        let meta = fs::metadata(dir.join(&f.path)).ok()?;
        let mtime = meta
            .modified()
            .ok()?
            .duration_since(UNIX_EPOCH)
            .ok()?
            .as_nanos();
        files.insert(f.path.clone(), (meta.len(), mtime, f.sha256.clone()));
    }
    Some(Stamp { files })
}

fn stamp_matches(dir: &Path, model: &ModelEntry) -> bool {
    let Ok(text) = fs::read_to_string(dir.join(STAMP)) else {
        return false;
    };
    match (
        serde_json::from_str::<Stamp>(&text),
        current_stamp(dir, model),
    ) {
        (Ok(saved), Some(now)) => saved == now,
        _ => false,
    }
}

/// Best effort: a read-only models folder only means the next load hashes again.
fn write_stamp(dir: &Path, model: &ModelEntry) {
    if let Some(stamp) = current_stamp(dir, model) {
        if let Ok(text) = serde_json::to_string(&stamp) {
            let _ = crate::util::write_atomic(&dir.join(STAMP), text.as_bytes());
        }
    }
}
