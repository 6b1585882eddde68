//! The retry budget through the retry loop, on a paused clock (docs/contract.md §5): retries may use
//! 20 % of the first attempts of the last minute on top of a floor of 10, so a 10-15 % error
//! rate is absorbed while a storm stays capped. The budget's own rules are in `budget.rs`.

use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::super::retry_support::*;
use crate::config::ClientConfig;
use crate::error::MuxError;
use crate::resilience::Resilience;

const MINUTE: Duration = Duration::from_secs(60);

/// Design defaults with the breaker out of the way: these tests are about the budget only.
fn budget_only() -> Arc<Resilience> {
    let mut config: ClientConfig = config();
    config.breaker.failure_threshold = u32::MAX;
    Arc::new(layer(&config))
}

/// Starts call `i` at `start + i × gap`, each on its own task, scripted by `outcomes(i)`; when
/// all are done, returns each call's result and the start times of its attempts, in call order.
async fn spread_calls(
    layer: &Arc<Resilience>,
    calls: u32,
    gap: Duration,
    mut outcomes: impl FnMut(u32) -> Vec<Result<u32, MuxError>>,
) -> Vec<(Result<u32, MuxError>, Vec<Instant>)> {
    let start = Instant::now();
    let mut tasks = JoinSet::new();
    for i in 0..calls {
        let (layer, outcomes) = (Arc::clone(layer), outcomes(i));
        tasks.spawn(async move {
            tokio::time::sleep_until(start + gap * i).await;
            let script = Script::new(outcomes);
            let result = layer.run(get(None), |limit| script.attempt(limit)).await;
            let started = std::mem::take(&mut *script.started.lock().unwrap());
            (i, result, started)
        });
    }
    let mut done = tasks.join_all().await;
    done.sort_by_key(|(i, ..)| *i);
    done.into_iter().map(|(_, r, s)| (r, s)).collect()
}

#[tokio::test(start_paused = true)]
async fn a_15_percent_error_rate_over_a_busy_minute_is_absorbed() {
    let layer = budget_only();
    let mut rng = StdRng::seed_from_u64(SEED);
    // 1,000 calls over a minute; 3 first attempts in every 20 fail (15 %), and each retry fails
    // again with 15 % odds, up to the 3 retries a call may make.
    let calls = spread_calls(&layer, 1_000, Duration::from_millis(60), |i| {
        let mut failures = 0;
        if i % 20 < 3 {
            failures = 1;
            while failures < 3 && rng.random_bool(0.15) {
                failures += 1;
            }
        }
        let mut outcomes = vec![Err(server_error()); failures];
        outcomes.push(Ok(i));
        outcomes
    })
    .await;
    assert!(calls.iter().all(|(result, _)| result.is_ok()));
    let totals = layer.snapshot().totals;
    assert_eq!(totals.budget_exhausted, 0, "no retry was refused");
    assert!(
        totals.retries > 150,
        "every failed first attempt was retried, some twice: {}",
        totals.retries
    );
}

#[tokio::test(start_paused = true)]
async fn a_storm_is_capped_at_the_floor_plus_20_percent_of_first_attempts() {
    let layer = budget_only();
    // 3 minutes of 1,000 calls a minute where every attempt fails.
    let calls = spread_calls(&layer, 3_000, Duration::from_millis(60), |_| {
        vec![Err(server_error())]
    })
    .await;
    // The script answers at once, so a retry is granted at the start of the attempt it follows:
    // grants are every attempt of a call but its last; deposits are the first attempts.
    let mut firsts: Vec<Instant> = calls.iter().map(|(_, started)| started[0]).collect();
    firsts.sort();
    let mut grants: Vec<Instant> = calls
        .iter()
        .flat_map(|(_, started)| started[..started.len() - 1].iter().copied())
        .collect();
    grants.sort();
    let in_minute_to = |sorted: &[Instant], end: Instant| {
        let to_end = sorted.partition_point(|t| *t <= end);
        to_end - sorted.partition_point(|t| end.saturating_duration_since(*t) >= MINUTE)
    };
    let mut busiest = 0;
    for &end in &grants {
        let retries = in_minute_to(&grants, end);
        let cap = 10 + in_minute_to(&firsts, end) / 5 + 1;
        assert!(
            retries <= cap,
            "{retries} retries in the minute to {end:?}, cap {cap}"
        );
        busiest = busiest.max(retries);
    }
    // The budget scales: a busy minute gets far more than the floor, close to its cap of 210.
    assert!(busiest >= 200, "busiest minute had {busiest} retries");
    let exhausted = calls
        .iter()
        .filter(|(result, _)| matches!(result, Err(MuxError::BudgetExhausted { .. })))
        .count();
    assert_eq!(layer.snapshot().totals.budget_exhausted as usize, exhausted);
    assert!(
        exhausted > 2_000,
        "most calls found the budget spent: {exhausted}"
    );
    for (result, started) in &calls {
        if let Err(MuxError::BudgetExhausted { last }) = result {
            assert_eq!(**last, server_error(), "the last error, kept");
            assert!(started.len() <= 4);
        }
    }
}

#[tokio::test(start_paused = true)]
async fn deposits_of_first_attempts_expire_after_the_window() {
    let layer = budget_only();
    let start = Instant::now();
    for i in 0..100 {
        let script = Script::new([Ok(i)]);
        assert_eq!(layer.run(get(None), |l| script.attempt(l)).await, Ok(i));
    }
    assert_eq!(Instant::now(), start);
    let remaining = || layer.snapshot().retry_budget.remaining_budget;
    assert_eq!(
        remaining(),
        10 + 20,
        "the floor + 20 % of 100 first attempts"
    );
    tokio::time::sleep_until(start + MINUTE - Duration::from_millis(1)).await;
    assert_eq!(remaining(), 30);
    tokio::time::sleep_until(start + MINUTE).await;
    assert_eq!(remaining(), 10, "only the floor is left");
}
