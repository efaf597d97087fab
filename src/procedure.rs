//! What operators ask of the catalogue, both ways: a procedure and the norms that govern it
//! (with their text in force on a day), a norm and the procedures that rest on it, and the
//! acts the catalogue or the corpus needs but the knowledge base lacks. Everything is read
//! with SPARQL over the RDF contract, so the answers are those a researcher's query gives,
//! from a [`Source`]: the local store, or a remote endpoint holding the pushed graphs.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalogue::CV;
use crate::ids;
use crate::rdf::{ELI, PAESI};
use crate::source::{Source, SourceError};
use crate::store::StoreError;

const DCT: &str = "http://purl.org/dc/terms/";
const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";

/// Why a lookup could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    /// The store failed.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The remote endpoint asked instead of the store failed (`--endpoint`).
    #[error("{0}")]
    Remote(#[from] crate::remote::query::RemoteQueryError),
    /// The identifier does not parse.
    #[error("{0}")]
    Identifier(#[from] ids::IdError),
    /// Nothing with that identifier is in the knowledge base.
    #[error("{0} is not in the knowledge base")]
    NotFound(String),
}

impl From<SourceError> for LookupError {
    fn from(e: SourceError) -> LookupError {
        match e {
            SourceError::Store(e) => LookupError::Store(e),
            SourceError::Remote(e) => LookupError::Remote(e),
        }
    }
}

/// The address of an act on Normattiva, for acts the knowledge base does not hold.
pub fn normattiva_link(urn: &str) -> String {
    format!("https://www.normattiva.it/uri-res/N2Ls?{urn}")
}

/// A procedure in a list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProcedureSummary {
    /// Its identifier (`ricongiungimento-nulla-osta`).
    pub id: String,
    /// Its IRI.
    pub iri: String,
    /// Its title in the language asked for.
    pub title: String,
    /// Its categories (labels).
    pub categories: Vec<String>,
}

/// The procedures of the catalogue, filtered by words (all must occur in the title or
/// description, in any language, accents and case ignored) and by category (its label or IRI
/// contains the text).
pub fn list(
    kb: &dyn Source,
    words: &[String],
    category: Option<&str>,
    lang: &str,
) -> Result<Vec<ProcedureSummary>, LookupError> {
    // DISTINCT: a procedure two graphs describe (a catalogue file and a fixture naming the
    // same IRI) is one procedure, though the union of the graphs states it twice
    let rows = kb.string_rows(&format!(
        "SELECT DISTINCT ?p ?id WHERE {{ ?p a <{PAESI}Procedure> ; <{DCT}identifier> ?id }} ORDER BY ?id"
    ))?;
    let mut out = Vec::new();
    let words: Vec<String> = words.iter().map(|w| fold(w)).collect();
    for row in rows {
        let (Some(iri), Some(id)) = (row[0].clone(), row[1].clone()) else {
            continue;
        };
        let texts = kb.string_rows(&format!(
            "SELECT ?t WHERE {{ {{ <{iri}> <{DCT}title> ?t }} UNION {{ <{iri}> <{DCT}description> ?t }} }}"
        ))?;
        let haystack = fold(
            &texts
                .iter()
                .filter_map(|r| r[0].clone())
                .collect::<Vec<_>>()
                .join(" "),
        );
        if !words.iter().all(|w| haystack.contains(w.as_str())) {
            continue;
        }
        let categories = categories(kb, &iri, lang)?;
        if let Some(c) = category {
            let c = fold(c);
            if !categories
                .iter()
                .any(|(i, l)| fold(i).contains(&c) || fold(l).contains(&c))
            {
                continue;
            }
        }
        out.push(ProcedureSummary {
            id,
            title: label(kb, &iri, &[&format!("{DCT}title")], lang)?.unwrap_or_default(),
            iri,
            categories: categories.into_iter().map(|(_, l)| l).collect(),
        });
    }
    Ok(out)
}

/// One legal basis of a procedure, as in force on the day asked about.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LegalBasisView {
    /// The URN:NIR as the catalogue writes it.
    pub urn: String,
    /// The canonical IRI of the partition it names.
    pub norm: String,
    /// Its role (label).
    pub role: Option<String>,
    /// What it rules for the procedure, as the catalogue says.
    pub comment: Option<String>,
    /// The partition's number and heading as the KB has them.
    pub heading: Option<String>,
    /// Its Italian citation (`art. 29, comma 1, D.Lgs. 25 luglio 1998, n. 286`).
    pub citation: Option<String>,
    /// True when the partition is in the knowledge base.
    pub in_kb: bool,
    /// True when its act is in the knowledge base.
    pub act_in_kb: bool,
    /// The text in force on the day asked about, with the partitions inside it (None when not
    /// in the KB or not in force).
    pub text: Option<String>,
    /// The latest modification of the partition (or of the article holding it), if any.
    pub last_amendment: Option<Amendment>,
    /// Where to read it on Normattiva when the act is not in the KB.
    pub normattiva: Option<String>,
    /// What the catalogue says of it is `unverified` or `outdated` (None: nothing marked).
    pub verification: Option<String>,
}

/// A textual modification of a partition.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Amendment {
    /// The partition modified.
    pub destination: String,
    /// `insertion`, `substitution`, `repeal`...
    pub kind: String,
    /// The amending provision.
    pub source: Option<String>,
    /// When.
    pub date: Option<String>,
}

/// A property of a procedure with its values (labels in the language asked for).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PropertyView {
    /// The property IRI.
    pub property: String,
    /// Its values: a label or literal each.
    pub values: Vec<String>,
}

/// A procedure with everything the catalogue says of it and its norms on a day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProcedureView {
    /// Identifier.
    pub id: String,
    /// IRI.
    pub iri: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// The day the norms' texts are given for.
    pub at: String,
    /// Every other property, in property order (authority, inputs, output, costs...).
    pub properties: Vec<PropertyView>,
    /// Its legal bases, in catalogue order of URN.
    pub legal_bases: Vec<LegalBasisView>,
    /// Each time limit, validity, amount and authority it states, with the comma that states
    /// it and its verification state.
    pub figures: Vec<crate::figure::FigureView>,
}

/// A procedure by identifier (or IRI), its norms as in force on `at` (`YYYY-MM-DD`).
pub fn show(kb: &dyn Source, id: &str, at: &str, lang: &str) -> Result<ProcedureView, LookupError> {
    let iri = procedure_iri(kb, id)?;
    let dct_id = kb.string_rows(&format!(
        "SELECT ?id WHERE {{ <{iri}> <{DCT}identifier> ?id }}"
    ))?;
    let id = dct_id
        .into_iter()
        .find_map(|r| r[0].clone())
        .unwrap_or_else(|| id.to_string());
    let title = label(kb, &iri, &[&format!("{DCT}title")], lang)?.unwrap_or_default();
    let description = label(kb, &iri, &[&format!("{DCT}description")], lang)?;
    let skip = [
        format!("{DCT}title"),
        format!("{DCT}description"),
        format!("{DCT}identifier"),
        format!("{PAESI}legalBasis"),
        format!("{CV}hasLegalResource"),
        // stated, with its basis and verification, by the figures
        format!("{PAESI}figure"),
        format!("{CV}processingTime"),
    ];
    let properties = properties_of(kb, &iri, &skip, lang)?;
    // (urn, norm) → (role, comments by language, verification)
    type Basis = (Option<String>, Vec<(String, String)>, Option<String>);
    let mut bases: BTreeMap<(String, String), Basis> = BTreeMap::new();
    let mut rows = kb.string_rows(&format!(
        "SELECT ?urn ?norm ?r ?c (LANG(?c) AS ?cl) ?ver WHERE {{ <{iri}> <{PAESI}legalBasis> ?b .
           ?b <{PAESI}urn> ?urn ; <{PAESI}norm> ?norm .
           OPTIONAL {{ ?b <{PAESI}role> ?r }} OPTIONAL {{ ?b <{RDFS}comment> ?c }}
           OPTIONAL {{ ?b <{PAESI}verification> ?ver }} }}"
    ))?;
    // a URN the procedure names twice, with two roles, shows the first role in code-point
    // order (whatever order the store answers in)
    rows.sort();
    for row in rows {
        let (Some(urn), Some(norm)) = (row[0].clone(), row[1].clone()) else {
            continue;
        };
        let e = bases.entry((urn, norm)).or_default();
        if e.0.is_none() {
            e.0 = row[2].clone();
        }
        if let Some(c) = row[3].clone() {
            e.1.push((row[4].clone().unwrap_or_default(), c));
        }
        if e.2.is_none() {
            e.2 = row[5].clone();
        }
    }
    let mut legal_bases = Vec::new();
    for ((urn, norm), (role, comments, verification)) in bases {
        let role = match role {
            Some(r) => Some(
                label(
                    kb,
                    &r,
                    &[&format!("{SKOS}prefLabel"), &format!("{RDFS}label")],
                    lang,
                )?
                .unwrap_or(r),
            ),
            None => None,
        };
        let comment = pick_lang(&comments, lang);
        let mut view = basis_view(kb, urn, norm, role, comment, at)?;
        view.verification = verification;
        legal_bases.push(view);
    }
    let figures = crate::figure::figures(kb, &iri, lang)?;
    Ok(ProcedureView {
        id,
        iri,
        title,
        description,
        at: at.to_string(),
        properties,
        legal_bases,
        figures,
    })
}

fn basis_view(
    kb: &dyn Source,
    urn: String,
    norm: String,
    role: Option<String>,
    comment: Option<String>,
    at: &str,
) -> Result<LegalBasisView, LookupError> {
    let act = ids::act_iri_of(&norm);
    let act_in_kb = match &act {
        Some(a) => {
            kb.count(&format!(
                "SELECT (COUNT(*) AS ?n) WHERE {{ <{a}> <{PAESI}sourceFormat> ?f }}"
            ))? > 0
        }
        None => false,
    };
    let in_kb = (act_in_kb && act.as_deref() == Some(norm.as_str()))
        || kb.count(&format!(
            "SELECT (COUNT(*) AS ?n) WHERE {{ <{norm}> <{PAESI}act> ?a }}"
        ))? > 0;
    let heading = kb
        .string_rows(&format!(
            "SELECT ?n ?h WHERE {{ OPTIONAL {{ <{norm}> <{ELI}number> ?n }} OPTIONAL {{ <{norm}> <{ELI}title> ?h }} }} LIMIT 1"
        ))?
        .into_iter()
        .next()
        .map(|r| {
            [r[0].clone(), r[1].clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|s| !s.is_empty());
    let text = if in_kb {
        full_text_at(kb, &norm, at)?
    } else {
        None
    };
    let last_amendment = amendments(kb, &norm)?.into_iter().last();
    let citation = crate::act::citation(kb, &norm, Some(&urn))?;
    let normattiva = (!act_in_kb).then(|| {
        let act_urn = urn.split('~').next().unwrap_or(&urn);
        normattiva_link(act_urn)
    });
    Ok(LegalBasisView {
        urn,
        norm,
        role,
        comment,
        heading,
        citation,
        in_kb,
        act_in_kb,
        text,
        last_amendment,
        normattiva,
        verification: None,
    })
}

/// The whole text of a partition on `at`: its own text followed by that of every partition
/// inside it in force then (a comma with its letters), one per line, in document order.
/// None when the partition itself is not in force on that day.
pub fn full_text_at(
    kb: &dyn Source,
    partition: &str,
    at: &str,
) -> Result<Option<String>, LookupError> {
    if !is_in_force(kb, partition, at)? {
        return Ok(None);
    }
    let mut lines: Vec<String> = text_at(kb, partition, at)?.into_iter().collect();
    let parts = kb.string_rows(&format!(
        "SELECT ?d ?n WHERE {{ ?d <{ELI}is_part_of>+ <{partition}> ; <{PAESI}order> ?o .
           OPTIONAL {{ ?d <{ELI}number> ?n }} }} ORDER BY ?o"
    ))?;
    for row in parts {
        let Some(d) = row[0].as_deref() else { continue };
        if let Some(t) = text_at(kb, d, at)?.filter(|t| !t.is_empty()) {
            lines.push(match &row[1] {
                Some(n) => format!("{n} {t}"),
                None => t,
            });
        }
    }
    Ok(Some(lines.join("\n")))
}

/// True when a partition is in force on `at`: through one of its versions when it has some,
/// else by its own period (no period: always).
pub fn is_in_force(kb: &dyn Source, partition: &str, at: &str) -> Result<bool, LookupError> {
    let day = format!("\"{at}\"^^<http://www.w3.org/2001/XMLSchema#date>");
    Ok(kb.count(&format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{
           {{ <{partition}> <{PAESI}version> ?v .
              OPTIONAL {{ ?v <{ELI}first_date_entry_in_force> ?from }}
              OPTIONAL {{ ?v <{ELI}date_no_longer_in_force> ?until }} }}
           UNION
           {{ FILTER NOT EXISTS {{ <{partition}> <{PAESI}version> ?any }}
              <{partition}> <{PAESI}act> ?act .
              OPTIONAL {{ <{partition}> <{ELI}first_date_entry_in_force> ?from }}
              OPTIONAL {{ <{partition}> <{ELI}date_no_longer_in_force> ?until }} }}
           FILTER((!BOUND(?from) || ?from <= {day}) && (!BOUND(?until) || ?until > {day}))
         }}"
    ))? > 0)
}

/// The text of a partition in force on `at`: the version in force then, or, for a partition
/// without versions, its own text when its period (if any) contains the day.
pub fn text_at(kb: &dyn Source, partition: &str, at: &str) -> Result<Option<String>, LookupError> {
    Ok(in_force(kb, partition, at)?.map(|(_, t)| t))
}

/// The node holding the text of a partition in force on `at` (the version in force, or the
/// partition itself when it has no versions) and that text.
pub fn in_force(
    kb: &dyn Source,
    partition: &str,
    at: &str,
) -> Result<Option<(String, String)>, LookupError> {
    let day = format!("\"{at}\"^^<http://www.w3.org/2001/XMLSchema#date>");
    let rows = kb.string_rows(&format!(
        "SELECT ?n ?t WHERE {{
           {{ <{partition}> <{PAESI}version> ?n . ?n <{PAESI}text> ?t .
              OPTIONAL {{ ?n <{ELI}first_date_entry_in_force> ?from }}
              OPTIONAL {{ ?n <{ELI}date_no_longer_in_force> ?until }} }}
           UNION
           {{ FILTER NOT EXISTS {{ <{partition}> <{PAESI}version> ?any }}
              BIND(<{partition}> AS ?n)
              <{partition}> <{PAESI}text> ?t .
              OPTIONAL {{ <{partition}> <{ELI}first_date_entry_in_force> ?from }}
              OPTIONAL {{ <{partition}> <{ELI}date_no_longer_in_force> ?until }} }}
           FILTER((!BOUND(?from) || ?from <= {day}) && (!BOUND(?until) || ?until > {day}))
         }} ORDER BY DESC(?from) LIMIT 1"
    ))?;
    Ok(rows.into_iter().find_map(|r| match (&r[0], &r[1]) {
        (Some(n), Some(t)) => Some((n.clone(), t.clone())),
        _ => None,
    }))
}

/// One annotation of a text, as stored (`paesi:annotation`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AnnotationView {
    /// `time-limit`, `amount`, `authority`, `permit`.
    pub kind: String,
    /// Start, in characters of the text.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
    /// The text covered.
    pub text: String,
    /// The normalised value: an `xsd:duration`, a decimal, or an IRI.
    pub value: String,
    /// For a time limit in days: the days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<u64>,
    /// For an amount: the currency IRI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// For a time limit: the words qualifying it (`entro`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<String>,
    /// For a permit type: the catalogue procedure issuing it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub procedure: Option<String>,
}

/// The annotations stored on a node (a partition or a version), by offset.
pub fn annotations(kb: &dyn Source, node: &str) -> Result<Vec<AnnotationView>, LookupError> {
    let rows = kb.string_rows(&format!(
        "SELECT ?c ?s ?e ?x ?v ?d ?cur ?q ?p WHERE {{ <{node}> <{PAESI}annotation> ?a .
           ?a a ?c ; <{PAESI}start> ?s ; <{PAESI}end> ?e ; <{PAESI}surface> ?x ; <{PAESI}value> ?v .
           OPTIONAL {{ ?a <{PAESI}days> ?d }} OPTIONAL {{ ?a <{PAESI}currency> ?cur }}
           OPTIONAL {{ ?a <{PAESI}qualifier> ?q }} OPTIONAL {{ ?a <{PAESI}procedure> ?p }} }}"
    ))?;
    let mut out: Vec<AnnotationView> = rows
        .into_iter()
        .filter_map(|r| {
            let class = r[0].as_deref()?.strip_prefix(PAESI)?;
            let kind = match class {
                "TimeLimitAnnotation" => "time-limit",
                "AmountAnnotation" => "amount",
                "AuthorityAnnotation" => "authority",
                "PermitAnnotation" => "permit",
                _ => return None,
            };
            Some(AnnotationView {
                kind: kind.to_string(),
                start: r[1].as_deref()?.parse().ok()?,
                end: r[2].as_deref()?.parse().ok()?,
                text: r[3].clone()?,
                value: r[4].clone()?,
                days: r[5].as_deref().and_then(|d| d.parse().ok()),
                currency: r[6].clone(),
                qualifier: r[7].clone(),
                procedure: r[8].clone(),
            })
        })
        .collect();
    out.sort_by(|a, b| (a.start, &a.kind).cmp(&(b.start, &b.kind)));
    Ok(out)
}

/// The modifications naming a partition, or the article (or other partition) holding it,
/// oldest first.
pub fn amendments(kb: &dyn Source, partition: &str) -> Result<Vec<Amendment>, LookupError> {
    let rows = kb.string_rows(&format!(
        "SELECT DISTINCT ?d ?k ?s ?date WHERE {{
           {{ BIND(<{partition}> AS ?d) }} UNION {{ <{partition}> <{ELI}is_part_of>+ ?d }}
           ?m <{PAESI}destination> ?d ; <{PAESI}modificationType> ?k .
           OPTIONAL {{ ?m <{PAESI}source> ?s }} OPTIONAL {{ ?m <{PAESI}date> ?date }} }}
         ORDER BY ?date ?d ?k ?s"
    ))?;
    Ok(rows
        .into_iter()
        .map(|r| Amendment {
            destination: r[0].clone().unwrap_or_default(),
            kind: r[1].clone().unwrap_or_default(),
            source: r[2].clone(),
            date: r[3].clone(),
        })
        .collect())
}

/// A procedure resting on a norm.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct RelyingProcedure {
    /// Procedure identifier.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The role of the norm for it.
    pub role: Option<String>,
    /// The legal basis partition (the norm itself, or one of its parts).
    pub norm: String,
}

/// Which legal bases [`resting_on`] looks for, relative to a norm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The norm itself.
    Itself,
    /// Its parts at any depth (the commi of an article, every partition of an act), by
    /// `eli:is_part_of` or, for norms the KB lacks, by their identifier (`art9-com1` in
    /// `art9`).
    Parts,
    /// What holds it (its article, its act), by `eli:is_part_of` or by identifier.
    Containers,
}

/// The procedures whose legal basis is `iri` itself, one of its parts or one of its
/// containers (`reach`), with the role the norm has for them; sorted by procedure.
pub fn resting_on(
    kb: &dyn Source,
    iri: &str,
    reach: Reach,
    lang: &str,
) -> Result<Vec<RelyingProcedure>, LookupError> {
    let act = ids::act_iri_of(iri);
    let is_act = act.as_deref() == Some(iri);
    let pattern = match reach {
        Reach::Itself => format!("BIND(<{iri}> AS ?n)"),
        Reach::Parts => {
            let prefix = if is_act { '/' } else { '-' };
            format!(
                "{{ ?n <{ELI}is_part_of>+ <{iri}> }} UNION
                 {{ ?any <{PAESI}norm> ?n FILTER(STRSTARTS(STR(?n), {})) }}",
                literal(&format!("{iri}{prefix}"))
            )
        }
        Reach::Containers => format!(
            "{{ <{iri}> <{ELI}is_part_of>+ ?n }} UNION
             {{ ?any <{PAESI}norm> ?n FILTER(STRSTARTS({}, CONCAT(STR(?n), \"-\")) || STR(?n) = {}) }}",
            literal(iri),
            literal(if is_act { "" } else { act.as_deref().unwrap_or("") })
        ),
    };
    let rows = kb.string_rows(&format!(
        "SELECT DISTINCT ?p ?id ?n ?r WHERE {{ {pattern}
           ?p <{PAESI}legalBasis> ?b ; <{DCT}identifier> ?id . ?b <{PAESI}norm> ?n .
           OPTIONAL {{ ?b <{PAESI}role> ?r }} }} ORDER BY ?id ?n"
    ))?;
    let mut out = BTreeSet::new();
    for r in rows {
        let (Some(p), Some(id), Some(n)) = (r[0].clone(), r[1].clone(), r[2].clone()) else {
            continue;
        };
        let role = match &r[3] {
            Some(role) => label(
                kb,
                role,
                &[&format!("{SKOS}prefLabel"), &format!("{RDFS}label")],
                lang,
            )?,
            None => None,
        };
        out.insert(RelyingProcedure {
            id,
            title: label(kb, &p, &[&format!("{DCT}title")], lang)?.unwrap_or_default(),
            role,
            norm: n,
        });
    }
    Ok(out.into_iter().collect())
}

/// Every partition (or act) some procedure names as its legal basis.
pub fn legal_basis_norms(kb: &dyn Source) -> Result<BTreeSet<String>, LookupError> {
    Ok(kb
        .string_rows(&format!(
            "SELECT DISTINCT ?n WHERE {{ ?p <{PAESI}legalBasis> ?b . ?b <{PAESI}norm> ?n }}"
        ))?
        .into_iter()
        .filter_map(|r| r.into_iter().next().flatten())
        .collect())
}

/// A partition (or act) with what surrounds it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NormView {
    /// Canonical IRI.
    pub iri: String,
    /// True when it is in the knowledge base.
    pub in_kb: bool,
    /// Number and heading.
    pub heading: Option<String>,
    /// Its Italian citation (`art. 29, comma 1, D.Lgs. 25 luglio 1998, n. 286`).
    pub citation: Option<String>,
    /// The day asked about.
    pub at: String,
    /// Its text in force on that day, with the partitions inside it.
    pub text: Option<String>,
    /// What the annotator found in that text (time limits, amounts, authorities, permits).
    pub annotations: Vec<AnnotationView>,
    /// Procedures whose legal basis is this very partition.
    pub procedures: Vec<RelyingProcedure>,
    /// Procedures whose legal basis is one of its parts (a comma of this article...).
    pub procedures_via_parts: Vec<RelyingProcedure>,
    /// What it (or its parts) cites.
    pub cites: Vec<String>,
    /// The partitions that cite it.
    pub cited_by: Vec<String>,
    /// Its modifications (and those of the partitions holding it), oldest first.
    pub amendments: Vec<Amendment>,
    /// Where to read it on Normattiva when it is not in the KB.
    pub normattiva: Option<String>,
}

/// A norm by URN:NIR, AKN IRI or canonical IRI, as on `at`.
pub fn norm(
    kb: &dyn Source,
    identifier: &str,
    at: &str,
    lang: &str,
) -> Result<NormView, LookupError> {
    let iri = ids::lookup_iri(identifier)?;
    let in_kb = kb.count(&format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ {{ <{iri}> <{PAESI}act> ?a }} UNION {{ <{iri}> <{PAESI}sourceFormat> ?f }} }}"
    ))? > 0;
    let procedures = resting_on(kb, &iri, Reach::Itself, lang)?;
    let procedures_via_parts = resting_on(kb, &iri, Reach::Parts, lang)?;
    if !in_kb && procedures.is_empty() && procedures_via_parts.is_empty() {
        return Err(LookupError::NotFound(iri));
    }
    let heading = kb
        .string_rows(&format!(
            "SELECT ?n ?h WHERE {{ OPTIONAL {{ <{iri}> <{ELI}number> ?n }} OPTIONAL {{ <{iri}> <{ELI}title> ?h }} }} LIMIT 1"
        ))?
        .into_iter()
        .next()
        .map(|r| r.into_iter().flatten().collect::<Vec<_>>().join(" "))
        .filter(|s| !s.is_empty());
    let column = |sparql: String| -> Result<Vec<String>, LookupError> {
        Ok(kb
            .string_rows(&sparql)?
            .into_iter()
            .filter_map(|r| r.into_iter().next().flatten())
            .collect())
    };
    let cites = column(format!(
        "SELECT DISTINCT ?t WHERE {{ {{ <{iri}> <{ELI}cites> ?t }} UNION {{ ?part <{ELI}is_part_of>+ <{iri}> . ?part <{ELI}cites> ?t }} }} ORDER BY ?t"
    ))?;
    let cited_by = column(format!(
        "SELECT DISTINCT ?c WHERE {{ ?c <{ELI}cites> <{iri}> }} ORDER BY ?c"
    ))?;
    let held = if in_kb { in_force(kb, &iri, at)? } else { None };
    let annotations = match &held {
        Some((node, _)) => annotations(kb, node)?,
        None => Vec::new(),
    };
    let text = if in_kb {
        full_text_at(kb, &iri, at)?
    } else {
        None
    };
    let normattiva = if in_kb {
        None
    } else {
        ids::resolve_href(identifier, None)
            .ok()
            .and_then(|t| t.work.urn())
            .map(|u| normattiva_link(&u))
    };
    Ok(NormView {
        amendments: amendments(kb, &iri)?,
        citation: crate::act::citation(kb, &iri, Some(identifier))?,
        iri,
        in_kb,
        heading,
        at: at.to_string(),
        text,
        annotations,
        procedures,
        procedures_via_parts,
        cites,
        cited_by,
        normattiva,
    })
}

/// An act the catalogue or the corpus needs and the knowledge base lacks, or holds only in
/// part (a partial excerpt, or an older text than the provisions the catalogue cites).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Gap {
    /// The act's canonical IRI.
    pub act: String,
    /// Its URN:NIR as a legal basis or a reference writes it.
    pub urn: Option<String>,
    /// True when the KB holds the act but not every partition the catalogue cites.
    pub partial: bool,
    /// The cited partitions the KB lacks (URNs as the catalogue writes them).
    pub missing_partitions: Vec<String>,
    /// The procedures resting on what is missing (identifiers).
    pub procedures: Vec<String>,
    /// Their titles, in the language asked for (same order).
    pub procedure_titles: Vec<String>,
    /// References to the act from the documents in the KB (only counted for missing acts).
    pub citations: usize,
    /// Where to read it on Normattiva.
    pub normattiva: Option<String>,
}

/// The acts cited by the catalogue or the corpus but missing from the KB, most needed first:
/// by the number of procedures resting on them, then by citations.
pub fn gaps(kb: &dyn Source, lang: &str) -> Result<Vec<Gap>, LookupError> {
    let present: BTreeSet<String> = kb
        .string_rows(&format!(
            "SELECT DISTINCT ?a WHERE {{ ?a <{PAESI}sourceFormat> ?f }}"
        ))?
        .into_iter()
        .filter_map(|r| r.into_iter().next().flatten())
        .collect();
    let mut gaps: BTreeMap<String, Gap> = BTreeMap::new();
    let entry = |gaps: &mut BTreeMap<String, Gap>, act: String, partial: bool| {
        gaps.entry(act.clone())
            .or_insert_with(|| Gap {
                act,
                urn: None,
                partial,
                missing_partitions: Vec::new(),
                procedures: Vec::new(),
                procedure_titles: Vec::new(),
                citations: 0,
                normattiva: None,
            })
            .act
            .clone()
    };
    for r in kb.string_rows(&format!(
        "SELECT DISTINCT ?id ?norm ?urn WHERE {{ ?p <{PAESI}legalBasis> ?b ; <{DCT}identifier> ?id .
           ?b <{PAESI}norm> ?norm ; <{PAESI}urn> ?urn
           FILTER NOT EXISTS {{ ?norm <{PAESI}act> ?in }} }}"
    ))? {
        let (Some(id), Some(norm), Some(urn)) = (r[0].clone(), r[1].clone(), r[2].clone()) else {
            continue;
        };
        let Some(act) = ids::act_iri_of(&norm) else {
            continue;
        };
        let partial = present.contains(&act);
        if partial && norm == act {
            continue;
        }
        let key = entry(&mut gaps, act, partial);
        if let Some(g) = gaps.get_mut(&key) {
            let act_urn = urn.split('~').next().unwrap_or(&urn).to_string();
            g.normattiva = Some(normattiva_link(&act_urn));
            g.urn = Some(act_urn);
            if !g.procedures.contains(&id) {
                g.procedures.push(id);
            }
            if partial && !g.missing_partitions.contains(&urn) {
                g.missing_partitions.push(urn);
            }
        }
    }
    for r in kb.string_rows(&format!(
        "SELECT ?t (COUNT(?r) AS ?n) (SAMPLE(?h) AS ?href) WHERE {{
           ?r a <{PAESI}Reference> ; <{PAESI}target> ?t .
           OPTIONAL {{ ?r <{PAESI}href> ?h FILTER(STRSTARTS(?h, \"urn:nir:\")) }} }} GROUP BY ?t"
    ))? {
        let (Some(t), Some(n)) = (r[0].clone(), r[1].clone()) else {
            continue;
        };
        // the act's URN as the citing document wrote it (Normattiva knows that spelling)
        let href_urn = r[2]
            .as_deref()
            .and_then(|h| h.split(['~', '#']).next())
            .map(|h| h.trim().to_string());
        let Some(act) = ids::act_iri_of(&t).filter(|a| !present.contains(a)) else {
            continue;
        };
        let key = entry(&mut gaps, act, false);
        if let Some(g) = gaps.get_mut(&key) {
            g.citations += n.parse::<usize>().unwrap_or(0);
            if g.urn.is_none()
                && let Some(u) = href_urn
            {
                g.normattiva = Some(normattiva_link(&u));
                g.urn = Some(u);
            }
        }
    }
    let mut out: Vec<Gap> = gaps.into_values().collect();
    let titles: std::collections::HashMap<String, String> = list(kb, &[], None, lang)?
        .into_iter()
        .map(|p| (p.id, p.title))
        .collect();
    for g in &mut out {
        g.procedures.sort();
        g.missing_partitions.sort();
        g.procedure_titles = g
            .procedures
            .iter()
            .map(|id| titles.get(id).cloned().unwrap_or_else(|| id.clone()))
            .collect();
    }
    out.sort_by(|a, b| {
        (b.procedures.len(), b.citations, &a.act).cmp(&(a.procedures.len(), a.citations, &b.act))
    });
    Ok(out)
}

/// The IRI of a procedure given by identifier (or IRI); NotFound when the catalogue lacks it.
pub(crate) fn procedure_iri(kb: &dyn Source, id: &str) -> Result<String, LookupError> {
    if id.starts_with("http") {
        return Ok(ids::checked_iri(id)?);
    }
    let rows = kb.string_rows(&format!(
        "SELECT ?p WHERE {{ ?p a <{PAESI}Procedure> ; <{DCT}identifier> {} }}",
        literal(id)
    ))?;
    rows.into_iter()
        .find_map(|r| r[0].clone())
        .ok_or_else(|| LookupError::NotFound(format!("procedure {id:?}")))
}

fn categories(
    kb: &dyn Source,
    iri: &str,
    lang: &str,
) -> Result<Vec<(String, String)>, LookupError> {
    let mut out = Vec::new();
    for r in kb.string_rows(&format!(
        "SELECT ?c WHERE {{ <{iri}> <{PAESI}category> ?c }} ORDER BY ?c"
    ))? {
        if let Some(c) = r[0].clone() {
            let l = label(
                kb,
                &c,
                &[&format!("{SKOS}prefLabel"), &format!("{RDFS}label")],
                lang,
            )?
            .unwrap_or_else(|| c.clone());
            out.push((c, l));
        }
    }
    Ok(out)
}

/// The best literal of a node for a language: that language, else Italian, else English,
/// else any.
pub(crate) fn label(
    kb: &dyn Source,
    iri: &str,
    predicates: &[&str],
    lang: &str,
) -> Result<Option<String>, LookupError> {
    // a value the data gives as a plain literal (a role written `"requisiti"`) is its own
    // label: it is never written into SPARQL as an IRI
    if ids::checked_iri(iri).is_err() {
        return Ok(Some(iri.to_string()));
    }
    for p in predicates {
        if let Some(l) = label_of_node(kb, &format!("<{iri}>"), p, lang)? {
            return Ok(Some(l));
        }
    }
    Ok(None)
}

fn label_of_node(
    kb: &dyn Source,
    node: &str,
    predicate: &str,
    lang: &str,
) -> Result<Option<String>, LookupError> {
    let texts: Vec<(String, String)> = kb
        .string_rows(&format!(
            "SELECT (LANG(?l) AS ?lang) ?l WHERE {{ {node} <{predicate}> ?l }}"
        ))?
        .into_iter()
        .filter_map(|r| Some((r[0].clone().unwrap_or_default(), r[1].clone()?)))
        .collect();
    Ok(pick_lang(&texts, lang))
}

/// Every property of a procedure but those in `skip`, each value given as its label (or
/// literal) in the language asked for, with the description, amount and currency a cost or
/// evidence node carries.
fn properties_of(
    kb: &dyn Source,
    iri: &str,
    skip: &[String],
    lang: &str,
) -> Result<Vec<PropertyView>, LookupError> {
    let rows = kb.rows(&format!(
        "SELECT ?p ?o ?l (LANG(?l) AS ?ll) ?d (LANG(?d) AS ?dl) ?v ?c ?ver WHERE {{ <{iri}> ?p ?o .
           OPTIONAL {{ ?o <{DCT}title>|<{SKOS}prefLabel>|<{RDFS}label>|<{CV}name> ?l }}
           OPTIONAL {{ ?o <{DCT}description> ?d }}
           OPTIONAL {{ ?o <{CV}value> ?v }} OPTIONAL {{ ?o <{CV}currency> ?c }}
           OPTIONAL {{ ?o <{PAESI}verification> ?ver }} }}"
    ))?;
    #[derive(Default)]
    struct Value {
        labels: Vec<(String, String)>,
        descriptions: Vec<(String, String)>,
        value: Option<String>,
        currency: Option<String>,
        verification: Option<String>,
    }
    let mut by_property: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
    for row in rows {
        let text = |i: usize| row[i].as_ref().map(crate::store::term_string);
        let (Some(p), Some(o)) = (text(0), row[1].as_ref()) else {
            continue;
        };
        if skip.contains(&p) || p.ends_with("#type") {
            continue;
        }
        let (key, literal_lang) = match o {
            oxigraph::model::Term::Literal(l) => (
                l.value().to_string(),
                Some(l.language().unwrap_or_default().to_string()),
            ),
            other => (crate::store::term_string(other), None),
        };
        let v = by_property
            .entry(p)
            .or_default()
            .entry(key.clone())
            .or_default();
        if let Some(l) = literal_lang {
            v.labels.push((l, key));
            continue;
        }
        if let (Some(l), Some(ll)) = (text(2), text(3)) {
            v.labels.push((ll, l));
        }
        if let (Some(d), Some(dl)) = (text(4), text(5)) {
            v.descriptions.push((dl, d));
        }
        v.value = v.value.take().or_else(|| text(6));
        v.currency = v.currency.take().or_else(|| text(7));
        v.verification = v.verification.take().or_else(|| text(8));
    }
    Ok(by_property
        .into_iter()
        .map(|(property, values)| {
            let literal_langs: BTreeSet<String> = values
                .values()
                .flat_map(|v| v.labels.iter().map(|(l, _)| l.clone()))
                .collect();
            let mut out = Vec::new();
            for (key, v) in values {
                // a plain literal property in several languages: keep the best language only
                let is_literal = v.labels.len() == 1 && v.labels[0].1 == key;
                if is_literal && !literal_langs.is_empty() {
                    let best = best_lang(&literal_langs, lang);
                    if v.labels[0].0 != best {
                        continue;
                    }
                }
                let mut parts = vec![pick_lang(&v.labels, lang).unwrap_or(key)];
                if let Some(value) = v.value {
                    parts.push(value);
                }
                if let Some(c) = v.currency {
                    parts.push(c.rsplit('/').next().unwrap_or(&c).to_string());
                }
                if let Some(d) = pick_lang(&v.descriptions, lang) {
                    parts.push(format!("({d})"));
                }
                if let Some(w) = v.verification.as_deref().map(crate::figure::warning)
                    && !w.is_empty()
                {
                    parts.push(format!("[{w}]"));
                }
                out.push(parts.join(" "));
            }
            out.sort();
            out.dedup();
            PropertyView {
                property,
                values: out,
            }
        })
        .collect())
}

/// The language to show among those present: the one asked for, else Italian, else English,
/// else untagged, else the first.
fn best_lang(present: &BTreeSet<String>, lang: &str) -> String {
    [lang, "it", "en", ""]
        .iter()
        .find(|l| present.contains(**l))
        .map(|l| l.to_string())
        .or_else(|| present.iter().next().cloned())
        .unwrap_or_default()
}

/// The text in the best language among `(language, text)` pairs; of several in that language
/// (a node two graphs title each their way), the first in code-point order, so the choice
/// never depends on the order a store answers in.
fn pick_lang(texts: &[(String, String)], lang: &str) -> Option<String> {
    let present: BTreeSet<String> = texts.iter().map(|(l, _)| l.clone()).collect();
    let best = best_lang(&present, lang);
    texts
        .iter()
        .filter(|(l, _)| *l == best)
        .map(|(_, t)| t)
        .min()
        .cloned()
}

/// A SPARQL string literal, escaped by oxrdf.
fn literal(s: &str) -> String {
    oxigraph::model::Literal::new_simple_literal(s).to_string()
}

/// Lowercase without accents, for matching words the way operators type them.
pub fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' => 'a',
            'è' | 'é' | 'ê' => 'e',
            'ì' | 'í' | 'î' => 'i',
            'ò' | 'ó' | 'ô' => 'o',
            'ù' | 'ú' | 'û' => 'u',
            c => c,
        })
        .collect()
}

/// Writes a procedure for people.
pub fn render_procedure(out: &mut impl std::io::Write, v: &ProcedureView) -> std::io::Result<()> {
    writeln!(out, "{} ({})", v.title, v.id)?;
    if let Some(d) = &v.description {
        writeln!(out, "  {d}")?;
    }
    for p in &v.properties {
        let name = p.property.rsplit(['#', '/']).next().unwrap_or(&p.property);
        for value in &p.values {
            writeln!(out, "  {name}: {value}")?;
        }
    }
    crate::figure::render(out, &v.figures)?;
    writeln!(out, "legal bases, as in force on {}:", v.at)?;
    for b in &v.legal_bases {
        write!(out, "- {}", b.urn)?;
        if let Some(r) = &b.role {
            write!(out, " [{r}]")?;
        }
        writeln!(out)?;
        if let Some(c) = &b.citation {
            writeln!(out, "    {c}")?;
        }
        if let Some(c) = &b.comment {
            writeln!(out, "    {c}")?;
        }
        if let Some(w) = b.verification.as_deref().map(crate::figure::warning)
            && !w.is_empty()
        {
            writeln!(out, "    {w}")?;
        }
        match (&b.text, b.in_kb, b.act_in_kb) {
            (Some(t), _, _) => writeln!(out, "    {}", t)?,
            (None, true, _) => writeln!(out, "    (not in force on {})", v.at)?,
            (None, false, true) => writeln!(out, "    (this partition is not in the act held)")?,
            (None, false, false) => writeln!(
                out,
                "    NOT IN THE KNOWLEDGE BASE: {}",
                b.normattiva.as_deref().unwrap_or("")
            )?,
        }
        if let Some(a) = &b.last_amendment {
            writeln!(
                out,
                "    last amended ({}) by {} {}",
                a.kind,
                a.source.as_deref().unwrap_or("?"),
                a.date.as_deref().unwrap_or("")
            )?;
        }
    }
    Ok(())
}

/// Writes a norm for people.
pub fn render_norm(out: &mut impl std::io::Write, v: &NormView) -> std::io::Result<()> {
    writeln!(out, "{} {}", v.iri, v.heading.as_deref().unwrap_or(""))?;
    if let Some(c) = &v.citation {
        writeln!(out, "  {c}")?;
    }
    match (&v.text, v.in_kb) {
        (Some(t), _) => writeln!(out, "  text on {}: {t}", v.at)?,
        (None, true) => writeln!(out, "  not in force on {}", v.at)?,
        (None, false) => writeln!(
            out,
            "  NOT IN THE KNOWLEDGE BASE: {}",
            v.normattiva.as_deref().unwrap_or("")
        )?,
    }
    for a in &v.annotations {
        let value = a
            .days
            .map_or_else(|| a.value.clone(), |d| format!("{d} days"));
        writeln!(
            out,
            "  {} [{}-{}] «{}» = {}",
            a.kind, a.start, a.end, a.text, value
        )?;
    }
    for p in v.procedures.iter().chain(&v.procedures_via_parts) {
        writeln!(
            out,
            "  procedure {} ({}){} via {}",
            p.id,
            p.title,
            p.role
                .as_deref()
                .map(|r| format!(" [{r}]"))
                .unwrap_or_default(),
            p.norm
        )?;
    }
    for c in &v.cites {
        writeln!(out, "  cites {c}")?;
    }
    for c in &v.cited_by {
        writeln!(out, "  cited by {c}")?;
    }
    for a in &v.amendments {
        writeln!(
            out,
            "  amended ({}) by {} {}",
            a.kind,
            a.source.as_deref().unwrap_or("?"),
            a.date.as_deref().unwrap_or("")
        )?;
    }
    Ok(())
}

/// Writes the gaps for people.
pub fn render_gaps(out: &mut impl std::io::Write, gaps: &[Gap]) -> std::io::Result<()> {
    for g in gaps {
        writeln!(
            out,
            "{:>3} procedures {:>5} citations  {}{}  {}",
            g.procedures.len(),
            g.citations,
            g.urn.as_deref().unwrap_or(&g.act),
            if g.partial { " (held in part)" } else { "" },
            g.normattiva.as_deref().unwrap_or("")
        )?;
        for p in &g.missing_partitions {
            writeln!(out, "      lacks {p}")?;
        }
        for t in &g.procedure_titles {
            writeln!(out, "      for: {t}")?;
        }
    }
    Ok(())
}
