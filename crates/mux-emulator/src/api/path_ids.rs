//! [`MuxIdPath`], the extractor of the ids in a by-id route's path, each checked like a Mux id:
//! anything that could not be one is Mux's 400 "Failed to parse ID" (docs/mux-facts.md §1.3).

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::ApiError;
use crate::state::ids::is_well_formed;

/// The path's ids, all well formed: `MuxIdPath` (a `String`) for a route with one id,
/// `MuxIdPath<(String, String)>` for one with two. A path axum cannot decode keeps axum's rejection.
pub struct MuxIdPath<T = String>(pub T);

/// What a route's path parameters deserialize to: one id or two.
pub trait PathIds: DeserializeOwned + Send {
    fn check(&self) -> Result<(), ApiError>;
}

impl PathIds for String {
    fn check(&self) -> Result<(), ApiError> {
        check_id(self)
    }
}

impl PathIds for (String, String) {
    fn check(&self) -> Result<(), ApiError> {
        check_id(&self.0)?;
        check_id(&self.1)
    }
}

impl<T: PathIds, S: Send + Sync> FromRequestParts<S> for MuxIdPath<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let Path(ids) = Path::<T>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        ids.check().map_err(IntoResponse::into_response)?;
        Ok(Self(ids))
    }
}

/// Rejects an id that could not be a Mux id, for handlers that check one only after a lookup.
pub fn check_id(id: &str) -> Result<(), ApiError> {
    if is_well_formed(id) {
        Ok(())
    } else {
        Err(ApiError::bad_id())
    }
}
