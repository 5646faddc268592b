//! Finding: the people and organisations the units quote, one row each across spellings,
//! scripts, titles and case endings ("Putin", "Russian President Vladimir Putin",
//! "Путина", "Путін" are one person), with each unit's count, the titles it gives them and
//! its sentences.
//!
//! Two mentions name one speaker when their surnames (last words) have the same consonant
//! skeleton across scripts, allowing a case ending ([`exclusive::same_name`]), with `g`
//! folded into `h` (Ukrainian "Г" is written H in Latin, Russian "Г" G: Ihnat = Игнат =
//! Ігнат), and their first names, when both give one, agree the same way. Organisations
//! match on all their words.

use std::collections::BTreeMap;

use super::attribution::{mentions, Mention};
use super::exclusive::{same_name, skeleton};
use super::prepare::Prepared;
use super::{Cite, Person, PersonInUnit};

/// Sentences kept as evidence per person and unit.
const EVIDENCE: usize = 3;

/// A word's skeleton for speaker matching: [`skeleton`] with `g` dropped as `h` is.
pub(super) fn key(word: &str) -> String {
    skeleton(word).replace('g', "")
}

/// Whether two mentions name one speaker.
fn same_speaker(a: &Mention, b: &Mention) -> bool {
    let wa: Vec<String> = a.name.split_whitespace().map(key).collect();
    let wb: Vec<String> = b.name.split_whitespace().map(key).collect();
    let (Some(la), Some(lb)) = (wa.last(), wb.last()) else {
        return false;
    };
    if a.kind == "organisation" || b.kind == "organisation" {
        return wa == wb
            || (wa.len() == wb.len() && wa.iter().zip(&wb).all(|(x, y)| same_name(x, y)));
    }
    if la.len() < 3 && la != lb {
        return false;
    }
    if !same_name(la, lb) {
        return false;
    }
    // First names, when both give one, must agree too (Dmitry / Dmitri, Владимир /
    // Володимир agree; Ihor / Serhiy do not).
    match (wa.len() >= 2, wb.len() >= 2) {
        (true, true) => same_name(&wa[0], &wb[0]) || wa[0] == wb[0],
        _ => true,
    }
}

/// Whether a name is written in Latin letters (the display form a mixed table prefers).
pub(super) fn latin(s: &str) -> bool {
    s.chars()
        .filter(|c| c.is_alphabetic())
        .all(|c| c.is_ascii())
}

struct Found {
    mention: Mention,
    unit: usize,
    sentence: usize,
}

/// Finding: one row per speaker across units, those quoted by most units first.
pub fn speakers(p: &Prepared) -> Vec<Person> {
    let mut found: Vec<Found> = Vec::new();
    for (i, s) in p.sents.iter().enumerate() {
        let unit = p.unit_index(p.unit_of(i));
        for mention in mentions(&s.text) {
            found.push(Found {
                mention,
                unit,
                sentence: i,
            });
        }
    }
    // Union-find over the distinct names: each name joins the first group it matches.
    let mut names: Vec<Mention> = Vec::new();
    for f in &found {
        if !names.iter().any(|n| n.name == f.mention.name) {
            names.push(f.mention.clone());
        }
    }
    let mut parent: Vec<usize> = (0..names.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for a in 0..names.len() {
        for b in 0..a {
            if same_speaker(&names[a], &names[b]) {
                let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
                parent[ra.max(rb)] = ra.min(rb);
            }
        }
    }
    let group_of: BTreeMap<&str, usize> = (0..names.len())
        .map(|i| (names[i].name.as_str(), root(&mut parent, i)))
        .collect();

    let mut people: BTreeMap<usize, Vec<&Found>> = BTreeMap::new();
    for f in &found {
        people
            .entry(group_of[f.mention.name.as_str()])
            .or_default()
            .push(f);
    }
    let mut out: Vec<Person> = people.into_values().map(|fs| person(p, &fs)).collect();
    out.sort_by(|a, b| {
        let total = |x: &Person| x.units.iter().map(|u| u.count).sum::<usize>();
        b.units
            .len()
            .cmp(&a.units.len())
            .then(total(b).cmp(&total(a)))
            .then(a.name.cmp(&b.name))
    });
    out
}

/// One speaker's row from its mentions.
fn person(p: &Prepared, fs: &[&Found]) -> Person {
    let mut spellings: BTreeMap<&str, usize> = BTreeMap::new();
    for f in fs {
        *spellings.entry(f.mention.name.as_str()).or_default() += 1;
    }
    // Shown as: the fullest spelling (most words), Latin first, then the most used.
    let name = spellings
        .iter()
        .max_by(|a, b| {
            let words = |s: &str| s.split_whitespace().count();
            (words(a.0), latin(a.0), a.1)
                .cmp(&(words(b.0), latin(b.0), b.1))
                .then(b.0.cmp(a.0))
        })
        .map(|(s, _)| s.to_string())
        .unwrap_or_default();
    let kind = if fs.iter().any(|f| f.mention.kind == "organisation") {
        "organisation"
    } else if fs.iter().any(|f| f.mention.kind == "person") {
        "person"
    } else {
        "name"
    };
    let mut units: Vec<PersonInUnit> = Vec::new();
    for (ui, unit) in p.units.iter().enumerate() {
        let mine: Vec<&&Found> = fs.iter().filter(|f| f.unit == ui).collect();
        if mine.is_empty() {
            continue;
        }
        let mut sentences: Vec<usize> = mine.iter().map(|f| f.sentence).collect();
        sentences.dedup();
        let mut spelled: BTreeMap<&str, usize> = BTreeMap::new();
        let mut titles: Vec<String> = Vec::new();
        for f in &mine {
            *spelled.entry(f.mention.name.as_str()).or_default() += 1;
            if let Some(t) = &f.mention.title {
                if !titles.contains(t) {
                    titles.push(t.clone());
                }
            }
        }
        let spelling = spelled
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(s, _)| s.to_string())
            .unwrap_or_default();
        let evidence: Vec<Cite> = sentences
            .iter()
            .take(EVIDENCE)
            .map(|&i| p.cite(i))
            .collect();
        units.push(PersonInUnit {
            unit: unit.clone(),
            count: sentences.len(),
            spelling,
            titles,
            evidence,
        });
    }
    Person {
        name,
        kind,
        spellings: spellings.keys().map(|s| s.to_string()).collect(),
        units,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(name: &str) -> Mention {
        mentions(name).into_iter().next().unwrap_or(Mention {
            name: name.into(),
            title: None,
            kind: if name.contains(' ') { "person" } else { "name" },
        })
    }

    #[test]
    fn spellings_across_scripts_and_endings_are_one_speaker() {
        for (a, b) in [
            ("Putin", "Vladimir Putin"),
            ("Vladimir Putin", "Путина"),
            ("Путин", "Путін"),
            ("Dmitry Peskov", "Dmitri Peskov"),
            ("Дмитрий Песков", "Пескова"),
            ("Volodymyr Zelensky", "Владимир Зеленский"),
            ("Zelenskyy", "Зеленський"),
            ("Yurii Ihnat", "Ігнат"),
            ("Ihor Klymenko", "Клименко"),
        ] {
            assert!(same_speaker(&m(a), &m(b)), "{a} / {b}");
        }
        for (a, b) in [
            ("Ihor Klymenko", "Serhiy Klymenko"),
            ("Peskov", "Putin"),
            ("Marco Rubio", "Rustem Umerov"),
        ] {
            assert!(!same_speaker(&m(a), &m(b)), "{a} / {b}");
        }
    }
}
