//! Queries to a remote SPARQL endpoint (SPARQL 1.1 Protocol, `POST` of a form): the answer is
//! read into oxigraph's [`QueryResults`], so it is written by the same code as a local one
//! (`crate::query::write_results`).

use std::io::Cursor;

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::vocab::xsd;
use oxigraph::model::{Literal, Term};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser};
use oxigraph::sparql::{QueryEvaluationError, QueryResults, QueryTripleIter};

use super::{Target, excerpt, form};
use crate::import::http::{Http, HttpError, Request};

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
/// CONSTRUCT and DESCRIBE in N-Triples. The terms are those the endpoint answered, as it
/// wrote them (`paesi query --endpoint` shows them so).
pub fn query(target: &Target, sparql: &str) -> Result<QueryResults<'static>, RemoteQueryError> {
    query_with(&target.client()?, target, sparql)
}

/// Like [`query`], with a client made once for many queries (its credentials and the
/// server's last Digest challenge kept between them).
pub fn query_with(
    http: &Http,
    target: &Target,
    sparql: &str,
) -> Result<QueryResults<'static>, RemoteQueryError> {
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

/// The rows of a SELECT answer from the endpoint (none for another form), each term passed
/// through [`normalise`]: what the lookups (`crate::source::Remote`) read.
pub fn rows(
    http: &Http,
    target: &Target,
    sparql: &str,
) -> Result<Vec<crate::source::Row>, RemoteQueryError> {
    let QueryResults::Solutions(solutions) = query_with(http, target, sparql)? else {
        return Ok(Vec::new());
    };
    let n = solutions.variables().len();
    let mut out = Vec::new();
    for row in solutions {
        let row = row.map_err(|e| RemoteQueryError::Answer {
            endpoint: target.endpoint.clone(),
            message: e.to_string(),
        })?;
        out.push((0..n).map(|i| row.get(i).cloned().map(normalise)).collect());
    }
    Ok(out)
}

/// A term as the local store would hold it, where a remote store keeps the value but not the
/// lexical form. The one place paesi makes up for Virtuoso 7.2's lexical differences (seen
/// in `tests/virtuoso.rs`); every other term is kept as answered:
///
/// - `xsd:boolean` `1` / `0` → `true` / `false` (the same values; paesi writes the latter);
/// - an `xsd:double` or `xsd:float` → its value's canonical form, as oxigraph keeps it
///   (Virtuoso answers `"40.00"^^xsd:double` as `40.0`, oxigraph as `40`);
/// - an `xsd:duration` answered as a number (Virtuoso stores a year-month duration as its
///   months, `"P6M"` → `"6"`, and a day-time one as its seconds in a double, `"P90D"` →
///   `"7.776e+06"`) → a duration again, in the largest units: months as years and months
///   (`P2Y`, `P1Y6M`, `P6M`), seconds as days, hours, minutes and seconds (`P90D`,
///   `P2DT11H`, `PT12H`). The value is the one stored; the units are this choice, so a
///   duration the source wrote otherwise (`P24M`, `P2W`, `PT48H`) comes back as `P2Y`,
///   `P14D`, `P2D`: equal as a value, not as written. A form Virtuoso keeps as a string
///   (weeks, `P2W`, are no XSD duration; `PT0S`) is kept.
///
/// On the shared-corpus KB (587,168 quads, pushed to Virtuoso 7.2 on 2026-12-03) these were
/// the only lexical differences among typed literals: 21 booleans, 20 doubles and 5,520 of
/// the 5,550 durations; after this every one of them equals the local term.
pub fn normalise(term: Term) -> Term {
    let Term::Literal(literal) = &term else {
        return term;
    };
    let datatype = literal.datatype();
    if datatype == xsd::BOOLEAN {
        return match literal.value() {
            "1" => Literal::from(true).into(),
            "0" => Literal::from(false).into(),
            _ => term,
        };
    }
    if datatype == xsd::DURATION
        && let Some(lexical) = duration_of_number(literal.value())
    {
        return Literal::new_typed_literal(lexical, xsd::DURATION).into();
    }
    if datatype == xsd::DOUBLE
        && let Ok(value) = literal.value().parse::<f64>()
    {
        return Literal::from(value).into();
    }
    if datatype == xsd::FLOAT
        && let Ok(value) = literal.value().parse::<f32>()
    {
        return Literal::from(value).into();
    }
    term
}

/// The `xsd:duration` lexical form of a number Virtuoso answers for one (see [`normalise`]);
/// None when the text is no such number (a lexical form already, kept).
fn duration_of_number(text: &str) -> Option<String> {
    if text.starts_with('P') || text.starts_with("-P") {
        return None;
    }
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    if let Ok(months) = digits.parse::<u64>() {
        let (years, months) = (months / 12, months % 12);
        let mut out = format!("{sign}P");
        if years > 0 {
            out.push_str(&format!("{years}Y"));
        }
        if months > 0 || years == 0 {
            out.push_str(&format!("{months}M"));
        }
        return Some(out);
    }
    let seconds: f64 = digits.parse().ok()?;
    if !seconds.is_finite() || seconds < 0.0 {
        return None;
    }
    let whole = seconds.trunc();
    let fraction = seconds - whole;
    let whole = whole as u64;
    let (days, hours, minutes, secs) = (
        whole / 86_400,
        whole % 86_400 / 3_600,
        whole % 3_600 / 60,
        whole % 60,
    );
    let mut out = format!("{sign}P");
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    let mut time = String::new();
    if hours > 0 {
        time.push_str(&format!("{hours}H"));
    }
    if minutes > 0 {
        time.push_str(&format!("{minutes}M"));
    }
    if fraction > 1e-9 {
        time.push_str(&format!("{}S", secs as f64 + fraction));
    } else if secs > 0 || (days == 0 && time.is_empty()) {
        time.push_str(&format!("{secs}S"));
    }
    if !time.is_empty() {
        out.push('T');
        out.push_str(&time);
    }
    Some(out)
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

    fn duration(lexical: &str) -> Term {
        Literal::new_typed_literal(lexical, xsd::DURATION).into()
    }

    #[test]
    fn virtuoso_numbers_become_durations_again() {
        // numbers as Virtuoso 7.2 answers durations (months: an integer; seconds: a double)
        for (answered, expected) in [
            ("6", "P6M"),
            ("24", "P2Y"),
            ("18", "P1Y6M"),
            ("0", "P0M"),
            ("7.776e+06", "P90D"),
            ("129600.0", "P1DT12H"),
            ("43200.0", "PT12H"),
            ("212400.0", "P2DT11H"),
            ("90", "P7Y6M"),
            ("90.0", "PT1M30S"),
            ("1.5", "PT1.5S"),
            ("0.0", "PT0S"),
        ] {
            assert_eq!(
                normalise(duration(answered)),
                duration(expected),
                "{answered}"
            );
        }
        // a lexical form is kept
        assert_eq!(normalise(duration("P24M")), duration("P24M"));
        assert_eq!(normalise(duration("nonsense")), duration("nonsense"));
        let boolean = |b: &str| Term::from(Literal::new_typed_literal(b, xsd::BOOLEAN));
        assert_eq!(normalise(boolean("1")), boolean("true"));
        assert_eq!(normalise(boolean("0")), boolean("false"));
        // a number of another datatype is no duration
        let integer = Term::from(Literal::new_typed_literal("6", xsd::INTEGER));
        assert_eq!(normalise(integer.clone()), integer);
        // doubles as oxigraph writes them
        let double = |d: &str| Term::from(Literal::new_typed_literal(d, xsd::DOUBLE));
        assert_eq!(normalise(double("40.0")), double("40"));
        assert_eq!(normalise(double("2.5e+02")), double("250"));
        assert_eq!(normalise(double("0.5")), double("0.5"));
    }

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
