//! A per-key token bucket (one bucket per user): `rate` actions a minute on average, bursts up to
//! `rate`. It lives in the process (several instances each allow `rate`); idle buckets are
//! forgotten, so memory follows active users only.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Buckets idle this long are full again, so they are dropped.
const FORGET_AFTER: Duration = Duration::from_secs(120);

/// Limits actions per key.
#[derive(Debug)]
pub struct KeyedLimiter<K> {
    per_minute: u32,
    buckets: Mutex<HashMap<K, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl<K: Eq + Hash + Clone> KeyedLimiter<K> {
    /// `per_minute` 0 turns the limit off.
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key` at `now`, or says how long until one is free.
    pub fn take(&self, key: &K, now: Instant) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_sec = capacity / 60.0;
        let mut buckets = self.buckets.lock().expect("limiter lock");
        if buckets.len() > 1024 {
            buckets.retain(|_, b| now.saturating_duration_since(b.at) < FORGET_AFTER);
        }
        let bucket = buckets.entry(key.clone()).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_sec).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_sec))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_per_interval_per_key() {
        let limiter = KeyedLimiter::new(6);
        let start = Instant::now();
        for _ in 0..6 {
            assert!(limiter.take(&"a", start).is_ok());
        }
        let wait = limiter.take(&"a", start).unwrap_err();
        assert_eq!(wait, Duration::from_secs(10));
        assert!(limiter.take(&"b", start).is_ok(), "keys are separate");
        assert!(limiter.take(&"a", start + Duration::from_secs(10)).is_ok());
        assert!(limiter.take(&"a", start + Duration::from_secs(10)).is_err());
    }

    #[test]
    fn zero_means_no_limit() {
        let limiter = KeyedLimiter::new(0);
        let now = Instant::now();
        assert!((0..1000).all(|_| limiter.take(&1, now).is_ok()));
    }
}
