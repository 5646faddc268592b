//! The job drivers: which records to run, which to skip (done in an earlier run, owned by
//! another shard) and which are errors (bad, duplicate), for each task. The CLI brings the
//! model and draws the progress; everything a resumed run must reproduce is decided here.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use serde::Serialize;
use serde_json::{json, Value};

use super::records::{error_record, Line, Records, DUPLICATE_ID};
use super::resume::{Resume, Sinks};
use super::shard::Shard;
use crate::analyze::compare::{compare, distinct_labels, label_sources, CompareConfig, NliFraming};
use crate::analyze::extractive::ExtractiveConfig;
use crate::analyze::summarize::{summarize_extractive, Length};
use crate::encode::{Backend, BatchEncoder, NliModel};
use crate::error::{Error, Result};
use crate::input::Document;

/// What a job reads and how it splits the work.
#[derive(Debug, Clone)]
pub struct Job<'a> {
    /// The JSON Lines input.
    pub input: &'a Path,
    /// The field that holds the text.
    pub field: &'a str,
    /// Records with a longer text become error records.
    pub max_chars: usize,
    /// This worker's share, when the job is split across workers.
    pub shard: Option<Shard>,
    /// summarize: records embedded in one pass and then written.
    pub chunk: usize,
    /// compare: the field that groups records into one story.
    pub group_key: &'a str,
}

/// Counts for the progress line and the final summary.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    /// Records (or comparisons) written.
    pub written: usize,
    /// Error records written.
    pub failed: usize,
    /// Records an earlier run had finished.
    pub skipped: usize,
    /// Records (or groups) that belong to other shards.
    pub other_shards: usize,
    /// Tokens read (estimated for compare), for the rate shown.
    pub tokens: usize,
}

/// Told how far a job is: a bar on a terminal, a log line elsewhere, nothing in tests.
pub trait Progress {
    /// The job starts, counting in `unit` ("lines", "groups"): `total` of them, or `None`
    /// when the size cannot be known ahead (an input from a pipe is read only once, so
    /// its lines are not counted first).
    fn start(&mut self, total: Option<u64>, unit: &'static str);
    /// `done` of the total are through.
    fn update(&mut self, done: u64, tally: &Tally);
}

/// No progress shown.
impl Progress for () {
    fn start(&mut self, _: Option<u64>, _: &'static str) {}
    fn update(&mut self, _: u64, _: &Tally) {}
}

/// A record as JSON, without the keys that differ run to run (timings, the input path):
/// a resumed job must write what an uninterrupted one does.
fn stable_json(value: &impl Serialize, drop: &[&str]) -> Result<Value> {
    let mut v = serde_json::to_value(value)
        .map_err(|e| Error::Input(format!("cannot write a record as JSON: {e}")))?;
    if let Value::Object(m) = &mut v {
        for k in drop {
            m.remove(*k);
        }
    }
    Ok(v)
}

/// One extractive summary per record.
pub fn summarize<B: Backend<Output = Vec<f32>>>(
    job: &Job,
    encoder: &BatchEncoder<B>,
    model_name: &str,
    sentences: usize,
    resume: &Resume,
    sinks: &mut Sinks,
    progress: &mut dyn Progress,
) -> Result<Tally> {
    // Counting the lines reads the input once before the job reads it again: a pipe or
    // FIFO would be spent by the count (and the job would find no records), so only a
    // regular file is counted.
    let total = if crate::output::rereadable(job.input) {
        Some(count_lines(job.input)?)
    } else {
        None
    };
    progress.start(total, "lines");
    let mut tally = Tally::default();
    // Ids met so far in this run's reading of the input: a later record with one of them
    // is a duplicate, whether or not an earlier run wrote the first.
    let mut seen: HashSet<String> = HashSet::new();
    let mut docs: Vec<(usize, Document)> = Vec::new();
    let mut errors: Vec<(usize, String)> = Vec::new();
    let mut lines: Vec<(usize, String)> = Vec::new();
    let mut last_line = 0;
    let length = Length::Sentences(sentences);
    let mut flush = |docs: &mut Vec<(usize, Document)>,
                     errors: &mut Vec<(usize, String)>,
                     lines: &mut Vec<(usize, String)>,
                     tally: &mut Tally|
     -> Result<()> {
        if !docs.is_empty() {
            let batch: Vec<Document> = docs.iter().map(|(_, d)| d.clone()).collect();
            let summaries = summarize_extractive(
                encoder,
                model_name,
                &batch,
                length,
                // A batch bounds each record by --max-chars and reports it as an error
                // record; one long record must not stop the chunk it is in.
                &ExtractiveConfig {
                    max_sentences: usize::MAX,
                    ..ExtractiveConfig::default()
                },
            )?;
            for ((line, _), s) in docs.iter().zip(summaries) {
                tally.tokens += s.input_tokens;
                lines.push((
                    *line,
                    stable_json(&s, &["elapsed_ms", "origin"])?.to_string(),
                ));
            }
            tally.written += docs.len();
            docs.clear();
        }
        tally.failed += errors.len();
        sinks.write(lines, errors)
    };
    for item in Records::open(job.input, job.field, job.max_chars)? {
        let item = item?;
        let line = item.line();
        last_line = line;
        let key = match &item {
            Line::Record { doc, .. } => doc.id.clone().unwrap_or_default(),
            Line::Bad { id: Some(id), .. } => id.clone(),
            Line::Bad { id: None, line, .. } => format!("line:{line}"),
        };
        if job.shard.is_some_and(|s| !s.owns(&key)) {
            tally.other_shards += 1;
            continue;
        }
        match item {
            Line::Bad { line, .. } if resume.bad_lines.contains(&line) => {
                tally.skipped += 1;
            }
            Line::Bad { line, id, reason } => {
                errors.push((line, error_record(line, id.as_deref(), &reason)));
            }
            Line::Record { doc, line, .. } => {
                let id = doc.id.clone().unwrap_or_default();
                let first = seen.insert(id.clone());
                if resume.bad_lines.contains(&line) || (first && resume.done.contains(&id)) {
                    tally.skipped += 1;
                } else if !first {
                    errors.push((line, error_record(line, Some(&id), DUPLICATE_ID)));
                } else {
                    docs.push((line, doc));
                }
            }
        }
        if docs.len() >= job.chunk {
            flush(&mut docs, &mut errors, &mut lines, &mut tally)?;
            progress.update(last_line as u64, &tally);
        }
    }
    flush(&mut docs, &mut errors, &mut lines, &mut tally)?;
    progress.update(last_line as u64, &tally);
    Ok(tally)
}

/// What runs each comparison of a compare job.
pub struct Comparer<'a, B: Backend<Output = Vec<f32>>> {
    /// The sentence encoder.
    pub encoder: &'a BatchEncoder<B>,
    /// Its name in the reports.
    pub model_name: &'a str,
    /// The settings of every comparison.
    pub cfg: &'a CompareConfig,
    /// Frames by zero-shot NLI too: the model, its name and the hypothesis template.
    pub nli: Option<(&'a NliModel, &'a str, &'a str)>,
}

/// One comparison per group of records (records with the same `job.group_key`).
pub fn compare_groups<B: Backend<Output = Vec<f32>>>(
    job: &Job,
    comparer: Comparer<B>,
    resume: &Resume,
    sinks: &mut Sinks,
    progress: &mut dyn Progress,
) -> Result<Tally> {
    check_compare_input(job.input)?;
    // First pass: where each group's records are (byte offsets), in order of first
    // appearance. Memory holds offsets, not texts.
    let path = job.input;
    let mut reader = BufReader::new(std::fs::File::open(path).map_err(|e| Error::io(path, e))?);
    let mut groups: Vec<(String, Vec<(usize, u64)>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut tally = Tally::default();
    let mut errors: Vec<(usize, String)> = Vec::new();
    let mut buf = String::new();
    let (mut offset, mut line) = (0u64, 0usize);
    loop {
        buf.clear();
        let n = reader.read_line(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        line += 1;
        let at = offset;
        offset += n as u64;
        if buf.trim().is_empty() {
            continue;
        }
        let group = serde_json::from_str::<Value>(buf.trim_end())
            .ok()
            .and_then(|v| {
                v.get(job.group_key)
                    .and_then(Value::as_str)
                    .map(str::to_string)
            });
        match group {
            Some(g) => {
                let i = *index.entry(g.clone()).or_insert_with(|| {
                    groups.push((g, Vec::new()));
                    groups.len() - 1
                });
                groups[i].1.push((line, at));
            }
            None => {
                let key = format!("line:{line}");
                if job.shard.is_some_and(|s| !s.owns(&key)) || resume.bad_lines.contains(&line) {
                    continue;
                }
                errors.push((
                    line,
                    error_record(
                        line,
                        None,
                        &format!(
                            "not valid JSON, or no '{}' field to group by",
                            job.group_key
                        ),
                    ),
                ));
            }
        }
    }
    let mut lines = Vec::new();
    tally.failed += errors.len();
    sinks.write(&mut lines, &mut errors)?;

    progress.start(Some(groups.len() as u64), "groups");
    let mut file = reader.into_inner();
    for (gi, (group, members)) in groups.iter().enumerate() {
        if job.shard.is_some_and(|s| !s.owns(group)) {
            tally.other_shards += 1;
            continue;
        }
        if resume.done.contains(group) {
            tally.skipped += 1;
            continue;
        }
        let mut docs = Vec::new();
        let mut seen = HashSet::new();
        for &(line, at) in members {
            // A group whose every record failed wrote its error records but no report, so
            // it runs again on resume: its errors are not written twice.
            if resume.bad_lines.contains(&line) {
                continue;
            }
            let mut text = String::new();
            file.seek(SeekFrom::Start(at))
                .and_then(|_| BufReader::new(&mut file).read_line(&mut text))
                .map_err(|e| Error::io(path, e))?;
            let mut records = Records::new(
                text.as_bytes(),
                &path.display().to_string(),
                job.field,
                job.max_chars,
            );
            match records.next() {
                Some(Ok(Line::Record { doc, .. })) => {
                    if seen.insert(doc.id.clone()) {
                        docs.push(doc);
                    } else {
                        errors.push((line, error_record(line, doc.id.as_deref(), DUPLICATE_ID)));
                    }
                }
                Some(Ok(Line::Bad { id, reason, .. })) => {
                    errors.push((line, error_record(line, id.as_deref(), &reason)));
                }
                Some(Err(e)) => return Err(e),
                None => {}
            }
        }
        tally.failed += errors.len();
        if !docs.is_empty() {
            let mut sources = label_sources(docs);
            distinct_labels(&mut sources);
            let framing = comparer.nli.map(|(model, name, template)| NliFraming {
                model,
                name: name.to_string(),
                template: template.to_string(),
                progress: Box::new(|_, _| {}),
            });
            let report = compare(
                comparer.encoder,
                comparer.model_name,
                &sources,
                comparer.cfg,
                framing,
            )?;
            let mut v = stable_json(&report, &["elapsed_ms"])?;
            if let Some(Value::Object(n)) = v.pointer_mut("/frames/nli") {
                n.remove("elapsed_ms");
            }
            if let Value::Object(m) = &mut v {
                m.insert("group".into(), json!(group));
            }
            tally.tokens += sources.iter().map(|s| s.doc.text.len() / 4).sum::<usize>();
            lines.push((members[0].0, v.to_string()));
            tally.written += 1;
        }
        sinks.write(&mut lines, &mut errors)?;
        progress.update(gi as u64 + 1, &tally);
    }
    Ok(tally)
}

/// Refuses an input that a compare job could not read back: it indexes the groups in one
/// pass and then seeks to each group's records, which a pipe, FIFO or device cannot do
/// (the job would fail midway, or see nothing). The CLI calls it before loading a model.
pub fn check_compare_input(path: &Path) -> Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return Err(Error::Input(format!(
            "{}: batch --task compare reads its input twice (it finds each group's records, \
             then reads them back), and this is a pipe, FIFO or device that can be read only \
             once; save it to a file first (e.g. `cat ... > input.jsonl`)",
            path.display()
        )));
    }
    Ok(())
}

/// Lines in the input, for the progress total (a fast byte scan).
fn count_lines(path: &Path) -> Result<u64> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if k == 0 {
            return Ok(n);
        }
        n += buf[..k].iter().filter(|&&b| b == b'\n').count() as u64;
    }
}
