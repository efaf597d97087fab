//! Arabic for the index: an orthographic normaliser and a light stemmer, two small tantivy
//! token filters.
//!
//! [`ArabicNormalizer`] strips the short vowels and other diacritics (tashkeel) and the
//! tatweel, writes every alef with a hamza or madda (`أ إ آ ٱ`) as a bare alef `ا`, the alef
//! maqsura `ى` as `ي` and the ta marbuta `ة` as `ه`: the spellings people type and those of
//! careful texts meet. [`ArabicLightStemmer`] then removes the conjunction `و`, the definite
//! article `ال` (also with a preposition: `وال بال كال فال لل`) and the common suffixes of
//! number, gender and possession, in the manner of Larkey, Ballesteros and Connell's "light10"
//! stemmer: `الأسرة` (the family) and `أسرة` (a family) both become `اسر`.

use std::mem;

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// True for the Arabic combining marks: short vowels, tanwin, shadda, sukun, the small
/// hamza and madda, the superscript alef and the Quranic annotation signs.
pub fn is_mark(c: char) -> bool {
    matches!(c,
        '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E4}'
        | '\u{06E7}'..='\u{06E8}'
        | '\u{06EA}'..='\u{06ED}')
}

/// The tatweel (kashida), a stretch of the line between letters.
const TATWEEL: char = '\u{0640}';

/// The normal spelling of one word: marks and tatweel dropped, alef, alef maqsura and ta
/// marbuta written one way.
pub fn normalize(word: &str) -> String {
    word.chars()
        .filter(|&c| !is_mark(c) && c != TATWEEL)
        .map(|c| match c {
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ى' => 'ي',
            'ة' => 'ه',
            other => other,
        })
        .collect()
}

/// The definite article, alone or after a one-letter conjunction or preposition, longest
/// first.
const ARTICLES: &[&str] = &["وال", "بال", "كال", "فال", "ال", "لل"];

/// Suffixes, tried once each in this order (as normalised: `ة` is `ه`).
const SUFFIXES: &[&str] = &["ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي"];

/// The light stem of a normalised word: `و` removed when three letters remain, the article
/// when two remain, then each suffix of [`SUFFIXES`] found at the end when two remain.
pub fn light_stem(word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    let starts = |chars: &[char], p: &str| {
        let p: Vec<char> = p.chars().collect();
        chars.starts_with(&p)
    };
    if chars.len() >= 4 && chars[0] == 'و' {
        chars.remove(0);
    }
    for article in ARTICLES {
        let n = article.chars().count();
        if starts(&chars, article) && chars.len() >= n + 2 {
            chars.drain(..n);
            break;
        }
    }
    for suffix in SUFFIXES {
        let s: Vec<char> = suffix.chars().collect();
        if chars.ends_with(&s) && chars.len() >= s.len() + 2 {
            chars.truncate(chars.len() - s.len());
        }
    }
    chars.into_iter().collect()
}

/// The token filter of [`normalize`].
#[derive(Clone, Copy, Debug, Default)]
pub struct ArabicNormalizer;

/// The token filter of [`light_stem`] (tokens are expected normalised).
#[derive(Clone, Copy, Debug, Default)]
pub struct ArabicLightStemmer;

fn is_arabic(text: &str) -> bool {
    text.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

impl TokenFilter for ArabicNormalizer {
    type Tokenizer<T: Tokenizer> = ArabicFilterWrapper<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> ArabicFilterWrapper<T> {
        ArabicFilterWrapper {
            apply: normalize,
            inner: tokenizer,
        }
    }
}

impl TokenFilter for ArabicLightStemmer {
    type Tokenizer<T: Tokenizer> = ArabicFilterWrapper<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> ArabicFilterWrapper<T> {
        ArabicFilterWrapper {
            apply: light_stem,
            inner: tokenizer,
        }
    }
}

/// [`ArabicNormalizer`] or [`ArabicLightStemmer`] around a tokenizer: the word function
/// applied to each Arabic token, other tokens left as they are.
#[derive(Clone)]
pub struct ArabicFilterWrapper<T> {
    apply: fn(&str) -> String,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for ArabicFilterWrapper<T> {
    type TokenStream<'a> = ArabicFilterStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        ArabicFilterStream {
            apply: self.apply,
            tail: self.inner.token_stream(text),
        }
    }
}

/// The token stream of [`ArabicFilterWrapper`]: a token that the function empties (a word of
/// marks alone) is dropped.
pub struct ArabicFilterStream<T> {
    apply: fn(&str) -> String,
    tail: T,
}

impl<T: TokenStream> TokenStream for ArabicFilterStream<T> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            let token = self.tail.token_mut();
            if !is_arabic(&token.text) {
                return true;
            }
            let mut out = (self.apply)(&token.text);
            if out.is_empty() {
                continue;
            }
            mem::swap(&mut token.text, &mut out);
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizing_drops_marks_and_tatweel() {
        // لمّ with a shadda, الموحّد with a shadda, كافٍ with tanwin kasra
        assert_eq!(normalize("لمّ"), "لم");
        assert_eq!(normalize("الموحّد"), "الموحد");
        assert_eq!(normalize("كافٍ"), "كاف");
        assert_eq!(normalize("تَصْرِيح"), "تصريح");
        // tatweel
        assert_eq!(normalize("تـصـريـح"), "تصريح");
    }

    #[test]
    fn normalizing_writes_alef_alef_maqsura_and_ta_marbuta_one_way() {
        assert_eq!(normalize("الأسرة"), "الاسره");
        assert_eq!(normalize("إقامة"), "اقامه");
        assert_eq!(normalize("آخر"), "اخر");
        assert_eq!(normalize("ٱلله"), "الله");
        assert_eq!(normalize("إلى"), "الي");
    }

    #[test]
    fn the_light_stemmer_removes_article_conjunction_and_suffixes() {
        // article, then ta marbuta (as ه)
        assert_eq!(light_stem("الاسره"), "اسر");
        assert_eq!(light_stem("اسره"), "اسر");
        // the article after a preposition, and ل + article
        assert_eq!(light_stem("بالاقامه"), "اقام");
        assert_eq!(light_stem("للدراسه"), "دراس");
        // conjunction then article
        assert_eq!(light_stem("والشمل"), "شمل");
        // nisba adjective, masculine and feminine
        assert_eq!(light_stem("العائلي"), "عائل");
        assert_eq!(light_stem("عائليه"), "عائل");
        // plurals
        assert_eq!(light_stem("المهاجرون"), "مهاجر");
        assert_eq!(light_stem("التصاريح"), "تصاريح");
        assert_eq!(light_stem("تصريحات"), "تصريح");
    }

    #[test]
    fn the_light_stemmer_keeps_two_letters_at_least() {
        // و is kept when fewer than three letters would remain
        assert_eq!(light_stem("ورق"), "ورق");
        // the article is kept when fewer than two letters would remain
        assert_eq!(light_stem("الف"), "الف");
        // a suffix too: ي of الي (إلى normalised) goes, ال stays
        assert_eq!(light_stem("الي"), "ال");
        // two-letter words are left alone
        assert_eq!(light_stem("لم"), "لم");
        assert_eq!(light_stem("شمل"), "شمل");
    }
}
