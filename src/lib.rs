//! parallax: summarize news articles and compare how outlets cover the same story, with
//! transformer models that run locally (rust-bert on libtorch).
//!
//! Data flows one way through the stages, one module each:
//! [`input`] (load, clean, split into sentences) → [`encode`] (the batching core runs the
//! model) → [`analyze`] (summaries, comparisons) → [`render`] (text, markdown, JSON, HTML).
//! [`models`] resolves and checks model folders; [`device`] picks CPU or GPU; [`jobs`]
//! runs resumable, sharded passes over a corpus; [`output`] writes the files users name
//! (`-o`) without destroying devices, links or the command's own inputs.
//!
//! Every public item is documented (`missing_docs`): the library is what the CLI, the
//! tests and any embedding program build on.

#![warn(missing_docs)]

pub mod analyze;
pub mod device;
pub mod encode;
pub mod error;
pub mod input;
pub mod jobs;
pub mod models;
pub mod output;
pub mod render;
pub mod util;

pub use error::{Error, Result};
