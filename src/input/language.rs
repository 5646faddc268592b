//! Which language a text is in: sentence splitting, stop words and the choice of model
//! all depend on it, and a record's declared language is often missing or wrong.

/// A source's language: detected from its text, else the one its input declared.
pub fn source_language(doc: &super::Document) -> Option<String> {
    detect_language(&doc.text).or_else(|| doc.language.clone())
}

/// ISO 639-1 code of the text's language (whatlang's trigram model), or `None` when the
/// text is too short or too mixed to say.
pub fn detect_language(text: &str) -> Option<String> {
    let info = whatlang::detect(text)?;
    if !info.is_reliable() && info.confidence() < 0.5 {
        return None;
    }
    let code = match info.lang() {
        whatlang::Lang::Eng => "en",
        whatlang::Lang::Rus => "ru",
        whatlang::Lang::Ukr => "uk",
        whatlang::Lang::Pol => "pl",
        whatlang::Lang::Deu => "de",
        whatlang::Lang::Fra => "fr",
        whatlang::Lang::Spa => "es",
        whatlang::Lang::Ita => "it",
        whatlang::Lang::Por => "pt",
        whatlang::Lang::Nld => "nl",
        whatlang::Lang::Tur => "tr",
        whatlang::Lang::Bel => "be",
        other => return Some(other.code().to_string()),
    };
    Some(code.to_string())
}
