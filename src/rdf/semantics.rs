//! The semantic part of the mapping: AKN top-level classes as ALLOT individuals, inline
//! mentions linking partitions to them, definitions and subjects as SKOS concepts, and the
//! annotator's findings on every partition and version text.

use std::collections::{HashMap, HashSet};

use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{BlankNode, Literal, NamedNode};

use super::{Emitter, SKOS, iri, paesi};
use crate::annotate::{Annotator, Value};
use crate::ids::BASE;
use crate::model::Document;

/// The ALLOT ontology namespace (Akoma Ntoso top-level classes).
pub const ALLOT: &str = "https://w3id.org/akn/ontology/allot/";
/// Dublin Core terms.
const DCT: &str = "http://purl.org/dc/terms/";

fn skos(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SKOS}{local}"))
}

fn integer(n: usize) -> Literal {
    Literal::new_typed_literal(n.to_string(), xsd::INTEGER)
}

/// What the semantic mapping produced, for reports and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SemanticCounts {
    /// Top-level classes (entities).
    pub entities: usize,
    /// Inline semantic elements.
    pub mentions: usize,
    /// Annotations found by the annotator (partitions and versions).
    pub annotations: usize,
}

/// Maps the semantic markup of `doc` (entities, mentions, definitions, subjects).
pub(super) fn map(
    doc: &Document,
    e: &mut Emitter,
    act: &NamedNode,
    parts: &[NamedNode],
    text: &dyn Fn(&str) -> Literal,
) -> SemanticCounts {
    let sem = &doc.semantics;
    let counts = SemanticCounts {
        entities: sem.entities.len(),
        mentions: sem.mentions.len(),
        annotations: 0,
    };
    // entities: one IRI per TLC, a second TLC with the same id gets a suffix
    let mut by_id: HashMap<&str, NamedNode> = HashMap::new();
    let mut taken: HashSet<String> = HashSet::new();
    for ent in &sem.entities {
        let mut local = if ent.id.is_empty() {
            format!("tlc{}", taken.len() + 1)
        } else {
            ent.id.clone()
        };
        let mut n = 2;
        while taken.contains(&local) {
            local = format!("{}-{n}", ent.id);
            n += 1;
        }
        taken.insert(local.clone());
        let node = iri(&format!("{}/entity/{local}", act.as_str()));
        e.add(
            node.clone(),
            rdf::TYPE.into(),
            NamedNode::new_unchecked(format!("{ALLOT}{}", ent.kind.allot_class())),
        );
        e.add(node.clone(), paesi("act"), act.clone());
        e.add(
            node.clone(),
            paesi("entityId"),
            Literal::new_simple_literal(ent.id.as_str()),
        );
        if let Some(h) = &ent.href {
            e.add(
                node.clone(),
                paesi("href"),
                Literal::new_simple_literal(h.as_str()),
            );
        }
        if let Some(s) = &ent.show_as {
            e.add(node.clone(), rdfs::LABEL.into(), text(s));
        }
        by_id.entry(ent.id.as_str()).or_insert(node);
    }
    // mentions, and the partition → entity links they make
    let mut linked: HashSet<(Option<usize>, NamedNode)> = HashSet::new();
    let scheme = iri(&format!("{}/definitions", act.as_str()));
    let mut definitions_per_holder: HashMap<Option<usize>, usize> = HashMap::new();
    for m in &sem.mentions {
        let holder = m.from.map_or(act, |j| &parts[j]);
        let node = BlankNode::default();
        e.add(node.clone(), rdf::TYPE.into(), paesi("Mention"));
        e.add(
            node.clone(),
            paesi("element"),
            Literal::new_simple_literal(m.element.as_str()),
        );
        e.add(node.clone(), paesi("mentionedIn"), holder.clone());
        if !m.text.is_empty() {
            e.add(node.clone(), paesi("surface"), text(&m.text));
        }
        if let Some(v) = &m.value {
            e.add(
                node.clone(),
                paesi("value"),
                Literal::new_simple_literal(v.as_str()),
            );
        }
        let target = m.refers_to.as_deref().and_then(|r| by_id.get(r));
        if let Some(r) = &m.refers_to {
            e.add(
                node.clone(),
                paesi("refersToId"),
                Literal::new_simple_literal(r.as_str()),
            );
        }
        if let Some(t) = target {
            e.add(node.clone(), paesi("refersTo"), t.clone());
            if linked.insert((m.from, t.clone())) {
                e.add(holder.clone(), paesi("mentions"), t.clone());
            }
        }
        if let Some(role) = m.role.as_deref().and_then(|r| by_id.get(r)) {
            e.add(node.clone(), paesi("as"), role.clone());
        }
        if m.element == "def" {
            let k = definitions_per_holder.entry(m.from).or_insert(0);
            *k += 1;
            let concept = match target {
                Some(t) => t.clone(),
                None => iri(&format!("{}/definition/{k}", holder.as_str())),
            };
            let (term, definition) = split_definition(doc, m.from, &m.text);
            e.add(concept.clone(), rdf::TYPE.into(), skos("Concept"));
            e.add(concept.clone(), skos("inScheme"), scheme.clone());
            if !term.is_empty() {
                e.add(concept.clone(), skos("prefLabel"), text(term));
            }
            if !definition.is_empty() {
                e.add(concept.clone(), skos("definition"), text(definition));
            }
            e.add(concept.clone(), paesi("definedIn"), holder.clone());
            e.add(node.clone(), paesi("defines"), concept);
        }
    }
    if definitions_per_holder.values().any(|&n| n > 0) {
        e.add(scheme.clone(), rdf::TYPE.into(), skos("ConceptScheme"));
        e.add(scheme, paesi("act"), act.clone());
    }
    // subjects: concepts shared by every act of the same vocabulary
    for s in &sem.subjects {
        let vocabulary = s.vocabulary.as_deref().unwrap_or("materie");
        let scheme = iri(&format!("{BASE}subject/{}", crate::parse::slug(vocabulary)));
        let concept = iri(&format!(
            "{}/{}",
            scheme.as_str(),
            crate::parse::slug(&s.value)
        ));
        e.add(
            act.clone(),
            NamedNode::new_unchecked(format!("{DCT}subject")),
            concept.clone(),
        );
        e.add(concept.clone(), rdf::TYPE.into(), skos("Concept"));
        e.add(
            concept.clone(),
            skos("prefLabel"),
            Literal::new_language_tagged_literal_unchecked(s.value.as_str(), "it"),
        );
        e.add(concept.clone(), skos("inScheme"), scheme.clone());
        e.add(scheme.clone(), rdf::TYPE.into(), skos("ConceptScheme"));
        e.add(
            scheme,
            rdfs::LABEL.into(),
            Literal::new_simple_literal(vocabulary),
        );
    }
    counts
}

/// The term a definition defines and the definition itself: an AKN `def` marks the term,
/// the partition's text defines it; a NIR `def` is the whole definition, `term: meaning`.
fn split_definition<'a>(
    doc: &'a Document,
    from: Option<usize>,
    def: &'a str,
) -> (&'a str, &'a str) {
    match doc.format {
        crate::model::Format::Akn => {
            let term = def.trim().trim_end_matches(['.', ':', ',']).trim();
            let definition = from.map_or("", |j| doc.partitions[j].text.as_str());
            (term, definition)
        }
        crate::model::Format::Nir => match def.find(':') {
            Some(at) if def[..at].chars().count() <= 120 => (def[..at].trim(), def),
            _ => ("", def),
        },
    }
}

/// Maps the annotator's findings on every partition text and version text.
pub(super) fn annotate(
    doc: &Document,
    e: &mut Emitter,
    parts: &[NamedNode],
    annotator: &Annotator,
) -> usize {
    let mut total = 0;
    for (i, p) in doc.partitions.iter().enumerate() {
        let node = &parts[i];
        let own = if p.text.is_empty() {
            Vec::new()
        } else {
            annotator.annotate(&p.text)
        };
        total += emit(e, node, &own);
        for (k, v) in p.versions.iter().enumerate() {
            if v.text.is_empty() {
                continue;
            }
            let vn = iri(&format!("{}/v{}", node.as_str(), k + 1));
            if v.text == p.text {
                total += emit(e, &vn, &own);
            } else {
                total += emit(e, &vn, &annotator.annotate(&v.text));
            }
        }
    }
    total
}

fn emit(e: &mut Emitter, node: &NamedNode, found: &[crate::annotate::Annotation]) -> usize {
    for a in found {
        let b = BlankNode::default();
        e.add(node.clone(), paesi("annotation"), b.clone());
        e.add(b.clone(), rdf::TYPE.into(), paesi(a.kind.class_name()));
        e.add(b.clone(), paesi("start"), integer(a.start));
        e.add(b.clone(), paesi("end"), integer(a.end));
        e.add(
            b.clone(),
            paesi("surface"),
            Literal::new_simple_literal(a.text.as_str()),
        );
        match &a.value {
            Value::Period(p) => {
                e.add(
                    b.clone(),
                    paesi("value"),
                    Literal::new_typed_literal(p.duration(), xsd::DURATION),
                );
                if let Some(d) = p.days() {
                    e.add(
                        b.clone(),
                        paesi("days"),
                        Literal::new_typed_literal(d.to_string(), xsd::INTEGER),
                    );
                }
                if p.working {
                    e.add(b.clone(), paesi("workingDays"), Literal::from(true));
                }
            }
            Value::Money { value, currency } => {
                e.add(
                    b.clone(),
                    paesi("value"),
                    Literal::new_typed_literal(value.as_str(), xsd::DECIMAL),
                );
                e.add(b.clone(), paesi("currency"), iri(currency));
            }
            Value::Iri(i) => e.add(b.clone(), paesi("value"), iri(i)),
        }
        if let Some(q) = &a.qualifier {
            e.add(
                b.clone(),
                paesi("qualifier"),
                Literal::new_simple_literal(q.as_str()),
            );
        }
        if let Some(p) = &a.procedure {
            e.add(b.clone(), paesi("procedure"), iri(p));
        }
    }
    found.len()
}
