//! Queries to a remote SPARQL endpoint (SPARQL 1.1 Protocol, `POST` of a form): the answer is
//! read into oxigraph's [`QueryResults`], so it is written by the same code as a local one
//! (`crate::query::write_results`).

use std::io::Cursor;

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser};
use oxigraph::sparql::{QueryEvaluationError, QueryResults, QueryTripleIter};

use super::{Target, excerpt, form};
use crate::import::http::{HttpError, Request};

/// Why a remote query failed.
#[derive(Debug, thiserror::Error)]
pub enum RemoteQueryError {
    /// The query does not parse (checked before it is sent).
    #[error("query does not parse: {0}")]
    Syntax(String),
    /// The query uses the text index `SERVICE`, which only the local store answers.
    #[error(
        "the query uses the text-index SERVICE <{}>, which only paesi's own store answers",
        crate::search::sparql::SERVICE
    )]
    Service,
    /// No answer.
    #[error("{0}")]
    Http(#[from] HttpError),
    /// An answer that is not a success.
    #[error("{endpoint} answered {status}: {body}")]
    Status {
        /// The endpoint.
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// The start of its body.
        body: String,
    },
    /// An answer that could not be read.
    #[error("{endpoint}: the answer could not be read: {message}")]
    Answer {
        /// The endpoint.
        endpoint: String,
        /// What the parser said.
        message: String,
    },
}

/// Runs `sparql` on the target's endpoint: SELECT and ASK answered in SPARQL JSON results,
/// CONSTRUCT and DESCRIBE in N-Triples.
pub fn query(target: &Target, sparql: &str) -> Result<QueryResults<'static>, RemoteQueryError> {
    if crate::search::sparql::uses_service(sparql) {
        return Err(RemoteQueryError::Service);
    }
    let parsed = spargebra::SparqlParser::new()
        .parse_query(sparql)
        .map_err(|e| RemoteQueryError::Syntax(e.to_string()))?;
    let graph = matches!(
        parsed,
        spargebra::Query::Construct { .. } | spargebra::Query::Describe { .. }
    );
    let accept = if graph {
        "application/n-triples"
    } else {
        "application/sparql-results+json"
    };
    let http = target.client()?;
    let answer = http.request(&Request {
        method: "POST",
        url: &target.endpoint,
        accept,
        body: Some(("application/x-www-form-urlencoded", form("query", sparql))),
    })?;
    if !(200..300).contains(&answer.status) {
        return Err(RemoteQueryError::Status {
            endpoint: target.endpoint.clone(),
            status: answer.status,
            body: excerpt(&answer.body),
        });
    }
    let unreadable = |message: String| RemoteQueryError::Answer {
        endpoint: target.endpoint.clone(),
        message,
    };
    if graph {
        let triples: Vec<_> = RdfParser::from_format(RdfFormat::NTriples)
            .for_slice(&answer.body)
            .map(|q| {
                q.map(oxigraph::model::Triple::from)
                    .map_err(|e| unreadable(e.to_string()))
            })
            .collect::<Result<_, _>>()?;
        return Ok(QueryResults::from(QueryTripleIter::new(
            triples.into_iter().map(Ok::<_, QueryEvaluationError>),
        )));
    }
    let body = blank_node_labels(answer.body).map_err(unreadable)?;
    let parsed = QueryResultsParser::from_format(QueryResultsFormat::Json)
        .for_reader(Cursor::new(body))
        .map_err(|e| unreadable(e.to_string()))?;
    Ok(QueryResults::from(parsed))
}

/// SPARQL JSON results with every blank node label made one oxigraph reads: Virtuoso labels
/// them `nodeID://b10000`, which is no blank node label; only letters, digits and `_` are kept
/// (labels are local to one answer, so only their equality within it matters).
fn blank_node_labels(body: Vec<u8>) -> Result<Vec<u8>, String> {
    if !body.windows(7).any(|w| w == b"\"bnode\"") {
        return Ok(body);
    }
    let mut json: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    if let Some(rows) = json
        .pointer_mut("/results/bindings")
        .and_then(|b| b.as_array_mut())
    {
        for term in rows
            .iter_mut()
            .filter_map(|r| r.as_object_mut())
            .flat_map(|r| r.values_mut())
        {
            if term["type"] == "bnode"
                && let Some(label) = term["value"].as_str()
            {
                let clean: String = label
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                term["value"] = serde_json::Value::String(format!("b{clean}"));
            }
        }
    }
    // only what the format requires, in its order (oxigraph's reader wants nothing after the
    // bindings, and serde_json would sort Virtuoso's `distinct` and `ordered` after them)
    let minimal = serde_json::json!({
        "head": { "vars": json["head"]["vars"] },
        "results": { "bindings": json["results"]["bindings"] },
    });
    serde_json::to_vec(&minimal).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtuoso_blank_nodes_are_read() {
        let body = br#"{"head":{"link":[],"vars":["x"]},"results":{"distinct":false,"ordered":true,"bindings":[{"x":{"type":"bnode","value":"nodeID://b10000"}},{"x":{"type":"bnode","value":"nodeID://b10001"}}]}}"#;
        let fixed = blank_node_labels(body.to_vec()).expect("JSON");
        let QueryResults::Solutions(rows) = QueryResults::from(
            QueryResultsParser::from_format(QueryResultsFormat::Json)
                .for_reader(Cursor::new(fixed))
                .expect("parse"),
        ) else {
            panic!("solutions");
        };
        let labels: Vec<String> = rows
            .map(|r| r.expect("row").get("x").expect("x").to_string())
            .collect();
        assert_eq!(labels, ["_:bnodeIDb10000", "_:bnodeIDb10001"]);
    }
}
