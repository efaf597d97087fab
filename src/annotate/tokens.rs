//! Words of a text with their offsets, folded for matching (lowercase, no accents, `’` as `'`).

/// A word: letters and digits (a number keeps its `.` and `,` between digits: `1.032,91`).
#[derive(Debug, Clone)]
pub struct Token {
    /// The folded word.
    pub word: String,
    /// Start, in characters.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
    /// Start, in bytes.
    pub byte_start: usize,
    /// End, in bytes.
    pub byte_end: usize,
}

/// A character folded for matching: lowercase, accents off.
fn fold(c: char) -> char {
    let c = if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        c.to_lowercase().next().unwrap_or(c)
    };
    match c {
        'à' | 'á' | 'â' => 'a',
        'è' | 'é' | 'ê' => 'e',
        'ì' | 'í' | 'î' => 'i',
        'ò' | 'ó' | 'ô' => 'o',
        'ù' | 'ú' | 'û' => 'u',
        c => c,
    }
}

/// A word folded the way [`tokenize`] folds it.
pub fn fold_word(w: &str) -> String {
    w.trim().chars().map(fold).collect()
}

/// The words of a text.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().enumerate().peekable();
    while let Some((ci, (bi, c))) = chars.next() {
        if !c.is_alphanumeric() {
            continue;
        }
        let mut word = String::new();
        word.push(fold(c));
        let (mut end, mut byte_end) = (ci + 1, bi + c.len_utf8());
        let mut prev_digit = c.is_ascii_digit();
        while let Some(&(cj, (bj, d))) = chars.peek() {
            if d.is_alphanumeric() {
                word.push(fold(d));
                prev_digit = d.is_ascii_digit();
            } else if (d == '.' || d == ',') && prev_digit {
                // a separator inside a number: only when a digit follows
                let rest = &text[bj + 1..];
                if !rest.starts_with(|x: char| x.is_ascii_digit()) {
                    break;
                }
                word.push(d);
                prev_digit = false;
            } else {
                break;
            }
            chars.next();
            end = cj + 1;
            byte_end = bj + d.len_utf8();
        }
        out.push(Token {
            word,
            start: ci,
            end,
            byte_start: bi,
            byte_end,
        });
    }
    out
}
