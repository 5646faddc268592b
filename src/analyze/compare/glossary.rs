//! The naming glossary: concepts a story is told with (the war, Russia's leader, the
//! capital's spelling, ...) and each one's variants in several languages, matched in
//! sentences regardless of case endings. The shipped one is `data/glossary.toml`
//! (documented there); `--glossary FILE` adds or replaces concepts by `id`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};
use serde::Deserialize;

use crate::error::{Error, Result};

const SHIPPED: &str = include_str!("../../../data/glossary.toml");

/// A glossary: concepts in file order.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct Glossary {
    /// Where it came from ("built-in", a path, or both joined by " + ").
    #[serde(skip)]
    pub origin: String,
    /// The concepts.
    #[serde(default, rename = "concept")]
    pub concepts: Vec<Concept>,
}

/// One contested thing and the ways of naming it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Concept {
    /// Short key.
    pub id: String,
    /// What it is, for people.
    pub name: String,
    /// Why its wording matters.
    #[serde(default)]
    pub about: String,
    /// Names one of which must follow a variant within [`NEAR`] words (prefixes, any script).
    #[serde(default)]
    pub near: Vec<String>,
    /// The ways of naming it.
    pub variants: Vec<Variant>,
}

/// One way of naming a concept, with its terms per language.
#[derive(Debug, Clone, Deserialize)]
pub struct Variant {
    /// The variant, for people.
    pub name: String,
    /// Phrases, in any language, that contain a term but are not this variant ("Cold
    /// War" is no name for this war): a match inside one does not count.
    #[serde(default)]
    pub except: Vec<String>,
    /// Terms per ISO 639-1 language.
    #[serde(flatten)]
    pub terms: BTreeMap<String, Vec<String>>,
}

/// Words after a variant within which a `near` name must follow.
pub const NEAR: usize = 4;

impl Glossary {
    /// The glossary shipped with parallax.
    pub fn shipped() -> Glossary {
        let mut g = parse(SHIPPED, "data/glossary.toml").expect("the shipped glossary parses");
        g.origin = "built-in".into();
        g
    }

    /// Reads a glossary file.
    pub fn read(path: &Path) -> Result<Glossary> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut g = parse(&text, &path.display().to_string())?;
        g.origin = path.display().to_string();
        Ok(g)
    }

    /// Reads a glossary from TOML text; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Glossary> {
        let mut g = parse(text, origin)?;
        g.origin = origin.to_string();
        Ok(g)
    }

    /// This glossary with `other`'s concepts added; one with the same `id` replaces ours.
    pub fn extended(mut self, other: Glossary) -> Glossary {
        for c in other.concepts {
            match self.concepts.iter_mut().find(|x| x.id == c.id) {
                Some(x) => *x = c,
                None => self.concepts.push(c),
            }
        }
        self.origin = if self.origin.is_empty() {
            other.origin
        } else {
            format!("{} + {}", self.origin, other.origin)
        };
        self
    }
}

fn parse(text: &str, origin: &str) -> Result<Glossary> {
    let g: Glossary = toml::from_str(text).map_err(|e| Error::File {
        path: origin.into(),
        message: format!(
            "not a glossary: {}; see data/glossary.toml for the format",
            e.to_string().trim()
        ),
    })?;
    for c in &g.concepts {
        for v in &c.variants {
            if v.terms.values().all(|t| t.is_empty()) {
                return Err(Error::File {
                    path: origin.into(),
                    message: format!(
                        "concept '{}', variant '{}': no terms; give at least one language, \
                         e.g. en = [\"...\"]",
                        c.id, v.name
                    ),
                });
            }
        }
    }
    Ok(g)
}

/// How one word of a term matches a word of text.
#[derive(Debug, Clone, PartialEq)]
enum Pattern {
    /// An acronym: this word, in capitals.
    Exact(String),
    /// Any word starting with this (lower case).
    Prefix(String),
    /// This lower-case word.
    Word(String),
    /// Any word with this stem.
    Stem(String),
}

/// A term compiled for one language.
#[derive(Debug, Clone)]
pub struct Term {
    /// The term as the glossary writes it.
    pub text: String,
    words: Vec<Pattern>,
}

/// A word of text: as written, lower case, and stemmed in the text's language.
#[derive(Debug, Clone)]
pub struct Token {
    /// As written.
    pub text: String,
    lower: String,
    stem: String,
    /// Whether punctuation follows it (a clause or list ends there).
    pub ends_clause: bool,
}

/// Ukrainian noun and adjective endings, longest first: Ukrainian has no Snowball stemmer.
const UK_ENDINGS: &[&str] = &[
    "ими", "ого", "ому", "ами", "ями", "ою", "ею", "ій", "ої", "их", "ям", "ях", "ам", "ах", "ів",
    "ем", "ом", "ей", "ий", "а", "я", "у", "ю", "і", "и", "е", "о", "є", "ї", "ь",
];

/// The stem of a lower-case word in a language. Russian: the Snowball stemmer
/// (rust-stemmers). English: only the plural and possessive are folded, because Snowball
/// English merges words whose difference is the framing (occupiers / occupied, invaders
/// / invaded, peaceful / peace). Ukrainian, which has no Snowball stemmer: its noun and
/// adjective endings are cut. Other languages: the word itself.
pub fn stem(word: &str, lang: &str) -> String {
    static RU: OnceLock<Stemmer> = OnceLock::new();
    match lang {
        "en" => {
            let w = word.trim_end_matches("'s").trim_end_matches("’s");
            if let Some(b) = w.strip_suffix("ies").filter(|b| b.len() >= 2) {
                format!("{b}y")
            } else if let Some(b) = w
                .strip_suffix("es")
                .filter(|b| b.ends_with(['s', 'x']) || b.ends_with("ch") || b.ends_with("sh"))
            {
                b.to_string()
            } else if let Some(b) = w
                .strip_suffix('s')
                .filter(|b| b.len() >= 3 && !b.ends_with('s'))
            {
                b.to_string()
            } else {
                w.to_string()
            }
        }
        "ru" => RU
            .get_or_init(|| Stemmer::create(Algorithm::Russian))
            .stem(word)
            .into_owned(),
        "uk" => {
            let chars = word.chars().count();
            UK_ENDINGS
                .iter()
                .find(|e| word.ends_with(*e) && chars - e.chars().count() >= 3)
                .map(|e| word[..word.len() - e.len()].to_string())
                .unwrap_or_else(|| word.to_string())
        }
        _ => word.to_string(),
    }
}

/// The words of a text (letters and digits, inner hyphens and apostrophes kept).
pub fn tokens(text: &str, lang: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    let push = |w: &mut String, out: &mut Vec<Token>| {
        if !w.is_empty() {
            let lower = w.to_lowercase();
            out.push(Token {
                stem: stem(&lower, lang),
                lower,
                text: std::mem::take(w),
                ends_clause: false,
            });
        }
    };
    while let Some(c) = chars.next() {
        let inner = matches!(c, '-' | '\'' | '’')
            && !cur.is_empty()
            && chars.peek().is_some_and(|n| n.is_alphanumeric());
        if c.is_alphanumeric() || inner {
            cur.push(c);
        } else {
            push(&mut cur, &mut out);
            if ",;:.!?()«»“”\"—–".contains(c) {
                if let Some(last) = out.last_mut() {
                    last.ends_clause = true;
                }
            }
        }
    }
    push(&mut cur, &mut out);
    out
}

impl Term {
    /// Compiles a glossary term for a language.
    pub fn new(text: &str, lang: &str) -> Term {
        let toks = tokens(text.trim_end_matches('*'), lang);
        let n = toks.len();
        let words = toks
            .into_iter()
            .enumerate()
            .map(|(i, t)| {
                let last = i + 1 == n;
                if last && text.ends_with('*') {
                    Pattern::Prefix(t.lower)
                } else if t.text.chars().count() >= 2
                    && t.text.chars().all(|c| !c.is_lowercase())
                    && t.text.chars().any(char::is_uppercase)
                {
                    Pattern::Exact(t.text)
                } else if t.lower.chars().count() <= 3 && lang != "en" {
                    Pattern::Word(t.lower)
                } else {
                    Pattern::Stem(t.stem)
                }
            })
            .collect();
        Term {
            text: text.to_string(),
            words,
        }
    }

    /// Where the term starts in `tokens` (each start once).
    pub fn find(&self, tokens: &[Token]) -> Vec<usize> {
        let n = self.words.len();
        if n == 0 || tokens.len() < n {
            return Vec::new();
        }
        (0..=tokens.len() - n)
            .filter(|&i| {
                self.words
                    .iter()
                    .zip(&tokens[i..i + n])
                    .all(|(p, t)| match p {
                        Pattern::Exact(w) => &t.text == w,
                        Pattern::Prefix(w) => t.lower.starts_with(w.as_str()),
                        Pattern::Word(w) => &t.lower == w,
                        Pattern::Stem(s) => &t.stem == s,
                    })
            })
            .collect()
    }

    /// Words in the term.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the term has no words.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(term: &str, lang: &str, text: &str) -> bool {
        !Term::new(term, lang).find(&tokens(text, lang)).is_empty()
    }

    #[test]
    fn terms_match_across_case_endings() {
        assert!(matches("война", "ru", "Войну на Украине нужно закончить."));
        assert!(matches(
            "специальная военная операция",
            "ru",
            "в ходе специальной военной операции"
        ));
        assert!(matches("СВО", "ru", "участники СВО"));
        assert!(
            !matches("СВО", "ru", "своих позиций"),
            "an acronym is not a stem"
        );
        assert!(matches("війна", "uk", "після закінчення війни"));
        assert!(matches("війна", "uk", "війною"));
        assert!(matches(
            "вторгнення",
            "uk",
            "з початку повномасштабного вторгнення"
        ));
        assert!(matches(
            "окупован*",
            "uk",
            "на тимчасово окупованих територіях"
        ));
        assert!(matches("Києв*", "uk", "у Києві"));
        assert!(matches("на Украине", "ru", "ситуация на Украине"));
        assert!(!matches("на Украине", "ru", "ситуация в Украине"));
        assert!(matches("invasion", "en", "since the invasions began"));
        assert!(matches("Kyiv regime", "en", "the Kyiv regime's forces"));
        assert!(!matches("war", "en", "officials warned"));
        assert!(matches("war", "en", "the wars of the century"));
        assert!(matches("crisis", "en", "the Ukrainian crisis"));
        assert!(!matches("occupiers", "en", "occupied territories"));
        assert!(!matches("peace", "en", "a peaceful settlement"));
    }

    #[test]
    fn the_shipped_glossary_parses_and_a_file_extends_it() {
        let g = Glossary::shipped();
        assert!(g.concepts.iter().any(|c| c.id == "war"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.toml");
        std::fs::write(
            &path,
            "[[concept]]\nid = \"war\"\nname = \"w\"\nvariants = [ { name = \"x\", en = [\"x\"] } ]\n\
             [[concept]]\nid = \"new\"\nname = \"n\"\nvariants = [ { name = \"y\", en = [\"y\"] } ]\n",
        )
        .unwrap();
        let n = g.concepts.len();
        let g = g.extended(Glossary::read(&path).unwrap());
        assert_eq!(g.concepts.len(), n + 1);
        assert_eq!(g.concepts.iter().find(|c| c.id == "war").unwrap().name, "w");
        std::fs::write(&path, "[[concept]]\nid = 3\n").unwrap();
        let e = Glossary::read(&path).unwrap_err().to_string();
        assert!(e.contains("g.toml") && e.contains("not a glossary"), "{e}");
    }
}
