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
        for b in sentencex::get_sentence_boundaries(lang, line) {
            let raw = &line[b.start_byte..b.end_byte];
            let trimmed = raw.trim();
            if trimmed.is_empty() {
                continue;
            }
            let lead = raw.len() - raw.trim_start().len();
            let start = line_start + b.start_byte + lead;
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
