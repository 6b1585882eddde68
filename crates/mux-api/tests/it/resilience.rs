//! The resilience layer against real HTTP faults (docs/resilience.md §6 invariants, proven
//! with the emulator's request log rather than with timing).

use std::time::Duration;

use axum::http::StatusCode;
use mux_api::{BreakerState, ErrorKind, ListAssetsParams, MuxClient, MuxError};
use mux_emulator::{ApiFaultAction, EmulatorConfig};
use tokio::time::Instant;

use crate::harness::{fast_config, TestMux, OPEN_FOR};

const ASSETS: &str = "/video/v1/assets";

fn list() -> ListAssetsParams {
    ListAssetsParams::default()
}

#[tokio::test]
async fn a_5xx_storm_opens_the_breaker_nothing_reaches_mux_while_open_and_recovery_closes_it() {
    let mux = TestMux::start().await;
    let mut events = mux.client.subscribe_breaker_events();
    mux.fail("GET", ASSETS, 503, None, None);

    // 1 + 3 retries, then one more attempt: the 5th consecutive failure opens the breaker.
    let first = mux.client.list_assets(&list()).await.unwrap_err();
    assert_eq!(first.kind(), ErrorKind::Transient);
    let second = mux.client.list_assets(&list()).await.unwrap_err();
    assert!(matches!(second, MuxError::BreakerOpen { .. }), "{second:?}");
    assert_eq!(mux.hits(ASSETS), vec![Some(503); 5]);
    assert_eq!(mux.client.breaker_state(), BreakerState::Open);

    // While open: every call is rejected locally; the emulator sees nothing.
    for _ in 0..20 {
        let rejected = mux.client.list_assets(&list()).await.unwrap_err();
        assert_eq!(rejected.kind(), ErrorKind::BreakerOpen);
        assert!(rejected.retry_after().unwrap() <= OPEN_FOR);
    }
    assert_eq!(
        mux.hits(ASSETS).len(),
        5,
        "no request reached Mux while the breaker was open"
    );

    // Mux recovers; after the open window three probes close the breaker.
    mux.emulator.clear_faults();
    tokio::time::sleep(OPEN_FOR).await;
    for _ in 0..3 {
        mux.client.list_assets(&list()).await.unwrap();
    }
    assert_eq!(mux.client.breaker_state(), BreakerState::Closed);
    assert_eq!(mux.hits(ASSETS).len(), 8);

    let mut seen = Vec::new();
    while let Ok(event) = events.try_recv() {
        seen.push((event.from, event.to));
    }
    use BreakerState::*;
    assert_eq!(seen, [(Closed, Open), (Open, HalfOpen), (HalfOpen, Closed)]);
    let snapshot = mux.client.resilience_snapshot();
    assert_eq!(snapshot.totals.breaker_rejections, 21);
    assert!(snapshot.system_health);
}

#[tokio::test]
async fn a_failing_probe_reopens_for_a_fresh_window() {
    let mux = TestMux::start().await;
    mux.fail("GET", ASSETS, 500, None, None);
    let _ = mux.client.list_assets(&list()).await;
    let _ = mux.client.list_assets(&list()).await;
    assert_eq!(mux.client.breaker_state(), BreakerState::Open);
    tokio::time::sleep(OPEN_FOR).await;
    let probe = mux.client.list_assets(&list()).await.unwrap_err();
    assert!(
        matches!(probe, MuxError::BreakerOpen { .. }),
        "the probe failed and re-opened it: {probe:?}"
    );
    assert_eq!(mux.hits(ASSETS).len(), 6, "exactly one probe went out");
    let snapshot = mux.client.resilience_snapshot().circuit_breaker;
    assert_eq!(snapshot.state, BreakerState::Open);
    assert!(
        snapshot.retry_after_ms.unwrap() > (OPEN_FOR.as_millis() as u64) / 2,
        "fresh window"
    );
}

#[tokio::test]
async fn a_429_with_retry_after_is_honoured_and_does_not_trip_the_breaker() {
    let mux = TestMux::start().await;
    mux.fail("GET", ASSETS, 429, Some(1), Some(1));
    let started = Instant::now();
    mux.client.list_assets(&list()).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited at least Retry-After"
    );
    assert_eq!(mux.hits(ASSETS), [Some(429), Some(200)]);
    let log = mux.emulator.request_log();
    assert!(log[1].at_ms - log[0].at_ms >= 1000, "{log:?}");

    // 429s are rate limiting, not failure: many of them never open the breaker.
    mux.fail("GET", ASSETS, 429, None, None);
    for _ in 0..3 {
        assert_eq!(
            mux.client.list_assets(&list()).await.unwrap_err().kind(),
            ErrorKind::RateLimited
        );
    }
    assert_eq!(mux.client.breaker_state(), BreakerState::Closed);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let date = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
    let fake = crate::fake::start(vec![
        (
            StatusCode::TOO_MANY_REQUESTS,
            vec![("retry-after", date)],
            r#"{"errors":["Too many requests, retry later."]}"#,
        ),
        (StatusCode::OK, vec![], r#"{"data":[],"next_cursor":null}"#),
    ])
    .await;
    let client = MuxClient::new(fast_config(&fake.base_url)).unwrap();
    client.list_assets(&list()).await.unwrap();
    let seen = fake.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    // The date has one-second resolution: the wait is between 1 and 2 s.
    assert!(
        seen[1] - seen[0] >= Duration::from_secs(1),
        "{:?}",
        seen[1] - seen[0]
    );
}

#[tokio::test]
async fn a_retry_after_longer_than_the_deadline_fails_at_once() {
    let mux = TestMux::start().await;
    mux.fail("GET", ASSETS, 429, Some(30), None);
    let started = Instant::now();
    let err = mux
        .client
        .with_timeout(Duration::from_secs(2))
        .list_assets(&list())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        MuxError::RateLimited {
            retry_after: Some(Duration::from_secs(30))
        }
    );
    assert!(started.elapsed() < Duration::from_millis(500));
    assert_eq!(mux.hits(ASSETS).len(), 1);
}

#[tokio::test]
async fn a_slow_emulator_hits_the_request_timeout() {
    let mux = TestMux::start_with(EmulatorConfig::default(), |c| c.retry.max_retries = 0).await;
    mux.fault("GET", ASSETS, ApiFaultAction::Latency { ms: 3_000 }, None);
    let started = Instant::now();
    let err = mux.client.list_assets(&list()).await.unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(err, MuxError::Timeout);
    assert!(
        elapsed >= Duration::from_millis(500) && elapsed < Duration::from_millis(1500),
        "{elapsed:?}"
    );
    assert_eq!(
        mux.client
            .resilience_snapshot()
            .circuit_breaker
            .failure_count,
        1,
        "a timeout is a counted failure"
    );
}

#[tokio::test]
async fn a_dropped_connection_is_retried() {
    let mux = TestMux::start().await;
    mux.fault("GET", ASSETS, ApiFaultAction::Drop, Some(1));
    mux.client.list_assets(&list()).await.unwrap();
    assert_eq!(mux.hits(ASSETS), [None, Some(200)]);
}

#[tokio::test]
async fn retries_in_a_minute_never_exceed_the_budget() {
    let mux = TestMux::start_with(EmulatorConfig::default(), |c| {
        c.breaker.failure_threshold = 1_000
    })
    .await;
    mux.fail("GET", ASSETS, 502, None, None);
    let mut exhausted = 0;
    for _ in 0..8 {
        let err = mux.client.list_assets(&list()).await.unwrap_err();
        if let MuxError::BudgetExhausted { last } = &err {
            assert_eq!(last.status(), Some(502));
            exhausted += 1;
        }
    }
    // 8 first attempts are free; retries stop at the floor of 10, plus one once 5 first
    // attempts have deposited 20 % each (call 5).
    assert_eq!(mux.hits(ASSETS).len(), 8 + 11);
    assert_eq!(exhausted, 5, "calls 4..8 each hit the spent budget");
    let budget = mux.client.resilience_snapshot().retry_budget;
    assert_eq!(
        (
            budget.retry_count,
            budget.remaining_budget,
            budget.budget_limit
        ),
        (11, 0, 10)
    );
}

#[tokio::test]
async fn pacing_keeps_a_burst_of_posts_under_the_emulators_rate_limit() {
    let emulator = EmulatorConfig {
        rate_limits: true,
        ..EmulatorConfig::default()
    };
    let mux = TestMux::start_with(emulator, |c| c.rate_limit.enabled = true).await;
    let request = mux_api::CreateUploadRequest {
        cors_origin: Some("*".into()),
        ..Default::default()
    };
    let started = Instant::now();
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let (client, request) = (mux.client.clone(), request.clone());
        calls.spawn(async move { client.create_upload(&request).await });
    }
    while let Some(result) = calls.join_next().await {
        result.unwrap().unwrap();
    }
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "3 burst + 3 paced at 1/s"
    );
    let statuses = mux.hits("/video/v1/uploads");
    assert_eq!(statuses, vec![Some(201); 6], "no 429 from the emulator");

    // A caller whose slot would come after its deadline is refused at once.
    let err = mux
        .client
        .with_timeout(Duration::from_millis(200))
        .create_upload(&request)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Throttled, "{err:?}");
}
