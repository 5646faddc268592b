//! Analyze stage: summaries (and, later, comparisons) computed from embedded sentences.

pub mod abstractive;
pub mod compare;
pub mod extractive;
pub mod rouge;
pub mod summarize;
