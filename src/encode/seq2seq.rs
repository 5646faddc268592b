//! Abstractive generation with rust-bert's encoder-decoder generators (BART and DistilBART,
//! T5, Pegasus), as a second backend of the batching core: one packed batch of tokenized
//! inputs in, one generated token sequence per input out.
//!
//! Tokenization is the batching core's (the folder's Hugging Face `tokenizer.json`), not
//! rust-bert's: the core needs token counts to schedule and chunk, and a single tokenizer
//! for both directions keeps encoding and decoding consistent. rust-bert's generators still
//! own a tokenizer for their text API, which parallax never calls, so that slot holds an
//! inert placeholder (see [`placeholder_tokenizer`]).

use rust_bert::bart::{BartConfig, BartGenerator};
use rust_bert::pegasus::{PegasusConditionalGenerator, PegasusConfig};
use rust_bert::pipelines::common::{ModelResource, ModelType, TokenizerOption};
use rust_bert::pipelines::generation_utils::{
    GenerateConfig, GenerateOptions, GeneratedIndicesOutput, LanguageGenerator,
};
use rust_bert::resources::LocalResource;
use rust_bert::t5::{T5Config, T5Generator};
use rust_bert::RustBertError;
use rust_tokenizers::tokenizer::BertTokenizer;
use serde::Serialize;
use serde_json::Value;
use tch::{Device, Tensor};

use super::backend::{Backend, Padded, Tokenized};
use super::bart::{Bart, Decoding};
use crate::error::{Error, Result};
use crate::models::ResolvedModel;

/// The architectures parallax can generate with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Architecture {
    /// BART and its distilled variants (DistilBART): `model_type` "bart".
    Bart,
    /// T5: `model_type` "t5"; gets the `summarize: ` prefix.
    T5,
    /// Pegasus: `model_type` "pegasus".
    Pegasus,
}

/// Decoding settings. `None` fields fall back to the model's own
/// `task_specific_params.summarization` in config.json, then to [`GenerationSettings::fallback`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GenerationOptions {
    /// Beams (`--beams`).
    pub num_beams: Option<i64>,
    /// Fewest tokens generated (`--min-length`).
    pub min_length: Option<i64>,
    /// Most tokens generated (`--max-length`).
    pub max_length: Option<i64>,
    /// No n-gram of this size twice (`--no-repeat-ngram`).
    pub no_repeat_ngram_size: Option<i64>,
    /// Length penalty of beam search.
    pub length_penalty: Option<f64>,
}

/// The settings a run actually used (reported in the JSON output).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GenerationSettings {
    /// Beams.
    pub num_beams: i64,
    /// Fewest tokens generated.
    pub min_length: i64,
    /// Most tokens generated.
    pub max_length: i64,
    /// No n-gram of this size twice (0: off).
    pub no_repeat_ngram_size: i64,
    /// Length penalty of beam search.
    pub length_penalty: f64,
    /// Which decoding loop ran: parallax's own (BART) or rust-bert's `generate`.
    pub decoder: DecoderLoop,
}

/// The decoding loop a model generates with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DecoderLoop {
    /// parallax's own incremental decoder and search ([`super::bart`]): BART, Pegasus.
    Parallax,
    /// rust-bert's `generate` (T5, and BART variants the own decoder does not cover).
    RustBert,
}

impl GenerationSettings {
    /// rust-bert's summarization defaults, used when neither the user nor the model says.
    pub fn fallback() -> Self {
        Self {
            num_beams: 4,
            min_length: 30,
            max_length: 142,
            no_repeat_ngram_size: 3,
            length_penalty: 1.0,
            decoder: DecoderLoop::RustBert,
        }
    }
}

enum Generator {
    /// BART or Pegasus through parallax's own decoder and search (see [`super::bart`]).
    OwnBart(Box<Bart>, Decoding),
    Bart(Box<BartGenerator>),
    T5(Box<T5Generator>),
    Pegasus(Box<PegasusConditionalGenerator>),
}

impl Generator {
    fn generate(
        &self,
        ids: Tensor,
        mask: Tensor,
        opts: GenerateOptions,
    ) -> std::result::Result<Vec<Vec<i64>>, RustBertError> {
        let indices =
            |out: Vec<GeneratedIndicesOutput>| out.into_iter().map(|o| o.indices).collect();
        match self {
            Generator::OwnBart(b, d) => Ok(b.generate(&ids, &mask, d)),
            Generator::Bart(g) => g
                .generate_from_ids_and_past(ids, Some(mask), Some(opts))
                .map(indices),
            Generator::T5(g) => g
                .generate_from_ids_and_past(ids, Some(mask), Some(opts))
                .map(indices),
            Generator::Pegasus(g) => g
                .generate_from_ids_and_past(ids, Some(mask), Some(opts))
                .map(indices),
        }
    }
}

/// Set (to anything) to generate BART and Pegasus with rust-bert's `generate` instead of parallax's
/// own decoder: for comparing the two (`benches/abstractive_vs_peer.sh`, the tests).
pub const RUST_BERT_GENERATE: &str = "PARALLAX_RUST_BERT_GENERATE";

/// An encoder-decoder summarizer behind the batching core.
pub struct Seq2Seq {
    generator: Generator,
    /// Which generator was loaded.
    pub architecture: Architecture,
    /// The decoding settings in force.
    pub settings: GenerationSettings,
    /// Text put before every input (T5's "summarize: ").
    pub prefix: String,
    max_input: usize,
    pad_id: i64,
    decoder_start: Option<i64>,
    device: Device,
}

/// The token ids that steer decoding and that transformers (since 4.2x) saves in
/// `generation_config.json` rather than `config.json`: its `generate()` reads them from
/// there, so a model saved that way decodes differently when only `config.json` is read
/// (a BART without its forced BOS token starts every summary off its training).
const GENERATION_IDS: [&str; 3] = [
    "forced_bos_token_id",
    "forced_eos_token_id",
    "decoder_start_token_id",
];

/// Takes [`GENERATION_IDS`] from the folder's `generation_config.json`, where it has one,
/// over `config.json`'s, as transformers does. Returns the merged config written to a
/// temporary file (rust-bert reads its config from a path), or None when nothing changed.
fn merge_generation_config(
    m: &ResolvedModel,
    cfg: &mut crate::models::resolve::ModelConfig,
) -> Result<Option<tempfile::NamedTempFile>> {
    let Some(path) = m.file("generation_config.json") else {
        return Ok(None);
    };
    let generation = crate::util::read_json(&path)?;
    let mut changed = false;
    if let (Some(into), Some(from)) = (cfg.raw.as_object_mut(), generation.as_object()) {
        for key in GENERATION_IDS {
            if let Some(v) = from.get(key).filter(|v| v.is_i64()) {
                if into.get(key) != Some(v) {
                    into.insert(key.to_string(), v.clone());
                    changed = true;
                }
            }
        }
    }
    if !changed {
        return Ok(None);
    }
    let mut file = tempfile::Builder::new()
        .prefix("parallax-config-")
        .suffix(".json")
        .tempfile()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    std::io::Write::write_all(&mut file, cfg.raw.to_string().as_bytes())
        .map_err(|e| Error::io(file.path(), e))?;
    Ok(Some(file))
}

impl Seq2Seq {
    /// Loads a generator from a model folder. Every problem with the folder (unknown
    /// architecture, a config that is not the architecture's, weights that do not fit)
    /// comes back as an error naming the file, never as a panic inside rust-bert.
    pub fn load(m: &ResolvedModel, device: Device, opts: GenerationOptions) -> Result<Self> {
        let mut cfg = m.read_config()?;
        let merged = merge_generation_config(m, &mut cfg)?;
        let config_path = merged
            .as_ref()
            .map(|f| f.path().to_path_buf())
            .unwrap_or_else(|| m.config.clone());
        let raw = &cfg.raw;
        // rust-bert's config readers panic on a field they cannot parse, so each config is
        // checked here first with the same serde types.
        let mut bart_config = None;
        let mut pegasus_config = None;
        let (architecture, max_position, pad_id, decoder_start) = match cfg.model_type.as_str() {
            "bart" => {
                let c: BartConfig = cfg.parse("BART")?;
                bart_config = Some(c.clone());
                (
                    Architecture::Bart,
                    c.max_position_embeddings,
                    c.pad_token_id.unwrap_or(1),
                    c.decoder_start_token_id.or(c.eos_token_id).or(Some(2)),
                )
            }
            "t5" => {
                let c: T5Config = cfg.parse("T5")?;
                let pad = c.pad_token_id.unwrap_or(0);
                // T5 has relative positions and no hard limit; it was trained on 512.
                (
                    Architecture::T5,
                    512,
                    pad,
                    c.decoder_start_token_id.or(Some(pad)),
                )
            }
            "pegasus" => {
                let c: PegasusConfig = cfg.parse("Pegasus")?;
                pegasus_config = Some(c.clone());
                (
                    Architecture::Pegasus,
                    c.max_position_embeddings,
                    c.pad_token_id.unwrap_or(0),
                    c.decoder_start_token_id.or(Some(0)),
                )
            }
            other => {
                return Err(cfg.error(format!(
                    "model_type '{other}' cannot summarize (supported: bart, t5, pegasus; \
                     DistilBART is model_type bart)"
                )))
            }
        };
        let task = raw
            .pointer("/task_specific_params/summarization")
            .cloned()
            .unwrap_or(Value::Null);
        // The user's value, else the model's own, else rust-bert's default.
        let pick = |user: Option<i64>, key: &str, fallback: i64| {
            user.or(task.get(key).and_then(Value::as_i64))
                .unwrap_or(fallback)
        };
        let fb = GenerationSettings::fallback();
        let settings = GenerationSettings {
            num_beams: pick(opts.num_beams, "num_beams", fb.num_beams),
            min_length: pick(opts.min_length, "min_length", fb.min_length),
            max_length: pick(opts.max_length, "max_length", fb.max_length),
            no_repeat_ngram_size: pick(
                opts.no_repeat_ngram_size,
                "no_repeat_ngram_size",
                fb.no_repeat_ngram_size,
            ),
            length_penalty: opts
                .length_penalty
                .or(task.get("length_penalty").and_then(Value::as_f64))
                .unwrap_or(fb.length_penalty),
            decoder: DecoderLoop::RustBert,
        };
        // The decoder's position table ends at the model's positions (T5's are relative):
        // a default beyond it is cut to fit, a --max-length beyond it is an error.
        let mut settings = settings;
        if architecture != Architecture::T5 && settings.max_length > max_position {
            if opts.max_length.is_some() {
                return Err(Error::Input(format!(
                    "--max-length {} is more than the model's {max_position} positions \
                     (max_position_embeddings in {})",
                    settings.max_length,
                    m.config.display()
                )));
            }
            settings.max_length = max_position;
            settings.min_length = settings.min_length.min(max_position);
        }
        settings.check()?;
        let prefix = task
            .get("prefix")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| {
                if architecture == Architecture::T5 {
                    "summarize: ".into()
                } else {
                    String::new()
                }
            });

        let config = GenerateConfig {
            model_type: match architecture {
                Architecture::Bart => ModelType::Bart,
                Architecture::T5 => ModelType::T5,
                Architecture::Pegasus => ModelType::Pegasus,
            },
            model_resource: ModelResource::Torch(Box::new(LocalResource::from(
                m.weights.path().to_path_buf(),
            ))),
            config_resource: Box::new(LocalResource::from(config_path.clone())),
            vocab_resource: Box::new(LocalResource::from(config_path)),
            merges_resource: None,
            min_length: settings.min_length,
            max_length: Some(settings.max_length),
            do_sample: false,
            early_stopping: true,
            num_beams: settings.num_beams,
            temperature: 1.0,
            top_k: 50,
            top_p: 1.0,
            repetition_penalty: 1.0,
            length_penalty: settings.length_penalty,
            no_repeat_ngram_size: settings.no_repeat_ngram_size,
            num_return_sequences: 1,
            num_beam_groups: None,
            diversity_penalty: None,
            device,
            kind: None,
        };
        let weights_error = |e: RustBertError| m.weights.load_error(e);
        let tok = placeholder_tokenizer()?;
        // BART and Pegasus generate on parallax's own decoder, with the special tokens
        // rust-bert would use (its defaults where the config names none).
        let decoding = |eos: i64, forced_bos: Option<i64>, forced_eos: Option<i64>| Decoding {
            num_beams: settings.num_beams,
            min_length: settings.min_length,
            max_length: settings.max_length,
            no_repeat_ngram_size: settings.no_repeat_ngram_size,
            length_penalty: settings.length_penalty,
            decoder_start: decoder_start.unwrap_or(eos),
            eos,
            pad: pad_id,
            forced_bos,
            forced_eos,
        };
        let own_wanted = std::env::var_os(RUST_BERT_GENERATE).is_none();
        let own = match (&bart_config, &pegasus_config) {
            (Some(c), _) if own_wanted => Bart::load(c, &m.weights, device)?.map(|b| {
                let d = decoding(
                    c.eos_token_id.unwrap_or(2),
                    c.forced_bos_token_id,
                    c.forced_eos_token_id,
                );
                Generator::OwnBart(Box::new(b), d)
            }),
            (_, Some(c)) if own_wanted => Bart::load_pegasus(c, &m.weights, device)?.map(|b| {
                let d = decoding(
                    c.eos_token_id.unwrap_or(1),
                    c.forced_bos_token_id,
                    c.forced_eos_token_id,
                );
                Generator::OwnBart(Box::new(b), d)
            }),
            _ => None,
        };
        if let Some(Generator::OwnBart(b, d)) = &own {
            d.check_ids(b.vocab()).map_err(|e| cfg.error(e))?;
        }
        let generator = match (own, architecture) {
            (Some(g), _) => g,
            (None, Architecture::Bart) => Generator::Bart(Box::new(
                BartGenerator::new_with_tokenizer(config, tok).map_err(weights_error)?,
            )),
            (None, Architecture::T5) => Generator::T5(Box::new(
                T5Generator::new_with_tokenizer(config, tok).map_err(weights_error)?,
            )),
            (None, Architecture::Pegasus) => Generator::Pegasus(Box::new(
                PegasusConditionalGenerator::new_with_tokenizer(config, tok)
                    .map_err(weights_error)?,
            )),
        };
        let settings = GenerationSettings {
            decoder: if matches!(generator, Generator::OwnBart(..)) {
                DecoderLoop::Parallax
            } else {
                DecoderLoop::RustBert
            },
            ..settings
        };
        Ok(Self {
            generator,
            architecture,
            settings,
            prefix,
            max_input: max_position.max(8) as usize,
            pad_id,
            decoder_start,
            device,
        })
    }

    /// Whether generation runs on parallax's own decoder ([`super::bart`]) rather than
    /// rust-bert's `generate`: the two want different batch sizes.
    pub fn own_decoder(&self) -> bool {
        self.settings.decoder == DecoderLoop::Parallax
    }

    /// Lowers the longest input the backend accepts (chunks are cut to fit it).
    pub fn limit_input(&mut self, max: usize) {
        self.max_input = self.max_input.min(max.max(8));
    }
}

impl GenerationSettings {
    fn check(&self) -> Result<()> {
        let bad = |m: String| Err(Error::Input(m));
        if self.num_beams < 1 {
            return bad(format!(
                "--beams must be at least 1, got {}",
                self.num_beams
            ));
        }
        if self.max_length < 1 {
            return bad(format!(
                "--max-length must be at least 1, got {}",
                self.max_length
            ));
        }
        if self.min_length < 0 || self.min_length > self.max_length {
            return bad(format!(
                "--min-length must be between 0 and --max-length ({}), got {}",
                self.max_length, self.min_length
            ));
        }
        if self.no_repeat_ngram_size < 0 {
            return bad("--no-repeat-ngram must be 0 (off) or more".into());
        }
        if self.length_penalty <= 0.0 {
            return bad("the length penalty must be above 0".into());
        }
        Ok(())
    }
}

/// rust-bert's generators require a rust_tokenizers tokenizer at construction but use it
/// only in their text-in/text-out methods; parallax feeds ids, so a five-token vocabulary
/// that is never consulted fills the slot. rust_tokenizers builds vocabularies only from
/// files, hence the short-lived temporary file.
fn placeholder_tokenizer() -> Result<TokenizerOption> {
    let path = std::env::temp_dir().join(format!(
        "parallax-placeholder-vocab-{}.txt",
        std::process::id()
    ));
    std::fs::write(&path, "[UNK]\n[PAD]\n[SEP]\n[CLS]\n[MASK]\n")
        .map_err(|e| Error::io(&path, e))?;
    let tok = BertTokenizer::from_file(&path, false, false);
    let _ = std::fs::remove_file(&path);
    let tok = tok.map_err(|e| Error::Model(format!("placeholder tokenizer: {e}")))?;
    Ok(TokenizerOption::Bert(tok))
}

impl Backend for Seq2Seq {
    /// The generated token ids (special tokens included; the decoder drops them).
    type Output = Vec<i64>;

    fn max_input_tokens(&self) -> usize {
        self.max_input
    }

    fn run(&self, batch: &[&Tokenized]) -> Result<Vec<Vec<i64>>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let rows = batch.len();
        let p = Padded::new(batch, self.pad_id);
        let _guard = tch::no_grad_guard();
        let ids = p.tensor(&p.ids, self.device);
        let mask = p.tensor(&p.mask, self.device);
        let opts = GenerateOptions {
            decoder_start_token_id: self.decoder_start,
            ..Default::default()
        };
        let out = self
            .generator
            .generate(ids, mask, opts)
            .map_err(|e| Error::Model(format!("generation failed: {e}")))?;
        if out.len() != rows {
            return Err(Error::Model(format!(
                "the generator returned {} sequences for {rows} inputs",
                out.len()
            )));
        }
        for ids in &out {
            tracing::trace!(?ids, "generated");
        }
        Ok(out)
    }
}
