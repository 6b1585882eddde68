//! Work a client's hang-up must not cut in half (a create that has asked Mux for an upload must
//! also record it): it runs in a task of its own, traced in the request's span all the same.

use std::future::Future;

use tracing::Instrument as _;

use crate::ApiError;

/// Runs `work` to its end whatever becomes of the request; a panic in it is a 500.
pub async fn detached<T: Send + 'static>(
    work: impl Future<Output = T> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::spawn(work.in_current_span())
        .await
        .map_err(|panic| ApiError::Internal(panic.into()))
}
