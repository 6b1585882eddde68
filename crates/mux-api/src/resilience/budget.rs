//! The process-wide retry budget (docs/contract.md §5, docs/resilience.md §2): Finagle's
//! `RetryBudget` with a floor. Each first attempt sent to Mux deposits `percent` % of a retry,
//! each retry withdraws one whole retry, and both are forgotten after the rolling `window`; on
//! top, `max_retries` retries per window are always available (the floor), even with no traffic.
//! So in any rolling window, retries ≤ `max_retries` + ⌊`percent` × first attempts / 100⌋.
//! First attempts never withdraw. With the defaults (10, 20 %, 60 s) a 10-15 % error rate is
//! absorbed (it needs well under 20 % of requests as retries), while a storm where everything
//! fails is held at 10 + 20 % of the last minute's requests.
//!
//! Memory is bounded: counts live in [`BUCKETS`] buckets of `window / 60` each (one second by
//! default), not one entry per request. Bucketing never loosens the rule: a deposit counts for
//! at most one window (its bucket leaves the window once the bucket one window later begins),
//! a withdrawal for at least one (its bucket is kept one bucket longer), so a retry is held for
//! 60-61 s by default. Pure and deterministic: the caller passes `now`; bucket boundaries are
//! counted from the first instant the budget is given.

use tokio::time::Instant;

use crate::config::BudgetConfig;

/// Buckets per window: per-second counts for the default 60 s window.
pub const BUCKETS: u64 = 60;
/// One more bucket than the window spans, so that withdrawals stay a full window.
const RING: usize = BUCKETS as usize + 1;

#[derive(Debug, Clone, Copy, Default)]
struct Bucket {
    /// Which bucket since the origin this is (`elapsed × BUCKETS / window`).
    index: u64,
    first_attempts: u64,
    retries: u64,
}

#[derive(Debug)]
pub struct RetryBudget {
    config: BudgetConfig,
    /// Start of bucket 0: the first instant the budget recorded something.
    origin: Option<Instant>,
    buckets: [Bucket; RING],
}

/// What the budget holds at one instant (health and metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetView {
    /// Retries granted in the window (withdrawals not yet forgotten).
    pub retries: u32,
    /// First attempts in the window (deposits not yet expired).
    pub first_attempts: u32,
    /// Retries the window allows: the floor + `percent` % of its first attempts.
    pub allowance: u32,
    /// Retries available now: `allowance − retries`, never below zero.
    pub remaining: u32,
}

impl RetryBudget {
    pub fn new(config: BudgetConfig) -> Self {
        Self {
            config,
            origin: None,
            buckets: [Bucket::default(); RING],
        }
    }

    /// Records a first attempt: `percent` % of a retry more for one window.
    pub fn deposit(&mut self, now: Instant) {
        self.bucket_mut(now).first_attempts += 1;
    }

    /// Takes one retry if the window has one left.
    pub fn try_withdraw(&mut self, now: Instant) -> bool {
        if self.view(now).remaining == 0 {
            return false;
        }
        self.bucket_mut(now).retries += 1;
        true
    }

    /// Retries granted in the current window.
    pub fn used(&self, now: Instant) -> u32 {
        self.view(now).retries
    }

    /// Retries available now.
    pub fn remaining(&self, now: Instant) -> u32 {
        self.view(now).remaining
    }

    /// The floor: retries per window available whatever the traffic.
    pub fn floor(&self) -> u32 {
        self.config.max_retries
    }

    pub fn percent(&self) -> u32 {
        self.config.percent
    }

    pub fn view(&self, now: Instant) -> BudgetView {
        let (mut first_attempts, mut retries) = (0u64, 0u64);
        if let Some(current) = self.index(now) {
            // Deposits: the `BUCKETS` buckets ending with the current one. Withdrawals: one more.
            let deposits_from = current.saturating_add(1).saturating_sub(BUCKETS);
            let withdrawals_from = current.saturating_sub(BUCKETS);
            for bucket in &self.buckets {
                if bucket.index >= deposits_from {
                    first_attempts += bucket.first_attempts;
                }
                if bucket.index >= withdrawals_from {
                    retries += bucket.retries;
                }
            }
        }
        let share = first_attempts.saturating_mul(u64::from(self.config.percent)) / 100;
        let allowance = u64::from(self.config.max_retries).saturating_add(share);
        let narrow = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        BudgetView {
            retries: narrow(retries),
            first_attempts: narrow(first_attempts),
            allowance: narrow(allowance),
            remaining: narrow(allowance.saturating_sub(retries)),
        }
    }

    /// The bucket `now` falls in, or `None` before anything was recorded.
    fn index(&self, now: Instant) -> Option<u64> {
        let elapsed = now.saturating_duration_since(self.origin?).as_nanos();
        let window = self.config.window.as_nanos().max(1);
        Some(u64::try_from(elapsed * u128::from(BUCKETS) / window).unwrap_or(u64::MAX))
    }

    /// The bucket `now` falls in, emptied first if it still holds an expired one.
    fn bucket_mut(&mut self, now: Instant) -> &mut Bucket {
        self.origin.get_or_insert(now);
        let index = self.index(now).unwrap_or_default();
        let bucket = &mut self.buckets[(index % RING as u64) as usize];
        if bucket.index < index {
            *bucket = Bucket {
                index,
                ..Bucket::default()
            };
        }
        bucket
    }
}

#[cfg(test)]
#[path = "budget_tests.rs"]
mod tests;
