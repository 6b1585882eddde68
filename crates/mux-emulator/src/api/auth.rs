//! HTTP Basic auth with the configured token id and secret (docs/mux-facts.md §1.1), as an extractor so
//! a handler's signature says it needs credentials.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine;

use super::ApiError;
use crate::state::Emulator;

/// Proof that the request carried the configured credentials.
pub struct Authed;

impl FromRequestParts<Arc<Emulator>> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, emu: &Arc<Emulator>) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(ApiError::Unauthorized)?;
        let encoded = header
            .strip_prefix("Basic ")
            .ok_or(ApiError::Unauthorized)?;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .map_err(|_| ApiError::Unauthorized)?;
        let expected = format!("{}:{}", emu.token_id, emu.token_secret);
        if decoded == expected.as_bytes() {
            Ok(Authed)
        } else {
            Err(ApiError::Unauthorized)
        }
    }
}
