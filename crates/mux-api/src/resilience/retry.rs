//! The retry loop: one logical call = up to `1 + max_retries` attempts, each paced and admitted
//! by the breaker, retried only for transient errors and 429s, with the budget checked before
//! every sleep and no sleep past the caller's deadline. The first attempt, once it is really
//! sent (paced and admitted), deposits into the budget; retries withdraw from it (`budget.rs`).
//!
//! An open breaker ends the logical call at once with [`MuxError::BreakerOpen`], even when its
//! window would end before the deadline: the breaker exists to fail fast, the error carries
//! `retry_after`, and callers that can wait (the reconciler) come back on their own schedule.

use std::future::Future;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use tokio::time::Instant;
use tracing::Instrument as _;

use super::{backoff, lock, telemetry, RateClass, Resilience};
use crate::error::{BreakerOutcome, MuxError};

/// What the layer needs to know about a call.
#[derive(Debug, Clone, Copy)]
pub struct CallSpec {
    /// Metrics label and log field, e.g. `get_asset`.
    pub operation: &'static str,
    pub class: RateClass,
    /// End of the whole logical call; `None` = now + the configured default.
    pub deadline: Option<Instant>,
}

impl Resilience {
    /// Runs `attempt` under the layer. `attempt(limit)` makes one HTTP exchange and must give up
    /// with [`MuxError::Timeout`] after `limit` = min(request timeout, time left to the deadline);
    /// the client passes it to reqwest as the request timeout, so a bare client with a timeout
    /// and the layer pay for the same single timer. It is called again for each retry.
    pub async fn run<T, F, Fut>(&self, call: CallSpec, mut attempt: F) -> Result<T, MuxError>
    where
        F: FnMut(Duration) -> Fut,
        Fut: Future<Output = Result<T, MuxError>>,
    {
        let started = Instant::now();
        let deadline = call.deadline.unwrap_or(started + self.default_deadline);
        let span = tracing::info_span!(
            "mux.call",
            otel.name = call.operation,
            otel.kind = "client",
            otel.status_code = tracing::field::Empty,
            mux.operation = call.operation,
            retries = tracing::field::Empty,
            outcome = tracing::field::Empty,
        );
        let mut retries = 0;
        let result = loop {
            let first = retries == 0;
            let outcome = self
                .attempt_once(call, deadline, first, &mut attempt)
                .instrument(tracing::info_span!(parent: &span, "mux.attempt", attempt = retries + 1, breaker.state = tracing::field::Empty, outcome = tracing::field::Empty))
                .await;
            let error = match outcome {
                Ok(value) => break Ok(value),
                Err(error) => error,
            };
            match self.plan_retry(error, retries, deadline) {
                Ok(delay) => {
                    retries += 1;
                    telemetry::retry(call.operation);
                    tracing::debug!(
                        mux.operation = call.operation,
                        retry = retries,
                        delay_ms = delay.as_millis() as u64,
                        "retrying Mux call"
                    );
                    tokio::time::sleep(delay).await;
                }
                Err(error) => break Err(error),
            }
        };
        let outcome = self.finish(call.operation, started, &result);
        span.record("retries", retries);
        span.record("outcome", outcome);
        if result.is_err() {
            span.record("otel.status_code", "ERROR");
        }
        result
    }

    /// Pacing, breaker admission and one attempt with its time limit. A `first` attempt that
    /// goes out deposits its share of a retry into the budget.
    async fn attempt_once<T, F, Fut>(
        &self,
        call: CallSpec,
        deadline: Instant,
        first: bool,
        attempt: &mut F,
    ) -> Result<T, MuxError>
    where
        F: FnMut(Duration) -> Fut,
        Fut: Future<Output = Result<T, MuxError>>,
    {
        self.pace(call.class, deadline).await?;
        let span = tracing::Span::current();
        let permit = self.breaker.acquire().map_err(|retry_after| {
            span.record("breaker.state", "open");
            span.record("outcome", "breaker_open");
            MuxError::BreakerOpen { retry_after }
        })?;
        span.record("breaker.state", self.breaker.view().state.as_str());
        let now = Instant::now();
        if now >= deadline {
            return Err(MuxError::DeadlineExceeded);
        }
        if first {
            lock(&self.budget).deposit(now);
        }
        let limit = self.request_timeout.min(deadline - now);
        let outcome = attempt(limit).await;
        let (label, breaker_outcome) = match &outcome {
            Ok(_) => ("ok", BreakerOutcome::Success),
            Err(error) => (error.kind().as_str(), error.breaker_outcome()),
        };
        permit.record(breaker_outcome);
        telemetry::attempt(call.operation, label);
        span.record("outcome", label);
        outcome
    }

    /// Waits for a local rate-limit slot, or refuses if it comes after the deadline.
    async fn pace(&self, class: RateClass, deadline: Instant) -> Result<(), MuxError> {
        let reserved = lock(&self.pacer).reserve(class, Instant::now(), Some(deadline));
        let wait = reserved.map_err(|wait| MuxError::Throttled { wait })?;
        telemetry::pacing_wait(class.as_str(), wait);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        Ok(())
    }

    /// Decides whether a failed attempt is retried: `Ok(delay)` to sleep and retry, `Err` to end
    /// the call with that error. Checks run cheapest and least wasteful first, and the budget
    /// is only spent on a retry that will really happen.
    fn plan_retry(
        &self,
        error: MuxError,
        retries: u32,
        deadline: Instant,
    ) -> Result<Duration, MuxError> {
        if !error.is_retryable() || retries >= self.retry.max_retries {
            return Err(error);
        }
        if let Some(retry_after) = self.breaker.open_for() {
            return Err(MuxError::BreakerOpen { retry_after });
        }
        let delay = backoff::delay(
            &self.retry,
            retries,
            error.retry_after(),
            &mut *lock(&self.rng),
        );
        let now = Instant::now();
        if now + delay >= deadline {
            return Err(error);
        }
        let mut budget = lock(&self.budget);
        let granted = budget.try_withdraw(now);
        telemetry::budget_remaining(budget.remaining(now));
        if !granted {
            self.totals.budget_exhausted.fetch_add(1, Relaxed);
            tracing::warn!(error = %error, "Mux retry budget exhausted");
            return Err(MuxError::BudgetExhausted {
                last: Box::new(error),
            });
        }
        self.totals.retries.fetch_add(1, Relaxed);
        Ok(delay)
    }

    /// Counts the call and returns its outcome label.
    fn finish<T>(
        &self,
        operation: &'static str,
        started: Instant,
        result: &Result<T, MuxError>,
    ) -> &'static str {
        let totals = &self.totals;
        totals.calls.fetch_add(1, Relaxed);
        let label = match result {
            Ok(_) => {
                totals.successes.fetch_add(1, Relaxed);
                "ok"
            }
            Err(error) => {
                totals.failures.fetch_add(1, Relaxed);
                match error {
                    MuxError::BreakerOpen { .. } => totals.breaker_rejections.fetch_add(1, Relaxed),
                    MuxError::Throttled { .. } => totals.throttled.fetch_add(1, Relaxed),
                    _ => 0,
                };
                tracing::debug!(mux.operation = operation, error = %error, "Mux call failed");
                error.kind().as_str()
            }
        };
        telemetry::call(operation, label, started.elapsed());
        telemetry::budget_remaining(lock(&self.budget).remaining(Instant::now()));
        label
    }
}

#[cfg(test)]
#[path = "retry_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "retry_limits_tests.rs"]
mod limits_tests;

#[cfg(test)]
#[path = "retry_budget_tests.rs"]
mod budget_tests;
