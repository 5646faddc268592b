//! Finding: the titles and epithets each unit puts next to the people and places several
//! units mention ("Russian dictator Vladimir Putin", "President Putin", "глава государства
//! Владимир Путин"), found in the text with no list of epithets, and grouped across
//! languages by the multilingual model, so that a new epithet shows without anyone
//! listing it.
//!
//! An epithet is the run of up to four words right before a name (as
//! [`exclusive::names`] finds names), stopping at punctuation, a stop word, a number or a
//! word that reads as a verb ("said", "заявил", "met"). The entity is matched across
//! units as speakers are (surname skeletons across scripts and endings).

use std::collections::BTreeMap;

use super::exclusive::{self, same_name};
use super::prepare::Prepared;
use super::speakers;
use super::text::stop_words;
use super::{EntityEpithets, EpithetGroup, NameUse};
use crate::encode::cosine;

/// Words before a name that can make an epithet.
const MAX_WORDS: usize = 4;

/// Sentences kept as evidence per unit and epithet group.
const EVIDENCE: usize = 2;

/// Most entities reported.
const MAX_ENTITIES: usize = 12;

/// Cosine between two epithets' multilingual-e5 vectors from which they say the same
/// thing. Read off epithets of coverage-dev (`parallax embed --model multilingual-e5-small`
/// on 32 of them): translations of one title scored 0.90-0.95 ("Russian President" /
/// "президент РФ" / "російського президента" 0.937, "president" / "президент" 0.954,
/// "пресс-секретарь президента РФ" / "спікер президента РФ" 0.907, "Ukraine's leader" /
/// "українським лідером" 0.909), while different epithets of one person stayed at or below
/// 0.894 ("президент" / "диктатором" 0.894, "president" / "диктатором" 0.869, "Russian
/// President" / "правитель" 0.862). Precision first: "Kremlin spokesman" / "пресс-секретарь
/// президента РФ" (0.860) stay two rows, which a reader can join; a judgement folded
/// into an office could not be seen. "лидер США" / "президент США" (0.955) do join.
pub const SAME_EPITHET: f32 = 0.9;

/// Endings that mark a Russian or Ukrainian past-tense or present verb, and English verb
/// forms: a word with one ends an epithet ("заявил Путин" is no title).
fn verb_like(word: &str) -> bool {
    let w = word.to_lowercase();
    let cyrillic = w
        .chars()
        .any(|c| ('а'..='я').contains(&c) || "іїєґё".contains(c));
    if cyrillic {
        [
            "л", "ла", "ли", "ло", "лся", "лась", "лись", "ть", "ться", "ет", "ит", "ют", "ут",
            "ят", "ат", "ся", "сь", "ів", "ав", "ив", "ув",
        ]
        .iter()
        .any(|e| w.ends_with(e) && w.chars().count() > e.chars().count() + 2)
    } else {
        (w.ends_with("ed") || w.ends_with("ing"))
            || [
                "met", "meet", "meets", "called", "told", "asked", "urged", "sent", "says", "said",
                "made", "gave", "thanked", "visited", "invited", "warned", "let", "see", "saw",
                "spoke", "hosted", "accused", "blamed",
            ]
            .contains(&w.as_str())
    }
}

fn acronym(w: &str) -> bool {
    w.chars().count() > 1 && w.chars().all(|c| !c.is_lowercase())
}

/// The epithet right before each person or place named in a sentence: (name, kind,
/// epithet as written).
pub fn in_sentence(sentence: &str, lang: &str) -> Vec<(String, &'static str, String)> {
    let tokens: Vec<&str> = sentence
        .split(|c: char| c.is_whitespace() || c == '—' || c == '–')
        .filter(|t| !t.is_empty())
        .collect();
    let clean = |t: &str| -> String {
        t.trim_matches(|c: char| !c.is_alphanumeric() && c != '-' && c != '\'' && c != '’')
            .to_string()
    };
    let stops = stop_words(lang);
    let mut out = Vec::new();
    let mut from = 0;
    for (name, kind, _) in exclusive::names(sentence) {
        if kind != "person" {
            continue;
        }
        let words: Vec<&str> = name.split_whitespace().collect();
        let Some(start) = (from..tokens.len()).find(|&i| {
            words.iter().enumerate().all(|(k, w)| {
                tokens
                    .get(i + k)
                    .is_some_and(|t| clean(t).trim_end_matches("’s").trim_end_matches("'s") == *w)
            })
        }) else {
            continue;
        };
        from = start + words.len();
        let mut epithet: Vec<String> = Vec::new();
        for t in tokens[..start].iter().rev().take(MAX_WORDS) {
            let ends_clause = t.ends_with([
                ',', ';', ':', '.', '!', '?', ')', '»', '”', '"', '(', '«', '“',
            ]);
            let w = clean(t);
            let l = w.to_lowercase();
            if ends_clause
                || w.is_empty()
                || t.starts_with(['(', '«', '“', '"'])
                || stops.contains(&l)
                || l.chars().any(|c| c.is_ascii_digit())
                || (l.chars().count() < 3 && !acronym(&w))
                || verb_like(&w)
            {
                break;
            }
            epithet.push(w);
            if t.starts_with(['(', '«', '“', '"']) {
                break;
            }
        }
        epithet.reverse();
        // Acronyms alone ("США Владимира Путина" after "лидеров России и") are the tail
        // of another phrase, not a title.
        if epithet.iter().all(|w| acronym(w)) {
            continue;
        }
        // A sentence's first word alone is capitalised by position, often an adverb.
        if epithet.is_empty()
            || (epithet.len() == 1 && start == 1 && stops.contains(&epithet[0].to_lowercase()))
        {
            continue;
        }
        let text = epithet
            .iter()
            .map(|w| {
                if w.chars().count() > 1 && w.chars().all(|c| !c.is_lowercase()) {
                    w.clone()
                } else {
                    w.to_lowercase()
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        out.push((name, kind, text));
    }
    out
}

/// The speaker key ([`speakers::key`]) of a name's last word.
fn key(name: &str) -> String {
    name.split_whitespace()
        .last()
        .map(speakers::key)
        .unwrap_or_default()
}

struct Found {
    name: String,
    kind: &'static str,
    epithet: String,
    unit: usize,
    sentence: usize,
}

/// Finding: for each person that two or more units mention, the epithets each
/// unit puts before it, grouped across languages.
pub fn epithets(p: &Prepared) -> Vec<EntityEpithets> {
    // Every mention (epithet or not), to know which units mention an entity at all.
    let mut mentions: Vec<(String, &'static str, usize)> = Vec::new();
    let mut found: Vec<Found> = Vec::new();
    for (i, s) in p.sents.iter().enumerate() {
        let unit = p.unit_index(p.unit_of(i));
        for (name, kind, _) in exclusive::names(&s.text) {
            if kind == "person" {
                mentions.push((name, kind, unit));
            }
        }
        for (name, kind, epithet) in in_sentence(&s.text, &p.langs[s.source]) {
            found.push(Found {
                name,
                kind,
                epithet,
                unit,
                sentence: i,
            });
        }
    }
    // Entities: names joined by their last word's skeleton.
    let mut entities: Vec<(String, Vec<String>)> = Vec::new();
    let entity_of = |entities: &mut Vec<(String, Vec<String>)>, name: &str| -> Option<usize> {
        let k = key(name);
        if k.len() < 3 {
            return None;
        }
        let at = entities.iter().position(|(e, _)| same_name(e, &k));
        Some(match at {
            Some(at) => {
                if !entities[at].1.iter().any(|n| n == name) {
                    entities[at].1.push(name.to_string());
                }
                at
            }
            None => {
                entities.push((k, vec![name.to_string()]));
                entities.len() - 1
            }
        })
    };
    let mut units_of: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut kind_of: BTreeMap<usize, &'static str> = BTreeMap::new();
    for (name, kind, unit) in &mentions {
        if let Some(e) = entity_of(&mut entities, name) {
            let us = units_of.entry(e).or_default();
            if !us.contains(unit) {
                us.push(*unit);
            }
            kind_of.entry(e).or_insert(kind);
        }
    }
    let mut by_entity: BTreeMap<usize, Vec<&Found>> = BTreeMap::new();
    for f in &found {
        if let Some(e) = entity_of(&mut entities, &f.name) {
            by_entity.entry(e).or_default().push(f);
        }
    }
    let mut out: Vec<EntityEpithets> = Vec::new();
    for (e, fs) in by_entity {
        let mut units = units_of.get(&e).cloned().unwrap_or_default();
        units.sort();
        if units.len() < 2 {
            continue;
        }
        // Shown as its most used spelling of at most three words, Latin script first
        // (a longer run often carries a genitive: "Украины Владимир Зеленский").
        let mut used: BTreeMap<&str, usize> = BTreeMap::new();
        for (name, _, _) in &mentions {
            if entities[e].1.contains(name) {
                *used.entry(name.as_str()).or_default() += 1;
            }
        }
        let entity = used
            .iter()
            .max_by(|a, b| {
                let short = |s: &str| s.split_whitespace().count() <= 3;
                (
                    short(a.0),
                    speakers::latin(a.0),
                    a.1,
                    a.0.split_whitespace().count(),
                )
                    .cmp(&(
                        short(b.0),
                        speakers::latin(b.0),
                        b.1,
                        b.0.split_whitespace().count(),
                    ))
                    .then(b.0.cmp(a.0))
            })
            .map(|(s, _)| s.to_string())
            .unwrap_or_default();
        out.push(EntityEpithets {
            entity,
            kind: kind_of.get(&e).copied().unwrap_or(fs[0].kind),
            mentioned_by: units.iter().map(|&u| p.units[u].clone()).collect(),
            epithets: groups(p, &fs),
        });
    }
    // Entities whose epithets differ most between units first: more units with epithets,
    // then more groups.
    out.sort_by(|a, b| {
        let spread = |x: &EntityEpithets| {
            let mut us: Vec<&str> = x
                .epithets
                .iter()
                .flat_map(|g| g.units.iter().map(|u| u.unit.as_str()))
                .collect();
            us.sort();
            us.dedup();
            (us.len(), x.epithets.len())
        };
        spread(b).cmp(&spread(a)).then(a.entity.cmp(&b.entity))
    });
    out.truncate(MAX_ENTITIES);
    out
}

/// One entity's epithets, grouped: with the multilingual model's vectors, an epithet joins
/// the group of the most used epithet it reaches [`SAME_EPITHET`] with; without them, only
/// identical epithets group.
fn groups(p: &Prepared, fs: &[&Found]) -> Vec<EpithetGroup> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for f in fs {
        *counts.entry(f.epithet.as_str()).or_default() += 1;
    }
    let mut forms: Vec<(&str, usize)> = counts.into_iter().collect();
    forms.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut heads: Vec<Vec<&str>> = Vec::new();
    for (form, _) in &forms {
        let joined = heads
            .iter_mut()
            .find(|g| match (p.names.get(g[0]), p.names.get(*form)) {
                (Some(a), Some(b)) => cosine(a, b) >= SAME_EPITHET,
                _ => false,
            });
        match joined {
            Some(g) => g.push(form),
            None => heads.push(vec![form]),
        }
    }
    let mut out: Vec<EpithetGroup> = heads
        .into_iter()
        .map(|g| {
            let mut by_unit: BTreeMap<usize, (Vec<usize>, Vec<String>)> = BTreeMap::new();
            for f in fs.iter().filter(|f| g.contains(&f.epithet.as_str())) {
                let e = by_unit.entry(f.unit).or_default();
                if e.0.last() != Some(&f.sentence) {
                    e.0.push(f.sentence);
                }
                if !e.1.contains(&f.epithet) {
                    e.1.push(f.epithet.clone());
                }
            }
            EpithetGroup {
                label: g[0].to_string(),
                forms: g.iter().map(|s| s.to_string()).collect(),
                units: by_unit
                    .into_iter()
                    .map(|(u, (sentences, forms))| NameUse {
                        unit: p.units[u].clone(),
                        count: sentences.len(),
                        forms,
                        evidence: sentences
                            .iter()
                            .take(EVIDENCE)
                            .map(|&i| p.cite(i))
                            .collect(),
                    })
                    .collect(),
            }
        })
        .collect();
    // Epithets several units use first, then the most used.
    let weight = |g: &EpithetGroup| {
        (
            g.units.len(),
            g.units.iter().map(|u| u.count).sum::<usize>(),
        )
    };
    out.sort_by_key(|g| std::cmp::Reverse(weight(g)));
    out
}

#[cfg(test)]
mod tests {
    use super::in_sentence;

    fn epithet_of(sentence: &str, lang: &str) -> Vec<String> {
        in_sentence(sentence, lang)
            .into_iter()
            .map(|(_, _, e)| e)
            .collect()
    }

    #[test]
    fn the_words_before_a_name() {
        assert_eq!(
            epithet_of(
                "The talks with Russian dictator Vladimir Putin failed.",
                "en"
            ),
            ["russian dictator"]
        );
        assert_eq!(
            epithet_of("Об этом заявил глава государства Владимир Путин.", "ru"),
            ["глава государства"]
        );
        assert_eq!(
            epithet_of("Trump said he had spoken to President Putin.", "en"),
            ["president"]
        );
        assert!(epithet_of("The plan was discussed, said Vladimir Putin.", "en").is_empty());
        assert!(epithet_of("Об этом заявил Владимир Путин.", "ru").is_empty());
    }
}
