//! The Italian text analyzer of the index: words split on anything that is not a letter or a
//! digit, the apostrophe accent of old texts kept with its word (`identita'` = `identità`),
//! lowercased, accents folded, Italian stop words dropped, Snowball Italian stemming.

use std::iter::Peekable;
use std::str::CharIndices;

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, Stemmer, StopWordFilter,
    TextAnalyzer, Token, TokenStream, Tokenizer,
};

/// The name the analyzer is registered under in the index.
pub const ITALIAN: &str = "paesi_it";

/// The analyzer for Italian legal text.
pub fn italian() -> TextAnalyzer {
    TextAnalyzer::builder(ItalianTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::remove(stop_words()))
        .filter(Stemmer::new(Language::Italian))
        .build()
}

/// Registers [`italian`] with an index under the name [`ITALIAN`].
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(ITALIAN, italian());
}

/// The terms the analyzer makes of a text (for tests and diagnostics).
pub fn terms(text: &str) -> Vec<String> {
    let mut analyzer = italian();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// Snowball's Italian stop words, folded the way the analyzer folds text (`perché` →
/// `perche`), plus the elided articles and prepositions that the stop list lacks.
fn stop_words() -> Vec<String> {
    const EXTRA: &[&str] = &["d", "quest", "quell", "nient", "un", "po"];
    let mut words: Vec<String> = tantivy_italian_stop_words()
        .iter()
        .chain(EXTRA)
        .map(|w| fold(w))
        .collect();
    words.sort();
    words.dedup();
    words
}

/// The Italian stop list tantivy ships (Snowball's), as a plain list.
fn tantivy_italian_stop_words() -> &'static [&'static str] {
    // tantivy keeps its lists private: this is Snowball's Italian list, the same words.
    &[
        "ad",
        "al",
        "allo",
        "ai",
        "agli",
        "all",
        "agl",
        "alla",
        "alle",
        "con",
        "col",
        "coi",
        "da",
        "dal",
        "dallo",
        "dai",
        "dagli",
        "dall",
        "dagl",
        "dalla",
        "dalle",
        "di",
        "del",
        "dello",
        "dei",
        "degli",
        "dell",
        "degl",
        "della",
        "delle",
        "in",
        "nel",
        "nello",
        "nei",
        "negli",
        "nell",
        "negl",
        "nella",
        "nelle",
        "su",
        "sul",
        "sullo",
        "sui",
        "sugli",
        "sull",
        "sugl",
        "sulla",
        "sulle",
        "per",
        "tra",
        "contro",
        "io",
        "tu",
        "lui",
        "lei",
        "noi",
        "voi",
        "loro",
        "mio",
        "mia",
        "miei",
        "mie",
        "tuo",
        "tua",
        "tuoi",
        "tue",
        "suo",
        "sua",
        "suoi",
        "sue",
        "nostro",
        "nostra",
        "nostri",
        "nostre",
        "vostro",
        "vostra",
        "vostri",
        "vostre",
        "mi",
        "ti",
        "ci",
        "vi",
        "lo",
        "la",
        "li",
        "le",
        "gli",
        "ne",
        "il",
        "un",
        "uno",
        "una",
        "ma",
        "ed",
        "se",
        "perché",
        "anche",
        "come",
        "dov",
        "dove",
        "che",
        "chi",
        "cui",
        "non",
        "più",
        "quale",
        "quanto",
        "quanti",
        "quanta",
        "quante",
        "quello",
        "quelli",
        "quella",
        "quelle",
        "questo",
        "questi",
        "questa",
        "queste",
        "si",
        "tutto",
        "tutti",
        "a",
        "c",
        "e",
        "i",
        "l",
        "o",
        "ho",
        "hai",
        "ha",
        "abbiamo",
        "avete",
        "hanno",
        "abbia",
        "abbiate",
        "abbiano",
        "avrò",
        "avrai",
        "avrà",
        "avremo",
        "avrete",
        "avranno",
        "avrei",
        "avresti",
        "avrebbe",
        "avremmo",
        "avreste",
        "avrebbero",
        "avevo",
        "avevi",
        "aveva",
        "avevamo",
        "avevate",
        "avevano",
        "ebbi",
        "avesti",
        "ebbe",
        "avemmo",
        "aveste",
        "ebbero",
        "avessi",
        "avesse",
        "avessimo",
        "avessero",
        "avendo",
        "avuto",
        "avuta",
        "avuti",
        "avute",
        "sono",
        "sei",
        "è",
        "siamo",
        "siete",
        "sia",
        "siate",
        "siano",
        "sarò",
        "sarai",
        "sarà",
        "saremo",
        "sarete",
        "saranno",
        "sarei",
        "saresti",
        "sarebbe",
        "saremmo",
        "sareste",
        "sarebbero",
        "ero",
        "eri",
        "era",
        "eravamo",
        "eravate",
        "erano",
        "fui",
        "fosti",
        "fu",
        "fummo",
        "foste",
        "furono",
        "fossi",
        "fosse",
        "fossimo",
        "fossero",
        "essendo",
        "faccio",
        "fai",
        "facciamo",
        "fanno",
        "faccia",
        "facciate",
        "facciano",
        "farò",
        "farai",
        "farà",
        "faremo",
        "farete",
        "faranno",
        "farei",
        "faresti",
        "farebbe",
        "faremmo",
        "fareste",
        "farebbero",
        "facevo",
        "facevi",
        "faceva",
        "facevamo",
        "facevate",
        "facevano",
        "feci",
        "facesti",
        "fece",
        "facemmo",
        "faceste",
        "fecero",
        "facessi",
        "facesse",
        "facessimo",
        "facessero",
        "facendo",
        "sto",
        "stai",
        "sta",
        "stiamo",
        "stanno",
        "stia",
        "stiate",
        "stiano",
        "starò",
        "starai",
        "starà",
        "staremo",
        "starete",
        "staranno",
        "starei",
        "staresti",
        "starebbe",
        "staremmo",
        "stareste",
        "starebbero",
        "stavo",
        "stavi",
        "stava",
        "stavamo",
        "stavate",
        "stavano",
        "stetti",
        "stesti",
        "stette",
        "stemmo",
        "steste",
        "stettero",
        "stessi",
        "stesse",
        "stessimo",
        "stessero",
        "stando",
    ]
}

/// Lowercases and strips the accents of Italian (and other Latin) vowels: `Perché` → `perche`.
pub fn fold(word: &str) -> String {
    word.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            other => other,
        })
        .collect()
}

/// Splits text into words on anything that is not alphanumeric. An apostrophe right after a
/// final vowel and not followed by a letter is the accent of old typewritten texts
/// (`identita'`, `perche'`) and stays with its word (its offsets include it); an apostrophe
/// between letters is an elision (`dell'articolo` → `dell`, `articolo`).
#[derive(Clone, Default)]
pub struct ItalianTokenizer {
    token: Token,
}

/// The token stream of [`ItalianTokenizer`].
pub struct ItalianTokenStream<'a> {
    text: &'a str,
    chars: Peekable<CharIndices<'a>>,
    token: &'a mut Token,
}

impl Tokenizer for ItalianTokenizer {
    type TokenStream<'a> = ItalianTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ItalianTokenStream<'a> {
        self.token.reset();
        ItalianTokenStream {
            text,
            chars: text.char_indices().peekable(),
            token: &mut self.token,
        }
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '`' | '\u{b4}')
}

fn is_vowel(c: char) -> bool {
    matches!(c.to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o' | 'u')
}

impl TokenStream for ItalianTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.token.text.clear();
        self.token.position = self.token.position.wrapping_add(1);
        let start = loop {
            match self.chars.peek() {
                None => return false,
                Some(&(i, c)) if c.is_alphanumeric() => break i,
                Some(_) => {
                    self.chars.next();
                }
            }
        };
        let mut end = start;
        let mut last = ' ';
        while let Some(&(i, c)) = self.chars.peek() {
            if !c.is_alphanumeric() {
                break;
            }
            end = i + c.len_utf8();
            last = c;
            self.chars.next();
        }
        let mut offset_to = end;
        if let Some(&(i, c)) = self.chars.peek()
            && is_apostrophe(c)
            && is_vowel(last)
        {
            let after = i + c.len_utf8();
            let followed_by_letter = self.text[after..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric);
            if !followed_by_letter {
                self.chars.next();
                offset_to = after;
            }
        }
        self.token.offset_from = start;
        self.token.offset_to = offset_to;
        self.token.text.push_str(&self.text[start..end]);
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

    fn words(text: &str) -> Vec<(String, usize, usize)> {
        let mut t = ItalianTokenizer::default();
        let mut s = t.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            let tok = s.token();
            out.push((tok.text.clone(), tok.offset_from, tok.offset_to));
        }
        out
    }

    #[test]
    fn apostrophe_after_a_final_vowel_is_an_accent() {
        assert_eq!(
            words("l'identita' e' certa"),
            vec![
                ("l".to_string(), 0, 1),
                ("identita".to_string(), 2, 11),
                ("e".to_string(), 12, 14),
                ("certa".to_string(), 15, 20),
            ]
        );
    }

    #[test]
    fn apostrophe_between_letters_is_an_elision() {
        assert_eq!(
            words("dell’articolo 5-bis"),
            vec![
                ("dell".to_string(), 0, 4),
                ("articolo".to_string(), 7, 15),
                ("5".to_string(), 16, 17),
                ("bis".to_string(), 18, 21),
            ]
        );
    }

    #[test]
    fn accents_fold_whatever_their_spelling() {
        assert_eq!(terms("identità"), terms("identita'"));
        assert_eq!(terms("identità"), terms("IDENTITA"));
        assert_eq!(terms("identità"), vec!["ident".to_string()]);
        assert_eq!(terms("città"), terms("citta'"));
    }

    #[test]
    fn elided_articles_and_stop_words_are_dropped() {
        assert_eq!(terms("dell'articolo"), vec!["articol".to_string()]);
        assert_eq!(terms("perche' e' della"), Vec::<String>::new());
        assert_eq!(terms("perché è"), Vec::<String>::new());
    }

    #[test]
    fn plural_and_singular_share_a_stem() {
        assert_eq!(terms("ricongiungimento"), terms("ricongiungimenti"));
        assert_eq!(terms("ricongiungimento"), vec!["ricongiung".to_string()]);
        assert_eq!(terms("permesso"), terms("permessi"));
        assert_eq!(terms("straniero"), terms("stranieri"));
        // a known limit of Snowball's Italian stemmer: `-are` is taken for a verb ending, so
        // the adjective's singular and plural part (`familiare` finds `familiari` only through
        // the fallback to any word, or a query in the plural)
        assert_eq!(terms("familiare familiari"), vec!["famil", "familiar"]);
    }

    #[test]
    fn folding_lowercases_and_strips_accents() {
        assert_eq!(fold("Perché PIÙ così"), "perche piu cosi");
    }
}
