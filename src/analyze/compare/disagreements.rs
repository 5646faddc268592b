//! Finding: where units give different figures or dates for the same thing. The readers of
//! figures and dates are in [`super::facts`]; this decides which sentence pairs to compare.

use super::claims::Claims;
use super::prepare::Prepared;
use super::{dates, facts, round3, CompareConfig, Disagreement, FigureCite};
use crate::encode::cosine;

/// Conflicting figures between related sentences of different units: counts when the
/// sentences are in one claim or similar (`cfg.related`); dates on stricter terms. One row
/// per conflict between two sources, the clearest pair of sentences kept.
pub fn disagreements(p: &Prepared, claims: &Claims, cfg: &CompareConfig) -> Vec<Disagreement> {
    let figs: Vec<(usize, Vec<facts::Figure>, Vec<facts::Figure>)> = p
        .aligned
        .iter()
        .map(|&i| {
            let t = &p.sents[i].text;
            (i, facts::figures(t), dates::dates(t))
        })
        .filter(|(_, f, d)| !f.is_empty() || !d.is_empty())
        .collect();
    let mut out: Vec<Disagreement> = Vec::new();
    for (k, (i, fi, di)) in figs.iter().enumerate() {
        for (j, fj, dj) in &figs[k + 1..] {
            let (i, j) = (*i, *j);
            if p.unit_of(i) == p.unit_of(j) {
                continue;
            }
            let same_claim = claims.same(i, j);
            let sim = cosine(p.vector(i).expect("aligned"), p.vector(j).expect("aligned"));
            if !same_claim && sim < cfg.related {
                continue;
            }
            let mut found = facts::conflicts(fi, fj);
            // Two dates in one claim are often two stages of one story (a swap on the 23rd
            // and the 25th, talks on the 23rd and a deadline on the 27th); they conflict only
            // when the sentences also give the same count, or say nearly the same thing.
            let anchored = fi
                .iter()
                .any(|a| fj.iter().any(|b| a.what == b.what && a.value == b.value));
            if same_claim && (anchored || sim >= cfg.align.strong) {
                found.extend(facts::conflicts(di, dj));
            }
            for (a, b) in found {
                out.push(Disagreement {
                    what: a.what.clone(),
                    a: FigureCite {
                        value: a.text,
                        cite: p.cite(i),
                    },
                    b: FigureCite {
                        value: b.text,
                        cite: p.cite(j),
                    },
                    similarity: round3(sim),
                    same_claim,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        b.same_claim
            .cmp(&a.same_claim)
            .then(b.similarity.total_cmp(&a.similarity))
    });
    let mut seen: Vec<(String, String, String, String, String)> = Vec::new();
    out.retain(|d| {
        let (x, y) = (
            (d.a.cite.source.clone(), d.a.value.clone()),
            (d.b.cite.source.clone(), d.b.value.clone()),
        );
        let (x, y) = if x <= y { (x, y) } else { (y, x) };
        let key = (d.what.clone(), x.0, x.1, y.0, y.1);
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });
    out
}
