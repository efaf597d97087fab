//! The import registry: for every document graph an import wrote, where it came from, when,
//! and the canonical hash of its quads as mapped (RDFC-1.0, SHA-256), kept in the graph
//! [`GRAPH`]. An import whose document hashes the same as the registry (or as the graph in
//! the store) is an expression already held: nothing is written.

use oxigraph::model::dataset::{CanonicalizationAlgorithm, CanonicalizationHashAlgorithm};
use oxigraph::model::vocab::xsd;
use oxigraph::model::{Dataset, GraphName, GraphNameRef, Literal, NamedNode, Quad, QuadRef, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};

use crate::rdf::{PAESI, paesi};
use crate::store::{Kb, StoreError};

/// The named graph of the registry.
pub const GRAPH: &str = "https://w3id.org/paesi/graph/imports";

/// The prefix of every hash: the canonicalization and the digest.
const HASH_PREFIX: &str = "rdfc10-sha256:";

/// One registry entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Entry {
    /// The document graph.
    pub graph: String,
    /// Where its document came from.
    pub source: Option<String>,
    /// Its canonical hash.
    pub hash: Option<String>,
    /// The day it was imported.
    pub date: Option<String>,
}

fn registry() -> NamedNode {
    NamedNode::new_unchecked(GRAPH)
}

/// The canonical hash of a graph's quads (their graph names are ignored): blank nodes
/// labelled by RDFC-1.0, the canonical N-Triples lines sorted, then SHA-256.
pub fn canonical_hash<'a>(
    quads: impl IntoIterator<Item = QuadRef<'a>>,
) -> Result<String, StoreError> {
    let mut dataset = Dataset::new();
    for q in quads {
        dataset.insert(QuadRef::new(
            q.subject,
            q.predicate,
            q.object,
            GraphNameRef::DefaultGraph,
        ));
    }
    dataset.canonicalize(CanonicalizationAlgorithm::Rdfc10 {
        hash_algorithm: CanonicalizationHashAlgorithm::Sha256,
    });
    let mut lines: Vec<String> = dataset
        .iter()
        .map(|q| format!("{} {} {} .\n", q.subject, q.predicate, q.object))
        .collect();
    lines.sort_unstable();
    Ok(format!("{HASH_PREFIX}{}", sha256(&lines.concat())?))
}

/// SHA-256 of a text, in hex, through SPARQL's `SHA256` over a one-triple in-memory store
/// (oxigraph has the digest; paesi needs no crate of its own for it).
fn sha256(text: &str) -> Result<String, StoreError> {
    let store = oxigraph::store::Store::new().map_err(|e| StoreError::Evaluation(e.to_string()))?;
    let node = NamedNode::new_unchecked("urn:paesi:digest");
    store
        .insert(QuadRef::new(
            node.as_ref(),
            node.as_ref(),
            Literal::new_simple_literal(text).as_ref(),
            GraphNameRef::DefaultGraph,
        ))
        .map_err(|e| StoreError::Evaluation(e.to_string()))?;
    let results = SparqlEvaluator::new()
        .parse_query("SELECT (SHA256(?text) AS ?h) WHERE { ?s ?p ?text }")
        .map_err(|e| StoreError::Syntax(e.to_string()))?
        .on_store(&store)
        .execute()
        .map_err(|e| StoreError::Evaluation(e.to_string()))?;
    if let QueryResults::Solutions(mut rows) = results
        && let Some(row) = rows.next()
    {
        let row = row.map_err(|e| StoreError::Evaluation(e.to_string()))?;
        if let Some(Term::Literal(l)) = row.get("h") {
            return Ok(l.value().to_string());
        }
    }
    Err(StoreError::Evaluation("SHA256 gave no value".into()))
}

/// The canonical hash of a graph as the store holds it.
pub fn stored_graph_hash(kb: &Kb, graph: &NamedNode) -> Result<String, StoreError> {
    let quads = crate::export::graph_quads(kb, graph)?;
    canonical_hash(quads.iter().map(Quad::as_ref))
}

/// The registry entry of a document graph, if any.
pub fn entry(kb: &Kb, graph: &NamedNode) -> Result<Option<Entry>, StoreError> {
    Ok(entries(kb)?.into_iter().find(|e| e.graph == graph.as_str()))
}

/// Every registry entry, by graph.
pub fn entries(kb: &Kb) -> Result<Vec<Entry>, StoreError> {
    let rows = kb.string_rows(&format!(
        "SELECT ?g ?s ?h ?d WHERE {{ GRAPH <{GRAPH}> {{ ?g <{PAESI}contentHash> ?h .
           OPTIONAL {{ ?g <{PAESI}importedFrom> ?s }} OPTIONAL {{ ?g <{PAESI}importedOn> ?d }} }} }}
         ORDER BY ?g"
    ))?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Entry {
                graph: r[0].clone()?,
                source: r[1].clone(),
                hash: r[2].clone(),
                date: r[3].clone(),
            })
        })
        .collect())
}

/// Records (or updates) the entry of a document graph, and keeps the text index in step
/// with the registry graph.
pub fn record(
    kb: &Kb,
    graph: &NamedNode,
    source: &str,
    hash: &str,
    day: &str,
) -> Result<(), StoreError> {
    let g = GraphName::NamedNode(registry());
    let old: Vec<Quad> = kb
        .store()
        .quads_for_pattern(
            Some(graph.as_ref().into()),
            None,
            None,
            Some(registry().as_ref().into()),
        )
        .collect::<Result<_, _>>()
        .map_err(|e| StoreError::Evaluation(e.to_string()))?;
    let new = vec![
        Quad::new(
            graph.clone(),
            paesi("contentHash"),
            Literal::new_simple_literal(hash),
            g.clone(),
        ),
        Quad::new(
            graph.clone(),
            paesi("importedFrom"),
            Literal::new_simple_literal(source),
            g.clone(),
        ),
        Quad::new(
            graph.clone(),
            paesi("importedOn"),
            Literal::new_typed_literal(day, xsd::DATE),
            g,
        ),
    ];
    let hook = crate::search::IngestHook::begin(kb);
    kb.apply(&old, &new, &[])?;
    hook.finish(kb, &[GRAPH.to_string()], std::collections::HashMap::new())
        .map_err(|e| StoreError::Evaluation(format!("text index: {e}")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::BlankNode;

    #[test]
    fn the_hash_ignores_blank_node_labels_and_order() {
        let s = NamedNode::new_unchecked("https://example.org/s");
        let p = NamedNode::new_unchecked("https://example.org/p");
        let quads = |b: &str, reverse: bool| {
            let b = BlankNode::new_unchecked(b);
            let mut v = vec![
                Quad::new(s.clone(), p.clone(), b.clone(), GraphName::DefaultGraph),
                Quad::new(
                    b,
                    p.clone(),
                    Literal::new_simple_literal("x"),
                    GraphName::DefaultGraph,
                ),
            ];
            if reverse {
                v.reverse();
            }
            v
        };
        let a = quads("first", false);
        let b = quads("second", true);
        let ha = canonical_hash(a.iter().map(Quad::as_ref)).expect("hash");
        assert_eq!(
            ha,
            canonical_hash(b.iter().map(Quad::as_ref)).expect("hash")
        );
        assert!(ha.starts_with(HASH_PREFIX));
        assert_eq!(ha.len(), HASH_PREFIX.len() + 64);
        let mut c = quads("first", false);
        c.pop();
        assert_ne!(
            ha,
            canonical_hash(c.iter().map(Quad::as_ref)).expect("hash")
        );
    }

    #[test]
    fn sha256_is_the_standard_digest() {
        assert_eq!(
            sha256("abc").expect("digest"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
