//! The seam between the batching core and a model. The core hands a backend one packed
//! batch of tokenized inputs and gets one output per input back, in the same order; a
//! backend never sees scheduling, and the core never sees tensors.

use crate::error::Result;

/// One tokenized input: ids with the model's special tokens already added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokenized {
    /// Token ids.
    pub ids: Vec<i64>,
    /// Segment ids (0 for a single text; 1 for the second text of a pair, where the model uses them).
    pub type_ids: Vec<i64>,
}

impl Tokenized {
    /// Tokens, special tokens included.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether it has no tokens.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// A model that turns a batch of tokenized inputs into one output each.
pub trait Backend {
    /// What the model gives per input: a vector, logits, generated ids.
    type Output: Send;

    /// The longest input, in tokens (special tokens included), the model accepts.
    fn max_input_tokens(&self) -> usize;

    /// Runs one batch. `batch` is in the order the scheduler chose; the result must be in
    /// that same order, one output per input.
    fn run(&self, batch: &[&Tokenized]) -> Result<Vec<Self::Output>>;
}

/// A batch laid out as row-major `rows × width` matrices, right-padded: what every
/// transformer backend feeds the model.
pub struct Padded {
    /// Token ids, padded.
    pub ids: Vec<i64>,
    /// Segment ids, padded with 0.
    pub type_ids: Vec<i64>,
    /// 1 for a real token, 0 for padding.
    pub mask: Vec<i64>,
    /// Inputs in the batch.
    pub rows: usize,
    /// Tokens per row: the longest input.
    pub width: usize,
}

impl Padded {
    /// Lays out a batch, padding every row to the longest with `pad_id`.
    pub fn new(batch: &[&Tokenized], pad_id: i64) -> Self {
        let rows = batch.len();
        let width = batch.iter().map(|t| t.len()).max().unwrap_or(1).max(1);
        let mut ids = vec![pad_id; rows * width];
        let mut type_ids = vec![0i64; rows * width];
        let mut mask = vec![0i64; rows * width];
        for (r, t) in batch.iter().enumerate() {
            let at = r * width;
            ids[at..at + t.len()].copy_from_slice(&t.ids);
            type_ids[at..at + t.len()].copy_from_slice(&t.type_ids);
            mask[at..at + t.len()].fill(1);
        }
        Self {
            ids,
            type_ids,
            mask,
            rows,
            width,
        }
    }

    /// One of the matrices as a `rows × width` tensor on `device`.
    pub fn tensor(&self, m: &[i64], device: tch::Device) -> tch::Tensor {
        tch::Tensor::from_slice(m)
            .view([self.rows as i64, self.width as i64])
            .to(device)
    }
}
