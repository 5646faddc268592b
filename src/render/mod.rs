//! Render stage: turn analysis results into text, markdown or JSON. Nothing here computes.

pub mod compare;
pub mod html;
pub mod summary;

/// Output formats every command that writes results offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Human-readable text.
    #[default]
    Text,
    Markdown,
    /// One JSON object per input (JSON Lines when there are several).
    Json,
}
