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

/// The caller created as many uploads as allowed in a short time.
#[derive(IntoResponses)]
#[response(
    status = 429,
    description = "Too many uploads in a short time",
    headers(("Retry-After" = u64, description = "Seconds to wait"))
)]
pub struct TooManyUploads(pub ErrorBody);

/// [`MuxOrDatabaseDown`], with when to try again, for calls that go to Mux on the caller's behalf.
#[derive(IntoResponses)]
#[response(
    status = 503,
    description = "Mux or the database is unavailable",
    headers(("Retry-After" = u64, description = "Seconds to wait"))
)]
pub struct MuxOrDatabaseDownRetry(pub ErrorBody);
