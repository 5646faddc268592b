//! Analyze stage: summaries (extractive and abstractive), comparisons of coverage, and
//! ROUGE, computed from what the encode stage gives.

pub mod abstractive;
pub mod compare;
pub mod eval;
pub mod eval_compare;
pub mod extractive;
pub mod rouge;
pub mod stories;
pub mod summarize;
