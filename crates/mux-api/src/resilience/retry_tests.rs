//! The retry loop on a paused clock with a seeded RNG: attempt counts, delays, Retry-After,
//! budget, breaker and deadline (research/resilience.md §7).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::SeedableRng;
use tokio::time::Instant;

use super::*;
use crate::config::{ClientConfig, RateLimitConfig};
use crate::error::{ErrorKind, MuxError};
use crate::resilience::{BreakerState, RateClass, Resilience};

const SEED: u64 = 42;

fn config() -> ClientConfig {
    let mut config = ClientConfig::new("id", "secret");
    config.rate_limit.enabled = false;
    config.default_deadline = Duration::from_secs(60);
    config
}

fn layer(config: &ClientConfig) -> Resilience {
    Resilience::new(config, StdRng::seed_from_u64(SEED), None)
}

fn server_error() -> MuxError {
    MuxError::Server {
        status: 503,
        retry_after: None,
    }
}

fn get(deadline: Option<Instant>) -> CallSpec {
    CallSpec {
        operation: "get_asset",
        class: RateClass::Other,
        deadline,
    }
}

/// Scripted attempts: pops one outcome per attempt (the last one repeats) and notes when each
/// attempt started and the time limit it was given. A `hanging` script never answers and, like
/// the HTTP transport, gives up with `Timeout` when its limit runs out.
struct Script {
    outcomes: Mutex<VecDeque<Result<u32, MuxError>>>,
    started: Mutex<Vec<Instant>>,
    limits: Mutex<Vec<Duration>>,
    hang: bool,
}

impl Script {
    fn new(outcomes: impl IntoIterator<Item = Result<u32, MuxError>>) -> Self {
        Self {
            outcomes: Mutex::new(outcomes.into_iter().collect()),
            started: Mutex::default(),
            limits: Mutex::default(),
            hang: false,
        }
    }

    fn hanging() -> Self {
        Self {
            hang: true,
            ..Self::new([Ok(0)])
        }
    }

    async fn attempt(&self, limit: Duration) -> Result<u32, MuxError> {
        self.started.lock().unwrap().push(Instant::now());
        self.limits.lock().unwrap().push(limit);
        if self.hang {
            tokio::time::sleep(limit).await;
            return Err(MuxError::Timeout);
        }
        let mut outcomes = self.outcomes.lock().unwrap();
        if outcomes.len() > 1 {
            outcomes.pop_front().unwrap()
        } else {
            outcomes.front().cloned().unwrap()
        }
    }

    fn attempts(&self) -> usize {
        self.started.lock().unwrap().len()
    }

    fn gaps(&self) -> Vec<Duration> {
        let started = self.started.lock().unwrap();
        started.windows(2).map(|w| w[1] - w[0]).collect()
    }
}

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
async fn the_eleventh_retry_in_a_minute_is_refused_and_the_budget_refills_after_60s() {
    let mut config = config();
    config.breaker.failure_threshold = 1000; // this test is about the budget only
    let layer = layer(&config);
    let start = Instant::now();
    for _ in 0..3 {
        let script = Script::new([Err(server_error())]);
        let _ = layer.run(get(None), |limit| script.attempt(limit)).await;
        assert_eq!(script.attempts(), 4);
    }
    assert_eq!(layer.snapshot().retry_budget.remaining_budget, 1);
    let script = Script::new([Err(server_error())]);
    let result = layer.run(get(None), |limit| script.attempt(limit)).await;
    assert_eq!(
        result,
        Err(MuxError::BudgetExhausted {
            last: Box::new(server_error())
        })
    );
    assert_eq!(result.unwrap_err().kind(), ErrorKind::BudgetExhausted);
    assert_eq!(
        script.attempts(),
        2,
        "the 10th retry went out, the 11th was refused"
    );
    let refused_at = *script.started.lock().unwrap().last().unwrap();
    assert_eq!(
        Instant::now(),
        refused_at,
        "refusal returns at once, no sleep"
    );
    assert!(Instant::now() - start < Duration::from_secs(60));

    // First attempts still go out while the budget is spent.
    let script = Script::new([Ok(5)]);
    assert_eq!(
        layer.run(get(None), |limit| script.attempt(limit)).await,
        Ok(5)
    );

    tokio::time::sleep_until(start + Duration::from_secs(90)).await;
    assert_eq!(layer.snapshot().retry_budget.remaining_budget, 10);
    let script = Script::new([Err(server_error()), Ok(2)]);
    assert_eq!(
        layer.run(get(None), |limit| script.attempt(limit)).await,
        Ok(2)
    );
    assert_eq!(layer.snapshot().totals.budget_exhausted, 1);
}

#[tokio::test(start_paused = true)]
async fn first_attempts_never_consume_budget() {
    let layer = layer(&config());
    for i in 0..30 {
        let outcome = if i % 2 == 0 {
            Ok(1)
        } else {
            Err(MuxError::Permanent {
                status: 404,
                error_type: None,
                messages: vec![],
            })
        };
        let script = Script::new([outcome]);
        let _ = layer.run(get(None), |limit| script.attempt(limit)).await;
    }
    let budget = layer.snapshot().retry_budget;
    assert_eq!(
        (
            budget.retry_count,
            budget.remaining_budget,
            budget.budget_limit
        ),
        (0, 10, 10)
    );
}

#[tokio::test(start_paused = true)]
async fn an_open_breaker_stops_retrying_and_then_rejects_without_calling() {
    let layer = layer(&config());
    let first = Script::new([Err(server_error())]);
    let _ = layer.run(get(None), |limit| first.attempt(limit)).await;
    assert_eq!(first.attempts(), 4, "4 counted failures, still closed");

    let second = Script::new([Err(server_error())]);
    let result = layer.run(get(None), |limit| second.attempt(limit)).await;
    assert_eq!(
        second.attempts(),
        1,
        "the 5th failure opened it; no retry into an open breaker"
    );
    assert_eq!(
        result,
        Err(MuxError::BreakerOpen {
            retry_after: Duration::from_secs(30)
        })
    );

    let third = Script::new([Ok(1)]);
    let result = layer.run(get(None), |limit| third.attempt(limit)).await;
    assert!(matches!(result, Err(MuxError::BreakerOpen { .. })));
    assert_eq!(third.attempts(), 0, "nothing sent while open");
    let snapshot = layer.snapshot();
    assert_eq!(snapshot.circuit_breaker.state, BreakerState::Open);
    assert_eq!(snapshot.totals.breaker_rejections, 2);
    assert_eq!(snapshot.retry_budget.retry_count, 3);
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

#[tokio::test(start_paused = true)]
async fn pacing_spaces_calls_and_refuses_slots_past_the_deadline() {
    let mut config = config();
    config.rate_limit = RateLimitConfig {
        post_burst: 1,
        other_burst: 1,
        ..RateLimitConfig::default()
    };
    let layer = layer(&config);
    let script = Script::new([Ok(1)]);
    for _ in 0..3 {
        assert_eq!(
            layer.run(get(None), |limit| script.attempt(limit)).await,
            Ok(1)
        );
    }
    assert_eq!(
        script.gaps(),
        [Duration::from_millis(200); 2],
        "5 GETs per second"
    );

    let post = |deadline| CallSpec {
        operation: "create_upload",
        class: RateClass::Post,
        deadline,
    };
    assert_eq!(
        layer.run(post(None), |limit| script.attempt(limit)).await,
        Ok(1)
    );
    let soon = Instant::now() + Duration::from_millis(500);
    let refused = layer
        .run(post(Some(soon)), |limit| script.attempt(limit))
        .await;
    assert_eq!(
        refused,
        Err(MuxError::Throttled {
            wait: Duration::from_secs(1)
        })
    );
    assert_eq!(script.attempts(), 4);
    assert_eq!(layer.snapshot().totals.throttled, 1);
}
