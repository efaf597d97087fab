//! The XML layer shared by both parsers: decoding declared encodings to UTF-8, entity
//! resolution without any DTD, attribute access, and byte offsets turned into line:column.

use std::borrow::Cow;

use quick_xml::events::BytesStart;
use quick_xml::events::attributes::Attribute;

use crate::entities;

/// Largest document accepted (bytes): bounds memory on hostile input.
pub const MAX_DOCUMENT_BYTES: usize = 512 * 1024 * 1024;

/// Deepest element nesting accepted.
pub const MAX_DEPTH: usize = 1024;

/// Longest identifier attribute accepted (`eId`, `id`, `href`...; bytes). The shared corpus's
/// longest is 212 bytes; an identifier becomes an IRI, and an IRI of megabytes is an attack.
pub const MAX_ID_BYTES: usize = 4096;

/// The attributes holding identifiers or references, bounded by [`MAX_ID_BYTES`].
pub const ID_ATTRIBUTES: &[&str] = &[
    "eId", "wId", "GUID", "id", "href", "refersTo", "as", "source", "value",
];

/// The first identifier attribute of `e` longer than [`MAX_ID_BYTES`]: its name and length.
/// Cheap for ordinary elements: only a tag longer than the bound is looked into.
pub fn oversized_id(e: &BytesStart<'_>) -> Option<(String, usize)> {
    if e.len() <= MAX_ID_BYTES {
        return None;
    }
    e.attributes().with_checks(false).flatten().find_map(|a| {
        let local = a.key.local_name();
        let name: &str = local.as_ref();
        (ID_ATTRIBUTES.contains(&name) && a.value.len() > MAX_ID_BYTES)
            .then(|| (name.to_string(), a.value.len()))
    })
}

/// A problem in one document, located at a line and column (1-based) when known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{col}: {message}")]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// What is wrong.
    pub message: String,
}

impl ParseError {
    /// An error at a byte offset of `text`.
    pub fn at(text: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, col) = line_col(text, offset);
        ParseError {
            line,
            col,
            message: message.into(),
        }
    }
}

/// The 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = char_floor(text, offset);
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// `offset` within `text`, moved back to the start of the character it falls in.
fn char_floor(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The line and column of chosen byte offsets of one text, found in one pass over it: many
/// offsets of one document (its warnings) without a scan from the start for each, as
/// [`line_col`] does.
pub struct LineIndex<'a> {
    text: &'a str,
    /// The chosen offsets (each moved back to its character's start), in order, with their
    /// 1-based line and column.
    places: Vec<(usize, (usize, usize))>,
}

impl<'a> LineIndex<'a> {
    /// Locates `offsets` in `text`: one count of the newlines up to the last of them.
    pub fn new(text: &'a str, offsets: impl IntoIterator<Item = usize>) -> Self {
        let mut chosen: Vec<usize> = offsets.into_iter().map(|o| char_floor(text, o)).collect();
        chosen.sort_unstable();
        chosen.dedup();
        let mut places = Vec::with_capacity(chosen.len());
        // where the pass is, its line, and the characters from that line's start to it
        let (mut at, mut line, mut chars) = (0, 1, 0);
        for offset in chosen {
            let gap = &text.as_bytes()[at..offset];
            // memchr's vector search: a plain filtered count was not vectorised, and was 8%
            // of parsing a Normattiva code (BENCHMARKS.md)
            let mut last = None;
            for i in memchr::memchr_iter(b'\n', gap) {
                line += 1;
                last = Some(i);
            }
            match last {
                None => chars += text[at..offset].chars().count(),
                Some(i) => chars = text[at + i + 1..offset].chars().count(),
            }
            at = offset;
            places.push((offset, (line, chars + 1)));
        }
        LineIndex { text, places }
    }

    /// The 1-based line and column (in characters) of a byte offset, as [`line_col`]; an
    /// offset not given to [`LineIndex::new`] is found by a scan.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = char_floor(self.text, offset);
        match self.places.binary_search_by_key(&offset, |&(o, _)| o) {
            Ok(i) => self.places[i].1,
            Err(_) => line_col(self.text, offset),
        }
    }

    /// An error at a byte offset, as [`ParseError::at`].
    pub fn error(&self, offset: usize, message: impl Into<String>) -> ParseError {
        let (line, col) = self.line_col(offset);
        ParseError {
            line,
            col,
            message: message.into(),
        }
    }
}

/// The encoding named in the XML declaration, if any, lowercased, with the byte offset of
/// its name in the document.
fn declared_encoding(bytes: &[u8]) -> Option<(String, usize)> {
    let head = &bytes[..bytes.len().min(256)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&head[..end]).ok()?;
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?;
    let rest = rest.trim_start();
    let quote = rest.chars().next()?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let value = &rest[1..];
    let close = value.find(quote)?;
    let offset = decl.len() - value.len();
    Some((value[..close].trim().to_ascii_lowercase(), offset))
}

/// Decodes a document to UTF-8 text, honouring a BOM or the declared encoding
/// (ISO-8859-15, windows-1252...). Invalid UTF-8 is an error with its position, and so is a
/// declaration the bytes belie: UTF-16 declared in single bytes without a byte order mark,
/// or a single-byte encoding declared over text whose every non-ASCII byte is UTF-8.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, ParseError> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(ParseError {
            line: 1,
            col: 1,
            message: format!(
                "document too large ({} bytes, limit {MAX_DOCUMENT_BYTES})",
                bytes.len()
            ),
        });
    }
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        if encoding != encoding_rs::UTF_8 {
            let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
            return Ok(Cow::Owned(text.into_owned()));
        }
        return utf8(&bytes[bom..], "UTF-8 (its byte order mark says so)");
    }
    let Some((label, at)) = declared_encoding(bytes) else {
        return utf8(bytes, "no other encoding");
    };
    let declaration_error = |message: String| {
        // the declaration is ASCII (it was read as such)
        let head = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
        ParseError::at(head, at, message)
    };
    match label.as_str() {
        "utf-8" | "utf8" => return utf8(bytes, "UTF-8"),
        "us-ascii" | "ascii" => return utf8(bytes, "ASCII"),
        _ => {}
    }
    match encoding_rs::Encoding::for_label(label.as_bytes()) {
        Some(enc) if enc == encoding_rs::UTF_8 => utf8(bytes, &label),
        Some(enc) if !enc.is_ascii_compatible() => Err(declaration_error(format!(
            "the document declares {label:?} but is written in single bytes \
             (a {label} document starts with a byte order mark)"
        ))),
        Some(enc) => {
            if let Some(first) = bytes.iter().position(|&b| b >= 0x80)
                && std::str::from_utf8(bytes).is_ok()
            {
                // every non-ASCII byte is part of a UTF-8 sequence: read as {label} it
                // would become mojibake (`perchÃ©`)
                let text = std::str::from_utf8(bytes).unwrap_or_default();
                let c = text[first..].chars().next().unwrap_or('?');
                return Err(ParseError::at(
                    text,
                    first,
                    format!(
                        "the document declares {label:?} but is written in UTF-8 \
                         ({c:?} is a UTF-8 sequence here)"
                    ),
                ));
            }
            let (text, _) = enc.decode_without_bom_handling(bytes);
            Ok(Cow::Owned(text.into_owned()))
        }
        None => Err(declaration_error(format!("unsupported encoding {label:?}"))),
    }
}

/// `bytes` as UTF-8; `declared` says which declaration made it UTF-8 (for the message).
fn utf8<'a>(bytes: &'a [u8], declared: &str) -> Result<Cow<'a, str>, ParseError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            // the prefix is valid UTF-8 by construction
            let text = std::str::from_utf8(good).unwrap_or_default();
            Err(ParseError::at(
                text,
                text.len(),
                format!(
                    "invalid UTF-8: byte 0x{:02X} (the document declares {declared})",
                    bytes.get(e.valid_up_to()).copied().unwrap_or_default()
                ),
            ))
        }
    }
}

/// Resolves an entity reference for attribute values: XML's five and HTML 4's.
pub fn resolve_entity(name: &str) -> Option<&'static str> {
    entities::lookup(name)
}

/// The value of an attribute (by local name, any prefix), entities resolved.
pub fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    attr_borrowed(e, local).map(Cow::into_owned)
}

/// [`attr`] without the copy: the value borrowed from the element when no entity or
/// whitespace in it needed replacing.
pub fn attr_borrowed<'a>(e: &'a BytesStart<'_>, local: &str) -> Option<Cow<'a, str>> {
    for a in e.attributes().with_checks(false).flatten() {
        if a.key.local_name().as_ref() == local {
            return Some(value_of(&a));
        }
    }
    None
}

/// The value of an attribute by its full (prefixed) name, entities resolved.
pub fn attr_qualified(e: &BytesStart<'_>, name: &str) -> Option<String> {
    for a in e.attributes().with_checks(false).flatten() {
        if a.key.as_ref() == name {
            return Some(value_of(&a).into_owned());
        }
    }
    None
}

/// An attribute's value, entities resolved (borrowed when none was there).
fn value_of<'a>(a: &Attribute<'a>) -> Cow<'a, str> {
    match a.normalized_value_with(quick_xml::XmlVersion::Implicit1_0, 8, resolve_entity) {
        Ok(v) => v,
        Err(_) => a.value.clone(),
    }
}

/// The local name of an element (without prefix).
pub fn local_name(e: &BytesStart<'_>) -> String {
    e.local_name().as_ref().to_string()
}

/// Whether eight bytes (little-endian) need only a copy: no control byte, no lead byte of a
/// character that may be whitespace (conservatively: none from 0xc0 up) and no two spaces in a
/// row. Bit tricks on the word, as in "Bit Twiddling Hacks" (haszero, exact zero bytes).
fn words_and_single_spaces(x: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // a byte below 0x20 (ASCII only: a byte with its high bit set is masked out by !x)
    let control = x.wrapping_sub(0x20 * ONES) & !x & HIGH;
    // a byte with its two high bits set (0xc0 and up)
    let lead = x & (x << 1) & HIGH;
    // exactly the bytes that are spaces, then two of them side by side
    let y = x ^ (0x20 * ONES);
    let spaces = !(((y & LOW7).wrapping_add(LOW7)) | y | LOW7);
    let double = spaces & (spaces >> 8);
    control | lead | double == 0
}

/// Appends text to `out`, collapsing whitespace runs to one space. Copies whole spans:
/// single spaces between words stay inside a span, so only other whitespace (newlines, tabs,
/// runs) cuts one. ASCII bytes are tested directly, other characters by their Unicode
/// whitespace property.
pub fn push_collapsed(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    // whether the text written so far (out plus the pending span) ends in a space
    let mut after_space = out.is_empty() || out.ends_with(' ');
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        // eight bytes at a time while they hold words and single spaces only
        if let Some(chunk) = bytes.get(i..i + 8)
            && !(after_space && chunk[0] == b' ')
            && let Ok(word) = <[u8; 8]>::try_from(chunk)
            && words_and_single_spaces(u64::from_le_bytes(word))
        {
            after_space = chunk[7] == b' ';
            i += 8;
            continue;
        }
        let b = bytes[i];
        // printable ASCII, UTF-8 continuation bytes: the common case, nothing to decide
        if b > b' ' && b < 0xc2 {
            after_space = false;
            i += 1;
            continue;
        }
        if b == b' ' {
            if after_space {
                // a run of spaces (indentation): skip it whole
                out.push_str(&text[run..i]);
                // eight at a time first: indentation is most of the spaces of a document
                while let Some(chunk) = bytes.get(i..i + 8)
                    && chunk == b"        "
                {
                    i += 8;
                }
                while i < bytes.len() && bytes[i] == b' ' {
                    i += 1;
                }
                run = i;
                continue;
            }
            after_space = true;
            i += 1;
            continue;
        }
        let (len, space) = if b < 0x80 {
            (1, matches!(b, b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
        } else if matches!(b, 0xc2 | 0xe1 | 0xe2 | 0xe3) {
            // the lead bytes of every non-ASCII whitespace character
            let c = text[i..].chars().next().unwrap_or(' ');
            (c.len_utf8(), c.is_whitespace())
        } else {
            (1, false)
        };
        if space {
            if run < i {
                out.push_str(&text[run..i]);
            }
            if !after_space {
                out.push(' ');
                after_space = true;
            }
            run = i + len;
        } else {
            after_space = false;
        }
        i += len;
    }
    out.push_str(&text[run..]);
}

/// Adds a separating space (for block boundaries) unless one is already there.
pub fn push_break(out: &mut String) {
    if !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
}

/// `s` without its leading and trailing whitespace, in the same buffer (no copy of the text
/// that stays).
pub fn trimmed(mut s: String) -> String {
    s.truncate(s.trim_end().len());
    let start = s.len() - s.trim_start().len();
    if start > 0 {
        s.drain(..start);
    }
    s
}

/// Text trimmed, or None when empty.
pub fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// A NIR `norm` date (`19980725`) or an ISO date, as `YYYY-MM-DD`.
pub fn iso_date(s: &str) -> Option<String> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
        return Some(format!("{}-{}-{}", &s[..4], &s[4..6], &s[6..8]));
    }
    if b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[8..10].iter().all(u8::is_ascii_digit)
    {
        return Some(s[..10].to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let t = "ab\ncàd\nx";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        // after "cà" (3 bytes) the column is 3
        assert_eq!(line_col(t, 6), (2, 3));
    }

    #[test]
    fn the_line_index_places_every_offset_as_the_scan_does() {
        let t = "\nab\ncàd\n\n€x\ny\n";
        // every byte offset, inside characters and past the end too, given in any order
        let offsets: Vec<usize> = (0..t.len() + 3).rev().collect();
        let index = LineIndex::new(t, offsets.iter().copied());
        for &offset in &offsets {
            assert_eq!(
                index.line_col(offset),
                line_col(t, offset),
                "offset {offset}"
            );
        }
        assert_eq!(index.line_col(7), (3, 3));
        // one not given is found all the same
        assert_eq!(LineIndex::new(t, [1]).line_col(8), line_col(t, 8));
    }

    #[test]
    fn decodes_iso_8859_15() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"iso-8859-15\"?><a>\xa4 \xe8</a>";
        assert_eq!(
            decode(bytes).unwrap(),
            "<?xml version=\"1.0\" encoding=\"iso-8859-15\"?><a>\u{20ac} \u{e8}</a>"
        );
    }

    #[test]
    fn invalid_utf8_is_located() {
        let e = decode(b"<a>\nok \xff</a>").unwrap_err();
        assert_eq!((e.line, e.col), (2, 4));
    }

    #[test]
    fn lying_declarations_are_located() {
        let e = decode(b"<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<a/>").unwrap_err();
        assert_eq!((e.line, e.col), (1, 31), "{e}");
        let e = decode("<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?>\n<a>\n  è</a>".as_bytes())
            .unwrap_err();
        assert_eq!((e.line, e.col), (3, 3), "{e}");
        let e =
            decode(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>perch\xe9</a>").unwrap_err();
        assert_eq!((e.line, e.col), (2, 9), "{e}");
        assert!(e.message.contains("declares UTF-8"), "{e}");
    }

    #[test]
    fn dates() {
        assert_eq!(iso_date("19980725").as_deref(), Some("1998-07-25"));
        assert_eq!(iso_date("2025-05-24").as_deref(), Some("2025-05-24"));
        assert_eq!(iso_date("1998"), None);
    }

    #[test]
    fn collapses_like_split_whitespace() {
        for t in [
            "a  b",
            " a\n\t b ",
            "\u{a0}x\u{2003}y\u{3000}",
            "città è  già",
            "  ",
            "",
            "a",
            "’quoted’ \u{2019}",
        ] {
            let mut got = String::new();
            push_collapsed(&mut got, t);
            let mut want = t.split_whitespace().collect::<Vec<_>>().join(" ");
            if !want.is_empty() && t.ends_with(char::is_whitespace) {
                want.push(' ');
            }
            assert_eq!(got, want, "{t:?}");
        }
        // pieces pushed one after the other collapse as their concatenation does
        let pieces = [
            "a b",
            " c",
            " ",
            "d e ",
            " f",
            "x\ny",
            " «z»  w",
            "  ",
            "",
            " g",
            "h",
        ];
        let mut got = String::new();
        for p in pieces {
            push_collapsed(&mut got, p);
        }
        let all: String = pieces.concat();
        let want = all.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(got, want);
        let mut s = String::from("x");
        push_collapsed(&mut s, " y");
        push_collapsed(&mut s, "  z");
        assert_eq!(s, "x y z");
    }

    #[test]
    fn collapses_random_texts_like_split_whitespace() {
        // texts long enough for the eight-byte steps, from an alphabet of words, spaces,
        // other whitespace (ASCII and not) and accented letters; a fixed linear
        // congruential sequence, so that a failure repeats
        let alphabet = [
            "a", "b", "parola", " ", " ", "  ", "\n", "\t", "\r", "à", "è", "«", "»", "\u{a0}",
            "\u{2003}", "\u{3000}", "\u{1680}", "’", "\u{1}", "xyzxyzxy", "        ",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % n
        };
        for _ in 0..2_000 {
            let pieces: Vec<String> = (0..1 + next(4))
                .map(|_| {
                    (0..next(40))
                        .map(|_| alphabet[next(alphabet.len())])
                        .collect()
                })
                .collect();
            let mut got = String::new();
            for p in &pieces {
                push_collapsed(&mut got, p);
            }
            let all = pieces.concat();
            let mut want = all.split_whitespace().collect::<Vec<_>>().join(" ");
            if !want.is_empty() && all.ends_with(char::is_whitespace) {
                want.push(' ');
            }
            assert_eq!(got, want, "{pieces:?}");
        }
    }

    #[test]
    fn trims_in_place_as_trim_does() {
        for t in [
            "",
            " ",
            "a",
            " a ",
            "\u{a0}à b\n",
            "  a  b  ",
            "\t\u{2003}x",
        ] {
            assert_eq!(super::trimmed(t.to_string()), t.trim(), "{t:?}");
        }
    }

    #[test]
    fn collapses_whitespace() {
        let mut s = String::new();
        push_collapsed(&mut s, "  a \n\t b ");
        push_break(&mut s);
        push_collapsed(&mut s, "c");
        assert_eq!(s, "a b c");
    }
}
