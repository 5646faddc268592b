//! Sentence splitting for news text.
//!
//! Line breaks are hard boundaries first (scraped articles put menus, bylines and captions
//! on lines of their own); inside a line, Wikimedia's `sentencex` finds the sentence ends.
//! It carries per-language abbreviation lists (U.S., Mr., Gen., Oct., and Russian and
//! Ukrainian ones), which a hand-written regex would keep getting wrong.

/// A sentence with its place in the source text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Sentence {
    /// The sentence, trimmed.
    pub text: String,
    /// Byte offsets of the sentence in the text it was split from.
    pub start: usize,
    /// Byte offset of its end in the text.
    pub end: usize,
}

/// Abbreviations sentencex's lists lack, per language, written without their final dot:
/// those that never end a sentence ("m.in." = among others, "т.е." = that is) and those
/// that end one only before a capital (units and titles: "тыс. человек", "ст. 5").
const NEVER_FINAL: &[(&str, &[&str])] = &[
    (
        "pl",
        &[
            "m.in", "np", "tzw", "wg", "ws", "tj", "m.st", "prof", "dr", "ul", "pkt", "zob",
        ],
    ),
    ("ru", &["т.е", "т.к", "т.н", "т.д", "т.п", "им", "ул", "см"]),
    ("uk", &["т.зв", "т.б", "т.д", "ім", "вул", "див"]),
    (
        "de",
        &[
            "z.B", "d.h", "u.a", "bzw", "vgl", "ca", "Nr", "Dr", "Prof", "sog", "inkl",
        ],
    ),
    ("fr", &["M", "Mme", "MM", "cf", "p.ex", "env", "av", "St"]),
    ("en", &["e.g", "i.e", "approx", "cf"]),
];
const BEFORE_LOWER: &[(&str, &[&str])] = &[
    (
        "pl",
        &[
            "tys", "mln", "mld", "ok", "godz", "r", "proc", "zł", "km", "ok",
        ],
    ),
    (
        "ru",
        &[
            "тыс", "млн", "млрд", "г", "гг", "ст", "руб", "долл", "чел", "ок", "пр",
        ],
    ),
    (
        "uk",
        &[
            "тис",
            "млн",
            "млрд",
            "р",
            "рр",
            "ст",
            "грн",
            "дол",
            "осіб",
            "близько",
        ],
    ),
    ("de", &["Mio", "Mrd", "Tsd", "Jh", "St"]),
    ("fr", &["mds", "env"]),
];

/// Whether `next` continues the sentence `prev` (sentencex split after an abbreviation
/// of `lang` that did not end it).
fn continues(prev: &str, next: &str, lang: &str) -> bool {
    let Some(stem) = prev.trim_end().strip_suffix('.') else {
        return false;
    };
    let word = stem
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '«' || c == '"')
        .next()
        .unwrap_or("");
    let listed = |table: &[(&str, &[&str])]| {
        table.iter().any(|(l, words)| {
            *l == lang
                && words
                    .iter()
                    .any(|w| w.eq_ignore_ascii_case(word) || *w == word.to_lowercase())
        })
    };
    if listed(NEVER_FINAL) {
        return true;
    }
    let first = next.trim_start().chars().next();
    listed(BEFORE_LOWER) && first.is_some_and(|c| c.is_lowercase() || c.is_ascii_digit())
}

/// Splits `text` into sentences. `lang` is an ISO 639-1 code (`en`, `ru`, `uk`, ...);
/// unknown codes fall back to sentencex's generic rules.
pub fn split(text: &str, lang: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        if line.trim().is_empty() {
            continue;
        }
        let mut pieces: Vec<(usize, usize)> = Vec::new();
        for b in sentencex::get_sentence_boundaries(lang, line) {
            let raw = &line[b.start_byte..b.end_byte];
            if raw.trim().is_empty() {
                continue;
            }
            match pieces.last_mut() {
                Some(last) if continues(&line[last.0..last.1], raw, lang) => last.1 = b.end_byte,
                _ => pieces.push((b.start_byte, b.end_byte)),
            }
        }
        for (from, to) in pieces {
            let raw = &line[from..to];
            let trimmed = raw.trim();
            let lead = raw.len() - raw.trim_start().len();
            let start = line_start + from + lead;
            out.push(Sentence {
                text: trimmed.to_string(),
                start,
                end: start + trimmed.len(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(t: &str, lang: &str) -> Vec<String> {
        split(t, lang).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn keeps_abbreviations_and_decimals_inside_sentences() {
        let s = texts(
            "The U.S. envoy met Mr. Witkoff on Oct. 24 in Miami. Growth was 2.5% last year. Gen. Driscoll flew to Kyiv.",
            "en",
        );
        assert_eq!(
            s,
            vec![
                "The U.S. envoy met Mr. Witkoff on Oct. 24 in Miami.",
                "Growth was 2.5% last year.",
                "Gen. Driscoll flew to Kyiv."
            ]
        );
    }

    #[test]
    fn abbreviations_of_each_language_stay_inside_their_sentence() {
        let pl = texts("W spotkaniu wzięli udział m.in. Witkoff i Kushner. Zginęło ok. 20 osób, a rannych jest 93 tys. mieszkańców.", "pl");
        assert_eq!(pl.len(), 2, "{pl:?}");
        assert!(pl[0].ends_with("Witkoff i Kushner."));
        let ru = texts("Речь идет о 800 тыс. военных, т.е. о всей армии. Песков заявил об этом в ст. 5 документа.", "ru");
        assert_eq!(ru.len(), 2, "{ru:?}");
        let uk = texts("Росія запустила понад 470 дронів, загинули 26 осіб, серед них 3 дітей, поранено близько 93 тис. осіб. Це заявив Зеленський.", "uk");
        assert_eq!(uk.len(), 2, "{uk:?}");
        let de = texts("Die Gespräche betrafen z.B. Sicherheitsgarantien und die Grenze. Die Ukraine lehnte ab.", "de");
        assert_eq!(de.len(), 2, "{de:?}");
        let fr = texts(
            "M. Macron a rencontré M. Zelensky à Paris. Les discussions continuent.",
            "fr",
        );
        assert_eq!(fr.len(), 2, "{fr:?}");
    }

    #[test]
    fn line_breaks_are_boundaries_and_offsets_point_into_the_text() {
        let t = "Menu\nHome\n\nКремль получил план. Песков заявил об этом журналистам.";
        let s = split(t, "ru");
        assert_eq!(s.len(), 4, "{s:?}");
        for x in &s {
            assert_eq!(&t[x.start..x.end], x.text);
        }
        assert_eq!(s[2].text, "Кремль получил план.");
    }
}
