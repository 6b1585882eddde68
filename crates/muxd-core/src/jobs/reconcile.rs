//! The reconciler: the backstop for webhooks (docs/contract.md §6). An asset still in flight after a
//! grace period with no news gets a polling session: read its upload, then its asset, from Mux
//! (through the resilient client) and apply what they say, with the same transition function as
//! webhooks. Intervals, backoff, the 10-minute session and stuck marking come from
//! [`Schedule`]; leases keep several instances from polling one asset at once. Each step also
//! settles creates that were interrupted before storing their upload id (`Uploads::settle_unsent`).
//! [`Reconciler::run_once`] is one step (tests and `muxd reconcile --once` call it); the jobs
//! loop runs it every second.

use std::time::Duration;

use mux_api::{BreakerState, MuxClient};

use crate::service::sync::Resync;
use crate::service::uploads::Uploads;
use muxd_domain::schedule::{Next, PollResult, Schedule};
use muxd_domain::AssetId;
use muxd_store::{now_ms, SessionStep, Store};

/// Rows polled per step at most.
const BATCH: i64 = 50;
/// How long a lease holds: longer than one resync can take (two calls within their deadlines).
const LEASE: Duration = Duration::from_secs(90);

/// What one step did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Rows polled.
    pub polled: usize,
    /// Polls that moved their row (to READY, ERROR, …).
    pub changed: usize,
    /// Polls that could not reach Mux.
    pub failed: usize,
    /// Rows whose session ended unresolved in this step.
    pub stuck: usize,
    /// Interrupted creates settled (their rows removed, their uploads cancelled).
    pub settled: usize,
}

/// The reconciler. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Reconciler {
    pub store: Store,
    pub mux: MuxClient,
    pub resync: Resync,
    pub uploads: Uploads,
    pub schedule: Schedule,
}

impl Reconciler {
    /// Polls every row due at `now`, as `owner` (this instance's lease name).
    pub async fn run_once(&self, owner: &str, now: i64) -> anyhow::Result<Outcome> {
        let quiet_since = now - millis(self.schedule.grace);
        let mut outcome = Outcome::default();
        for row in self.store.due_for_poll(now, quiet_since, BATCH).await? {
            if !self
                .store
                .take_lease(row.id, owner, now, now + millis(LEASE))
                .await?
            {
                continue; // another instance has it
            }
            outcome.polled += 1;
            let result = match self.resync.asset(row.id).await {
                Ok(changes) => {
                    outcome.changed += usize::from(!changes.is_empty());
                    PollResult::Pending {
                        degraded: self.degraded(),
                    }
                }
                Err(error) => {
                    outcome.failed += 1;
                    tracing::info!(asset.id = %row.id, error = %error, "poll failed");
                    PollResult::Failed {
                        failures: u32::try_from(row.poll_failures + 1).unwrap_or(u32::MAX),
                    }
                }
            };
            let step = self.next_step(row.id, result, now).await?;
            outcome.stuck +=
                usize::from(matches!(step, SessionStep::Stuck { .. }) && row.stuck_since.is_none());
            self.store.finish_poll(row.id, owner, now, step).await?;
        }
        outcome.settled = self
            .uploads
            .settle_unsent(now - millis(self.schedule.unsent_grace))
            .await?;
        Ok(outcome)
    }

    /// Where the row's session goes after a poll that gave `result`.
    async fn next_step(
        &self,
        id: AssetId,
        result: PollResult,
        now: i64,
    ) -> anyhow::Result<SessionStep> {
        let Some(row) = self.store.asset(id).await? else {
            return Ok(SessionStep::Done);
        };
        if !row.facts.status.is_in_flight() {
            return Ok(SessionStep::Done);
        }
        let session_age = age(now, row.poll_started_at.unwrap_or(now));
        let failures = match result {
            PollResult::Failed { failures } => i64::from(failures),
            PollResult::Pending { .. } => 0,
        };
        Ok(
            match self
                .schedule
                .next(result, session_age, age(now, row.created_at))
            {
                Next::PollIn(after) => SessionStep::Continue {
                    next_at: now + millis(after),
                    failures,
                },
                Next::Stuck(after) => SessionStep::Stuck {
                    next_at: now + millis(after),
                },
                Next::GiveUp => SessionStep::GiveUp,
            },
        )
    }

    /// Mux is degraded while the breaker is not closed or calls have recently failed.
    fn degraded(&self) -> bool {
        let snapshot = self.mux.resilience_snapshot();
        snapshot.circuit_breaker.state != BreakerState::Closed
            || snapshot.circuit_breaker.failure_count > 0
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

fn age(now: i64, since: i64) -> Duration {
    Duration::from_millis(u64::try_from(now - since).unwrap_or(0))
}

/// This process's lease name.
pub fn instance_name() -> String {
    format!("muxd-{}-{}", std::process::id(), now_ms())
}
