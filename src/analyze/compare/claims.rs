//! Claim alignment: grouping sentences from different sources that report the same thing.
//!
//! Method. Every reporting sentence is embedded. For each pair of sources, each sentence is
//! linked to its most similar sentence in the other source when the two are each other's
//! best match (mutual nearest neighbours) and their cosine is at least `link` (0.60 for
//! all-MiniLM-L6-v2: above it, sentences in the project's coverage data share their main
//! fact; below 0.5 they usually share only the topic). A non-mutual pair is linked only
//! from `strong` (0.75) up. Claims are the connected components of these links. Mutual
//! best matching keeps a generic sentence from pulling many unrelated ones into one claim.

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

/// Claims as lists of item indices (each with at least two sources), largest first.
pub fn align(items: &[Item], cfg: AlignConfig) -> Vec<Vec<usize>> {
    let n = items.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let sources: usize = items.iter().map(|i| i.source + 1).max().unwrap_or(0);
    let by_source: Vec<Vec<usize>> = (0..sources)
        .map(|s| (0..n).filter(|&i| items[i].source == s).collect())
        .collect();
    // best[i][t] = (j, cos): i's best match in source t.
    let mut best: Vec<Vec<Option<(usize, f32)>>> = vec![vec![None; sources]; n];
    for i in 0..n {
        for (t, members) in by_source.iter().enumerate() {
            if t == items[i].source {
                continue;
            }
            for &j in members {
                let c = cosine(items[i].vector, items[j].vector);
                if best[i][t].is_none_or(|(_, b)| c > b) {
                    best[i][t] = Some((j, c));
                }
            }
        }
    }
    for i in 0..n {
        for t in 0..sources {
            let Some((j, c)) = best[i][t] else { continue };
            let mutual = best[j][items[i].source].is_some_and(|(k, _)| k == i);
            if (mutual && c >= cfg.link) || c >= cfg.strong {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                parent[a] = b;
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for i in 0..n {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let mut out: Vec<Vec<usize>> = groups
        .into_values()
        .filter(|g| {
            let mut s: Vec<usize> = g.iter().map(|&i| items[i].source).collect();
            s.sort_unstable();
            s.dedup();
            s.len() >= 2
        })
        .collect();
    out.sort_by_key(|g| std::cmp::Reverse(g.len()));
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
/// with every source's own wording (its sentence most representative of the claim).
pub fn shared(p: &Prepared, claims: &Claims, cfg: &CompareConfig) -> Vec<SharedClaim> {
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
    shared.truncate(cfg.max_shared);
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
        let mut c = claims[0].clone();
        c.sort();
        // 0 and 4 are both close to 2; 2's best is 4 (0.98·0.99…) or 0, and the other
        // joins only through the strong threshold.
        assert!(c.contains(&2) && (c.contains(&0) || c.contains(&4)));
        assert!(!c.contains(&1) && !c.contains(&3));
    }
}
