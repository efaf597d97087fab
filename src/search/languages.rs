//! The languages of the index. The law is Italian ([`super::analyzer`]); the procedure
//! catalogue is also written in English, French, Spanish and Arabic, and each of those texts
//! is indexed in fields of its own with an analyzer for its language, so that a question in
//! any of them finds the procedure (and, through it, the Italian norms).
//!
//! English, French, Spanish: words, lowercase, the language's stop words (tantivy's lists),
//! Snowball stemming, accents folded. Arabic: words (with their diacritics), normalised and
//! light-stemmed ([`super::arabic`]); tantivy has no Arabic stop list.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, Stemmer, StopWordFilter,
    TextAnalyzer, Token, TokenStream, Tokenizer,
};

use super::analyzer;
use super::arabic::{self, ArabicLightStemmer, ArabicNormalizer};

/// A language of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lang {
    /// Italian: the law and the catalogue's first language.
    It,
    /// English.
    En,
    /// French.
    Fr,
    /// Spanish.
    Es,
    /// Arabic.
    Ar,
}

impl Lang {
    /// The languages the catalogue is translated into, each with fields of its own.
    pub const TRANSLATIONS: [Lang; 4] = [Lang::En, Lang::Fr, Lang::Es, Lang::Ar];

    /// The BCP 47 tag (`en`), as the catalogue's literals carry it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::It => "it",
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Es => "es",
            Lang::Ar => "ar",
        }
    }

    /// The language of a tag (`en`, `EN`, `en-GB`), None for other languages.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split('-').next().unwrap_or(tag).to_ascii_lowercase();
        [Lang::It, Lang::En, Lang::Fr, Lang::Es, Lang::Ar]
            .into_iter()
            .find(|l| l.code() == primary)
    }

    /// The name its analyzer is registered under in the index.
    pub fn analyzer_name(self) -> &'static str {
        match self {
            Lang::It => analyzer::ITALIAN,
            Lang::En => "paesi_en",
            Lang::Fr => "paesi_fr",
            Lang::Es => "paesi_es",
            Lang::Ar => "paesi_ar",
        }
    }

    /// Its analyzer.
    pub fn analyzer(self) -> TextAnalyzer {
        match self {
            Lang::It => analyzer::italian(),
            Lang::En => snowball(Language::English, &["s"]),
            Lang::Fr => snowball(Language::French, &[]),
            Lang::Es => snowball(Language::Spanish, &[]),
            Lang::Ar => TextAnalyzer::builder(WordTokenizer::default())
                .filter(RemoveLongFilter::limit(48))
                .filter(LowerCaser)
                .filter(ArabicNormalizer)
                .filter(AsciiFoldingFilter)
                .filter(ArabicLightStemmer)
                .build(),
        }
    }
}

/// Words, lowercase, the stop words of tantivy's list for the language and `extra` (both
/// compared before folding, as the lists are written with their accents), Snowball stemming
/// (on the accented word, as Snowball's rules expect: `reagrupación` → `reagrup`), then
/// accents folded.
fn snowball(language: Language, extra: &[&str]) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter_dynamic(StopWordFilter::remove(
            extra.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
        ));
    let builder = match StopWordFilter::new(language) {
        Some(stop) => builder.filter_dynamic(stop),
        None => builder,
    };
    builder
        .filter_dynamic(Stemmer::new(language))
        .filter_dynamic(AsciiFoldingFilter)
        .build()
}

/// Registers the analyzer of every language with an index.
pub fn register(index: &tantivy::Index) {
    for lang in [Lang::It, Lang::En, Lang::Fr, Lang::Es, Lang::Ar] {
        index
            .tokenizers()
            .register(lang.analyzer_name(), lang.analyzer());
    }
}

/// The terms the analyzer of `lang` makes of a text (for tests and diagnostics).
pub fn terms(lang: Lang, text: &str) -> Vec<String> {
    let mut analyzer = lang.analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// Splits text into words: runs of letters, digits and the combining marks written on them
/// (Arabic short vowels and shadda, combining accents); anything else separates words, the
/// apostrophe included (`l'étranger` → `l`, `étranger`).
#[derive(Clone, Default)]
pub struct WordTokenizer {
    token: Token,
}

/// The token stream of [`WordTokenizer`].
pub struct WordTokenStream<'a> {
    text: &'a str,
    at: usize,
    token: &'a mut Token,
}

fn in_word(c: char) -> bool {
    c.is_alphanumeric() || arabic::is_mark(c) || ('\u{0300}'..='\u{036F}').contains(&c)
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        self.token.reset();
        WordTokenStream {
            text,
            at: 0,
            token: &mut self.token,
        }
    }
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let rest = &self.text[self.at..];
        let Some((skip, _)) = rest.char_indices().find(|&(_, c)| in_word(c)) else {
            self.at = self.text.len();
            return false;
        };
        let start = self.at + skip;
        let len = self.text[start..]
            .char_indices()
            .find(|&(_, c)| !in_word(c))
            .map_or(self.text.len() - start, |(i, _)| i);
        let end = start + len;
        self.at = end;
        self.token.text.clear();
        self.token.text.push_str(&self.text[start..end]);
        self.token.offset_from = start;
        self.token.offset_to = end;
        self.token.position = self.token.position.wrapping_add(1);
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut t = WordTokenizer::default();
        let mut s = t.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            let tok = s.token();
            out.push((
                tok.text.clone(),
                tok.offset_from,
                tok.offset_to,
                tok.position,
            ));
        }
        out
    }

    fn t(lang: Lang, text: &str) -> Vec<String> {
        terms(lang, text)
    }

    #[test]
    fn words_keep_their_marks_and_split_on_apostrophes() {
        assert_eq!(
            words("l'étranger, A2"),
            vec![
                ("l".to_string(), 0, 1, 0),
                ("étranger".to_string(), 2, 11, 1),
                ("A2".to_string(), 13, 15, 2),
            ]
        );
        // the shadda of لمّ and of الموحّد stays inside the word (6 and 14 bytes)
        assert_eq!(
            words("لمّ الموحّد"),
            vec![
                ("لمّ".to_string(), 0, 6, 0),
                ("الموحّد".to_string(), 7, 21, 1),
            ]
        );
    }

    #[test]
    fn english() {
        assert_eq!(
            t(Lang::En, "Family reunification with my wife"),
            vec!["famili", "reunif", "my", "wife"]
        );
        assert_eq!(
            t(Lang::En, "the applicant's residence permits"),
            vec!["applic", "resid", "permit"]
        );
        assert_eq!(t(Lang::En, "renewal renewing"), vec!["renew", "renew"]);
    }

    #[test]
    fn french() {
        assert_eq!(
            t(Lang::Fr, "Regroupement familial"),
            vec!["regroup", "familial"]
        );
        assert_eq!(
            t(Lang::Fr, "Le permis de séjour pour études"),
            // Snowball takes the -is of permis for a verb ending
            vec!["perm", "sejour", "etud"]
        );
        assert_eq!(t(Lang::Fr, "l'étranger"), vec!["etrang"]);
    }

    #[test]
    fn spanish() {
        assert_eq!(
            t(Lang::Es, "Reagrupación familiar"),
            vec!["reagrup", "famili"]
        );
        assert_eq!(
            t(Lang::Es, "renovar el permiso de residencia"),
            vec!["renov", "permis", "resident"]
        );
        assert_eq!(t(Lang::Es, "Renovación"), vec!["renov"]);
    }

    #[test]
    fn arabic() {
        assert_eq!(t(Lang::Ar, "لم شمل الأسرة"), vec!["لم", "شمل", "اسر"]);
        assert_eq!(
            t(Lang::Ar, "تصريح لمّ الشمل العائلي"),
            vec!["تصريح", "لم", "شمل", "عائل"]
        );
        // Latin letters inside an Arabic text are lowercased; ى → ي, then ي taken as a suffix
        assert_eq!(t(Lang::Ar, "المستوى A2"), vec!["مستو", "a2"]);
    }

    #[test]
    fn tags() {
        assert_eq!(Lang::from_tag("en-GB"), Some(Lang::En));
        assert_eq!(Lang::from_tag("AR"), Some(Lang::Ar));
        assert_eq!(Lang::from_tag("de"), None);
        assert_eq!(Lang::from_tag(""), None);
    }
}
