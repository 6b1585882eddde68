//! What stops retries besides the retry count: the budget (10 per rolling minute + 20 % of the
//! minute's first attempts, which are never charged), an open breaker, and local pacing
//! (docs/resilience.md §7). The budget's scaling is in `retry_budget_tests.rs`.

use std::time::Duration;

use tokio::time::Instant;

use super::super::retry_support::*;
use super::CallSpec;
use crate::config::RateLimitConfig;
use crate::error::{ErrorKind, MuxError};
use crate::resilience::{BreakerState, RateClass};

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
        (0, 16, 10),
        "30 first attempts add 20 % × 30 = 6 retries to the floor of 10"
    );
    // The guide's healthy example: 15 successes (the 404s say nothing about health).
    let json = serde_json::to_value(layer.snapshot()).unwrap();
    assert_eq!(
        json["circuitBreaker"],
        serde_json::json!({"state": "CLOSED", "failureCount": 0, "successCount": 15, "halfOpenInFlight": 0, "transitions": 0})
    );
    assert_eq!(json["systemHealth"], true);
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
    assert_eq!(snapshot.circuit_breaker.transitions, 1);

    // The health JSON: the guide's names, camelCase, state spelled as in the guide.
    let json = serde_json::to_value(&snapshot).unwrap();
    assert_eq!(json["systemHealth"], false);
    assert_eq!(json["circuitBreaker"]["state"], "OPEN");
    assert_eq!(json["circuitBreaker"]["retryAfterMs"], 30_000);
    assert!(json["circuitBreaker"]["openedAt"].is_u64());
    assert_eq!(json["circuitBreaker"]["lastTransition"]["from"], "CLOSED");
    assert_eq!(json["circuitBreaker"]["lastTransition"]["to"], "OPEN");
    assert_eq!(json["retryBudget"]["retryCount"], 3);
    assert_eq!(json["retryBudget"]["budgetLimit"], 10);
    assert_eq!(json["retryBudget"]["remainingBudget"], 7);
    assert_eq!(json["totals"]["breakerRejections"], 2);
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
