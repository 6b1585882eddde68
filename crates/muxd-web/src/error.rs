//! The one error type at the HTTP boundary. Each variant's doc names its status; the body is
//! always [`ErrorBody`], `{"error": {"type", "message"}}` (the API document's shared error
//! schema). Internal causes are logged here, once, and never shown to clients.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use mux_api::{ErrorKind, MuxError};
use serde::Serialize;
use utoipa::ToSchema;

use muxd_core::service::{Refusal, ServiceError};
use muxd_domain::ids::{AppId, MAX_APP_ID};
use muxd_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed or fails validation.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no valid credentials.
    #[error("sign in required")]
    Unauthorized,
    /// 403: signed in, but not allowed.
    #[error("admin role required")]
    Forbidden,
    /// 403: a write authenticated by a cookie came from a page of another site (CSRF).
    #[error("a write signed in by cookie must come from muxd's own pages or an origin listed in MUXD_CORS_ORIGINS")]
    CrossSite,
    /// 404: no such resource (or not yours).
    #[error("not found")]
    NotFound,
    /// 404: what does not exist, in words (e.g. an id Mux does not know).
    #[error("{0}")]
    Missing(String),
    /// 409: the resource is not in a state that allows this, in words.
    #[error("{0}")]
    Conflict(String),
    /// 413: the body is larger than allowed.
    #[error("body too large")]
    PayloadTooLarge,
    /// 429: this caller asked too often; retry after `retry_after_secs`.
    #[error("{message}")]
    TooManyRequests {
        message: String,
        retry_after_secs: u64,
    },
    /// 502: Mux refused the request.
    #[error("Mux refused the request: {0}")]
    MuxRejected(String),
    /// 503: a dependency (database, Mux) is unavailable; retry later.
    #[error("{message}")]
    Unavailable {
        message: String,
        retry_after_secs: Option<u64>,
    },
    /// 500: a bug or an unexpected failure; details are logged, not returned.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

/// Every error answer's body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong: a stable `type` to branch on and a message for people.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    #[serde(rename = "type")]
    pub kind: ErrorType,
    pub message: String,
}

/// The stable name of an error, one per kind of failure (the two 403s have one each).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorType {
    InvalidParameters,
    Unauthorized,
    Forbidden,
    CrossSiteRequest,
    NotFound,
    Conflict,
    PayloadTooLarge,
    RateLimited,
    MuxRejected,
    Unavailable,
    Internal,
}

impl ErrorBody {
    pub fn new(kind: ErrorType, message: impl Into<String>) -> Self {
        ErrorBody {
            error: ErrorDetail {
                kind,
                message: message.into(),
            },
        }
    }
}

impl ApiError {
    fn status_and_type(&self) -> (StatusCode, ErrorType) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, ErrorType::InvalidParameters),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, ErrorType::Unauthorized),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, ErrorType::Forbidden),
            ApiError::CrossSite => (StatusCode::FORBIDDEN, ErrorType::CrossSiteRequest),
            ApiError::NotFound | ApiError::Missing(_) => {
                (StatusCode::NOT_FOUND, ErrorType::NotFound)
            }
            ApiError::Conflict(_) => (StatusCode::CONFLICT, ErrorType::Conflict),
            ApiError::PayloadTooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, ErrorType::PayloadTooLarge)
            }
            ApiError::TooManyRequests { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, ErrorType::RateLimited)
            }
            ApiError::MuxRejected(_) => (StatusCode::BAD_GATEWAY, ErrorType::MuxRejected),
            ApiError::Unavailable { .. } => {
                (StatusCode::SERVICE_UNAVAILABLE, ErrorType::Unavailable)
            }
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorType::Internal),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind) = self.status_and_type();
        match &self {
            ApiError::Internal(cause) => tracing::error!(error = ?cause, "request failed"),
            ApiError::Unavailable { message, .. } => {
                tracing::warn!(%message, "dependency unavailable")
            }
            _ => {}
        }
        let mut response = (status, Json(ErrorBody::new(kind, self.to_string()))).into_response();
        let retry_after = match self {
            ApiError::Unavailable {
                retry_after_secs, ..
            } => retry_after_secs,
            ApiError::TooManyRequests {
                retry_after_secs, ..
            } => Some(retry_after_secs),
            _ => None,
        };
        if let Some(secs) = retry_after {
            if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

/// Parses an optional id from a request (`field` names it in the 400 when it does not parse).
pub fn optional_id<T: std::str::FromStr>(
    field: &str,
    raw: Option<&str>,
) -> Result<Option<T>, ApiError> {
    raw.map(|text| {
        text.parse()
            .map_err(|_| ApiError::BadRequest(format!("{field} is not a valid id")))
    })
    .transpose()
}

/// An optional field parsed as `T`, or a 400 naming the field and saying what is wrong with it.
pub fn parsed_field<T: std::str::FromStr<Err = String>>(
    name: &str,
    raw: Option<&str>,
) -> Result<Option<T>, ApiError> {
    raw.map(|text| {
        text.parse()
            .map_err(|error| ApiError::BadRequest(format!("{name}: {error}")))
    })
    .transpose()
}

/// An id the host app chose (or muxd's own), by [`AppId`]'s rule; else a 400 naming `field`.
pub fn app_id(field: &str, raw: &str) -> Result<AppId, ApiError> {
    AppId::parse(raw).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "{field} must be 1 to {MAX_APP_ID} letters, digits or - _ . :"
        ))
    })
}

/// An optional reference to a campaign or an influencer: the host app's id or muxd's (a UUID,
/// which keeps the same rule), checked as an [`app_id`]; which one it is, the service finds out.
pub fn optional_reference(field: &str, raw: Option<&str>) -> Result<Option<String>, ApiError> {
    raw.map(|raw| app_id(field, raw).map(|id| id.to_string()))
        .transpose()
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        if error.is_unavailable() {
            ApiError::Unavailable {
                message: "database unavailable".into(),
                retry_after_secs: Some(5),
            }
        } else {
            ApiError::Internal(error.into())
        }
    }
}

impl From<MuxError> for ApiError {
    fn from(error: MuxError) -> Self {
        match error.kind() {
            ErrorKind::Permanent | ErrorKind::Decode => ApiError::MuxRejected(error.to_string()),
            _ => ApiError::Unavailable {
                message: format!(
                    "Mux is unavailable right now ({}); try again shortly",
                    error.kind().as_str()
                ),
                retry_after_secs: Some(error.retry_after().map_or(5, |d| d.as_secs().max(1))),
            },
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Invalid(message) => ApiError::BadRequest(message),
            Refusal::NotFound => ApiError::NotFound,
            Refusal::Conflict(message) => ApiError::Conflict(message),
            too_many @ Refusal::TooMany { wait, .. } => ApiError::TooManyRequests {
                message: too_many.to_string(),
                retry_after_secs: wait.as_secs().max(1),
            },
            Refusal::Store(error) => error.into(),
            Refusal::Mux(error) => error.into(),
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Store(error) => error.into(),
            ServiceError::Mux(error) => error.into(),
        }
    }
}
