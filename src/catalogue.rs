//! The procedure catalogue (`ontology/procedures/*.ttl`) on its way into the store: each
//! procedure file gets a graph of its own, and each legal basis written as a URN:NIR
//! (`paesi:urn`) is resolved to the canonical IRI of the partition it names, so that the
//! procedure meets the very node the act's document produced: `?basis paesi:norm ?partition`
//! and `?procedure cv:hasLegalResource ?partition`. The basis of each figure (`paesi:basis`, the
//! comma that states a time limit, amount, validity or authority) is resolved the same way:
//! `?figure paesi:basisNorm ?partition`.

use std::path::Path;

use oxigraph::model::vocab::rdf;
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode, Quad, Term};

use crate::ids;
use crate::rdf::{iri, paesi};

/// The core vocabulary of public services (CPSV-AP's `cv:`).
pub const CV: &str = "http://data.europa.eu/m8g/";

/// A legal basis whose URN does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{col}: legal basis {urn:?} is not a URN:NIR paesi understands: {reason}")]
pub struct BadLegalBasis {
    /// The URN as written.
    pub urn: String,
    /// Why it does not resolve.
    pub reason: String,
    /// Line of its first occurrence in the file (1-based).
    pub line: usize,
    /// Column of its first occurrence in the file (1-based).
    pub col: usize,
}

/// True when a Turtle file is part of the procedure catalogue (it lies in a `procedures`
/// directory).
pub fn is_catalogue_file(path: &Path) -> bool {
    path.parent()
        .and_then(Path::file_name)
        .is_some_and(|d| d == "procedures")
}

/// The named graph of a catalogue file (`procedures/permesso-studio.ttl` →
/// `https://w3id.org/paesi/graph/procedure/permesso-studio`).
pub fn graph(stem: &str) -> NamedNode {
    iri(&format!("{}graph/procedure/{stem}", ids::BASE))
}

/// Adds to a catalogue file's quads the canonical partition of every legal basis:
/// `?basis paesi:norm ?partition` and `?procedure cv:hasLegalResource ?partition`, and of every
/// figure's basis: `?figure paesi:basisNorm ?partition`. `text` is the file's text, used to point
/// at a bad URN. Returns how many legal bases it resolved.
pub fn resolve_legal_bases(quads: &mut Vec<Quad>, text: &str) -> Result<usize, BadLegalBasis> {
    let urn_p = paesi("urn");
    let basis_p = paesi("legalBasis");
    let bases = literal_objects(quads, &urn_p, |s| is_legal_basis(quads, s));
    let figure_bases = literal_objects(quads, &paesi("basis"), |_| true);
    let mut added = Vec::new();
    for (figure, urn, graph) in &figure_bases {
        added.push(Quad::new(
            figure.clone(),
            paesi("basisNorm"),
            partition(urn, text)?,
            graph.clone(),
        ));
    }
    for (basis, urn, graph) in &bases {
        let norm = partition(urn, text)?;
        added.push(Quad::new(
            basis.clone(),
            paesi("norm"),
            norm.clone(),
            graph.clone(),
        ));
        for q in quads.iter() {
            if q.predicate == basis_p && q.object == Term::from(basis.clone()) {
                added.push(Quad::new(
                    q.subject.clone(),
                    NamedNode::new_unchecked(format!("{CV}hasLegalResource")),
                    norm.clone(),
                    graph.clone(),
                ));
            }
        }
    }
    added.sort_by_key(|q| q.to_string());
    added.dedup();
    quads.extend(added);
    Ok(bases.len())
}

/// The (subject, literal value, graph) of each quad with `predicate` whose subject passes `keep`.
fn literal_objects(
    quads: &[Quad],
    predicate: &NamedNode,
    keep: impl Fn(&NamedOrBlankNode) -> bool,
) -> Vec<(NamedOrBlankNode, String, GraphName)> {
    quads
        .iter()
        .filter(|q| &q.predicate == predicate && keep(&q.subject))
        .filter_map(|q| match &q.object {
            Term::Literal(l) => Some((
                q.subject.clone(),
                l.value().to_string(),
                q.graph_name.clone(),
            )),
            _ => None,
        })
        .collect()
}

/// The canonical IRI of the partition a URN:NIR names; `text` points at a bad one.
fn partition(urn: &str, text: &str) -> Result<NamedNode, BadLegalBasis> {
    let target = ids::parse_urn_nir(urn).map_err(|e| {
        let offset = text.find(urn).unwrap_or(0);
        let (line, col) = crate::xml::line_col(text, offset);
        BadLegalBasis {
            urn: urn.to_string(),
            reason: e.reason,
            line,
            col,
        }
    })?;
    Ok(iri(&target.iri()))
}

fn is_legal_basis(quads: &[Quad], subject: &NamedOrBlankNode) -> bool {
    let class = Term::from(paesi("LegalBasis"));
    quads
        .iter()
        .any(|q| &q.subject == subject && q.predicate == rdf::TYPE && q.object == class)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdf::PAESI;
    use oxigraph::io::{RdfFormat, RdfParser};

    const TTL: &str = r#"@prefix paesi: <https://w3id.org/paesi/ontology#> .
<https://w3id.org/paesi/procedure/p> a paesi:Procedure ;
  paesi:legalBasis [ a paesi:LegalBasis ; paesi:urn "urn:nir:stato:decreto.legislativo:1998-07-25;286~art29-com7" ] ,
                   [ a paesi:LegalBasis ; paesi:urn "urn:nir:stato:legge:1992-02-05;91~art9" ] .
"#;

    fn parse(text: &str) -> Vec<Quad> {
        RdfParser::from_format(RdfFormat::Turtle)
            .for_slice(text.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .expect("valid Turtle")
    }

    #[test]
    fn legal_bases_get_their_canonical_partition() {
        let mut quads = parse(TTL);
        assert_eq!(resolve_legal_bases(&mut quads, TTL), Ok(2));
        let resources: Vec<String> = quads
            .iter()
            .filter(|q| q.predicate.as_str() == format!("{CV}hasLegalResource"))
            .map(|q| q.object.to_string())
            .collect();
        assert_eq!(
            resources,
            [
                "<https://w3id.org/paesi/act/stato/decreto.legislativo/1998/286/art29-com7>",
                "<https://w3id.org/paesi/act/stato/legge/1992/91/art9>"
            ]
        );
        let norms = quads
            .iter()
            .filter(|q| q.predicate.as_str() == format!("{PAESI}norm"))
            .count();
        assert_eq!(norms, 2);
    }

    #[test]
    fn a_bad_urn_is_reported_where_it_is_written() {
        let text = TTL.replace("urn:nir:stato:legge:1992-02-05;91~art9", "urn:nir:nonsense");
        let mut quads = parse(&text);
        let e = resolve_legal_bases(&mut quads, &text).expect_err("refused");
        assert_eq!(e.urn, "urn:nir:nonsense");
        assert_eq!((e.line, e.col), (4, 54));
    }
}
