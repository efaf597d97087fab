//! Acts as operators read them: the Italian citation of an act or of a partition
//! (`art. 29, comma 1, D.Lgs. 25 luglio 1998, n. 286`, written by [`crate::search::citation`]),
//! an act's table of contents, and the acts it amends and that amend it. Read with SPARQL over
//! the RDF contract from a [`Source`] (the local store or a remote endpoint).

use std::collections::{BTreeMap, BTreeSet};

use crate::ids;
use crate::procedure::LookupError;
use crate::rdf::{ELI, PAESI};
use crate::search::citation::{self, ActRef, Step};
use crate::source::Source;

/// The partition classes a table of contents lists: the containers and the articles (commi and
/// points are the articles' own text).
const CONTENTS_CLASSES: [&str; 9] = [
    "Book",
    "Part",
    "Title",
    "Chapter",
    "Section",
    "Subsection",
    "Container",
    "Attachment",
    "Article",
];

/// True when the knowledge base holds the act itself (a document of it was ingested).
pub fn act_in_kb(kb: &dyn Source, act: &str) -> Result<bool, LookupError> {
    Ok(kb.count(&format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ <{act}> <{PAESI}sourceFormat> ?f }}"
    ))? > 0)
}

/// The act part of a citation as the knowledge base describes the act (type, date, number,
/// title); None when it holds nothing of it.
fn act_ref_in_kb(kb: &dyn Source, act: &str) -> Result<Option<ActRef>, LookupError> {
    let rows = kb.string_rows(&format!(
        "SELECT ?t ?d ?n ?title WHERE {{ <{act}> <{PAESI}sourceFormat> ?f .
           OPTIONAL {{ <{act}> <{ELI}type_document> ?t }} OPTIONAL {{ <{act}> <{ELI}date_document> ?d }}
           OPTIONAL {{ <{act}> <{ELI}number> ?n }} OPTIONAL {{ <{act}> <{ELI}title> ?title }} }} LIMIT 1"
    ))?;
    Ok(rows.into_iter().next().map(|r| ActRef {
        doc_type: r[0]
            .as_deref()
            .and_then(|t| t.strip_prefix(ids::BASE))
            .and_then(|t| t.strip_prefix("type/"))
            .map(str::to_string),
        date: r[1].clone(),
        number: r[2].clone(),
        title: r[3].clone(),
    }))
}

/// The act part of a citation read from a work (a URN:NIR keeps the full date).
fn act_ref_of_work(work: &ids::Work) -> Option<ActRef> {
    match work {
        ids::Work::Nir {
            doc_type,
            date,
            number,
            ..
        } => Some(ActRef {
            doc_type: Some(doc_type.clone()),
            date: date.clone(),
            number: number.clone(),
            title: None,
        }),
        ids::Work::Akn { .. } => None,
    }
}

/// The act part of a citation read from a canonical act IRI (`…/act/stato/legge/2002/189`:
/// type, year and number; the IRI keeps only the year).
fn act_ref_of_iri(act: &str) -> Option<ActRef> {
    let rest = act.strip_prefix(ids::BASE)?.strip_prefix("act/")?;
    let segments: Vec<&str> = rest.split('/').collect();
    let (doc_type, date, number) = match segments.as_slice() {
        [_, t, "-", n] => (t, None, Some(n)),
        [_, t, d, n] => (t, Some(d), Some(n)),
        [_, t, d] => (t, Some(d), None),
        _ => return None,
    };
    Some(ActRef {
        doc_type: Some(doc_type.to_string()),
        date: date.map(|d| d.to_string()),
        number: number.map(|n| n.to_string()),
        title: None,
    })
}

/// The chain of a partition the knowledge base holds, from the outermost partition down
/// (class and number as printed); empty when it does not hold it.
fn chain_in_kb(kb: &dyn Source, partition: &str) -> Result<Vec<Step>, LookupError> {
    let mut chain = Vec::new();
    let mut at = Some(partition.to_string());
    while let Some(node) = at.take()
        && chain.len() < 64
    {
        let rows = kb.string_rows(&format!(
            "SELECT ?c ?n ?up WHERE {{ <{node}> <{PAESI}act> ?a ; a ?c .
               FILTER(STRSTARTS(STR(?c), {}))
               OPTIONAL {{ <{node}> <{ELI}number> ?n }} OPTIONAL {{ <{node}> <{ELI}is_part_of> ?up }} }} LIMIT 1",
            literal(PAESI)
        ))?;
        let Some(r) = rows.into_iter().next() else {
            break;
        };
        chain.push(Step {
            class: r[0]
                .as_deref()
                .and_then(|c| c.strip_prefix(PAESI))
                .unwrap_or_default()
                .to_string(),
            number: r[1].clone(),
        });
        at = r[2].clone().and_then(|up| checked(&up));
    }
    chain.reverse();
    Ok(chain)
}

/// The chain a canonical partition id names (`art29-com1` → article 29, comma 1), for
/// partitions the knowledge base lacks.
fn chain_of_id(id: &str) -> Vec<Step> {
    id.split('-')
        .filter_map(|component| {
            let (class, number) = [
                ("art", "Article"),
                ("com", "Paragraph"),
                ("let", "Point"),
                ("num", "Item"),
                ("all", "Attachment"),
            ]
            .into_iter()
            .find_map(|(prefix, class)| Some((class, component.strip_prefix(prefix)?)))?;
            Some(Step {
                class: class.to_string(),
                number: Some(number.to_string()),
            })
        })
        .collect()
}

/// The Italian citation of an act or partition (`art. 29, comma 1, D.Lgs. 25 luglio 1998,
/// n. 286`): the act's type, date and number as the knowledge base has them, else as `urn`
/// (the URN:NIR the caller was given, which keeps the full date) or the IRI say; the
/// partition's numbers as printed, else read from its identifier. None for IRIs that name no
/// Italian act.
pub fn citation(
    kb: &dyn Source,
    iri: &str,
    urn: Option<&str>,
) -> Result<Option<String>, LookupError> {
    let Some(act) = ids::act_iri_of(iri) else {
        return Ok(None);
    };
    let act_ref = match act_ref_in_kb(kb, &act)? {
        Some(r) => Some(r),
        None => urn
            .and_then(|u| ids::resolve_href(u, None).ok())
            .and_then(|t| act_ref_of_work(&t.work))
            .or_else(|| act_ref_of_iri(&act)),
    };
    let Some(act_ref) = act_ref else {
        return Ok(None);
    };
    let chain = if iri == act {
        Vec::new()
    } else {
        let held = chain_in_kb(kb, iri)?;
        if held.is_empty() {
            chain_of_id(iri.rsplit('/').next().unwrap_or_default())
        } else {
            held
        }
    };
    Ok(Some(citation::citation(&chain, &act_ref)))
}

/// An act (or partition) named as amending or amended, with what a page needs to link it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct ActLink {
    /// Its canonical IRI.
    pub iri: String,
    /// Its Italian citation (the IRI when it names no Italian act).
    pub citation: String,
    /// True when the knowledge base holds it (its page exists).
    pub in_kb: bool,
}

/// The [`ActLink`] of an IRI.
pub fn link(kb: &dyn Source, iri: &str) -> Result<ActLink, LookupError> {
    let act = ids::act_iri_of(iri);
    let in_kb = match &act {
        Some(a) if a == iri => act_in_kb(kb, a)?,
        _ => {
            kb.count(&format!(
                "SELECT (COUNT(*) AS ?n) WHERE {{ <{iri}> <{PAESI}act> ?a }}"
            ))? > 0
        }
    };
    Ok(ActLink {
        iri: iri.to_string(),
        citation: citation(kb, iri, None)?.unwrap_or_else(|| iri.to_string()),
        in_kb,
    })
}

/// One entry of a table of contents: a container or an article, with what lies inside it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ContentsEntry {
    /// The partition's canonical IRI.
    pub iri: String,
    /// Its class (`Article`, `Chapter`…, the local name in the paesi ontology).
    pub class: String,
    /// Its number as printed.
    pub number: Option<String>,
    /// Its heading.
    pub heading: Option<String>,
    /// The containers and articles inside it, in document order.
    pub parts: Vec<ContentsEntry>,
}

/// An act with its contents and its amendment links.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ActView {
    /// Its canonical IRI.
    pub iri: String,
    /// Its Italian citation (`D.Lgs. 25 luglio 1998, n. 286`).
    pub citation: Option<String>,
    /// Its title.
    pub title: Option<String>,
    /// Its table of contents: containers and articles, nested, in document order.
    pub contents: Vec<ContentsEntry>,
    /// The articles in the contents, at any depth.
    pub articles: usize,
    /// The acts it amends (by its own textual modifications, or as the amended acts record).
    pub amends: Vec<ActLink>,
    /// The acts that amend it (as it records, or by their own textual modifications).
    pub amended_by: Vec<ActLink>,
}

/// An act by URN:NIR, AKN IRI or canonical IRI: its citation, title, table of contents and
/// the acts it amends and that amend it.
pub fn act(kb: &dyn Source, identifier: &str) -> Result<ActView, LookupError> {
    let iri = ids::lookup_iri(identifier)?;
    if !act_in_kb(kb, &iri)? {
        return Err(LookupError::NotFound(iri));
    }
    let title = kb
        .string_rows(&format!(
            "SELECT ?t WHERE {{ <{iri}> <{ELI}title> ?t }} ORDER BY ?t LIMIT 1"
        ))?
        .into_iter()
        .find_map(|r| r.into_iter().next().flatten());
    let (contents, articles) = contents(kb, &iri)?;
    let (amends, amended_by) = amendment_links(kb, &iri)?;
    let links = |iris: BTreeSet<String>| -> Result<Vec<ActLink>, LookupError> {
        let mut out = iris
            .iter()
            .map(|i| link(kb, i))
            .collect::<Result<Vec<_>, _>>()?;
        out.sort_by(|a, b| a.iri.cmp(&b.iri));
        Ok(out)
    };
    Ok(ActView {
        citation: citation(kb, &iri, None)?,
        title,
        contents,
        articles,
        amends: links(amends)?,
        amended_by: links(amended_by)?,
        iri,
    })
}

/// The containers and articles of an act, nested by `eli:is_part_of`, and the number of
/// articles among them.
fn contents(kb: &dyn Source, act: &str) -> Result<(Vec<ContentsEntry>, usize), LookupError> {
    let classes = CONTENTS_CLASSES
        .iter()
        .map(|c| format!("<{PAESI}{c}>"))
        .collect::<Vec<_>>()
        .join(", ");
    // each partition as one document states it: its order and parent from the same graph
    let rows = kb.string_rows(&format!(
        "SELECT ?p ?c ?n ?h ?up ?g WHERE {{ GRAPH ?g {{ ?p <{PAESI}act> <{act}> ; <{PAESI}order> ?o ; a ?c .
           FILTER(?c IN ({classes}))
           OPTIONAL {{ ?p <{ELI}number> ?n }} OPTIONAL {{ ?p <{ELI}title> ?h }}
           OPTIONAL {{ ?p <{ELI}is_part_of> ?up }} }} }} ORDER BY ?o ?p"
    ))?;
    // two editions of an act (the NIR code and Normattiva's export of the codice penale) each
    // order and nest the same partitions their own way: a partition is listed as the fullest
    // edition holding it has it, so the contents follow one document's order
    let mut held: BTreeMap<String, usize> = BTreeMap::new();
    for r in &rows {
        if let Some(g) = &r[5] {
            *held.entry(g.clone()).or_default() += 1;
        }
    }
    // an edition's rank: the fullest first, then by graph IRI
    type Rank = (std::cmp::Reverse<usize>, String);
    let rank = |g: &Option<String>| -> Rank {
        let g = g.clone().unwrap_or_default();
        (std::cmp::Reverse(held.get(&g).copied().unwrap_or(0)), g)
    };
    let mut chosen: BTreeMap<String, Rank> = BTreeMap::new();
    for r in &rows {
        if let Some(p) = &r[0] {
            let candidate = rank(&r[5]);
            let best = chosen.entry(p.clone()).or_insert_with(|| candidate.clone());
            if candidate < *best {
                *best = candidate;
            }
        }
    }
    // in document order, the fullest edition's partitions first: (entry, parent)
    let mut order: Vec<(Rank, usize, ContentsEntry, Option<String>)> = Vec::new();
    let mut seen = BTreeSet::new();
    for (position, r) in rows.into_iter().enumerate() {
        let (Some(p), Some(c)) = (r[0].clone(), r[1].clone()) else {
            continue;
        };
        let graph = rank(&r[5]);
        if chosen.get(&p) != Some(&graph) || !seen.insert(p.clone()) {
            continue;
        }
        order.push((
            graph,
            position,
            ContentsEntry {
                iri: p,
                class: c.strip_prefix(PAESI).unwrap_or(&c).to_string(),
                number: r[2].clone(),
                heading: r[3].clone(),
                parts: Vec::new(),
            },
            r[4].clone(),
        ));
    }
    order.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let order: Vec<(ContentsEntry, Option<String>)> =
        order.into_iter().map(|(_, _, e, up)| (e, up)).collect();
    let articles = order.iter().filter(|(e, _)| e.class == "Article").count();
    // children before parents: build from the end, attaching each entry to its parent when the
    // parent is listed, else at the top
    let listed: BTreeSet<String> = order.iter().map(|(e, _)| e.iri.clone()).collect();
    let mut children: BTreeMap<String, Vec<ContentsEntry>> = BTreeMap::new();
    let mut top = Vec::new();
    for (mut entry, parent) in order.into_iter().rev() {
        if let Some(mut parts) = children.remove(&entry.iri) {
            parts.reverse();
            entry.parts = parts;
        }
        match parent.filter(|p| listed.contains(p)) {
            Some(p) => children.entry(p).or_default().push(entry),
            None => top.push(entry),
        }
    }
    top.reverse();
    // a container with no article inside lists nothing: the books of a second edition whose
    // articles are listed as the fullest edition nests them
    prune_empty(&mut top);
    Ok((top, articles))
}

/// Drops the containers that hold no article, at any depth.
fn prune_empty(entries: &mut Vec<ContentsEntry>) {
    for e in entries.iter_mut() {
        prune_empty(&mut e.parts);
    }
    entries.retain(|e| e.class == "Article" || !e.parts.is_empty());
}

/// The acts `act` amends and the acts that amend it, by canonical IRI. Both directions read
/// every statement the KB has: `eli:amends` / `eli:amended_by` (textual modifications, of the
/// act or of its partitions), the lifecycle events (a NIR `passiva` relation names an amending
/// act) and the acts that brought in or ended a version of a partition.
fn amendment_links(
    kb: &dyn Source,
    act: &str,
) -> Result<(BTreeSet<String>, BTreeSet<String>), LookupError> {
    let prefix = literal(&format!("{act}/"));
    let own = format!("{{ BIND(<{act}> AS ?x) }} UNION {{ ?x <{PAESI}act> <{act}> }}");
    let other = format!("(?o = <{act}> || STRSTARTS(STR(?o), {prefix}))");
    let column = |sparql: String| -> Result<Vec<String>, LookupError> {
        Ok(kb
            .string_rows(&sparql)?
            .into_iter()
            .filter_map(|r| r.into_iter().next().flatten())
            .collect())
    };
    // what this act (or a partition of it) says it amends or is amended by
    let amends_said = column(format!(
        "SELECT DISTINCT ?o WHERE {{ {own} ?x <{ELI}amends> ?o }}"
    ))?;
    let amended_said = column(format!(
        "SELECT DISTINCT ?o WHERE {{ {own}
           {{ ?x <{ELI}amended_by> ?o }} UNION {{ ?x <{PAESI}event> ?e . ?e <{PAESI}source> ?o }}
           UNION {{ ?x <{PAESI}version> ?v . ?v <{PAESI}introducedBy>|<{PAESI}endedBy> ?o }} }}"
    ))?;
    // what other acts say of this one
    let amends_by_others = column(format!(
        "SELECT DISTINCT ?y WHERE {{
           {{ ?y <{ELI}amended_by> ?o }} UNION {{ ?y <{PAESI}event> ?e . ?e <{PAESI}source> ?o }}
           UNION {{ ?y <{PAESI}version> ?v . ?v <{PAESI}introducedBy>|<{PAESI}endedBy> ?o }}
           FILTER {other} }}"
    ))?;
    let amended_by_others = column(format!(
        "SELECT DISTINCT ?y WHERE {{ ?y <{ELI}amends> ?o FILTER {other} }}"
    ))?;
    let to_acts = |iris: Vec<String>, more: Vec<String>| -> BTreeSet<String> {
        iris.into_iter()
            .chain(more)
            .filter_map(|i| match ids::act_iri_of(&i) {
                Some(a) => Some(a),
                None => checked(&i),
            })
            .filter(|a| a != act)
            .collect()
    };
    Ok((
        to_acts(amends_said, amends_by_others),
        to_acts(amended_said, amended_by_others),
    ))
}

/// `iri` when it can be written into SPARQL as `<…>`.
fn checked(iri: &str) -> Option<String> {
    ids::checked_iri(iri).ok()
}

/// A SPARQL string literal, escaped by oxrdf.
fn literal(s: &str) -> String {
    oxigraph::model::Literal::new_simple_literal(s).to_string()
}

/// Writes an act for people: citation and title, the contents indented by depth, the acts
/// it amends and that amend it.
pub fn render(out: &mut impl std::io::Write, v: &ActView) -> std::io::Result<()> {
    writeln!(out, "{} {}", v.iri, v.citation.as_deref().unwrap_or(""))?;
    if let Some(t) = &v.title {
        writeln!(out, "  {t}")?;
    }
    fn entries(
        out: &mut impl std::io::Write,
        list: &[ContentsEntry],
        depth: usize,
    ) -> std::io::Result<()> {
        for e in list {
            writeln!(
                out,
                "{:indent$}{} {}",
                "",
                e.number.as_deref().unwrap_or(""),
                e.heading.as_deref().unwrap_or(""),
                indent = 2 + 2 * depth
            )?;
            entries(out, &e.parts, depth + 1)?;
        }
        Ok(())
    }
    writeln!(out, "contents ({} articles):", v.articles)?;
    entries(out, &v.contents, 0)?;
    for (what, links) in [("amends", &v.amends), ("amended by", &v.amended_by)] {
        for l in links {
            let held = if l.in_kb { "" } else { " (not in the KB)" };
            writeln!(out, "  {what} {}{held}", l.citation)?;
        }
    }
    Ok(())
}
