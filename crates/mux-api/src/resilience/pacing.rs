//! Client-side pacing to Mux's rate limits (docs/mux-facts.md §1.4: about 1 POST/s and 5 other
//! requests/s per environment, with bursts), so that a burst of users queues here for a moment
//! instead of turning into 429s. One token bucket per class; a caller whose slot would come after
//! its deadline is refused at once, without taking the slot. Pure: the caller passes `now`.

use std::time::Duration;

use tokio::time::Instant;

use crate::config::RateLimitConfig;

/// Which of Mux's limits a request falls under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateClass {
    Post,
    Other,
}

impl RateClass {
    pub fn as_str(self) -> &'static str {
        match self {
            RateClass::Post => "post",
            RateClass::Other => "other",
        }
    }
}

/// A token bucket that may go negative: each caller takes its slot at once and waits until the
/// slot's time, so waiters are served in arrival order without a queue.
#[derive(Debug)]
struct Bucket {
    per_second: f64,
    burst: f64,
    tokens: f64,
    updated: Instant,
}

impl Bucket {
    fn new(per_second: f64, burst: u32, now: Instant) -> Self {
        let burst = f64::from(burst.max(1));
        Self {
            per_second,
            burst,
            tokens: burst,
            updated: now,
        }
    }

    fn reserve(
        &mut self,
        now: Instant,
        latest_start: Option<Instant>,
    ) -> Result<Duration, Duration> {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.burst);
        self.updated = self.updated.max(now);
        let wait = if self.tokens >= 1.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64((1.0 - self.tokens) / self.per_second)
        };
        if latest_start.is_some_and(|latest| now + wait > latest) {
            return Err(wait);
        }
        self.tokens -= 1.0;
        Ok(wait)
    }
}

/// The two buckets, or nothing when pacing is disabled.
#[derive(Debug)]
pub struct Pacer {
    buckets: Option<(Bucket, Bucket)>,
}

impl Pacer {
    pub fn new(config: &RateLimitConfig, now: Instant) -> Self {
        let buckets = config.enabled.then(|| {
            (
                Bucket::new(config.post_per_second, config.post_burst, now),
                Bucket::new(config.other_per_second, config.other_burst, now),
            )
        });
        Self { buckets }
    }

    /// Takes the next slot of `class`: `Ok(wait)` to sleep before sending, or `Err(wait)` when
    /// the slot would come after `deadline` (nothing is taken then).
    pub fn reserve(
        &mut self,
        class: RateClass,
        now: Instant,
        deadline: Option<Instant>,
    ) -> Result<Duration, Duration> {
        match &mut self.buckets {
            None => Ok(Duration::ZERO),
            Some((post, _)) if class == RateClass::Post => post.reserve(now, deadline),
            Some((_, other)) => other.reserve(now, deadline),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_one_post_per_second() {
        let now = Instant::now();
        let mut pacer = Pacer::new(&RateLimitConfig::default(), now);
        for _ in 0..3 {
            assert_eq!(
                pacer.reserve(RateClass::Post, now, None),
                Ok(Duration::ZERO)
            );
        }
        assert_eq!(
            pacer.reserve(RateClass::Post, now, None),
            Ok(Duration::from_secs(1))
        );
        assert_eq!(
            pacer.reserve(RateClass::Post, now, None),
            Ok(Duration::from_secs(2))
        );
        // GETs have their own bucket.
        assert_eq!(
            pacer.reserve(RateClass::Other, now, None),
            Ok(Duration::ZERO)
        );
        // After the queue drains and a quiet second, one more POST goes at once.
        let later = now + Duration::from_secs(3);
        assert_eq!(
            pacer.reserve(RateClass::Post, later, None),
            Ok(Duration::ZERO)
        );
    }

    #[test]
    fn other_methods_are_paced_at_five_per_second() {
        let now = Instant::now();
        let mut pacer = Pacer::new(&RateLimitConfig::default(), now);
        let waits: Vec<Duration> = (0..12)
            .map(|_| pacer.reserve(RateClass::Other, now, None).unwrap())
            .collect();
        assert!(waits[..10].iter().all(|w| w.is_zero()));
        assert_eq!(waits[10], Duration::from_millis(200));
        assert_eq!(waits[11], Duration::from_millis(400));
    }

    #[test]
    fn a_slot_past_the_deadline_is_refused_and_not_taken() {
        let now = Instant::now();
        let config = RateLimitConfig {
            post_burst: 1,
            ..Default::default()
        };
        let mut pacer = Pacer::new(&config, now);
        assert_eq!(
            pacer.reserve(RateClass::Post, now, None),
            Ok(Duration::ZERO)
        );
        let soon = Some(now + Duration::from_millis(500));
        assert_eq!(
            pacer.reserve(RateClass::Post, now, soon),
            Err(Duration::from_secs(1))
        );
        // The refused caller took nothing: the next one still waits only 1 s.
        assert_eq!(
            pacer.reserve(RateClass::Post, now, None),
            Ok(Duration::from_secs(1))
        );
    }

    #[test]
    fn disabled_never_waits() {
        let now = Instant::now();
        let config = RateLimitConfig {
            enabled: false,
            ..Default::default()
        };
        let mut pacer = Pacer::new(&config, now);
        for _ in 0..100 {
            assert_eq!(
                pacer.reserve(RateClass::Post, now, Some(now)),
                Ok(Duration::ZERO)
            );
        }
    }
}
