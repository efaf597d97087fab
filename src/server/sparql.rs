//! The SPARQL 1.1 Protocol at `/sparql`: queries by GET (`?query=`), by POST form
//! (`query=`) or POST body (`application/sparql-query`); updates by POST form (`update=`) or
//! body (`application/sparql-update`) with the bearer token; a bare GET gives the service
//! description. `format=` overrides `Accept`; `at=DATE` binds `?at` as `paesi query --at` does.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oxigraph::model::vocab::rdf;
use oxigraph::model::{BlankNode, Literal, NamedNode, Triple};

use super::error::ApiError;
use super::exec::{self, Output, Request};
use super::{AppState, negotiate};

/// The protocol parameters of one request.
#[derive(Debug, Default)]
pub struct Params {
    query: Option<String>,
    update: Option<String>,
    default_graphs: Vec<String>,
    named_graphs: Vec<String>,
    format: Option<String>,
    at: Option<String>,
}

impl Params {
    /// Reads `application/x-www-form-urlencoded` pairs (a URL query or a form body).
    fn add(&mut self, encoded: &[u8]) -> Result<(), ApiError> {
        for (k, v) in form_urlencoded::parse(encoded) {
            let once = |slot: &mut Option<String>, v: String| {
                if slot.is_some() {
                    return Err(ApiError::BadRequest(format!("{k} is given twice")));
                }
                *slot = Some(v);
                Ok(())
            };
            match k.as_ref() {
                "query" => once(&mut self.query, v.into_owned())?,
                "update" => once(&mut self.update, v.into_owned())?,
                "format" => once(&mut self.format, v.into_owned())?,
                "at" => once(&mut self.at, v.into_owned())?,
                "default-graph-uri" | "using-graph-uri" => self.default_graphs.push(v.into_owned()),
                "named-graph-uri" | "using-named-graph-uri" => {
                    self.named_graphs.push(v.into_owned())
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// The media type the client asks for: the `format` parameter, else `Accept`.
pub fn accept(format: Option<&str>, headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    match format {
        Some(f) => negotiate::format_media_type(f)
            .map(|m| Some(m.to_string()))
            .ok_or_else(|| {
                ApiError::BadRequest(format!(
                    "unknown format {f:?} (json, xml, csv, tsv, turtle, ntriples, rdfxml, jsonld)"
                ))
            }),
        None => Ok(headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)),
    }
}

/// The query text with `?at` bound to the day asked about (today by default), as the CLI does.
pub fn bind_at(query: &str, at: Option<&str>) -> Result<String, ApiError> {
    let day = match at {
        Some(a) => crate::dates::parse(a)
            .ok_or_else(|| ApiError::BadRequest(format!("at={a:?} is not a date (YYYY-MM-DD)")))?,
        None => crate::dates::today(),
    };
    Ok(crate::dates::bind_date(query, "at", &day))
}

/// An answer with its media type; `Vary: Accept` since it was negotiated.
pub fn respond(output: Output) -> Response {
    respond_with(output.content_type, output.body)
}

/// A body of the negotiated `content_type`, with `Vary: Accept`.
pub fn respond_with(content_type: &'static str, body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::VARY, HeaderValue::from_static("Accept"));
    response
}

/// `GET /sparql`.
pub async fn get(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mut params = Params::default();
    params.add(raw.unwrap_or_default().as_bytes())?;
    if params.update.is_some() {
        return Err(ApiError::BadRequest(
            "SPARQL Update goes by POST (update= or application/sparql-update)".into(),
        ));
    }
    if params.query.is_none() {
        return service_description(&state, &headers, params.format.as_deref());
    }
    query(state, params, &headers).await
}

/// `POST /sparql`.
pub async fn post(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let mut params = Params::default();
    params.add(raw.unwrap_or_default().as_bytes())?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let text = || {
        String::from_utf8(body.to_vec())
            .map_err(|_| ApiError::BadRequest("the request body is not UTF-8".into()))
    };
    match content_type.as_str() {
        "application/x-www-form-urlencoded" => params.add(&body)?,
        "application/sparql-query" => {
            if params.query.is_some() {
                return Err(ApiError::BadRequest("query is given twice".into()));
            }
            params.query = Some(text()?);
        }
        "application/sparql-update" => {
            if params.update.is_some() {
                return Err(ApiError::BadRequest("update is given twice".into()));
            }
            params.update = Some(text()?);
        }
        other => {
            return Err(ApiError::UnsupportedMediaType(format!(
                "POST /sparql takes application/x-www-form-urlencoded, application/sparql-query or application/sparql-update, not {other:?}"
            )));
        }
    }
    match (&params.query, &params.update) {
        (Some(_), Some(_)) => Err(ApiError::BadRequest(
            "give a query or an update, not both".into(),
        )),
        (None, Some(u)) => {
            state.authorize(&headers)?;
            let u = u.clone();
            let s = state.clone();
            // held until the update has committed, even if the client goes away
            let writing = state.answers().writing();
            let (updated, writing) = tokio::task::spawn_blocking(move || {
                let updated = exec::update(s.kb().store(), &u);
                (updated, writing)
            })
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
            match updated {
                Ok(()) => super::named::finish_write(&state, writing).await,
                // refused or failed: nothing to refresh (the kept answers are let go)
                Err(e) => {
                    drop(writing);
                    return Err(e);
                }
            }
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        (Some(_), None) => query(state, params, &headers).await,
        (None, None) => Err(ApiError::BadRequest("no query and no update".into())),
    }
}

async fn query(state: AppState, params: Params, headers: &HeaderMap) -> Result<Response, ApiError> {
    let text = params.query.unwrap_or_default();
    let request = Request {
        query: bind_at(&text, params.at.as_deref())?,
        default_graphs: params.default_graphs,
        named_graphs: params.named_graphs,
        accept: accept(params.format.as_deref(), headers)?,
    };
    let output = exec::run_on(&state, request).await?;
    Ok(respond(output))
}

const SD: &str = "http://www.w3.org/ns/sparql-service-description#";
const FORMATS: &str = "http://www.w3.org/ns/formats/";

/// The `sd:Service` description of this endpoint.
fn service_description(
    state: &AppState,
    headers: &HeaderMap,
    format: Option<&str>,
) -> Result<Response, ApiError> {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let sd = |l: &str| NamedNode::new_unchecked(format!("{SD}{l}"));
    let f = |l: &str| NamedNode::new_unchecked(format!("{FORMATS}{l}"));
    let endpoint = NamedNode::new(format!("http://{host}/sparql"))
        .map_err(|e| ApiError::BadRequest(format!("Host header: {e}")))?;
    let service = BlankNode::default();
    let dataset = BlankNode::default();
    let graph = BlankNode::default();
    let mut t = vec![
        Triple::new(service.clone(), rdf::TYPE, sd("Service")),
        Triple::new(service.clone(), sd("endpoint"), endpoint),
        Triple::new(
            service.clone(),
            sd("supportedLanguage"),
            sd("SPARQL11Query"),
        ),
        Triple::new(service.clone(), sd("feature"), sd("UnionDefaultGraph")),
        Triple::new(service.clone(), sd("defaultDataset"), dataset.clone()),
        Triple::new(dataset.clone(), rdf::TYPE, sd("Dataset")),
        Triple::new(dataset, sd("defaultGraph"), graph.clone()),
        Triple::new(graph, rdf::TYPE, sd("Graph")),
        Triple::new(
            service.clone(),
            NamedNode::new_unchecked("http://purl.org/dc/terms/title"),
            Literal::new_simple_literal("paesi: a knowledge base of Italian immigration law"),
        ),
    ];
    if state.config().update_token.is_some() {
        t.push(Triple::new(
            service.clone(),
            sd("supportedLanguage"),
            sd("SPARQL11Update"),
        ));
    }
    for format in [
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "RDF_XML",
        "JSON-LD",
    ] {
        t.push(Triple::new(service.clone(), sd("resultFormat"), f(format)));
    }
    let accept = accept(format, headers)?;
    Ok(respond(exec::graph(&t, accept.as_deref())?))
}
