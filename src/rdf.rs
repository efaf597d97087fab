//! The RDF mapping: a [`Document`] becomes the quads of its own named graph, following the
//! contract in DESIGN.md (ELI for acts and partitions, `paesi:` for what ELI lacks).

use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{BlankNode, GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};

use crate::annotate::Annotator;
use crate::ids::{BASE, Target, Work};
use crate::model::{Direction, Document};

mod semantics;

pub use semantics::{ALLOT, SemanticCounts};

/// The ELI ontology namespace.
pub const ELI: &str = "http://data.europa.eu/eli/ontology#";
/// The paesi ontology namespace.
pub const PAESI: &str = "https://w3id.org/paesi/ontology#";
/// OWL.
pub const OWL: &str = "http://www.w3.org/2002/07/owl#";
/// SKOS.
pub const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";

/// The named graph holding a document: one per work, or per annex or dated version of it,
/// and one per expression when the source names its expression date (a Normattiva export
/// consolidated at 2025-01-30 goes to `…/graph/act/…/@2025-01-30`), so that several
/// expressions of one act coexist.
pub fn graph_of(work: &Work, component: Option<&str>, expression: Option<&str>) -> NamedNode {
    let mut name = act_graph(&work.iri()).as_str().to_string();
    if let Some(c) = component {
        name.push('/');
        name.push_str(c);
    }
    if let Some(d) = expression {
        name.push_str("/@");
        name.push_str(d);
    }
    iri(&name)
}

/// The graph of an act itself (given its canonical IRI) (no component, no expression): expression graphs of the
/// act are `{this}/@{date}`, and its derived timeline is [`timeline_graph`].
pub fn act_graph(act: &str) -> NamedNode {
    let path = act.strip_prefix(BASE).unwrap_or(act);
    iri(&format!("{BASE}graph/{path}"))
}

/// The graph where paesi writes what it derives from several expressions of one act (when
/// each version stopped being in force): recomputed whenever an expression is ingested.
pub fn timeline_graph(act: &str) -> NamedNode {
    iri(&format!("{}/timeline", act_graph(act).as_str()))
}

/// The named graph an ontology file is loaded into (`ontology/paesi.ttl` → `.../graph/ontology/paesi`).
pub fn ontology_graph(name: &str) -> NamedNode {
    iri(&format!("{BASE}graph/ontology/{name}"))
}

/// A named node from a string, percent-encoding what an IRI may not contain.
pub fn iri(s: &str) -> NamedNode {
    let safe = |c: char| {
        c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c) || (c as u32) > 0x9f
    };
    if s.chars().all(safe) {
        return NamedNode::new_unchecked(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if safe(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    NamedNode::new_unchecked(out)
}

/// A term of the ELI ontology.
pub fn eli(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{ELI}{local}"))
}

/// A term of the paesi ontology.
pub fn paesi(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{PAESI}{local}"))
}

fn date(d: &str) -> Literal {
    if d.len() == 10 {
        Literal::new_typed_literal(d, xsd::DATE)
    } else {
        Literal::new_typed_literal(d, xsd::G_YEAR)
    }
}

/// Collects the quads of one graph.
struct Emitter {
    graph: GraphName,
    quads: Vec<Quad>,
}

impl Emitter {
    fn add(&mut self, s: impl Into<NamedOrBlankNode>, p: NamedNode, o: impl Into<Term>) {
        self.quads.push(Quad::new(s, p, o, self.graph.clone()));
    }
}

/// What the mapping produced, for reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Partitions (each distinct partition once, whatever its versions).
    pub partitions: usize,
    /// References in the text.
    pub references: usize,
    /// Modifications declared in the metadata.
    pub modifications: usize,
    /// Modifications whose destination could not be resolved to an IRI.
    pub unresolved_destinations: usize,
    /// Semantic markup and annotations.
    pub semantics: SemanticCounts,
}

/// Maps a document to the quads of its graph; with an annotator, the annotations of every
/// partition and version text too.
pub fn map(doc: &Document, annotator: Option<&Annotator>) -> (NamedNode, Vec<Quad>, Counts) {
    let graph = graph_of(
        &doc.work,
        doc.component.as_deref(),
        doc.meta.expression_date.as_deref(),
    );
    let mut e = Emitter {
        graph: GraphName::NamedNode(graph.clone()),
        quads: Vec::with_capacity(16 * doc.partitions.len() + 8 * doc.references.len() + 32),
    };
    let act = iri(&doc.work.iri());
    let italian = matches!(doc.work, Work::Nir { .. });
    let text_literal = |s: &str| {
        if italian {
            Literal::new_language_tagged_literal_unchecked(s, "it")
        } else {
            Literal::new_simple_literal(s)
        }
    };
    let m = &doc.meta;

    e.add(act.clone(), rdf::TYPE.into(), eli("LegalResource"));
    if let Some(t) = &m.canonical_type {
        let type_node = iri(&format!("{BASE}type/{t}"));
        e.add(act.clone(), eli("type_document"), type_node);
    }
    if let Some(t) = &m.doc_type {
        e.add(
            act.clone(),
            paesi("documentType"),
            Literal::new_simple_literal(t),
        );
    }
    if let Some(d) = &m.date {
        e.add(act.clone(), eli("date_document"), date(d));
    }
    if let Some(n) = &m.number {
        e.add(act.clone(), eli("number"), Literal::new_simple_literal(n));
    }
    if let Some(t) = &m.title {
        e.add(act.clone(), eli("title"), text_literal(t));
    }
    if let Some(a) = &m.authority {
        e.add(
            act.clone(),
            paesi("authority"),
            Literal::new_simple_literal(a),
        );
    }
    if let Some(p) = &m.publication {
        if let Some(d) = &p.date {
            e.add(act.clone(), eli("date_publication"), date(d));
        }
        if let Some(j) = &p.journal {
            e.add(
                act.clone(),
                paesi("publishedIn"),
                Literal::new_simple_literal(j),
            );
        }
        if let Some(n) = &p.number {
            e.add(
                act.clone(),
                paesi("publicationNumber"),
                Literal::new_simple_literal(n),
            );
        }
    }
    if let Some(d) = &m.entry_into_force {
        e.add(act.clone(), eli("first_date_entry_in_force"), date(d));
    }
    if let Some(d) = &m.expression_date {
        e.add(act.clone(), paesi("expressionDate"), date(d));
    }
    if let Some(urn) = doc.work.urn() {
        e.add(act.clone(), paesi("urn"), Literal::new_simple_literal(urn));
    }
    let canonical_urn = doc.work.urn();
    for urn in m.urns.iter().filter(|u| Some(*u) != canonical_urn.as_ref()) {
        e.add(
            act.clone(),
            paesi("urn"),
            Literal::new_simple_literal(urn.as_str()),
        );
    }
    for a in &m.akn_iris {
        e.add(
            act.clone(),
            paesi("akn"),
            Literal::new_simple_literal(a.as_str()),
        );
    }
    for x in &m.elis {
        e.add(
            act.clone(),
            eli("id_local"),
            Literal::new_simple_literal(x.as_str()),
        );
    }
    for alias in &m.aliases {
        e.add(
            act.clone(),
            NamedNode::new_unchecked(format!("{OWL}sameAs")),
            iri(&alias.iri()),
        );
    }
    e.add(
        act.clone(),
        paesi("sourceFormat"),
        Literal::new_simple_literal(doc.format.name()),
    );

    let partition_nodes: Vec<NamedNode> = (0..doc.partitions.len())
        .map(|i| iri(&doc.partition_iri(i)))
        .collect();
    let urn = doc.work.urn();
    for (i, p) in doc.partitions.iter().enumerate() {
        let node = &partition_nodes[i];
        e.add(node.clone(), rdf::TYPE.into(), paesi(p.kind.class_name()));
        let parent = p.parent.map_or(&act, |j| &partition_nodes[j]);
        e.add(node.clone(), eli("is_part_of"), parent.clone());
        e.add(parent.clone(), eli("has_part"), node.clone());
        e.add(node.clone(), paesi("act"), act.clone());
        e.add(
            node.clone(),
            paesi("partitionId"),
            Literal::new_simple_literal(p.id.as_str()),
        );
        e.add(
            node.clone(),
            paesi("order"),
            Literal::new_typed_literal(i.to_string(), xsd::INTEGER),
        );
        if let Some(u) = &urn {
            e.add(
                node.clone(),
                paesi("urn"),
                Literal::new_simple_literal(format!("{u}~{}", p.id)),
            );
        }
        if let Some(n) = &p.num {
            e.add(
                node.clone(),
                eli("number"),
                Literal::new_simple_literal(n.as_str()),
            );
        }
        if let Some(h) = &p.heading {
            e.add(node.clone(), eli("title"), text_literal(h));
        }
        if !p.text.is_empty() {
            e.add(node.clone(), paesi("text"), text_literal(&p.text));
        }
        if let Some(d) = &p.in_force_from {
            e.add(node.clone(), eli("first_date_entry_in_force"), date(d));
        }
        if let Some(d) = &p.in_force_until {
            e.add(node.clone(), eli("date_no_longer_in_force"), date(d));
        }
        for (k, v) in p.versions.iter().enumerate() {
            let vn = iri(&format!("{}/v{}", node.as_str(), k + 1));
            e.add(node.clone(), paesi("version"), vn.clone());
            e.add(vn.clone(), rdf::TYPE.into(), paesi("Version"));
            if let Some(d) = &v.from {
                e.add(vn.clone(), eli("first_date_entry_in_force"), date(d));
            }
            if let Some(d) = &v.until {
                e.add(vn.clone(), eli("date_no_longer_in_force"), date(d));
            }
            if let Some(n) = &v.num {
                e.add(
                    vn.clone(),
                    eli("number"),
                    Literal::new_simple_literal(n.as_str()),
                );
            }
            if let Some(h) = &v.heading {
                e.add(vn.clone(), eli("title"), text_literal(h));
            }
            if !v.text.is_empty() {
                e.add(vn.clone(), paesi("text"), text_literal(&v.text));
            }
            if let Some(s) = &v.status {
                e.add(
                    vn.clone(),
                    paesi("status"),
                    Literal::new_simple_literal(s.as_str()),
                );
            }
            if let Some(t) = &v.introduced_by {
                e.add(vn.clone(), paesi("introducedBy"), iri(&t.iri()));
            }
            if let Some(t) = &v.ended_by {
                e.add(vn.clone(), paesi("endedBy"), iri(&t.iri()));
            }
        }
    }

    let mut counts = Counts {
        partitions: doc.partitions.len(),
        references: doc.references.len(),
        modifications: doc.modifications.len(),
        unresolved_destinations: 0,
        semantics: semantics::map(doc, &mut e, &act, &partition_nodes, &text_literal),
    };
    if let Some(a) = annotator {
        counts.semantics.annotations = semantics::annotate(doc, &mut e, &partition_nodes, a);
    }
    let mut cited = std::collections::HashSet::new();
    let mut cited_acts = std::collections::HashSet::new();
    for r in &doc.references {
        let citing = r.from.map_or(&act, |j| &partition_nodes[j]);
        let node = BlankNode::default();
        e.add(node.clone(), rdf::TYPE.into(), paesi("Reference"));
        e.add(node.clone(), paesi("citing"), citing.clone());
        e.add(
            node.clone(),
            paesi("href"),
            Literal::new_simple_literal(r.href.as_str()),
        );
        if !r.text.is_empty() {
            e.add(node.clone(), rdfs::LABEL.into(), text_literal(&r.text));
        }
        match &r.target {
            Some(t) => {
                let target = iri(&t.iri());
                e.add(node.clone(), paesi("target"), target.clone());
                if cited.insert((r.from, target.clone())) {
                    e.add(citing.clone(), eli("cites"), target);
                }
                // the act cited, itself or through a partition: "who cites this act" becomes
                // one lookup instead of a scan of every citation for an IRI prefix
                let cited_act = iri(&t.work.iri());
                if cited_acts.insert((r.from, cited_act.clone())) {
                    e.add(citing.clone(), paesi("citesAct"), cited_act);
                }
            }
            None => {
                if let Some(why) = &r.unresolved {
                    e.add(
                        node.clone(),
                        paesi("unresolved"),
                        Literal::new_simple_literal(why.as_str()),
                    );
                }
            }
        }
    }

    for ev in &doc.events {
        let node = BlankNode::default();
        e.add(act.clone(), paesi("event"), node.clone());
        e.add(node.clone(), rdf::TYPE.into(), paesi("Event"));
        e.add(
            node.clone(),
            paesi("eventId"),
            Literal::new_simple_literal(ev.id.as_str()),
        );
        if let Some(d) = &ev.date {
            e.add(node.clone(), paesi("date"), date(d));
        }
        if let Some(k) = &ev.kind {
            e.add(
                node.clone(),
                paesi("eventType"),
                Literal::new_simple_literal(k.as_str()),
            );
        }
        if let Some(s) = &ev.source {
            e.add(node.clone(), paesi("source"), iri(&s.iri()));
        }
    }

    let mut amends = std::collections::HashSet::new();
    for md in &doc.modifications {
        let node = BlankNode::default();
        e.add(node.clone(), rdf::TYPE.into(), paesi("Modification"));
        e.add(
            node.clone(),
            paesi("modificationType"),
            Literal::new_simple_literal(md.kind.as_str()),
        );
        let direction = match md.direction {
            Direction::Active => "active",
            Direction::Passive => "passive",
        };
        e.add(
            node.clone(),
            paesi("direction"),
            Literal::new_simple_literal(direction),
        );
        e.add(act.clone(), paesi("modification"), node.clone());
        let source = md.source.as_ref().map(|t| iri(&t.iri()));
        let destination = md.destination.as_ref().map(|t| iri(&t.iri()));
        let destination_act = act_of(md.destination.as_ref());
        if let Some(s) = &source {
            e.add(node.clone(), paesi("source"), s.clone());
        }
        if let Some(h) = &md.source_href {
            e.add(
                node.clone(),
                paesi("sourceText"),
                Literal::new_simple_literal(h.as_str()),
            );
        }
        match &destination {
            Some(d) => e.add(node.clone(), paesi("destination"), d.clone()),
            None => counts.unresolved_destinations += 1,
        }
        // the act and the partitions the destination lies inside: "what amended this
        // partition, or one inside it" is then a lookup, not a scan of every destination
        // for an IRI prefix
        if let (Some(d), Some(a)) = (&destination, &destination_act) {
            for within in enclosing(a.as_str(), d.as_str()) {
                e.add(node.clone(), paesi("destinationWithin"), iri(within));
            }
        }
        if let Some(h) = &md.destination_href {
            e.add(
                node.clone(),
                paesi("destinationText"),
                Literal::new_simple_literal(h.as_str()),
            );
        }
        if let Some(d) = &md.date {
            e.add(node.clone(), paesi("date"), date(d));
        }
        if let Some(n) = &md.note {
            e.add(node.clone(), rdfs::COMMENT.into(), text_literal(n));
        }
        if let (Some(s), Some(d)) = (&source, &destination) {
            let mut pairs = vec![(s.clone(), d.clone())];
            if let (Some(sa), Some(da)) = (act_of(md.source.as_ref()), &destination_act) {
                pairs.push((sa, da.clone()));
            }
            for (a, b) in pairs {
                if amends.insert((a.clone(), b.clone())) {
                    e.add(a.clone(), eli("amends"), b.clone());
                    e.add(b, eli("amended_by"), a);
                }
            }
        }
    }
    let mut quads = e.quads;
    drop_repeated(&mut quads);
    (graph, quads, counts)
}

/// Removes quads written twice (a source can say the same thing twice): the store keeps a
/// quad once, so what ingest reports and stamps must count it once too.
fn drop_repeated(quads: &mut Vec<Quad>) {
    let repeated: Vec<bool> = {
        let mut seen = std::collections::HashSet::with_capacity(quads.len());
        quads.iter().map(|q| !seen.insert(q)).collect()
    };
    if repeated.iter().any(|r| *r) {
        let mut flags = repeated.into_iter();
        quads.retain(|_| !flags.next().unwrap_or(false));
    }
}

/// The IRIs `target` lies inside, outermost first, as slices of it: `act` (its act's IRI),
/// then each partition whose id is the target's up to a `-` (`…/286/art5-com2-leta` →
/// `…/286`, `…/286/art5`, `…/286/art5-com2`); nothing when the target is the act. The same
/// relation as an IRI prefix ending at `/` or `-`.
fn enclosing<'a>(act: &str, target: &'a str) -> Vec<&'a str> {
    let Some(id) = target
        .strip_prefix(act)
        .and_then(|rest| rest.strip_prefix('/'))
    else {
        return Vec::new();
    };
    let start = act.len() + 1;
    std::iter::once(&target[..act.len()])
        .chain(id.match_indices('-').map(|(i, _)| &target[..start + i]))
        .collect()
}

fn act_of(t: Option<&Target>) -> Option<NamedNode> {
    t.map(|t| iri(&t.work.iri()))
}

#[cfg(test)]
mod tests {
    use super::{enclosing, iri};
    use crate::ids::resolve_href;

    #[test]
    fn a_target_lies_inside_its_act_and_each_enclosing_partition() {
        let tu = "https://w3id.org/paesi/act/stato/decreto.legislativo/1998/286";
        let t = resolve_href(
            "urn:nir:stato:decreto.legislativo:1998-07-25;286~art5-com2-leta",
            None,
        )
        .expect("resolves");
        assert_eq!(t.iri(), format!("{tu}/art5-com2-leta"));
        assert_eq!(
            enclosing(&t.work.iri(), &t.iri()),
            [
                tu.to_string(),
                format!("{tu}/art5"),
                format!("{tu}/art5-com2")
            ]
        );
        let act = resolve_href("urn:nir:stato:decreto.legislativo:1998-07-25;286", None)
            .expect("resolves");
        assert!(enclosing(&act.work.iri(), &act.iri()).is_empty());
    }

    #[test]
    fn unsafe_characters_are_percent_encoded() {
        assert_eq!(iri("https://x.org/a b").as_str(), "https://x.org/a%20b");
        assert_eq!(iri("https://x.org/a<b>").as_str(), "https://x.org/a%3Cb%3E");
        assert_eq!(iri("https://x.org/è").as_str(), "https://x.org/è");
    }
}
