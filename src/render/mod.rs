//! Render stage: turn analysis results into text, markdown, JSON or (for comparisons) a
//! self-contained HTML page. One renderer per format; nothing here computes.

pub mod compare;
pub mod html;
pub mod stories;
pub mod summary;

/// Output formats every command that writes results offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Human-readable text.
    #[default]
    Text,
    /// Markdown.
    Markdown,
    /// One JSON object per input (JSON Lines when there are several).
    Json,
}
