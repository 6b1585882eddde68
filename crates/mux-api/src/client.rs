//! [`MuxClient`]: the handle the service holds. Cheap to clone (one `Arc`), every clone shares one
//! connection pool and one resilience layer. The typed operations are in `ops.rs`; this file
//! builds the client and routes every call through the layer.

use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::SeedableRng;
use tokio::sync::broadcast;
use tokio::time::Instant;

use crate::config::{ClientConfig, ConfigError};
use crate::error::MuxError;
use crate::http::{Request, Transport};
use crate::resilience::{
    AlertHook, BreakerEvent, BreakerState, CallSpec, RateClass, Resilience, ResilienceSnapshot,
};

/// The typed Mux Video API client behind the resilience layer.
#[derive(Clone)]
pub struct MuxClient {
    inner: Arc<Inner>,
    /// Deadline for calls made through this handle; `None` = now + `default_deadline` per call.
    deadline: Option<Instant>,
}

struct Inner {
    transport: Transport,
    resilience: Resilience,
}

impl std::fmt::Debug for MuxClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MuxClient")
            .field("transport", &self.inner.transport)
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

impl MuxClient {
    /// Builds a client; the jitter RNG is seeded from `config.rng_seed`, or from the OS.
    pub fn new(config: ClientConfig) -> Result<Self, ConfigError> {
        let rng = match config.rng_seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_os_rng(),
        };
        Self::with_rng(config, rng)
    }

    /// Builds a client with an injected RNG (tests).
    pub fn with_rng(config: ClientConfig, rng: StdRng) -> Result<Self, ConfigError> {
        let transport = Transport::new(&config)?;
        let alert = config
            .alert_webhook_url
            .clone()
            .map(|url| AlertHook::new(url, transport.http().clone()));
        let resilience = Resilience::new(&config, rng, alert);
        Ok(Self {
            inner: Arc::new(Inner {
                transport,
                resilience,
            }),
            deadline: None,
        })
    }

    /// A handle whose calls must finish by `deadline` (all attempts, waits and sleeps).
    pub fn with_deadline(&self, deadline: Instant) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            deadline: Some(deadline),
        }
    }

    /// A handle whose calls must finish within `budget` from now.
    pub fn with_timeout(&self, budget: Duration) -> Self {
        self.with_deadline(Instant::now() + budget)
    }

    /// The bare HTTP client underneath (same pool and credentials), without the layer.
    pub fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    /// Breaker state, budget and totals for the health endpoint.
    pub fn resilience_snapshot(&self) -> ResilienceSnapshot {
        self.inner.resilience.snapshot()
    }

    /// The breaker's current state (an elapsed open window reads Open until the next call).
    pub fn breaker_state(&self) -> BreakerState {
        self.inner.resilience.breaker().view().state
    }

    /// A receiver of every future breaker transition.
    pub fn subscribe_breaker_events(&self) -> broadcast::Receiver<BreakerEvent> {
        self.inner.resilience.subscribe()
    }

    /// Sends `request` through the layer; `decode` turns a 2xx body into `T` (see `http`).
    pub(crate) async fn call<T>(
        &self,
        operation: &'static str,
        request: Request,
        decode: fn(u16, &[u8]) -> Result<T, MuxError>,
    ) -> Result<T, MuxError> {
        let spec = self.spec(operation, &request);
        let transport = &self.inner.transport;
        let request = &request;
        let attempt = |limit| async move {
            let (status, body) = transport.send(request, limit).await?;
            decode(status, &body)
        };
        self.inner.resilience.run(spec, attempt).await
    }

    fn spec(&self, operation: &'static str, request: &Request) -> CallSpec {
        let class = if request.method == reqwest::Method::POST {
            RateClass::Post
        } else {
            RateClass::Other
        };
        CallSpec {
            operation,
            class,
            deadline: self.deadline,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{CreateUploadRequest, ListAssetsParams};

    fn assert_send<T: Send>(_: &T) {}
    fn assert_shareable<T: Send + Sync + Clone + 'static>() {}

    /// The service keeps the client in axum state and awaits calls in handlers and spawned
    /// tasks: the client must be shareable and every call's future `Send`.
    #[test]
    fn client_is_shareable_and_its_futures_are_send() {
        assert_shareable::<MuxClient>();
        let client = MuxClient::new(ClientConfig::new("id", "secret")).unwrap();
        let request = CreateUploadRequest::default();
        let params = ListAssetsParams::default();
        assert_send(&client.create_upload(&request));
        assert_send(&client.get_asset("a"));
        assert_send(&client.list_assets(&params));
        assert_send(&client.delete_asset("a"));
    }
}
