//! Sentence embeddings with a BERT encoder (rust-bert on libtorch): mean pooling over the
//! real tokens and L2 normalisation, exactly as sentence-transformers computes them for
//! all-MiniLM-L6-v2, so vectors are interchangeable with the Python ones.

use rust_bert::bert::{BertConfig, BertEmbeddings, BertModel};
use rust_bert::Activation;
use tch::{nn, Device, Kind, Tensor};

use super::backend::{Backend, Padded, Tokenized};
use super::linear::{Linear, Precision};
use crate::error::{Error, Result};
use crate::models::{ModelConfig, ResolvedModel, Weights};

/// A BERT-architecture sentence encoder.
pub struct BertEmbedder {
    encoder: Encoder,
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
        let (act, eps) = encoder_settings(&cfg, &config, "sentence embeddings")?;
        // rust-bert's module tree names and shapes every tensor, so its loader checks the
        // file against the config; the forward pass below is ours, on the same tensors.
        let mut vs = nn::VarStore::new(device);
        let _shapes =
            BertModel::<BertEmbeddings>::new_with_optional_pooler(vs.root(), &config, false);
        load_weights(&mut vs, &m.weights)?;
        vs.freeze();
        let encoder = Encoder::new(&vs, "", &config, act, eps, Positions::FromZero)?;
        let normalize = m.entry.as_ref().map(|e| e.normalize).unwrap_or_else(|| {
            // sentence-transformers folders list a Normalize module when they normalise.
            m.file("modules.json")
                .and_then(|p| std::fs::read_to_string(p).ok())
                .is_some_and(|t| t.contains("Normalize"))
        });
        Ok(Self {
            encoder,
            device,
            max_len: m.max_seq_length(config.max_position_embeddings as usize),
            dim: config.hidden_size as usize,
            normalize,
            pad_id: 0,
        })
    }

    /// Turns the linear layers to int8, smoothed on the channel ranges that `calibration`
    /// (tokenized text; see `data/calibration.txt`) shows. Run once, after `load`.
    pub fn quantize(&mut self, calibration: &[Tokenized]) -> Result<()> {
        Precision::Int8.check(self.device)?;
        let (pad, device) = (self.pad_id, self.device);
        self.encoder.quantize(calibration, pad, device)
    }

    /// A batch as the encoder's three inputs: ids, segment ids, attention mask.
    fn inputs(&self, batch: &[&Tokenized]) -> (Tensor, Tensor, Tensor) {
        inputs(batch, self.pad_id, self.device)
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

/// The activation and LayerNorm epsilon of a BERT-family config, or an error naming what
/// [`Encoder`] does not run (`task` says what for).
pub(super) fn encoder_settings(
    cfg: &ModelConfig,
    config: &BertConfig,
    task: &str,
) -> Result<(Act, f64)> {
    let Some(act) = Act::of(&config.hidden_act) else {
        return Err(cfg.error(format!(
            "hidden_act {:?} is not supported for {task} (gelu, gelu_new, relu)",
            config.hidden_act
        )));
    };
    if let Some(kind) = cfg
        .raw
        .get("position_embedding_type")
        .and_then(|v| v.as_str())
    {
        if kind != "absolute" {
            return Err(cfg.error(format!(
                "position_embedding_type '{kind}' is not supported for {task} (absolute only)"
            )));
        }
    }
    let eps = cfg
        .raw
        .get("layer_norm_eps")
        .and_then(serde_json::Value::as_f64)
        .unwrap_or(1e-12);
    Ok((act, eps))
}

/// A batch as an encoder's three inputs: ids, segment ids, attention mask (1 on real tokens).
pub(super) fn inputs(
    batch: &[&Tokenized],
    pad_id: i64,
    device: Device,
) -> (Tensor, Tensor, Tensor) {
    let p = Padded::new(batch, pad_id);
    (
        p.tensor(&p.ids, device),
        p.tensor(&p.type_ids, device),
        p.tensor(&p.mask, device),
    )
}

/// A loaded model's tensors by rust-bert's names, for the forward passes written here
/// (BERT here, BART in [`super::bart`]).
pub(super) struct Vars {
    vars: std::collections::HashMap<String, Tensor>,
    model: &'static str,
}

impl Vars {
    pub(super) fn new(vs: &nn::VarStore, model: &'static str) -> Self {
        Vars {
            vars: vs.variables(),
            model,
        }
    }

    pub(super) fn get(&self, name: &str) -> Result<Tensor> {
        self.vars
            .get(name)
            .map(Tensor::shallow_clone)
            .ok_or_else(|| Error::Model(format!("{} weights have no tensor '{name}'", self.model)))
    }

    /// `{prefix}.weight` and `{prefix}.bias` as an fp32 linear layer.
    pub(super) fn linear(&self, prefix: &str) -> Result<Linear> {
        Ok(Linear::new(
            self.get(&format!("{prefix}.weight"))?,
            self.get(&format!("{prefix}.bias"))?,
            Precision::Fp32,
        ))
    }

    /// `{prefix}.weight` and `{prefix}.bias` as a LayerNorm.
    pub(super) fn norm(&self, prefix: &str, eps: f64) -> Result<LayerNorm> {
        Ok(LayerNorm {
            weight: self.get(&format!("{prefix}.weight"))?,
            bias: self.get(&format!("{prefix}.bias"))?,
            eps,
        })
    }
}

/// The feed-forward activations the encoders written here support.
#[derive(Clone, Copy)]
pub(super) enum Act {
    Gelu,
    GeluTanh,
    Relu,
}

impl Act {
    /// The activation of a config's `hidden_act` / `activation_function`, if supported.
    pub(super) fn of(a: &Activation) -> Option<Act> {
        match a {
            Activation::gelu => Some(Act::Gelu),
            Activation::gelu_new => Some(Act::GeluTanh),
            Activation::relu => Some(Act::Relu),
            _ => None,
        }
    }

    pub(super) fn apply(self, h: &Tensor) -> Tensor {
        match self {
            Act::Gelu => h.gelu("none"),
            Act::GeluTanh => h.gelu("tanh"),
            Act::Relu => h.relu(),
        }
    }
}

pub(super) struct LayerNorm {
    pub(super) weight: Tensor,
    pub(super) bias: Tensor,
    pub(super) eps: f64,
}

impl LayerNorm {
    pub(super) fn forward(&self, x: &Tensor) -> Tensor {
        let d = self.weight.size()[0];
        x.layer_norm([d], Some(&self.weight), Some(&self.bias), self.eps, false)
    }
}

struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attn_out: Linear,
    attn_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    out_norm: LayerNorm,
}

/// Where a model's position ids start.
#[derive(Clone, Copy)]
pub(super) enum Positions {
    /// BERT: 0, 1, 2, ...
    FromZero,
    /// RoBERTa and XLM-RoBERTa: counted from just after the padding index, which padding
    /// positions keep (transformers' `create_position_ids_from_input_ids`).
    AfterPadding(i64),
}

/// BERT's encoder as transformers computes it in eval mode (no dropout, absolute
/// positions), written here rather than run through rust-bert's module so that its linear
/// layers can be int8 and its attention is libtorch's fused kernel. RoBERTa's encoder is
/// the same network with other position ids, so it serves NLI cross-encoders too.
pub(super) struct Encoder {
    word: Tensor,
    position: Tensor,
    token_type: Tensor,
    emb_norm: LayerNorm,
    layers: Vec<Layer>,
    heads: i64,
    act: Act,
    positions: Positions,
}

impl Encoder {
    /// The encoder whose tensors are named `{prefix}embeddings.…` and `{prefix}encoder.…`.
    pub(super) fn new(
        vs: &nn::VarStore,
        prefix: &str,
        config: &BertConfig,
        act: Act,
        eps: f64,
        positions: Positions,
    ) -> Result<Self> {
        let vars = Vars::new(vs, "BERT");
        let get = |name: &str| vars.get(&format!("{prefix}{name}"));
        let linear = |name: &str| vars.linear(&format!("{prefix}{name}"));
        let norm = |name: &str| vars.norm(&format!("{prefix}{name}"), eps);
        let layers = (0..config.num_hidden_layers)
            .map(|i| {
                let p = format!("encoder.layer.{i}");
                Ok(Layer {
                    query: linear(&format!("{p}.attention.self.query"))?,
                    key: linear(&format!("{p}.attention.self.key"))?,
                    value: linear(&format!("{p}.attention.self.value"))?,
                    attn_out: linear(&format!("{p}.attention.output.dense"))?,
                    attn_norm: norm(&format!("{p}.attention.output.LayerNorm"))?,
                    intermediate: linear(&format!("{p}.intermediate.dense"))?,
                    output: linear(&format!("{p}.output.dense"))?,
                    out_norm: norm(&format!("{p}.output.LayerNorm"))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Encoder {
            word: get("embeddings.word_embeddings.weight")?,
            position: get("embeddings.position_embeddings.weight")?,
            token_type: get("embeddings.token_type_embeddings.weight")?,
            emb_norm: norm("embeddings.LayerNorm")?,
            layers,
            heads: config.num_attention_heads,
            act,
            positions,
        })
    }

    /// Turns every linear layer to int8, smoothed on the channel ranges that `calibration`
    /// shows (one input at a time, so that no padding enters the ranges).
    pub(super) fn quantize(
        &mut self,
        calibration: &[Tokenized],
        pad_id: i64,
        device: Device,
    ) -> Result<()> {
        let _guard = tch::no_grad_guard();
        let mut amax: Vec<[Option<Tensor>; 4]> = Vec::new();
        for t in calibration {
            let (ids, types, mask) = inputs(&[t], pad_id, device);
            let _hidden = self.run(&ids, &types, &mask, Some(&mut amax));
        }
        if amax.is_empty() {
            return Err(Error::Model("no calibration text for int8".into()));
        }
        self.quantize_observed(&amax);
        Ok(())
    }

    /// Quantizes every linear layer, smoothed by the input ranges `run` observed.
    fn quantize_observed(&mut self, amax: &[[Option<Tensor>; 4]]) {
        let layers = std::mem::take(&mut self.layers);
        self.layers = layers
            .into_iter()
            .zip(amax)
            .map(|(layer, seen)| {
                let [qkv, ctx, a, h] = seen.each_ref().map(|t| t.as_ref().expect("observed"));
                Layer {
                    query: layer.query.smoothed_int8(qkv),
                    key: layer.key.smoothed_int8(qkv),
                    value: layer.value.smoothed_int8(qkv),
                    attn_out: layer.attn_out.smoothed_int8(ctx),
                    attn_norm: layer.attn_norm,
                    intermediate: layer.intermediate.smoothed_int8(a),
                    output: layer.output.smoothed_int8(h),
                    out_norm: layer.out_norm,
                }
            })
            .collect();
    }

    /// Hidden states `[rows, width, hidden]` of right-padded ids; `mask` is 1 on real tokens.
    /// With `observe`, also keeps each layer's linear inputs' largest magnitude per channel
    /// (query/key/value, attention output, intermediate, output), as a running maximum.
    pub(super) fn run(
        &self,
        ids: &Tensor,
        types: &Tensor,
        mask: &Tensor,
        mut observe: Option<&mut Vec<[Option<Tensor>; 4]>>,
    ) -> Tensor {
        let (rows, width) = (ids.size()[0], ids.size()[1]);
        let position = match self.positions {
            Positions::FromZero => self
                .position
                .index_select(0, &Tensor::arange(width, (Kind::Int64, ids.device())))
                .unsqueeze(0),
            Positions::AfterPadding(pad) => {
                let m = mask.to_kind(Kind::Int64);
                let at = m.cumsum(1, Kind::Int64) * &m + pad;
                self.position
                    .index_select(0, &at.view([-1]))
                    .view([rows, width, -1])
            }
        };
        let mut x = self
            .word
            .index_select(0, &ids.view([-1]))
            .view([rows, width, -1])
            + position
            + self
                .token_type
                .index_select(0, &types.view([-1]))
                .view([rows, width, -1]);
        x = self.emb_norm.forward(&x);
        let hidden = x.size()[2];
        let head_dim = hidden / self.heads;
        // Padding keys get no weight: a boolean mask broadcast over heads and queries.
        let keep = mask.to_kind(Kind::Bool).view([rows, 1, 1, width]);
        let split = |t: Tensor| t.view([rows, width, self.heads, head_dim]).transpose(1, 2);
        let mut note = |layer: usize, slot: usize, t: &Tensor| {
            if let Some(seen) = observe.as_deref_mut() {
                if seen.len() <= layer {
                    seen.resize_with(layer + 1, Default::default);
                }
                let m = t.abs().flatten(0, -2).amax([0i64].as_slice(), false);
                let cell = &mut seen[layer][slot];
                *cell = Some(match cell.take() {
                    Some(prev) => prev.maximum(&m),
                    None => m,
                });
            }
        };
        for (i, layer) in self.layers.iter().enumerate() {
            note(i, 0, &x);
            let q = split(layer.query.forward(&x));
            let k = split(layer.key.forward(&x));
            let v = split(layer.value.forward(&x));
            let ctx =
                Tensor::scaled_dot_product_attention(&q, &k, &v, Some(&keep), 0.0, false, None)
                    .transpose(1, 2)
                    .contiguous()
                    .view([rows, width, hidden]);
            note(i, 1, &ctx);
            let a = layer
                .attn_norm
                .forward(&(layer.attn_out.forward(&ctx) + &x));
            note(i, 2, &a);
            let h = self.act.apply(&layer.intermediate.forward(&a));
            note(i, 3, &h);
            x = layer.out_norm.forward(&(layer.output.forward(&h) + &a));
        }
        x
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
        let _guard = tch::no_grad_guard();
        let (ids, types, mask) = self.inputs(batch);
        let hidden = self.encoder.run(&ids, &types, &mask, None);
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
