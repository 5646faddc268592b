//! Batch scheduling: which inputs run together. Pure arithmetic on token counts; it knows
//! nothing of models, tensors or summaries, so it is tested and benchmarked on its own.
//!
//! A transformer batch costs about `batch size × longest sequence` tokens of compute, so
//! padding is wasted work. Sorting by length puts similar lengths together; a token budget
//! (rather than a fixed batch size) keeps each batch's padded size, and so its memory and
//! latency, about constant: many short sentences in one batch, few long ones in another.
//! This is the scheme of text-embeddings-inference's queue.

/// Limits on one batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchConfig {
    /// Upper bound on `batch size × longest sequence in the batch` (padded tokens).
    pub batch_tokens: usize,
    /// Upper bound on the number of inputs in one batch.
    pub max_batch_size: usize,
}

impl Default for BatchConfig {
    /// The CPU setting: on this project's 2-core reference machine, budgets above about
    /// 512 tokens fall out of cache and lose throughput (`parallax bench embed`).
    fn default() -> Self {
        Self {
            batch_tokens: 512,
            max_batch_size: 256,
        }
    }
}

impl BatchConfig {
    /// A GPU wants large batches to fill its cores; a CPU wants batches that stay in cache.
    pub fn for_device(device: tch::Device) -> Self {
        match device {
            tch::Device::Cpu => Self::default(),
            _ => Self {
                batch_tokens: 16384,
                max_batch_size: 512,
            },
        }
    }

    /// Generation batches on CPU. rust-bert's `generate` (T5) was fastest at two
    /// ~500-token articles per batch in `benches/abstractive_vs_peer.sh` (8 articles, 4
    /// beams, 60 tokens, 2 threads: 47 s at a 1024-token budget, 54 s one by one, 223 s at
    /// 4096, where its cache copies grow with the rows). parallax's own decoder (BART, Pegasus) copies
    /// no cross-attention state and gains from large batches (every decoding step streams
    /// all decoder weights once, whatever the rows): 28 s at 1024, 20 s at 2048, 17 s at
    /// 4096, 16 s at 8192 (all 8 in one batch). A GPU keeps its large budget.
    pub fn for_generation(device: tch::Device, own_decoder: bool) -> Self {
        match device {
            tch::Device::Cpu => Self {
                batch_tokens: if own_decoder { 8192 } else { 1024 },
                ..Self::default()
            },
            _ => Self::for_device(device),
        }
    }
}

/// One batch: indices into the caller's inputs, and the length every row is padded to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// Positions of its inputs in the caller's list.
    pub indices: Vec<usize>,
    /// Length of its longest input.
    pub padded_len: usize,
}

impl Batch {
    /// Tokens the model computes for this batch, padding included.
    pub fn padded_tokens(&self) -> usize {
        self.indices.len() * self.padded_len
    }
}

/// Token-budget packing: inputs sorted by length (longest first, ties in input order), then
/// filled greedily while `rows × longest ≤ batch_tokens` and `rows ≤ max_batch_size`. An input
/// longer than the whole budget runs alone. Every index appears exactly once.
pub fn plan(lengths: &[usize], cfg: BatchConfig) -> Vec<Batch> {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    // Stable sort: equal lengths keep input order, so the plan is deterministic.
    order.sort_by(|&a, &b| lengths[b].cmp(&lengths[a]));
    let budget = cfg.batch_tokens.max(1);
    let max_rows = cfg.max_batch_size.max(1);
    let mut batches = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut longest = 0;
    for i in order {
        let len = lengths[i].max(1);
        // Sorted descending, so the first row of a batch is its longest.
        let new_longest = longest.max(len);
        if !current.is_empty()
            && ((current.len() + 1) * new_longest > budget || current.len() + 1 > max_rows)
        {
            batches.push(Batch {
                indices: std::mem::take(&mut current),
                padded_len: longest,
            });
            longest = 0;
        }
        longest = longest.max(len);
        current.push(i);
    }
    if !current.is_empty() {
        batches.push(Batch {
            indices: current,
            padded_len: longest,
        });
    }
    batches
}

/// The naive baseline: fixed-size batches in input order (what a simple loop does).
pub fn plan_fixed(lengths: &[usize], batch_size: usize) -> Vec<Batch> {
    (0..lengths.len())
        .collect::<Vec<_>>()
        .chunks(batch_size.max(1))
        .map(|c| Batch {
            indices: c.to_vec(),
            padded_len: c.iter().map(|&i| lengths[i].max(1)).max().unwrap_or(1),
        })
        .collect()
}

/// Real tokens / padded tokens: 1.0 means no compute is spent on padding.
pub fn padding_efficiency(lengths: &[usize], batches: &[Batch]) -> f64 {
    let padded: usize = batches.iter().map(Batch::padded_tokens).sum();
    if padded == 0 {
        return 1.0;
    }
    let real: usize = batches
        .iter()
        .flat_map(|b| b.indices.iter())
        .map(|&i| lengths[i].max(1))
        .sum();
    real as f64 / padded as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covers_each_once(n: usize, batches: &[Batch]) {
        let mut seen: Vec<usize> = batches.iter().flat_map(|b| b.indices.clone()).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..n).collect::<Vec<_>>());
    }

    #[test]
    fn respects_budget_and_row_limit_and_covers_every_input() {
        let lengths: Vec<usize> = (0..1000).map(|i| 5 + (i * 37) % 120).collect();
        let cfg = BatchConfig {
            batch_tokens: 2000,
            max_batch_size: 64,
        };
        let batches = plan(&lengths, cfg);
        covers_each_once(lengths.len(), &batches);
        for b in &batches {
            assert!(b.padded_tokens() <= 2000, "{b:?}");
            assert!(b.indices.len() <= 64);
            assert_eq!(
                b.padded_len,
                b.indices.iter().map(|&i| lengths[i]).max().unwrap()
            );
        }
        let eff = padding_efficiency(&lengths, &batches);
        let fixed = padding_efficiency(&lengths, &plan_fixed(&lengths, 32));
        assert!(eff > 0.95 && eff > fixed, "packed {eff} vs fixed {fixed}");
    }

    #[test]
    fn an_input_over_the_budget_runs_alone() {
        let batches = plan(
            &[10, 5000, 10],
            BatchConfig {
                batch_tokens: 100,
                max_batch_size: 8,
            },
        );
        assert_eq!(batches[0].indices, vec![1]);
        assert_eq!(batches[1].indices, vec![0, 2]);
    }

    #[test]
    fn empty_input_gives_no_batches() {
        assert!(plan(&[], BatchConfig::default()).is_empty());
        assert_eq!(padding_efficiency(&[], &[]), 1.0);
    }
}
