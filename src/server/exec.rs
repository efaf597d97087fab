//! Running SPARQL for the server: parse (400 on a syntax error), evaluate on a snapshot of the
//! store in a blocking task under the per-query timeout, and serialize in the negotiated
//! format while counting against the result limit.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode, Triple};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{CancellationToken, QueryEvaluationError, QueryResults, SparqlEvaluator};
use oxigraph::store::Store;

use super::error::ApiError;
use super::negotiate;

/// A serialized answer and its media type.
#[derive(Debug)]
pub struct Output {
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: Vec<u8>,
}

/// A query as the protocol gives it: the text and the dataset it names.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The SPARQL query.
    pub query: String,
    /// `default-graph-uri` values (empty: the union of all graphs).
    pub default_graphs: Vec<String>,
    /// `named-graph-uri` values.
    pub named_graphs: Vec<String>,
    /// The `Accept` header, or the media type a `format` parameter names.
    pub accept: Option<String>,
}

/// The limits a query runs under.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Per-query timeout.
    pub timeout_ms: u64,
    /// Most results (rows or triples) an answer may have.
    pub max_results: usize,
}

/// Prefixes for Turtle output.
pub const PREFIXES: &[(&str, &str)] = &[
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("dct", "http://purl.org/dc/terms/"),
    ("eli", crate::rdf::ELI),
    ("paesi", crate::rdf::PAESI),
    ("cpsv", "http://purl.org/vocab/cpsv#"),
    ("cv", "http://data.europa.eu/m8g/"),
    ("sd", "http://www.w3.org/ns/sparql-service-description#"),
];

/// The number of queries whose evaluation is running on a blocking thread (shown by
/// `/health` as `queries_running`): a query past its deadline leaves it once its
/// evaluation has seen the cancellation.
#[derive(Debug, Clone, Default)]
pub struct Running(Arc<AtomicUsize>);

impl Running {
    /// How many evaluations are running now.
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    fn enter(&self) -> RunningGuard {
        self.0.fetch_add(1, Ordering::SeqCst);
        RunningGuard(self.0.clone())
    }
}

/// One running evaluation, counted until dropped.
struct RunningGuard(Arc<AtomicUsize>);

impl Drop for RunningGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Cancels the evaluation when the request ends for any reason: its deadline, or the client
/// going away (the handler's future is dropped and no timer would fire).
struct CancelOnDrop(CancellationToken);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// Runs a query on the server's store, text index and limits (see [`run`]).
pub async fn run_on(state: &super::AppState, request: Request) -> Result<Output, ApiError> {
    run(
        state.kb().store().clone(),
        state.search_index(),
        request,
        state.limits(),
        state.running(),
    )
    .await
}

/// Runs a query in a blocking task under the timeout: the store work never blocks the
/// server's threads, and a query that runs too long is cancelled and answered 503.
async fn run(
    store: Store,
    index: Option<crate::search::TextIndex>,
    request: Request,
    limits: Limits,
    running: &Running,
) -> Result<Output, ApiError> {
    let token = CancellationToken::new();
    let _cancel = CancelOnDrop(token.clone());
    let guard = running.enter();
    let task = tokio::task::spawn_blocking(move || {
        let _counted = guard;
        evaluate(&store, index.as_ref(), &request, limits.max_results, token)
    });
    match tokio::time::timeout(Duration::from_millis(limits.timeout_ms), task).await {
        Err(_) => Err(ApiError::Timeout(limits.timeout_ms)),
        Ok(Err(join)) => Err(ApiError::Internal(format!("query task failed: {join}"))),
        // cancelled by the timer while it ran
        Ok(Ok(Err(ApiError::Timeout(_)))) => Err(ApiError::Timeout(limits.timeout_ms)),
        Ok(Ok(result)) => result,
    }
}

/// An evaluation error; a cancelled query is a timeout (its value is set by [`run`]); what
/// the search `SERVICE` refuses in the request (no search text, a page too large, a bad
/// date) is the client's error.
fn evaluation(e: QueryEvaluationError) -> ApiError {
    match e {
        QueryEvaluationError::Cancelled => ApiError::Timeout(0),
        QueryEvaluationError::Service(inner)
            if inner
                .downcast_ref::<crate::search::SearchError>()
                .is_some_and(crate::search::SearchError::is_request_error) =>
        {
            ApiError::BadRequest(format!("search SERVICE: {inner}"))
        }
        e => ApiError::Internal(format!("query failed: {e}")),
    }
}

fn graph_iri(s: &str) -> Result<NamedNode, ApiError> {
    NamedNode::new(s).map_err(|e| ApiError::BadRequest(format!("graph IRI {s:?}: {e}")))
}

/// Parses, evaluates and serializes a query (blocking). A query that calls the search
/// `SERVICE` is answered with the text index when there is one.
pub fn evaluate(
    store: &Store,
    index: Option<&crate::search::TextIndex>,
    request: &Request,
    max_results: usize,
    token: CancellationToken,
) -> Result<Output, ApiError> {
    let evaluator = match index {
        Some(index) if crate::search::sparql::uses_service(&request.query) => {
            index
                .reload()
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            crate::search::sparql::evaluator(index)
        }
        _ => SparqlEvaluator::new(),
    };
    let mut prepared = evaluator
        .with_cancellation_token(token.clone())
        .parse_query(&request.query)
        .map_err(|e| ApiError::BadRequest(format!("query does not parse: {e}")))?;
    if !request.default_graphs.is_empty() || !request.named_graphs.is_empty() {
        let defaults = request
            .default_graphs
            .iter()
            .map(|g| graph_iri(g).map(GraphName::from))
            .collect::<Result<Vec<_>, _>>()?;
        let named = request
            .named_graphs
            .iter()
            .map(|g| graph_iri(g).map(NamedOrBlankNode::from))
            .collect::<Result<Vec<_>, _>>()?;
        prepared.dataset_mut().set_default_graph(defaults);
        if !named.is_empty() {
            prepared.dataset_mut().set_available_named_graphs(named);
        }
    } else if prepared.dataset().is_default_dataset() {
        prepared.dataset_mut().set_default_graph_as_union();
    }
    let results = prepared.on_store(store).execute().map_err(evaluation)?;
    serialize(results, request.accept.as_deref(), max_results, &token)
}

/// Serializes results in the format the client accepts best. The token is checked before
/// each solution or triple: oxigraph checks it only when it reads the store, and a cross
/// product joins in memory, so without this a query past its deadline would go on producing
/// solutions (and filling the body) on a blocking thread after its 503.
pub fn serialize(
    results: QueryResults<'_>,
    accept: Option<&str>,
    max_results: usize,
    token: &CancellationToken,
) -> Result<Output, ApiError> {
    let alive = || {
        if token.is_cancelled() {
            Err(ApiError::Timeout(0))
        } else {
            Ok(())
        }
    };
    let mut body = Vec::new();
    match results {
        QueryResults::Boolean(b) => {
            let (content_type, format) = results_format(accept)?;
            QueryResultsSerializer::from_format(format)
                .serialize_boolean_to_writer(&mut body, b)
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            Ok(Output { content_type, body })
        }
        QueryResults::Solutions(solutions) => {
            let (content_type, format) = results_format(accept)?;
            let mut ser = QueryResultsSerializer::from_format(format)
                .serialize_solutions_to_writer(&mut body, solutions.variables().to_vec())
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            for (n, row) in solutions.enumerate() {
                alive()?;
                if n >= max_results {
                    return Err(ApiError::TooManyResults(max_results));
                }
                let row = row.map_err(evaluation)?;
                ser.serialize(&row)
                    .map_err(|e| ApiError::Internal(e.to_string()))?;
            }
            ser.finish()
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            Ok(Output { content_type, body })
        }
        QueryResults::Graph(triples) => {
            let mut all = Vec::new();
            for (n, t) in triples.enumerate() {
                alive()?;
                if n >= max_results {
                    return Err(ApiError::TooManyResults(max_results));
                }
                all.push(t.map_err(evaluation)?);
            }
            graph(&all, accept)
        }
    }
}

/// The results format the client accepts best, or 406.
fn results_format(accept: Option<&str>) -> Result<(&'static str, QueryResultsFormat), ApiError> {
    let media = negotiate::choose(accept, negotiate::RESULTS).ok_or_else(|| {
        ApiError::NotAcceptable(format!(
            "no acceptable format for query results among: {}",
            negotiate::RESULTS.join(", ")
        ))
    })?;
    let format = QueryResultsFormat::from_media_type(media)
        .ok_or_else(|| ApiError::Internal(format!("no serializer for {media}")))?;
    Ok((format.media_type(), format))
}

/// The RDF format of a graph media type (`text/plain` is N-Triples).
pub fn rdf_format(media: &str) -> Option<RdfFormat> {
    match media {
        "text/plain" => Some(RdfFormat::NTriples),
        m => RdfFormat::from_media_type(m),
    }
}

/// Serializes triples in the graph format the client accepts best, or 406.
pub fn graph(triples: &[Triple], accept: Option<&str>) -> Result<Output, ApiError> {
    let media = negotiate::choose(accept, negotiate::GRAPHS).ok_or_else(|| {
        ApiError::NotAcceptable(format!(
            "no acceptable format for a graph among: {}",
            negotiate::GRAPHS.join(", ")
        ))
    })?;
    let format = rdf_format(media)
        .ok_or_else(|| ApiError::Internal(format!("no serializer for {media}")))?;
    Ok(Output {
        content_type: format.media_type(),
        body: write_graph(triples, format)?,
    })
}

/// Writes triples in an RDF syntax (Turtle with the usual prefixes).
pub fn write_graph(triples: &[Triple], format: RdfFormat) -> Result<Vec<u8>, ApiError> {
    let mut serializer = RdfSerializer::from_format(format);
    if matches!(format, RdfFormat::Turtle) {
        for (name, iri) in PREFIXES {
            serializer = serializer
                .with_prefix(*name, *iri)
                .map_err(|e| ApiError::Internal(e.to_string()))?;
        }
    }
    let mut writer = serializer.for_writer(Vec::new());
    for t in triples {
        writer
            .serialize_triple(t)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    writer
        .finish()
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// Runs a SPARQL Update (blocking); the store applies it in one transaction.
pub fn update(store: &Store, text: &str) -> Result<(), ApiError> {
    let parsed = spargebra::SparqlParser::new()
        .parse_update(text)
        .map_err(|e| ApiError::BadRequest(format!("update does not parse: {e}")))?;
    if parsed
        .operations
        .iter()
        .any(|op| matches!(op, spargebra::GraphUpdateOperation::Load { .. }))
    {
        return Err(ApiError::BadRequest(
            "LOAD is refused: the server reads no file and fetches no URL a client names".into(),
        ));
    }
    SparqlEvaluator::new()
        .parse_update(text)
        .map_err(|e| ApiError::BadRequest(format!("update does not parse: {e}")))?
        .on_store(store)
        .execute()
        .map_err(|e| ApiError::Internal(format!("update failed: {e}")))
}
