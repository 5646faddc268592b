//! `parallax stories` as a stream: records read one line at a time, leads embedded a chunk
//! at a time through the batching core, stories found online and closed as the dates move
//! on; `--annotate` reads the input a second time and writes each record with its story.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};

use crate::input::lines::{too_long, Bounded, BoundedLines, MAX_LINE_BYTES};
use std::path::Path;
use std::time::Instant;

use serde_json::Value;

use super::checkpoint::{Checkpoint, SAVE_EVERY};
use super::records::{Line, Records, DUPLICATE_ID};
use crate::analyze::stories::{self, Article, Closed, StoriesConfig, Story, StoryFinder};
use crate::encode::{Backend, BatchEncoder, Truncation};
use crate::error::{Error, Result};

/// Articles embedded before the first assignment: the language means are estimated on
/// them, so the first articles are centred as well as the later ones.
pub const WARMUP: usize = 1024;
/// Articles embedded per chunk after the warm-up.
pub const CHUNK: usize = 256;

/// A record that was not used, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    /// Its 1-based line.
    pub line: usize,
    /// Its id, when it has one.
    pub id: Option<String>,
    /// Why.
    pub reason: String,
}

/// What a run found, and what it could not use.
#[derive(Debug, Default)]
pub struct Found {
    /// The stories, numbered.
    pub stories: Vec<Story>,
    /// Records not used.
    pub skipped: Vec<Skipped>,
    /// Articles read.
    pub articles: usize,
    /// Articles that arrived more than two windows behind the newest date already seen (the
    /// input is not in date order; they could not join the stories already closed).
    pub late: usize,
    /// Most articles held in open stories at once: the memory the finder needed.
    pub peak_open_articles: usize,
    /// Seconds spent embedding leads (reading included).
    pub embed_secs: f64,
    /// Seconds spent assigning and merging: the part that must grow with the open
    /// stories, not with the corpus.
    pub cluster_secs: f64,
}

/// Embeds the leads of `articles` (unit vectors), cutting any over the model's maximum.
pub fn embed_leads<B: Backend<Output = Vec<f32>>>(
    encoder: &BatchEncoder<B>,
    articles: &[Article],
    progress: &mut dyn FnMut(usize),
) -> Result<Vec<Vec<f32>>> {
    let texts: Vec<&str> = articles.iter().map(|a| a.lead.as_str()).collect();
    let mut done = 0;
    let encoded = encoder.encode_with(&texts, Truncation::Cut, &mut |d, _| {
        progress(d - done);
        done = d;
    })?;
    Ok(encoded
        .outputs
        .into_iter()
        .map(|mut v| {
            let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            if n > 0.0 {
                v.iter_mut().for_each(|x| *x /= n);
            }
            v
        })
        .collect())
}

/// Cuts a stream into the chunks the finder is fed: [`WARMUP`] items first, then
/// [`CHUNK`] at a time. `stories` and `eval stories` both go through it, so the scores are
/// of exactly what the command does.
fn chunks<T>(items: impl Iterator<Item = T>) -> impl Iterator<Item = Vec<T>> {
    let mut items = items.peekable();
    let mut size = WARMUP;
    std::iter::from_fn(move || {
        items.peek()?;
        let chunk: Vec<T> = items.by_ref().take(size).collect();
        size = CHUNK;
        Some(chunk)
    })
}

/// The vectors of a chunk: from the checkpoint while it holds them, then embedded
/// [`SAVE_EVERY`] articles at a time and written to it; without a checkpoint, in one pass.
fn chunk_vectors<B: Backend<Output = Vec<f32>>>(
    encoder: &BatchEncoder<B>,
    chunk: &[Article],
    checkpoint: Option<&mut Checkpoint>,
    progress: &mut dyn FnMut(usize),
) -> Result<Vec<Vec<f32>>> {
    let Some(checkpoint) = checkpoint else {
        return embed_leads(encoder, chunk, progress);
    };
    let mut vectors = Vec::with_capacity(chunk.len());
    for part in chunk.chunks(SAVE_EVERY) {
        let mark = checkpoint.mark();
        let cached: Vec<Vec<f32>> = part
            .iter()
            .map_while(|a| checkpoint.cached(&a.id, &a.lead))
            .collect();
        if cached.len() == part.len() {
            progress(part.len());
            vectors.extend(cached);
            continue;
        }
        // A step is reused whole or embedded whole (a kill may have torn it).
        checkpoint.rewind(mark);
        let fresh = embed_leads(encoder, part, progress)?;
        let items: Vec<(&str, &str, &[f32])> = part
            .iter()
            .zip(&fresh)
            .map(|(a, v)| (a.id.as_str(), a.lead.as_str(), v.as_slice()))
            .collect();
        checkpoint.append(&items)?;
        vectors.extend(fresh);
    }
    Ok(vectors)
}

/// Finds the stories of `articles` (already in the order to read them), embedding them
/// through `encoder` a chunk at a time (their vectors kept in, and read back from,
/// `checkpoint` when there is one). `progress(n)` is told of each `n` articles embedded.
pub fn find<B: Backend<Output = Vec<f32>>, I: Iterator<Item = Article>>(
    encoder: &BatchEncoder<B>,
    articles: I,
    config: StoriesConfig,
    mut checkpoint: Option<&mut Checkpoint>,
    progress: &mut dyn FnMut(usize),
) -> Result<Found> {
    let mut found = Found::default();
    let mut finder = StoryFinder::new(config);
    let mut closed: Vec<Closed> = Vec::new();
    let mut started = Instant::now();
    for chunk in chunks(articles) {
        // Stories close between chunks, so an article dated before what the previous
        // chunks closed has missed its story.
        if let Some(limit) = finder.closed_before() {
            found.late += chunk
                .iter()
                .filter(|a| a.day.is_some_and(|d| d < limit))
                .count();
        }
        found.articles += chunk.len();
        let vectors = chunk_vectors(encoder, &chunk, checkpoint.as_deref_mut(), progress)?;
        let embedded = Instant::now();
        found.embed_secs += embedded.duration_since(started).as_secs_f64();
        closed.extend(finder.add(chunk.into_iter().zip(vectors).collect()));
        started = Instant::now();
        found.cluster_secs += started.duration_since(embedded).as_secs_f64();
        found.peak_open_articles = found.peak_open_articles.max(finder.open_articles());
    }
    let finishing = Instant::now();
    closed.extend(finder.finish());
    found.stories = stories::number(closed);
    found.cluster_secs += finishing.elapsed().as_secs_f64();
    Ok(found)
}

/// Reads a JSON Lines corpus as articles: bad lines and repeated ids are set aside in
/// `skipped`, not fatal. `group_by` names the field whose value is an article's group.
pub fn read_articles<'a>(
    records: impl Iterator<Item = Result<Line>> + 'a,
    group_by: &'a str,
    skipped: &'a mut Vec<Skipped>,
) -> impl Iterator<Item = Result<Article>> + 'a {
    let mut ids: HashSet<String> = HashSet::new();
    records.filter_map(move |line| match line {
        Err(e) => Some(Err(e)),
        Ok(Line::Bad { line, id, reason }) => {
            skipped.push(Skipped { line, id, reason });
            None
        }
        Ok(Line::Record { line, doc, raw }) => {
            let article = Article::from_record(&doc, &raw, group_by);
            if !ids.insert(article.id.clone()) {
                skipped.push(Skipped {
                    line,
                    id: Some(article.id),
                    reason: DUPLICATE_ID.into(),
                });
                return None;
            }
            Some(Ok(article))
        }
    })
}

/// The whole command over a file: read, embed, find. Reading errors (an unreadable file)
/// stop the run; bad records do not.
pub fn find_in_file<B: Backend<Output = Vec<f32>>>(
    encoder: &BatchEncoder<B>,
    path: &Path,
    field: &str,
    group_by: &str,
    config: StoriesConfig,
    checkpoint: Option<&mut Checkpoint>,
    progress: &mut dyn FnMut(usize),
) -> Result<Found> {
    // Only a lead is read from each article, so any length is fine, but a line is kept only
    // up to 64 MiB; a longer one is skipped as a bad line.
    let records =
        Records::open(path, field, usize::MAX)?.with_line_cap(crate::input::lines::MAX_LINE_BYTES);
    let mut skipped = Vec::new();
    let mut error = None;
    let found = {
        let articles = read_articles(records, group_by, &mut skipped).map_while(|r| match r {
            Ok(a) => Some(a),
            Err(e) => {
                error = Some(e);
                None
            }
        });
        find(encoder, articles, config, checkpoint, progress)?
    };
    if let Some(e) = error {
        return Err(e);
    }
    Ok(Found { skipped, ..found })
}

/// Writes every line of the input to `out`, each record that joined a story with its
/// `story` field added (an existing `story` field is replaced); lines that were skipped
/// are written as they were, so nothing of the user's data is lost.
pub fn annotate(path: &Path, stories: &[Story], out: &mut dyn Write) -> Result<()> {
    let mut of: HashMap<&str, &str> = HashMap::new();
    for s in stories {
        for a in &s.articles {
            of.insert(a.id.as_str(), s.story.as_str());
        }
    }
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = BufReader::new(f);
    let mut seen: HashSet<String> = HashSet::new();
    let write_err = |e: std::io::Error| Error::write("the output", e);
    let read_err = |n: usize, e: std::io::Error| Error::File {
        path: path.to_path_buf(),
        message: format!("cannot read line {n}: {e}"),
    };
    for n in 1.. {
        // A line is held up to the cap `stories` read it with; a longer one (which
        // `stories` skipped) streams through to the output unchanged, never held whole.
        let mut kept: Vec<u8> = Vec::new();
        let (mut any, mut spilled) = (false, false);
        loop {
            let buf = reader.fill_buf().map_err(|e| read_err(n, e))?;
            if buf.is_empty() {
                break;
            }
            any = true;
            let (part, used) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (&buf[..i], i + 1),
                None => (buf, buf.len()),
            };
            let newline = used > part.len();
            if !spilled && kept.len() + part.len() > MAX_LINE_BYTES {
                out.write_all(&kept).map_err(write_err)?;
                kept = Vec::new();
                spilled = true;
            }
            if spilled {
                out.write_all(part).map_err(write_err)?;
            } else {
                kept.extend_from_slice(part);
            }
            reader.consume(used);
            if newline {
                break;
            }
        }
        if !any {
            break;
        }
        if !spilled && kept.last() == Some(&b'\r') {
            kept.pop();
        }
        let value: Option<Value> = (!spilled)
            .then(|| serde_json::from_slice(&kept).ok())
            .flatten();
        let annotated = value.and_then(|mut v| {
            let id = crate::input::document::scalar(v.get("id"))?;
            let story = of.get(id.as_str())?;
            // Only the first record of an id joined a story.
            if !seen.insert(id) {
                return None;
            }
            v.as_object_mut()?
                .insert("story".into(), Value::String(story.to_string()));
            Some(v.to_string())
        });
        match annotated {
            Some(line) => out.write_all(line.as_bytes()),
            None => out.write_all(&kept),
        }
        .and_then(|_| out.write_all(b"\n"))
        .map_err(write_err)?;
    }
    Ok(())
}

/// A labelled corpus for `eval stories`, in date order (dated articles by date, then the
/// undated, each in file order): records with `text` and a `label` field, or the Multi-News
/// layout (`document` holding source articles joined by `|||||`, labelled by the record's
/// `id`). Returns the articles and their labels; a record without a label or text is an
/// error naming its line. With `keep`, only articles whose label is in it are kept. More
/// than `max_articles` articles is an error as soon as the next one is read: scoring holds
/// every article's vector, and the baseline compares each article with every story.
pub fn read_labelled(
    path: &Path,
    label: &str,
    group_by: &str,
    keep: Option<&HashSet<String>>,
    max_articles: usize,
) -> Result<Vec<(Article, String)>> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut out: Vec<(Article, String)> = Vec::new();
    let push = |out: &mut Vec<(Article, String)>, article: Article, value: String, n| {
        if keep.is_some_and(|k| !k.contains(&value)) {
            return Ok(());
        }
        if out.len() == max_articles {
            return Err(Error::File {
                path: format!("{}:{n}", path.display()).into(),
                message: format!(
                    "more than --max-articles {max_articles} articles to score; eval holds every \
                     article's vector and its baseline compares each article with every story, \
                     so raise --max-articles (about 2 KB of memory and a little more time per \
                     article) or score a sample"
                ),
            });
        }
        out.push((article, value));
        Ok(())
    };
    let bad = |line: usize, message: String| Error::File {
        path: format!("{}:{line}", path.display()).into(),
        message,
    };
    for line in BoundedLines::new(BufReader::new(f), MAX_LINE_BYTES) {
        let (n, line) = line.map_err(|e| Error::io(path, e))?;
        let at = format!("{}:{n}", path.display());
        let line = match line {
            Bounded::Text(t) => t,
            Bounded::TooLong(bytes) => return Err(too_long(&at, bytes)),
        };
        if line.trim().is_empty() {
            continue;
        }
        let raw: Value =
            serde_json::from_str(&line).map_err(|e| bad(n, format!("not valid JSON: {e}")))?;
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        if let Some(document) = text(&raw, "document").filter(|_| raw.get("text").is_none()) {
            let id = text(&raw, "id").ok_or_else(|| bad(n, "no 'id' field".into()))?;
            for (i, piece) in document.split("|||||").enumerate() {
                if piece.trim().is_empty() {
                    continue;
                }
                let mut record =
                    serde_json::json!({"id": format!("{id}-{i}"), "text": piece.trim()});
                if let Some(l) = raw.get("language") {
                    record["language"] = l.clone();
                }
                let doc = crate::input::document::record(record.clone(), &at, "text")?;
                let article = Article::from_record(&doc, &record, group_by);
                push(&mut out, article, id.clone(), n)?;
            }
            continue;
        }
        let doc = crate::input::document::record(raw.clone(), &at, "text")?;
        let value = match raw.get(label) {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::Number(x)) => x.to_string(),
            _ => {
                return Err(bad(
                    n,
                    format!("no '{label}' label (choose the field with --label)"),
                ))
            }
        };
        let mut article = Article::from_record(&doc, &raw, group_by);
        if article.id.is_empty() {
            article.id = format!("line-{n}");
        }
        push(&mut out, article, value, n)?;
    }
    out.sort_by_key(|(a, _)| (a.day.is_none(), a.day));
    Ok(out)
}

/// The ids of the records whose `dataset` field is `name` (the labels of the Multi-News
/// layout), to score one part of a mixed file.
pub fn dataset_ids(path: &Path, name: &str) -> Result<HashSet<String>> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut ids = HashSet::new();
    for line in BoundedLines::new(BufReader::new(f), MAX_LINE_BYTES) {
        let Bounded::Text(line) = line.map_err(|e| Error::io(path, e))?.1 else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if v.get("dataset").and_then(Value::as_str) == Some(name) {
            if let Some(id) = v.get("id").and_then(Value::as_str) {
                ids.insert(id.to_string());
            }
        }
    }
    Ok(ids)
}

/// Clusters articles whose vectors are already known, in the same chunks as [`find`] (so
/// the result is the one `stories` gives), and scores the stories against the labels.
pub fn evaluate(
    labelled: &[(Article, String)],
    vectors: &[Vec<f32>],
    config: StoriesConfig,
) -> stories::score::Scores {
    let mut finder = StoryFinder::new(config);
    let mut closed = Vec::new();
    let items = labelled
        .iter()
        .map(|(a, _)| a.clone())
        .zip(vectors.iter().cloned());
    for chunk in chunks(items) {
        closed.extend(finder.add(chunk));
    }
    closed.extend(finder.finish());
    let story_of: HashMap<String, String> = stories::number(closed)
        .into_iter()
        .flat_map(|s| {
            let id = s.story;
            s.articles.into_iter().map(move |a| (a.id, id.clone()))
        })
        .collect();
    let predicted: Vec<&str> = labelled
        .iter()
        .map(|(a, _)| story_of.get(&a.id).map_or("", String::as_str))
        .collect();
    let truth: Vec<&str> = labelled.iter().map(|(_, l)| l.as_str()).collect();
    stories::score::score(&predicted, &truth)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::{fake, BatchConfig};

    const CORPUS: &str = r#"{"id": "1", "country": "US", "date": "2025-11-20", "title": "Missile strike on Ternopil apartment blocks kills 25", "text": "A Russian missile strike on apartment blocks in Ternopil killed 25 people on Wednesday, officials said."}
{"id": "2", "country": "UA", "date": "2025-11-20", "title": "Missile strike on Ternopil apartment blocks", "text": "Missile strike on Ternopil apartment blocks killed 25 people on Wednesday, officials said in Ternopil."}
{"id": "3", "country": "US", "date": "20.11.2025", "title": "Geneva talks on the peace plan begin", "text": "Delegations met in Geneva on Sunday to discuss the peace plan drafted by the United States."}
not json
{"id": "1", "text": "a repeated id"}
{"id": "4", "country": "RU", "title": "Geneva talks on the peace plan", "text": "Delegations met in Geneva on Sunday to discuss the peace plan, the talks began."}
{"id": "5", "country": "US", "text": ""}
"#;

    #[test]
    fn a_file_with_bad_lines_gives_stories_and_says_what_it_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        std::fs::write(&path, CORPUS).unwrap();
        let encoder = fake::embedder(BatchConfig::default()).unwrap();
        let config = StoriesConfig {
            center_languages: false,
            threshold: 0.5,
            ..StoriesConfig::default()
        };
        let found = find_in_file(
            &encoder,
            &path,
            "text",
            "country",
            config,
            None,
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(found.articles, 4);
        let lines: Vec<usize> = found.skipped.iter().map(|s| s.line).collect();
        assert_eq!(lines, vec![4, 5, 7]);
        assert_eq!(found.skipped[1].reason, DUPLICATE_ID);
        let sets: Vec<Vec<&str>> = found
            .stories
            .iter()
            .map(|s| {
                let mut v: Vec<&str> = s.articles.iter().map(|a| a.id.as_str()).collect();
                v.sort();
                v
            })
            .collect();
        assert_eq!(sets, vec![vec!["1", "2"], vec!["3", "4"]]);
        assert_eq!(found.stories[0].first_date.as_deref(), Some("2025-11-20"));
        assert_eq!(found.stories[0].groups.get("UA"), Some(&1));

        let mut out = Vec::new();
        annotate(&path, &found.stories, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), CORPUS.lines().count());
        assert!(lines[0].contains(r#""story":"s0001""#), "{}", lines[0]);
        assert!(lines[5].contains(r#""story":"s0002""#), "{}", lines[5]);
        // Skipped lines come back as they were.
        assert_eq!(lines[3], "not json");
        assert_eq!(lines[4], r#"{"id": "1", "text": "a repeated id"}"#);
    }

    #[test]
    fn late_articles_are_counted() {
        let encoder = fake::embedder(BatchConfig::default()).unwrap();
        let day = |id: &str, d: i64| Article {
            id: id.into(),
            outlet: None,
            country: None,
            language: Some("en".into()),
            title: None,
            date_text: None,
            day: Some(d),
            url: None,
            group: None,
            lead: format!("story number {id}"),
        };
        let found = find(
            &encoder,
            (0..WARMUP)
                .map(|i| day(&format!("a{i}"), 100))
                .chain([day("b", 50), day("c", 99)]),
            StoriesConfig::default(),
            None,
            &mut |_| {},
        )
        .unwrap();
        // b came after the warm-up chunk, 50 days behind it; c is within the window.
        assert_eq!(found.late, 1);
        assert_eq!(found.articles, WARMUP + 2);
    }
}
