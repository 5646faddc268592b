//! Distinctive wording: the log-odds ratio with an informative Dirichlet prior (Monroe,
//! Colaresi and Quinn 2008, "Fightin' Words", eq. 22), which, unlike raw frequency or
//! plain log-odds, neither favours frequent function words nor rare one-offs: each term's
//! difference is shrunk towards the pooled rate and divided by its standard error.

use std::collections::HashMap;

use serde::Serialize;

use super::prepare::Prepared;
use super::text::{stop_words, words};
use super::{CompareConfig, UnitTerms};

#[derive(Debug, Clone, Serialize)]
/// A term one unit uses more than the others.
pub struct Term {
    /// A word or a two-word phrase, lower case.
    pub term: String,
    /// Occurrences in this unit's text.
    pub count: u32,
    /// Occurrences in the text it is compared against.
    pub others: u32,
    /// z-score of the log-odds difference; above 1.96 is significant at 5 % (two-sided).
    pub z: f64,
}

/// Unigram and bigram counts of some texts in one language, stop words left out (a bigram
/// is kept only when neither word is a stop word).
pub fn counts<'a>(texts: impl IntoIterator<Item = &'a str>, lang: &str) -> HashMap<String, u32> {
    let stops = stop_words(lang);
    let mut out: HashMap<String, u32> = HashMap::new();
    for t in texts {
        let ws = words(t);
        let keep = |w: &str| {
            !stops.contains(w) && w.chars().count() > 1 && !w.chars().all(|c| c.is_ascii_digit())
        };
        for (i, w) in ws.iter().enumerate() {
            if keep(w) {
                *out.entry(w.clone()).or_default() += 1;
                if let Some(n) = ws.get(i + 1).filter(|n| keep(n)) {
                    *out.entry(format!("{w} {n}")).or_default() += 1;
                }
            }
        }
    }
    out
}

/// Terms of `focus` ranked by z against `rest`, with the prior from both pooled (scaled to
/// `alpha0` pseudo-counts). Keeps terms seen at least `min_count` times in `focus` with z
/// above `min_z`, at most `limit`.
pub fn distinctive(
    focus: &HashMap<String, u32>,
    rest: &HashMap<String, u32>,
    alpha0: f64,
    min_count: u32,
    min_z: f64,
    limit: usize,
) -> Vec<Term> {
    let n_i: f64 = focus.values().map(|&c| c as f64).sum();
    let n_j: f64 = rest.values().map(|&c| c as f64).sum();
    let n = n_i + n_j;
    if n_i == 0.0 || n_j == 0.0 {
        return Vec::new();
    }
    let mut out: Vec<Term> = focus
        .iter()
        .filter(|(_, &c)| c >= min_count)
        .map(|(w, &yi)| {
            let yj = rest.get(w).copied().unwrap_or(0) as f64;
            let yi = yi as f64;
            let aw = alpha0 * (yi + yj) / n;
            let li = ((yi + aw) / (n_i + alpha0 - yi - aw)).ln();
            let lj = ((yj + aw) / (n_j + alpha0 - yj - aw)).ln();
            let var = 1.0 / (yi + aw) + 1.0 / (yj + aw);
            Term {
                term: w.clone(),
                count: yi as u32,
                others: yj as u32,
                z: ((li - lj) / var.sqrt() * 100.0).round() / 100.0,
            }
        })
        .filter(|t| t.z > min_z)
        .collect();
    out.sort_by(|a, b| b.z.total_cmp(&a.z).then(a.term.cmp(&b.term)));
    out.truncate(limit);
    out
}

/// Finding: each unit's distinctive terms against the other units writing in the same
/// language (log-odds needs one vocabulary, so each language is compared within itself).
pub fn terms(p: &Prepared, cfg: &CompareConfig) -> Vec<UnitTerms> {
    let mut out = Vec::new();
    let mut languages: Vec<&String> = p.langs.iter().collect();
    languages.sort();
    languages.dedup();
    for lang in languages {
        let text_of = |u: &str| -> Vec<&str> {
            p.sents
                .iter()
                .filter(|s| p.unit_names[s.source] == u && &p.langs[s.source] == lang)
                .map(|s| s.text.as_str())
                .collect()
        };
        let present: Vec<&String> = p.units.iter().filter(|u| !text_of(u).is_empty()).collect();
        if present.len() < 2 {
            continue;
        }
        for u in &present {
            let focus = counts(text_of(u), lang);
            let against: Vec<String> = present
                .iter()
                .filter(|x| *x != u)
                .map(|x| x.to_string())
                .collect();
            let rest = counts(against.iter().flat_map(|x| text_of(x)), lang);
            out.push(UnitTerms {
                unit: u.to_string(),
                language: lang.clone(),
                terms: distinctive(&focus, &rest, 50.0, 2, 0.5, cfg.max_terms),
                against,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_only_one_side_uses_ranks_first() {
        let a = counts(
            [
                "The regime in Kiev rejected the plan.",
                "The Kiev regime again shelled the city.",
                "Officials discussed the plan.",
            ],
            "en",
        );
        let b = counts(
            [
                "Ukraine's government rejected the plan.",
                "Officials in Kyiv discussed the plan.",
                "Kyiv said the plan needs work.",
            ],
            "en",
        );
        let t = distinctive(&a, &b, 10.0, 2, 0.0, 5);
        let top: Vec<&str> = t.iter().take(2).map(|x| x.term.as_str()).collect();
        assert!(top.contains(&"regime") && top.contains(&"kiev"), "{t:?}");
        assert!(
            t.iter().all(|x| x.term != "plan"),
            "shared words are not distinctive: {t:?}"
        );
        let t = distinctive(&b, &a, 10.0, 2, 0.0, 5);
        assert_eq!(t[0].term, "kyiv");
    }
}
