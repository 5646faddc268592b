//! Finding: how each unit names the contested things of the story, across languages.
//! Two views: the glossary's concepts (which variant of "the war", "Russia's leader",
//! "Kyiv/Kiev" each unit uses), and the epithets the data shows next to the people and
//! places several units mention ([`super::epithets`]), which need no glossary.

use std::collections::{BTreeMap, HashSet};

use super::glossary::{tokens, Glossary, Term, Token, NEAR};
use super::prepare::Prepared;
use super::text::stop_words;
use super::{ConceptNaming, NameUse, Naming, VariantNaming};

/// Sentences kept as evidence per unit and variant.
const EVIDENCE: usize = 2;

/// Whether a `near` name follows the term at `at..at+len` within [`NEAR`] words with no
/// stop word between: the term is then that person's title or epithet ("Russian President
/// Vladimir Putin", "диктатором Росії Володимиром Путіним"), not another's ("the US
/// president and Putin", "американського президента з Путіним").
fn near(tokens: &[Token], near: &[String], at: usize, len: usize, stops: &HashSet<String>) -> bool {
    if near.is_empty() {
        return true;
    }
    if tokens[at + len - 1].ends_clause {
        return false;
    }
    for t in tokens.iter().skip(at + len).take(NEAR) {
        let l = t.text.to_lowercase();
        if near.iter().any(|n| l.starts_with(&n.to_lowercase())) {
            return true;
        }
        if stops.contains(&l) || t.ends_clause {
            return false;
        }
    }
    false
}

/// Uses of one variant in one unit: the sentences and the forms written.
#[derive(Default)]
struct Uses {
    sentences: Vec<usize>,
    forms: Vec<String>,
}

/// Finding: for each glossary concept some unit uses, each variant's uses per unit.
pub fn naming(p: &Prepared, glossary: &Glossary) -> Naming {
    let sentence_tokens: Vec<Vec<Token>> = p
        .sents
        .iter()
        .map(|s| tokens(&s.text, &p.langs[s.source]))
        .collect();
    let mut concepts = Vec::new();
    for c in &glossary.concepts {
        let mut variants = Vec::new();
        for v in &c.variants {
            let terms: BTreeMap<&str, Vec<Term>> = v
                .terms
                .iter()
                .map(|(lang, ts)| {
                    (
                        lang.as_str(),
                        ts.iter().map(|t| Term::new(t, lang)).collect(),
                    )
                })
                .collect();
            let lang_except =
                |lang: &str| -> Vec<Term> { v.except.iter().map(|t| Term::new(t, lang)).collect() };
            let except: BTreeMap<&str, Vec<Term>> = v
                .terms
                .keys()
                .map(|lang| (lang.as_str(), lang_except(lang)))
                .collect();
            let mut by_unit: BTreeMap<usize, Uses> = BTreeMap::new();
            for (i, s) in p.sents.iter().enumerate() {
                let Some(ts) = terms.get(p.langs[s.source].as_str()) else {
                    continue;
                };
                let toks = &sentence_tokens[i];
                let stops = stop_words(&p.langs[s.source]);
                let unit = p.unit_index(p.unit_of(i));
                // Word spans inside an exception phrase ("Cold War").
                let excluded: Vec<(usize, usize)> = except
                    .get(p.langs[s.source].as_str())
                    .into_iter()
                    .flatten()
                    .flat_map(|e| e.find(toks).into_iter().map(move |at| (at, at + e.len())))
                    .collect();
                for t in ts {
                    for at in t.find(toks) {
                        let inside = excluded.iter().any(|&(a, b)| at < b && a < at + t.len());
                        if inside || !near(toks, &c.near, at, t.len(), stops) {
                            continue;
                        }
                        let uses = by_unit.entry(unit).or_default();
                        if uses.sentences.last() != Some(&i) {
                            uses.sentences.push(i);
                        }
                        let form: Vec<&str> = toks[at..at + t.len()]
                            .iter()
                            .map(|x| x.text.as_str())
                            .collect();
                        let form = form.join(" ");
                        if !uses.forms.contains(&form) {
                            uses.forms.push(form);
                        }
                    }
                }
            }
            if by_unit.is_empty() {
                continue;
            }
            let units: Vec<NameUse> = by_unit
                .into_iter()
                .map(|(u, uses)| NameUse {
                    unit: p.units[u].clone(),
                    count: uses.sentences.len(),
                    forms: uses.forms,
                    evidence: uses
                        .sentences
                        .iter()
                        .take(EVIDENCE)
                        .map(|&i| p.cite(i))
                        .collect(),
                })
                .collect();
            variants.push(VariantNaming {
                variant: v.name.clone(),
                units,
            });
        }
        if variants.is_empty() {
            continue;
        }
        let total = |v: &VariantNaming| v.units.iter().map(|u| u.count).sum::<usize>();
        variants.sort_by_key(|v| std::cmp::Reverse(total(v)));
        concepts.push(ConceptNaming {
            id: c.id.clone(),
            name: c.name.clone(),
            about: c.about.clone(),
            variants,
        });
    }
    Naming {
        glossary: glossary.origin.clone(),
        concepts,
        epithets: Vec::new(),
    }
}
