//! The error answers many operations share, each written once: a handler's `#[utoipa::path]`
//! names them in `responses(…)` beside its own. Each body is an [`ErrorBody`].

use utoipa::IntoResponses;

use crate::error::ErrorBody;

/// No valid bearer token or session cookie.
#[derive(IntoResponses)]
#[response(status = 401, description = "Not signed in")]
pub struct NotSignedIn(pub ErrorBody);

/// The database did not answer (the readiness probe says so too).
#[derive(IntoResponses)]
#[response(status = 503, description = "The database is unavailable")]
pub struct DatabaseDown(pub ErrorBody);

/// An admin operation asked by someone else, or a cookie-signed write from an origin not allowed.
#[derive(IntoResponses)]
#[response(
    status = 403,
    description = "Not an admin, or signed in by cookie from another site"
)]
pub struct NotAdminOrCrossSite(pub ErrorBody);

/// An admin operation asked by someone else.
#[derive(IntoResponses)]
#[response(status = 403, description = "Not an admin")]
pub struct NotAdmin(pub ErrorBody);

/// A cookie-signed write from an origin not allowed (the CSRF guard).
#[derive(IntoResponses)]
#[response(status = 403, description = "Signed in by cookie from another site")]
pub struct CrossSite(pub ErrorBody);

/// Mux answered with an error muxd cannot retry away.
#[derive(IntoResponses)]
#[response(status = 502, description = "Mux refused the request")]
pub struct MuxRefused(pub ErrorBody);

/// The asset does not exist, or belongs to someone else (the same answer, so ids cannot be probed).
#[derive(IntoResponses)]
#[response(status = 404, description = "No such asset, or not the caller's")]
pub struct AssetNotFound(pub ErrorBody);

/// A list's filter or page bound is out of range.
#[derive(IntoResponses)]
#[response(status = 400, description = "A filter or page bound is invalid")]
pub struct BadPage(pub ErrorBody);

/// Mux's circuit breaker is open or its retries ran out, or the database did not answer.
#[derive(IntoResponses)]
#[response(status = 503, description = "Mux or the database is unavailable")]
pub struct MuxOrDatabaseDown(pub ErrorBody);
