//! Index entries, made from a graph's quads (as ingest writes them, or read from the store):
//! one per partition version (article, comma, point) and
//! one per procedure, with everything a hit shows and every filter needs.

use std::collections::HashMap;

use oxigraph::model::{GraphNameRef, NamedNode, Term};
use oxigraph::store::Store;

use super::SearchError;
use super::citation::{self, ActRef, Step};
use super::languages::Lang;
use crate::ids::BASE;
use crate::rdf::{ELI, PAESI};

const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const RDFS_LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";
const DCT_TITLE: &str = "http://purl.org/dc/terms/title";
const DCT_DESCRIPTION: &str = "http://purl.org/dc/terms/description";
const SKOS_PREF_LABEL: &str = "http://www.w3.org/2004/02/skos/core#prefLabel";
const CPSV_PUBLIC_SERVICE: &str = "http://purl.org/vocab/cpsv#PublicService";

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// An article.
    Article,
    /// A comma (paragraph).
    Paragraph,
    /// A point or letter (and items below it).
    Point,
    /// An administrative procedure (`cpsv:PublicService`).
    Procedure,
}

impl Kind {
    /// The name stored in the index and accepted by `--kind`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Article => "article",
            Kind::Paragraph => "paragraph",
            Kind::Point => "point",
            Kind::Procedure => "procedure",
        }
    }

    /// The kind of a name (`comma` is accepted for `paragraph`, `lettera` for `point`).
    pub fn parse(s: &str) -> Option<Kind> {
        match s.to_ascii_lowercase().as_str() {
            "article" | "articolo" | "art" => Some(Kind::Article),
            "paragraph" | "comma" => Some(Kind::Paragraph),
            "point" | "lettera" | "letter" => Some(Kind::Point),
            "procedure" | "procedura" | "procedimento" => Some(Kind::Procedure),
            _ => None,
        }
    }

    /// The kind of entry a partition class gives, None for containers.
    fn of_class(class: &str) -> Option<Kind> {
        match class {
            "Article" => Some(Kind::Article),
            "Paragraph" => Some(Kind::Paragraph),
            "Point" | "Item" => Some(Kind::Point),
            _ => None,
        }
    }
}

/// One entry of the text index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// What it is.
    pub kind: Kind,
    /// The partition (or procedure) IRI: what a hit points at.
    pub iri: String,
    /// The `paesi:Version` node IRI for one text version of a partition; empty otherwise.
    pub version: String,
    /// The canonical IRI of the act.
    pub act: Option<String>,
    /// The act's title.
    pub act_title: Option<String>,
    /// The act's canonical type (`decreto.legislativo`).
    pub act_type: Option<String>,
    /// The partition's URN:NIR (`urn:nir:…;286~art29-com1`), when the act has one.
    pub urn: Option<String>,
    /// The number as printed.
    pub number: Option<String>,
    /// The heading (or the procedure's title).
    pub heading: Option<String>,
    /// The text (or the procedure's description).
    pub text: String,
    /// How people cite it: `art. 29, comma 1, D.Lgs. 25 luglio 1998, n. 286`.
    pub citation: String,
    /// First day in force (`YYYY-MM-DD` or a year); None: since always.
    pub from: Option<String>,
    /// Day it stops being in force; None: still in force.
    pub until: Option<String>,
    /// The named graph it was read from.
    pub graph: String,
    /// A procedure's title and text in the other languages of the catalogue (those it has),
    /// in the order of [`Lang::TRANSLATIONS`]; none for partitions.
    pub translations: Vec<Translation>,
}

/// A procedure's title and text in one language other than Italian.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translation {
    /// The language.
    pub lang: Lang,
    /// The title in that language.
    pub title: Option<String>,
    /// The description, then the titles and descriptions of the requirements, documents,
    /// costs and output written in that language, one a line.
    pub text: String,
}

/// The entries of one graph and the stamp of what they were read from.
#[derive(Debug, Clone, Default)]
pub struct GraphEntries {
    /// The entries, in a stable order (by IRI, then version).
    pub entries: Vec<Entry>,
    /// Quads of the graph when it was read.
    pub quads: u64,
    /// FNV-1a hash of the entries: equal content, equal fingerprint.
    pub fingerprint: u64,
}

/// The properties of one subject that entries are made of.
#[derive(Default)]
struct Node {
    class: Vec<String>,
    number: Option<String>,
    title: Vec<(String, String)>,
    text: Vec<(String, String)>,
    from: Option<String>,
    until: Option<String>,
    parent: Option<String>,
    act: Option<String>,
    urn: Vec<String>,
    versions: Vec<String>,
    type_document: Option<String>,
    date_document: Option<String>,
    description: Vec<(String, String)>,
}

/// Picks the Italian value (or an untagged one, or the first) of a multi-valued literal.
fn pick(values: &[(String, String)]) -> Option<String> {
    values
        .iter()
        .find(|(_, l)| l == "it")
        .or_else(|| values.iter().find(|(_, l)| l.is_empty()))
        .or_else(|| values.first())
        .map(|(v, _)| v.clone())
}

/// The value in exactly this language (no fallback: another language's text must not go
/// through this language's analyzer).
fn in_lang(values: &[(String, String)], lang: Lang) -> Option<String> {
    values
        .iter()
        .find(|(_, l)| Lang::from_tag(l) == Some(lang))
        .map(|(v, _)| v.clone())
}

/// Reads one graph of the store and makes its entries.
pub fn entries_for_graph(store: &Store, graph: &NamedNode) -> Result<GraphEntries, SearchError> {
    let mut quads = Vec::new();
    for q in store.quads_for_pattern(
        None,
        None,
        None,
        Some(GraphNameRef::NamedNode(graph.as_ref())),
    ) {
        quads.push(q.map_err(|e| SearchError::Store(e.to_string()))?);
    }
    // the end dates that a later expression of the act gives to this graph's versions
    let mut context = Vec::new();
    let timeline = timeline_of(graph.as_str());
    for q in store.quads_for_pattern(
        None,
        None,
        None,
        Some(GraphNameRef::NamedNode(timeline.as_ref())),
    ) {
        context.push(q.map_err(|e| SearchError::Store(e.to_string()))?);
    }
    Ok(entries_from_quads(graph.as_str(), &quads, &context))
}

/// The timeline graph of the act a document graph belongs to (see `crate::expressions`).
fn timeline_of(graph: &str) -> NamedNode {
    let base = graph.split("/@").next().unwrap_or(graph);
    NamedNode::new_unchecked(format!("{base}/timeline"))
}

/// Makes the entries of one graph from its quads (as written by ingest, or read back from
/// the store): the one place entries are made, so ingest and `reindex` agree.
/// `context` holds quads of other graphs that complete these (the act's timeline): they add
/// properties, not entries, and are not counted in the stamp.
pub fn entries_from_quads(
    graph: &str,
    graph_quads: &[oxigraph::model::Quad],
    context: &[oxigraph::model::Quad],
) -> GraphEntries {
    let mut nodes: HashMap<String, Node> = HashMap::new();
    let quads = graph_quads.len() as u64;
    for q in graph_quads.iter().chain(context) {
        let oxigraph::model::NamedOrBlankNode::NamedNode(s) = &q.subject else {
            continue;
        };
        let p = q.predicate.as_str();
        let field = |n: &mut Node| -> Option<()> {
            let literal = || match &q.object {
                Term::Literal(l) => Some((
                    l.value().to_string(),
                    l.language().unwrap_or_default().to_string(),
                )),
                _ => None,
            };
            let iri = || match &q.object {
                Term::NamedNode(o) => Some(o.as_str().to_string()),
                _ => None,
            };
            if let Some(local) = p.strip_prefix(ELI) {
                match local {
                    "number" => n.number = Some(literal()?.0),
                    "title" => n.title.push(literal()?),
                    "first_date_entry_in_force" => n.from = Some(literal()?.0),
                    "date_no_longer_in_force" => n.until = Some(literal()?.0),
                    "is_part_of" => n.parent = Some(iri()?),
                    "type_document" => n.type_document = Some(iri()?),
                    "date_document" => n.date_document = Some(literal()?.0),
                    _ => {}
                }
            } else if let Some(local) = p.strip_prefix(PAESI) {
                match local {
                    "text" => n.text.push(literal()?),
                    "act" => n.act = Some(iri()?),
                    "urn" => n.urn.push(literal()?.0),
                    "version" => n.versions.push(iri()?),
                    _ => {}
                }
            } else {
                match p {
                    RDF_TYPE => n.class.push(iri()?),
                    DCT_TITLE | SKOS_PREF_LABEL | RDFS_LABEL => n.title.push(literal()?),
                    DCT_DESCRIPTION => n.description.push(literal()?),
                    _ => {}
                }
            }
            Some(())
        };
        let wanted = p.starts_with(ELI)
            || p.starts_with(PAESI)
            || matches!(
                p,
                RDF_TYPE | DCT_TITLE | SKOS_PREF_LABEL | RDFS_LABEL | DCT_DESCRIPTION
            );
        if wanted {
            // look up before inserting: most quads are about a subject already seen
            let node = match nodes.get_mut(s.as_str()) {
                Some(n) => n,
                None => nodes.entry(s.as_str().to_string()).or_default(),
            };
            let _ = field(node);
        }
    }
    let mut entries = Vec::new();
    let graph_name = graph.to_string();
    let class_of = |n: &Node| -> Option<String> {
        n.class
            .iter()
            .find_map(|c| c.strip_prefix(PAESI))
            .map(str::to_string)
    };
    let is_procedure = |n: &Node| {
        n.class
            .iter()
            .any(|c| c == CPSV_PUBLIC_SERVICE || c.as_str() == format!("{PAESI}Procedure"))
    };
    // a procedure's graph also describes its requirements, documents, costs and output: their
    // titles and descriptions are searched with the procedure ("quanto costa il rinnovo"); the
    // labels of its time-limit, validity and authority figures restate the description and
    // are left out (a cost node that is also a figure stays)
    let is_bare_figure = |n: &Node| {
        !n.class.is_empty()
            && n.class
                .iter()
                .all(|c| c.starts_with(PAESI) && c.ends_with("Figure"))
    };
    let detail_nodes: Vec<(&String, &Node)> = {
        let mut d: Vec<(&String, &Node)> = nodes
            .iter()
            .filter(|(_, n)| {
                n.act.is_none()
                    && !is_procedure(n)
                    && !n.class.iter().any(|c| c.starts_with(ELI))
                    && !is_bare_figure(n)
            })
            .collect();
        d.sort_by_key(|(iri, _)| *iri);
        d
    };
    // the detail texts one value function picks, ordered by subject IRI, then text
    let details_by = |value: &PickText<'_>| -> Vec<String> {
        detail_nodes
            .iter()
            .flat_map(|(_, n)| {
                let mut texts: Vec<String> = [value(&n.title), value(&n.description)]
                    .into_iter()
                    .flatten()
                    .collect();
                texts.sort();
                texts
            })
            .collect()
    };
    let details = details_by(&|v| pick(v));
    for (iri, n) in &nodes {
        if is_procedure(n) {
            let mut text = pick(&n.description).unwrap_or_default();
            for d in &details {
                text.push('\n');
                text.push_str(d);
            }
            entries.push(Entry {
                kind: Kind::Procedure,
                iri: iri.clone(),
                version: String::new(),
                act: None,
                act_title: None,
                act_type: None,
                urn: None,
                number: None,
                heading: pick(&n.title),
                text,
                citation: pick(&n.title).unwrap_or_else(|| iri.clone()),
                from: n.from.clone(),
                until: n.until.clone(),
                graph: graph_name.clone(),
                translations: translations(n, &details_by),
            });
            continue;
        }
        let Some(act_iri) = &n.act else { continue };
        let Some(class) = class_of(n) else { continue };
        let Some(kind) = Kind::of_class(&class) else {
            continue;
        };
        let act = nodes.get(act_iri);
        let act_type = act
            .and_then(|a| a.type_document.as_deref())
            .and_then(|t| t.strip_prefix(BASE))
            .and_then(|t| t.strip_prefix("type/"))
            .map(str::to_string);
        let act_ref = ActRef {
            doc_type: act_type.clone(),
            date: act.and_then(|a| a.date_document.clone()),
            number: act.and_then(|a| a.number.clone()),
            title: act.and_then(|a| pick(&a.title)),
        };
        // the chain of partitions from the outermost down to this one
        let mut chain = Vec::new();
        let mut at = Some(iri.as_str());
        let mut guard = 0;
        while let Some(i) = at
            && let Some(p) = nodes.get(i)
            && p.act.is_some()
            && guard < 64
        {
            chain.push((i, p));
            at = p.parent.as_deref();
            guard += 1;
        }
        chain.reverse();
        let steps_with = |own_number: Option<&String>| -> Vec<Step> {
            chain
                .iter()
                .map(|&(i, p)| Step {
                    class: class_of(p).unwrap_or_default(),
                    number: if i == iri.as_str() {
                        own_number.or(p.number.as_ref()).cloned()
                    } else {
                        p.number.clone()
                    },
                })
                .collect()
        };
        let urn = n
            .urn
            .iter()
            .find(|u| u.starts_with("urn:nir:"))
            .or(n.urn.first())
            .cloned();
        let base = Entry {
            kind,
            iri: iri.clone(),
            version: String::new(),
            act: Some(act_iri.clone()),
            act_title: act_ref.title.clone(),
            act_type: act_type.clone(),
            urn,
            number: n.number.clone(),
            heading: pick(&n.title),
            text: pick(&n.text).unwrap_or_default(),
            citation: citation::citation(&steps_with(None), &act_ref),
            from: n.from.clone(),
            until: n.until.clone(),
            graph: graph_name.clone(),
            translations: Vec::new(),
        };
        if n.versions.is_empty() {
            if !base.text.is_empty() || base.heading.is_some() {
                entries.push(base);
            }
            continue;
        }
        for v in &n.versions {
            let Some(vn) = nodes.get(v) else { continue };
            let number = vn.number.clone().or_else(|| n.number.clone());
            let e = Entry {
                version: v.clone(),
                number: number.clone(),
                heading: pick(&vn.title).or_else(|| base.heading.clone()),
                text: pick(&vn.text).unwrap_or_default(),
                citation: citation::citation(&steps_with(number.as_ref()), &act_ref),
                from: vn.from.clone(),
                until: vn.until.clone(),
                ..base.clone()
            };
            if !e.text.is_empty() || e.heading.is_some() {
                entries.push(e);
            }
        }
    }
    entries.sort_by(|a, b| (&a.iri, &a.version).cmp(&(&b.iri, &b.version)));
    let fingerprint = fingerprint(&entries);
    GraphEntries {
        entries,
        quads,
        fingerprint,
    }
}

/// Picks one text among (language, text) pairs: the one of a language, or the best.
type PickText<'a> = dyn Fn(&[(String, String)]) -> Option<String> + 'a;

/// A procedure's title and text in each language of [`Lang::TRANSLATIONS`] it has.
fn translations(n: &Node, details_by: &dyn Fn(&PickText<'_>) -> Vec<String>) -> Vec<Translation> {
    Lang::TRANSLATIONS
        .iter()
        .filter_map(|&lang| {
            let title = in_lang(&n.title, lang);
            let mut lines: Vec<String> = in_lang(&n.description, lang).into_iter().collect();
            lines.extend(details_by(&|v| in_lang(v, lang)));
            if title.is_none() && lines.is_empty() {
                return None;
            }
            Some(Translation {
                lang,
                title,
                text: lines.join("\n"),
            })
        })
        .collect()
}

/// FNV-1a over every field of every entry (stable across builds, unlike `DefaultHasher`).
fn fingerprint(entries: &[Entry]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |s: &str| {
        for b in s.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for e in entries {
        let o = |x: &Option<String>| x.clone().unwrap_or_default();
        for s in [
            e.kind.name().to_string(),
            e.iri.clone(),
            e.version.clone(),
            o(&e.act),
            o(&e.act_title),
            o(&e.act_type),
            o(&e.urn),
            o(&e.number),
            o(&e.heading),
            e.text.clone(),
            e.citation.clone(),
            o(&e.from),
            o(&e.until),
        ] {
            eat(&s);
        }
        for t in &e.translations {
            eat(t.lang.code());
            eat(t.title.as_deref().unwrap_or_default());
            eat(&t.text);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{GraphName, Literal, Quad};

    fn nn(s: &str) -> NamedNode {
        NamedNode::new_unchecked(s)
    }

    /// A two-comma article, the second comma in two versions, and a procedure.
    fn store() -> (Store, NamedNode) {
        let g = nn("https://w3id.org/paesi/graph/act/stato/legge/2000/1");
        let act = "https://w3id.org/paesi/act/stato/legge/2000/1";
        let art = format!("{act}/art1");
        let c1 = format!("{act}/art1-com1");
        let c2 = format!("{act}/art1-com2");
        let store = Store::new().expect("memory store");
        let q = |s: &str, p: String, o: Term| {
            Quad::new(nn(s), nn(&p), o, GraphName::NamedNode(g.clone()))
        };
        let lit = |s: &str| Term::from(Literal::new_simple_literal(s));
        let date = |s: &str| {
            Term::from(Literal::new_typed_literal(
                s,
                oxigraph::model::vocab::xsd::DATE,
            ))
        };
        let quads = vec![
            q(
                act,
                RDF_TYPE.into(),
                nn(&format!("{ELI}LegalResource")).into(),
            ),
            q(
                act,
                format!("{ELI}type_document"),
                nn(&format!("{BASE}type/legge")).into(),
            ),
            q(act, format!("{ELI}date_document"), date("2000-01-04")),
            q(act, format!("{ELI}number"), lit("1")),
            q(act, format!("{ELI}title"), lit("Legge di prova")),
            q(&art, RDF_TYPE.into(), nn(&format!("{PAESI}Article")).into()),
            q(&art, format!("{PAESI}act"), nn(act).into()),
            q(&art, format!("{ELI}is_part_of"), nn(act).into()),
            q(&art, format!("{ELI}number"), lit("Art. 1")),
            q(&art, format!("{ELI}title"), lit("Oggetto")),
            q(
                &c1,
                RDF_TYPE.into(),
                nn(&format!("{PAESI}Paragraph")).into(),
            ),
            q(&c1, format!("{PAESI}act"), nn(act).into()),
            q(&c1, format!("{ELI}is_part_of"), nn(&art).into()),
            q(&c1, format!("{ELI}number"), lit("1.")),
            q(&c1, format!("{PAESI}text"), lit("Testo del primo comma.")),
            q(
                &c2,
                RDF_TYPE.into(),
                nn(&format!("{PAESI}Paragraph")).into(),
            ),
            q(&c2, format!("{PAESI}act"), nn(act).into()),
            q(&c2, format!("{ELI}is_part_of"), nn(&art).into()),
            q(&c2, format!("{ELI}number"), lit("2.")),
            q(&c2, format!("{PAESI}text"), lit("Testo nuovo.")),
            q(
                &c2,
                format!("{PAESI}version"),
                nn(&format!("{c2}/v1")).into(),
            ),
            q(
                &c2,
                format!("{PAESI}version"),
                nn(&format!("{c2}/v2")).into(),
            ),
            q(
                &format!("{c2}/v1"),
                format!("{PAESI}text"),
                lit("Testo vecchio."),
            ),
            q(
                &format!("{c2}/v1"),
                format!("{ELI}first_date_entry_in_force"),
                date("2000-02-01"),
            ),
            q(
                &format!("{c2}/v1"),
                format!("{ELI}date_no_longer_in_force"),
                date("2005-01-01"),
            ),
            q(
                &format!("{c2}/v2"),
                format!("{PAESI}text"),
                lit("Testo nuovo."),
            ),
            q(
                &format!("{c2}/v2"),
                format!("{ELI}first_date_entry_in_force"),
                date("2005-01-01"),
            ),
            q(
                "https://example.org/proc",
                RDF_TYPE.into(),
                nn(CPSV_PUBLIC_SERVICE).into(),
            ),
            q(
                "https://example.org/proc",
                DCT_TITLE.into(),
                Literal::new_language_tagged_literal_unchecked("Permesso", "it").into(),
            ),
            q(
                "https://example.org/proc",
                DCT_TITLE.into(),
                Literal::new_language_tagged_literal_unchecked("Permit", "en").into(),
            ),
            q(
                "https://example.org/proc",
                DCT_DESCRIPTION.into(),
                lit("Rilascio del permesso."),
            ),
        ];
        store.extend(quads).expect("insert");
        (store, g)
    }

    #[test]
    fn one_entry_per_partition_or_version_and_per_procedure() {
        let (store, g) = store();
        let got = entries_for_graph(&store, &g).expect("entries");
        assert_eq!(got.quads, 31);
        type Row<'a> = (
            Kind,
            &'a str,
            &'a str,
            &'a str,
            Option<&'a str>,
            Option<&'a str>,
        );
        let summary: Vec<Row> = got
            .entries
            .iter()
            .map(|e| {
                (
                    e.kind,
                    e.iri.rsplit('/').next().unwrap_or(""),
                    e.text.as_str(),
                    e.citation.as_str(),
                    e.from.as_deref(),
                    e.until.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    Kind::Procedure,
                    "proc",
                    "Rilascio del permesso.",
                    "Permesso",
                    None,
                    None
                ),
                (
                    Kind::Article,
                    "art1",
                    "",
                    "art. 1, L. 4 gennaio 2000, n. 1",
                    None,
                    None
                ),
                (
                    Kind::Paragraph,
                    "art1-com1",
                    "Testo del primo comma.",
                    "art. 1, comma 1, L. 4 gennaio 2000, n. 1",
                    None,
                    None
                ),
                (
                    Kind::Paragraph,
                    "art1-com2",
                    "Testo vecchio.",
                    "art. 1, comma 2, L. 4 gennaio 2000, n. 1",
                    Some("2000-02-01"),
                    Some("2005-01-01")
                ),
                (
                    Kind::Paragraph,
                    "art1-com2",
                    "Testo nuovo.",
                    "art. 1, comma 2, L. 4 gennaio 2000, n. 1",
                    Some("2005-01-01"),
                    None
                ),
            ]
        );
        assert_eq!(got.entries[1].heading.as_deref(), Some("Oggetto"));
        assert_eq!(got.entries[1].act_type.as_deref(), Some("legge"));
        assert_eq!(got.entries[1].act_title.as_deref(), Some("Legge di prova"));
        let again = entries_for_graph(&store, &g).expect("entries");
        assert_eq!(again.fingerprint, got.fingerprint);
    }
}
