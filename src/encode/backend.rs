//! The seam between the batching core and a model. The core hands a backend one packed
//! batch of tokenized inputs and gets one output per input back, in the same order; a
//! backend never sees scheduling, and the core never sees tensors.

use crate::error::Result;

/// One tokenized input: ids with the model's special tokens already added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokenized {
    pub ids: Vec<i64>,
    pub type_ids: Vec<i64>,
}

impl Tokenized {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// A model that turns a batch of tokenized inputs into one output each.
pub trait Backend {
    type Output: Send;

    /// The longest input, in tokens (special tokens included), the model accepts.
    fn max_input_tokens(&self) -> usize;

    /// Runs one batch. `batch` is in the order the scheduler chose; the result must be in
    /// that same order, one output per input.
    fn run(&self, batch: &[&Tokenized]) -> Result<Vec<Self::Output>>;
}
