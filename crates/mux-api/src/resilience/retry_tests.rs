//! The retry loop on a paused clock with a seeded RNG: attempt counts, full-jitter delays, the
//! cap, Retry-After, permanent errors, timeouts and the deadline (docs/resilience.md §7).

use std::time::Duration;

use rand::rngs::StdRng;
use rand::SeedableRng;
use tokio::time::Instant;

use super::super::backoff;
use super::super::retry_support::*;
use crate::error::MuxError;
use crate::resilience::Resilience;

#[tokio::test(start_paused = true)]
async fn exactly_three_retries_with_full_jitter_delays_from_the_seeded_rng() {
    let config = config();
    let layer = layer(&config);
    let script = Script::new([Err(server_error())]);
    let result = layer.run(get(None), |limit| script.attempt(limit)).await;
    assert_eq!(result, Err(server_error()), "the last error comes back");
    assert_eq!(script.attempts(), 4, "1 attempt + 3 retries");

    let mut rng = StdRng::seed_from_u64(SEED);
    let expected: Vec<Duration> = (0..3)
        .map(|n| backoff::delay(&config.retry, n, None, &mut rng))
        .collect();
    assert_eq!(script.gaps(), expected, "delays are the seeded draws");
    for (n, gap) in script.gaps().iter().enumerate() {
        assert!(
            *gap <= backoff::ceiling(&config.retry, n as u32),
            "retry {n}: {gap:?}"
        );
    }
    assert_eq!(layer.snapshot().retry_budget.retry_count, 3);
}

#[tokio::test(start_paused = true)]
async fn the_cap_bounds_every_delay() {
    let mut config = config();
    config.retry.base_delay = Duration::from_secs(10);
    config.retry.max_delay = Duration::from_secs(12);
    config.default_deadline = Duration::from_secs(600);
    for seed in 0..20 {
        let layer = Resilience::new(&config, StdRng::seed_from_u64(seed), None);
        let script = Script::new([Err(MuxError::Timeout)]);
        let _ = layer.run(get(None), |limit| script.attempt(limit)).await;
        assert_eq!(script.attempts(), 4);
        assert!(
            script
                .gaps()
                .iter()
                .all(|gap| *gap <= Duration::from_secs(12)),
            "{:?}",
            script.gaps()
        );
    }
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_a_floor() {
    let layer = layer(&config());
    let limited = MuxError::RateLimited {
        retry_after: Some(Duration::from_secs(7)),
    };
    let script = Script::new([Err(limited.clone()), Err(limited), Ok(1)]);
    assert_eq!(
        layer.run(get(None), |limit| script.attempt(limit)).await,
        Ok(1)
    );
    assert!(
        script
            .gaps()
            .iter()
            .all(|gap| *gap >= Duration::from_secs(7)),
        "{:?}",
        script.gaps()
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_beyond_the_deadline_fails_now_instead_of_sleeping() {
    let layer = layer(&config());
    let limited = MuxError::RateLimited {
        retry_after: Some(Duration::from_secs(20)),
    };
    let script = Script::new([Err(limited.clone()), Ok(1)]);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(10);
    assert_eq!(
        layer
            .run(get(Some(deadline)), |limit| script.attempt(limit))
            .await,
        Err(limited)
    );
    assert_eq!(script.attempts(), 1);
    assert_eq!(Instant::now(), start, "no sleep at all");
    assert_eq!(
        layer.snapshot().retry_budget.retry_count,
        0,
        "no budget spent on a retry not made"
    );
}

#[tokio::test(start_paused = true)]
async fn permanent_errors_are_never_retried() {
    let layer = layer(&config());
    for status in [400, 401, 403, 404, 409, 422] {
        let error = MuxError::Permanent {
            status,
            error_type: None,
            messages: vec![],
        };
        let script = Script::new([Err(error.clone()), Ok(1)]);
        assert_eq!(
            layer.run(get(None), |limit| script.attempt(limit)).await,
            Err(error)
        );
        assert_eq!(script.attempts(), 1, "{status}");
    }
    assert_eq!(layer.snapshot().retry_budget.retry_count, 0);
}

#[tokio::test(start_paused = true)]
async fn a_hanging_attempt_times_out_and_counts_as_a_failure() {
    let mut config = config();
    config.request_timeout = Duration::from_secs(10);
    config.retry.max_retries = 0;
    let layer = layer(&config);
    let script = Script::hanging();
    let start = Instant::now();
    assert_eq!(
        layer.run(get(None), |limit| script.attempt(limit)).await,
        Err(MuxError::Timeout)
    );
    assert_eq!(
        *script.limits.lock().unwrap(),
        [Duration::from_secs(10)],
        "the request timeout"
    );
    assert_eq!(Instant::now() - start, Duration::from_secs(10));
    assert_eq!(layer.snapshot().circuit_breaker.failure_count, 1);
}

#[tokio::test(start_paused = true)]
async fn the_deadline_bounds_attempts_and_sleeps() {
    let config = config();
    let layer = layer(&config);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(3);
    let script = Script::hanging();
    assert_eq!(
        layer
            .run(get(Some(deadline)), |limit| script.attempt(limit))
            .await,
        Err(MuxError::Timeout)
    );
    assert_eq!(
        Instant::now(),
        deadline,
        "the attempt timeout shrank to the deadline"
    );
    assert_eq!(*script.limits.lock().unwrap(), [Duration::from_secs(3)]);
    assert_eq!(script.attempts(), 1);

    for seed in 0..20 {
        let layer = Resilience::new(&config, StdRng::seed_from_u64(seed), None);
        let start = Instant::now();
        let deadline = start + Duration::from_millis(2500);
        let script = Script::new([Err(server_error())]);
        let _ = layer
            .run(get(Some(deadline)), |limit| script.attempt(limit))
            .await;
        assert!(
            Instant::now() < deadline,
            "seed {seed}: never slept past the deadline"
        );
        assert!(script.attempts() <= 4);
    }
}
