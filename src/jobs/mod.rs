//! Corpus jobs: `parallax batch` over a JSON Lines corpus, streamed, resumable after a
//! kill, shardable across machines, with bad records reported rather than fatal. (The
//! encoder's batches, the packing of inputs into one model call, are `crate::encode`'s.)
//!
//! - [`records`]: reading the input line by line, and the error record of a bad line;
//! - [`resume`]: what an earlier run wrote, and appending that survives a crash;
//! - [`shard`]: which records a worker owns;
//! - [`run`]: the drivers of the summarize and compare tasks;
//! - [`embed`]: `parallax embed`'s stream of sentences to vectors;
//! - [`stories`]: `parallax stories`'s stream of articles to stories, and [`checkpoint`]
//!   its vectors kept for `--resume`.

pub mod checkpoint;
pub mod embed;
pub mod records;
pub mod resume;
pub mod run;
pub mod shard;
pub mod stories;

pub use records::{error_record, Line, Records};
pub use resume::{Appender, Resume, Sinks};
pub use run::{check_compare_input, compare_groups, summarize, Comparer, Job, Progress, Tally};
pub use shard::Shard;

#[cfg(test)]
mod tests;
