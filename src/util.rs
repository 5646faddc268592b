//! Small helpers shared by several stages.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Reads a whole JSON file (a model's config, a shard index); an unreadable file or bad
/// JSON is an error that names it.
pub fn read_json(path: &Path) -> Result<serde_json::Value> {
    let text = fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::File {
        path: path.to_path_buf(),
        message: format!("not valid JSON: {e}"),
    })
}

/// Writes a whole file as `-o` does (see [`crate::output`]): a regular file through a
/// temporary sibling and a rename, so a crash never leaves a half-written output where the
/// user's data was; a symlink's target rather than the link; a device or FIFO in place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::output::write(path, bytes)
}

/// The hidden temporary beside `path` that an atomic write goes through: same folder (so
/// the final rename cannot cross file systems), named after the target and this process.
pub fn temp_sibling(path: &Path) -> PathBuf {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    dir.join(format!(".{name}.{}.tmp", std::process::id()))
}
