//! The batching core: tokenize in parallel, schedule by length under a token budget, run
//! the backend batch by batch, and hand the outputs back in input order.

use tokenizers::{
    EncodeInput, Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy,
};

use super::backend::{Backend, Tokenized};
use super::scheduler::{self, BatchConfig};
use crate::error::{Error, Result};

/// What to do with an input longer than the model's maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Truncation {
    /// Refuse the whole call with an error that says which input and how long.
    #[default]
    Refuse,
    /// Cut to the maximum (keeping the model's closing special token) and report the index.
    Cut,
}

/// The outputs of one call, in input order, with what the caller must be told.
#[derive(Debug)]
pub struct Encoded<O> {
    /// One output per input, in input order.
    pub outputs: Vec<O>,
    /// Indices of the inputs that were cut (only with `Truncation::Cut`).
    pub truncated: Vec<usize>,
    /// Tokens of each input (special tokens included, after any cut), in input order.
    pub lengths: Vec<usize>,
    /// Real tokens, special tokens included.
    pub tokens: usize,
    /// Tokens the model computed, padding included.
    pub padded_tokens: usize,
    /// Batches run.
    pub batches: usize,
}

/// One input of a call: a text, or a pair that a cross-encoder reads together (an NLI
/// model's premise and hypothesis), joined by the tokenizer's own pair template.
#[derive(Debug, Clone, Copy)]
enum Text<'a> {
    One(&'a str),
    Pair(&'a str, &'a str),
}

/// Owns a tokenizer, a backend and the scheduling limits.
pub struct BatchEncoder<B: Backend> {
    backend: B,
    tokenizer: Tokenizer,
    /// The scheduling limits.
    pub config: BatchConfig,
    /// Put before every input, as the model was trained (e5's "query: ").
    pub prefix: String,
}

impl<B: Backend> BatchEncoder<B> {
    /// The batching core around a backend and its tokenizer.
    pub fn new(backend: B, tokenizer: Tokenizer, config: BatchConfig) -> Self {
        Self {
            backend,
            tokenizer,
            config,
            prefix: String::new(),
        }
    }

    /// The model.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The model, to adjust (a generator's input limit, say).
    pub fn backend_mut(&mut self) -> &mut B {
        &mut self.backend
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Tokenizes without running the model (the tokenizer runs on all cores).
    pub fn tokenize(&self, texts: &[&str]) -> Result<Vec<Tokenized>> {
        self.tokenize_inputs(&texts.iter().map(|t| Text::One(t)).collect::<Vec<_>>())
    }

    /// Tokenizes (premise, hypothesis) pairs as a cross-encoder reads them, without running
    /// the model.
    pub fn tokenize_pairs(&self, pairs: &[(&str, &str)]) -> Result<Vec<Tokenized>> {
        self.tokenize_inputs(
            &pairs
                .iter()
                .map(|&(a, b)| Text::Pair(a, b))
                .collect::<Vec<_>>(),
        )
    }

    fn tokenize_inputs(&self, texts: &[Text]) -> Result<Vec<Tokenized>> {
        let inputs: Vec<EncodeInput> = texts.iter().map(|&t| self.input(t)).collect();
        let encodings = self
            .tokenizer
            .encode_batch(inputs, true)
            .map_err(|e| Error::Tokenizer(e.to_string()))?;
        Ok(encodings.iter().map(tokenized).collect())
    }

    /// The tokenizer's input; the prefix goes before the (first) text, as the model was
    /// trained.
    fn input(&self, text: Text) -> EncodeInput<'static> {
        let first = |t: &str| {
            if self.prefix.is_empty() {
                t.to_string()
            } else {
                format!("{}{t}", self.prefix)
            }
        };
        match text {
            Text::One(a) => EncodeInput::Single(first(a).into()),
            Text::Pair(a, b) => EncodeInput::Dual(first(a).into(), b.to_string().into()),
        }
    }

    /// Runs `texts` through the backend. Outputs come back in input order whatever order
    /// the batches ran in. `truncation` is the caller's: an analysis may cut a long
    /// sentence where `embed` must refuse it, on the same loaded model.
    pub fn encode(&self, texts: &[&str], truncation: Truncation) -> Result<Encoded<B::Output>> {
        self.encode_with(texts, truncation, |_, _| {})
    }

    /// As `encode`, calling `progress(done, total)` after each batch.
    pub fn encode_with(
        &self,
        texts: &[&str],
        truncation: Truncation,
        progress: impl FnMut(usize, usize),
    ) -> Result<Encoded<B::Output>> {
        let texts: Vec<Text> = texts.iter().map(|t| Text::One(t)).collect();
        self.run_inputs(&texts, truncation, progress)
    }

    /// Runs pairs through a cross-encoder (premise, hypothesis), as `encode_with`. With
    /// `Truncation::Cut` the longer text of a pair is the one cut.
    pub fn encode_pairs_with(
        &self,
        pairs: &[(&str, &str)],
        truncation: Truncation,
        progress: impl FnMut(usize, usize),
    ) -> Result<Encoded<B::Output>> {
        let texts: Vec<Text> = pairs.iter().map(|&(a, b)| Text::Pair(a, b)).collect();
        self.run_inputs(&texts, truncation, progress)
    }

    fn run_inputs(
        &self,
        texts: &[Text],
        truncation: Truncation,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<Encoded<B::Output>> {
        let mut inputs = self.tokenize_inputs(texts)?;
        let truncated = self.apply_truncation(texts, &mut inputs, truncation)?;
        let lengths: Vec<usize> = inputs.iter().map(Tokenized::len).collect();
        let batches = scheduler::plan(&lengths, self.config);

        let mut slots: Vec<Option<B::Output>> = (0..texts.len()).map(|_| None).collect();
        let mut done = 0;
        for batch in &batches {
            let rows: Vec<&Tokenized> = batch.indices.iter().map(|&i| &inputs[i]).collect();
            let outputs = self.backend.run(&rows)?;
            if outputs.len() != rows.len() {
                return Err(Error::Model(format!(
                    "backend returned {} outputs for a batch of {}",
                    outputs.len(),
                    rows.len()
                )));
            }
            for (&i, out) in batch.indices.iter().zip(outputs) {
                slots[i] = Some(out);
            }
            done += rows.len();
            progress(done, texts.len());
        }
        Ok(Encoded {
            outputs: slots
                .into_iter()
                .map(|o| o.expect("the scheduler covers every input exactly once"))
                .collect(),
            truncated,
            tokens: lengths.iter().sum(),
            lengths,
            padded_tokens: batches.iter().map(|b| b.padded_tokens()).sum(),
            batches: batches.len(),
        })
    }

    fn apply_truncation(
        &self,
        texts: &[Text],
        inputs: &mut [Tokenized],
        truncation: Truncation,
    ) -> Result<Vec<usize>> {
        let max = self.backend.max_input_tokens();
        let long: Vec<usize> = (0..inputs.len())
            .filter(|&i| inputs[i].len() > max)
            .collect();
        if long.is_empty() {
            return Ok(long);
        }
        if truncation == Truncation::Refuse {
            return Err(Error::TooLong {
                count: long.len(),
                max,
                first: long[0],
                first_len: inputs[long[0]].len(),
            });
        }
        // Re-encode the long ones with the tokenizer's own truncation, which knows how to
        // keep the special tokens of this model's template.
        let mut cutter = self.tokenizer.clone();
        cutter
            .with_truncation(Some(TruncationParams {
                max_length: max,
                strategy: TruncationStrategy::LongestFirst,
                stride: 0,
                direction: TruncationDirection::Right,
            }))
            .map_err(|e| Error::Tokenizer(e.to_string()))?;
        for &i in &long {
            let e = cutter
                .encode(self.input(texts[i]), true)
                .map_err(|e| Error::Tokenizer(e.to_string()))?;
            inputs[i] = tokenized(&e);
        }
        Ok(long)
    }
}

fn tokenized(e: &tokenizers::Encoding) -> Tokenized {
    Tokenized {
        ids: e.get_ids().iter().map(|&i| i as i64).collect(),
        type_ids: e.get_type_ids().iter().map(|&i| i as i64).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::fake;

    const TEXTS: [&str; 6] = [
        "A short one.",
        "A considerably longer sentence with many more words in it than the first.",
        "Medium length sentence here.",
        "x",
        "Another long sentence, about missiles, shelters, and the mayor of Ternopil.",
        "Two words",
    ];

    #[test]
    fn outputs_come_back_in_input_order_at_any_budget() {
        let alone: Vec<Vec<f32>> = TEXTS
            .iter()
            .map(|t| {
                let e = fake::embedder(BatchConfig::default()).unwrap();
                e.encode(&[t], Truncation::Refuse)
                    .unwrap()
                    .outputs
                    .remove(0)
            })
            .collect();
        for budget in [1, 20, 64, 100_000] {
            let e = fake::embedder(BatchConfig {
                batch_tokens: budget,
                max_batch_size: 64,
            })
            .unwrap();
            let out = e.encode(&TEXTS, Truncation::Refuse).unwrap();
            assert_eq!(out.outputs, alone, "budget {budget}");
            assert_eq!(out.lengths.len(), TEXTS.len());
            assert_eq!(out.tokens, out.lengths.iter().sum::<usize>());
            assert!(out.padded_tokens >= out.tokens);
            if budget == 1 {
                assert_eq!(out.batches, TEXTS.len(), "one input per batch at budget 1");
            }
        }
    }

    #[test]
    fn truncation_is_the_callers_choice_per_call() {
        let mut e = fake::embedder(BatchConfig::default()).unwrap();
        e.backend_mut().max_len = 30;
        match e.encode(&TEXTS, Truncation::Refuse) {
            Err(Error::TooLong {
                count, max, first, ..
            }) => {
                assert_eq!((count, max, first), (2, 30, 1));
            }
            other => panic!("expected TooLong, got {other:?}"),
        }
        let cut = e.encode(&TEXTS, Truncation::Cut).unwrap();
        assert_eq!(cut.truncated, [1, 4]);
        assert!(cut.lengths.iter().all(|&l| l <= 30));
        // The same loaded encoder refuses again on the next call: nothing was left set.
        assert!(e.encode(&TEXTS, Truncation::Refuse).is_err());
    }
}
