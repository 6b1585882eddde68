//! Typed client for the Mux Video API, behind the one resilience layer every Mux call goes
//! through (docs/contract.md §5): circuit breaker, jittered retries, retry budget, rate pacing.
//!
//! # Layout
//! - [`config`]: every number, with the design's defaults ([`ClientConfig`] and its parts).
//! - [`MuxClient`] (`client.rs`): build it from a config, clone it freely; the operations
//!   (`ops.rs`) are methods on it: uploads, assets, playback ids; text tracks in `tracks.rs`.
//! - [`types`]: tolerant request/response types (unknown fields ignored, `created_at` as string,
//!   number or ISO 8601).
//! - [`MuxError`] (`error.rs`): the one error enum, with [`ErrorKind`]; `classify.rs` maps
//!   transport errors and HTTP statuses (incl. `Retry-After`) onto it.
//! - [`http`]: one bare HTTP exchange under a request timeout (the layer computes the timeout:
//!   the configured one, shortened to the caller's deadline); also the benchmark's baseline.
//! - [`resilience`]: pacing → breaker → attempt, retries outside with budget and backoff; events,
//!   metrics and the health snapshot (whose types derive OpenAPI schemas under the `openapi`
//!   feature, for muxd's API document).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use mux_api::{ClientConfig, MuxClient};
//! let client = MuxClient::new(ClientConfig::new("token-id", "token-secret"))?;
//! let asset = client.with_timeout(std::time::Duration::from_secs(5)).get_asset("abc").await?;
//! println!("{:?} {}", asset.status, client.resilience_snapshot().circuit_breaker.state.as_str());
//! # Ok(()) }
//! ```

mod classify;
mod client;
pub mod config;
mod error;
pub mod http;
mod ops;
pub mod resilience;
mod tracks;
pub mod types;

pub use classify::parse_retry_after;
pub use client::MuxClient;
pub use config::{
    BreakerConfig, BudgetConfig, ClientConfig, ConfigError, RateLimitConfig, RetryConfig,
};
pub use error::{BreakerOutcome, ErrorKind, MuxError};
pub use resilience::{BreakerEvent, BreakerState, ResilienceSnapshot};
pub use types::*;
