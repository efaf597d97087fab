//! Akoma Ntoso 3.0 (OASIS namespace and its CSD02/CSD03/CSD13/WD17 drafts) into the model.

use std::collections::HashMap;

use quick_xml::events::BytesStart;

use super::{Builder, Handler, ParseFailure, drive};
use crate::ids::{self, Work};
use crate::model::{
    ActMeta, Direction, Document, Entity, EntityKind, Event, Format, Modification, PartitionKind,
    Publication, Semantics,
};
use crate::xml::{self, ParseError, attr, attr_borrowed, iso_date, non_empty};

/// The partition elements of AKN and their kind.
fn partition_kind(local: &str) -> Option<PartitionKind> {
    Some(match local {
        "book" => PartitionKind::Book,
        "part" => PartitionKind::Part,
        "title" => PartitionKind::Title,
        "chapter" => PartitionKind::Chapter,
        "section" => PartitionKind::Section,
        "subsection" => PartitionKind::Subsection,
        "article" => PartitionKind::Article,
        "paragraph" => PartitionKind::Paragraph,
        "point" => PartitionKind::Point,
        "item" | "indent" => PartitionKind::Item,
        "hcontainer" | "division" | "clause" | "subclause" | "subparagraph" | "subpart"
        | "subtitle" | "subchapter" | "subdivision" | "rule" | "subrule" | "tome" | "level"
        | "transitional" | "subpoint" | "proviso" | "debateSection" => PartitionKind::Container,
        _ => return None,
    })
}

/// The inline semantic elements of AKN (those that refer to a top-level class).
fn is_mention(local: &str) -> bool {
    matches!(
        local,
        "term"
            | "def"
            | "person"
            | "organization"
            | "role"
            | "location"
            | "date"
            | "quantity"
            | "concept"
            | "entity"
            | "event"
            | "object"
            | "process"
    )
}

/// A TLC element of `<references>` as an [`Entity`].
fn entity(e: &BytesStart<'_>, local: &str) -> Option<Entity> {
    let kind = EntityKind::from_element(local)?;
    Some(Entity {
        kind,
        id: attr(e, "eId")
            .or_else(|| attr(e, "id"))
            .or_else(|| attr(e, "wId"))
            .unwrap_or_default(),
        href: attr(e, "href").and_then(|v| non_empty(&v)),
        show_as: attr(e, "showAs").and_then(|v| non_empty(&v)),
    })
}

/// Elements whose boundaries separate words in the plain text.
fn is_block(local: &str) -> bool {
    matches!(
        local,
        "p" | "br"
            | "eol"
            | "eop"
            | "td"
            | "th"
            | "tr"
            | "li"
            | "ul"
            | "ol"
            | "block"
            | "blockList"
            | "blockContainer"
            | "listIntroduction"
            | "listWrapUp"
            | "intro"
            | "wrapUp"
            | "content"
            | "list"
            | "table"
            | "authorialNote"
            | "tblock"
            | "toc"
            | "tocItem"
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Work,
    Expression,
    Manifestation,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum MetaField {
    Title,
    DocType,
    DocNumber,
    ModNote,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Other,
    Partition,
    Capture,
    Quoted,
    Ref,
    Meta,
    NestedMeta,
    Note,
    AttachmentDoc,
    AttachmentArticle,
    Level,
    Mention,
    ModificationList(Direction),
    TextualMod,
    MetaCapture,
}

struct PendingMod {
    direction: Direction,
    kind: String,
    source: Option<String>,
    destination: Option<String>,
    note: String,
}

struct Akn {
    namespace: String,
    b: Builder,
    roles: Vec<Role>,
    meta: ActMeta,
    level: Option<Level>,
    in_meta: usize,
    nested_meta: usize,
    attachment_depth: usize,
    pending_attachment: bool,
    groups: HashMap<String, usize>,
    work_iris: Vec<String>,
    events: Vec<super::RawEvent>,
    ref_targets: HashMap<String, String>,
    mods: Vec<PendingMod>,
    current_mod: Option<PendingMod>,
    mod_direction: Option<Direction>,
    capture: Option<(MetaField, String)>,
    root_type: Option<String>,
    country: Option<String>,
    work_set: bool,
    /// Partition holding each inserted/deleted text (`ins`/`del` eId → partition id): where
    /// Normattiva's passive modifications (`destination href="#ins_1"`) land.
    marked: HashMap<String, String>,
    /// Depth inside `<meta><notes>`.
    notes: usize,
    /// The TLCs of every `<references>` (attachments' own metadata included).
    entities: Vec<Entity>,
}

/// Parses an AKN document already decoded to UTF-8.
pub(super) fn parse(text: &str, namespace: String) -> Result<Document, ParseFailure> {
    let placeholder = Work::Akn {
        country: "unknown".into(),
        doc_type: "unknown".into(),
        rest: "unknown".into(),
    };
    let mut h = Akn {
        namespace,
        b: Builder::new(placeholder),
        roles: Vec::new(),
        meta: ActMeta::default(),
        level: None,
        in_meta: 0,
        nested_meta: 0,
        attachment_depth: 0,
        pending_attachment: false,
        groups: HashMap::new(),
        work_iris: Vec::new(),
        events: Vec::new(),
        ref_targets: HashMap::new(),
        mods: Vec::new(),
        current_mod: None,
        mod_direction: None,
        capture: None,
        root_type: None,
        country: None,
        work_set: false,
        marked: HashMap::new(),
        notes: 0,
        entities: Vec::new(),
    };
    drive(text, &mut h)?;
    if !h.work_set && h.local_work().is_none() {
        // no identifier at all: the document is named by a hash of its content
        h.work_iris.push(format!(
            "unidentified/{:016x}",
            super::fnv64(text.as_bytes())
        ));
    }
    h.finish(text)
}

impl Akn {
    /// Names the work from the metadata: the URN:NIR alias first, then the FRBR work IRI.
    fn settle_work(&mut self) -> Result<(), String> {
        if self.work_set {
            return Ok(());
        }
        let mut candidates: Vec<Work> = Vec::new();
        for urn in &self.meta.urns {
            if let Ok(t) = ids::parse_urn_nir(urn) {
                candidates.push(t.work);
            }
        }
        for iri in &self.work_iris {
            if let Ok(a) = ids::parse_akn(iri) {
                candidates.push(a.target.work);
            } else if let Ok(t) = ids::resolve_href(iri, None) {
                candidates.push(t.work);
            }
        }
        let Some(work) = candidates.first().cloned().or_else(|| self.local_work()) else {
            return Err(match self.work_iris.first() {
                Some(iri) => format!("the FRBR work identifier {iri:?} does not parse"),
                None => "no work identifier (FRBRWork/FRBRthis or FRBRuri) in <meta>".into(),
            });
        };
        for other in candidates.into_iter().skip(1) {
            if other.iri() != work.iri()
                && !self.meta.aliases.iter().any(|a| a.iri() == other.iri())
            {
                self.meta.aliases.push(other);
            }
        }
        if let Work::Nir {
            authority,
            doc_type,
            date,
            number,
        } = &work
        {
            self.meta.authority.get_or_insert(authority.clone());
            self.meta.canonical_type = Some(doc_type.clone());
            if self.meta.date.is_none() {
                self.meta.date = date.clone().filter(|d| d.len() == 10);
            }
            if self.meta.number.is_none() {
                self.meta.number = number.clone();
            }
        } else if let Work::Akn { doc_type, .. } = &work {
            self.meta.canonical_type = Some(doc_type.clone());
        }
        self.b.set_work(work);
        self.work_set = true;
        Ok(())
    }

    /// A work for documents whose FRBR identifier is not a legal identifier (Senate IRIs,
    /// other registries): kept under the AKN namespace with the identifier as a slug.
    fn local_work(&self) -> Option<Work> {
        let iri = self.work_iris.iter().find(|i| !i.trim().is_empty())?;
        let bare = iri
            .trim()
            .trim_start_matches("https://")
            .trim_start_matches("http://");
        Some(Work::Akn {
            country: self.country.clone().unwrap_or_else(|| "xx".into()),
            doc_type: self.root_type.clone().unwrap_or_else(|| "doc".into()),
            rest: super::slug(bare),
        })
    }

    fn start_meta(&mut self, e: &BytesStart<'_>, local: &str) -> Role {
        match local {
            "FRBRcountry" if self.country.is_none() => {
                self.country = attr(e, "value")
                    .map(|v| {
                        let v = v.trim().trim_end_matches('/');
                        v.rsplit('/').next().unwrap_or(v).to_ascii_lowercase()
                    })
                    .filter(|v| !v.is_empty());
            }
            "FRBRWork" => self.level = Some(Level::Work),
            "FRBRExpression" => self.level = Some(Level::Expression),
            "FRBRManifestation" => self.level = Some(Level::Manifestation),
            "FRBRthis" | "FRBRuri" => {
                if let Some(v) = attr(e, "value") {
                    if self.level == Some(Level::Work) {
                        if local == "FRBRthis" {
                            self.work_iris.insert(0, v.clone());
                        } else {
                            self.work_iris.push(v.clone());
                        }
                    }
                    if !self.meta.akn_iris.contains(&v) {
                        self.meta.akn_iris.push(v);
                    }
                }
            }
            "FRBRalias" => {
                if let Some(v) = attr(e, "value") {
                    let name = attr(e, "name").unwrap_or_default().to_ascii_lowercase();
                    if name.contains("urn") || v.starts_with("urn:nir:") {
                        self.meta.urns.push(v);
                    } else if name.contains("eli") || v.contains("eli/") {
                        self.meta.elis.push(v);
                    }
                }
            }
            "FRBRdate" => {
                let d = attr(e, "date").and_then(|d| iso_date(&d));
                match self.level {
                    Some(Level::Work) if self.meta.date.is_none() => self.meta.date = d,
                    Some(Level::Expression) => self.meta.expression_date = d,
                    _ => {}
                }
            }
            "FRBRnumber" if self.level == Some(Level::Work) => {
                self.meta.number = attr(e, "value").and_then(|v| non_empty(&v));
            }
            "publication" => {
                self.meta.publication = Some(Publication {
                    journal: attr(e, "showAs")
                        .and_then(|v| non_empty(&v))
                        .or_else(|| attr(e, "name").and_then(|v| non_empty(&v))),
                    date: attr(e, "date").and_then(|d| iso_date(&d)),
                    number: attr(e, "number").and_then(|v| non_empty(&v)),
                });
            }
            "eventRef" => {
                let id = attr(e, "eId").or_else(|| attr(e, "id")).unwrap_or_default();
                self.events.push(super::RawEvent {
                    id,
                    date: attr(e, "date").and_then(|d| iso_date(&d)),
                    kind: attr(e, "type"),
                    source: attr(e, "source"),
                });
            }
            "original" | "passiveRef" | "activeRef" | "jurisprudence" => {
                if let (Some(id), Some(href)) =
                    (attr(e, "eId").or_else(|| attr(e, "id")), attr(e, "href"))
                {
                    self.ref_targets.insert(id, href);
                }
            }
            _ if local.starts_with("TLC") => {
                if let Some(x) = entity(e, local) {
                    self.entities.push(x);
                }
            }
            "activeModifications" => return Role::ModificationList(Direction::Active),
            "passiveModifications" => return Role::ModificationList(Direction::Passive),
            "textualMod" => {
                if let Some(direction) = self.mod_direction {
                    self.current_mod = Some(PendingMod {
                        direction,
                        kind: attr(e, "type").unwrap_or_else(|| "modification".into()),
                        source: None,
                        destination: None,
                        note: String::new(),
                    });
                    return Role::TextualMod;
                }
            }
            "source" | "destination" => {
                if let Some(m) = &mut self.current_mod {
                    let href = attr(e, "href");
                    if local == "source" {
                        m.source = href;
                    } else {
                        m.destination = href;
                    }
                }
            }
            "new" | "old" if self.current_mod.is_some() => {
                self.capture = Some((MetaField::ModNote, String::new()));
                return Role::MetaCapture;
            }
            _ => {}
        }
        Role::Meta
    }

    fn start_attachment_doc(&mut self, e: &BytesStart<'_>) {
        self.pending_attachment = false;
        let label = attr(e, "name").and_then(|n| non_empty(&n));
        if let Some((group, number)) = label.as_deref().and_then(article_attachment) {
            let index = match self.groups.get(group) {
                Some(&i) => i,
                None => {
                    // a code approved by the decree: its articles are the code's (`all1-art575`)
                    let id = match ids::code_in_attachment(self.b.work()) {
                        Some(_) if group.to_lowercase().starts_with("codice") => {
                            Some(ids::CODE_ATTACHMENT.to_string())
                        }
                        _ => annex_id(group),
                    };
                    self.b
                        .open_partition(PartitionKind::Attachment, id.as_deref(), None);
                    self.b.begin_heading();
                    self.b.text(group);
                    self.b.end_capture();
                    let i = self.b.current().unwrap_or_default();
                    self.b.close_partition();
                    self.groups.insert(group.to_string(), i);
                    i
                }
            };
            let prefix = self.b.partitions[index].id.clone();
            self.b.reopen(index);
            self.b.push_prefix(prefix);
            let id = format!("art{}", number.replace([' ', '-', '.'], ""));
            self.b
                .open_partition(PartitionKind::Article, Some(&id), None);
            self.b.begin_num();
            self.b.text(&format!("art. {number}"));
            self.b.end_capture();
            self.roles.push(Role::AttachmentArticle);
        } else {
            let id = label.as_deref().and_then(annex_id);
            self.b
                .open_partition(PartitionKind::Attachment, id.as_deref(), None);
            if let Some(label) = &label {
                self.b.begin_heading();
                self.b.text(label);
                self.b.end_capture();
            }
            let id = self
                .b
                .current()
                .map(|i| self.b.partitions[i].id.clone())
                .unwrap_or_default();
            self.b.push_prefix(id);
            self.roles.push(Role::AttachmentDoc);
        }
    }

    fn finish(mut self, text: &str) -> Result<Document, ParseFailure> {
        self.settle_work()
            .map_err(|m| ParseFailure::Invalid(ParseError::at(text, 0, m)))?;
        let work = self.b_work();
        let events = self
            .events
            .iter()
            .map(|raw| {
                let key = raw
                    .source
                    .as_deref()
                    .map(|s| s.trim_start_matches('#').to_string());
                let href = key
                    .as_ref()
                    .and_then(|k| self.ref_targets.get(k).cloned())
                    .or_else(|| raw.source.clone().filter(|s| !s.starts_with('#')));
                Event {
                    id: raw.id.clone(),
                    date: raw.date.clone(),
                    kind: raw.kind.clone(),
                    source: href.as_deref().and_then(|h| self.b.resolve(h).ok()),
                    source_href: href,
                }
            })
            .collect();
        let (original, conversion) = lifecycle_dates(&self.events);
        let modifications = self
            .mods
            .iter()
            .map(|m| Modification {
                direction: m.direction,
                kind: m.kind.clone(),
                source: m.source.as_deref().and_then(|h| self.b.resolve(h).ok()),
                destination: match m
                    .destination
                    .as_deref()
                    .and_then(|h| h.strip_prefix('#'))
                    .and_then(|frag| self.marked.get(frag))
                {
                    Some(partition) => Some(ids::Target {
                        work: work.clone(),
                        partition: Some(partition.clone()),
                    }),
                    None => m
                        .destination
                        .as_deref()
                        .and_then(|h| self.b.resolve(h).ok()),
                },
                source_href: m.source.clone(),
                destination_href: m.destination.clone(),
                date: match m.direction {
                    Direction::Active if m.note.contains("convertito con modificazioni") => {
                        conversion.clone()
                    }
                    Direction::Active => original.clone(),
                    Direction::Passive => None,
                },
                note: non_empty(&m.note),
            })
            .collect();
        if self.meta.doc_type.is_none() {
            self.meta.doc_type = self.root_type.clone();
        }
        let warnings = self.b.warnings(text);
        let (partitions, references, mentions) = self.b.finish();
        Ok(Document {
            semantics: Semantics {
                entities: self.entities,
                mentions,
                subjects: Vec::new(),
            },
            format: Format::Akn,
            namespace: self.namespace,
            work,
            component: None,
            meta: self.meta,
            partitions,
            references,
            events,
            modifications,
            warnings,
        })
    }

    fn b_work(&self) -> Work {
        self.b.work().clone()
    }
}

/// Refuses a document whose own identifier (`FRBRthis`, `FRBRuri`, a URN alias) holds what
/// no URN or IRI may: it would name the act by something no reference can meet.
fn check_identity(e: &BytesStart<'_>, local: &str) -> Result<(), String> {
    if !matches!(local, "FRBRthis" | "FRBRuri" | "FRBRalias") {
        return Ok(());
    }
    let Some(v) = attr(e, "value") else {
        return Ok(());
    };
    if local == "FRBRalias"
        && !(attr(e, "name").is_some_and(|n| n.to_ascii_lowercase().contains("urn"))
            || v.starts_with("urn:"))
    {
        // other aliases are names (`COM(2013) 619`), not identifiers
        return Ok(());
    }
    match ids::forbidden_char(&v) {
        Some((i, c)) => Err(format!(
            "{local} value {v:?} holds {c:?} (character {}), which no URN or IRI may hold",
            i + 1
        )),
        None => Ok(()),
    }
}

/// The canonical id of an annex named `Allegato X` (`Allegato I.1` → `alli1`), the way
/// references to it are normalised; other names (a code's own name) get a positional id.
fn annex_id(label: &str) -> Option<String> {
    if !label.trim_start().to_lowercase().starts_with("allegat") {
        return None;
    }
    ids::normalize_partition(label)
        .ok()
        .filter(|id| id.starts_with("all") && !id.contains('-'))
}

/// `Codice Penale-art. 3 bis` → (`Codice Penale`, `3 bis`): Normattiva codes keep each
/// article of the code in an attachment named this way.
fn article_attachment(label: &str) -> Option<(&str, &str)> {
    let at = label.rfind("-art")?;
    let group = label[..at].trim();
    let number = label[at + "-art".len()..].trim_start_matches('.').trim();
    if group.is_empty() || number.is_empty() || !number.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some((group, number))
}

impl Handler for Akn {
    fn start(&mut self, e: &BytesStart<'_>, local: &str, _empty: bool) -> Result<(), String> {
        if self.nested_meta > 0 {
            self.nested_meta += 1;
            if let Some(x) = entity(e, local) {
                self.entities.push(x);
            }
            self.roles.push(Role::NestedMeta);
            return Ok(());
        }
        if self.in_meta > 0 {
            self.in_meta += 1;
            if self.notes > 0 || local == "notes" {
                // footnotes kept in <meta><notes>: their references are the act's
                self.notes += 1;
                let role = match local {
                    "ref" if self.b.open_ref(attr(e, "href").unwrap_or_default()) => Role::Ref,
                    _ => Role::Note,
                };
                self.roles.push(role);
                return Ok(());
            }
            check_identity(e, local)?;
            let role = self.start_meta(e, local);
            if let Role::ModificationList(d) = role {
                self.mod_direction = Some(d);
            }
            self.roles.push(role);
            return Ok(());
        }
        if self.pending_attachment {
            self.start_attachment_doc(e);
            return Ok(());
        }
        let parent_is_partition = matches!(
            self.roles.last(),
            Some(Role::Partition) | Some(Role::AttachmentArticle)
        );
        let role = match local {
            "meta" if self.attachment_depth > 0 => {
                self.nested_meta = 1;
                Role::NestedMeta
            }
            "meta" => {
                self.in_meta = 1;
                Role::Meta
            }
            "act" | "bill" | "doc" | "judgment" | "debate" | "debateReport" | "amendment"
            | "amendmentList" | "officialGazette" | "documentCollection" | "portion"
            | "statement"
                if self.roles.len() == 1 =>
            {
                self.root_type = Some(local.to_string());
                Role::Level
            }
            "attachment" | "annex" => {
                self.attachment_depth += 1;
                self.pending_attachment = true;
                Role::Level
            }
            "quotedStructure" | "quotedText" | "embeddedStructure" => {
                self.b.open_quoted();
                Role::Quoted
            }
            "ref" => {
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
            "heading" if parent_is_partition => {
                if self.b.begin_heading() {
                    Role::Capture
                } else {
                    Role::Other
                }
            }
            "docTitle" if self.attachment_depth == 0 && !self.b.in_quoted() => {
                self.capture = Some((MetaField::Title, String::new()));
                Role::MetaCapture
            }
            "docType" if self.attachment_depth == 0 && !self.b.in_quoted() => {
                self.capture = Some((MetaField::DocType, String::new()));
                Role::MetaCapture
            }
            "docNumber" if self.attachment_depth == 0 && !self.b.in_quoted() => {
                self.capture = Some((MetaField::DocNumber, String::new()));
                Role::MetaCapture
            }
            "ins" | "del" => {
                if let (Some(id), Some(i)) =
                    (attr(e, "eId").or_else(|| attr(e, "id")), self.b.current())
                {
                    self.marked.insert(id, self.b.partitions[i].id.clone());
                }
                Role::Other
            }
            "docDate" if self.attachment_depth == 0 && !self.b.in_quoted() => {
                if self.meta.date.is_none() {
                    self.meta.date = attr(e, "date").and_then(|d| iso_date(&d));
                }
                Role::Other
            }
            _ if is_mention(local) => {
                let value = match local {
                    "date" => attr(e, "date"),
                    "quantity" => attr(e, "normalized"),
                    _ => None,
                };
                if self
                    .b
                    .open_mention(local, attr(e, "refersTo"), attr(e, "as"), value)
                {
                    Role::Mention
                } else {
                    Role::Other
                }
            }
            _ => match partition_kind(local) {
                Some(kind) => {
                    let id = attr_borrowed(e, "eId").or_else(|| attr_borrowed(e, "id"));
                    if self.b.open_partition(kind, id.as_deref(), None) {
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
        let Some(role) = self.roles.pop() else { return };
        if self.notes > 0 {
            self.notes -= 1;
            self.in_meta = self.in_meta.saturating_sub(1);
            if role == Role::Ref {
                self.b.close_ref();
            }
            return;
        }
        match role {
            Role::NestedMeta => {
                self.nested_meta = self.nested_meta.saturating_sub(1);
            }
            Role::Meta | Role::ModificationList(_) | Role::TextualMod if self.in_meta > 0 => {
                self.in_meta -= 1;
                match role {
                    Role::ModificationList(_) => self.mod_direction = None,
                    Role::TextualMod => {
                        if let Some(m) = self.current_mod.take() {
                            self.mods.push(m);
                        }
                    }
                    _ => {}
                }
                if self.in_meta == 0 {
                    // the main <meta> closed: name the work before the body is read
                    let _ = self.settle_work();
                }
            }
            Role::MetaCapture => {
                if self.in_meta > 0 {
                    self.in_meta -= 1;
                }
                if let Some((field, value)) = self.capture.take() {
                    let value = value.trim().to_string();
                    match field {
                        MetaField::Title => {
                            if self.meta.title.is_none() {
                                self.meta.title = non_empty(&value);
                            }
                        }
                        MetaField::DocType => {
                            if self.meta.doc_type.is_none() {
                                self.meta.doc_type = non_empty(&value);
                            }
                        }
                        MetaField::DocNumber => {
                            if self.meta.number.is_none() {
                                self.meta.number = non_empty(
                                    value.trim_start_matches(|c: char| !c.is_ascii_digit()),
                                );
                            }
                        }
                        MetaField::ModNote => {
                            if let Some(m) = &mut self.current_mod {
                                xml::push_break(&mut m.note);
                                m.note.push_str(&value);
                            }
                        }
                    }
                }
            }
            Role::Partition => self.b.close_partition(),
            Role::Capture => self.b.end_capture(),
            Role::Quoted => self.b.close_quoted(),
            Role::Ref => self.b.close_ref(),
            Role::Mention => self.b.close_mention(),
            Role::AttachmentArticle => {
                self.b.close_partition();
                self.b.pop_prefix();
                self.b.close_partition();
            }
            Role::AttachmentDoc => {
                self.b.pop_prefix();
                self.b.close_partition();
            }
            Role::Level => {
                if local == "attachment" || local == "annex" {
                    self.attachment_depth = self.attachment_depth.saturating_sub(1);
                    self.pending_attachment = false;
                }
            }
            Role::Other
            | Role::Note
            | Role::Meta
            | Role::ModificationList(_)
            | Role::TextualMod => {}
        }
        if is_block(local) {
            self.b.block_break();
        }
    }

    fn position(&mut self, offset: usize) {
        self.b.set_offset(offset);
    }

    fn text(&mut self, s: &str) {
        if self.nested_meta > 0 {
            return;
        }
        if let Some((_, buf)) = &mut self.capture {
            xml::push_collapsed(buf, s);
            if self.in_meta > 0 {
                return;
            }
        }
        if self.notes > 0 {
            // only the wording of the notes' references is kept
            self.b.text(s);
            return;
        }
        if self.in_meta > 0 {
            return;
        }
        self.b.text(s);
    }
}

/// The dates an active modification of a Normattiva export can take: the act's first
/// lifecycle event (its own publication) for what the act itself enacted, and the first event
/// with another source (the conversion law) for what the conversion added.
fn lifecycle_dates(events: &[super::RawEvent]) -> (Option<String>, Option<String>) {
    let Some(first) = events.first() else {
        return (None, None);
    };
    let conversion = events
        .iter()
        .find(|e| e.source != first.source)
        .and_then(|e| e.date.clone());
    (first.date.clone(), conversion)
}

#[cfg(test)]
mod tests {
    use super::article_attachment;

    #[test]
    fn annex_ids_follow_reference_normalisation() {
        assert_eq!(super::annex_id("Allegato 1").as_deref(), Some("all1"));
        assert_eq!(
            super::annex_id("Allegato I.1").as_deref(),
            crate::ids::normalize_partition("#Allegato I.1-art. 2")
                .ok()
                .as_deref()
                .and_then(|id| id.strip_suffix("-art2"))
        );
        assert_eq!(super::annex_id("Codice Penale"), None);
    }

    #[test]
    fn code_articles_in_attachments() {
        assert_eq!(
            article_attachment("Codice Penale-art. 3 bis"),
            Some(("Codice Penale", "3 bis"))
        );
        assert_eq!(
            article_attachment("Allegato I.1-art. 2"),
            Some(("Allegato I.1", "2"))
        );
        assert_eq!(
            article_attachment("Allegato I.4-art 1"),
            Some(("Allegato I.4", "1"))
        );
        assert_eq!(article_attachment("Allegato 1"), None);
        assert_eq!(article_attachment("Quadro-articolato"), None);
    }
}
