//! Sentence embeddings with a BERT encoder (rust-bert on libtorch): mean pooling over the
//! real tokens and L2 normalisation, exactly as sentence-transformers computes them for
//! all-MiniLM-L6-v2, so vectors are interchangeable with the Python ones.

use rust_bert::bert::{BertConfig, BertEmbeddings, BertModel};
use tch::{nn, Device, Kind};

use super::backend::{Backend, Padded, Tokenized};
use crate::error::{Error, Result};
use crate::models::{ResolvedModel, Weights};

/// A BERT-architecture sentence encoder.
pub struct BertEmbedder {
    model: BertModel<BertEmbeddings>,
    // Owns the weights the model's layers point into.
    _vs: nn::VarStore,
    device: Device,
    max_len: usize,
    dim: usize,
    normalize: bool,
    pad_id: i64,
}

impl BertEmbedder {
    /// Loads a BERT sentence encoder. Errors name the file at fault: a config that is not
    /// BERT's, weights that do not fit the config, a truncated file.
    pub fn load(m: &ResolvedModel, device: Device) -> Result<Self> {
        let cfg = m.read_config()?;
        if !matches!(cfg.model_type.as_str(), "" | "bert") {
            return Err(cfg.error(format!(
                "model_type '{}' cannot be used for sentence embeddings yet (supported: bert)",
                cfg.model_type
            )));
        }
        let config: BertConfig = cfg.parse("BERT")?;
        let mut vs = nn::VarStore::new(device);
        let model =
            BertModel::<BertEmbeddings>::new_with_optional_pooler(vs.root(), &config, false);
        load_weights(&mut vs, &m.weights)?;
        vs.freeze();
        let normalize = m.entry.as_ref().map(|e| e.normalize).unwrap_or_else(|| {
            // sentence-transformers folders list a Normalize module when they normalise.
            m.file("modules.json")
                .and_then(|p| std::fs::read_to_string(p).ok())
                .is_some_and(|t| t.contains("Normalize"))
        });
        Ok(Self {
            model,
            _vs: vs,
            device,
            max_len: m.max_seq_length(config.max_position_embeddings as usize),
            dim: config.hidden_size as usize,
            normalize,
            pad_id: 0,
        })
    }

    /// Dimensions of the vectors.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Where it runs.
    pub fn device(&self) -> Device {
        self.device
    }
}

/// Loads weights into a built model; a missing tensor, a shape that does not match the
/// config or a truncated file become an error that names the weights file.
pub fn load_weights(vs: &mut nn::VarStore, weights: &Weights) -> Result<()> {
    let path = weights.path();
    vs.load(path).map_err(|e| weights.load_error(e))
}

impl Backend for BertEmbedder {
    type Output = Vec<f32>;

    fn max_input_tokens(&self) -> usize {
        self.max_len
    }

    fn run(&self, batch: &[&Tokenized]) -> Result<Vec<Vec<f32>>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let p = Padded::new(batch, self.pad_id);
        let _guard = tch::no_grad_guard();
        let ids = p.tensor(&p.ids, self.device);
        let types = p.tensor(&p.type_ids, self.device);
        let mask = p.tensor(&p.mask, self.device);
        let out = self
            .model
            .forward_t(
                Some(&ids),
                Some(&mask),
                Some(&types),
                None,
                None,
                None,
                None,
                false,
            )
            .map_err(|e| Error::Model(e.to_string()))?;
        let hidden = out.hidden_state;
        // Mean over real tokens only, as sentence-transformers' Pooling(mean).
        let m = mask.unsqueeze(-1).to_kind(hidden.kind());
        let summed = (&hidden * &m).sum_dim_intlist([1i64].as_slice(), false, Kind::Float);
        let counts = m
            .sum_dim_intlist([1i64].as_slice(), false, Kind::Float)
            .clamp_min(1e-9);
        let mut pooled = summed / counts;
        if self.normalize {
            // torch.nn.functional.normalize(p=2, eps=1e-12)
            let norm = pooled
                .norm_scalaropt_dim(2, [1i64].as_slice(), true)
                .clamp_min(1e-12);
            pooled /= norm;
        }
        let flat: Vec<f32> = Vec::<f32>::try_from(
            pooled
                .to_kind(Kind::Float)
                .to_device(Device::Cpu)
                .contiguous()
                .view([-1]),
        )?;
        Ok(flat.chunks(self.dim).map(<[f32]>::to_vec).collect())
    }
}
