//! muxd's body and query extractors: axum's `Json` and `Query` with muxd's error envelope, so a
//! malformed or mistyped body or query string (`?limit=many`) gets
//! `{"error": {"type": "invalid_parameters", "message": …}}` like every other 400, as the API
//! document says. `Option<ApiJson<T>>` is a body that may be left out (no JSON `Content-Type`:
//! `None`). [`AssetPath`] and [`CaptionsPath`] are the path segments that name an asset: an id
//! that is not one names no asset, so it is a 404 like any other unknown id.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, OptionalFromRequest, Path, Query, Request};
use axum::http::request::Parts;
use axum::Json;
use muxd_domain::AssetId;
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

/// The asset a route's one path segment `{id}` names.
#[derive(Debug)]
pub struct AssetPath(pub AssetId);

impl<S: Send + Sync> FromRequestParts<S> for AssetPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        Ok(AssetPath(asset_id(&id)?))
    }
}

/// `…/{id}/captions/{language}`: the asset, and the language code as sent (the captions service
/// checks it).
#[derive(Debug)]
pub struct CaptionsPath {
    pub id: AssetId,
    pub language: String,
}

impl<S: Send + Sync> FromRequestParts<S> for CaptionsPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path((id, language)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        let id = asset_id(&id)?;
        Ok(CaptionsPath { id, language })
    }
}

fn asset_id(text: &str) -> Result<AssetId, ApiError> {
    AssetId::parse(text).map_err(|_| ApiError::NotFound)
}
