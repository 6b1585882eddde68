//! muxd's body and query extractors: axum's `Json` and `Query` with muxd's error envelope, so a
//! malformed or mistyped body or query string (`?limit=many`) gets
//! `{"error": {"type": "invalid_parameters", "message": …}}` like every other 400, as the API
//! document says. `Option<ApiJson<T>>` is a body that may be left out (no JSON `Content-Type`:
//! `None`).

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, OptionalFromRequest, Query, Request};
use axum::Json;
use serde::de::DeserializeOwned;

use crate::ApiError;

/// A JSON request body of type `T`.
#[derive(Debug, FromRequest)]
#[from_request(via(Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// A request's query string, parsed as `T`.
#[derive(Debug, FromRequestParts)]
#[from_request(via(Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        ApiError::BadRequest(rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::BadRequest(rejection.body_text())
    }
}

impl<S, T> OptionalFromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Option<Self>, ApiError> {
        let value = <Json<T> as OptionalFromRequest<S>>::from_request(request, state).await?;
        Ok(value.map(|Json(value)| ApiJson(value)))
    }
}
