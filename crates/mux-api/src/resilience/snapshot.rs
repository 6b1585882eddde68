//! The figures health needs, in the shape of the guide's `/api/health/mux-system` JSON
//! (`resilience.circuitBreaker`, `resilience.retryBudget`), plus call totals.

use std::sync::atomic::Ordering::Relaxed;
use std::time::SystemTime;

use serde::Serialize;
use tokio::time::Instant;

use super::breaker::BreakerState;
use super::event::{unix_ms, BreakerEvent};
use super::{lock, Resilience};

/// Everything health shows about the layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ResilienceSnapshot {
    /// `true` while the breaker is closed.
    pub system_health: bool,
    pub circuit_breaker: CircuitBreakerSnapshot,
    pub retry_budget: RetryBudgetSnapshot,
    pub totals: CallTotals,
}

/// `circuitBreaker` of the guide's health JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CircuitBreakerSnapshot {
    /// `"CLOSED"`, `"OPEN"` or `"HALF_OPEN"`.
    pub state: BreakerState,
    /// Consecutive counted failures (closed).
    pub failure_count: u32,
    /// Successes since the last failure (closed) or probe successes (half-open).
    pub success_count: u64,
    /// While open: when it opened, Unix milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opened_at: Option<u64>,
    /// While open: milliseconds until probes are let through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
    pub half_open_in_flight: u32,
    /// Transitions since start.
    pub transitions: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_transition: Option<BreakerEvent>,
}

/// `retryBudget` of the guide's health JSON, plus the traffic the budget scales with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RetryBudgetSnapshot {
    /// Retries granted in the current rolling window.
    pub retry_count: u32,
    /// The floor: retries per window available whatever the traffic (`BudgetConfig::max_retries`).
    pub budget_limit: u32,
    /// Retries available now: the floor + `percent` % of `request_count`, less `retry_count`.
    pub remaining_budget: u32,
    /// First attempts sent in the current rolling window.
    pub request_count: u32,
    /// Share of `request_count` that may be retried on top of the floor, in percent.
    pub percent: u32,
}

/// Counters since the client was built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CallTotals {
    pub calls: u64,
    pub successes: u64,
    pub failures: u64,
    pub retries: u64,
    pub breaker_rejections: u64,
    pub budget_exhausted: u64,
    pub throttled: u64,
}

impl Resilience {
    /// Reads every figure now.
    pub fn snapshot(&self) -> ResilienceSnapshot {
        let now = Instant::now();
        let view = self.breaker.view();
        let (last_transition, transitions) = self.breaker.history();
        let opened_at = view.opened_at.map(|at| {
            let ago = now.saturating_duration_since(at);
            unix_ms(
                SystemTime::now()
                    .checked_sub(ago)
                    .unwrap_or(SystemTime::UNIX_EPOCH),
            )
        });
        let retry_budget = {
            let budget = lock(&self.budget);
            let view = budget.view(now);
            RetryBudgetSnapshot {
                retry_count: view.retries,
                budget_limit: budget.floor(),
                remaining_budget: view.remaining,
                request_count: view.first_attempts,
                percent: budget.percent(),
            }
        };
        let t = &self.totals;
        ResilienceSnapshot {
            system_health: view.state == BreakerState::Closed,
            circuit_breaker: CircuitBreakerSnapshot {
                state: view.state,
                failure_count: view.failure_count,
                success_count: view.success_count,
                opened_at,
                retry_after_ms: view.retry_after.map(|d| d.as_millis() as u64),
                half_open_in_flight: view.half_open_in_flight,
                transitions,
                last_transition,
            },
            retry_budget,
            totals: CallTotals {
                calls: t.calls.load(Relaxed),
                successes: t.successes.load(Relaxed),
                failures: t.failures.load(Relaxed),
                retries: t.retries.load(Relaxed),
                breaker_rejections: t.breaker_rejections.load(Relaxed),
                budget_exhausted: t.budget_exhausted.load(Relaxed),
                throttled: t.throttled.load(Relaxed),
            },
        }
    }
}
