//! The SPARQL bridge: a `SERVICE <https://w3id.org/paesi/search> { … }` block answered by the
//! text index, so that hits, scores and snippets join the rest of a query.
//!
//! ```sparql
//! PREFIX paesi: <https://w3id.org/paesi/ontology#>
//! SELECT ?hit ?score ?snippet WHERE {
//!   SERVICE <https://w3id.org/paesi/search> {
//!     ?hit paesi:query "ricongiungimento familiare" ; paesi:limit 20 ;
//!          paesi:score ?score ; paesi:snippet ?snippet .
//!   }
//! }
//! ```
//!
//! The block is one subject (the hit: a partition or procedure IRI) with these predicates,
//! all in the `paesi:` namespace. Inputs take a constant: `query` (required, the search text,
//! a literal), `limit` (default 10), `offset`, `at` (a date: only entries in force that day),
//! `type` (canonical act type, a literal). `kind` and `act` filter when given a constant
//! (`"article"`, an act IRI) and bind when given a variable. Outputs take a variable:
//! `score`, `snippet` (words marked « »), `citation`, `version` (the `paesi:Version` node the
//! text is from, unbound for unversioned partitions), `number`, `heading`, `rank` (1, 2, …),
//! `from`, `until` (`xsd:date`), `graph`. The handler does not see outer bindings: the search
//! text must be written inside the block.

use std::sync::Arc;

use oxigraph::model::vocab::xsd;
use oxigraph::model::{Literal, NamedNode, Term};
use oxigraph::sparql::{
    QuerySolution, QuerySolutionIter, ServiceHandler, SparqlEvaluator, Variable,
};
use spargebra::algebra::GraphPattern;
use spargebra::term::{NamedNodePattern, TermPattern, TriplePattern};

use super::index::{Filters, Hit, Markers, TextIndex};
use super::{Kind, SearchError};
use crate::rdf::PAESI;

/// The IRI of the search service.
pub const SERVICE: &str = "https://w3id.org/paesi/search";

/// A SPARQL evaluator whose `SERVICE <https://w3id.org/paesi/search>` is the text index.
pub fn evaluator(index: &TextIndex) -> SparqlEvaluator {
    SparqlEvaluator::new().with_service_handler(
        NamedNode::new_unchecked(SERVICE),
        SearchService {
            index: index.clone(),
        },
    )
}

/// True when a query text calls the search service (it then needs the index).
pub fn uses_service(sparql: &str) -> bool {
    sparql.contains(SERVICE)
}

/// Answers the search `SERVICE` from the text index.
pub struct SearchService {
    index: TextIndex,
}

/// What the block asks for.
#[derive(Debug, Default, PartialEq)]
struct Request {
    subject: Option<Variable>,
    query: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
    filters: Filters,
    /// (output name, variable)
    outputs: Vec<(String, Variable)>,
}

fn collect<'a>(p: &'a GraphPattern, out: &mut Vec<&'a TriplePattern>) -> Result<(), SearchError> {
    match p {
        GraphPattern::Bgp { patterns } => {
            out.extend(patterns);
            Ok(())
        }
        GraphPattern::Join { left, right } => {
            collect(left, out)?;
            collect(right, out)
        }
        _ => Err(SearchError::Query(format!(
            "the {SERVICE} block takes triple patterns about one hit only"
        ))),
    }
}

fn constant(t: &TermPattern) -> Option<String> {
    match t {
        TermPattern::Literal(l) => Some(l.value().to_string()),
        TermPattern::NamedNode(n) => Some(n.as_str().to_string()),
        _ => None,
    }
}

fn parse(pattern: &GraphPattern) -> Result<Request, SearchError> {
    let mut triples = Vec::new();
    collect(pattern, &mut triples)?;
    let mut r = Request::default();
    let bad = |m: String| SearchError::Query(format!("{SERVICE}: {m}"));
    for t in triples {
        let TermPattern::Variable(s) = &t.subject else {
            return Err(bad("the subject must be a variable (the hit)".into()));
        };
        if r.subject.as_ref().is_some_and(|x| x != s) {
            return Err(bad("all patterns must be about one hit".into()));
        }
        r.subject = Some(s.clone());
        let NamedNodePattern::NamedNode(p) = &t.predicate else {
            return Err(bad("predicates must be paesi: IRIs".into()));
        };
        let Some(name) = p.as_str().strip_prefix(PAESI) else {
            return Err(bad(format!("unknown predicate <{}>", p.as_str())));
        };
        let number = |what: &str| -> Result<usize, SearchError> {
            constant(&t.object)
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| bad(format!("paesi:{what} takes a number")))
        };
        match (name, &t.object) {
            (_, TermPattern::Variable(v)) if name != "query" => {
                if !matches!(
                    name,
                    "score"
                        | "snippet"
                        | "citation"
                        | "version"
                        | "number"
                        | "heading"
                        | "rank"
                        | "from"
                        | "until"
                        | "graph"
                        | "kind"
                        | "act"
                ) {
                    return Err(bad(format!("paesi:{name} cannot be bound")));
                }
                r.outputs.push((name.to_string(), v.clone()));
            }
            ("query", _) => {
                r.query = Some(
                    constant(&t.object)
                        .ok_or_else(|| bad("paesi:query takes a literal search text".into()))?,
                );
            }
            ("limit", _) => r.limit = Some(number("limit")?),
            ("offset", _) => r.offset = Some(number("offset")?),
            ("at", o) => r.filters.at = constant(o),
            ("type", o) => r.filters.doc_type = constant(o),
            ("act", o) => r.filters.act = constant(o),
            ("kind", o) => {
                let k = constant(o).unwrap_or_default();
                r.filters.kind =
                    Some(Kind::parse(&k).ok_or_else(|| bad(format!("unknown kind {k:?}")))?);
            }
            _ => return Err(bad(format!("paesi:{name} takes a variable"))),
        }
    }
    if r.query.is_none() {
        return Err(bad("missing paesi:query \"search text\"".into()));
    }
    Ok(r)
}

fn output(name: &str, hit: &Hit, rank: usize) -> Option<Term> {
    let date = |d: &Option<String>| {
        d.as_ref()
            .map(|d| Literal::new_typed_literal(d.as_str(), xsd::DATE).into())
    };
    let text = |s: &Option<String>| s.as_ref().map(|s| Literal::new_simple_literal(s).into());
    match name {
        "score" => Some(Literal::from(f64::from(hit.score)).into()),
        "snippet" => Some(Literal::new_simple_literal(&hit.snippet).into()),
        "citation" => Some(Literal::new_simple_literal(&hit.citation).into()),
        "version" => hit
            .version
            .as_ref()
            .map(|v| NamedNode::new_unchecked(v.as_str()).into()),
        "number" => text(&hit.number),
        "heading" => text(&hit.heading),
        "rank" => Some(Literal::from(rank as i64).into()),
        "from" => date(&hit.from),
        "until" => date(&hit.until),
        "graph" => Some(NamedNode::new_unchecked(hit.graph.as_str()).into()),
        "kind" => Some(Literal::new_simple_literal(&hit.kind).into()),
        "act" => hit
            .act
            .as_ref()
            .map(|a| NamedNode::new_unchecked(a.as_str()).into()),
        _ => None,
    }
}

impl ServiceHandler for SearchService {
    type Error = SearchError;

    fn handle(
        &self,
        pattern: &GraphPattern,
        _base_iri: Option<&oxiri::Iri<String>>,
    ) -> Result<QuerySolutionIter<'static>, SearchError> {
        let r = parse(pattern)?;
        let hits = self.index.search_marked(
            r.query.as_deref().unwrap_or_default(),
            &r.filters,
            r.limit.unwrap_or(10),
            r.offset.unwrap_or(0),
            &Markers::default(),
        )?;
        let mut variables: Vec<Variable> = r.subject.iter().cloned().collect();
        variables.extend(r.outputs.iter().map(|(_, v)| v.clone()));
        let variables: Arc<[Variable]> = variables.into();
        let rows: Vec<_> = hits
            .hits
            .iter()
            .enumerate()
            .map(|(i, hit)| {
                let mut values: Vec<Option<Term>> = Vec::with_capacity(variables.len());
                if r.subject.is_some() {
                    values.push(Some(NamedNode::new_unchecked(hit.iri.as_str()).into()));
                }
                values.extend(r.outputs.iter().map(|(name, _)| output(name, hit, i + 1)));
                Ok::<_, oxigraph::sparql::QueryEvaluationError>(QuerySolution::from((
                    Arc::clone(&variables),
                    values,
                )))
            })
            .collect();
        Ok(QuerySolutionIter::new(variables, rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(sparql: &str) -> GraphPattern {
        let q = spargebra::SparqlParser::new()
            .parse_query(sparql)
            .expect("parses");
        fn find(p: &GraphPattern) -> Option<GraphPattern> {
            match p {
                GraphPattern::Service { inner, .. } => Some((**inner).clone()),
                GraphPattern::Project { inner, .. }
                | GraphPattern::Distinct { inner }
                | GraphPattern::Filter { inner, .. }
                | GraphPattern::Slice { inner, .. }
                | GraphPattern::OrderBy { inner, .. }
                | GraphPattern::Extend { inner, .. } => find(inner),
                GraphPattern::Join { left, right } => find(left).or_else(|| find(right)),
                _ => None,
            }
        }
        match q {
            spargebra::Query::Select { pattern, .. } => find(&pattern).expect("a SERVICE"),
            _ => panic!("a SELECT"),
        }
    }

    #[test]
    fn reads_the_block() {
        let p = pattern(
            "PREFIX paesi: <https://w3id.org/paesi/ontology#>
             SELECT * { SERVICE <https://w3id.org/paesi/search> {
               ?hit paesi:query \"ricongiungimento familiare\" ; paesi:limit 20 ;
                    paesi:kind \"paragraph\" ; paesi:at \"2003-01-01\" ;
                    paesi:score ?s ; paesi:snippet ?snip ; paesi:act ?act } }",
        );
        let r = parse(&p).expect("request");
        assert_eq!(r.subject, Some(Variable::new_unchecked("hit")));
        assert_eq!(r.query.as_deref(), Some("ricongiungimento familiare"));
        assert_eq!(r.limit, Some(20));
        assert_eq!(r.filters.kind, Some(Kind::Paragraph));
        assert_eq!(r.filters.at.as_deref(), Some("2003-01-01"));
        assert_eq!(
            r.outputs,
            vec![
                ("score".to_string(), Variable::new_unchecked("s")),
                ("snippet".to_string(), Variable::new_unchecked("snip")),
                ("act".to_string(), Variable::new_unchecked("act")),
            ]
        );
    }

    #[test]
    fn refuses_a_block_without_query_text() {
        let p = pattern(
            "PREFIX paesi: <https://w3id.org/paesi/ontology#>
             SELECT * { SERVICE <https://w3id.org/paesi/search> { ?hit paesi:score ?s } }",
        );
        assert_eq!(
            parse(&p).map_err(|e| e.to_string()).err().as_deref(),
            Some(
                "search query: https://w3id.org/paesi/search: missing paesi:query \"search text\""
            )
        );
    }
}
