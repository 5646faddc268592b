//! Claim alignment: grouping sentences from different sources that report the same thing.
//!
//! Method. Every reporting sentence is embedded. Candidate links join sentences of two
//! different sources: each sentence and its most similar sentence in the other source when
//! the two are each other's best match (mutual nearest neighbours) and their cosine is at
//! least `link` (0.60 for all-MiniLM-L6-v2: above it, sentences in the project's coverage
//! data share their main fact; below 0.5 they usually share only the topic), and any pair
//! from `strong` (0.75) up. Mutual best matching keeps a generic sentence from collecting
//! many unrelated ones.
//!
//! Claims grow from the strongest link down by complete linkage: two groups merge only when
//! they have no source in common and *every* sentence of one is within `link` of every
//! sentence of the other. So a claim holds at most one sentence per source, and it cannot
//! chain: connected components (the first version) let "Moscow received the text" reach "it
//! could be a basis for a settlement" through a sentence that says both, and put 89
//! sentences of the Alaska coverage into one claim.

use std::collections::{BTreeMap, HashMap};

use super::prepare::Prepared;
use super::{round3, CompareConfig, SharedClaim};
use crate::encode::cosine;

#[derive(Debug, Clone, Copy)]
/// When two sentences count as one claim (cosines of the embedding model in use).
pub struct AlignConfig {
    /// Cosine at which two mutual best matches are linked.
    pub link: f32,
    /// Cosine at which any best match is linked.
    pub strong: f32,
}

impl Default for AlignConfig {
    fn default() -> Self {
        Self {
            link: 0.60,
            strong: 0.75,
        }
    }
}

/// One sentence to align: its source and its vector.
pub struct Item<'a> {
    /// Which source it is from.
    pub source: usize,
    /// Its embedding.
    pub vector: &'a [f32],
}

/// Claims as lists of item indices (each with at least two sources, at most one sentence
/// per source), largest first.
pub fn align(items: &[Item], cfg: AlignConfig) -> Vec<Vec<usize>> {
    let n = items.len();
    let sources: usize = items.iter().map(|i| i.source + 1).max().unwrap_or(0);
    let by_source: Vec<Vec<usize>> = (0..sources)
        .map(|s| (0..n).filter(|&i| items[i].source == s).collect())
        .collect();
    // Cosines between sentences of different sources, computed once.
    let mut sim = vec![0f32; n * n];
    for i in 0..n {
        for j in (i + 1)..n {
            if items[i].source != items[j].source {
                let c = cosine(items[i].vector, items[j].vector);
                sim[i * n + j] = c;
                sim[j * n + i] = c;
            }
        }
    }
    // best[i][t] = (j, cos): i's best match in source t.
    let mut best: Vec<Vec<Option<(usize, f32)>>> = vec![vec![None; sources]; n];
    for i in 0..n {
        for (t, members) in by_source.iter().enumerate() {
            if t == items[i].source {
                continue;
            }
            for &j in members {
                let c = sim[i * n + j];
                if best[i][t].is_none_or(|(_, b)| c > b) {
                    best[i][t] = Some((j, c));
                }
            }
        }
    }
    let mut links: Vec<(usize, usize, f32)> = Vec::new();
    for i in 0..n {
        for j in (i + 1)..n {
            if items[i].source == items[j].source {
                continue;
            }
            let c = sim[i * n + j];
            let mutual = best[i][items[j].source].is_some_and(|(k, _)| k == j)
                && best[j][items[i].source].is_some_and(|(k, _)| k == i);
            if (mutual && c >= cfg.link) || c >= cfg.strong {
                links.push((i, j, c));
            }
        }
    }
    // Strongest first; ties in input order, so the result does not depend on sorting.
    links.sort_by(|a, b| b.2.total_cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
    let mut cluster: Vec<usize> = (0..n).collect();
    let mut members: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    for (i, j, _) in links {
        let (a, b) = (cluster[i], cluster[j]);
        if a == b {
            continue;
        }
        let disjoint = members[a].iter().all(|&x| {
            members[b]
                .iter()
                .all(|&y| items[x].source != items[y].source)
        });
        let close = members[a]
            .iter()
            .all(|&x| members[b].iter().all(|&y| sim[x * n + y] >= cfg.link));
        if !(disjoint && close) {
            continue;
        }
        let moved = std::mem::take(&mut members[b]);
        for &y in &moved {
            cluster[y] = a;
        }
        members[a].extend(moved);
    }
    let mut out: Vec<Vec<usize>> = members
        .into_iter()
        .filter(|g| g.len() >= 2)
        .map(|mut g| {
            g.sort_unstable();
            g
        })
        .collect();
    out.sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
    out
}

/// The claims of a comparison: every aligned group of sentences, and which claim each
/// sentence is in. Unique claims and disagreements read it too.
pub struct Claims {
    /// Each claim's sentences (indices into [`Prepared::sents`]).
    pub sets: Vec<Vec<usize>>,
    /// The claim of each sentence that is in one.
    pub claim_of: HashMap<usize, usize>,
}

impl Claims {
    /// Whether sentences `i` and `j` were aligned into one claim.
    pub fn same(&self, i: usize, j: usize) -> bool {
        self.claim_of.contains_key(&i) && self.claim_of.get(&i) == self.claim_of.get(&j)
    }

    /// Whether sentence `i` is in a claim that another unit also carries.
    pub fn shared_with_other_unit(&self, p: &Prepared, i: usize) -> bool {
        self.claim_of
            .get(&i)
            .is_some_and(|&c| self.sets[c].iter().any(|&m| p.unit_of(m) != p.unit_of(i)))
    }
}

/// Aligns the sentences the model read into claims.
pub fn claims(p: &Prepared, cfg: &CompareConfig) -> Claims {
    let items: Vec<Item> = p
        .aligned
        .iter()
        .map(|&i| Item {
            source: p.sents[i].source,
            vector: p.vector(i).expect("aligned"),
        })
        .collect();
    let sets: Vec<Vec<usize>> = align(&items, cfg.align)
        .into_iter()
        .map(|c| c.into_iter().map(|k| p.aligned[k]).collect())
        .collect();
    let mut claim_of = HashMap::new();
    for (ci, members) in sets.iter().enumerate() {
        for &i in members {
            claim_of.insert(i, ci);
        }
    }
    Claims { sets, claim_of }
}

/// Finding: the claims that two or more units carry, ranked by how many carry them, each
/// with every source's own wording (its sentence most representative of the claim). All of
/// them: a 16-source event has more facts than any fixed cap, and the JSON is what scripts
/// (and `eval compare`) read; the text and HTML views fold the tail.
pub fn shared(p: &Prepared, claims: &Claims) -> Vec<SharedClaim> {
    let cos =
        |a: usize, b: usize| cosine(p.vector(a).expect("aligned"), p.vector(b).expect("aligned"));
    let mut shared = Vec::new();
    for members in &claims.sets {
        let mut cu: Vec<String> = Vec::new();
        for &i in members {
            let u = p.unit_of(i).to_string();
            if !cu.contains(&u) {
                cu.push(u);
            }
        }
        if cu.len() < 2 {
            continue;
        }
        // Each source's most representative sentence: highest mean cosine to the others.
        let mut by_source: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for &i in members {
            by_source.entry(p.sents[i].source).or_default().push(i);
        }
        let score = |x: usize| -> f32 {
            members
                .iter()
                .filter(|&&m| m != x)
                .map(|&m| cos(x, m))
                .sum()
        };
        let wording: Vec<usize> = by_source
            .into_values()
            .map(|cands| {
                cands
                    .into_iter()
                    .max_by(|&a, &b| score(a).total_cmp(&score(b)))
                    .expect("non-empty")
            })
            .collect();
        let mut total = 0.0;
        let mut pairs = 0;
        for (a, &x) in wording.iter().enumerate() {
            for &y in &wording[a + 1..] {
                total += cos(x, y);
                pairs += 1;
            }
        }
        cu.sort_by_key(|u| p.units.iter().position(|x| x == u));
        shared.push(SharedClaim {
            units: cu,
            similarity: round3(if pairs > 0 { total / pairs as f32 } else { 1.0 }),
            wording: wording.iter().map(|&i| p.cite(i)).collect(),
        });
    }
    shared.sort_by(|a, b| {
        b.units
            .len()
            .cmp(&a.units.len())
            .then(b.wording.len().cmp(&a.wording.len()))
            .then(b.similarity.total_cmp(&a.similarity))
    });
    shared
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutual_matches_link_and_same_source_never_does() {
        let v = [
            vec![1.0, 0.0, 0.0],
            vec![0.0, 1.0, 0.0],
            vec![0.98, 0.2, 0.0],
            vec![0.0, 0.0, 1.0],
            vec![0.99, 0.0, 0.1],
        ];
        let items = vec![
            Item {
                source: 0,
                vector: &v[0],
            },
            Item {
                source: 0,
                vector: &v[1],
            },
            Item {
                source: 1,
                vector: &v[2],
            },
            Item {
                source: 1,
                vector: &v[3],
            },
            Item {
                source: 0,
                vector: &v[4],
            },
        ];
        let claims = align(&items, AlignConfig::default());
        assert_eq!(claims.len(), 1);
        // 0 and 4 (both source 0) are close to 2, but a claim holds one sentence per
        // source: the closer pair (2 and 0, cosine 0.980 against 0.975) is the claim.
        assert_eq!(claims[0], [0, 2]);
    }

    #[test]
    fn claims_do_not_chain() {
        // A says x, C says y, B says both: A-B and B-C are close, A-C is not.
        let norm = |v: [f32; 2]| {
            let n = (v[0] * v[0] + v[1] * v[1]).sqrt();
            vec![v[0] / n, v[1] / n]
        };
        let v = [norm([1.0, 0.0]), norm([1.0, 0.9]), norm([0.0, 1.0])];
        let items: Vec<Item> = (0..3)
            .map(|s| Item {
                source: s,
                vector: &v[s],
            })
            .collect();
        let cfg = AlignConfig::default();
        assert!(cosine(&v[0], &v[1]) >= cfg.link && cosine(&v[1], &v[2]) >= cfg.link);
        assert!(cosine(&v[0], &v[2]) < cfg.link);
        let claims = align(&items, cfg);
        assert_eq!(claims.len(), 1, "{claims:?}");
        assert_eq!(
            claims[0].len(),
            2,
            "B joins the closer of A and C, not both"
        );
    }
}
