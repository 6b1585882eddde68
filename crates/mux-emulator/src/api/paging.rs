//! [`Paged`], the extractor of a list endpoint's query (`?page=&limit=`, and `cursor`,
//! `upload_id` where they apply; docs/mux-facts.md §4.2): values are taken as strings, so that a bad
//! number gets a Mux-shaped 400 instead of axum's plain-text rejection.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde::Deserialize;

use super::ApiError;

/// Default `limit` 25 (the spec and SDKs; the docs page says 10, docs/mux-facts.md §4.2), max 100.
const DEFAULT_LIMIT: usize = 25;
const MAX_LIMIT: usize = 100;

/// A list request's checked paging: `page` ≥ 1 (default 1), `limit` 1 to 100 (default 25).
pub struct Paged {
    pub page: usize,
    pub limit: usize,
    /// `cursor` as sent (assets only).
    pub cursor: Option<String>,
    /// The `upload_id` filter as sent (assets only).
    pub upload_id: Option<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
    upload_id: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Paged {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Query(query) = Query::<PageQuery>::try_from_uri(&parts.uri)
            .map_err(|e| ApiError::InvalidParameters(e.body_text()))?;
        let page = parse_positive("page", query.page.as_deref(), 1)?;
        let limit = parse_positive("limit", query.limit.as_deref(), DEFAULT_LIMIT)?;
        if limit > MAX_LIMIT {
            return Err(ApiError::InvalidParameters(format!(
                "limit must be at most {MAX_LIMIT}"
            )));
        }
        Ok(Self {
            page,
            limit,
            cursor: query.cursor,
            upload_id: query.upload_id,
        })
    }
}

fn parse_positive(name: &str, value: Option<&str>, default: usize) -> Result<usize, ApiError> {
    match value {
        None => Ok(default),
        Some(v) => v.parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| {
            ApiError::InvalidParameters(format!("{name} must be a positive integer"))
        }),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::Request;

    use super::*;

    async fn paged(query: &str) -> Result<(usize, usize), String> {
        let request = Request::get(format!("/x?{query}"))
            .body(())
            .expect("request");
        let (mut parts, ()) = request.into_parts();
        (Paged::from_request_parts(&mut parts, &()).await)
            .map(|p| (p.page, p.limit))
            .map_err(|e| e.to_string())
    }

    #[tokio::test]
    async fn defaults_bounds_and_mux_messages() {
        assert_eq!(paged("").await, Ok((1, 25)));
        assert_eq!(paged("page=3&limit=100&cursor=c").await, Ok((3, 100)));
        let positive = |name: &str| Err(format!("{name} must be a positive integer"));
        assert_eq!(paged("limit=0").await, positive("limit"));
        assert_eq!(paged("page=-1").await, positive("page"));
        assert_eq!(paged("page=x").await, positive("page"));
        assert_eq!(
            paged("limit=101").await,
            Err("limit must be at most 100".into())
        );
        assert_eq!(
            paged("page=1&page=2").await,
            Err("Failed to deserialize query string: duplicate field `page`".into())
        );
    }
}
