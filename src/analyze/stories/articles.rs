//! The articles `stories` reads: a JSON Lines record's fields, its date read in any of the
//! usual formats, and the lead the story finder embeds.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde_json::Value;

use crate::input::document::scalar;
use crate::input::{debris, sentences, Document};

/// What a story keeps of each article (its text is not kept: a story needs the lead only
/// while the article is embedded).
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// The record's id.
    pub id: String,
    /// The outlet, when given.
    pub outlet: Option<String>,
    /// The outlet's country, when given.
    pub country: Option<String>,
    /// The declared language, else the detected one.
    pub language: Option<String>,
    /// The headline, when given.
    pub title: Option<String>,
    /// The date as written in the record.
    pub date_text: Option<String>,
    /// The date as days since 0001-01-01, when it could be read.
    pub day: Option<i64>,
    /// Where it was published.
    pub url: Option<String>,
    /// Its group for blindspots (the `--group-by` field's value).
    pub group: Option<String>,
    /// The text the finder embeds: headline and the opening reporting sentences.
    pub lead: String,
}

/// Characters of text after the headline that go into the lead. The opening of a news
/// report names the event; more text mixes in background that other stories share. Read
/// off the dev sets: 700 characters gave the same Multi-News score as 1,500 and a higher
/// coverage-dev score (README, Finding stories).
pub const LEAD_CHARS: usize = 700;

impl Article {
    /// The article of a record read by [`crate::jobs::records::Records`]. `group_by` names
    /// the field whose value is the article's group; `date` is the raw `date` field.
    pub fn from_record(doc: &Document, raw: &Value, group_by: &str) -> Article {
        let field = |k: &str| {
            scalar(raw.get(k))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let date_text = field("date");
        let day = date_text.as_deref().and_then(parse_day);
        let language = doc
            .language
            .clone()
            .filter(|l| !l.trim().is_empty())
            .or_else(|| crate::input::language::detect_language(head(&doc.text)));
        let lead = lead(doc.title.as_deref(), &doc.text, language.as_deref());
        Article {
            id: doc.id.clone().unwrap_or_default(),
            outlet: doc.outlet.clone(),
            country: doc.country.clone(),
            language,
            title: doc.title.clone().filter(|t| !t.trim().is_empty()),
            date_text,
            day,
            url: doc.url.clone(),
            group: field(group_by),
            lead,
        }
    }
}

/// The opening of a text that the lead and the language are read from: splitting or
/// detecting a long article whole would cost more than embedding its lead. Four times the
/// lead leaves room for the debris skipped on the way.
fn head(text: &str) -> &str {
    match text.char_indices().nth(4 * LEAD_CHARS) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// Headline plus the opening reporting sentences up to [`LEAD_CHARS`]: captions, credits
/// and menus that open a scraped page are skipped (they name a photo, not the event).
/// A text with no sentence that reads as reporting gives its first characters instead.
pub fn lead(title: Option<&str>, text: &str, language: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(t) = title.map(str::trim).filter(|t| !t.is_empty()) {
        out.push_str(t);
        out.push('\n');
    }
    let start = out.len();
    for s in sentences::split(head(text), language.unwrap_or("en")) {
        if out.len() - start >= LEAD_CHARS {
            break;
        }
        if debris::is_reporting(&s.text) {
            out.push_str(s.text.trim());
            out.push(' ');
        }
    }
    if out.len() == start {
        out.extend(text.trim().chars().take(LEAD_CHARS));
    }
    out.trim_end().to_string()
}

/// A date in any of the forms news records carry: ISO 8601 / RFC 3339 (with or without a
/// time and zone), RFC 2822 (RSS feeds), `YYYY/MM/DD`, `DD.MM.YYYY` (Russian and Ukrainian
/// sites), as days since 0001-01-01. `None` for anything else (the article is then undated,
/// not an error: see README, Finding stories).
pub fn parse_day(text: &str) -> Option<i64> {
    use chrono::Datelike;
    let t = text.trim();
    let date = DateTime::parse_from_rfc3339(t)
        .map(|d| d.date_naive())
        .or_else(|_| DateTime::parse_from_rfc2822(t).map(|d| d.date_naive()))
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f").map(|d| d.date()))
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S").map(|d| d.date()))
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M").map(|d| d.date()))
        .ok()
        .or_else(|| {
            ["%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y"]
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
        })?;
    Some(date.num_days_from_ce() as i64)
}

/// A day count back as `YYYY-MM-DD`.
pub fn day_text(day: i64) -> String {
    NaiveDate::from_num_days_from_ce_opt(day as i32)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_forms_records_carry() {
        let d = parse_day("2025-11-21").unwrap();
        for form in [
            "2025-11-21T10:00:00Z",
            "2025-11-21T23:30:00+03:00",
            "2025-11-21 08:15",
            "2025-11-21T08:15:00",
            "Fri, 21 Nov 2025 10:00:00 GMT",
            "2025/11/21",
            "21.11.2025",
        ] {
            assert_eq!(parse_day(form), Some(d), "{form}");
        }
        assert_eq!(parse_day("2025-11-22"), Some(d + 1));
        assert_eq!(day_text(d), "2025-11-21");
        for bad in ["", "yesterday", "2025-13-01", "31.02.2025", "11/21/2025"] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn lead_skips_a_caption_and_stops_near_the_limit() {
        let text = "Firefighters at the site. Photo: Reuters\n\nPresident Volodymyr Zelensky said \
                    on Thursday he was ready to work on the plan with Washington. "
            .to_string()
            + &"The talks went on for several hours in Kyiv on Thursday evening. ".repeat(30);
        let l = lead(Some("Zelensky ready to work on plan"), &text, Some("en"));
        assert!(l.starts_with("Zelensky ready to work on plan\nPresident Volodymyr Zelensky"));
        assert!(!l.contains("Photo: Reuters"));
        assert!(l.len() < LEAD_CHARS + 200, "{}", l.len());
        // No reporting sentence at all: the opening characters.
        assert_eq!(lead(None, "menu home news", None), "menu home news");
    }
}
