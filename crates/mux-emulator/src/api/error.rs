//! The one error type of the `/video/v1` API, rendered as Mux renders errors (docs/mux-facts.md §1.3).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 `invalid_parameters`: malformed JSON, bad values, malformed ids.
    #[error("{0}")]
    InvalidParameters(String),
    /// 401 `unauthorized`: missing or wrong Basic credentials.
    #[error("Unauthorized request")]
    Unauthorized,
    /// 403 `forbidden`: e.g. cancelling an upload that is no longer `waiting`.
    #[error("{0}")]
    Forbidden(String),
    /// 404 `not_found`.
    #[error("The requested resource either doesn't exist or you don't have access to it.")]
    NotFound,
    /// 500 `internal_error`: the emulator itself failed (e.g. generating a key); the cause is
    /// logged, not shown.
    #[error("Internal error")]
    Internal,
}

impl ApiError {
    pub fn bad_id() -> Self {
        Self::InvalidParameters("Failed to parse ID".into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind) = match &self {
            ApiError::InvalidParameters(_) => (StatusCode::BAD_REQUEST, "invalid_parameters"),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
        };
        let body = json!({"error": {"type": kind, "messages": [self.to_string()]}});
        (status, Json(body)).into_response()
    }
}
