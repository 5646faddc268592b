//! Whom a source quotes or cites: "X said", "said X", "X told", "according to X",
//! "по словам X", "за словами X", and the like, in English, Russian and Ukrainian. Each
//! mention is split into the title the source gives ("Kremlin spokesman", "пресс-секретарь
//! президента") and the name; [`super::speakers`] then makes one person of the spellings.

use std::sync::OnceLock;

use regex::Regex;

use super::exclusive::{is_adjective, ORGANISATION_WORDS};
use super::{Person, Speaker, UnitAttribution};

/// Speech verbs, per language, in the forms news uses.
const EN_VERBS: &str = "said|says|told|added|noted|stated|wrote|claimed|reported|announced|warned|confirmed|stressed|insisted|argued|explained|according";
const RU_VERBS: &str = "заявил|заявила|заявили|сказал|сказала|сказали|сообщил|сообщила|сообщили|отметил|отметила|отметили|подчеркнул|подчеркнула|добавил|добавила|написал|написала|пишет|передает|передаёт|рассказал|рассказала|уточнил|уточнила|заявляет";
const UK_VERBS: &str = "заявив|заявила|заявили|сказав|сказала|сказали|повідомив|повідомила|повідомили|зазначив|зазначила|наголосив|наголосила|додав|додала|написав|написала|пише|передає|розповів|розповіла|уточнив";

/// A name: one to five capitalised words (Latin or Cyrillic), with initials and hyphens.
const NAME: &str =
    r"((?:[A-ZА-ЯЁІЇЄҐ][\w'’.\-]*)(?:\s+(?:[A-ZА-ЯЁІЇЄҐ][\w'’.\-]*|of|de|von|al-)){0,4})";

struct Patterns {
    before: Regex,
    after: Regex,
    according: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let verbs = format!("{EN_VERBS}|{RU_VERBS}|{UK_VERBS}");
        Patterns {
            // "Peskov said", "Рубио заявил"
            before: Regex::new(&format!(r"{NAME},?\s+(?:{verbs})\b")).expect("pattern"),
            // "said Peskov", "– stated Yermak", "заявил пресс-секретарь Дмитрий Песков"
            after: Regex::new(&format!(
                r#"\b(?:{verbs})\s+((?:[a-zа-яёіїєґ\-]+\s+){{0,3}}){NAME}\s*(?:[,.;:!?»”"]|$)"#
            ))
            .expect("pattern"),
            according: Regex::new(&format!(
                r"(?i:according to|по словам|по данным|по информации|за словами|за даними|за інформацією|як повідомляє|как сообщает|citing)\s+(?:the\s+)?{NAME}"
            ))
            .expect("pattern"),
        }
    })
}

/// Words that look like names at a sentence start but are not speakers.
const NOT_NAMES: &[&str] = &[
    "He",
    "She",
    "They",
    "It",
    "We",
    "I",
    "You",
    "This",
    "That",
    "The",
    "A",
    "An",
    "But",
    "And",
    "In",
    "On",
    "As",
    "Он",
    "Она",
    "Они",
    "Это",
    "Він",
    "Вона",
    "Вони",
    "Це",
    "Также",
    "Також",
    "При",
    "Как",
    "Як",
    "Earlier",
    "Later",
    "Meanwhile",
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Nov",
    "Oct",
    "Dec",
    "Jan",
    "Feb",
    "Sept",
    "Sep",
    "Aug",
];

/// Words of a title, in lower case: leading words of a mention that say what a person is,
/// not who ("Interior Minister", "Secretary of State", "пресс-секретарь").
const TITLE_WORDS: &[&str] = &[
    "president",
    "presidential",
    "vice",
    "minister",
    "prime",
    "foreign",
    "interior",
    "defense",
    "defence",
    "secretary",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "press",
    "envoy",
    "special",
    "deputy",
    "head",
    "chief",
    "adviser",
    "advisor",
    "aide",
    "mayor",
    "governor",
    "chancellor",
    "senator",
    "general",
    "commander",
    "ambassador",
    "leader",
    "chairman",
    "of",
    "the",
    "mr",
    "mrs",
    "ms",
    "dr",
    "sen",
    "rep",
    "gen",
    "lt",
    "col",
    "former",
    "kremlin",
    "white",
    "house",
    "us",
    "u.s",
    "uk",
    "eu",
    "un",
    "nato",
    "президент",
    "президента",
    "министр",
    "глава",
    "пресс-секретарь",
    "спецпосланник",
    "помощник",
    "советник",
    "мэр",
    "губернатор",
    "генерал",
    "посол",
    "спикер",
    "президент",
    "міністр",
    "голова",
    "речник",
    "радник",
    "посланець",
    "мер",
    "генерал",
    "посол",
    "спікер",
    "прем'єр-міністр",
    "премьер-министр",
];

/// Title words that say where, not what: "Kremlin", "White House" alone make no person.
const PLACE_TITLE_WORDS: &[&str] = &[
    "of", "the", "kremlin", "white", "house", "us", "u.s", "uk", "eu", "un", "nato",
];

/// Countries as abbreviations and pronoun-like words: never a speaker by themselves.
const NOT_SPEAKERS: &[&str] = &[
    "рф",
    "сша",
    "ес",
    "єс",
    "фрг",
    "кнр",
    "оаэ",
    "us",
    "u.s",
    "usa",
    "uk",
    "eu",
    "prc",
    "uae",
    "state",
    "secretary",
    "minister",
    "president",
    "office",
    "officials",
    "analysts",
    "experts",
    "sources",
    "residents",
    "authorities",
    "observers",
    "reporters",
    "witnesses",
    "police",
    "media",
    "critics",
    "diplomats",
    "lawmakers",
    "they",
    "of",
    "the",
];

/// Last words that make a mention an organisation besides [`ORGANISATION_WORDS`]: the
/// media and institutions news cites, in lower case.
const CITED_ORGANISATIONS: &[&str] = &[
    "times",
    "post",
    "news",
    "journal",
    "press",
    "media",
    "network",
    "television",
    "tv",
    "radio",
    "institute",
    "government",
    "administration",
    "kremlin",
    "police",
    "guard",
    "staff",
    "новости",
    "ведомство",
    "правительство",
    "служби",
    "уряд",
    "поліція",
    "новини",
];

/// Prepositions of place: a name right after one is where something happened ("в
/// Украине"), not who said it.
const PLACE_BEFORE: &[&str] = &[
    "in", "at", "from", "to", "into", "в", "во", "на", "из", "у", "з", "із", "до", "під", "под",
];

/// One attribution in one sentence: the name, the title the sentence gives it, and what
/// kind of speaker it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// The name as written, without its title ("Dmitry Peskov", "Пескова").
    pub name: String,
    /// The title the sentence puts before the name ("Kremlin spokesman"), if any.
    pub title: Option<String>,
    /// "person", "organisation", or "name" when nothing tells (a lone surname or outlet).
    pub kind: &'static str,
}

fn lower(token: &str) -> String {
    token
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase()
}

fn is_acronym(token: &str) -> bool {
    let t = token.trim_matches(|c: char| !c.is_alphanumeric());
    t.chars().count() >= 2 && t.chars().all(|c| c.is_uppercase() || c == '.')
}

fn possessive(token: &str) -> bool {
    token.ends_with("'s") || token.ends_with("’s")
}

/// Splits a captured mention into title and name, and says what it names; `None` when it
/// names nobody (a title alone, a pronoun, a country abbreviation, "US-proposed").
fn split_mention(raw: &str, lead: &str) -> Option<Mention> {
    let tokens: Vec<&str> = raw
        .split_whitespace()
        .map(|t| t.trim_matches(|c: char| c == '.' || c == ',' || c == '\'' || c == '’'))
        .filter(|t| !t.is_empty())
        .collect();
    let mut start = 0;
    while start < tokens.len() && NOT_NAMES.contains(&tokens[start]) {
        start += 1;
    }
    let tokens = &tokens[start..];
    // Leading title words, demonyms, possessives ("Ukraine’s") and acronyms ("РФ") are the
    // title, while at least one word is left for the name.
    let mut t = 0;
    while t + 1 < tokens.len() {
        let w = tokens[t];
        let titled = TITLE_WORDS.contains(&lower(w).as_str())
            || is_adjective(w)
            || possessive(w)
            || is_acronym(w);
        if !titled {
            break;
        }
        t += 1;
    }
    let mut name: Vec<&str> = tokens[t..].to_vec();
    let mut title: Vec<&str> = tokens[..t].to_vec();
    let last = name.last().map(|w| lower(w)).unwrap_or_default();
    let organisation = ORGANISATION_WORDS.contains(&last.as_str())
        || CITED_ORGANISATIONS.contains(&last.as_str())
        || (name.len() == 1 && is_acronym(name[0]) && !NOT_SPEAKERS.contains(&last.as_str()));
    if organisation && name.len() == 1 && !title.is_empty() && !is_acronym(name[0]) {
        // "President's Office": the office is named by its title; keep it whole.
        name = tokens.to_vec();
        title.clear();
    }
    // A person's name is its last two words; more capitalised words before them belong to
    // the title ("Defense Council Rustem Umerov", "Нацполиции Сергей Зюбаненко").
    if !organisation && name.len() > 2 {
        let cut = name.len() - 2;
        title.extend(&name[..cut]);
        name.drain(..cut);
    }
    let joined = name.join(" ");
    let single = name.len() == 1;
    let compound = name.iter().any(|w| {
        w.contains('-')
            && w.split('-')
                .skip(1)
                .any(|p| p.starts_with(char::is_lowercase))
    });
    if joined.chars().count() < 2
        || !joined.starts_with(char::is_uppercase)
        || compound
        || (single && NOT_SPEAKERS.contains(&lower(&joined).as_str()))
        || (single && NOT_NAMES.contains(&joined.as_str()))
        || (single && is_adjective(&joined))
        || possessive(&joined)
    {
        return None;
    }
    let lead: Vec<&str> = lead.split_whitespace().collect();
    let mut full_title: Vec<&str> = lead;
    full_title.extend(title);
    // "the State Department", "the head of the President's Office": articles and a
    // dangling "of" are not part of a title.
    while full_title
        .first()
        .is_some_and(|w| ["the", "of", "a"].contains(&lower(w).as_str()))
    {
        full_title.remove(0);
    }
    while full_title
        .last()
        .is_some_and(|w| ["the", "of", "a"].contains(&lower(w).as_str()))
    {
        full_title.pop();
    }
    let kind = if organisation {
        "organisation"
    } else if name.len() >= 2
        || full_title.iter().any(|w| {
            let l = lower(w);
            TITLE_WORDS.contains(&l.as_str()) && !PLACE_TITLE_WORDS.contains(&l.as_str())
        })
    {
        "person"
    } else {
        "name"
    };
    Some(Mention {
        name: joined,
        title: (!full_title.is_empty()).then(|| full_title.join(" ")),
        kind,
    })
}

/// The words right before `at` in `sentence` that read as a title: up to four, stopping at
/// punctuation, and only words on the title list or capitalised adjectives ("Kremlin
/// spokesman", "Russian President").
fn title_before(sentence: &str, at: usize) -> String {
    let before = &sentence[..at];
    let mut out: Vec<&str> = Vec::new();
    for tok in before.split_whitespace().rev().take(4) {
        if tok.ends_with([',', ';', ':', '.', '!', '?', '»', '”', '"', ')']) {
            break;
        }
        let l = lower(tok);
        if TITLE_WORDS.contains(&l.as_str()) || is_adjective(tok) || possessive(tok) {
            out.push(tok);
        } else {
            break;
        }
    }
    out.reverse();
    out.join(" ")
}

/// Whether the word before byte `at` of `sentence` is a preposition of place.
fn after_place_preposition(sentence: &str, at: usize) -> bool {
    sentence[..at]
        .split_whitespace()
        .next_back()
        .is_some_and(|w| PLACE_BEFORE.contains(&w.to_lowercase().as_str()))
}

/// The speakers or sources a sentence attributes something to, each once.
pub fn mentions(sentence: &str) -> Vec<Mention> {
    let p = patterns();
    let mut out: Vec<Mention> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for (k, re) in [&p.according, &p.before, &p.after].into_iter().enumerate() {
        for c in re.captures_iter(sentence) {
            let (lead, m) = if k == 2 {
                (c.get(1).map(|m| m.as_str().trim()).unwrap_or(""), c.get(2))
            } else {
                ("", c.get(1))
            };
            let Some(m) = m else { continue };
            // ("according to X" ends in "to" by design.)
            if k > 0 && after_place_preposition(sentence, m.start()) {
                continue;
            }
            let lead = if k == 2 {
                // Between the verb and the name, the title starts at the first title word
                // ("заявил пресс-секретарь президента"); "on Tuesday" is no title.
                let words: Vec<&str> = lead.split_whitespace().collect();
                let from = words
                    .iter()
                    .position(|w| TITLE_WORDS.contains(&lower(w).as_str()))
                    .unwrap_or(words.len());
                words[from..].join(" ")
            } else {
                title_before(sentence, m.start())
            };
            let Some(mention) = split_mention(m.as_str(), &lead) else {
                continue;
            };
            let n = mention.name.clone();
            if !seen
                .iter()
                .any(|o| o == &n || o.contains(&n) || n.contains(o.as_str()))
            {
                seen.push(n);
                out.push(mention);
            }
        }
    }
    out
}

/// The names a sentence attributes something to (titles left off).
pub fn speakers(sentence: &str) -> Vec<String> {
    mentions(sentence).into_iter().map(|m| m.name).collect()
}

/// Finding: whom each unit quotes or cites, one row per person (as [`super::speakers`]
/// joined their spellings), most often first, with up to three sentences as evidence.
pub fn attribution(units: &[String], people: &[Person]) -> Vec<UnitAttribution> {
    units
        .iter()
        .map(|u| {
            let mut speakers: Vec<Speaker> = people
                .iter()
                .filter_map(|p| {
                    p.units.iter().find(|x| &x.unit == u).map(|x| Speaker {
                        name: x.spelling.clone(),
                        person: p.name.clone(),
                        kind: p.kind,
                        count: x.count,
                        titles: x.titles.clone(),
                        evidence: x.evidence.clone(),
                    })
                })
                .collect();
            speakers.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
            UnitAttribution {
                unit: u.clone(),
                speakers,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{mentions, speakers};

    #[test]
    fn english_attributions() {
        assert_eq!(speakers("“I feel very optimistic,” Rubio said."), ["Rubio"]);
        let m =
            &mentions("Kremlin spokesman Dmitry Peskov told reporters the plan could be a basis.")
                [0];
        assert_eq!(m.name, "Dmitry Peskov");
        assert_eq!(m.title.as_deref(), Some("Kremlin spokesman"));
        assert_eq!(m.kind, "person");
        let m = &mentions("Russian Presidential Spokesman Dmitry Peskov said it was early.")[0];
        assert_eq!(
            (m.name.as_str(), m.title.as_deref()),
            ("Dmitry Peskov", Some("Russian Presidential Spokesman"))
        );
        assert_eq!(
            speakers("According to Germany’s Bild newspaper, Berlin is concerned."),
            ["Bild"]
        );
        assert_eq!(
            speakers("– stated Yermak, adding that decisions will be made later."),
            ["Yermak"]
        );
        let m = &mentions("The New York Times reported that talks had begun.")[0];
        assert_eq!(
            (m.name.as_str(), m.kind),
            ("New York Times", "organisation")
        );
        assert!(speakers("He said the talks were useful.").is_empty());
        assert!(
            speakers("Ukraine’s air force later said Russian X-101 cruise missiles had hit.")
                .is_empty()
        );
        // A title alone, a country abbreviation, a month, a compound adjective: nobody.
        assert!(speakers("The Secretary of State said the plan was fine.").is_empty());
        assert!(speakers("On Nov. 20, the U.S. said the talks would go on.").is_empty());
        assert!(speakers("The US-proposed plan, officials said, is a draft.").is_empty());
    }

    #[test]
    fn russian_and_ukrainian_attributions() {
        let m = &mentions("Об этом заявил пресс-секретарь президента Дмитрий Песков.")[0];
        assert_eq!(
            (m.name.as_str(), m.title.as_deref()),
            ("Дмитрий Песков", Some("пресс-секретарь президента"))
        );
        assert_eq!(
            speakers("По словам Пескова, Москва открыта к диалогу."),
            ["Пескова"]
        );
        assert_eq!(
            speakers("Про це заявив президент Володимир Зеленський."),
            ["Володимир Зеленський"]
        );
        let m =
            &mentions("Как заявил пресс-секретарь президента РФ Дмитрий Песков, план изучают.")[0];
        assert_eq!(m.name, "Дмитрий Песков");
        // A place in the locative after a preposition is where, not who.
        assert!(speakers("Об этом сообщили в Украине.").is_empty());
        assert!(speakers("Об этом заявили в РФ.").is_empty());
    }
}
