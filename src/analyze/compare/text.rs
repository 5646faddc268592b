//! Text helpers of the comparison: language detection, site debris, words and stop words.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

pub use crate::input::language::{detect_language, source_language};

/// Lower-case words (letters, digits, inner apostrophes and hyphens), in order.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let inner = (c == '-' || c == '\'' || c == '’')
            && !cur.is_empty()
            && chars.peek().is_some_and(|n| n.is_alphanumeric());
        if c.is_alphanumeric() || inner {
            cur.extend(c.to_lowercase());
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Languages whose ISO stop-word list parallax uses (the crate panics on others).
const STOP_LANGS: &[&str] = &[
    "en", "ru", "uk", "pl", "de", "fr", "es", "it", "pt", "nl", "tr", "be", "bg", "cs",
];

/// The stop words of `lang` (empty for a language without a list), plus reporting verbs
/// and news boilerplate that every outlet uses and that would otherwise top every list.
pub fn stop_words(lang: &str) -> &'static HashSet<String> {
    static CACHE: OnceLock<Mutex<HashMap<String, &'static HashSet<String>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut map = cache.lock().expect("stop-word cache");
    if let Some(s) = map.get(lang) {
        return s;
    }
    let mut set: HashSet<String> = if STOP_LANGS.contains(&lang) {
        stop_words::get(lang).into_iter().collect()
    } else {
        HashSet::new()
    };
    let extra: &[&str] = match lang {
        "en" => &[
            "said",
            "says",
            "told",
            "also",
            "would",
            "could",
            "according",
            "s",
            "t",
        ],
        "ru" => &["заявил", "сказал", "также", "это", "который", "которые"],
        "uk" => &[
            "заявив",
            "сказав",
            "також",
            "це",
            "який",
            "які",
            "на",
            "щодо",
            "якщо",
            "що",
            "як",
            "до",
            "від",
            "за",
            "про",
            "та",
            "і",
            "й",
            "в",
            "у",
            "з",
            "із",
            "не",
            "але",
            "його",
            "її",
            "їх",
            "він",
            "вона",
            "вони",
            "вже",
            "ще",
            "буде",
            "було",
            "має",
            "є",
            "для",
            "під",
            "після",
            "при",
            "чи",
            "так",
            "ж",
            "би",
            "б",
            "же",
            "ця",
            "цей",
            "ці",
        ],
        _ => &[],
    };
    set.extend(extra.iter().map(|s| s.to_string()));
    let leaked: &'static HashSet<String> = Box::leak(Box::new(set));
    map.insert(lang.to_string(), leaked);
    leaked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_hyphens_and_cyrillic() {
        assert_eq!(
            words("The 28-point plan, Zelensky’s “red lines”."),
            ["the", "28-point", "plan", "zelensky’s", "red", "lines"]
        );
        assert_eq!(
            words("Мирный план из 28 пунктов"),
            ["мирный", "план", "из", "28", "пунктов"]
        );
    }

    #[test]
    fn languages_are_detected() {
        assert_eq!(
            detect_language(
                "The Kremlin said on Friday that it had not yet received the plan from Washington."
            )
            .as_deref(),
            Some("en")
        );
        assert_eq!(
            detect_language(
                "Кремль пока не получал от Вашингтона официального текста мирного плана, заявил \
                 Песков. По его словам, Москва готова к переговорам, однако никаких \
                 конкретных предложений пока нет, и обсуждать их публично было бы неправильно."
            )
            .as_deref(),
            Some("ru")
        );
        assert_eq!(
            detect_language("Президент України отримав від американської сторони проєкт мирного плану, повідомили в Офісі.").as_deref(),
            Some("uk")
        );
    }
}
