//! `paesi serve`: the knowledge base over HTTP (axum on tokio).
//!
//! | path | what |
//! |---|---|
//! | `/`, `/search` | the portal's pages in five languages ([`portal`]; also `/procedure/…` and partitions as HTML) |
//! | `/sparql` | the SPARQL 1.1 Protocol: queries by GET or POST, updates by POST with the token, the service description on a bare GET ([`sparql`]) |
//! | `/queries`, `/queries/NAME` | the named-query library ([`named`]) |
//! | `/act/…`, `/procedure/…`, `/akn/…` | Linked Data: every canonical IRI dereferences here ([`resource`]) |
//! | `/ingest` | ingest documents while serving, with the token ([`ingest`]) |
//! | `/api/search`, `/api/procedures`, `/api/procedures/{id}`, `/api/norms` | the JSON API: the CLI's answers ([`api`]) |
//! | `/health` | liveness and store figures |
//!
//! The store is blocking: every query runs in `spawn_blocking` on a snapshot, so readers see a
//! document before or after an ingest replaces it, never half.

pub mod api;
pub mod cache;
pub mod error;
pub mod exec;
pub mod i18n;
pub mod ingest;
pub mod named;
pub mod negotiate;
pub mod portal;
pub mod resource;
pub mod sparql;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::cors::{Any, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;

use crate::store::Kb;
use error::ApiError;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on (port 0: any free port; the bound address is printed).
    pub bind: SocketAddr,
    /// The bearer token that allows SPARQL Update and `/ingest` (None: read-only).
    pub update_token: Option<String>,
    /// Per-query timeout in milliseconds.
    pub timeout_ms: u64,
    /// Most results (rows or triples) one answer may have.
    pub max_results: usize,
    /// The directory of named queries.
    pub queries: PathBuf,
    /// The annotator `POST /ingest` runs (the one `paesi ingest` runs by default).
    pub annotator: Option<Arc<crate::annotate::Annotator>>,
}

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The address could not be bound, or the runtime failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    kb: Kb,
    config: Config,
    /// The text index (None when it could not be opened: search answers 503).
    index: Option<crate::search::TextIndex>,
    /// One ingest at a time (queries go on meanwhile).
    ingest: tokio::sync::Mutex<()>,
    /// The SPARQL evaluations running now.
    running: exec::Running,
    /// Named-query answers, kept until the next write.
    answers: cache::AnswerCache,
}

impl AppState {
    /// The state of a server over `kb`.
    pub fn new(kb: Kb, config: Config) -> AppState {
        // checked against the store (every graph's quad count) and repaired before serving
        let index = match crate::search::TextIndex::open_verified(&kb) {
            Ok((index, repair)) => {
                if !repair.is_clean() {
                    eprintln!(
                        "paesi: text index repaired: {} graphs (re)indexed, {} deleted",
                        repair.indexed.len(),
                        repair.deleted.len()
                    );
                }
                Some(index)
            }
            Err(e) => {
                eprintln!("paesi: text index unavailable, search disabled: {e}");
                None
            }
        };
        AppState {
            inner: Arc::new(Inner {
                kb,
                config,
                index,
                ingest: tokio::sync::Mutex::new(()),
                running: exec::Running::default(),
                answers: cache::AnswerCache::default(),
            }),
        }
    }

    /// The knowledge base.
    pub fn kb(&self) -> &Kb {
        &self.inner.kb
    }

    /// The text index, if it could be opened (cheap to clone).
    pub fn search_index(&self) -> Option<crate::search::TextIndex> {
        self.inner.index.clone()
    }

    /// The SPARQL evaluations running now.
    pub fn running(&self) -> &exec::Running {
        &self.inner.running
    }

    /// Named-query answers, kept until the next write (every write marks itself there).
    pub fn answers(&self) -> &cache::AnswerCache {
        &self.inner.answers
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The limits every query runs under.
    pub fn limits(&self) -> exec::Limits {
        exec::Limits {
            timeout_ms: self.inner.config.timeout_ms,
            max_results: self.inner.config.max_results,
        }
    }

    /// Checks the `Authorization: Bearer TOKEN` header of a write: 403 when the server takes
    /// no writes, 401 when the token is missing or wrong.
    pub fn authorize(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let Some(expected) = &self.inner.config.update_token else {
            return Err(ApiError::Forbidden(
                "writes are disabled: the server was started without --update-token".into(),
            ));
        };
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| {
                ApiError::Unauthorized("this needs the header Authorization: Bearer TOKEN".into())
            })?;
        if !same(given.trim().as_bytes(), expected.as_bytes()) {
            return Err(ApiError::Unauthorized("wrong token".into()));
        }
        Ok(())
    }
}

/// Compares in time independent of where the bytes differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The largest request body of every route but `/ingest` (a SPARQL query or update, a form):
/// a longer `Content-Length` is refused with 413 before any of the body is read. Request
/// lines and headers are bounded by hyper (431 past about 400 KB of head, 414 past a 64 KB
/// URI).
pub const MAX_BODY: usize = 2 * 1024 * 1024;

/// Refuses a write before its body is read: the token is checked on the headers alone.
async fn require_token(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    state.authorize(request.headers())?;
    Ok(next.run(request).await)
}

/// The application: every route, CORS for browser clients, bounded request bodies.
pub fn router(state: AppState) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([header::ACCEPT, header::CONTENT_TYPE, header::AUTHORIZATION]);
    Router::new()
        .route("/", get(portal::home))
        .route("/search", get(portal::search))
        .route("/sparql", get(sparql::get).post(sparql::post))
        .route("/queries", get(named::list))
        .route("/queries/{name}", get(named::run))
        .route("/act/{*rest}", get(resource::act))
        .route("/procedure/{*rest}", get(resource::procedure))
        .route("/akn/{*rest}", get(resource::akn))
        .route("/api/search", get(api::search))
        .route("/api/procedures", get(api::procedures))
        .route("/api/procedures/{id}", get(api::procedure))
        .route("/api/norms", get(api::norm))
        .route("/api/acts", get(api::act))
        .route("/health", get(health))
        // the routes above; /ingest has its own bound, checked after its token
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .route(
            "/ingest",
            post(ingest::post)
                .layer::<_, Infallible>(DefaultBodyLimit::max(ingest::MAX_BODY))
                .layer::<_, Infallible>(RequestBodyLimitLayer::new(ingest::MAX_BODY))
                .layer::<_, Infallible>(middleware::from_fn_with_state(
                    state.clone(),
                    require_token,
                )),
        )
        .layer(cors)
        .with_state(state)
}

/// Serves `kb` until SIGINT or SIGTERM; prints `listening on http://ADDR` as the first line
/// of standard output once the socket is bound.
pub fn serve(kb: Kb, config: Config) -> Result<(), ServerError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.bind).await?;
        let addr = listener.local_addr()?;
        {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            writeln!(out, "listening on http://{addr}")?;
            out.flush()?;
        }
        let app = router(AppState::new(kb, config));
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        Ok::<(), ServerError>(())
    })?;
    eprintln!("paesi: server stopped");
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// `GET /health`: the server is up, with the store's figures.
async fn health(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let s = state.clone();
    let stats = tokio::task::spawn_blocking(move || s.kb().stats())
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let c = state.config();
    Ok(axum::Json(serde_json::json!({
        "status": "ok",
        "store": stats,
        "updates": c.update_token.is_some(),
        "timeout_ms": c.timeout_ms,
        "max_results": c.max_results,
        "queries_running": state.running().count(),
        "named_answers_kept": state.answers().current(),
    })))
}
