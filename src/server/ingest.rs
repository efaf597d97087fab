//! `POST /ingest`: the normal ingest, run while the server keeps answering, behind the update
//! token (checked on the headers, before the body is read). The body is one AKN/NIR document
//! (`?name=` names it in the report), at most [`MAX_BODY`] bytes. No file is read on a
//! client's word: a JSON list of server-side paths is refused (415); `paesi ingest` on the
//! server's own machine reads paths. The answer is the ingest report as JSON: 200 when the
//! document went in, 422 when it failed.
//!
//! One ingest runs at a time; each document's graph is replaced in one transaction (new
//! graphs go in through an atomic bulk load), and queries read snapshots, so a query sees a
//! document before or after, never half.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::ApiError;
use crate::ingest::{self, Input, Options};

/// The largest body `/ingest` takes, that of a document held whole in memory (the shared
/// corpus's largest document is 4 MB); a longer `Content-Length` is refused with 413 before
/// the body is read.
pub const MAX_BODY: usize = ingest::MAX_IN_MEMORY_BYTES;

/// `POST /ingest`.
pub async fn post(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    // the token was checked by the route's layer (super::require_token)
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if json {
        return Err(ApiError::UnsupportedMediaType(
            "POST /ingest takes one AKN or NIR document as its body; the server reads no path \
             a client names (run `paesi ingest PATH` on the server's machine)"
                .into(),
        ));
    }
    if body.is_empty() {
        return Err(ApiError::BadRequest("empty body: send a document".into()));
    }
    let name = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "name")
        .map_or_else(|| "<request body>".to_string(), |(_, v)| v.into_owned());
    let inputs = vec![Input::Bytes(name, body.to_vec())];
    let _one_at_a_time = state.inner.ingest.lock().await;
    let s = state.clone();
    let options = Options {
        annotator: state.config().annotator.clone(),
        ..Options::default()
    };
    // held until the ingest has committed, even if the client goes away
    let writing = state.answers().writing();
    let (report, writing) = tokio::task::spawn_blocking(move || {
        let report = ingest::ingest(s.kb(), inputs, &options);
        (report, writing)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("ingest task failed: {e}")))?;
    if report.documents + report.ontology_files > 0 {
        super::named::finish_write(&state, writing).await;
    } else {
        // nothing went in: nothing to refresh (the kept answers are let go)
        drop(writing);
    }
    let status = if report.failed == 0 {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, axum::Json(report)).into_response())
}
