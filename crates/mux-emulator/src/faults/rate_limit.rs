//! Mux-like rate limits (docs/mux-facts.md §1.4): about 1 POST/s and 5 other requests/s, with bursts.
//!
//! Two token buckets for `/video/v1`; switchable at runtime. Over the limit the middleware answers
//! 429 with the body Mux was observed to send (`{"errors":["Too many requests, retry later."]}`,
//! §1.3) and no `Retry-After`, as observed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use tokio::time::Instant;

/// POST: sustained 1/s, burst of 5.
const POST_PER_S: f64 = 1.0;
const POST_BURST: f64 = 5.0;
/// Everything else: sustained 5/s, burst of 10.
const OTHER_PER_S: f64 = 5.0;
const OTHER_BURST: f64 = 10.0;

pub struct RateLimiter {
    enabled: AtomicBool,
    post: Mutex<Bucket>,
    other: Mutex<Bucket>,
}

struct Bucket {
    tokens: f64,
    per_s: f64,
    burst: f64,
    at: Instant,
}

impl Bucket {
    fn new(per_s: f64, burst: f64) -> Self {
        Self {
            tokens: burst,
            per_s,
            burst,
            at: Instant::now(),
        }
    }

    fn take(&mut self) -> bool {
        let now = Instant::now();
        let refill = now.duration_since(self.at).as_secs_f64() * self.per_s;
        self.tokens = (self.tokens + refill).min(self.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

impl RateLimiter {
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled: AtomicBool::new(enabled),
            post: Mutex::new(Bucket::new(POST_PER_S, POST_BURST)),
            other: Mutex::new(Bucket::new(OTHER_PER_S, OTHER_BURST)),
        }
    }

    pub fn set_enabled(&self, enabled: bool) {
        if enabled && !self.enabled() {
            *self.post.lock().unwrap_or_else(|p| p.into_inner()) =
                Bucket::new(POST_PER_S, POST_BURST);
            *self.other.lock().unwrap_or_else(|p| p.into_inner()) =
                Bucket::new(OTHER_PER_S, OTHER_BURST);
        }
        self.enabled.store(enabled, Ordering::SeqCst);
    }

    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::SeqCst)
    }

    /// Whether a request with this method may proceed now (always true when disabled).
    pub fn admit(&self, method: &str) -> bool {
        if !self.enabled() {
            return true;
        }
        let bucket = if method.eq_ignore_ascii_case("POST") {
            &self.post
        } else {
            &self.other
        };
        bucket.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn bursts_then_refills() {
        let limiter = RateLimiter::new(true);
        let admitted = (0..20).filter(|_| limiter.admit("POST")).count();
        assert_eq!(admitted, 5, "burst of 5 POSTs");
        assert!(!limiter.admit("POST"));
        tokio::time::advance(std::time::Duration::from_millis(1_100)).await;
        assert!(limiter.admit("POST"), "one token per second");
        let gets = (0..20).filter(|_| limiter.admit("GET")).count();
        assert_eq!(gets, 10);
    }

    #[test]
    fn disabled_admits_everything() {
        let limiter = RateLimiter::new(false);
        assert!((0..100).all(|_| limiter.admit("POST")));
    }
}
