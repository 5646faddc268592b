//! Figures in sentences, and conflicts between them (dates are read in [`super::dates`]
//! and conflict the same way).
//!
//! A figure is a number with what it counts. What it counts is, first, a *class* found near
//! it (killed, injured, prisoners, points, percent, ...: words in several languages reduced
//! to one name), else the word right after it (its head: "93 drones"). Two figures are about
//! the same thing when their classes match, or when neither has a class and their heads
//! match; they conflict when their values differ. Only sentences that say the same thing
//! (aligned into one claim, or similar enough) are compared, so "25 killed" in a strike
//! report is never set against "25 killed" in another story.

use serde::Serialize;

use super::text::words;

/// A number with what it counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// As written ("26", "28-point", "1,000").
    pub text: String,
    /// The number.
    pub value: f64,
    /// What it counts: a class name or a head word.
    pub what: String,
    #[serde(skip)]
    /// Whether `what` is a class (compared across wordings) rather than a head word.
    pub class: bool,
}

/// Word stems (lower case prefixes) and the class they stand for.
const CLASSES: &[(&str, &[&str])] = &[
    (
        "killed",
        &[
            "kill",
            "dead",
            "death",
            "died",
            "die",
            "fatalit",
            "lives",
            "убит",
            "погиб",
            "смерт",
            "загиб",
            "вбит",
            "вбив",
            "жертв",
            "загинул",
            "погибш",
        ],
    ),
    (
        "injured",
        &[
            "injur",
            "wound",
            "hurt",
            "ранен",
            "пострада",
            "поранен",
            "травм",
            "постражда",
        ],
    ),
    (
        "prisoners",
        &[
            "prisoner",
            "pow",
            "captiv",
            "detaine",
            "пленн",
            "полонен",
            "військовополон",
            "военнопленн",
        ],
    ),
    ("points", &["point", "пункт"]),
    (
        "percent",
        &["%", "percent", "per cent", "процент", "відсот"],
    ),
    (
        "drones",
        &["drone", "дрон", "беспилотн", "безпілотн", "бпла"],
    ),
    ("missiles", &["missile", "ракет"]),
    (
        "square km",
        &["square", "sq", "кв", "квадрат", "km²", "км²"],
    ),
    (
        "troops",
        &[
            "troop",
            "soldier",
            "servicem",
            "personnel",
            "военнослужащ",
            "военных",
            "солдат",
            "військовослужб",
            "військових",
            "бійц",
            "бойц",
        ],
    ),
    (
        "money",
        &["dollar", "usd", "euro", "доллар", "долар", "євро", "евро"],
    ),
];

/// Words between a number and what it counts ("at least 25 people").
const SKIP: &[&str] = &[
    "at",
    "least",
    "more",
    "than",
    "over",
    "nearly",
    "about",
    "around",
    "some",
    "almost",
    "up",
    "to",
    "of",
    "the",
    "a",
    "another",
    "other",
    "не",
    "менее",
    "более",
    "около",
    "щонайменше",
    "понад",
    "близько",
    "менш",
];

const MONTHS: &[&str] = &[
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
    "январ",
    "феврал",
    "март",
    "апрел",
    "мая",
    "июн",
    "июл",
    "август",
    "сентябр",
    "октябр",
    "ноябр",
    "декабр",
    "січн",
    "лют",
    "берез",
    "квітн",
    "травн",
    "червн",
    "липн",
    "серпн",
    "вересн",
    "жовтн",
    "листопад",
    "грудн",
];

fn class_of(word: &str) -> Option<&'static str> {
    CLASSES
        .iter()
        .find(|(_, stems)| stems.iter().any(|s| word.starts_with(s)))
        .map(|(c, _)| *c)
}

fn is_month(word: &str) -> bool {
    MONTHS.iter().any(|m| word.starts_with(m))
}

pub(super) fn parse_number(token: &str) -> Option<(f64, &str)> {
    // "28-point" → (28, "point"); "1,000" → 1000; "2.5" → 2.5; "93%" handled by caller.
    let (num, suffix) = match token.find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.')) {
        Some(i) => (&token[..i], token[i..].trim_start_matches('-')),
        None => (token, ""),
    };
    if num.is_empty() || !num.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let cleaned: String =
        if num.matches(',').count() >= 1 && num.split(',').skip(1).all(|g| g.len() == 3) {
            num.replace(',', "")
        } else {
            num.replace(',', ".")
        };
    cleaned
        .trim_end_matches('.')
        .parse()
        .ok()
        .map(|v| (v, suffix))
}

/// Joins digit groups that Russian, Ukrainian, Polish and French separate with a space
/// ("800 000", "1 000", with a no-break space too) into one number.
fn group_thousands(sentence: &str) -> String {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r"(\b\d{1,3})[ \u{a0}\u{202f}\u{2009}](\d{3})\b").expect("valid regex")
    });
    let mut s = sentence.to_string();
    // Twice: "1 000 000" has two joins that overlap.
    for _ in 0..2 {
        s = re.replace_all(&s, "$1$2").into_owned();
    }
    s
}

/// The figures of one sentence. Years, clock times and calendar days are not counts and
/// are left out.
pub fn figures(sentence: &str) -> Vec<Figure> {
    // Words with the clause each is in: a class word is looked for in the number's own
    // clause first ("26 were killed, and 93 were wounded").
    let mut toks: Vec<String> = Vec::new();
    let mut clause: Vec<usize> = Vec::new();
    for (c, part) in group_thousands(sentence)
        .replace('%', " % ")
        .split([',', ';', ':', '—', '–', '(', ')'])
        .enumerate()
    {
        for w in words(part) {
            toks.push(w);
            clause.push(c);
        }
    }
    let mut out = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        let Some((value, suffix)) = parse_number(t) else {
            continue;
        };
        let prev = i.checked_sub(1).map(|j| toks[j].as_str()).unwrap_or("");
        let next = toks.get(i + 1).map(String::as_str).unwrap_or("");
        if is_month(prev) || is_month(next) {
            continue; // "Nov. 23", "23 ноября"
        }
        if suffix.is_empty() && (1900.0..=2100.0).contains(&value) && value.fract() == 0.0 {
            continue; // a year
        }
        // What it counts: the nearest class word (before, then after), else the head.
        let mut class = suffix_class(suffix);
        for same_clause in [true, false] {
            if class.is_some() {
                break;
            }
            for d in 1..=8usize {
                for j in [i.checked_sub(d), i.checked_add(d)].into_iter().flatten() {
                    if class.is_some() {
                        break;
                    }
                    let Some(w) = toks.get(j) else { continue };
                    if parse_number(w).is_some() || (same_clause && clause[j] != clause[i]) {
                        continue;
                    }
                    class = class_of(w);
                }
                if class.is_some() {
                    break;
                }
            }
        }
        let head = if !suffix.is_empty() {
            suffix.to_string()
        } else {
            toks[i + 1..]
                .iter()
                .find(|w| !SKIP.contains(&w.as_str()))
                .cloned()
                .unwrap_or_default()
        };
        let (what, is_class) = match class {
            // "18 children were injured" and "93 people were injured" count different
            // things: a specific head noun stays part of what is counted.
            Some(c) if !head.is_empty() && !is_generic(&head) => (
                format!("{c} ({})", head.chars().take(5).collect::<String>()),
                true,
            ),
            Some(c) => (c.to_string(), true),
            None if !head.is_empty() && parse_number(&head).is_none() => {
                (head.chars().take(5).collect(), false)
            }
            None => continue,
        };
        out.push(Figure {
            text: t.clone(),
            value,
            what,
            class: is_class,
        });
    }
    out
}

/// Head words that say nothing about who is counted ("25 people", "20, including ...").
fn is_generic(head: &str) -> bool {
    const GENERIC: &[&str] = &[
        "people",
        "persons",
        "person",
        "others",
        "more",
        "including",
        "among",
        "and",
        "were",
        "have",
        "had",
        "are",
        "is",
        "in",
        "on",
        "as",
        "человек",
        "людей",
        "люди",
        "осіб",
        "людини",
        "люди",
        "включая",
        "среди",
        "серед",
        "из",
        "з",
        "в",
        "у",
        "и",
        "і",
    ];
    GENERIC.contains(&head) || class_of(head).is_some()
}

fn suffix_class(suffix: &str) -> Option<&'static str> {
    (!suffix.is_empty()).then(|| class_of(suffix)).flatten()
}

/// Pairs of conflicting figures between two sentences: same thing counted, different
/// value, and neither sentence also gives the other's value for it.
pub fn conflicts(a: &[Figure], b: &[Figure]) -> Vec<(Figure, Figure)> {
    let mut out = Vec::new();
    for fa in a {
        for fb in b {
            if fa.class != fb.class || fa.what != fb.what || fa.value == fb.value {
                continue;
            }
            let a_has_b = a.iter().any(|x| x.what == fb.what && x.value == fb.value);
            let b_has_a = b.iter().any(|x| x.what == fa.what && x.value == fa.value);
            if a_has_b || b_has_a {
                continue;
            }
            if !out.iter().any(|(x, y): &(Figure, Figure)| {
                x.value == fa.value && y.value == fb.value && x.what == fa.what
            }) {
                out.push((fa.clone(), fb.clone()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn what(s: &str) -> Vec<(f64, String)> {
        figures(s).into_iter().map(|f| (f.value, f.what)).collect()
    }

    #[test]
    fn casualty_counts_get_their_class() {
        assert_eq!(
            what("At least 20 people, including two children, were killed in a Russian missile attack."),
            [(20.0, "killed".to_string())]
        );
        assert_eq!(
            what("Two buildings were hit, leaving at least 26 dead, three of whom were children."),
            [(26.0, "killed".to_string())]
        );
        assert_eq!(
            what("More than 93 people were injured in the strike, including 18 children."),
            [
                (93.0, "injured".to_string()),
                (18.0, "injured (child)".to_string())
            ]
        );
        assert_eq!(what("the 28-point plan"), [(28.0, "points".to_string())]);
        assert_eq!(what("план из 28 пунктов"), [(28.0, "points".to_string())]);
    }

    #[test]
    fn space_grouped_thousands_are_one_number() {
        assert_eq!(
            what("Чисельність ЗСУ обмежать до 800 000 військових."),
            [(800000.0, "troops".to_string())]
        );
        assert_eq!(
            what("Обмін 1 000 полонених."),
            [(1000.0, "prisoners".to_string())]
        );
    }

    #[test]
    fn dates_and_years_are_not_counts() {
        assert!(what("On Nov. 23, 2025, talks began in Geneva.").is_empty());
        assert!(what("Переговоры прошли 23 ноября.").is_empty());
    }

    #[test]
    fn conflicts_need_the_same_thing_counted() {
        let a = figures("A strike killed at least 25 people and injured 93 others.");
        let b = figures("At least 26 people have been killed, and 93 were wounded.");
        let c = conflicts(&a, &b);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!((c[0].0.value, c[0].1.value), (25.0, 26.0));
        assert!(conflicts(&a, &a).is_empty());
    }
}
