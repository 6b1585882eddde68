//! The one resilience layer every Mux call goes through (docs/contract.md §5).
//!
//! Per attempt, in this order: local rate pacing (`pacing.rs`) → circuit breaker (`circuit.rs`
//! over the pure `breaker.rs`) → the HTTP attempt under a timeout. Retries sit outside the
//! breaker (`retry.rs`): each retry asks the budget (`budget.rs`) before sleeping a full-jitter
//! backoff (`backoff.rs`). `telemetry.rs` names the metrics, `snapshot.rs` serves health.
//!
//! Time is tokio's clock (so tests pause it) and randomness a seeded or injected `StdRng`.
//! Breaker, budget and pacing are per process by design (ARCHITECTURE.md, scale-out).

mod alert;
pub mod backoff;
pub mod breaker;
pub mod budget;
mod circuit;
mod event;
pub mod pacing;
mod retry;
#[cfg(test)]
mod retry_support;
mod snapshot;
pub mod telemetry;

use std::sync::atomic::AtomicU64;
use std::sync::Mutex;
use std::time::Duration;

use rand::rngs::StdRng;
use tokio::sync::broadcast;
use tokio::time::Instant;

pub use alert::AlertHook;
pub use breaker::BreakerState;
pub use circuit::{CircuitBreaker, Permit};
pub use event::BreakerEvent;
pub use pacing::RateClass;
pub use retry::CallSpec;
pub use snapshot::{CallTotals, CircuitBreakerSnapshot, ResilienceSnapshot, RetryBudgetSnapshot};

use crate::config::{ClientConfig, RetryConfig};
use budget::RetryBudget;
use pacing::Pacer;

/// Breaker, budget, pacer, RNG and counters shared by all clones of one client.
pub struct Resilience {
    retry: RetryConfig,
    request_timeout: Duration,
    default_deadline: Duration,
    breaker: CircuitBreaker,
    budget: Mutex<RetryBudget>,
    pacer: Mutex<Pacer>,
    rng: Mutex<StdRng>,
    totals: Totals,
}

#[derive(Default)]
struct Totals {
    calls: AtomicU64,
    successes: AtomicU64,
    failures: AtomicU64,
    retries: AtomicU64,
    breaker_rejections: AtomicU64,
    budget_exhausted: AtomicU64,
    throttled: AtomicU64,
}

impl Resilience {
    /// Builds the layer from the config; `alert` is the optional transition hook.
    pub fn new(config: &ClientConfig, rng: StdRng, alert: Option<AlertHook>) -> Self {
        telemetry::budget_remaining(config.budget.max_retries);
        Self {
            retry: config.retry.clone(),
            request_timeout: config.request_timeout,
            default_deadline: config.default_deadline,
            breaker: CircuitBreaker::new(config.breaker.clone(), alert),
            budget: Mutex::new(RetryBudget::new(config.budget.clone())),
            pacer: Mutex::new(Pacer::new(&config.rate_limit, Instant::now())),
            rng: Mutex::new(rng),
            totals: Totals::default(),
        }
    }

    /// The breaker (state, subscriptions).
    pub fn breaker(&self) -> &CircuitBreaker {
        &self.breaker
    }

    /// A receiver of every future breaker transition.
    pub fn subscribe(&self) -> broadcast::Receiver<BreakerEvent> {
        self.breaker.subscribe()
    }
}

/// Locks a mutex whose data stays consistent even if a holder panicked (plain counters).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
