//! NIR (NormeInRete) 2.0, 2.1 and 2.2 into the model, multi-version texts included.

use std::collections::HashMap;

use quick_xml::events::BytesStart;

use super::{Builder, Handler, ParseFailure, Vigenza, drive};
use crate::ids::{self, Work};
use crate::model::{
    ActMeta, Direction, Document, Event, Format, Modification, PartitionKind, Publication,
    Semantics, Subject,
};
use crate::xml::{self, ParseError, attr, attr_borrowed, iso_date, non_empty};

/// The partition elements of NIR and their kind.
fn partition_kind(local: &str) -> Option<PartitionKind> {
    Some(match local {
        "libro" => PartitionKind::Book,
        "parte" => PartitionKind::Part,
        "titolo" => PartitionKind::Title,
        "capo" => PartitionKind::Chapter,
        "sezione" => PartitionKind::Section,
        "articolo" => PartitionKind::Article,
        "comma" => PartitionKind::Paragraph,
        "el" | "en" => PartitionKind::Point,
        "ep" => PartitionKind::Item,
        "paragrafo" | "partizione" => PartitionKind::Container,
        _ => return None,
    })
}

/// Elements whose boundaries separate words in the plain text.
fn is_block(local: &str) -> bool {
    matches!(
        local,
        "p" | "br"
            | "div"
            | "li"
            | "ul"
            | "ol"
            | "td"
            | "th"
            | "tr"
            | "table"
            | "corpo"
            | "alinea"
            | "coda"
            | "nota"
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Title,
    DocType,
    Number,
    Urn,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Other,
    Meta,
    Partition,
    Capture,
    Quoted,
    Ref,
    Annex,
    Field,
    Disposition,
    DspNorma,
    Mention,
}

struct PendingDsp {
    direction: Direction,
    kind: String,
    pos: Option<String>,
    norma: Option<String>,
    norma_pos: Option<String>,
}

struct Nir {
    namespace: String,
    b: Builder,
    roles: Vec<Role>,
    meta: ActMeta,
    in_meta: usize,
    depth: usize,
    root_type: Option<String>,
    field: Option<(Field, String)>,
    events: Vec<super::RawEvent>,
    event_dates: HashMap<String, String>,
    relations: HashMap<String, String>,
    dsp_direction: Option<Direction>,
    dsp: Option<PendingDsp>,
    in_norma: bool,
    dsps: Vec<PendingDsp>,
    work_set: bool,
    annexes: usize,
    /// The vocabulary of the `materie` being read.
    vocabulary: Option<String>,
    subjects: Vec<Subject>,
}

/// Parses a NIR document already decoded to UTF-8.
pub(super) fn parse(text: &str, namespace: String) -> Result<Document, ParseFailure> {
    let placeholder = Work::Akn {
        country: "unknown".into(),
        doc_type: "unknown".into(),
        rest: "unknown".into(),
    };
    let mut h = Nir {
        namespace,
        b: Builder::new(placeholder),
        roles: Vec::new(),
        meta: ActMeta::default(),
        in_meta: 0,
        depth: 0,
        root_type: None,
        field: None,
        events: Vec::new(),
        event_dates: HashMap::new(),
        relations: HashMap::new(),
        dsp_direction: None,
        dsp: None,
        in_norma: false,
        dsps: Vec::new(),
        work_set: false,
        annexes: 0,
        vocabulary: None,
        subjects: Vec::new(),
    };
    drive(text, &mut h)?;
    h.finish(text)
}

impl Nir {
    fn settle_work(&mut self) -> Result<(), String> {
        if self.work_set {
            return Ok(());
        }
        let mut works: Vec<Work> = Vec::new();
        let mut first_error = None;
        for urn in &self.meta.urns {
            match ids::parse_urn_nir(urn) {
                Ok(t) => works.push(t.work),
                Err(e) => {
                    first_error.get_or_insert(e.to_string());
                }
            }
        }
        let Some(work) = works.first().cloned().or_else(|| self.heading_work()) else {
            return Err(match first_error {
                Some(e) => format!("the document's URN does not parse: {e}"),
                None => "no URN (<urn>) in the NIR metadata".into(),
            });
        };
        for other in works.into_iter().skip(1) {
            if other.iri() != work.iri()
                && !self.meta.aliases.iter().any(|a| a.iri() == other.iri())
            {
                self.meta.aliases.push(other);
            }
        }
        if let Work::Nir {
            authority,
            doc_type,
            number,
            date,
        } = &work
        {
            self.meta.authority = Some(authority.clone());
            self.meta.canonical_type = Some(doc_type.clone());
            if self.meta.number.is_none() {
                self.meta.number = number.clone();
            }
            if self.meta.date.is_none() {
                self.meta.date = date.clone().filter(|d| d.len() == 10);
            }
        }
        self.b.set_work(work);
        self.b.set_default_from(self.meta.entry_into_force.clone());
        self.work_set = true;
        Ok(())
    }

    /// The work named by the heading (`tipoDoc`, `dataDoc`, `numDoc`) when no URN parses.
    fn heading_work(&self) -> Option<Work> {
        let doc_type = self.meta.doc_type.as_deref()?;
        let date = self.meta.date.clone()?;
        let doc_type = super::slug(doc_type)
            .split(['-', '.'])
            .filter(|w| !w.is_empty() && !matches!(*w, "del" | "dei" | "della" | "dello" | "delle"))
            .collect::<Vec<_>>()
            .join(".");
        Some(Work::Nir {
            authority: "stato".into(),
            doc_type,
            date: Some(date),
            number: self.meta.number.as_deref().map(super::slug),
        })
    }

    fn vigenza(&self, e: &BytesStart<'_>) -> Option<Vigenza> {
        let start = attr(e, "iniziovigore");
        let end = attr(e, "finevigore");
        if start.is_none() && end.is_none() {
            return None;
        }
        let date = |id: &Option<String>| {
            id.as_deref()
                .and_then(|i| self.event_dates.get(i.trim()).cloned())
        };
        // the act behind an event: its `fonte` relation
        let source = |id: &Option<String>| {
            let id = id.as_deref()?.trim();
            let fonte = self.events.iter().find(|e| e.id == id)?.source.as_deref()?;
            self.relations.get(fonte).cloned()
        };
        Some(Vigenza {
            from: date(&start),
            until: date(&end),
            status: attr(e, "status"),
            from_source: source(&start),
            until_source: source(&end),
        })
    }

    fn start_meta(&mut self, e: &BytesStart<'_>, local: &str) -> Role {
        match local {
            "pubblicazione" => {
                self.meta.publication = Some(Publication {
                    journal: attr(e, "tipo").and_then(|v| non_empty(&v)),
                    date: attr(e, "norm").and_then(|d| iso_date(&d)),
                    number: attr(e, "num").and_then(|v| non_empty(&v)),
                });
            }
            "entratainvigore" => {
                self.meta.entry_into_force = attr(e, "norm").and_then(|d| iso_date(&d));
            }
            "urn" => {
                if let Some(v) = attr(e, "valore").and_then(|v| non_empty(&v)) {
                    self.meta.urns.push(v);
                } else {
                    self.field = Some((Field::Urn, String::new()));
                    return Role::Field;
                }
            }
            "evento" => {
                let id = attr(e, "id").unwrap_or_default();
                let date = attr(e, "data").and_then(|d| iso_date(&d));
                if let Some(d) = &date {
                    self.event_dates.insert(id.clone(), d.clone());
                }
                self.events.push(super::RawEvent {
                    id,
                    date,
                    kind: attr(e, "tipo"),
                    source: attr(e, "fonte"),
                });
            }
            "originale" | "passiva" | "attiva" | "giurisprudenza" | "haallegato" | "allegatodi" => {
                if let (Some(id), Some(href)) = (attr(e, "id"), attr(e, "href")) {
                    self.relations.insert(id, href);
                }
            }
            "materie" => self.vocabulary = attr(e, "vocabolario").and_then(|v| non_empty(&v)),
            "materia" => {
                if let Some(value) = attr(e, "valore").and_then(|v| non_empty(&v)) {
                    self.subjects.push(Subject {
                        vocabulary: self.vocabulary.clone(),
                        value,
                    });
                }
            }
            "modifichepassive" => self.dsp_direction = Some(Direction::Passive),
            "modificheattive" => self.dsp_direction = Some(Direction::Active),
            "norma" if self.dsp.is_some() => {
                if let Some(d) = &mut self.dsp {
                    d.norma = attr(e, "href");
                }
                self.in_norma = true;
                return Role::DspNorma;
            }
            "pos" => {
                if let Some(d) = &mut self.dsp {
                    let href = attr(e, "href");
                    if self.in_norma {
                        if d.norma_pos.is_none() {
                            d.norma_pos = href;
                        }
                    } else if d.pos.is_none() {
                        d.pos = href;
                    }
                }
            }
            _ => {
                let is_dsp = e.name().prefix().is_some_and(|p| p.as_ref() == "dsp");
                let direction = self.dsp_direction.filter(|_| is_dsp && self.dsp.is_none());
                if let Some(direction) = direction {
                    self.dsp = Some(PendingDsp {
                        direction,
                        kind: local.to_string(),
                        pos: None,
                        norma: None,
                        norma_pos: None,
                    });
                    return Role::Disposition;
                }
            }
        }
        Role::Meta
    }

    fn finish(mut self, text: &str) -> Result<Document, ParseFailure> {
        self.settle_work()
            .map_err(|m| ParseFailure::Invalid(ParseError::at(text, 0, m)))?;
        let work = self.b.work().clone();
        let mut resolve = |h: &str| self.b.resolve(h).ok();
        let events = self
            .events
            .iter()
            .map(|raw| {
                let href = raw
                    .source
                    .as_ref()
                    .and_then(|f| self.relations.get(f).cloned());
                Event {
                    id: raw.id.clone(),
                    date: raw.date.clone(),
                    kind: raw.kind.clone(),
                    source: href.as_deref().and_then(&mut resolve),
                    source_href: href,
                }
            })
            .collect::<Vec<_>>();
        // the date of a disposition: the event whose source relation names the same act
        let date_of = |norma: &Option<String>| -> Option<String> {
            let norma = norma.as_deref()?;
            let rel = self
                .relations
                .iter()
                .find(|(_, href)| href.split(['#', '~']).next() == norma.split(['#', '~']).next())?
                .0;
            self.events
                .iter()
                .find(|e| e.source.as_deref() == Some(rel.as_str()))
                .and_then(|e| e.date.clone())
        };
        let modifications = self
            .dsps
            .iter()
            .map(|d| {
                let other = d.norma_pos.clone().or_else(|| d.norma.clone());
                let (source_href, destination_href) = match d.direction {
                    Direction::Passive => (other, d.pos.clone()),
                    Direction::Active => (d.pos.clone(), other),
                };
                Modification {
                    direction: d.direction,
                    kind: d.kind.clone(),
                    source: source_href.as_deref().and_then(&mut resolve),
                    destination: destination_href.as_deref().and_then(&mut resolve),
                    source_href,
                    destination_href,
                    date: date_of(&d.norma),
                    note: None,
                }
            })
            .collect();
        if self.meta.doc_type.is_none() {
            self.meta.doc_type = self.root_type.clone();
        }
        let component = self.meta.urns.first().and_then(|u| urn_component(u));
        let warnings = self.b.warnings(text);
        let (partitions, references, mentions) = self.b.finish();
        Ok(Document {
            semantics: Semantics {
                entities: Vec::new(),
                mentions,
                subjects: self.subjects,
            },
            format: Format::Nir,
            namespace: self.namespace,
            work,
            component,
            meta: self.meta,
            partitions,
            references,
            events,
            modifications,
            warnings,
        })
    }
}

impl Handler for Nir {
    fn start(&mut self, e: &BytesStart<'_>, local: &str, _empty: bool) -> Result<(), String> {
        self.depth += 1;
        if self.in_meta > 0 {
            self.in_meta += 1;
            let role = self.start_meta(e, local);
            self.roles.push(role);
            return Ok(());
        }
        let parent_is_partition =
            matches!(self.roles.last(), Some(Role::Partition) | Some(Role::Annex));
        let role = match local {
            "meta" => {
                self.in_meta = 1;
                Role::Meta
            }
            _ if self.depth == 2 => {
                self.root_type = Some(local.to_string());
                Role::Other
            }
            "formulainiziale" | "articolato" => {
                // the work must be known before the first reference
                let _ = self.settle_work();
                if local == "articolato"
                    && self.annexes == 0
                    && self.is_code_in_attachment()
                    && self.open_code_attachment()
                {
                    Role::Annex
                } else {
                    Role::Other
                }
            }
            "tipoDoc" | "titoloDoc" | "numDoc" if !self.b.in_quoted() && self.annexes == 0 => {
                let f = match local {
                    "tipoDoc" => Field::DocType,
                    "titoloDoc" => Field::Title,
                    _ => Field::Number,
                };
                self.field = Some((f, String::new()));
                Role::Field
            }
            "dataDoc" if self.annexes == 0 => {
                if self.meta.date.is_none() {
                    self.meta.date = attr(e, "norm").and_then(|d| iso_date(&d));
                }
                Role::Other
            }
            "virgolette" => {
                self.b.open_quoted();
                Role::Quoted
            }
            "def" => {
                if self.b.open_mention("def", None, None, None) {
                    Role::Mention
                } else {
                    Role::Other
                }
            }
            "rif" => {
                let _ = self.settle_work();
                let href = attr(e, "href").unwrap_or_default();
                if self.b.open_ref(href) {
                    Role::Ref
                } else {
                    Role::Other
                }
            }
            "num" if parent_is_partition => {
                if self.b.begin_num() {
                    Role::Capture
                } else {
                    Role::Other
                }
            }
            "rubrica" if parent_is_partition => {
                if self.b.begin_heading() {
                    Role::Capture
                } else {
                    Role::Other
                }
            }
            "denAnnesso" if matches!(self.roles.last(), Some(Role::Annex)) => {
                if self.b.begin_heading() {
                    Role::Capture
                } else {
                    Role::Other
                }
            }
            "annesso" => {
                let _ = self.settle_work();
                if self
                    .b
                    .open_partition(PartitionKind::Attachment, attr(e, "id").as_deref(), None)
                {
                    let id = self
                        .b
                        .current()
                        .map(|i| self.b.partitions[i].id.clone())
                        .unwrap_or_default();
                    self.b.push_prefix(id);
                    self.annexes += 1;
                    Role::Annex
                } else {
                    Role::Other
                }
            }
            _ => match partition_kind(local) {
                Some(kind) => {
                    let _ = self.settle_work();
                    let vigenza = self.vigenza(e);
                    if self
                        .b
                        .open_partition(kind, attr_borrowed(e, "id").as_deref(), vigenza)
                    {
                        Role::Partition
                    } else {
                        Role::Other
                    }
                }
                None => Role::Other,
            },
        };
        if is_block(local) {
            self.b.block_break();
        }
        self.roles.push(role);
        Ok(())
    }

    fn end(&mut self, local: &str) {
        self.depth = self.depth.saturating_sub(1);
        let Some(role) = self.roles.pop() else { return };
        if self.in_meta > 0 {
            self.in_meta -= 1;
            match role {
                Role::Field => self.close_field(),
                Role::Disposition => {
                    if let Some(d) = self.dsp.take() {
                        self.dsps.push(d);
                    }
                }
                Role::DspNorma => self.in_norma = false,
                _ => {}
            }
            if local == "modifichepassive" || local == "modificheattive" {
                self.dsp_direction = None;
            }
            if self.in_meta == 0 {
                let _ = self.settle_work();
            }
            return;
        }
        match role {
            Role::Partition => self.b.close_partition(),
            Role::Capture => self.b.end_capture(),
            Role::Quoted => self.b.close_quoted(),
            Role::Ref => self.b.close_ref(),
            Role::Mention => self.b.close_mention(),
            Role::Annex => {
                self.annexes = self.annexes.saturating_sub(1);
                self.b.pop_prefix();
                self.b.close_partition();
            }
            Role::Field => self.close_field(),
            Role::Other | Role::Meta | Role::Disposition | Role::DspNorma => {}
        }
        if is_block(local) {
            self.b.block_break();
        }
    }

    fn position(&mut self, offset: usize) {
        self.b.set_offset(offset);
    }

    fn text(&mut self, s: &str) {
        if let Some((_, buf)) = &mut self.field {
            xml::push_collapsed(buf, s);
        }
        if self.in_meta > 0 {
            return;
        }
        self.b.text(s);
    }
}

/// What follows the act number in a URN:NIR (`:codice.penale`, `*entrata.vigore;2001-08-07`),
/// fragments excluded.
fn urn_component(urn: &str) -> Option<String> {
    let base = urn.split(['#', '~']).next()?;
    // the `;` that ends the act date (`...:1998-07-25;286`)
    let number_at = base.char_indices().find_map(|(i, c)| {
        let before = &base[..i];
        let date = before.rsplit(':').next()?;
        (c == ';' && date.len() >= 4 && date.chars().all(|d| d.is_ascii_digit() || d == '-'))
            .then_some(i + 1)
    })?;
    let after_number = &base[number_at..];
    let at = after_number.find([':', '*', '@', '$'])?;
    let rest = super::slug(&after_number[at..]);
    (!rest.is_empty()).then_some(rest)
}

impl Nir {
    /// True for the NIR edition of a code that a decree approves as its attachment
    /// (`…;1398:codice.penale`, see [`ids::code_in_attachment`]).
    fn is_code_in_attachment(&self) -> bool {
        let names_code = self
            .meta
            .urns
            .first()
            .and_then(|u| urn_component(u))
            .is_some_and(|c| c.starts_with("codice"));
        names_code && ids::code_in_attachment(self.b.work()).is_some()
    }

    /// The code's articles go into the decree's code attachment (`all1-art575`), the
    /// partition Normattiva's edition and every citation of the code name.
    fn open_code_attachment(&mut self) -> bool {
        if !self
            .b
            .open_partition(PartitionKind::Attachment, Some(ids::CODE_ATTACHMENT), None)
        {
            return false;
        }
        if let Some(title) = self.meta.title.clone() {
            self.b.begin_heading();
            self.b.text(&title);
            self.b.end_capture();
        }
        self.b.push_prefix(ids::CODE_ATTACHMENT.to_string());
        self.annexes += 1;
        true
    }

    fn close_field(&mut self) {
        let Some((field, value)) = self.field.take() else {
            return;
        };
        let value = non_empty(&value);
        match field {
            Field::Title => {
                if self.meta.title.is_none() {
                    self.meta.title = value;
                }
            }
            Field::DocType => {
                if self.meta.doc_type.is_none() {
                    self.meta.doc_type = value;
                }
            }
            Field::Number => {
                if self.meta.number.is_none() {
                    self.meta.number = value;
                }
            }
            Field::Urn => {
                if let Some(v) = value {
                    self.meta.urns.push(v);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::urn_component;

    #[test]
    fn urn_components() {
        assert_eq!(urn_component("urn:nir:stato:legge:2000-09-29;300"), None);
        assert_eq!(
            urn_component("urn:nir:stato:regio.decreto:1930-10-19;1398:codice.penale").as_deref(),
            Some("codice.penale")
        );
        assert_eq!(
            urn_component("urn:nir:stato:legge:2000-09-29;300*entrata.vigore;2001-08-07")
                .as_deref(),
            Some("entrata.vigore-2001-08-07")
        );
        assert_eq!(
            urn_component("urn:nir:stato:legge:2000-09-29;300#art1"),
            None
        );
    }
}
