//! Abstractive summaries of documents of any length: map-reduce over sentence-aligned
//! chunks, all chunks of all documents generated together by the batching core.
//!
//! A seq2seq model reads at most N tokens (1,024 for BART). Cutting an article there drops
//! its end silently, so instead: split the article on sentence boundaries into chunks that
//! fit (map), summarize every chunk, join each document's chunk summaries and summarize
//! them again (reduce), repeating until one piece per document is left. Each stage is one
//! batched pass over every document's pieces, scheduled by length like any other batch.

use std::time::Instant;

use super::rouge;
use super::summarize::{Evidence, Picked, Summary};
use crate::encode::{Backend, Summarizer, Truncation};
use crate::error::{Error, Result};
use crate::input::{self, Document};

/// Reduce rounds after which a document that still has several pieces is cut: only a
/// model whose summaries are as long as its input could get there.
const MAX_ROUNDS: usize = 6;

/// Groups pieces (sentences with their token counts) into chunks under `capacity` tokens,
/// in order. A piece longer than the capacity on its own is split at word boundaries, so
/// nothing is dropped.
pub fn chunk(pieces: &[(String, usize)], capacity: usize) -> Vec<String> {
    let capacity = capacity.max(1);
    let mut chunks = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut used = 0;
    let mut long_parts: Vec<String> = Vec::new();
    for (text, tokens) in pieces {
        if *tokens > capacity {
            if !current.is_empty() {
                chunks.push(current.join(" "));
                current.clear();
                used = 0;
            }
            // Words per part, in proportion to the tokens the piece needs.
            let words: Vec<&str> = text.split_whitespace().collect();
            let per = ((words.len() * capacity) / tokens).max(1);
            long_parts.clear();
            long_parts.extend(words.chunks(per).map(|w| w.join(" ")));
            chunks.append(&mut long_parts);
            continue;
        }
        if used + tokens > capacity && !current.is_empty() {
            chunks.push(current.join(" "));
            current.clear();
            used = 0;
        }
        current.push(text);
        used += tokens;
    }
    if !current.is_empty() {
        chunks.push(current.join(" "));
    }
    chunks
}

/// Where one document stands between rounds.
struct Work {
    /// The texts to summarize this round (chunks of the article, then of summaries).
    pieces: Vec<String>,
    /// The finished summary, once a round produced a single piece.
    done: Option<String>,
}

/// Abstractive summaries of `docs`, in input order.
pub fn summarize_abstractive(
    summarizer: &mut Summarizer,
    model_name: &str,
    docs: &[Document],
) -> Result<Vec<Summary>> {
    let started = Instant::now();
    let prefix = summarizer.backend().prefix.clone();
    // Tokens the template adds (special tokens, the task prefix) to every input.
    let overhead = summarizer.tokenize(&[prefix.as_str()])?[0].len();
    let specials = summarizer.tokenize(&[""])?[0].len();
    let capacity = summarizer
        .backend()
        .max_input_tokens()
        .saturating_sub(overhead)
        .max(1);
    if capacity < 16 {
        return Err(Error::Input(format!(
            "the model takes only {} input tokens; too few to summarize",
            summarizer.backend().max_input_tokens()
        )));
    }

    let langs: Vec<&str> = docs
        .iter()
        .map(|d| d.language.as_deref().unwrap_or("en"))
        .collect();
    let sources: Vec<Vec<String>> = docs
        .iter()
        .zip(&langs)
        .map(|(d, lang)| {
            input::split(&d.text, lang)
                .into_iter()
                .map(|s| s.text)
                .collect()
        })
        .collect();
    let pieces_of = |summarizer: &Summarizer, sentences: &[String]| -> Result<Vec<String>> {
        let refs: Vec<&str> = sentences.iter().map(String::as_str).collect();
        let tokenized = summarizer.tokenize(&refs)?;
        // One token of slack per sentence: joined with a space, a sentence can tokenize
        // one token longer than alone (byte-level BPE marks a leading space).
        let sized: Vec<(String, usize)> = sentences
            .iter()
            .zip(&tokenized)
            .map(|(s, t)| (s.clone(), t.len().saturating_sub(specials) + 1))
            .collect();
        Ok(chunk(&sized, capacity))
    };

    // An article that fits the model whole goes in as written: split into sentences and
    // joined again, its text would tokenize differently (spacing around quotes and
    // ellipses), and the model would read other tokens than transformers gives it.
    let whole: Vec<&str> = docs.iter().map(|d| d.text.trim()).collect();
    let whole_tokens = summarizer.tokenize(&whole)?;
    let mut work = Vec::with_capacity(docs.len());
    for ((sentences, text), tokens) in sources.iter().zip(&whole).zip(&whole_tokens) {
        let fits = !text.is_empty() && tokens.len().saturating_sub(specials) <= capacity;
        let pieces = if fits {
            vec![text.to_string()]
        } else {
            pieces_of(summarizer, sentences)?
        };
        work.push(Work {
            done: pieces.is_empty().then(String::new),
            pieces,
        });
    }
    let chunks: Vec<usize> = work.iter().map(|w| w.pieces.len()).collect();
    let mut input_tokens = vec![0usize; docs.len()];
    let mut truncated = vec![0usize; docs.len()];

    for round in 0..=MAX_ROUNDS {
        // Every open document's pieces, in one batch list.
        let mut owners = Vec::new();
        let mut texts = Vec::new();
        for (d, w) in work.iter().enumerate() {
            if w.done.is_none() {
                for p in &w.pieces {
                    owners.push(d);
                    texts.push(format!("{prefix}{p}"));
                }
            }
        }
        if texts.is_empty() {
            break;
        }
        if round == MAX_ROUNDS {
            tracing::warn!(
                "summaries still do not fit the model after {MAX_ROUNDS} reduce rounds; \
                 cutting the joined summaries (lower --max-length)"
            );
        }
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        // Chunks are sized to fit, so a cut is an estimation slip: allow it, but report it.
        let encoded = summarizer.encode(&refs, Truncation::Cut)?;
        for &i in &encoded.truncated {
            truncated[owners[i]] += 1;
        }
        let mut outputs: Vec<Vec<String>> = vec![Vec::new(); docs.len()];
        for (i, ids) in encoded.outputs.iter().enumerate() {
            if round == 0 {
                input_tokens[owners[i]] += encoded.lengths[i];
            }
            outputs[owners[i]].push(decode(summarizer, ids)?);
        }
        for (d, w) in work.iter_mut().enumerate() {
            if w.done.is_some() {
                continue;
            }
            let outs = std::mem::take(&mut outputs[d]);
            if outs.len() == 1 || round == MAX_ROUNDS {
                w.done = Some(outs.join(" "));
                continue;
            }
            let joined: Vec<String> = outs
                .iter()
                .flat_map(|o| input::split(o, langs[d]).into_iter().map(|s| s.text))
                .collect();
            w.pieces = pieces_of(summarizer, &joined)?;
            if w.pieces.len() <= 1 {
                // Fits in one input: the next round is the final reduce.
                w.pieces = vec![outs.join(" ")];
            }
        }
    }

    let elapsed_ms = started.elapsed().as_millis() as u64;
    let settings = summarizer.backend().settings;
    Ok(docs
        .iter()
        .zip(work)
        .enumerate()
        .map(|(d, (doc, w))| {
            let summary = w.done.unwrap_or_default();
            let sentences = input::split(&summary, langs[d])
                .into_iter()
                .map(|s| Picked {
                    evidence: evidence(&s.text, &sources[d]),
                    index: None,
                    text: s.text,
                })
                .collect();
            Summary {
                id: doc.id.clone(),
                outlet: doc.outlet.clone(),
                title: doc.title.clone(),
                url: doc.url.clone(),
                origin: doc.origin.clone(),
                summary,
                sentences,
                method: "abstractive",
                model: model_name.to_string(),
                input_sentences: sources[d].len(),
                input_tokens: input_tokens[d],
                truncated_inputs: truncated[d],
                chunks: chunks[d],
                elapsed_ms,
                generation: Some(settings),
            }
        })
        .collect())
}

fn decode(summarizer: &Summarizer, ids: &[i64]) -> Result<String> {
    let ids: Vec<u32> = ids.iter().filter(|&&i| i >= 0).map(|&i| i as u32).collect();
    let text = summarizer
        .tokenizer()
        .decode(&ids, true)
        .map_err(|e| Error::Tokenizer(e.to_string()))?;
    Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The source sentence with the highest ROUGE-1 F1 against `generated`.
fn evidence(generated: &str, source: &[String]) -> Option<Evidence> {
    source
        .iter()
        .enumerate()
        .map(|(i, s)| (i, rouge::score(generated, s).rouge1.f1))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .filter(|&(_, f)| f > 0.0)
        .map(|(index, overlap)| Evidence {
            index,
            text: source[index].clone(),
            overlap: (overlap * 1000.0).round() / 1000.0,
        })
}

#[cfg(test)]
mod tests {
    use super::chunk;

    fn pieces(lens: &[usize]) -> Vec<(String, usize)> {
        lens.iter()
            .enumerate()
            .map(|(i, &n)| {
                (
                    (0..n)
                        .map(|w| format!("s{i}w{w}"))
                        .collect::<Vec<_>>()
                        .join(" "),
                    n,
                )
            })
            .collect()
    }

    #[test]
    fn chunks_keep_order_and_fit() {
        let p = pieces(&[4, 4, 4, 4, 4]);
        let c = chunk(&p, 10);
        assert_eq!(c.len(), 3);
        assert!(c[0].starts_with("s0w0") && c[0].contains("s1w3") && !c[0].contains("s2"));
        assert!(c[2].starts_with("s4w0"));
        let all_words: usize = c.iter().map(|c| c.split_whitespace().count()).sum();
        assert_eq!(all_words, 20, "no word lost");
    }

    #[test]
    fn an_overlong_sentence_is_split_not_dropped() {
        let p = pieces(&[2, 25, 2]);
        let c = chunk(&p, 10);
        assert_eq!(c.first().unwrap(), "s0w0 s0w1");
        assert_eq!(c.last().unwrap(), "s2w0 s2w1");
        let middle: Vec<&String> = c[1..c.len() - 1].iter().collect();
        assert!(middle.len() >= 3);
        assert!(middle.iter().all(|m| m.split_whitespace().count() <= 10));
        let words: usize = middle.iter().map(|m| m.split_whitespace().count()).sum();
        assert_eq!(words, 25);
    }
}
