//! How the scorer compares a reported value or sentence with the gold. These rules are the
//! metric's definition, so they are written here on their own and share no code with the
//! findings they judge: a bug in the findings' number reader must not also hide itself
//! from the score.

/// Whitespace folded to single spaces, ends trimmed: the sentence splitter may join lines.
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a cited sentence holds an evidence string: one contains the other (whitespace
/// folded), the shorter at least [`MIN_HOLD`] characters, so a splitter that cuts the
/// annotator's sentence in two still gets credit for a real part of it, and a fragment
/// like "he said." gets none.
pub fn holds(cite: &str, evidence: &str) -> bool {
    let (c, e) = (squash(cite), squash(evidence));
    let (short, long) = if c.chars().count() <= e.chars().count() {
        (&c, &e)
    } else {
        (&e, &c)
    };
    short.chars().count() >= MIN_HOLD && long.contains(short.as_str())
}

/// See [`holds`]; the issue that defined the metric fixed it at 20.
pub const MIN_HOLD: usize = 20;

/// Separators that group digits inside one number in the languages of the data: the comma
/// (en), the full stop (de, pl, ru, es), the space, no-break space and narrow no-break
/// space (ru, uk, pl, fr: CLDR's group symbols) and the apostrophe (de-CH).
const DIGIT_GROUP: [char; 6] = [',', '.', ' ', '\u{a0}', '\u{202f}', '\''];

/// Lower-cased words of letters and digits; a digit group after a separator of
/// [`DIGIT_GROUP`] joins the number before it when it has exactly three digits, so
/// "115,500", "115 500" and "115.500" are all the token "115500", while "2025, 26" and
/// "19 2025" stay two numbers.
pub fn tokens(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() {
            cur.extend(c.to_lowercase());
            i += 1;
            continue;
        }
        if DIGIT_GROUP.contains(&c)
            && !cur.is_empty()
            && cur.chars().all(|d| d.is_ascii_digit())
            && three_digits_at(&chars, i + 1)
        {
            i += 1; // the separator inside a number
            continue;
        }
        if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        i += 1;
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn three_digits_at(chars: &[char], at: usize) -> bool {
    let digits = chars[at.min(chars.len())..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    digits == 3
        && chars
            .get(at + 3)
            .is_none_or(|c| !c.is_alphanumeric() || DIGIT_GROUP.contains(c))
}

/// The numbers among [`tokens`].
pub fn numbers(s: &str) -> Vec<String> {
    tokens(s)
        .into_iter()
        .filter(|t| t.chars().all(|c| c.is_ascii_digit()))
        .collect()
}

/// One word's consonant skeleton after transliteration to ASCII (any_ascii): vowels and
/// `y` dropped, `h` folded into `g` (Ukrainian г is h where Russian г is g, as in
/// Serhiy / Sergei), doubled letters kept once. Names match across scripts and case
/// endings this way: Kupiansk, Купянск, Куп'янськ, Купянске are all "kpnsk".
pub fn skeleton(word: &str) -> String {
    let ascii = any_ascii::any_ascii(word).to_lowercase();
    let mut out = String::new();
    for c in ascii.chars().filter(|c| c.is_ascii_alphabetic()) {
        let c = if c == 'h' { 'g' } else { c };
        if "aeiouy".contains(c) || out.ends_with(c) {
            continue;
        }
        out.push(c);
    }
    out
}

/// Skeletons shorter than this say too little to match on: three consonants still fit
/// unrelated words across scripts ("Прауд" and "proud" are both "prd"); four is where the
/// dev data's false matches stopped. Short names still match through [`translit`].
pub const MIN_SKELETON: usize = 4;

/// Words shorter than this (articles, prepositions, initials) are not what makes a value.
const MIN_WORD: usize = 4;

/// A word in ASCII, lower-cased (any_ascii): "Надал" and "Nadal" are both "nadal".
pub fn translit(word: &str) -> String {
    any_ascii::any_ascii(word)
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// The value's words without digits and long enough to matter.
fn words(s: &str) -> Vec<String> {
    tokens(s)
        .into_iter()
        .filter(|t| !t.chars().any(|c| c.is_ascii_digit()) && t.chars().count() >= MIN_WORD)
        .collect()
}

/// A word and another are one name: the same in ASCII, or the same skeleton of at least
/// [`MIN_SKELETON`] consonants (another transliteration, another case ending).
fn same_word(a: &str, b: &str) -> bool {
    if translit(a) == translit(b) {
        return true;
    }
    let (ka, kb) = (skeleton(a), skeleton(b));
    ka.len() >= MIN_SKELETON && ka == kb
}

/// The value as one key: tokens joined, so case, punctuation and digit separators do not
/// count ("U.S." = "US", "115,500" = "115 500").
pub fn key(s: &str) -> String {
    tokens(s).concat()
}

/// Whether `needle`'s tokens stand one after another in `hay`'s.
pub fn contains_tokens(hay: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Whether a reported value is the gold value: the same [`key`], or the same skeleton
/// word for word (another script or case ending); for a figure, the same numbers; for a
/// long value (a quotation), one holding the other as [`holds`] does for sentences.
pub fn same_value(reported: &str, gold: &str, gold_kind: &str) -> bool {
    let (kr, kg) = (key(reported), key(gold));
    if kr.is_empty() || kg.is_empty() {
        return false;
    }
    if kr == kg {
        return true;
    }
    let (wr, wg) = (words(reported), words(gold));
    if !wr.is_empty()
        && wr.len() == wg.len()
        && wr.iter().zip(&wg).all(|(a, b)| same_word(a, b))
        && numbers(reported) == numbers(gold)
    {
        return true;
    }
    if gold_kind == "figure" {
        let (nr, ng) = (numbers(reported), numbers(gold));
        if !ng.is_empty() && nr == ng {
            return true;
        }
    }
    holds(reported, gold)
}

/// Why a reported exclusive detail is wrong, if it is: a broken figure (one of its numbers
/// is a strict part of a longer number of its own sentence, as "500" of "115,500"), or a
/// value another source also gives: its tokens one after another in that text, or, for a
/// value without digits, each of its words there in another script or case ending (a
/// figure's words alone, "troops", say nothing of its number).
pub fn refutation<'a>(
    value: &str,
    sentence: &str,
    others: impl IntoIterator<Item = (&'a str, &'a OtherText)>,
) -> Option<String> {
    let sentence_numbers = numbers(sentence);
    for n in numbers(value) {
        if !sentence_numbers.contains(&n) {
            if let Some(longer) = sentence_numbers
                .iter()
                .find(|m| m.len() > n.len() && m.contains(n.as_str()))
            {
                return Some(format!(
                    "broken figure: {n} is part of {longer} in its sentence"
                ));
            }
        }
    }
    let vt = tokens(value);
    let vw = if value.chars().any(|c| c.is_ascii_digit()) {
        Vec::new()
    } else {
        words(value)
    };
    for (source, other) in others {
        if contains_tokens(&other.tokens, &vt) {
            return Some(format!("{source} also gives it"));
        }
        if !vw.is_empty() && vw.iter().all(|w| other.has_word(w)) {
            return Some(format!(
                "{source} also gives it (same name in another form)"
            ));
        }
    }
    None
}

/// A source's text prepared for [`refutation`] once.
#[derive(Debug, Clone)]
pub struct OtherText {
    tokens: Vec<String>,
    translits: std::collections::HashSet<String>,
    skeletons: std::collections::HashSet<String>,
}

impl OtherText {
    /// Tokens, and the ASCII forms and skeletons of its words, of a whole article.
    pub fn new(text: &str) -> Self {
        let tokens = tokens(text);
        let words: Vec<&String> = tokens
            .iter()
            .filter(|t| !t.chars().any(|c| c.is_ascii_digit()))
            .collect();
        Self {
            translits: words.iter().map(|w| translit(w)).collect(),
            skeletons: words
                .iter()
                .map(|w| skeleton(w))
                .filter(|k| k.len() >= MIN_SKELETON)
                .collect(),
            tokens,
        }
    }

    /// Whether one of its words is `word` in another script or case ending ([`same_word`]).
    fn has_word(&self, word: &str) -> bool {
        let k = skeleton(word);
        self.translits.contains(&translit(word))
            || (k.len() >= MIN_SKELETON && self.skeletons.contains(&k))
    }
}

/// Whether a reported value gives a gold disagreement's value for its source: its numbers
/// among the gold value's ("26" of "at least 26"), or, without numbers, its tokens inside
/// the gold value's or theirs inside its.
pub fn gives(reported: &str, gold: &str) -> bool {
    let nr = numbers(reported);
    if !nr.is_empty() {
        let ng = numbers(gold);
        return nr.iter().all(|n| ng.contains(n));
    }
    let (tr, tg) = (tokens(reported), tokens(gold));
    contains_tokens(&tg, &tr) || contains_tokens(&tr, &tg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_groups_are_one_number_in_every_convention() {
        for s in [
            "115,500 square km",
            "115 500 кв. км",
            "115.500 km²",
            "115\u{a0}500",
        ] {
            assert_eq!(numbers(s)[0], "115500", "{s}");
        }
        assert_eq!(numbers("In 2025, 26 people"), ["2025", "26"]);
        assert_eq!(numbers("on 19 2025"), ["19", "2025"]);
        assert_eq!(numbers("1,968 prisoners and 2,500"), ["1968", "2500"]);
        assert_eq!(numbers("3.5 million"), ["3", "5"]);
    }

    #[test]
    fn skeletons_match_across_scripts_and_case_endings() {
        let k = skeleton("Kupiansk");
        for w in ["Купянск", "Куп'янськ", "Купянске", "KUPIANSK"] {
            assert_eq!(skeleton(w), k, "{w}");
        }
        assert_eq!(skeleton("Serhiy"), skeleton("Сергей"));
        assert_ne!(skeleton("Kherson"), skeleton("Kharkiv"));
        assert!(same_word("Надал", "Nadal"), "short names match in ASCII");
        assert!(
            !same_word("Прауд", "proud"),
            "three consonants are not enough"
        );
    }

    #[test]
    fn holding_needs_twenty_characters_of_overlap() {
        let s = "Russian missiles hit two apartment buildings in the western city of Ternopil.";
        assert!(holds(s, "two apartment buildings in the western"));
        assert!(holds("Russian missiles hit two", s), "a split part holds");
        assert!(!holds("in the western", s), "too short to count");
        assert!(holds(
            "  Russian missiles hit\ntwo apartment  buildings",
            "Russian missiles hit two apartment buildings"
        ));
    }

    #[test]
    fn same_value_ignores_case_separators_and_script() {
        assert!(same_value("115,500", "115 500", "figure"));
        assert!(same_value("U.S. Mission", "US mission", "organisation"));
        assert!(same_value("Купянске", "Kupiansk", "place"));
        assert!(same_value("850,000 troops", "850 000", "figure"));
        assert!(!same_value("850,000 troops", "850 000", "person"));
        assert!(!same_value(
            "115 square km (500)",
            "115,500 square km",
            "figure"
        ));
        assert!(!same_value("Kherson", "Kharkiv", "place"));
        assert!(same_value(
            "“This is a very delicate moment,” Rubio said",
            "This is a very delicate moment",
            "quote"
        ));
    }

    #[test]
    fn broken_figures_and_values_others_give_are_refuted() {
        let none: Vec<(&str, &OtherText)> = Vec::new();
        let s = "Russia claims 115,500 square km of Ukraine.";
        assert!(refutation("115 square km (500)", s, none.clone())
            .unwrap()
            .starts_with("broken figure"));
        assert!(refutation("500 square km", s, none.clone()).is_some());
        assert!(refutation("115,500 square km", s, none.clone()).is_none());
        let s = "2,500 prisoners were freed";
        assert!(refutation("2 prisoners (500)", s, none.clone()).is_some());
        let other = OtherText::new(
            "Бои идут за Купянск и Покровск, заявил Надал. The army is proud of 600 troops.",
        );
        let others = [("RU", &other)];
        assert!(refutation("Kupiansk", "x", others).is_some());
        assert!(refutation("Nadal", "x", others).is_some());
        assert!(refutation("Прауд", "x", others).is_none());
        assert!(refutation("600 troops", "x", others).is_some());
        assert!(
            refutation("850,000 troops", "x", others).is_none(),
            "a figure is not refuted by its words alone"
        );
        assert!(refutation("Kharkiv", "x", others).is_none());
        assert!(refutation("Покровск", "x", others)
            .unwrap()
            .starts_with("RU also gives it"));
    }

    #[test]
    fn disagreement_values_match_by_their_numbers() {
        assert!(gives("26", "at least 26"));
        assert!(gives("800,000", "800,000 personnel"));
        assert!(!gives("25", "at least 26"));
        assert!(gives("Thursday", "Thursday (October 30)"));
        assert!(!gives("Wednesday", "Thursday (October 30)"));
    }
}
