//! Finding: what one unit reports that no other unit comes close to.
//!
//! A unique claim must say something on its own: a bare quote frame ("“I can guess why,”
//! he said.") or a question is a piece of another sentence's context, not a claim.

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
            .filter(|&i| is_claim(&p.sents[i].text))
            .filter_map(|i| {
                let v = p.vector(i).expect("aligned");
                let (nearest, j) = others
                    .iter()
                    .map(|&j| (cosine(v, p.vector(j).expect("aligned")), j))
                    .fold((f32::MIN, usize::MAX), |a, b| if b.0 > a.0 { b } else { a });
                (nearest < cfg.unique_below).then(|| UniqueClaim {
                    cite: p.cite(i),
                    salience: round3(p.sents[i].salience),
                    nearest: round3(nearest),
                    nearest_cite: (j != usize::MAX).then(|| p.cite(j)),
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

/// Whether a sentence can stand as a claim: not a question, and not a quote frame whose
/// words outside the quotation are only a speaker and a verb while the quotation itself is
/// short (under 8 words).
pub fn is_claim(sentence: &str) -> bool {
    let t = sentence.trim();
    if t.trim_end_matches(['"', '”', '’', '»', '\'', ')'])
        .ends_with('?')
    {
        return false;
    }
    let (mut inside, mut outside) = (0usize, 0usize);
    let mut quoted = false;
    for token in t.split_whitespace() {
        let opens = token.starts_with(['“', '«', '"', '‘', '„']);
        if opens {
            quoted = true;
        }
        if quoted {
            inside += 1;
        } else {
            outside += 1;
        }
        if token
            .trim_end_matches([',', '.', '!', '?', ':', ';', '—', '–', '-'])
            .ends_with(['”', '»', '"', '’', '“'])
            && (!opens || token.chars().count() > 2)
        {
            quoted = false;
        }
    }
    !(inside > 0 && inside < 8 && outside <= 3)
}

#[cfg(test)]
mod tests {
    use super::is_claim;

    #[test]
    fn quote_frames_and_questions_are_not_claims() {
        assert!(!is_claim("“I can guess why,” he said."));
        assert!(!is_claim("«Посмотрим», — сказал Песков."));
        assert!(!is_claim("What will Ukraine get in return?"));
        assert!(is_claim("“We will not accept any plan that rewards the aggressor,” Zelensky said in his nightly address."));
        assert!(is_claim(
            "Russian missiles hit two apartment buildings in Ternopil, officials said."
        ));
        assert!(is_claim(
            "Trump called the meeting “extremely productive” and said talks would continue."
        ));
    }
}
