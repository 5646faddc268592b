//! Finding: details only one unit gives, below the sentence. A sentence whose main fact is
//! shared can still carry a town, a person, a figure, a date or a quotation that no other
//! unit mentions; sentence similarity cannot see those, so they are matched as details.
//!
//! Names are runs of capitalised words (a single word only after a preposition of place or
//! a title, so that "Russian" or a sentence's first word is not a name). A name is given
//! elsewhere when one of its words is written in another unit's text, matched across
//! scripts and case endings: both are transliterated to ASCII (`any_ascii`) and reduced to
//! their consonants, and one skeleton must equal the other or extend it by at most two
//! consonants (Ternopil = Тернополь = Тернопіль = Tarnopol → "trnpl"; Putin = Путина =
//! Путіним → "ptn", "ptnm"). Figures (a number with what it counts) and dates are given
//! elsewhere when another unit gives the same value; a quotation when another unit has a
//! sentence within the "related" cosine of the sentence that quotes it.

use std::collections::HashSet;

use super::claims::Claims;
use super::prepare::Prepared;
use super::{dates, facts, CompareConfig, Exclusive};
use crate::encode::cosine;

/// Most details reported per unit.
const MAX_PER_UNIT: usize = 10;

/// Cosine between two names' multilingual-e5 vectors from which they name one thing. Read
/// off dev pairs: the same entity across scripts and exonyms scored 0.92-0.95 (Switzerland
/// / Швейцарії 0.934, РФ / Russia 0.935, ЗСУ / ВСУ 0.925, Witkoff / Віткофф 0.923), while
/// different ones reached 0.894 (Kyiv / Lviv) and 0.890 (Turkey / Russia). Precision
/// first: Turkey / Туреччина (0.893) is missed, and left to the skeleton test.
pub const SAME_NAME: f32 = 0.92;

/// Words that are capitalised but name nothing by themselves (titles, pronouns, calendar,
/// sentence openers), compared in lower case.
const NOT_NAMES: &[&str] = &[
    "the",
    "a",
    "an",
    "in",
    "on",
    "at",
    "but",
    "and",
    "as",
    "it",
    "he",
    "she",
    "they",
    "we",
    "this",
    "that",
    "his",
    "her",
    "their",
    "its",
    "after",
    "before",
    "while",
    "when",
    "if",
    "mr",
    "mrs",
    "ms",
    "dr",
    "mayor",
    "governor",
    "chancellor",
    "senator",
    "president",
    "minister",
    "prime",
    "foreign",
    "secretary",
    "general",
    "spokesman",
    "spokeswoman",
    "envoy",
    "special",
    "deputy",
    "head",
    "chief",
    "pow",
    "senior",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "in",
    "according",
    "however",
    "meanwhile",
    "earlier",
    "later",
    "он",
    "она",
    "они",
    "это",
    "в",
    "на",
    "по",
    "как",
    "при",
    "также",
    "президент",
    "глава",
    "министр",
    "премьер",
    "спикер",
    "мэр",
    "губернатор",
    "мер",
    "він",
    "вона",
    "вони",
    "це",
    "у",
    "як",
    "також",
    "голова",
    "прем'єр",
    "речник",
    "міністр",
];

/// Prepositions of place: a single capitalised word after one of them is a place.
const PLACE_BEFORE: &[&str] = &[
    "in",
    "at",
    "near",
    "from",
    "to",
    "into",
    "across",
    "outside",
    "в",
    "во",
    "на",
    "из",
    "под",
    "по",
    "около",
    "у",
    "біля",
    "з",
    "із",
    "до",
    "під",
    "над",
];

/// Titles: a single capitalised word after one of them is a person.
const TITLE_BEFORE: &[&str] = &[
    "president",
    "minister",
    "mayor",
    "governor",
    "spokesman",
    "spokeswoman",
    "envoy",
    "secretary",
    "chancellor",
    "senator",
    "general",
    "commander",
    "mr",
    "mrs",
    "ms",
    "президент",
    "министр",
    "мэр",
    "губернатор",
    "пресс-секретарь",
    "спикер",
    "генерал",
    "мер",
    "губернатор",
    "речник",
    "міністр",
    "президента",
    "президентом",
];

/// Russian and Ukrainian adjective endings.
const ADJECTIVE_ENDINGS: &[&str] = &[
    "ий",
    "ый",
    "ой",
    "ая",
    "яя",
    "ое",
    "ее",
    "ые",
    "ие",
    "ую",
    "юю",
    "ого",
    "его",
    "ому",
    "ему",
    "ых",
    "их",
    "ими",
    "ыми",
    "ська",
    "ську",
    "ський",
    "цька",
    "цьку",
    "льну",
    "льна",
    "льне",
];

/// Words that mark an organisation.
pub const ORGANISATION_WORDS: &[&str] = &[
    "ministry",
    "council",
    "agency",
    "service",
    "services",
    "forces",
    "army",
    "union",
    "parliament",
    "committee",
    "office",
    "department",
    "commission",
    "bank",
    "party",
    "министерство",
    "мид",
    "совет",
    "служба",
    "управление",
    "министерства",
    "міністерство",
    "рада",
    "служба",
    "офіс",
    "управління",
    "сили",
    "силы",
];

/// English demonyms and adjectives that English capitalises but other languages do not.
pub fn is_adjective(word: &str) -> bool {
    let w = word.to_lowercase();
    ["ian", "ese", "ish", "ean", "an", "ic"]
        .iter()
        .any(|s| w.ends_with(s) && w.len() > s.len() + 3)
        && w.is_ascii()
}

/// A word's consonant skeleton: transliterated to ASCII, lower case, vowels, signs and `h`
/// dropped, and the letters that transliterations of one sound disagree on folded (c, q →
/// k; w → v): Driscoll and Дрісколлом, Kharkiv and Харків agree.
pub fn skeleton(word: &str) -> String {
    any_ascii::any_ascii(word)
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphabetic() && !"aeiouyh".contains(*c))
        .map(|c| match c {
            'c' | 'q' => 'k',
            'w' => 'v',
            other => other,
        })
        .collect()
}

/// Whether two skeletons name the same thing: equal, or one extends the other by a case
/// ending of at most two consonants (the shorter having at least three).
pub fn same_name(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.len() >= 3 && long.len() - short.len() <= 2 && long.starts_with(short)
}

/// What kind of thing a name is, from its words and the word before it.
fn kind_of(words: &[&str], before: Option<&str>) -> Option<&'static str> {
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let acronym = words.len() == 1
        && words[0].chars().count() >= 2
        && words[0].chars().count() <= 6
        && words[0].chars().all(|c| c.is_uppercase());
    if acronym
        || lower
            .iter()
            .any(|w| ORGANISATION_WORDS.contains(&w.as_str()))
    {
        return Some("organisation");
    }
    let before = before.map(str::to_lowercase);
    let after = |list: &[&str]| before.as_deref().is_some_and(|b| list.contains(&b));
    if after(PLACE_BEFORE) {
        return Some("place");
    }
    if after(TITLE_BEFORE) || words.len() >= 2 {
        return Some("person");
    }
    None
}

/// The names in a sentence: (the name as written, its kind, the skeletons of its words).
pub fn names(sentence: &str) -> Vec<(String, &'static str, Vec<String>)> {
    // Dashes written without spaces ("from Axios—that") separate words as spaces do.
    let tokens: Vec<&str> = sentence
        .split(|c: char| c.is_whitespace() || c == '—' || c == '–')
        .filter(|t| !t.is_empty())
        .collect();
    // A run of names stops after a token that ends a clause or a quotation.
    let breaks = |t: &str| t.ends_with([',', ';', ':', '.', '!', '?', ')', '»', '”', '"', '—']);
    let clean = |t: &str| -> String {
        t.trim_matches(|c: char| !c.is_alphanumeric())
            .trim_end_matches("’s")
            .trim_end_matches("'s")
            .to_string()
    };
    let is_cap = |t: &str| {
        let w = clean(t);
        w.chars().next().is_some_and(char::is_uppercase)
            && w.chars().filter(|c| c.is_alphabetic()).count() >= 2
            && !NOT_NAMES.contains(&w.to_lowercase().as_str())
            && !is_adjective(&w)
    };
    // An acronym (МВД, NATO) is a name of its own, not part of the next one.
    let acronym = |t: &str| {
        let w = clean(t);
        w.chars().count() >= 2 && w.chars().all(|c| c.is_uppercase() || c.is_ascii_digit())
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if !is_cap(tokens[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < tokens.len()
            && is_cap(tokens[i])
            && (i == start
                || (!breaks(tokens[i - 1]) && !acronym(tokens[i - 1]) && !acronym(tokens[i])))
        {
            i += 1;
        }
        let words: Vec<String> = tokens[start..i].iter().map(|t| clean(t)).collect();
        let refs: Vec<&str> = words.iter().map(String::as_str).collect();
        // A sentence's first word is capitalised anyway: only a run of names counts there.
        if start == 0 && words.len() == 1 {
            continue;
        }
        // A capitalised Cyrillic adjective before its noun ("Національну поліцію") is part
        // of a name the next word completes, not a place.
        if words.len() == 1
            && ADJECTIVE_ENDINGS
                .iter()
                .any(|e| words[0].to_lowercase().ends_with(e))
            && tokens
                .get(i)
                .is_some_and(|t| t.chars().next().is_some_and(char::is_lowercase))
        {
            continue;
        }
        let before = start.checked_sub(1).map(|k| clean(tokens[k]));
        let Some(kind) = kind_of(&refs, before.as_deref()) else {
            continue;
        };
        let skeletons: Vec<String> = words
            .iter()
            .map(|w| skeleton(w))
            .filter(|s| s.len() >= 2)
            .collect();
        if !skeletons.is_empty() {
            out.push((words.join(" "), kind, skeletons));
        }
    }
    out
}

/// Whether a figure as written is an ordinal ("65th swap", "3rd"): a rank, not a count.
fn is_ordinal(text: &str) -> bool {
    let suffix = text.trim_start_matches(|c: char| c.is_ascii_digit() || c == ',');
    ["st", "nd", "rd", "th"].contains(&suffix.to_lowercase().as_str())
}

/// The quotations of a sentence of at least six words.
fn quotes(sentence: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (open, close) in [('“', '”'), ('«', '»'), ('"', '"')] {
        let mut rest = sentence;
        while let Some(a) = rest.find(open) {
            let after = &rest[a + open.len_utf8()..];
            let Some(b) = after.find(close) else { break };
            let q = after[..b].trim();
            if q.split_whitespace().count() >= 6 {
                out.push(q.to_string());
            }
            rest = &after[b + close.len_utf8()..];
        }
    }
    out
}

/// Details of each unit that no other unit gives, most salient sentence first.
pub fn exclusive(p: &Prepared, claims: &Claims, cfg: &CompareConfig) -> Vec<Exclusive> {
    if p.units.len() < 2 {
        return Vec::new();
    }
    // Each unit's word skeletons, numbers and dates, over its sources' whole texts: a detail
    // counts as given elsewhere if another unit has it anywhere, not only in a reporting
    // sentence.
    let mut skeletons: Vec<HashSet<String>> = vec![HashSet::new(); p.units.len()];
    let mut values: Vec<HashSet<u64>> = vec![HashSet::new(); p.units.len()];
    let mut days: Vec<HashSet<u64>> = vec![HashSet::new(); p.units.len()];
    for (si, s) in p.sources.iter().enumerate() {
        let u = p.unit_index(&p.unit_names[si]);
        for w in s
            .doc
            .text
            .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
        {
            let k = skeleton(w);
            if k.len() >= 2 {
                skeletons[u].insert(k);
            }
        }
        for sentence in crate::input::split(&s.doc.text, &p.langs[si]) {
            values[u].extend(
                facts::figures(&sentence.text)
                    .iter()
                    .map(|f| f.value.to_bits()),
            );
            days[u].extend(
                dates::dates(&sentence.text)
                    .iter()
                    .map(|f| f.value.to_bits()),
            );
        }
    }
    // Each sentence's names, read once; and each unit's, for the multilingual model's test
    // (exonyms: Switzerland = Швейцарія, РФ = Russia, ЗСУ = ВСУ).
    let sentence_names: Vec<_> = p.sents.iter().map(|s| names(&s.text)).collect();
    let mut names_of: Vec<Vec<&str>> = vec![Vec::new(); p.units.len()];
    for (s, found) in p.sents.iter().zip(&sentence_names) {
        let u = p.unit_index(&p.unit_names[s.source]);
        names_of[u].extend(found.iter().map(|(n, _, _)| n.as_str()));
    }
    let elsewhere =
        |u: usize, test: &dyn Fn(usize) -> bool| (0..p.units.len()).any(|o| o != u && test(o));

    let mut found: Vec<(usize, f32, Exclusive)> = Vec::new();
    for (i, s) in p.sents.iter().enumerate() {
        let u = p.unit_index(&p.unit_names[s.source]);
        let mut push = |kind: &'static str, value: String| {
            found.push((
                u,
                s.salience,
                Exclusive {
                    unit: p.units[u].clone(),
                    kind,
                    value,
                    cite: p.cite(i),
                },
            ));
        };
        // An outlet naming itself ("UNN reports") is no detail of the story.
        let own = skeleton(&p.sources[s.source].label);
        for (name, kind, keys) in &sentence_names[i] {
            if keys
                .iter()
                .any(|k| k.len() >= 2 && own.starts_with(k.as_str()))
            {
                continue;
            }
            let given = |o: usize| {
                keys.iter().any(|k| {
                    skeletons[o].contains(k) || skeletons[o].iter().any(|x| same_name(k, x))
                }) || p.names.get(name).is_some_and(|v| {
                    names_of[o]
                        .iter()
                        .any(|n| p.names.get(*n).is_some_and(|w| cosine(v, w) >= SAME_NAME))
                })
            };
            if !elsewhere(u, &given) {
                push(kind, name.clone());
            }
        }
        // Only figures whose class is known (killed, percent, square km, troops, ...): a
        // number with a bare head word is too often part of a name ("24 Канал").
        for f in facts::figures(&s.text)
            .into_iter()
            .filter(|f| f.class && !is_ordinal(&f.text))
        {
            if f.value >= 2.0 && !elsewhere(u, &|o| values[o].contains(&f.value.to_bits())) {
                push(
                    "figure",
                    format!("{} {}", f.text, f.what).trim().to_string(),
                );
            }
        }
        for d in dates::dates(&s.text) {
            if !elsewhere(u, &|o| days[o].contains(&d.value.to_bits())) {
                push("date", d.text);
            }
        }
        if let Some(v) = p.vector(i) {
            for q in quotes(&s.text) {
                let near = claims.shared_with_other_unit(p, i)
                    || p.aligned.iter().any(|&j| {
                        p.unit_of(j) != p.units[u]
                            && p.vector(j).is_some_and(|w| cosine(v, w) >= cfg.related)
                    });
                if !near {
                    push("quote", q);
                }
            }
        }
    }
    // Most salient first within each unit, units in report order; each detail once.
    found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
    let mut seen: HashSet<(usize, &'static str, String)> = HashSet::new();
    let mut per_unit = vec![0usize; p.units.len()];
    found
        .into_iter()
        .filter(|(u, _, e)| {
            let key = (*u, e.kind, e.value.to_lowercase());
            if per_unit[*u] >= MAX_PER_UNIT || !seen.insert(key) {
                return false;
            }
            per_unit[*u] += 1;
            true
        })
        .map(|(_, _, e)| e)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_across_scripts_and_case_endings() {
        let t = skeleton("Ternopil");
        for other in ["Тернополь", "Тернопіль", "Tarnopol", "Тернополе"]
        {
            assert!(
                same_name(&t, &skeleton(other)),
                "{other}: {}",
                skeleton(other)
            );
        }
        let p = skeleton("Putin");
        for other in ["Путина", "Путін", "Путиным", "Putin’s"] {
            assert!(same_name(&p, &skeleton(other)), "{other}");
        }
        assert_eq!(skeleton("Kyiv"), skeleton("Київ"));
        assert!(!same_name(&skeleton("Lviv"), &skeleton("Kyiv")));
        assert!(!same_name(&skeleton("Kharkiv"), &skeleton("Kherson")));
        assert!(same_name(&skeleton("Driscoll"), &skeleton("Дрісколлом")));
    }

    #[test]
    fn names_are_runs_of_capitals_with_a_kind() {
        let n =
            names("Russian missiles struck apartment blocks in Ternopil, Mayor Serhiy Nadal said.");
        let got: Vec<(&str, &str)> = n.iter().map(|(v, k, _)| (v.as_str(), *k)).collect();
        assert_eq!(got, [("Ternopil", "place"), ("Serhiy Nadal", "person")]);
        let ru = names("Удар по Тернополю нанесли ночью, сообщил глава МВД Игорь Клименко.");
        let got: Vec<(&str, &str)> = ru.iter().map(|(v, k, _)| (v.as_str(), *k)).collect();
        assert_eq!(
            got,
            [
                ("Тернополю", "place"),
                ("МВД", "organisation"),
                ("Игорь Клименко", "person")
            ]
        );
    }

    #[test]
    fn ordinals_are_ranks_but_a_28_point_plan_is_a_count() {
        assert!(is_ordinal("65th") && is_ordinal("1st") && is_ordinal("3rd"));
        let f = facts::figures("Kyiv received the 28-point plan.");
        assert_eq!(f[0].text, "28-point");
        assert!(!is_ordinal(&f[0].text));
    }

    #[test]
    fn an_unspaced_dash_separates_a_name_from_the_next_word() {
        let n = names("It followed reporting by the Financial Times—that the plan had changed.");
        let got: Vec<&str> = n.iter().map(|(v, _, _)| v.as_str()).collect();
        assert_eq!(got, ["Financial Times"]);
    }

    #[test]
    fn quotations_of_six_words_or_more() {
        assert_eq!(
            quotes("Trump said “there is no deal until there is a deal,” adding “maybe.”"),
            ["there is no deal until there is a deal,"]
        );
    }
}
