//! `POST /ingest`: the normal ingest, run while the server keeps answering, behind the update
//! token. The body is either one AKN/NIR document (any media type but JSON; `?name=` names it
//! in the report) or `application/json`: a list of server-side paths (files or directories, as
//! `paesi ingest` takes them). The answer is the ingest report as JSON: 200 when every input
//! went in, 422 when some failed (the others are in).
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

/// The largest body `/ingest` takes.
pub const MAX_BODY: usize = 256 * 1024 * 1024;

/// `POST /ingest`.
pub async fn post(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    state.authorize(&headers)?;
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    let inputs = if json {
        let paths: Vec<std::path::PathBuf> = serde_json::from_slice(&body).map_err(|e| {
            ApiError::BadRequest(format!("the body must be a JSON list of paths: {e}"))
        })?;
        if paths.is_empty() {
            return Err(ApiError::BadRequest("no paths to ingest".into()));
        }
        if paths.iter().any(|p| p.as_os_str() == "-") {
            return Err(ApiError::BadRequest(
                "\"-\" (stdin) is not a path here".into(),
            ));
        }
        ingest::expand(&paths).map_err(|f| ApiError::BadRequest(f.to_string()))?
    } else {
        if body.is_empty() {
            return Err(ApiError::BadRequest("empty body: send a document".into()));
        }
        let name = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .find(|(k, _)| k == "name")
            .map_or_else(|| "<request body>".to_string(), |(_, v)| v.into_owned());
        vec![Input::Bytes(name, body.to_vec())]
    };
    let _one_at_a_time = state.inner.ingest.lock().await;
    let s = state.clone();
    let report =
        tokio::task::spawn_blocking(move || ingest::ingest(s.kb(), inputs, &Options::default()))
            .await
            .map_err(|e| ApiError::Internal(format!("ingest task failed: {e}")))?;
    let status = if report.failed == 0 {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, axum::Json(report)).into_response())
}
