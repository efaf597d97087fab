//! The named-query library over HTTP: `GET /queries` lists it as JSON, `GET /queries/NAME?k=v`
//! runs one with its parameters bound (`format` and `Accept` as at `/sparql`; `at` as
//! `paesi query --at`). Answers are kept until the next write ([`super::cache`]), which
//! evaluates again those asked for since the previous one before it answers ([`finish_write`]).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::AppState;
use super::api::Lane;
use super::cache::{Answer, Key, Writing};
use super::error::ApiError;
use super::exec::{self, Request};
use super::sparql::{accept, respond_with};
use crate::named::{self as library, NamedError};

/// The lane of named-query evaluations (the answers the cache does not hold): two per core.
static NAMED: Lane = Lane::new(2);

fn api(e: NamedError) -> ApiError {
    match e {
        NamedError::Unknown(_) => ApiError::NotFound(e.to_string()),
        NamedError::Io { .. } | NamedError::Header { .. } => ApiError::Internal(e.to_string()),
        _ => ApiError::BadRequest(e.to_string()),
    }
}

/// `GET /queries`: every named query with its title, description and parameters.
pub async fn list(
    State(state): State<AppState>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let queries = library::list(&state.config().queries).map_err(api)?;
    let items: Vec<serde_json::Value> = queries
        .iter()
        .map(|q| {
            let mut v = serde_json::to_value(q).unwrap_or_default();
            v["url"] = format!("/queries/{}", q.name).into();
            v
        })
        .collect();
    Ok(axum::Json(serde_json::Value::Array(items)))
}

/// `GET /queries/NAME?k=v…`: the named query's results.
pub async fn run(
    State(state): State<AppState>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let query = library::find(&state.config().queries, &name).map_err(api)?;
    let mut values = BTreeMap::new();
    let mut format = None;
    let mut at = None;
    for (k, v) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let v = v.into_owned();
        match k.as_ref() {
            "format" => format = Some(v),
            "at" if !query.params.iter().any(|p| p.name == "at") => {
                at = Some(crate::dates::parse(&v).ok_or_else(|| {
                    ApiError::BadRequest(format!("at={v:?} is not a date (YYYY-MM-DD)"))
                })?)
            }
            _ => {
                if values.insert(k.to_string(), v).is_some() {
                    return Err(ApiError::BadRequest(format!("{k} is given twice")));
                }
            }
        }
    }
    let text = query.bind(&values, at.as_deref()).map_err(api)?;
    let key = Key {
        query: text,
        accept: accept(format.as_deref(), &headers)?,
    };
    let answer = state
        .answers()
        .get_or_compute(key.clone(), || evaluate(&state, &key))
        .await?;
    Ok(respond_with(answer.content_type, answer.body))
}

/// Evaluates a named query's bound text in its own lane (an answer to compute after a write
/// does not wait behind pages).
async fn evaluate(state: &AppState, key: &Key) -> Result<Answer, ApiError> {
    let _turn = NAMED.turn().await?;
    let request = Request {
        query: key.query.clone(),
        accept: key.accept.clone(),
        ..Request::default()
    };
    let output = exec::run_on(state, request).await?;
    Ok(Answer {
        content_type: output.content_type,
        body: output.body.into(),
    })
}

/// The longest a write spends refreshing answers; the keys left are evaluated when asked.
const REFRESH_BUDGET: Duration = Duration::from_secs(2);

/// Ends a write that has committed: the named-query answers asked for since the previous
/// write are evaluated again on the new state and kept as the generation moves on (see
/// [`super::cache`]). A failed evaluation is left to be made when asked.
pub(super) async fn finish_write(state: &AppState, mut writing: Writing) {
    let started = Instant::now();
    let mut refreshed = Vec::new();
    for key in writing.refresh_keys() {
        if started.elapsed() > REFRESH_BUDGET {
            break;
        }
        if let Ok(answer) = evaluate(state, &key).await {
            refreshed.push((key, answer));
        }
    }
    writing.finish(refreshed);
}
