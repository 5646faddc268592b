//! Natural language inference (NLI) cross-encoders as a backend of the batching core: a
//! packed batch of tokenized (premise, hypothesis) pairs in, one row of class logits per
//! pair out. Zero-shot classification (frames in `compare`) is built on it, the way Hugging
//! Face's zero-shot pipeline uses an MNLI model.
//!
//! Architectures are those of the common NLI checkpoints that run faithfully here, on
//! parallax's own forward passes (`bart.rs`, `bert.rs`; both can run in int8) over the
//! tensors rust-bert loads:
//! BART (facebook/bart-large-mnli, the zero-shot pipeline's default, and the distilbart-mnli
//! family), RoBERTa and XLM-RoBERTa (roberta-large-mnli; joeddav/xlm-roberta-large-xnli, which
//! reads Russian and Ukrainian) and BERT. Each was checked against Hugging Face transformers on
//! the same weights (benches/nli_vs_peer.sh). DeBERTa-v2/v3 (and mDeBERTa) is refused: rust-bert
//! 0.23's disentangled attention differs from the reference (its content-to-position index
//! lacks the span offset and its relative scores are divided by d·k instead of √(d·k)), so its
//! frames would be wrong. The classes come from `id2label` in config.json, so the entailment
//! column is never guessed.

use std::collections::HashMap;

use rust_bert::bart::{BartConfig, BartForSequenceClassification};
use rust_bert::bert::{BertConfig, BertForSequenceClassification};
use rust_bert::roberta::RobertaForSequenceClassification;
use serde::Serialize;
use serde_json::Value;
use tch::{nn, Device, Kind, Tensor};

use super::backend::{Backend, Padded, Tokenized};
use super::bart::{shift_right, Bart};
use super::bert::{
    encoder_settings, inputs as bert_inputs, load_weights, Encoder, Positions, Vars,
};
use super::linear::{Linear, Precision};
use crate::error::{Error, Result};
use crate::models::ResolvedModel;

/// The architectures parallax can run NLI with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NliArchitecture {
    /// BART and its distilled variants.
    Bart,
    /// RoBERTa and XLM-RoBERTa.
    Roberta,
    /// BERT.
    Bert,
}

/// Which logit column means what, read from `id2label`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NliLabels {
    /// The index of the entailment class in the logits.
    pub entailment: usize,
    /// "contradiction" for three-way models; for two-way ones ("entailment",
    /// "not_entailment") the other class.
    pub contradiction: usize,
    /// Class names, in logit order.
    pub names: Vec<String>,
}

impl NliLabels {
    fn from_config(raw: &Value) -> std::result::Result<Self, String> {
        let map = raw.get("id2label").and_then(Value::as_object).ok_or(
            "has no id2label: an NLI model names its classes (entailment, neutral, contradiction)",
        )?;
        let mut names = vec![String::new(); map.len()];
        for (k, v) in map {
            let i: usize = k
                .parse()
                .ok()
                .filter(|&i| i < names.len())
                .ok_or_else(|| format!("id2label has a bad class number {k:?}"))?;
            names[i] = v.as_str().unwrap_or_default().to_lowercase();
        }
        let find = |p: &str| names.iter().position(|n| n.starts_with(p));
        let entailment = find("entail").ok_or_else(|| {
            format!(
                "id2label has no entailment class (it has {}): zero-shot framing needs an NLI \
                 model trained on MNLI/XNLI, such as facebook/bart-large-mnli or \
                 joeddav/xlm-roberta-large-xnli",
                names.join(", ")
            )
        })?;
        let contradiction = find("contradict")
            .or_else(|| (names.len() == 2).then_some(1 - entailment))
            .ok_or_else(|| {
                format!(
                    "id2label has no contradiction class (it has {})",
                    names.join(", ")
                )
            })?;
        Ok(Self {
            entailment,
            contradiction,
            names,
        })
    }
}

enum Net {
    /// BART on parallax's encoder and decoder (`bart.rs`) and the checkpoint's head.
    OwnBart { bart: Box<Bart>, head: Head },
    /// A BART variant `bart.rs` does not cover (sinusoidal positions, another activation):
    /// rust-bert's module.
    Bart(Box<BartForSequenceClassification>),
    /// RoBERTa, XLM-RoBERTa and BERT: parallax's encoder (the embeddings' forward pass,
    /// which can run in int8) and the checkpoint's classification head.
    Encoder {
        encoder: Encoder,
        head: Head,
        /// BERT reads segment ids; RoBERTa has one segment (its tokenizer sends none).
        token_types: bool,
    },
}

/// The classification head of RoBERTa (`classifier.dense`, `classifier.out_proj`), of
/// BERT (its pooler, `bert.pooler.dense`, then `classifier`) and of BART
/// (`classification_head`, on the last end-of-sequence token): a dense layer, tanh and the
/// class layer. It stays fp32: it is two small matrices per pair.
struct Head {
    dense: Linear,
    out: Linear,
}

impl Head {
    /// Classifies the first token of each row of `hidden` (`[rows, len, d]`).
    fn forward(&self, hidden: &Tensor) -> Tensor {
        self.forward_pooled(&hidden.select(1, 0))
    }

    /// Classifies one representation per row (`[rows, d]`).
    fn forward_pooled(&self, pooled: &Tensor) -> Tensor {
        self.out.forward(&self.dense.forward(pooled).tanh())
    }
}

/// An NLI cross-encoder behind the batching core.
pub struct NliClassifier {
    net: Net,
    // Owns the weights the model's layers point into.
    _vs: nn::VarStore,
    /// Which architecture was loaded.
    pub architecture: NliArchitecture,
    /// The model's classes.
    pub labels: NliLabels,
    /// How its encoder's linear layers compute: int8 after [`NliClassifier::quantize`].
    pub precision: Precision,
    device: Device,
    max_len: usize,
    pad_id: i64,
    /// BART: the token whose last occurrence carries the pair's representation.
    eos_id: i64,
    /// BART: the decoder reads the input shifted right behind this token (as Hugging Face
    /// does when no decoder input is given).
    decoder_start: i64,
}

impl NliClassifier {
    /// Loads an NLI model folder. Every problem (an architecture parallax cannot run, a
    /// config without entailment class, weights that do not fit) is an error naming the
    /// file, never a panic inside rust-bert.
    pub fn load(m: &ResolvedModel, device: Device) -> Result<Self> {
        let cfg = m.read_config()?;
        let bad = |message: String| cfg.error(message);
        let labels = NliLabels::from_config(&cfg.raw).map_err(bad)?;
        let int = |key: &str| cfg.int(key);
        let mut vs = nn::VarStore::new(device);
        let root = vs.root();
        // rust-bert's constructors panic on a config they cannot use, so each config is
        // parsed here first with the same serde types.
        let (architecture, net, max_len, pad_id) = match cfg.model_type.as_str() {
            "bart" => {
                let c: BartConfig = cfg.parse("BART")?;
                let net = BartForSequenceClassification::new(&root, &c)
                    .map_err(|e| bad(e.to_string()))?;
                load_weights(&mut vs, &m.weights)?;
                vs.freeze();
                let net = match Bart::from_var_store(&vs, &c)? {
                    Some(bart) => {
                        let vars = Vars::new(&vs, "NLI");
                        Net::OwnBart {
                            bart: Box::new(bart),
                            head: Head {
                                dense: vars.linear("classification_head.dense")?,
                                out: vars.linear("classification_head.out_proj")?,
                            },
                        }
                    }
                    None => Net::Bart(Box::new(net)),
                };
                (
                    NliArchitecture::Bart,
                    net,
                    c.max_position_embeddings,
                    c.pad_token_id.unwrap_or(1),
                )
            }
            "roberta" | "xlm-roberta" | "bert" => {
                let roberta = cfg.model_type != "bert";
                let c: BertConfig = cfg.parse(if roberta { "RoBERTa" } else { "BERT" })?;
                let (act, eps) = encoder_settings(&cfg, &c, "NLI")?;
                // rust-bert's module tree names and shapes every tensor, so its loader
                // checks the file against the config; the forward pass is parallax's.
                let (architecture, prefix, dense, out, max_len, pad_id) = if roberta {
                    let _shapes = RobertaForSequenceClassification::new(&root, &c)
                        .map_err(|e| bad(e.to_string()))?;
                    // RoBERTa's positions start after the padding index.
                    let pad = int("pad_token_id").unwrap_or(1);
                    let len = c.max_position_embeddings - pad - 1;
                    let (dense, out) = ("classifier.dense", "classifier.out_proj");
                    (NliArchitecture::Roberta, "roberta.", dense, out, len, pad)
                } else {
                    let _shapes = BertForSequenceClassification::new(&root, &c)
                        .map_err(|e| bad(e.to_string()))?;
                    let pad = int("pad_token_id").unwrap_or(0);
                    let len = c.max_position_embeddings;
                    let (dense, out) = ("bert.pooler.dense", "classifier");
                    (NliArchitecture::Bert, "bert.", dense, out, len, pad)
                };
                load_weights(&mut vs, &m.weights)?;
                vs.freeze();
                let positions = if roberta {
                    Positions::AfterPadding(pad_id)
                } else {
                    Positions::FromZero
                };
                let vars = Vars::new(&vs, "NLI");
                let net = Net::Encoder {
                    encoder: Encoder::new(&vs, prefix, &c, act, eps, positions)?,
                    head: Head {
                        dense: vars.linear(dense)?,
                        out: vars.linear(out)?,
                    },
                    token_types: !roberta,
                };
                (architecture, net, max_len, pad_id)
            }
            "deberta-v2" => {
                return Err(bad(
                    "model_type 'deberta-v2' (DeBERTa-v3, mDeBERTa) is not supported for NLI: \
                     rust-bert 0.23's DeBERTa-v2 attention gives different results from the \
                     reference implementation, so its frames would be wrong. Use a BART, RoBERTa \
                     or XLM-RoBERTa NLI model (facebook/bart-large-mnli; for Russian and \
                     Ukrainian joeddav/xlm-roberta-large-xnli)"
                        .into(),
                ))
            }
            other => {
                return Err(bad(format!(
                    "model_type '{other}' cannot run NLI here (supported: bart, roberta, \
                     xlm-roberta, bert)"
                )))
            }
        };
        Ok(Self {
            net,
            _vs: vs,
            architecture,
            precision: Precision::Fp32,
            labels,
            device,
            max_len: max_len.max(8) as usize,
            pad_id,
            eos_id: int("eos_token_id").unwrap_or(2),
            decoder_start: int("decoder_start_token_id")
                .or(int("eos_token_id"))
                .unwrap_or(2),
        })
    }

    fn logits(&self, batch: &[&Tokenized]) -> Result<Tensor> {
        let p = Padded::new(batch, self.pad_id);
        let (ids_t, mask_t) = (
            p.tensor(&p.ids, self.device),
            p.tensor(&p.mask, self.device),
        );
        Ok(match &self.net {
            Net::OwnBart { bart, head } => head.forward_pooled(&bart.sentence_representation(
                &ids_t,
                &mask_t,
                self.decoder_start,
                self.eos_id,
            )),
            Net::Bart(net) => {
                let dec = shift_right(&ids_t, self.decoder_start);
                net.forward_t(&ids_t, Some(&mask_t), None, Some(&dec), None, false)
                    .decoder_output
            }
            Net::Encoder {
                encoder,
                head,
                token_types,
            } => {
                let types = if *token_types {
                    p.tensor(&p.type_ids, self.device)
                } else {
                    ids_t.zeros_like()
                };
                head.forward(&encoder.run(&ids_t, &types, &mask_t, None))
            }
        })
    }

    /// Turns the model's linear layers to int8, smoothed on the channel ranges that
    /// `calibration` (tokenized pairs) shows, and says whether it did: a BART variant that
    /// runs on rust-bert's module has no int8 path and stays fp32. Run once, after `load`.
    pub fn quantize(&mut self, calibration: &[Tokenized]) -> Result<bool> {
        Precision::Int8.check(self.device)?;
        let (pad, device) = (self.pad_id, self.device);
        match &mut self.net {
            Net::Bart(_) => Ok(false),
            Net::OwnBart { bart, .. } => {
                let rows: Vec<(Tensor, Tensor)> = calibration
                    .iter()
                    .filter(|t| t.ids.contains(&self.eos_id))
                    .map(|t| {
                        let (ids, _types, mask) = bert_inputs(&[t], pad, device);
                        (ids, mask)
                    })
                    .collect();
                bart.quantize_classifier(&rows, self.decoder_start, self.eos_id)?;
                self.precision = Precision::Int8;
                Ok(true)
            }
            Net::Encoder {
                encoder,
                token_types,
                ..
            } => {
                if *token_types {
                    encoder.quantize(calibration, pad, device)?;
                } else {
                    let plain: Vec<Tokenized> = calibration
                        .iter()
                        .map(|t| Tokenized {
                            ids: t.ids.clone(),
                            type_ids: vec![0; t.ids.len()],
                        })
                        .collect();
                    encoder.quantize(&plain, pad, device)?;
                }
                self.precision = Precision::Int8;
                Ok(true)
            }
        }
    }
}

impl Backend for NliClassifier {
    /// One logit per class, in `id2label` order.
    type Output = Vec<f32>;

    fn max_input_tokens(&self) -> usize {
        self.max_len
    }

    fn run(&self, batch: &[&Tokenized]) -> Result<Vec<Vec<f32>>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let _guard = tch::no_grad_guard();
        // BART pools at the last end-of-sequence token and rust-bert requires the same
        // number of them in every row; a text that spells out "</s>" has more, so rows run
        // in groups of equal count.
        let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
        for (r, t) in batch.iter().enumerate() {
            let eos = t.ids.iter().filter(|&&i| i == self.eos_id).count();
            let key = match self.net {
                Net::Bart(_) => eos,
                // Parallax's BART reads each row's own last eos; one group (or none).
                Net::OwnBart { .. } => eos.min(1),
                Net::Encoder { .. } => 0,
            };
            groups.entry(key).or_default().push(r);
        }
        if groups.contains_key(&0) && matches!(self.net, Net::Bart(_) | Net::OwnBart { .. }) {
            return Err(Error::Model(
                "a BART input has no end-of-sequence token; the tokenizer.json must add </s> \
                 (its post_processor)"
                    .into(),
            ));
        }
        let classes = self.labels.names.len();
        let mut out: Vec<Vec<f32>> = vec![Vec::new(); batch.len()];
        for rows in groups.values() {
            let part: Vec<&Tokenized> = rows.iter().map(|&r| batch[r]).collect();
            let logits = self.logits(&part)?;
            let flat: Vec<f32> = Vec::<f32>::try_from(
                logits
                    .to_kind(Kind::Float)
                    .to_device(Device::Cpu)
                    .contiguous()
                    .view([-1]),
            )?;
            if flat.len() != rows.len() * classes {
                return Err(Error::Model(format!(
                    "the NLI model gave {} logits for {} pairs of {classes} classes",
                    flat.len(),
                    rows.len()
                )));
            }
            for (&r, row) in rows.iter().zip(flat.chunks(classes)) {
                out[r] = row.to_vec();
            }
        }
        Ok(out)
    }
}
