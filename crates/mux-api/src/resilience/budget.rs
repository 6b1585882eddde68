//! The process-wide retry budget: at most `max_retries` retries in any rolling `window`
//! (research/resilience.md §2). A token bucket in its exact form: each of the `max_retries`
//! tokens comes back exactly one window after it was spent, so no 60 s span ever holds more
//! than 10 retries (a continuously refilling bucket would allow 11). Only retries withdraw;
//! first attempts are free. Pure: the caller passes `now`.

use std::collections::VecDeque;

use tokio::time::Instant;

use crate::config::BudgetConfig;

#[derive(Debug)]
pub struct RetryBudget {
    config: BudgetConfig,
    /// When each retry of the current window was granted, oldest first.
    spent: VecDeque<Instant>,
}

impl RetryBudget {
    pub fn new(config: BudgetConfig) -> Self {
        let spent = VecDeque::with_capacity(config.max_retries as usize);
        Self { config, spent }
    }

    /// Takes one retry if the window has one left.
    pub fn try_withdraw(&mut self, now: Instant) -> bool {
        self.expire(now);
        if self.spent.len() >= self.config.max_retries as usize {
            return false;
        }
        self.spent.push_back(now);
        true
    }

    /// Retries granted in the current window.
    pub fn used(&mut self, now: Instant) -> u32 {
        self.expire(now);
        self.spent.len() as u32
    }

    pub fn remaining(&mut self, now: Instant) -> u32 {
        self.config.max_retries - self.used(now)
    }

    pub fn limit(&self) -> u32 {
        self.config.max_retries
    }

    fn expire(&mut self, now: Instant) {
        while let Some(oldest) = self.spent.front() {
            if now.saturating_duration_since(*oldest) >= self.config.window {
                self.spent.pop_front();
            } else {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn budget() -> RetryBudget {
        RetryBudget::new(BudgetConfig::default())
    }

    #[test]
    fn eleventh_retry_in_a_minute_is_refused_and_refills_after_60s() {
        let start = Instant::now();
        let mut budget = budget();
        for i in 0..10 {
            assert!(
                budget.try_withdraw(start + Duration::from_secs(i)),
                "retry {i}"
            );
        }
        assert!(!budget.try_withdraw(start + Duration::from_secs(10)));
        assert_eq!(budget.remaining(start + Duration::from_secs(59)), 0);
        // The first token returns exactly 60 s after it was spent, not a moment earlier.
        assert!(!budget.try_withdraw(start + Duration::from_millis(59_999)));
        assert!(budget.try_withdraw(start + Duration::from_secs(60)));
        assert!(!budget.try_withdraw(start + Duration::from_secs(60)));
        assert_eq!(budget.remaining(start + Duration::from_secs(130)), 10);
    }

    #[test]
    fn no_rolling_minute_ever_holds_more_than_ten() {
        let start = Instant::now();
        let mut budget = budget();
        let mut granted = Vec::new();
        for tenth_of_second in 0..3_000u64 {
            let now = start + Duration::from_millis(tenth_of_second * 100);
            if budget.try_withdraw(now) {
                granted.push(now);
            }
        }
        for (i, at) in granted.iter().enumerate() {
            let in_window = granted[i..]
                .iter()
                .take_while(|t| **t < *at + Duration::from_secs(60))
                .count();
            assert!(
                in_window <= 10,
                "{in_window} retries in the minute from {i}"
            );
        }
        assert_eq!(granted.len(), 50, "10 per minute over 5 minutes");
    }
}
