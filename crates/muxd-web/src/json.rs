//! `ApiJson<T>`: axum's `Json` extractor with muxd's error envelope, so a malformed or mistyped
//! body gets `{"error": {"type": "invalid_parameters", "message": …}}` like every other 400.
//! `Option<ApiJson<T>>` is a body that may be left out (no JSON `Content-Type`: `None`).

use axum::extract::{FromRequest, OptionalFromRequest, Request};
use axum::Json;
use serde::de::DeserializeOwned;

use super::ApiError;

/// A JSON request body of type `T`.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match <Json<T> as FromRequest<S>>::from_request(request, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(ApiError::BadRequest(rejection.body_text())),
        }
    }
}

impl<S, T> OptionalFromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Option<Self>, ApiError> {
        match <Json<T> as OptionalFromRequest<S>>::from_request(request, state).await {
            Ok(value) => Ok(value.map(|Json(value)| ApiJson(value))),
            Err(rejection) => Err(ApiError::BadRequest(rejection.body_text())),
        }
    }
}
