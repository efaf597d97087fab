//! What the server answers when a request cannot be served: one status per cause and a JSON
//! body `{"error": KIND, "message": TEXT}` (plus `limit` when a limit was hit).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A request that cannot be served, and why.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed: a query or update that does not parse, a bad parameter.
    #[error("{0}")]
    BadRequest(String),
    /// No representation the client accepts.
    #[error("{0}")]
    NotAcceptable(String),
    /// The request body has a media type the endpoint does not take.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// A token is needed and none or a wrong one was given.
    #[error("{0}")]
    Unauthorized(String),
    /// Writes are disabled on this server.
    #[error("{0}")]
    Forbidden(String),
    /// Nothing is known about the resource.
    #[error("{0}")]
    NotFound(String),
    /// The query ran longer than the per-query timeout.
    #[error("query timeout: the query ran longer than {0} ms (--timeout-ms)")]
    Timeout(u64),
    /// The query gave more results than the result limit.
    #[error("result limit: the query gives more than {0} results (--max-results)")]
    TooManyResults(usize),
    /// A part of the server is not available (the text index could not be opened).
    #[error("{0}")]
    Unavailable(String),
    /// Something failed inside the server (the store, a task).
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Timeout(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::TooManyResults(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::NotAcceptable(_) => "not_acceptable",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::Timeout(_) => "timeout",
            ApiError::TooManyResults(_) => "result_limit",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({ "error": self.kind(), "message": self.to_string() });
        match &self {
            ApiError::Timeout(ms) => body["limit"] = (*ms).into(),
            ApiError::TooManyResults(n) => body["limit"] = (*n).into(),
            _ => {}
        }
        let mut response = (self.status(), axum::Json(body)).into_response();
        if matches!(self, ApiError::Unauthorized(_)) {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}
