//! How long to wait before retry `n`: exponential from `base_delay`, capped at `max_delay`, with
//! full jitter (a uniform draw in `[0, ceiling]`, AWS "Exponential Backoff And Jitter"), and the
//! server's `Retry-After` as a floor. The RNG is passed in so tests use a seeded one.

use std::time::Duration;

use rand::Rng;

use crate::config::RetryConfig;

/// The jitter envelope of retry `retry` (0 for the first retry): `min(max_delay, base·2^retry)`.
pub fn ceiling(config: &RetryConfig, retry: u32) -> Duration {
    let factor = 2u32.saturating_pow(retry.min(31));
    config
        .base_delay
        .saturating_mul(factor)
        .min(config.max_delay)
}

/// The delay before retry `retry`: a full-jitter draw in whole milliseconds (the timer's
/// resolution), raised to `retry_after` if that is larger.
pub fn delay(
    config: &RetryConfig,
    retry: u32,
    retry_after: Option<Duration>,
    rng: &mut impl Rng,
) -> Duration {
    let top = u64::try_from(ceiling(config, retry).as_millis()).unwrap_or(u64::MAX);
    let jittered = Duration::from_millis(rng.random_range(0..=top));
    match retry_after {
        Some(floor) => jittered.max(floor),
        None => jittered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn ceilings_double_from_one_second_and_stop_at_the_cap() {
        let config = RetryConfig::default();
        let secs: Vec<u64> = (0..8).map(|n| ceiling(&config, n).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(ceiling(&config, 200), Duration::from_secs(30));
    }

    #[test]
    fn delays_stay_inside_the_envelope_and_spread_out() {
        let config = RetryConfig::default();
        let mut rng = StdRng::seed_from_u64(7);
        for retry in 0..10 {
            let draws: Vec<Duration> = (0..200)
                .map(|_| delay(&config, retry, None, &mut rng))
                .collect();
            let top = ceiling(&config, retry);
            assert!(draws.iter().all(|d| *d <= top));
            // Full jitter: draws cover the low and the high part of the envelope.
            assert!(draws.iter().any(|d| *d < top / 4), "retry {retry}");
            assert!(draws.iter().any(|d| *d > top * 3 / 4), "retry {retry}");
        }
    }

    #[test]
    fn retry_after_is_a_floor_not_a_ceiling() {
        let config = RetryConfig::default();
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..100 {
            assert!(
                delay(&config, 0, Some(Duration::from_secs(5)), &mut rng) >= Duration::from_secs(5)
            );
            // A long Retry-After wins over the 30 s cap (the deadline is what bounds it).
            assert_eq!(
                delay(&config, 2, Some(Duration::from_secs(45)), &mut rng),
                Duration::from_secs(45)
            );
        }
    }
}
