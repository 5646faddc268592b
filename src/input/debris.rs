//! Site debris: what a scraped page carries beside its reporting. One filter for every
//! analysis, so that no menu, caption, heading, byline or cut-off fragment becomes a summary
//! sentence, a claim, a unique claim or an exclusive detail.

use std::sync::OnceLock;

use regex::Regex;

/// Phrases that mark a line as site furniture rather than reporting (lower case).
const DEBRIS: &[&str] = &[
    "advertisement",
    "read more",
    "read also",
    "see also",
    "related news",
    "related:",
    "subscribe",
    "sign up",
    "newsletter",
    "cookie",
    "all rights reserved",
    "follow us",
    "share this",
    "click here",
    "copyright",
    "©",
    "getty images",
    "photo:",
    "image:",
    "video:",
    "loader",
    "quick looks",
    "deep look",
    "читайте также",
    "читайте також",
    "реклама",
    "подписывайтесь",
    "підписуйтесь",
    "фото:",
    "новости партнеров",
    "новини партнерів",
    "поделиться",
    "поділитися",
    "ap photo",
    "photo by",
    "reuters/",
    "/reuters",
    "afp via",
    "epa-efe",
    "фото ",
    "скриншот",
];

/// Whether a sentence is reporting rather than site debris: menus, bylines, tickers,
/// "Read more", photo captions and credits, headings, and fragments. A reporting sentence
/// has at least 5 words and ends as a sentence does (a page's headings and a text cut off
/// mid-sentence do not).
pub fn is_reporting(sentence: &str) -> bool {
    let words = sentence.split_whitespace().count();
    if words < 5 || !sentence.chars().any(char::is_alphabetic) {
        return false;
    }
    let lower = sentence.to_lowercase();
    if DEBRIS.iter().any(|d| lower.contains(d)) {
        return false;
    }
    if lower.starts_with("by ") && words < 12 {
        return false;
    }
    ends_as_sentence(sentence) && !is_caption(sentence)
}

/// Ends with a full stop, question or exclamation mark, ellipsis or colon, perhaps inside
/// closing quotes or brackets.
fn ends_as_sentence(sentence: &str) -> bool {
    sentence
        .trim_end_matches(|c: char| c.is_whitespace() || "\"”’»')“`".contains(c))
        .ends_with(['.', '!', '?', '…', ':'])
}

/// A photo caption in the wire agencies' form: who is where, with the people's positions
/// ("Trump, right, and Putin arrive ...") or ending on the place and date ("..., Geneva,
/// Switzerland, Sunday, Nov. 23, 2025."). Reporting sentences date events inside the
/// sentence, not after the place at its end.
pub fn is_caption(sentence: &str) -> bool {
    static RE: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (position, dated) = RE.get_or_init(|| {
        (
            Regex::new(r"(?i),\s(?:(?:second|third|far|front|back)\s)?(?:left|right|centre|center)(?:,|\s(?:to\s)?(?:and|with)\s)|\((?:left|right|centre|center)\)")
                .expect("valid regex"),
            Regex::new(r"(?i),\s(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,\s)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s\d{1,2},\s\d{4}\.?[\s\p{L}’'().-]{0,60}$")
                .expect("valid regex"),
        )
    });
    position.is_match(sentence) || dated.is_match(sentence.trim_end())
}

/// The text after a scraped page's header run glued to the lead ("Headline/ Outlet/
/// WASHINGTON/ J. Doe/ Morning Edition/ A Russian missile ..."): slash-separated segments
/// before the sentence proper. Unchanged when there is no such run.
pub fn strip_header(sentence: &str) -> &str {
    let parts: Vec<&str> = sentence.split("/ ").collect();
    if parts.len() < 3
        || parts[..parts.len() - 1]
            .iter()
            .any(|p| p.split_whitespace().count() > 8)
    {
        return sentence;
    }
    parts[parts.len() - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debris_is_not_reporting() {
        assert!(!is_reporting("Advertisement"));
        assert!(!is_reporting(
            "Newsletter Newsletters Events Events Podcasts Videos Africanews"
        ));
        assert!(!is_reporting("Related News:"));
        assert!(!is_reporting("Читайте также: новости партнеров"));
        assert!(is_reporting(
            "At least 20 people, including two children, were killed in a Russian missile attack."
        ));
        assert!(is_reporting(
            "Песков заявил, что Кремль пока не получал плана."
        ));
    }

    #[test]
    fn captions_headings_and_fragments_are_not_reporting() {
        // Captions from the dev coverage (AP, Reuters style).
        assert!(!is_reporting("President Donald Trump, right, Russia's President Vladimir Putin arrive for a joint press conference at Joint Base Elmendorf-Richardson, Alaska, Friday, Aug. 15, 2025."));
        assert!(!is_reporting("Head of the Office of the President of Ukraine Andriy Yermak, second right, and U.S. Secretary of State Marco Rubio talk to the press as their consultations continue at the U.S. Mission to International Organizations in Geneva, Switzerland, Sunday, Nov. 23, 2025."));
        assert!(!is_reporting("Aftermath of the Russian strikes on Ternopil, Nov. 19, 2025 Ukraine’s Emergency Service"));
        // Headings and a text cut mid-sentence.
        assert!(!is_reporting("Russian airstrike on Ternopil in western Ukraine kills at least 20, including children"));
        assert!(!is_reporting(
            "Critics claimed it resembled a \"wish list for Putin,\" and some suggested"
        ));
        assert!(!is_reporting("Results of the Negotiations"));
        // Reporting that dates an event, names positions or ends in a quote stays.
        assert!(is_reporting("Following their direct negotiations in Istanbul on May 16, Russia and Ukraine agreed to exchange 1,000 prisoners each."));
        assert!(is_reporting(
            "The left and right wings of parliament both criticised the plan on Friday."
        ));
        assert!(is_reporting("«Мы знаем о наличии возможных модификаций, но официально мы ничего не получали», — сказал Песков."));
        assert!(is_reporting(
            "But the State Department said that was “blatantly false.”"
        ));
    }

    #[test]
    fn a_header_run_glued_to_the_lead_is_cut_off() {
        let s = "Russian Strike Kills 25 in Western Ukraine Attack/ Newslooks/ WASHINGTON/ J. Mansour/ Morning Edition/ A Russian missile and drone assault on Ternopil killed 25 people.";
        assert_eq!(
            strip_header(s),
            "A Russian missile and drone assault on Ternopil killed 25 people."
        );
        let t = "The 24/7 news cycle and/ or the press did not help, she said.";
        assert_eq!(strip_header(t), t);
    }
}
