//! Input stage: load documents, clean them, split them into sentences.

pub mod debris;
pub mod document;
pub mod fetch;
pub mod html;
pub mod language;
pub mod lines;
pub mod sentences;

pub use document::{load_all, Document};
pub use sentences::{split, Sentence};
