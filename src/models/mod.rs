//! Models: the committed manifest, the installed models folder, and resolving what the user
//! asked for (`--model NAME`, `--model ORG/NAME` from the Hugging Face cache, `--model-dir
//! DIR`) into a checked folder.

pub mod e5;
pub mod hub;
pub mod manifest;
pub mod resolve;
pub mod store;

pub use manifest::{Manifest, ModelEntry};
pub use resolve::{resolve, ModelConfig, ModelSpec, ResolvedModel, Weights};
