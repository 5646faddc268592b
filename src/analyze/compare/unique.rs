//! Finding: what one unit reports that no other unit comes close to.

use super::claims::Claims;
use super::prepare::Prepared;
use super::{round3, CompareConfig, UniqueClaim, UnitUnique};
use crate::encode::cosine;

/// Each unit's most salient sentences that are in no claim shared with another unit and
/// whose nearest sentence in any other unit stays under `cfg.unique_below`.
pub fn unique(p: &Prepared, claims: &Claims, cfg: &CompareConfig) -> Vec<UnitUnique> {
    let mut unique = Vec::new();
    for u in &p.units {
        let others: Vec<usize> = p
            .aligned
            .iter()
            .copied()
            .filter(|&j| p.unit_of(j) != u)
            .collect();
        if others.is_empty() {
            continue;
        }
        let mut found: Vec<UniqueClaim> = p
            .aligned
            .iter()
            .copied()
            .filter(|&i| p.unit_of(i) == u && !claims.shared_with_other_unit(p, i))
            .filter_map(|i| {
                let v = p.vector(i).expect("aligned");
                let nearest = others
                    .iter()
                    .map(|&j| cosine(v, p.vector(j).expect("aligned")))
                    .fold(f32::MIN, f32::max);
                (nearest < cfg.unique_below).then(|| UniqueClaim {
                    cite: p.cite(i),
                    salience: round3(p.sents[i].salience),
                    nearest: round3(nearest),
                })
            })
            .collect();
        found.sort_by(|a, b| b.salience.total_cmp(&a.salience));
        found.truncate(cfg.max_unique);
        unique.push(UnitUnique {
            unit: u.clone(),
            claims: found,
        });
    }
    unique
}
