//! Models: the committed manifest, the installed models folder, and resolving what the user
//! asked for (`--model NAME`, `--model-dir DIR`) into a checked folder.

pub mod e5;
pub mod manifest;
pub mod resolve;
pub mod store;

pub use manifest::{Manifest, ModelEntry};
pub use resolve::{resolve, ModelSpec, ResolvedModel, Weights};
