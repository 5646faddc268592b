//! Calendar dates in sentences, read as figures that count "date", so that two sentences
//! of one claim that date it differently conflict as two counts do.

use super::facts::{parse_number, Figure};
use super::text::words;

/// Month names as they stand beside a day: English names and abbreviations, and Russian and
/// Ukrainian stems (their genitive forms: "19 ноября", "19 листопада").
const MONTH_NAMES: [(&[&str], &[&str]); 12] = [
    (&["january", "jan"], &["январ", "січн"]),
    (&["february", "feb"], &["феврал", "лютого", "лютий"]),
    (&["march", "mar"], &["марта", "март", "березн", "березен"]),
    (&["april", "apr"], &["апрел", "квітн", "квітен"]),
    (&["may"], &["мая", "май", "травн", "травен"]),
    (&["june", "jun"], &["июн", "червн", "червен"]),
    (&["july", "jul"], &["июл", "липн", "липен"]),
    (&["august", "aug"], &["август", "серпн", "серпен"]),
    (
        &["september", "sept", "sep"],
        &["сентябр", "вересн", "вересен"],
    ),
    (&["october", "oct"], &["октябр", "жовтн", "жовтен"]),
    (&["november", "nov"], &["ноябр", "листопад"]),
    (&["december", "dec"], &["декабр", "грудн", "груден"]),
];

/// Words that join two days into a span.
const SPAN: &[&str] = &["to", "and", "through", "по", "до", "и", "і", "та"];

/// 1..=12 for a month name (English exactly, Cyrillic by stem).
fn month_number(word: &str) -> Option<u32> {
    MONTH_NAMES
        .iter()
        .position(|(en, stems)| en.contains(&word) || stems.iter().any(|s| word.starts_with(s)))
        .map(|i| i as u32 + 1)
}

/// A day of the month as written beside a month name: "19", "19th", "19-го".
fn day_number(token: &str) -> Option<u32> {
    let (v, suffix) = parse_number(token)?;
    let ok_suffix = ["", "th", "st", "nd", "rd", "го"].contains(&suffix);
    (ok_suffix && v.fract() == 0.0 && (1.0..=31.0).contains(&v)).then_some(v as u32)
}

/// Calendar dates ("November 19", "Nov. 19", "19 November", "19 ноября", "19 листопада") as
/// figures that count "date", valued month × 100 + day, so that two sentences of one claim
/// that date it differently conflict like two counts do.
pub fn dates(sentence: &str) -> Vec<Figure> {
    let toks = words(sentence);
    let mut out: Vec<Figure> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        let Some(month) = month_number(t) else {
            continue;
        };
        // Russian and Ukrainian put the day first ("20 листопада – 26 загиблих": 26 is a
        // count); English either way.
        let after = toks
            .get(i + 1)
            .filter(|_| t.is_ascii())
            .and_then(|w| day_number(w));
        let before = i
            .checked_sub(1)
            .and_then(|j| day_number(&toks[j]))
            // "May 9" is a date; "may 9 ..." after a day is not read twice.
            .filter(|_| after.is_none());
        // A span ("с 23 по 25 мая", "May 23 to 25") dates no single day.
        let joined = |k: Option<usize>| {
            k.and_then(|k| toks.get(k))
                .is_some_and(|w| SPAN.contains(&w.as_str()))
        };
        let span = (before.is_some() && joined(i.checked_sub(2)))
            || (after.is_some() && joined(Some(i + 2)));
        if span {
            continue;
        }
        let (day, text) = match (after, before) {
            (Some(d), _) => (d, format!("{} {d}", capitalized(t))),
            (None, Some(d)) => (d, format!("{d} {t}")),
            _ => continue,
        };
        let value = f64::from(month * 100 + day);
        if !out.iter().any(|f| f.value == value) {
            out.push(Figure {
                text,
                value,
                what: "date".into(),
                class: true,
            });
        }
    }
    out
}

/// "november" → "November" (English month names are capitalized; Cyrillic ones are not).
fn capitalized(word: &str) -> String {
    let mut c = word.chars();
    match c.next() {
        Some(f) if f.is_ascii_alphabetic() => f.to_uppercase().chain(c).collect(),
        _ => word.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::compare::facts::conflicts;

    #[test]
    fn calendar_dates_in_three_languages() {
        let d = |s: &str| -> Vec<(f64, String)> {
            dates(s).into_iter().map(|f| (f.value, f.text)).collect()
        };
        assert_eq!(
            d("The strike on November 19 killed 26."),
            vec![(1119.0, "November 19".into())]
        );
        assert_eq!(
            d("Talks open on 23 Nov. in Geneva"),
            vec![(1123.0, "23 nov".into())]
        );
        assert_eq!(
            d("Удар 19 ноября по Тернополю"),
            vec![(1119.0, "19 ноября".into())]
        );
        assert_eq!(
            d("Удар 19 листопада по Тернополю"),
            vec![(1119.0, "19 листопада".into())]
        );
        assert_eq!(d("Aug. 15th summit"), vec![(815.0, "Aug 15".into())]);
        // Not dates: words that begin like a month, a count of days, a range, a year.
        assert!(d("The market fell 3 percent in Mariupol 2 weeks ago").is_empty());
        assert!(d("Within 30 days of the deal, December 2025").is_empty());
        assert!(d("on November 18-19").is_empty());
        assert!(d("с 23 по 25 мая Россия и Украина провели обмен").is_empty());
        assert!(d("between May 23 and 25").is_empty());
        // The count after a Ukrainian date is not its day.
        assert_eq!(
            d("Станом на ранок 20 листопада – 26 загиблих."),
            vec![(1120.0, "20 листопада".into())]
        );
        let a = dates("The strike on November 19 killed 26.");
        let b = dates("The strike on November 18 killed 26.");
        assert_eq!(conflicts(&a, &b).len(), 1);
        assert!(conflicts(&a, &a).is_empty());
    }
}
