//! BART (and DistilBART) and Pegasus generation with our own encoder pass, incremental
//! decoder and beam search, on the tensors rust-bert loads; and BART's sequence classifier
//! (NLI) as one encoder pass and one causal decoder pass, in fp32 or int8.
//!
//! Why not rust-bert's `generate`: profiled on distilbart-cnn-12-6's dimensions (8 articles,
//! 4 beams, 60 tokens, 2 threads), a decoding step cost ~3× its matrix products. Each step
//! deep-copied every layer's cache (`LayerState::clone` copies), copied the cross-attention
//! keys and values again when storing them, and reordered them and the encoder output with
//! `index_select` after every beam step, although the beams of one article share them:
//! about 1.6 GB of copies per step at 32 rows, plus the page faults of allocating it. Here:
//! - the encoder runs once per batch, and the cross-attention keys and values are computed
//!   once per *article*, not per beam: an article's beams are the query positions of one
//!   attention call, so nothing is expanded, copied or reordered;
//! - only the self-attention cache follows the beams (one `index_select` per layer);
//! - an article whose beam search is done leaves the batch at once;
//! - attention is libtorch's fused kernel.
//!
//! The search is rust-bert's (minimum length, no repeated n-grams, length penalty, early
//! stopping, the same candidate order and ties) with transformers' order of bans and forced
//! tokens. The integration test `own_bart_decoder_generates_what_rust_bert_generates`
//! checks the tokens against rust-bert's `generate` on random models, and
//! `benches/abstractive_vs_peer.sh` against transformers' `generate()`.

use rust_bert::bart::{BartConfig, BartForConditionalGeneration};
use rust_bert::pegasus::{PegasusConfig, PegasusForConditionalGeneration};
use rust_bert::Activation;
use tch::{nn, Device, Kind, Tensor};

use std::collections::HashMap;
use std::sync::Mutex;

use super::bert::{load_weights, Act, LayerNorm, Vars};
use super::linear::{Linear, Precision};
use crate::error::{Error, Result};
use crate::models::Weights;

/// How to decode: the settings of a run and the model's special tokens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decoding {
    /// Beams (1: greedy).
    pub num_beams: i64,
    /// Fewest tokens, the decoder start token included (rust-bert's and transformers'
    /// count).
    pub min_length: i64,
    /// Most tokens, the decoder start token included.
    pub max_length: i64,
    /// No n-gram of this size twice (0: off).
    pub no_repeat_ngram_size: i64,
    /// Beam scores are divided by the length to this power.
    pub length_penalty: f64,
    /// The first token of every output.
    pub decoder_start: i64,
    /// End of sequence.
    pub eos: i64,
    /// Padding.
    pub pad: i64,
    /// Token forced right after the start token.
    pub forced_bos: Option<i64>,
    /// Token forced at the last position.
    pub forced_eos: Option<i64>,
}

impl Decoding {
    /// Every special token must be a row of the vocabulary: an id past it would fail
    /// inside libtorch mid-run. The message names the offending config field.
    pub fn check_ids(&self, vocab: i64) -> std::result::Result<(), String> {
        let ids = [
            ("decoder_start_token_id", Some(self.decoder_start)),
            ("eos_token_id", Some(self.eos)),
            ("forced_bos_token_id", self.forced_bos),
            ("forced_eos_token_id", self.forced_eos),
        ];
        for (field, id) in ids {
            if let Some(id) = id.filter(|&i| i < 0 || i >= vocab) {
                return Err(format!(
                    "{field} {id} is not a token of the model's {vocab}-token vocabulary"
                ));
            }
        }
        Ok(())
    }
}

struct Attention {
    q: Linear,
    k: Linear,
    v: Linear,
    out: Linear,
}

/// Self-attention and feed-forward: an encoder layer, and the part of a decoder layer
/// around its cross-attention.
struct Layer {
    attn: Attention,
    attn_norm: LayerNorm,
    fc1: Linear,
    fc2: Linear,
    out_norm: LayerNorm,
}

struct DecoderLayer {
    base: Layer,
    cross: Attention,
    cross_norm: LayerNorm,
}

/// A BART-family model as transformers computes it in eval mode: BART (post-LayerNorm
/// layers, learned positions offset by 2, `layernorm_embedding`) or Pegasus (pre-LayerNorm
/// layers, sinusoidal positions, a final LayerNorm after each stack, `final_logits_bias`),
/// the two variants rust-bert implements.
pub struct Bart {
    shared: Tensor,
    v: Variant,
    encoder: Vec<Layer>,
    decoder: Vec<DecoderLayer>,
    enc_heads: i64,
    dec_heads: i64,
    scale: f64,
    act: Act,
    device: Device,
    /// While [`Bart::quantize_classifier`] calibrates: each linear layer's input channel
    /// maxima, by [`key`].
    observed: Mutex<Option<HashMap<usize, Tensor>>>,
}

/// A linear layer's identity during calibration: its address. The layers are neither
/// moved nor dropped between the calibration pass and the quantization that reads it
/// (both inside [`Bart::quantize_classifier`], which holds `&mut self`).
fn key(l: &Linear) -> usize {
    l as *const Linear as usize
}

/// What tells BART and Pegasus apart (see [`Bart`]'s fields).
struct Variant {
    enc_pos: Tensor,
    dec_pos: Tensor,
    /// Row of the position table for position 0 (BART's learned table starts at 2).
    pos_offset: i64,
    /// LayerNorm before each sub-layer, inside the residual (Pegasus), or after the
    /// residual sum (BART).
    pre_norm: bool,
    enc_emb_norm: Option<LayerNorm>,
    dec_emb_norm: Option<LayerNorm>,
    enc_final_norm: Option<LayerNorm>,
    dec_final_norm: Option<LayerNorm>,
    logits_bias: Option<Tensor>,
    pad: i64,
}

/// Per decoder layer: the self-attention keys and values of the tokens so far, one row per
/// beam, `[rows, heads, tokens, head_dim]`.
type SelfCache = Vec<(Tensor, Tensor)>;

/// Per decoder layer: the encoder output's keys and values, one row per article,
/// `[articles, heads, source_len, head_dim]`.
type CrossCache = Vec<(Tensor, Tensor)>;

impl Bart {
    /// Loads the model through rust-bert's module tree (which names and shape-checks every
    /// tensor against the config). `None` for a BART variant this decoder does not cover
    /// (sinusoidal positions, an activation other than GELU or ReLU): rust-bert's
    /// generator then runs it.
    pub fn load(config: &BartConfig, weights: &Weights, device: Device) -> Result<Option<Self>> {
        if config.static_position_embeddings.unwrap_or(false)
            || Act::of(
                config
                    .activation_function
                    .as_ref()
                    .unwrap_or(&Activation::gelu),
            )
            .is_none()
        {
            return Ok(None);
        }
        let mut vs = nn::VarStore::new(device);
        let _shapes = BartForConditionalGeneration::new(vs.root(), config);
        load_weights(&mut vs, weights)?;
        vs.freeze();
        Self::from_var_store(&vs, config)
    }

    /// The model on the tensors of a var store that holds rust-bert's
    /// `BartForConditionalGeneration` (the benchmark builds one with random weights);
    /// `None` as in [`Bart::load`].
    pub fn from_var_store(vs: &nn::VarStore, config: &BartConfig) -> Result<Option<Self>> {
        if config.static_position_embeddings.unwrap_or(false) {
            return Ok(None);
        }
        match Act::of(
            config
                .activation_function
                .as_ref()
                .unwrap_or(&Activation::gelu),
        ) {
            Some(act) => Self::from_vars(vs, config, act).map(Some),
            None => Ok(None),
        }
    }

    fn from_vars(vs: &nn::VarStore, config: &BartConfig, act: Act) -> Result<Self> {
        let vars = Vars::new(vs, "BART");
        let emb_norm = |p: &str| -> Result<Option<LayerNorm>> {
            if config.normalize_embedding.unwrap_or(true) {
                vars.norm(p, 1e-5).map(Some)
            } else {
                Ok(None)
            }
        };
        Bart::assemble(
            &vars,
            config.encoder_layers,
            config.decoder_layers,
            Variant {
                enc_pos: vars.get("model.encoder.embed_positions.weight")?,
                dec_pos: vars.get("model.decoder.embed_positions.weight")?,
                pos_offset: 2,
                pre_norm: false,
                enc_emb_norm: emb_norm("model.encoder.layernorm_embedding")?,
                dec_emb_norm: emb_norm("model.decoder.layernorm_embedding")?,
                enc_final_norm: None,
                dec_final_norm: None,
                logits_bias: None,
                pad: config.pad_token_id.unwrap_or(1),
            },
            (
                config.encoder_attention_heads,
                config.decoder_attention_heads,
            ),
            embed_scale(config.scale_embedding, config.d_model),
            act,
        )
    }

    /// A model from its variant's parts and the layers and embedding both variants name
    /// alike.
    fn assemble(
        vars: &Vars,
        encoder_layers: i64,
        decoder_layers: i64,
        v: Variant,
        (enc_heads, dec_heads): (i64, i64),
        scale: f64,
        act: Act,
    ) -> Result<Self> {
        let (encoder, decoder) = layers(vars, encoder_layers, decoder_layers)?;
        let shared = vars.get("model.shared.weight")?;
        Ok(Bart {
            device: shared.device(),
            shared,
            v,
            encoder,
            decoder,
            enc_heads,
            dec_heads,
            scale,
            act,
            observed: Mutex::new(None),
        })
    }

    /// Loads a Pegasus model the same way as [`Bart::load`]; `None` for an activation
    /// other than GELU or ReLU.
    pub fn load_pegasus(
        config: &PegasusConfig,
        weights: &Weights,
        device: Device,
    ) -> Result<Option<Self>> {
        let Some(act) = Act::of(
            config
                .activation_function
                .as_ref()
                .unwrap_or(&Activation::relu),
        ) else {
            return Ok(None);
        };
        let mut vs = nn::VarStore::new(device);
        let _shapes = PegasusForConditionalGeneration::new(vs.root(), config);
        load_weights(&mut vs, weights)?;
        vs.freeze();
        let vars = Vars::new(&vs, "Pegasus");
        // rust-bert keeps the sinusoidal table outside the var store; it is a function of
        // the shapes, built here as transformers and rust-bert build it.
        let table = sinusoidal(config.max_position_embeddings, config.d_model, device);
        Bart::assemble(
            &vars,
            config.encoder_layers,
            config.decoder_layers,
            Variant {
                enc_pos: table.shallow_clone(),
                dec_pos: table,
                pos_offset: 0,
                pre_norm: true,
                enc_emb_norm: None,
                dec_emb_norm: None,
                enc_final_norm: Some(vars.norm("model.encoder.layer_norm", 1e-5)?),
                dec_final_norm: Some(vars.norm("model.decoder.layer_norm", 1e-5)?),
                logits_bias: Some(vars.get("final_logits_bias")?),
                pad: config.pad_token_id.unwrap_or(0),
            },
            (
                config.encoder_attention_heads,
                config.decoder_attention_heads,
            ),
            embed_scale(config.scale_embedding, config.d_model),
            act,
        )
        .map(Some)
    }

    /// The feed-forward sub-layer of a layer.
    fn feed_forward(&self, layer: &Layer, x: &Tensor) -> Tensor {
        self.block(x, &layer.out_norm, |h| {
            self.lin(&layer.fc2, &self.act.apply(&self.lin(&layer.fc1, h)))
        })
    }

    /// `l` applied to `x`; while calibrating, also keeps the running maximum of each input
    /// channel's magnitude for `l` (the ranges int8's smoothing reads).
    fn lin(&self, l: &Linear, x: &Tensor) -> Tensor {
        // Uncontended outside calibration: one lock per layer call, beside a matrix product.
        if let Some(seen) = self
            .observed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_mut()
        {
            let m = x.abs().flatten(0, -2).amax([0i64].as_slice(), false);
            let cell = seen.entry(key(l)).or_insert_with(|| m.zeros_like());
            *cell = cell.maximum(&m);
        }
        l.forward(x)
    }

    /// Attention of `h` (`[rows, queries, d]`) over `kv` (`[rows, keys, d]`) through
    /// `attn`'s projections, with a boolean mask that spans the keys (see [`Bart::step`] on
    /// why it must).
    fn attend(
        &self,
        attn: &Attention,
        h: &Tensor,
        kv: &Tensor,
        heads: i64,
        mask: &Tensor,
    ) -> Tensor {
        let (rows, queries, d) = h.size3().expect("hidden states are [rows, len, d]");
        let keys = kv.size()[1];
        let hd = d / heads;
        let split = |t: Tensor, n: i64| t.view([rows, n, heads, hd]).transpose(1, 2);
        let q = split(self.lin(&attn.q, h), queries);
        let k = split(self.lin(&attn.k, kv), keys);
        let v = split(self.lin(&attn.v, kv), keys);
        let ctx = Tensor::scaled_dot_product_attention(&q, &k, &v, Some(mask), 0.0, false, None)
            .transpose(1, 2)
            .reshape([rows, queries, d]);
        self.lin(&attn.out, &ctx)
    }

    /// Turns the encoder's and decoder's linear layers to int8, smoothed on the channel
    /// ranges that running [`Bart::sentence_representation`] on `calibration` (one `(ids,
    /// mask)` input at a time, so no padding enters the ranges) shows. For the sequence
    /// classifier only: generation's steps are not calibrated, and `summarize` refuses
    /// int8.
    pub fn quantize_classifier(
        &mut self,
        calibration: &[(Tensor, Tensor)],
        start: i64,
        eos: i64,
    ) -> Result<()> {
        *self.observed.get_mut().unwrap_or_else(|e| e.into_inner()) = Some(HashMap::new());
        {
            let _guard = tch::no_grad_guard();
            for (ids, mask) in calibration {
                let _ = self.sentence_representation(ids, mask, start, eos);
            }
        }
        let seen = self
            .observed
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .unwrap_or_default();
        // Replaces one layer by its smoothed int8 form.
        let smooth = |l: &mut Linear| -> Result<()> {
            let amax = seen.get(&key(l)).ok_or_else(|| {
                Error::Model("int8 calibration did not reach every BART layer".into())
            })?;
            let empty = Linear::new(Tensor::new(), Tensor::new(), Precision::Fp32);
            *l = std::mem::replace(l, empty).smoothed_int8(amax);
            Ok(())
        };
        let layer = |l: &mut Layer| -> Result<()> {
            for a in [&mut l.attn.q, &mut l.attn.k, &mut l.attn.v, &mut l.attn.out] {
                smooth(a)?;
            }
            smooth(&mut l.fc1)?;
            smooth(&mut l.fc2)
        };
        for l in self.encoder.iter_mut() {
            layer(l)?;
        }
        for l in self.decoder.iter_mut() {
            layer(&mut l.base)?;
            for a in [
                &mut l.cross.q,
                &mut l.cross.k,
                &mut l.cross.v,
                &mut l.cross.out,
            ] {
                smooth(a)?;
            }
        }
        Ok(())
    }

    /// A sub-layer with its residual connection and LayerNorm, in the model's order.
    fn block(&self, x: &Tensor, norm: &LayerNorm, f: impl FnOnce(&Tensor) -> Tensor) -> Tensor {
        if self.v.pre_norm {
            f(&norm.forward(x)) + x
        } else {
            norm.forward(&(f(x) + x))
        }
    }

    /// Rows of the token embedding: the vocabulary size the model was built with.
    pub fn vocab(&self) -> i64 {
        self.shared.size()[0]
    }

    fn embed(&self, ids: &Tensor) -> Tensor {
        Tensor::embedding(&self.shared, ids, self.v.pad, false, false) * self.scale
    }

    /// Token plus position embeddings of whole sequences (`[rows, len]`), through the
    /// stack's embedding LayerNorm when it has one.
    fn embed_sequence(&self, ids: &Tensor, table: &Tensor, norm: Option<&LayerNorm>) -> Tensor {
        let len = ids.size()[1];
        let positions = Tensor::arange_start(
            self.v.pos_offset,
            len + self.v.pos_offset,
            (Kind::Int64, self.device),
        );
        let x = self.embed(ids) + table.index_select(0, &positions);
        match norm {
            Some(n) => n.forward(&x),
            None => x,
        }
    }

    /// The encoder's last hidden state, `[articles, len, d_model]`; `keep` is the padding
    /// mask as `[articles, 1, 1, len]` booleans.
    fn encode(&self, ids: &Tensor, keep: &Tensor) -> Tensor {
        let mut x = self.embed_sequence(ids, &self.v.enc_pos, self.v.enc_emb_norm.as_ref());
        for layer in &self.encoder {
            let a = self.block(&x, &layer.attn_norm, |h| {
                self.attend(&layer.attn, h, h, self.enc_heads, keep)
            });
            x = self.feed_forward(layer, &a);
        }
        match &self.v.enc_final_norm {
            Some(n) => n.forward(&x),
            None => x,
        }
    }

    /// The decoder's last hidden state for whole target sequences at once (`dec_ids`,
    /// `[rows, len]`), as a sequence classifier reads it: causal self-attention, no cache,
    /// no padding mask on the target (transformers passes none).
    fn decode_all(&self, dec_ids: &Tensor, encoded: &Tensor, keep: &Tensor) -> Tensor {
        let len = dec_ids.size()[1];
        let mut x = self.embed_sequence(dec_ids, &self.v.dec_pos, self.v.dec_emb_norm.as_ref());
        let causal = Tensor::ones([len, len], (Kind::Bool, self.device))
            .tril(0)
            .view([1, 1, len, len]);
        for layer in &self.decoder {
            let a = self.block(&x, &layer.base.attn_norm, |h| {
                self.attend(&layer.base.attn, h, h, self.dec_heads, &causal)
            });
            let c = self.block(&a, &layer.cross_norm, |h| {
                self.attend(&layer.cross, h, encoded, self.dec_heads, keep)
            });
            x = self.feed_forward(&layer.base, &c);
        }
        match &self.v.dec_final_norm {
            Some(n) => n.forward(&x),
            None => x,
        }
    }

    /// What BART's sequence classifier (`BartForSequenceClassification`) classifies: the
    /// decoder's output at each row's last `eos` of the input, `[rows, d_model]`. The
    /// decoder reads the input shifted right behind `start`, as transformers does when no
    /// decoder input is given. Every row must hold an `eos` (the caller checks).
    pub fn sentence_representation(
        &self,
        ids: &Tensor,
        mask: &Tensor,
        start: i64,
        eos: i64,
    ) -> Tensor {
        let (rows, len) = ids.size2().expect("ids are [rows, len]");
        let keep = mask.to_kind(Kind::Bool).view([rows, 1, 1, len]);
        let encoded = self.encode(ids, &keep);
        let dec_ids = shift_right(ids, start);
        let hidden = self.decode_all(&dec_ids, &encoded, &keep);
        // The last eos: the largest position among the eos positions (1-based, 0 elsewhere).
        let at = (ids.eq(eos).to_kind(Kind::Int64)
            * Tensor::arange_start(1, len + 1, (Kind::Int64, self.device)))
        .argmax(1, false);
        let d = hidden.size()[2];
        hidden
            .gather(1, &at.view([rows, 1, 1]).expand([rows, 1, d], false), false)
            .squeeze_dim(1)
    }

    fn cross_cache(&self, encoded: &Tensor) -> CrossCache {
        let (rows, len, d) = encoded.size3().expect("encoder output is 3-D");
        let hd = d / self.dec_heads;
        let split = |t: Tensor| t.view([rows, len, self.dec_heads, hd]).transpose(1, 2);
        self.decoder
            .iter()
            .map(|l| {
                (
                    split(l.cross.k.forward(encoded)),
                    split(l.cross.v.forward(encoded)),
                )
            })
            .collect()
    }

    /// One decoding step: the logits of the next token for every beam row (`[rows,
    /// vocab]`), given each row's last token at position `step` (0 = the start token).
    /// Rows are article-major, `beams` per article, matching `cross` and `keep`.
    fn step(
        &self,
        tokens: &Tensor,
        step: i64,
        beams: i64,
        cache: &mut SelfCache,
        cross: &CrossCache,
        keep: &Tensor,
    ) -> Tensor {
        let rows = tokens.size()[0];
        let articles = rows / beams;
        let mut x = self.embed(tokens) + self.v.dec_pos.get(step + self.v.pos_offset);
        if let Some(n) = &self.v.dec_emb_norm {
            x = n.forward(&x);
        }
        let d = x.size()[1];
        let hd = d / self.dec_heads;
        let one = |t: Tensor| t.view([rows, self.dec_heads, 1, hd]);
        // The new token sees every earlier one, so no mask is needed; but tch passes an
        // absent mask as an undefined tensor, so an all-true one stands in. It must span
        // the keys: libtorch 2.4's CPU kernel misreads a mask broadcast along the key
        // dimension (a [1, 1, 1, 1] mask gave wrong outputs, varying with threads).
        let all = Tensor::ones([1, 1, 1, step + 1], (Kind::Bool, self.device));
        for (i, layer) in self.decoder.iter().enumerate() {
            let a = self.block(&x, &layer.base.attn_norm, |h| {
                let q = one(layer.base.attn.q.forward(h));
                let k = one(layer.base.attn.k.forward(h));
                let v = one(layer.base.attn.v.forward(h));
                let (k, v) = match cache.get(i) {
                    Some((pk, pv)) => (Tensor::cat(&[pk, &k], 2), Tensor::cat(&[pv, &v], 2)),
                    None => (k, v),
                };
                let ctx =
                    Tensor::scaled_dot_product_attention(&q, &k, &v, Some(&all), 0.0, false, None)
                        .view([rows, d]);
                if i < cache.len() {
                    cache[i] = (k, v);
                } else {
                    cache.push((k, v));
                }
                layer.base.attn.out.forward(&ctx)
            });
            // An article's beams are the query positions of one attention over its source.
            let c = self.block(&a, &layer.cross_norm, |h| {
                let q = layer
                    .cross
                    .q
                    .forward(h)
                    .view([articles, beams, self.dec_heads, hd])
                    .transpose(1, 2);
                let (ck, cv) = &cross[i];
                let ctx =
                    Tensor::scaled_dot_product_attention(&q, ck, cv, Some(keep), 0.0, false, None)
                        .transpose(1, 2)
                        .reshape([rows, d]);
                layer.cross.out.forward(&ctx)
            });
            x = self.feed_forward(&layer.base, &c);
        }
        if let Some(n) = &self.v.dec_final_norm {
            x = n.forward(&x);
        }
        let logits = x.linear::<Tensor>(&self.shared, None);
        match &self.v.logits_bias {
            Some(b) => logits + b,
            None => logits,
        }
    }

    /// Generates one token sequence per input row (`ids`, `mask`: `[articles, len]`, right
    /// padded). Each sequence starts with the decoder start token and ends with EOS unless
    /// it reached `max_length`.
    pub fn generate(&self, ids: &Tensor, mask: &Tensor, d: &Decoding) -> Vec<Vec<i64>> {
        let _guard = tch::no_grad_guard();
        let (articles, len) = ids.size2().expect("ids are [rows, len]");
        let keep = mask.to_kind(Kind::Bool).view([articles, 1, 1, len]);
        let encoded = self.encode(ids, &keep);
        let cross = self.cross_cache(&encoded);
        let mut search = Search::new(articles as usize, d);
        let mut state = State {
            cross,
            keep,
            cache: Vec::new(),
        };
        let mut step = 0;
        while let Some(tokens) = search.tokens() {
            let tokens = Tensor::from_slice(&tokens).to(self.device);
            let beams = search.beams;
            let logits = self.step(
                &tokens,
                step,
                beams,
                &mut state.cache,
                &state.cross,
                &state.keep,
            );
            let moves = search.advance(logits);
            state.follow(&moves, self.device);
            step += 1;
        }
        search.finish()
    }
}

/// Hugging Face's `shift_tokens_right`: each row of `ids` (`[rows, len]`) behind `start`,
/// without its last position; what a BART decoder reads when no decoder input is given.
pub fn shift_right(ids: &Tensor, start: i64) -> Tensor {
    let (rows, len) = ids.size2().expect("ids are [rows, len]");
    Tensor::cat(
        &[
            Tensor::full([rows, 1], start, (Kind::Int64, ids.device())),
            ids.narrow(1, 0, len - 1),
        ],
        1,
    )
}

/// The encoder and decoder layers under rust-bert's names (the same for BART and Pegasus).
fn layers(vars: &Vars, enc: i64, dec: i64) -> Result<(Vec<Layer>, Vec<DecoderLayer>)> {
    let linear = |p: &str| vars.linear(p);
    let norm = |p: &str| vars.norm(p, 1e-5);
    let attention = |p: &str| -> Result<Attention> {
        Ok(Attention {
            q: linear(&format!("{p}.q_proj"))?,
            k: linear(&format!("{p}.k_proj"))?,
            v: linear(&format!("{p}.v_proj"))?,
            out: linear(&format!("{p}.out_proj"))?,
        })
    };
    let layer = |p: &str| -> Result<Layer> {
        Ok(Layer {
            attn: attention(&format!("{p}.self_attn"))?,
            attn_norm: norm(&format!("{p}.self_attn_layer_norm"))?,
            fc1: linear(&format!("{p}.fc1"))?,
            fc2: linear(&format!("{p}.fc2"))?,
            out_norm: norm(&format!("{p}.final_layer_norm"))?,
        })
    };
    let encoder = (0..enc)
        .map(|i| layer(&format!("model.encoder.layers.{i}")))
        .collect::<Result<Vec<_>>>()?;
    let decoder = (0..dec)
        .map(|i| {
            let p = format!("model.decoder.layers.{i}");
            Ok(DecoderLayer {
                base: layer(&p)?,
                cross: attention(&format!("{p}.encoder_attn"))?,
                cross_norm: norm(&format!("{p}.encoder_attn_layer_norm"))?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((encoder, decoder))
}

fn embed_scale(scale_embedding: Option<bool>, d_model: i64) -> f64 {
    if scale_embedding.unwrap_or(false) {
        (d_model as f64).sqrt()
    } else {
        1.0
    }
}

/// Pegasus' position table: position `p`, dimension `j` is `p / 10000^(2⌊j/2⌋/d)`; sines of
/// the even dimensions fill the first half of a row, cosines of the odd ones the second.
fn sinusoidal(positions: i64, d: i64, device: Device) -> Tensor {
    let half = d / 2 + d % 2;
    let mut table = vec![0f32; (positions * d) as usize];
    for p in 0..positions {
        for j in 0..d {
            let angle = p as f64 / 10000f64.powf((2 * (j / 2)) as f64 / d as f64);
            let (col, value) = if j % 2 == 0 {
                (j / 2, angle.sin())
            } else {
                (half + j / 2, angle.cos())
            };
            table[(p * d + col) as usize] = value as f32;
        }
    }
    Tensor::from_slice(&table).view([positions, d]).to(device)
}

/// What the decoder keeps between steps, for the articles still being searched.
struct State {
    cross: CrossCache,
    keep: Tensor,
    cache: SelfCache,
}

/// How the rows move after a step: `rows[i]` is the old row the new row `i` continues,
/// `articles[j]` the old article position of the new article `j` (done articles leave).
struct Moves {
    rows: Vec<i64>,
    articles: Option<Vec<i64>>,
}

impl State {
    fn follow(&mut self, moves: &Moves, device: Device) {
        let rows = Tensor::from_slice(&moves.rows).to(device);
        for (k, v) in self.cache.iter_mut() {
            *k = k.index_select(0, &rows);
            *v = v.index_select(0, &rows);
        }
        if let Some(a) = &moves.articles {
            let a = Tensor::from_slice(a).to(device);
            for (k, v) in self.cross.iter_mut() {
                *k = k.index_select(0, &a);
                *v = v.index_select(0, &a);
            }
            self.keep = self.keep.index_select(0, &a);
        }
    }
}

/// The finished hypotheses of one article (rust-bert's `BeamHypotheses`).
#[derive(Default)]
struct Hypotheses {
    beams: Vec<(f64, Vec<i64>)>,
    worst: f64,
}

impl Hypotheses {
    fn add(&mut self, tokens: Vec<i64>, sum_logprobs: f64, d: &Decoding) {
        let score = sum_logprobs / (tokens.len() as f64).powf(d.length_penalty);
        if (self.beams.len() as i64) < d.num_beams || score > self.worst {
            self.beams.push((score, tokens));
            if self.beams.len() as i64 > d.num_beams {
                let worst = self
                    .beams
                    .iter()
                    .enumerate()
                    .min_by(|a, b| a.1 .0.total_cmp(&b.1 .0))
                    .map(|(i, _)| i)
                    .expect("more beams than the limit");
                self.beams.remove(worst);
            }
            self.worst = self
                .beams
                .iter()
                .map(|b| b.0)
                .min_by(f64::total_cmp)
                .unwrap_or(1e9);
        }
    }

    /// With early stopping (what parallax asks rust-bert for), an article is done once it
    /// has as many finished hypotheses as beams.
    fn is_done(&self, d: &Decoding) -> bool {
        self.beams.len() as i64 >= d.num_beams
    }

    /// The best hypothesis; of equal scores, the one added last (rust-bert sorts stably
    /// and pops the end).
    fn best(mut self) -> Vec<i64> {
        self.beams.sort_by(|a, b| a.0.total_cmp(&b.0));
        self.beams.pop().map(|b| b.1).unwrap_or_default()
    }
}

/// Beam search (or greedy search at one beam) over a batch of articles, on the CPU side:
/// the logits come in, the next tokens and row moves go out.
struct Search {
    d: Decoding,
    beams: i64,
    /// Per article: its beams' tokens so far (empty once the article is done).
    seqs: Vec<Vec<Vec<i64>>>,
    /// Per article: its beams' scores.
    scores: Vec<Vec<f32>>,
    hyps: Vec<Hypotheses>,
    /// Articles still searched, in row order.
    alive: Vec<usize>,
    /// Greedy results (one beam): the finished sequence of each article.
    greedy: Vec<Option<Vec<i64>>>,
    len: i64,
}

impl Search {
    fn new(articles: usize, d: &Decoding) -> Self {
        let beams = d.num_beams.max(1);
        let mut first = vec![-1e9f32; beams as usize];
        first[0] = 0.0;
        Search {
            d: *d,
            beams,
            seqs: vec![vec![vec![d.decoder_start]; beams as usize]; articles],
            scores: vec![first; articles],
            hyps: (0..articles).map(|_| Hypotheses::default()).collect(),
            alive: (0..articles).collect(),
            greedy: vec![None; articles],
            len: 1,
        }
    }

    /// Each live row's last token, or `None` when the search is over.
    fn tokens(&self) -> Option<Vec<i64>> {
        if self.alive.is_empty() || self.len >= self.d.max_length {
            return None;
        }
        Some(
            self.alive
                .iter()
                .flat_map(|&a| self.seqs[a].iter().map(|s| *s.last().expect("non-empty")))
                .collect(),
        )
    }

    /// The tokens an n-gram ban forbids after `seq` (rust-bert's and fairseq's rule).
    fn banned(&self, seq: &[i64]) -> Vec<i64> {
        let n = self.d.no_repeat_ngram_size as usize;
        if n == 0 || seq.len() + 1 < n {
            return Vec::new();
        }
        let tail = &seq[seq.len() + 1 - n..];
        seq.windows(n)
            .filter(|w| &w[..n - 1] == tail)
            .map(|w| w[n - 1])
            .collect()
    }

    /// Leaves `t` the only possible token (transformers' forced-token processors: score 0
    /// for it, minus infinity for every other).
    fn force(scores: &mut Tensor, t: i64) {
        let _ = scores.fill_(f64::NEG_INFINITY);
        let _ = scores.select(1, t).fill_(0.0);
    }

    /// Minus infinity for EOS before `min_length`, and for the tokens that would repeat
    /// an n-gram.
    fn ban(&self, scores: &mut Tensor) {
        if self.len < self.d.min_length {
            let _ = scores.index_fill_(
                1,
                &Tensor::from_slice(&[self.d.eos]).to(scores.device()),
                f64::NEG_INFINITY,
            );
        }
        let mut row = 0i64;
        for &a in &self.alive {
            for s in &self.seqs[a] {
                let banned = self.banned(s);
                if !banned.is_empty() {
                    let _ = scores.get(row).index_fill_(
                        0,
                        &Tensor::from_slice(&banned).to(scores.device()),
                        f64::NEG_INFINITY,
                    );
                }
                row += 1;
            }
        }
    }

    /// The token forced at this step, if any.
    fn forced(&self) -> Option<i64> {
        if self.len == 1 {
            self.d.forced_bos
        } else if self.len == self.d.max_length - 1 {
            self.d.forced_eos
        } else {
            None
        }
    }

    /// Applies one step's logits (`[rows, vocab]`), and says how rows move. Bans first,
    /// then forced tokens, as transformers orders its processors: at `max_length - 1` with
    /// `min_length == max_length` the forced EOS wins. (rust-bert forces first and bans
    /// after, which leaves every candidate at minus infinity there.)
    fn advance(&mut self, logits: Tensor) -> Moves {
        let mut scores = if self.beams == 1 {
            logits
        } else {
            logits.log_softmax(-1, Kind::Float)
        };
        self.ban(&mut scores);
        if let Some(t) = self.forced() {
            Self::force(&mut scores, t);
        }
        if self.beams == 1 {
            return self.advance_greedy(&scores);
        }
        let d = self.d;
        let k = self.beams as usize;
        let vocab = scores.size()[1];
        let beam_scores: Vec<f32> = self
            .alive
            .iter()
            .flat_map(|&a| self.scores[a].iter().copied())
            .collect();
        let device = scores.device();
        let next = scores + Tensor::from_slice(&beam_scores).to(device).unsqueeze(-1);
        let (top_scores, top_ids) = next.view([self.alive.len() as i64, k as i64 * vocab]).topk(
            2 * k as i64,
            1,
            true,
            true,
        );
        let top_scores: Vec<f32> =
            Vec::try_from(top_scores.to_device(Device::Cpu).view(-1)).expect("float scores");
        let top_ids: Vec<i64> =
            Vec::try_from(top_ids.to_device(Device::Cpu).view(-1)).expect("int64 ids");
        let mut moves = Vec::with_capacity(self.alive.len() * k);
        let mut still = Vec::with_capacity(self.alive.len());
        let mut kept = Vec::with_capacity(self.alive.len());
        for (pos, &a) in self.alive.iter().enumerate() {
            let mut next_seqs = Vec::with_capacity(k);
            let mut next_scores = Vec::with_capacity(k);
            let mut rows_from = Vec::with_capacity(k);
            for j in 0..2 * k {
                let c = pos * 2 * k + j;
                let beam = (top_ids[c] / vocab) as usize;
                let token = top_ids[c] % vocab;
                if token == d.eos {
                    // A finished hypothesis, if it ranks among the best `k` candidates.
                    if j < k {
                        self.hyps[a].add(self.seqs[a][beam].clone(), f64::from(top_scores[c]), &d);
                    }
                } else if next_seqs.len() < k {
                    let mut s = self.seqs[a][beam].clone();
                    s.push(token);
                    next_seqs.push(s);
                    next_scores.push(top_scores[c]);
                    rows_from.push((pos * k + beam) as i64);
                }
            }
            if self.hyps[a].is_done(&d) {
                // Done: the article leaves the batch.
                self.seqs[a].clear();
                continue;
            }
            self.seqs[a] = next_seqs;
            self.scores[a] = next_scores;
            moves.extend(rows_from);
            still.push(a);
            kept.push(pos as i64);
        }
        self.finish_step(moves, still, kept)
    }

    fn advance_greedy(&mut self, scores: &Tensor) -> Moves {
        let next: Vec<i64> =
            Vec::try_from(scores.argmax(-1, false).to_device(Device::Cpu)).expect("int64 ids");
        let mut still = Vec::with_capacity(self.alive.len());
        let mut kept = Vec::with_capacity(self.alive.len());
        let mut moves = Vec::with_capacity(self.alive.len());
        for (pos, &a) in self.alive.iter().enumerate() {
            self.seqs[a][0].push(next[pos]);
            if next[pos] == self.d.eos {
                self.greedy[a] = Some(std::mem::take(&mut self.seqs[a][0]));
                self.seqs[a].clear();
                continue;
            }
            moves.push(pos as i64);
            still.push(a);
            kept.push(pos as i64);
        }
        self.finish_step(moves, still, kept)
    }

    fn finish_step(&mut self, moves: Vec<i64>, still: Vec<usize>, kept: Vec<i64>) -> Moves {
        let articles = (still.len() != self.alive.len()).then_some(kept);
        self.alive = still;
        self.len += 1;
        Moves {
            rows: moves,
            articles,
        }
    }

    /// Each article's output: the best finished hypothesis, else (at `max_length`) the best
    /// open beam; an output shorter than `max_length` ends with EOS.
    fn finish(mut self) -> Vec<Vec<i64>> {
        let d = self.d;
        for &a in &self.alive {
            if self.beams == 1 {
                self.greedy[a] = Some(std::mem::take(&mut self.seqs[a][0]));
                continue;
            }
            let seqs = std::mem::take(&mut self.seqs[a]);
            for (s, &score) in seqs.into_iter().zip(&self.scores[a]) {
                self.hyps[a].add(s, score as f64, &d);
            }
        }
        if self.beams == 1 {
            return self
                .greedy
                .into_iter()
                .map(Option::unwrap_or_default)
                .collect();
        }
        self.hyps
            .into_iter()
            .map(|h| {
                let mut best = h.best();
                if (best.len() as i64) < d.max_length {
                    best.push(d.eos);
                }
                best
            })
            .collect()
    }
}
