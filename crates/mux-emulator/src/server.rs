//! The accept loop. axum's `serve` cannot close a connection without answering, which the
//! "dropped connection" fault needs, so connections are served with hyper directly: a response
//! marked `DropConnection` becomes a service error, on which hyper closes the connection.

use std::time::Duration;

use axum::body::Body;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::gate::DropConnection;

/// The largest read buffer per connection: upload bodies arrive in frames up to this size.
const READ_BUFFER: usize = 1 << 20;
/// How long open connections get to finish at shutdown.
const GRACE: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
#[error("connection dropped by a fault")]
struct Dropped;

pub async fn serve(listener: TcpListener, router: Router, shutdown: CancellationToken) {
    let graceful = GracefulShutdown::new();
    loop {
        let stream = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let router = router.clone();
            async move {
                let response = router
                    .oneshot(request.map(Body::new))
                    .await
                    .unwrap_or_else(|e| match e {});
                if response.extensions().get::<DropConnection>().is_some() {
                    Err(Dropped)
                } else {
                    Ok(response)
                }
            }
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .max_buf_size(READ_BUFFER)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(GRACE) => tracing::debug!("connections still open at shutdown"),
    }
}
