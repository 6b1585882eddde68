//! `GET /livez` and `GET /readyz`, for orchestrators. Liveness: the process answers (nothing
//! else is asked, so a slow database never gets an instance restarted). Readiness: it is not
//! shutting down and its database answers a trivial query within [`DB_TIMEOUT`], so a load
//! balancer sends it work only when it can do it. Both are cheap enough to be asked every second.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use tokio_util::sync::CancellationToken;
use utoipa::ToSchema;

use muxd_store::Store;

/// How long readiness waits for the database.
const DB_TIMEOUT: Duration = Duration::from_secs(2);

/// What the probes read: the database, and whether a shutdown has begun.
#[derive(Clone, Debug)]
pub struct Probes {
    pub store: Store,
    /// Cancelled when a shutdown begins.
    pub stopping: CancellationToken,
}

/// A probe's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProbeAnswer {
    /// `alive`, `ready`, `shutting_down` or `database_unavailable`.
    pub status: &'static str,
}

/// The process answers.
#[utoipa::path(
    get,
    path = "/livez",
    operation_id = "getLiveness",
    tag = "operators",
    responses((status = 200, description = "The process answers", body = ProbeAnswer))
)]
pub async fn livez() -> Json<ProbeAnswer> {
    Json(ProbeAnswer { status: "alive" })
}

/// Whether this instance should be sent work.
#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "getReadiness",
    tag = "operators",
    responses(
        (status = 200, description = "Ready: not shutting down, and the database answers", body = ProbeAnswer),
        (status = 503, description = "Shutting down, or the database does not answer", body = ProbeAnswer),
    )
)]
pub async fn readyz(State(probes): State<Probes>) -> (StatusCode, Json<ProbeAnswer>) {
    let status = if probes.stopping.is_cancelled() {
        "shutting_down"
    } else {
        match tokio::time::timeout(DB_TIMEOUT, probes.store.ping()).await {
            Ok(Ok(())) => "ready",
            _ => "database_unavailable",
        }
    };
    let code = match status {
        "ready" => StatusCode::OK,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    };
    (code, Json(ProbeAnswer { status }))
}
