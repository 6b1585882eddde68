//! A per-user rate limit: one token bucket per user (`governor`'s keyed limiter), so many actions
//! a minute on average, in bursts up to that many. It lives in the process (several instances
//! each allow the rate); buckets of users idle long enough to be full again are forgotten now
//! and then, so memory follows active users only.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use muxd_domain::UserId;

/// Every this many checks, buckets that are full again are dropped.
const FORGET_EVERY: u32 = 1024;

/// Limits one kind of action per user.
#[derive(Debug)]
pub struct PerUserLimit {
    /// `None`: no limit.
    limiter: Option<DefaultKeyedRateLimiter<UserId>>,
    checks: AtomicU32,
}

impl PerUserLimit {
    /// `per_minute` actions a minute per user; 0 turns the limit off.
    pub fn per_minute(per_minute: u32) -> Self {
        Self {
            limiter: NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n))),
            checks: AtomicU32::new(0),
        }
    }

    /// Counts one action of `user`, or says how long until one is allowed.
    pub fn check(&self, user: UserId) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        if self.checks.fetch_add(1, Ordering::Relaxed) % FORGET_EVERY == FORGET_EVERY - 1 {
            limiter.retain_recent();
        }
        limiter
            .check_key(&user)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_refused_with_the_wait_per_user() {
        let limit = PerUserLimit::per_minute(6);
        let (a, b) = (UserId::new(), UserId::new());
        for _ in 0..6 {
            assert!(limit.check(a).is_ok());
        }
        let wait = limit.check(a).unwrap_err();
        assert!(
            wait > Duration::from_secs(9) && wait <= Duration::from_secs(10),
            "{wait:?}"
        );
        assert!(limit.check(b).is_ok(), "users are separate");
    }

    #[test]
    fn zero_means_no_limit() {
        let limit = PerUserLimit::per_minute(0);
        let user = UserId::new();
        assert!((0..1000).all(|_| limit.check(user).is_ok()));
    }
}
