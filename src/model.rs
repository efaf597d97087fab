//! The format-neutral document model: what both parsers produce and everything downstream
//! (RDF mapping, reports, later the text index) consumes.

use crate::ids::{Target, Work};

/// The source format a document was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Akoma Ntoso 3.0 (OASIS namespace or one of its drafts).
    Akn,
    /// NormeInRete 2.0 – 2.2.
    Nir,
}

impl Format {
    /// A short lowercase name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::Akn => "akn",
            Format::Nir => "nir",
        }
    }
}

/// One legal document (an act, a bill, a judgment...) as read from one file.
#[derive(Debug, Clone)]
pub struct Document {
    /// The format it was read from.
    pub format: Format,
    /// The XML namespace of the root element (tells AKN drafts apart).
    pub namespace: String,
    /// The work this document is an expression of: its canonical identity.
    pub work: Work,
    /// Which document of the work this is, when the source says it is not the act itself
    /// (an annex such as `codice.penale`, or a dated version `entrata.vigore;2001-08-07`):
    /// it gets a graph of its own.
    pub component: Option<String>,
    /// Act metadata.
    pub meta: ActMeta,
    /// Every partition, parents before children, in document order.
    pub partitions: Vec<Partition>,
    /// Every reference found in the text (quoted text excluded).
    pub references: Vec<Reference>,
    /// Lifecycle (AKN `lifecycle/eventRef`) or NIR `ciclodivita/eventi` events.
    pub events: Vec<Event>,
    /// Active and passive modifications declared in the metadata.
    pub modifications: Vec<Modification>,
    /// The semantic markup: AKN top-level classes, inline mentions, definitions, subjects.
    pub semantics: Semantics,
    /// What was accepted but is worth saying (a duplicate id kept under another one).
    pub warnings: Vec<crate::xml::ParseError>,
}

/// The semantic markup of a document (quoted text excluded, as for references).
#[derive(Debug, Clone, Default)]
pub struct Semantics {
    /// AKN `<references>` top-level classes (`TLCPerson`, `TLCConcept`...), in document order.
    pub entities: Vec<Entity>,
    /// Inline semantic elements (`term`, `def`, `person`, `role`, `date`...; NIR `def`).
    pub mentions: Vec<Mention>,
    /// NIR subject descriptors (`descrittori/materie/materia`).
    pub subjects: Vec<Subject>,
}

/// The kinds of AKN top-level class (TLC), each an ALLOT class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityKind {
    /// `TLCPerson`.
    Person,
    /// `TLCOrganization`.
    Organization,
    /// `TLCRole`.
    Role,
    /// `TLCConcept`.
    Concept,
    /// `TLCLocation`.
    Location,
    /// `TLCTerm`.
    Term,
    /// `TLCEvent`.
    Event,
    /// `TLCReference`.
    Reference,
    /// `TLCObject`.
    Object,
    /// `TLCProcess`.
    Process,
}

impl EntityKind {
    /// The kind of a TLC element by its local name (`TLCPerson` → `Person`).
    pub fn from_element(local: &str) -> Option<EntityKind> {
        Some(match local.strip_prefix("TLC")? {
            "Person" => EntityKind::Person,
            "Organization" => EntityKind::Organization,
            "Role" => EntityKind::Role,
            "Concept" => EntityKind::Concept,
            "Location" => EntityKind::Location,
            "Term" => EntityKind::Term,
            "Event" => EntityKind::Event,
            "Reference" => EntityKind::Reference,
            "Object" => EntityKind::Object,
            "Process" => EntityKind::Process,
            _ => return None,
        })
    }

    /// The local name of its class in the ALLOT ontology.
    pub fn allot_class(self) -> &'static str {
        match self {
            EntityKind::Person => "Person",
            EntityKind::Organization => "Organization",
            EntityKind::Role => "Role",
            EntityKind::Concept => "Concept",
            EntityKind::Location => "Location",
            EntityKind::Term => "Term",
            EntityKind::Event => "Event",
            EntityKind::Reference => "Reference",
            EntityKind::Object => "Object",
            EntityKind::Process => "Process",
        }
    }
}

/// One AKN top-level class: an entity the document's inline markup refers to.
#[derive(Debug, Clone)]
pub struct Entity {
    /// Its kind (ALLOT class).
    pub kind: EntityKind,
    /// Its `eId` (or `id`) within the document: what `refersTo="#id"` names.
    pub id: String,
    /// Its `href` (an ontology IRI, often relative such as `/akn/ontology/person/...`).
    pub href: Option<String>,
    /// Its `showAs` label.
    pub show_as: Option<String>,
}

/// One inline semantic element in the text.
#[derive(Debug, Clone)]
pub struct Mention {
    /// The element name (`term`, `def`, `person`, `organization`, `role`, `location`, `date`,
    /// `quantity`, `concept`, `entity`, `event`, `object`, `process`).
    pub element: String,
    /// Index of the innermost partition holding it (None: outside partitions).
    pub from: Option<usize>,
    /// The id it refers to (`refersTo` without `#`).
    pub refers_to: Option<String>,
    /// The role a person acts in (`as`, without `#`).
    pub role: Option<String>,
    /// A normalised value the markup gives (`date` of a date, `normalized` of a quantity).
    pub value: Option<String>,
    /// The surface text, whitespace normalised.
    pub text: String,
}

/// A subject descriptor (NIR `materia`) with its vocabulary.
#[derive(Debug, Clone)]
pub struct Subject {
    /// The vocabulary (`materie/@vocabolario`).
    pub vocabulary: Option<String>,
    /// The subject as written (`materia/@valore`).
    pub value: String,
}

/// Descriptive metadata of an act.
#[derive(Debug, Clone, Default)]
pub struct ActMeta {
    /// The document type as the source names it (`DECRETO LEGISLATIVO`, `act`, `bill`...).
    pub doc_type: Option<String>,
    /// The type of document in the canonical identifier (e.g. `decreto.legislativo`).
    pub canonical_type: Option<String>,
    /// The issuing authority (e.g. `stato`).
    pub authority: Option<String>,
    /// The date of the act, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The act number as printed.
    pub number: Option<String>,
    /// The title.
    pub title: Option<String>,
    /// Publication (official journal) details.
    pub publication: Option<Publication>,
    /// The expression date (AKN `FRBRExpression/FRBRdate`, the consolidation date).
    pub expression_date: Option<String>,
    /// Date of entry into force (NIR `entratainvigore`).
    pub entry_into_force: Option<String>,
    /// Every URN:NIR the document declares for itself, as written.
    pub urns: Vec<String>,
    /// Every AKN FRBR IRI it declares (work, expression, manifestation), as written.
    pub akn_iris: Vec<String>,
    /// Every ELI it declares, as written.
    pub elis: Vec<String>,
    /// Other works the document declares itself to be (e.g. a second URN with another type):
    /// linked to the canonical work by `owl:sameAs`.
    pub aliases: Vec<Work>,
}

/// Where an act was published.
#[derive(Debug, Clone, Default)]
pub struct Publication {
    /// The journal (e.g. `GU`).
    pub journal: Option<String>,
    /// Publication date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Issue number.
    pub number: Option<String>,
}

/// The kinds of partition, from book down to item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartitionKind {
    /// A book (`libro`).
    Book,
    /// A part (`parte`).
    Part,
    /// A title (`titolo`).
    Title,
    /// A chapter (`capo`).
    Chapter,
    /// A section (`sezione`).
    Section,
    /// A subsection.
    Subsection,
    /// An article (`articolo`).
    Article,
    /// A comma / paragraph.
    Paragraph,
    /// A point or letter (`el`, `en`, AKN `point`).
    Point,
    /// An item below a point (`ep`, AKN `item`, `indent`).
    Item,
    /// An attachment (annex) of the act.
    Attachment,
    /// Any other hierarchical container (AKN `hcontainer`, `division`, `rule`, ...).
    Container,
}

impl PartitionKind {
    /// The local name of the class in the paesi ontology.
    pub fn class_name(self) -> &'static str {
        match self {
            PartitionKind::Book => "Book",
            PartitionKind::Part => "Part",
            PartitionKind::Title => "Title",
            PartitionKind::Chapter => "Chapter",
            PartitionKind::Section => "Section",
            PartitionKind::Subsection => "Subsection",
            PartitionKind::Article => "Article",
            PartitionKind::Paragraph => "Paragraph",
            PartitionKind::Point => "Point",
            PartitionKind::Item => "Item",
            PartitionKind::Attachment => "Attachment",
            PartitionKind::Container => "Container",
        }
    }

    /// The component prefix of canonical partition ids (`art`, `com`, `let`...).
    pub fn id_prefix(self) -> &'static str {
        match self {
            PartitionKind::Book => "lib",
            PartitionKind::Part => "prt",
            PartitionKind::Title => "tit",
            PartitionKind::Chapter => "cap",
            PartitionKind::Section => "sez",
            PartitionKind::Subsection => "ssez",
            PartitionKind::Article => "art",
            PartitionKind::Paragraph => "com",
            PartitionKind::Point => "let",
            PartitionKind::Item => "itm",
            PartitionKind::Attachment => "all",
            PartitionKind::Container => "blk",
        }
    }
}

/// One partition of the act (article, comma, point...).
#[derive(Debug, Clone)]
pub struct Partition {
    /// Canonical partition id within the act (`art5-com2-leta`).
    pub id: String,
    /// What kind of partition it is.
    pub kind: PartitionKind,
    /// Index in `Document::partitions` of the parent partition (None: child of the act).
    pub parent: Option<usize>,
    /// The number as printed (`2-bis`, `1.`, `Art. 5`).
    pub num: Option<String>,
    /// The heading (`rubrica`).
    pub heading: Option<String>,
    /// Its own plain text (not its children's), whitespace normalised.
    pub text: String,
    /// The id the source gave it (`eId`, `id`), as written.
    pub source_id: Option<String>,
    /// Text versions, for multi-version sources (NIR `iniziovigore`/`finevigore`).
    pub versions: Vec<Version>,
    /// Start of the period the partition exists, where the source says (`YYYY-MM-DD`).
    pub in_force_from: Option<String>,
    /// End of that period, once repealed.
    pub in_force_until: Option<String>,
}

/// One text version of a partition.
#[derive(Debug, Clone)]
pub struct Version {
    /// First day this text is in force.
    pub from: Option<String>,
    /// Day it stops being in force.
    pub until: Option<String>,
    /// The number as printed in this version.
    pub num: Option<String>,
    /// The heading in this version.
    pub heading: Option<String>,
    /// The text of this version.
    pub text: String,
    /// The source status, e.g. `abrogato`.
    pub status: Option<String>,
    /// The act whose amendment brought this text into force, when the source says.
    pub introduced_by: Option<Target>,
    /// The act whose amendment ended it.
    pub ended_by: Option<Target>,
}

/// A reference in the text (`ref`, `rif`, inside `mref` / `mrif` too).
#[derive(Debug, Clone)]
pub struct Reference {
    /// Index of the innermost partition holding it (None: outside any partition, e.g. preamble).
    pub from: Option<usize>,
    /// The reference as written.
    pub href: String,
    /// Where it points, when the identifier could be resolved.
    pub target: Option<Target>,
    /// Why it could not be resolved.
    pub unresolved: Option<String>,
    /// The text of the reference.
    pub text: String,
}

/// A lifecycle event.
#[derive(Debug, Clone)]
pub struct Event {
    /// Source id (`t1`, `eventRef_0`).
    pub id: String,
    /// Date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Event type (`entrata in vigore`, `modifica`, `generation`, `amendment`...).
    pub kind: Option<String>,
    /// The act that caused it, when known.
    pub source: Option<Target>,
    /// The source reference as written.
    pub source_href: Option<String>,
}

/// Whether a modification is made by this document or suffered by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// This document amends another (`activeModifications`).
    Active,
    /// This document is amended (`passiveModifications`, `modifichepassive`).
    Passive,
}

/// A textual modification declared in the metadata.
#[derive(Debug, Clone)]
pub struct Modification {
    /// Active or passive.
    pub direction: Direction,
    /// `insertion`, `substitution`, `repeal`... as the source says.
    pub kind: String,
    /// The amending provision.
    pub source: Option<Target>,
    /// The amended provision.
    pub destination: Option<Target>,
    /// Hrefs as written (source, destination), kept even when unresolvable.
    pub source_href: Option<String>,
    /// The destination as written.
    pub destination_href: Option<String>,
    /// The date it applies from, when known.
    pub date: Option<String>,
    /// Free text describing it (Normattiva's `nakn:text`).
    pub note: Option<String>,
}

impl Document {
    /// Number of partitions of a given kind.
    pub fn count(&self, kind: PartitionKind) -> usize {
        self.partitions.iter().filter(|p| p.kind == kind).count()
    }

    /// The canonical IRI of a partition of this document.
    pub fn partition_iri(&self, index: usize) -> String {
        self.work.partition_iri(&self.partitions[index].id)
    }
}
