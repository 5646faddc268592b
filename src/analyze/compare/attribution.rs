//! Whom a source quotes or cites: "X said", "said X", "X told", "according to X",
//! "по словам X", "за словами X", and the like, in English, Russian and Ukrainian.

use std::sync::OnceLock;

use regex::Regex;

use super::prepare::Prepared;
use super::{Speaker, UnitAttribution};

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
                r#"\b(?:{verbs})\s+(?:[a-zа-яёіїєґ\-]+\s+){{0,3}}{NAME}\s*(?:[,.;:!?»”"]|$)"#
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
];

fn clean(name: &str) -> Option<String> {
    let mut parts: Vec<&str> = name.split_whitespace().collect();
    while parts.first().is_some_and(|p| NOT_NAMES.contains(p)) {
        parts.remove(0);
    }
    while parts
        .last()
        .is_some_and(|p| ["of", "de", "von", "al-"].contains(p))
    {
        parts.pop();
    }
    let s = parts
        .join(" ")
        .trim_matches(|c: char| c == '.' || c == ',' || c == '\'' || c == '’')
        .to_string();
    // A lone demonym or a possessive ("Ukrainian officials said", "Russia's") is not a speaker.
    let lone_adjective = !s.contains(' ')
        && (s.ends_with("ian") || s.ends_with("ese") || s.ends_with("ish") || s == "Officials");
    let possessive = s.ends_with("'s") || s.ends_with("’s");
    (s.chars().count() >= 2 && !NOT_NAMES.contains(&s.as_str()) && !lone_adjective && !possessive)
        .then_some(s)
}

/// The speakers or sources a sentence attributes something to.
pub fn speakers(sentence: &str) -> Vec<String> {
    let p = patterns();
    let mut out: Vec<String> = Vec::new();
    for re in [&p.according, &p.before, &p.after] {
        for c in re.captures_iter(sentence) {
            if let Some(n) = c.get(1).and_then(|m| clean(m.as_str())) {
                if !out
                    .iter()
                    .any(|o| o == &n || o.contains(&n) || n.contains(o.as_str()))
                {
                    out.push(n);
                }
            }
        }
    }
    out
}

/// Finding: whom each unit quotes or cites, most often first, with up to three sentences
/// each as evidence.
pub fn attribution(p: &Prepared) -> Vec<UnitAttribution> {
    let mut out = Vec::new();
    for u in &p.units {
        let mut found: Vec<Speaker> = Vec::new();
        for (i, s) in p.sents.iter().enumerate() {
            if &p.unit_names[s.source] != u {
                continue;
            }
            for name in speakers(&s.text) {
                match found.iter_mut().find(|x| x.name == name) {
                    Some(x) => {
                        x.count += 1;
                        if x.evidence.len() < 3 {
                            x.evidence.push(p.cite(i));
                        }
                    }
                    None => found.push(Speaker {
                        name,
                        count: 1,
                        evidence: vec![p.cite(i)],
                    }),
                }
            }
        }
        found.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
        out.push(UnitAttribution {
            unit: u.clone(),
            speakers: found,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::speakers;

    #[test]
    fn english_attributions() {
        assert_eq!(speakers("“I feel very optimistic,” Rubio said."), ["Rubio"]);
        assert_eq!(
            speakers("Kremlin spokesman Dmitry Peskov told reporters the plan could be a basis."),
            ["Dmitry Peskov"]
        );
        assert_eq!(
            speakers("According to Germany’s Bild newspaper, Berlin is concerned."),
            ["Germany’s Bild"]
        );
        assert_eq!(
            speakers("– stated Yermak, adding that decisions will be made later."),
            ["Yermak"]
        );
        assert!(speakers("He said the talks were useful.").is_empty());
        assert!(
            speakers("Ukraine’s air force later said Russian X-101 cruise missiles had hit.")
                .is_empty()
        );
    }

    #[test]
    fn russian_and_ukrainian_attributions() {
        assert_eq!(
            speakers("Об этом заявил пресс-секретарь президента Дмитрий Песков."),
            ["Дмитрий Песков"]
        );
        assert_eq!(
            speakers("По словам Пескова, Москва открыта к диалогу."),
            ["Пескова"]
        );
        assert_eq!(
            speakers("Про це заявив президент Володимир Зеленський."),
            ["Володимир Зеленський"]
        );
    }
}
