//! `parallax stories`: which articles of an unlabelled corpus tell the same story, across
//! languages, and which stories one side covers and another does not.
//!
//! The method (docs/METHODS.md and docs/EVALUATION.md, stories, have the measurements behind each choice):
//! 1. Each article's lead (headline + opening reporting sentences) is embedded with the
//!    multilingual e5 model through the batching core, a chunk at a time.
//! 2. **Language offsets removed.** In e5's space every vector carries a large component
//!    shared by its language, so a Russian and an English report of one event are further
//!    apart than two English reports of different events. Each vector is moved by the
//!    difference between the corpus's mean and its language's mean (both estimated as the
//!    corpus streams), which removes the language's offset and keeps what the stories share.
//!    On coverage-dev this took B-cubed F1 from 0.59 (raw cosine) to 0.9+. (Subtracting the
//!    language mean outright scored as well on the dev sets but fails on a corpus that is
//!    mostly one story: the mean is then that story, and removing it splits the story.)
//! 3. **Online assignment.** In input order, an article joins the open story with the highest
//!    average similarity to its members if that is at least `threshold` and the dates fit
//!    (within `window_days` of the story's first..last date), else starts a story. Each
//!    pair's similarity loses `day_penalty` per day between the two articles' dates, so a
//!    story cannot creep from one event to the next through the days between.
//! 4. **Merge pass.** After each chunk, stories changed by it are merged (average linkage,
//!    same threshold and date rule) with any open story: online assignment splits a story
//!    whose first articles were atypical, and this mends it.
//! 5. Stories whose last date falls more than two windows behind the newest date seen are
//!    closed: their vectors are dropped, so memory follows the open stories, not the corpus.

pub mod articles;
pub mod blindspots;
pub mod names;
pub mod score;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

pub use articles::Article;
pub use blindspots::{blindspots, Blindspot, BlindspotRule};

/// The finder's settings. Defaults were read off the dev sets as docs/EVALUATION.md says.
#[derive(Debug, Clone, PartialEq)]
pub struct StoriesConfig {
    /// Least average similarity (lead vectors with the language offsets removed, plus the
    /// names' share) for an article to join a story, and for two stories to merge. Picked
    /// as the best B-cubed F1 on the Multi-News pool (0.78..0.84 swept), then reported on
    /// coverage-dev, which it was not picked on (docs/EVALUATION.md, stories).
    pub threshold: f32,
    /// Days around a story's first..last date within which a dated article may join it.
    pub window_days: i64,
    /// Remove each language's offset before comparing (off only for the baseline).
    pub center_languages: bool,
    /// Share of the similarity that comes from the names and numbers two leads share (see
    /// [`names`]); the rest is the sentence model's. 0.1 was read off a sweep of 0.08..0.15
    /// on both dev sets (the widest range of thresholds that worked on both).
    pub names_weight: f32,
    /// Use dates at all (off only for the baseline).
    pub use_dates: bool,
    /// What each day between two dated articles takes off their similarity. The window
    /// alone lets a story run on: it is counted from the story's first..last date, so on a
    /// topic that makes news every day (a peace plan: received on the 20th, talks on the
    /// 23rd) articles of the days between chain two events into one story. With the
    /// penalty an average over a story's members weighs how far apart they are as well as
    /// how alike. 0.01 is the middle of the range that worked on coverage-dev, the one dated
    /// dev set (0.005..0.02 all lift it from 0.89 to 0.94..0.97 B-cubed F1; docs/EVALUATION.md,
    /// stories); undated articles pay nothing, so the Multi-News pool cannot tell.
    pub day_penalty: f32,
}

impl Default for StoriesConfig {
    fn default() -> Self {
        Self {
            threshold: 0.80,
            window_days: 3,
            center_languages: true,
            names_weight: 0.1,
            use_dates: true,
            day_penalty: 0.01,
        }
    }
}

impl StoriesConfig {
    /// The baseline docs/EVALUATION.md reports beside the method: one average-linkage threshold on
    /// the raw e5 cosine of the leads, no centring, no dates (0.88 was the best Multi-News
    /// threshold for it).
    pub fn baseline() -> Self {
        Self {
            threshold: 0.88,
            window_days: 0,
            center_languages: false,
            names_weight: 0.0,
            use_dates: false,
            day_penalty: 0.0,
        }
    }
}

/// One article of a story, as the output lists it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StoryArticle {
    /// The record's id.
    pub id: String,
    /// The outlet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outlet: Option<String>,
    /// The outlet's country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Its language (declared, else detected).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The headline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The date as the record wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Where it was published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Its group (the `--group-by` field), when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Cosine of its vector to the story's centroid: how central it is to the story.
    pub similarity: f32,
}

impl StoryArticle {
    /// The outlet that carried it; an article without one counts as its own outlet.
    pub fn source(&self) -> &str {
        self.outlet.as_deref().unwrap_or(&self.id)
    }
}

/// A story: articles that report the same event.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Story {
    /// `s0001`, ... in order of first date (undated stories last).
    pub story: String,
    /// The most central article's headline, else its lead's opening.
    pub title: String,
    /// Earliest article date (`YYYY-MM-DD`), when any is dated.
    pub first_date: Option<String>,
    /// Latest article date.
    pub last_date: Option<String>,
    /// Articles, most central first.
    pub articles: Vec<StoryArticle>,
    /// Distinct outlets (an article without one counts as its own outlet).
    pub outlets: usize,
    /// Articles per group.
    pub groups: BTreeMap<String, usize>,
    /// Articles per language.
    pub languages: BTreeMap<String, usize>,
    /// Groups for which this story is a blindspot (see [`blindspots`]).
    pub blindspot_of: Vec<String>,
}

/// An article as the finder compares it: the sentence model's vector (language offset
/// removed) and its names' tf-idf vector, each scaled by its share of the similarity, so
/// that the dot product of two is their similarity.
struct Vector {
    dense: Vec<f32>,
    names: Vec<(u32, f32)>,
}

/// An open story: the sum of its members' vectors (so that the average similarity of an
/// article to the members is one dot product) and the members with their vectors.
struct Open {
    serial: usize,
    sum: Vec<f32>,
    /// Ordered, so that sums over it run in the same order in every process (a HashMap's
    /// order changes per run, and with it the last bits of a similarity).
    names: BTreeMap<u32, f32>,
    members: Vec<(Article, Vector)>,
    /// Dated members per day: the day gaps to a story are sums over its days, not its
    /// members (a story spans a few days, and may have hundreds of members). Its first and
    /// last keys are the story's first and last dates.
    days: BTreeMap<i64, u32>,
}

impl Open {
    fn n(&self) -> f32 {
        self.members.len() as f32
    }

    fn first(&self) -> Option<i64> {
        self.days.keys().next().copied()
    }

    fn last(&self) -> Option<i64> {
        self.days.keys().next_back().copied()
    }

    fn fits_day(&self, day: Option<i64>, window: i64) -> bool {
        match (day, self.first(), self.last()) {
            (Some(d), Some(f), Some(l)) => d >= f - window && d <= l + window,
            _ => true,
        }
    }

    fn fits(&self, other: &Open, window: i64) -> bool {
        match (self.first(), self.last(), other.first(), other.last()) {
            (Some(f1), Some(l1), Some(f2), Some(l2)) => f1 <= l2 + window && f2 <= l1 + window,
            _ => true,
        }
    }

    /// A story of one article.
    fn new(serial: usize, article: Article, v: Vector) -> Self {
        let mut o = Open {
            serial,
            sum: vec![0.0; v.dense.len()],
            names: BTreeMap::new(),
            members: Vec::new(),
            days: BTreeMap::new(),
        };
        o.push(article, v);
        o
    }

    /// Adds an article: its vector to the sums, its date to the range.
    fn push(&mut self, article: Article, v: Vector) {
        self.absorb(&v.dense, v.names.iter().copied());
        if let Some(d) = article.day {
            self.add_day(d, 1);
        }
        self.members.push((article, v));
    }

    /// Average days between an article dated `day` and the story's members (an undated
    /// article or member counts 0: it carries no date to be far from).
    fn gap(&self, day: Option<i64>) -> f32 {
        let Some(d) = day else { return 0.0 };
        let days: i64 = self
            .days
            .iter()
            .map(|(x, c)| (x - d).abs() * *c as i64)
            .sum();
        days as f32 / self.n()
    }

    /// Average days between the members of two stories, pair by pair.
    fn gap_to(&self, other: &Open) -> f32 {
        let days: i64 = self
            .days
            .iter()
            .flat_map(|(x, c)| {
                other
                    .days
                    .iter()
                    .map(move |(y, e)| (x - y).abs() * *c as i64 * *e as i64)
            })
            .sum();
        days as f32 / (self.n() * other.n())
    }

    /// Adds vectors to the sums.
    fn absorb(&mut self, dense: &[f32], names: impl IntoIterator<Item = (u32, f32)>) {
        self.sum.iter_mut().zip(dense).for_each(|(s, x)| *s += x);
        for (b, x) in names {
            *self.names.entry(b).or_insert(0.0) += x;
        }
    }

    fn add_day(&mut self, d: i64, count: u32) {
        *self.days.entry(d).or_insert(0) += count;
    }
}

/// The mean of the vectors seen so far, kept as a sum in f64 (a long stream of f32 sums
/// would lose the small differences between language means).
#[derive(Default)]
struct RunningMean {
    sum: Vec<f64>,
    n: usize,
}

impl RunningMean {
    fn add(&mut self, v: &[f32]) {
        if self.sum.is_empty() {
            self.sum.resize(v.len(), 0.0);
        }
        if self.sum.len() == v.len() {
            self.sum
                .iter_mut()
                .zip(v)
                .for_each(|(s, x)| *s += *x as f64);
            self.n += 1;
        }
    }

    /// The i-th coordinate of the mean (callers check the dimension first).
    fn at(&self, i: usize) -> f64 {
        self.sum[i] / self.n as f64
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Sum of an article's vector with a story's sums.
fn dot_story(v: &Vector, o: &Open) -> f32 {
    dot(&v.dense, &o.sum)
        + v.names
            .iter()
            .map(|(b, w)| w * o.names.get(b).copied().unwrap_or(0.0))
            .sum::<f32>()
}

/// Dot product of two stories' sums.
fn dot_stories(a: &Open, b: &Open) -> f32 {
    let (small, large) = if a.names.len() <= b.names.len() {
        (&a.names, &b.names)
    } else {
        (&b.names, &a.names)
    };
    dot(&a.sum, &b.sum)
        + small
            .iter()
            .map(|(k, w)| w * large.get(k).copied().unwrap_or(0.0))
            .sum::<f32>()
}

/// Finds stories in a stream of embedded articles. Feed chunks with [`StoryFinder::add`];
/// closed stories come back as they close; [`StoryFinder::finish`] closes the rest.
pub struct StoryFinder {
    config: StoriesConfig,
    open: Vec<Open>,
    /// Per language: the mean of its raw vectors.
    means: HashMap<String, RunningMean>,
    /// The mean over all languages.
    total: RunningMean,
    /// The newest date seen.
    clock: Option<i64>,
    serial: usize,
    /// Document frequencies of the names.
    frequencies: names::Frequencies,
}

/// A closed story before it is numbered: its members with their similarity to the centroid.
pub struct Closed {
    /// Creation order of its oldest part, for a stable order.
    pub serial: usize,
    /// Members and their cosine to the centroid.
    pub members: Vec<(Article, f32)>,
}

impl StoryFinder {
    /// An empty finder.
    pub fn new(config: StoriesConfig) -> Self {
        Self {
            config,
            open: Vec::new(),
            means: HashMap::new(),
            total: RunningMean::default(),
            clock: None,
            serial: 0,
            frequencies: names::Frequencies::default(),
        }
    }

    /// Stories still open.
    pub fn open_stories(&self) -> usize {
        self.open.len()
    }

    /// Articles held in open stories.
    pub fn open_articles(&self) -> usize {
        self.open.iter().map(|o| o.members.len()).sum()
    }

    /// Adds a chunk of articles with their raw (L2-normalised) vectors, in input order.
    /// Returns the stories that closed.
    pub fn add(&mut self, chunk: Vec<(Article, Vec<f32>)>) -> Vec<Closed> {
        if self.config.center_languages {
            for (a, v) in &chunk {
                let key = a.language.clone().unwrap_or_default();
                self.means.entry(key).or_default().add(v);
                self.total.add(v);
            }
        }
        let use_names = self.config.names_weight > 0.0;
        let tokens: Vec<HashMap<u32, u32>> = chunk
            .iter()
            .map(|(a, _)| {
                if use_names {
                    names::tokens(&a.lead)
                } else {
                    HashMap::new()
                }
            })
            .collect();
        tokens.iter().for_each(|t| self.frequencies.add(t));
        let window = self.config.window_days;
        let penalty = self.config.day_penalty;
        let w = self.config.names_weight.clamp(0.0, 1.0);
        let mut changed: Vec<usize> = Vec::new();
        for ((mut article, raw), tokens) in chunk.into_iter().zip(tokens) {
            if !self.config.use_dates {
                article.day = None;
            }
            let mut dense = self.centred(&article, raw);
            dense.iter_mut().for_each(|x| *x *= (1.0 - w).sqrt());
            let mut names = self.frequencies.weigh(&tokens);
            names.iter_mut().for_each(|(_, x)| *x *= w.sqrt());
            let v = Vector { dense, names };
            if let Some(d) = article.day {
                self.clock = Some(self.clock.map_or(d, |c| c.max(d)));
            }
            let best = self
                .open
                .iter()
                .enumerate()
                .filter(|(_, o)| o.fits_day(article.day, window))
                .map(|(i, o)| {
                    let s = dot_story(&v, o) / o.n() - penalty * o.gap(article.day);
                    (i, s)
                })
                .max_by(|a, b| a.1.total_cmp(&b.1));
            let serial = match best {
                Some((i, s)) if s >= self.config.threshold => {
                    self.open[i].push(article, v);
                    self.open[i].serial
                }
                _ => {
                    self.serial += 1;
                    self.open.push(Open::new(self.serial, article, v));
                    self.serial
                }
            };
            if !changed.contains(&serial) {
                changed.push(serial);
            }
        }
        self.merge(changed);
        self.close_old()
    }

    /// Closes every open story. (No merge pass is needed: each `add` ends with one, after
    /// which no pair of open stories reaches the threshold.)
    pub fn finish(self) -> Vec<Closed> {
        self.open.into_iter().map(close).collect()
    }

    /// The article's vector moved by (corpus mean − its language's mean), unit length.
    fn centred(&self, article: &Article, mut v: Vec<f32>) -> Vec<f32> {
        if self.config.center_languages {
            let key = article.language.clone().unwrap_or_default();
            if let Some(mean) = self
                .means
                .get(&key)
                .filter(|m| m.sum.len() == v.len() && self.total.sum.len() == v.len())
            {
                v.iter_mut().enumerate().for_each(|(i, x)| {
                    *x += (self.total.at(i) - mean.at(i)) as f32;
                });
            }
        }
        let norm = dot(&v, &v).sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|x| *x /= norm);
        }
        v
    }

    /// Average-linkage merging of the stories in `changed` with any open story, best pair
    /// first, until no pair reaches the threshold. Pairs of two unchanged stories are below
    /// it already (they were after the last pass, and a merge only averages similarities),
    /// so each pass costs (changed stories) × (open stories).
    fn merge(&mut self, mut changed: Vec<usize>) {
        let window = self.config.window_days;
        let threshold = self.config.threshold;
        let penalty = self.config.day_penalty;
        let index = |open: &[Open], serial: usize| open.iter().position(|o| o.serial == serial);
        // Each changed story's best partner and similarity.
        let best_of = |open: &[Open], i: usize| -> Option<(usize, f32)> {
            let a = &open[i];
            open.iter()
                .filter(|b| b.serial != a.serial && a.fits(b, window))
                .map(|b| {
                    let s = dot_stories(a, b) / (a.n() * b.n()) - penalty * a.gap_to(b);
                    (b.serial, s)
                })
                .max_by(|x, y| x.1.total_cmp(&y.1))
        };
        let mut best: HashMap<usize, Option<(usize, f32)>> = changed
            .iter()
            .filter_map(|&s| index(&self.open, s).map(|i| (s, best_of(&self.open, i))))
            .collect();
        loop {
            let pick = best
                .iter()
                .filter_map(|(&a, b)| b.map(|(b, s)| (a, b, s)))
                .filter(|&(_, _, s)| s >= threshold)
                .max_by(|x, y| x.2.total_cmp(&y.2).then(y.0.cmp(&x.0)));
            let Some((a, b, _)) = pick else { break };
            let (keep, gone) = (a.min(b), a.max(b));
            let (Some(ki), Some(gi)) = (index(&self.open, keep), index(&self.open, gone)) else {
                break;
            };
            let g = self.open.swap_remove(gi);
            let ki = if ki == self.open.len() { gi } else { ki };
            let k = &mut self.open[ki];
            k.absorb(&g.sum, g.names);
            for (d, c) in g.days {
                k.add_day(d, c);
            }
            k.members.extend(g.members);
            best.remove(&gone);
            changed.retain(|&s| s != gone);
            if !changed.contains(&keep) {
                changed.push(keep);
            }
            for &s in &changed {
                let stale = s == keep
                    || best
                        .get(&s)
                        .copied()
                        .flatten()
                        .is_some_and(|(p, _)| p == keep || p == gone);
                if stale {
                    if let Some(i) = index(&self.open, s) {
                        best.insert(s, best_of(&self.open, i));
                    }
                }
            }
        }
    }

    /// Stories whose last date is before this day are closed: an article dated before it
    /// arrived too late to join the story it belongs to.
    pub fn closed_before(&self) -> Option<i64> {
        self.clock
            .map(|clock| clock - 2 * self.config.window_days.max(1))
    }

    /// Closes dated stories that no article in date order can join any more (their last
    /// date is more than two windows behind the newest date seen: one window for the join
    /// rule, one of slack for input not quite in date order).
    fn close_old(&mut self) -> Vec<Closed> {
        let Some(limit) = self.closed_before() else {
            return Vec::new();
        };
        let mut closed = Vec::new();
        let mut i = 0;
        while i < self.open.len() {
            if self.open[i].last().is_some_and(|l| l < limit) {
                closed.push(close(self.open.swap_remove(i)));
            } else {
                i += 1;
            }
        }
        closed
    }
}

fn close(o: Open) -> Closed {
    let norm = dot_stories(&o, &o).sqrt().max(f32::MIN_POSITIVE);
    let scores: Vec<f32> = o
        .members
        .iter()
        .map(|(_, v)| dot_story(v, &o) / norm)
        .collect();
    // A closed story keeps only what its output needs: the lead shrinks to its opening
    // (the title of a story without headlines), so a long run holds little per article.
    let mut members: Vec<(Article, f32)> = o
        .members
        .into_iter()
        .zip(scores)
        .map(|((mut a, _), s)| {
            a.lead = opening(&a.lead);
            (a, s)
        })
        .collect();
    members.sort_by(|a, b| b.1.total_cmp(&a.1));
    Closed {
        serial: o.serial,
        members,
    }
}

/// Numbers closed stories (`s0001`, ... by first date, undated last, then creation order)
/// and lists each one's articles, counts and title.
pub fn number(mut closed: Vec<Closed>) -> Vec<Story> {
    let first = |c: &Closed| c.members.iter().filter_map(|(a, _)| a.day).min();
    closed.sort_by_key(|c| (first(c).is_none(), first(c), c.serial));
    let width = closed.len().to_string().len().max(4);
    closed
        .into_iter()
        .enumerate()
        .map(|(i, c)| story(format!("s{:0width$}", i + 1), c))
        .collect()
}

fn story(id: String, c: Closed) -> Story {
    let days: Vec<i64> = c.members.iter().filter_map(|(a, _)| a.day).collect();
    let title = c
        .members
        .iter()
        .find_map(|(a, _)| a.title.clone())
        .or_else(|| c.members.first().map(|(a, _)| a.lead.clone()))
        .unwrap_or_default();
    let mut groups = BTreeMap::new();
    let mut languages = BTreeMap::new();
    for (a, _) in &c.members {
        if let Some(g) = &a.group {
            *groups.entry(g.clone()).or_insert(0) += 1;
        }
        if let Some(l) = &a.language {
            *languages.entry(l.clone()).or_insert(0) += 1;
        }
    }
    let listed: Vec<StoryArticle> = c
        .members
        .into_iter()
        .map(|(a, s)| StoryArticle {
            id: a.id,
            outlet: a.outlet,
            country: a.country,
            language: a.language,
            title: a.title,
            date: a.date_text,
            url: a.url,
            group: a.group,
            similarity: (s * 1000.0).round() / 1000.0,
        })
        .collect();
    let outlets = listed
        .iter()
        .map(StoryArticle::source)
        .collect::<std::collections::HashSet<_>>()
        .len();
    Story {
        story: id,
        title,
        first_date: days.iter().min().map(|&d| articles::day_text(d)),
        last_date: days.iter().max().map(|&d| articles::day_text(d)),
        articles: listed,
        outlets,
        groups,
        languages,
        blindspot_of: Vec::new(),
    }
}

/// The first line or sentence of a lead, at most 160 characters: a title for a story whose
/// articles have no headline.
fn opening(lead: &str) -> String {
    let line = lead.lines().next().unwrap_or("");
    let cut = line.find(". ").map_or(line, |i| &line[..=i]);
    let mut t: String = cut.chars().take(160).collect();
    if cut.chars().count() > 160 {
        t.push('…');
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(id: &str, lang: &str, day: Option<i64>) -> Article {
        Article {
            id: id.into(),
            outlet: Some(format!("outlet-{id}")),
            country: None,
            language: Some(lang.into()),
            title: Some(format!("title {id}")),
            date_text: None,
            day,
            url: None,
            group: Some(lang.to_uppercase()),
            lead: String::new(),
        }
    }

    fn unit(v: &[f32]) -> Vec<f32> {
        let n = dot(v, v).sqrt();
        v.iter().map(|x| x / n).collect()
    }

    /// Two topics, each written in two "languages" whose vectors carry a shared language
    /// offset: without centring the languages split the stories, with it the topics do.
    fn corpus() -> Vec<(Article, Vec<f32>)> {
        let topic =
            |t: usize| -> Vec<f32> { (0..8).map(|i| if i == t { 1.0 } else { 0.0 }).collect() };
        let lang =
            |l: usize| -> Vec<f32> { (0..8).map(|i| if i == 4 + l { 3.0 } else { 0.0 }).collect() };
        let mut out = Vec::new();
        for (k, (t, l)) in [(0, 0), (1, 0), (0, 1), (1, 1), (0, 0), (1, 1)]
            .iter()
            .enumerate()
        {
            let mut v: Vec<f32> = topic(*t).iter().zip(lang(*l)).map(|(a, b)| a + b).collect();
            v[7] += 0.05 * k as f32;
            let code = if *l == 0 { "en" } else { "ru" };
            out.push((article(&format!("t{t}-{k}"), code, Some(100)), unit(&v)));
        }
        out
    }

    fn ids(stories: &[Story]) -> Vec<Vec<String>> {
        let mut v: Vec<Vec<String>> = stories
            .iter()
            .map(|s| {
                let mut ids: Vec<String> = s.articles.iter().map(|a| a.id.clone()).collect();
                ids.sort();
                ids
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn centring_groups_by_topic_across_languages() {
        let mut f = StoryFinder::new(StoriesConfig::default());
        let mut closed = f.add(corpus());
        closed.extend(f.finish());
        let stories = number(closed);
        assert_eq!(
            ids(&stories),
            vec![vec!["t0-0", "t0-2", "t0-4"], vec!["t1-1", "t1-3", "t1-5"]]
        );
        let s = &stories[0];
        assert_eq!(s.languages.values().sum::<usize>(), 3);
        assert!(s.articles.iter().all(|a| a.similarity > 0.5));
    }

    #[test]
    fn without_centring_languages_split_the_stories() {
        let config = StoriesConfig {
            center_languages: false,
            threshold: 0.9,
            ..StoriesConfig::default()
        };
        let mut f = StoryFinder::new(config);
        let mut closed = f.add(corpus());
        closed.extend(f.finish());
        let stories = number(closed);
        // Each story holds one language only.
        for s in &stories {
            assert_eq!(s.languages.len(), 1, "{:?}", ids(&stories));
        }
    }

    #[test]
    fn dates_keep_apart_what_the_window_separates_and_old_stories_close() {
        let v = unit(&[1.0, 0.0, 0.0]);
        let mut f = StoryFinder::new(StoriesConfig {
            center_languages: false,
            ..StoriesConfig::default()
        });
        let closed = f.add(vec![
            (article("a", "en", Some(10)), v.clone()),
            (article("b", "en", Some(11)), v.clone()),
        ]);
        assert!(closed.is_empty());
        // Same vector, 20 days later: a new story, and the first closes.
        let closed = f.add(vec![(article("c", "en", Some(31)), v.clone())]);
        assert_eq!(closed.len(), 1);
        assert_eq!(closed[0].members.len(), 2);
        assert_eq!(f.open_stories(), 1);
        // An undated article may join any open story.
        let closed = f.add(vec![(article("d", "en", None), v.clone())]);
        assert!(closed.is_empty());
        assert_eq!(f.open_articles(), 2);
        let stories = number(f.finish());
        assert_eq!(stories[0].first_date.as_deref(), Some("0001-01-31"));
    }

    #[test]
    fn days_apart_keep_two_events_on_one_topic_apart() {
        // Two events on one topic, three days apart (inside the window), whose articles
        // are 0.82 alike: one story without the day penalty, two with the default, and one
        // again when the same articles share a day.
        let x = unit(&[1.0, 0.0]);
        let y = unit(&[0.82, (1.0f32 - 0.82 * 0.82).sqrt()]);
        let run = |penalty: f32, later: i64| {
            let mut f = StoryFinder::new(StoriesConfig {
                center_languages: false,
                names_weight: 0.0,
                day_penalty: penalty,
                ..StoriesConfig::default()
            });
            let mut closed = f.add(vec![
                (article("x1", "en", Some(20)), x.clone()),
                (article("x2", "en", Some(20)), x.clone()),
                (article("y1", "en", Some(later)), y.clone()),
                (article("y2", "en", Some(later)), y.clone()),
            ]);
            closed.extend(f.finish());
            ids(&number(closed))
        };
        let one = vec![vec!["x1", "x2", "y1", "y2"]];
        assert_eq!(run(0.0, 23), one);
        assert_eq!(
            run(StoriesConfig::default().day_penalty, 23),
            vec![vec!["x1", "x2"], vec!["y1", "y2"]]
        );
        assert_eq!(run(StoriesConfig::default().day_penalty, 20), one);
    }

    #[test]
    fn the_merge_pass_joins_a_story_split_by_arrival_order() {
        // b is between a and c; a and c alone are below the threshold, so online
        // assignment in the order a, c, b makes two stories, and the merge pass joins them.
        let a = unit(&[1.0, 0.0]);
        let c = unit(&[0.3, 1.0]);
        let b = unit(&[0.8, 0.7]);
        let config = StoriesConfig {
            center_languages: false,
            names_weight: 0.0,
            threshold: 0.5,
            ..StoriesConfig::default()
        };
        let mut f = StoryFinder::new(config);
        f.add(vec![
            (article("a", "en", None), a),
            (article("c", "en", None), c),
        ]);
        assert_eq!(f.open_stories(), 2);
        f.add(vec![(article("b", "en", None), b)]);
        assert_eq!(f.open_stories(), 1, "merged");
    }
}
