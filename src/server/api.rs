//! The JSON API: the same answers as the CLI's `--json`, for web pages and other programs.
//!
//! | path | CLI |
//! |---|---|
//! | `GET /api/search?q=…&kind=&act=&type=&at=&all_versions=&limit=&offset=` | `paesi search --json` |
//! | `GET /api/procedures?q=…&category=&lang=` | `paesi procedure --json [WORDS]` |
//! | `GET /api/procedures/{id}?at=&lang=&check=` | `paesi procedure --json [--check] ID` |
//! | `GET /api/norms?urn=…&at=&lang=` | `paesi norm --json URN` |
//! | `GET /api/acts?urn=…` | `paesi act --json URN` |
//!
//! `at` defaults to today, `lang` to `it`.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::{Path, Query, State};
use tokio::sync::{Semaphore, SemaphorePermit};

use super::AppState;
use super::error::ApiError;
use crate::procedure::{self, LookupError};

type Params = Query<HashMap<String, String>>;

/// A day from the `at` parameter (default today).
fn day(params: &HashMap<String, String>) -> Result<String, ApiError> {
    match params.get("at") {
        Some(s) => crate::dates::parse(s)
            .ok_or_else(|| ApiError::BadRequest(format!("at={s:?} is not a date (YYYY-MM-DD)"))),
        None => Ok(crate::dates::today()),
    }
}

fn lang(params: &HashMap<String, String>) -> String {
    params.get("lang").cloned().unwrap_or_else(|| "it".into())
}

fn number(params: &HashMap<String, String>, name: &str, default: usize) -> Result<usize, ApiError> {
    match params.get(name) {
        Some(s) => s
            .parse()
            .map_err(|_| ApiError::BadRequest(format!("{name}={s:?} is not a number"))),
        None => Ok(default),
    }
}

/// The HTTP answer to a failed lookup (404 unknown, 400 bad identifier).
pub(super) fn lookup(e: LookupError) -> ApiError {
    match e {
        LookupError::NotFound(what) => {
            ApiError::NotFound(format!("{what} is not in the knowledge base"))
        }
        LookupError::Identifier(e) => ApiError::BadRequest(e.to_string()),
        e => ApiError::Internal(e.to_string()),
    }
}

/// A lane of blocking work: at most a few computations per core run at once, the others
/// wait their turn in order. Without it, fifty clients asking for pages made fifty
/// threads share two cores, and every answer, even one kept by the cache, waited behind them
/// for the scheduler (RELIABILITY.md, the load test).
pub(super) struct Lane {
    /// Computations at once per core.
    per_core: usize,
    permits: OnceLock<Semaphore>,
}

impl Lane {
    /// A lane of `per_core` computations at once per core (sized at its first use).
    pub(super) const fn new(per_core: usize) -> Self {
        Lane {
            per_core,
            permits: OnceLock::new(),
        }
    }

    /// Waits for a turn in the lane; the turn ends when the permit is dropped.
    pub(super) async fn turn(&'static self) -> Result<SemaphorePermit<'static>, ApiError> {
        let lane = self.permits.get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            Semaphore::new(self.per_core * cores)
        });
        lane.acquire()
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))
    }
}

/// The lane of the portal's pages, the JSON lookups and the searches: one per core (on two
/// cores the load test's tails were lower with one than with two: RELIABILITY.md).
static LOOKUPS: Lane = Lane::new(1);

/// Runs blocking store work off the server's threads, in the lookups' lane.
pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let turn = LOOKUPS.turn().await?;
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        f()
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
}

/// A JSON answer written exactly as the CLI's `--json` writes it (numbers included).
fn json(v: impl serde::Serialize) -> Result<JsonBody, ApiError> {
    serde_json::to_vec_pretty(&v)
        .map(JsonBody)
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// A serialized JSON body.
pub struct JsonBody(Vec<u8>);

impl axum::response::IntoResponse for JsonBody {
    fn into_response(self) -> axum::response::Response {
        (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            self.0,
        )
            .into_response()
    }
}

/// `GET /api/search`.
pub async fn search(State(state): State<AppState>, Query(p): Params) -> Result<JsonBody, ApiError> {
    let q = p
        .get("q")
        .filter(|q| !q.trim().is_empty())
        .cloned()
        .ok_or_else(|| {
            ApiError::BadRequest("the parameter q (the words to find) is missing".into())
        })?;
    let kind = match p.get("kind") {
        Some(k) => Some(crate::search::Kind::parse(k).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "kind={k:?} is not a kind (article, paragraph, point, procedure)"
            ))
        })?),
        None => None,
    };
    let act = match p.get("act") {
        Some(a) if a.starts_with(crate::ids::BASE) => Some(a.clone()),
        Some(a) => Some(
            crate::ids::resolve_href(a, None)
                .map_err(|e| ApiError::BadRequest(format!("act: {e}")))?
                .work
                .iri(),
        ),
        None => None,
    };
    let at = if p.get("all_versions").is_some_and(|v| v == "true") {
        None
    } else {
        Some(day(&p)?)
    };
    let filters = crate::search::Filters {
        kind,
        act,
        doc_type: p.get("type").cloned(),
        at,
    };
    let limit = number(&p, "limit", 10)?;
    let offset = number(&p, "offset", 0)?;
    let index = state
        .search_index()
        .ok_or_else(|| ApiError::Unavailable("the text index could not be opened".into()))?;
    blocking(move || {
        index
            .reload()
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let hits = index.search(&q, &filters, limit, offset).map_err(|e| {
            if e.is_request_error() {
                ApiError::BadRequest(e.to_string())
            } else {
                ApiError::Internal(e.to_string())
            }
        })?;
        json(hits)
    })
    .await
}

/// `GET /api/procedures`.
pub async fn procedures(
    State(state): State<AppState>,
    Query(p): Params,
) -> Result<JsonBody, ApiError> {
    let words: Vec<String> = p
        .get("q")
        .map(|q| q.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let category = p.get("category").cloned();
    let lang = lang(&p);
    blocking(move || {
        let list =
            procedure::list(state.kb(), &words, category.as_deref(), &lang).map_err(lookup)?;
        json(list)
    })
    .await
}

/// `GET /api/procedures/{id}`.
pub async fn procedure(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(p): Params,
) -> Result<JsonBody, ApiError> {
    let at = day(&p)?;
    let lang = lang(&p);
    let check = p.get("check").is_some_and(|v| v == "true");
    blocking(move || {
        if check {
            let report = crate::check::check(state.kb(), &id, &at, &lang).map_err(lookup)?;
            json(report)
        } else {
            let view = procedure::show(state.kb(), &id, &at, &lang).map_err(lookup)?;
            json(view)
        }
    })
    .await
}

/// `GET /api/norms?urn=…`.
pub async fn norm(State(state): State<AppState>, Query(p): Params) -> Result<JsonBody, ApiError> {
    let urn = p
        .get("urn")
        .cloned()
        .ok_or_else(|| ApiError::BadRequest("the parameter urn is missing".into()))?;
    let at = day(&p)?;
    let lang = lang(&p);
    blocking(move || {
        let view = procedure::norm(state.kb(), &urn, &at, &lang).map_err(lookup)?;
        json(view)
    })
    .await
}

/// `GET /api/acts?urn=…`.
pub async fn act(State(state): State<AppState>, Query(p): Params) -> Result<JsonBody, ApiError> {
    let urn = p
        .get("urn")
        .cloned()
        .ok_or_else(|| ApiError::BadRequest("the parameter urn is missing".into()))?;
    blocking(move || {
        let view = crate::act::act(state.kb(), &urn).map_err(lookup)?;
        json(view)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::Lane;
    use std::time::Duration;

    /// Whether a turn of `lane` is given now, without waiting: the future is polled once
    /// before a zero timeout is looked at, so this depends on the permits only.
    async fn given_now(lane: &'static Lane) -> Option<tokio::sync::SemaphorePermit<'static>> {
        tokio::time::timeout(Duration::ZERO, lane.turn())
            .await
            .ok()
            .map(|turn| turn.expect("the lane is open"))
    }

    #[test]
    fn a_lane_gives_per_core_turns_per_core_and_the_next_when_one_ends() {
        static LANE: Lane = Lane::new(2);
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let mut turns = Vec::new();
            for i in 0..2 * cores {
                turns.push(given_now(&LANE).await.unwrap_or_else(|| panic!("turn {i}")));
            }
            assert!(given_now(&LANE).await.is_none(), "one turn too many");
            turns.pop();
            assert!(
                given_now(&LANE).await.is_some(),
                "a turn ended, one is free"
            );
        });
    }
}
