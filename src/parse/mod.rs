//! Parsing legal XML into the format-neutral [`Document`]: format detection, the streaming
//! event loop both parsers share, and the two vocabularies (`akn`, `nir`).

mod akn;
mod builder;
mod nir;

pub use builder::{Builder, Vigenza};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::model::Document;
use crate::xml::{self, MAX_DEPTH, ParseError};

/// Why a document was not turned into a [`Document`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseFailure {
    /// The XML is broken (or the document lacks what an act needs), at a line and column.
    #[error("{0}")]
    Invalid(#[from] ParseError),
    /// Well-formed, but a format or profile paesi does not read.
    #[error("{line}:{col}: unsupported: {reason}")]
    Unsupported {
        /// Line of the root element.
        line: usize,
        /// Column of the root element.
        col: usize,
        /// What it is and why it is refused.
        reason: String,
    },
}

/// Which vocabulary a root element belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Detected {
    Akn(String),
    Nir(String),
}

/// Parses one document from its bytes (any declared encoding).
pub fn parse(bytes: &[u8]) -> Result<Document, ParseFailure> {
    let text = xml::decode(bytes)?;
    let text: &str = &text;
    match detect(text)? {
        Detected::Akn(ns) => akn::parse(text, ns),
        Detected::Nir(ns) => nir::parse(text, ns),
    }
}

/// The namespace URIs of AKN that paesi reads: OASIS 3.0 and its drafts.
const AKN_NAMESPACES: &[&str] = &[
    "http://docs.oasis-open.org/legaldocml/ns/akn/3.0",
    "http://docs.oasis-open.org/legaldocml/ns/akn/3.0/CSD02",
    "http://docs.oasis-open.org/legaldocml/ns/akn/3.0/CSD03",
    "http://docs.oasis-open.org/legaldocml/ns/akn/3.0/CSD13",
    "http://docs.oasis-open.org/legaldocml/ns/akn/3.0/WD17",
];

/// Finds the root element and tells the format from its name and namespace.
fn detect(text: &str) -> Result<Detected, ParseFailure> {
    let mut reader = Reader::from_str(text);
    loop {
        let pos = reader.buffer_position() as usize;
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let local = xml::local_name(&e);
                let prefix = e.name().prefix().map(|p| p.as_ref().to_string());
                let ns_attr = match &prefix {
                    Some(p) => format!("xmlns:{p}"),
                    None => "xmlns".to_string(),
                };
                let ns = xml::attr_qualified(&e, &ns_attr).unwrap_or_default();
                let (line, col) = xml::line_col(text, pos);
                let unsupported = |reason: String| ParseFailure::Unsupported { line, col, reason };
                return match local.as_str() {
                    "akomaNtoso" => {
                        let ns_trim = ns.trim_end_matches('/');
                        if AKN_NAMESPACES.contains(&ns_trim) {
                            Ok(Detected::Akn(ns_trim.to_string()))
                        } else if ns.contains("LegalDocML.de") {
                            Err(unsupported(format!(
                                "the German LegalDocML.de profile ({ns}) is not read by paesi; \
                                 it reads OASIS Akoma Ntoso 3.0 and NIR"
                            )))
                        } else {
                            Err(unsupported(format!(
                                "Akoma Ntoso namespace {ns:?} is not one paesi reads \
                                 (OASIS 3.0 and drafts CSD02, CSD03, CSD13, WD17)"
                            )))
                        }
                    }
                    "NIR" => {
                        if ns.starts_with("http://www.normeinrete.it/nir/2.") || ns.is_empty() {
                            Ok(Detected::Nir(ns))
                        } else {
                            Err(unsupported(format!("NIR namespace {ns:?} is not NIR 2.x")))
                        }
                    }
                    other => Err(unsupported(format!(
                        "root element <{other}> is neither Akoma Ntoso (<akomaNtoso>) nor NIR (<NIR>)"
                    ))),
                };
            }
            Ok(Event::Eof) => {
                return Err(ParseError::at(text, text.len(), "no root element").into());
            }
            Ok(_) => {}
            Err(e) => {
                return Err(
                    ParseError::at(text, reader.error_position() as usize, e.to_string()).into(),
                );
            }
        }
    }
}

/// A lifecycle event as read, before its source is resolved.
pub(crate) struct RawEvent {
    /// Source id.
    pub id: String,
    /// Date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Event type.
    pub kind: Option<String>,
    /// The id of the relation (NIR) or reference (AKN) naming its source.
    pub source: Option<String>,
}

/// A lowercase slug of free text for use in an IRI path (letters, digits, `.`, `-`).
pub(crate) fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '.' {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// FNV-1a, 64 bits: a stable name for documents that carry no identifier.
pub(crate) fn fnv64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// What a vocabulary does with the events of the shared loop.
pub(crate) trait Handler {
    /// An element starts (`empty`: it has no content and no end event follows).
    fn start(&mut self, e: &BytesStart<'_>, local: &str, empty: bool) -> Result<(), String>;
    /// An element ends.
    fn end(&mut self, local: &str);
    /// Character data, entities resolved.
    fn text(&mut self, s: &str);
    /// The byte offset of the element about to start (for warnings that name a position).
    fn position(&mut self, _offset: usize) {}
}

/// Refuses an element holding an identifier longer than [`xml::MAX_ID_BYTES`].
fn check_ids(text: &str, pos: usize, e: &BytesStart<'_>) -> Result<(), ParseError> {
    match xml::oversized_id(e) {
        Some((name, len)) => Err(ParseError::at(
            text,
            pos,
            format!(
                "attribute {name} is {len} bytes long (identifiers are limited to {} bytes)",
                xml::MAX_ID_BYTES
            ),
        )),
        None => Ok(()),
    }
}

/// The streaming loop: reads `text`, checks nesting and entities, feeds `h`.
pub(crate) fn drive(text: &str, h: &mut impl Handler) -> Result<(), ParseError> {
    let mut reader = Reader::from_str(text);
    // start offsets of the open elements (for the "not closed" message)
    let mut stack: Vec<usize> = Vec::new();
    loop {
        let pos = reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .map_err(|e| ParseError::at(text, reader.error_position() as usize, e.to_string()))?;
        match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(ParseError::at(
                        text,
                        pos,
                        format!("elements nested deeper than {MAX_DEPTH}"),
                    ));
                }
                check_ids(text, pos, &e)?;
                h.position(pos);
                let local = e.local_name();
                h.start(&e, local.as_ref(), false)
                    .map_err(|m| ParseError::at(text, pos, m))?;
                stack.push(pos);
            }
            Event::Empty(e) => {
                check_ids(text, pos, &e)?;
                h.position(pos);
                let local = e.local_name();
                h.start(&e, local.as_ref(), true)
                    .map_err(|m| ParseError::at(text, pos, m))?;
                h.end(local.as_ref());
            }
            Event::End(e) => {
                stack.pop();
                h.end(e.local_name().as_ref());
            }
            Event::Text(t) => h.text(&t.xml10_content()),
            Event::CData(t) => h.text(&t.xml10_content()),
            Event::GeneralRef(r) => {
                if r.is_char_ref() {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => h.text(c.encode_utf8(&mut [0; 4])),
                        _ => {
                            return Err(ParseError::at(text, pos, "invalid character reference"));
                        }
                    }
                } else {
                    let name = r.xml10_content();
                    match xml::resolve_entity(&name) {
                        Some(s) => h.text(s),
                        None => {
                            return Err(ParseError::at(
                                text,
                                pos,
                                format!("unknown entity &{name}; (no DTD is read)"),
                            ));
                        }
                    }
                }
            }
            Event::DocType(d) => {
                if d.xml10_content().contains("<!ENTITY") {
                    return Err(ParseError::at(
                        text,
                        pos,
                        "entity declarations in an internal DTD subset are not accepted",
                    ));
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if let Some(&opened) = stack.last() {
        let name: String = text[opened..]
            .trim_start_matches('<')
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
            .collect();
        let (line, col) = xml::line_col(text, opened);
        return Err(ParseError::at(
            text,
            text.len(),
            format!("unexpected end of document: <{name}> opened at {line}:{col} is not closed"),
        ));
    }
    Ok(())
}
