//! Every API fault kind, observed by a client: 5xx, 429 with and without Retry-After, latency,
//! dropped connections, rate limits, `times`, and determinism under a seed.

use std::cell::Cell;
use std::time::{Duration, Instant};

use mux_emulator::{ApiFaultAction, ApiFaultRule, FaultConfig};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::{config, eventually, header, TestEmu};

async fn add_rule(emu: &TestEmu, rule: Value) {
    let r = emu
        .client
        .post(emu.url("/_emulator/faults/api"))
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{rule}");
}

#[tokio::test]
async fn error_statuses_through_the_control_api() {
    let emu = TestEmu::spawn().await;
    for status in [500u16, 502, 503] {
        add_rule(&emu, json!({"method": "GET", "path": "/video/v1/assets", "kind": "error", "status": status, "times": 1})).await;
        let (got, body) = emu.get_json("/video/v1/assets").await;
        assert_eq!(got.as_u16(), status);
        assert!(
            body["error"]["messages"].is_array(),
            "Mux error envelope: {body}"
        );
        let (after, _) = emu.get_json("/video/v1/assets").await;
        assert_eq!(after, StatusCode::OK, "times: 1 means once");
    }
    let (other, _) = emu.get_json("/video/v1/uploads").await;
    assert_eq!(other, StatusCode::OK, "other endpoints unaffected");
}

#[tokio::test]
async fn too_many_requests_with_and_without_retry_after() {
    let emu = TestEmu::spawn().await;
    add_rule(&emu, json!({"method": "POST", "path": "/video/v1/uploads", "kind": "error", "status": 429, "times": 1})).await;
    add_rule(&emu, json!({"path": "/video/v1/uploads", "kind": "error", "status": 429, "retry_after_s": 7, "times": 1})).await;

    let plain = emu
        .api(Method::POST, "/video/v1/uploads")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&plain, "retry-after"), None);
    assert_eq!(
        plain.json::<Value>().await.unwrap(),
        json!({"errors": ["Too many requests, retry later."]})
    );

    let (status, _) = emu.get_json("/video/v1/uploads").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let again = emu
        .api(Method::GET, "/video/v1/uploads")
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK, "each rule fired once");

    emu.handle.set_faults(FaultConfig {
        api: vec![ApiFaultRule {
            method: None,
            path: "**".into(),
            rate: 1.0,
            times: Some(1),
            action: ApiFaultAction::Error {
                status: 429,
                retry_after_s: Some(3),
            },
        }],
        ..Default::default()
    });
    let with = emu
        .api(Method::GET, "/video/v1/assets")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&with, "retry-after").as_deref(), Some("3"));
}

#[tokio::test]
async fn added_latency() {
    let emu = TestEmu::spawn().await;
    add_rule(
        &emu,
        json!({"path": "/video/v1/assets", "kind": "latency", "ms": 300}),
    )
    .await;
    let started = Instant::now();
    let (status, _) = emu.get_json("/video/v1/assets").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "the answer waited for the added latency"
    );
}

#[tokio::test]
async fn dropped_connections_get_no_response() {
    let emu = TestEmu::spawn().await;
    add_rule(
        &emu,
        json!({"method": "POST", "path": "/video/v1/uploads", "kind": "drop", "times": 1}),
    )
    .await;
    let dropped = emu
        .api(Method::POST, "/video/v1/uploads")
        .json(&json!({}))
        .send()
        .await;
    let err = dropped.expect_err("no response at all");
    assert!(!err.is_status() && !err.is_timeout(), "{err}");
    let log = emu.handle.request_log();
    assert_eq!(log.last().unwrap().status, None, "logged as dropped");
    let ok = emu
        .api(Method::POST, "/video/v1/uploads")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn mux_like_rate_limits_switch_on() {
    let emu = TestEmu::spawn().await;
    let post = || async {
        emu.api(Method::POST, "/video/v1/uploads")
            .json(&json!({}))
            .send()
            .await
            .unwrap()
    };
    let started = Instant::now();
    let r = emu
        .client
        .put(emu.url("/_emulator/rate-limits"))
        .json(&json!({"enabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // The burst: the bucket starts full, so the first five always pass, however slow they are.
    for n in 0..5 {
        assert_eq!(
            post().await.status(),
            StatusCode::CREATED,
            "POST {n} of the burst"
        );
    }
    // Then 429 until a token refills (1 per second): keep posting until one is refused.
    let created = Cell::new(5);
    let refused = eventually("a POST refused with 429", || async {
        let r = post().await;
        if r.status() == StatusCode::CREATED {
            created.set(created.get() + 1);
        }
        (r.status() == StatusCode::TOO_MANY_REQUESTS).then_some(r)
    })
    .await;
    assert_eq!(
        refused.json::<Value>().await.unwrap(),
        json!({"errors": ["Too many requests, retry later."]})
    );
    // No more got through than the burst plus one refill per second the test has run (a bound
    // that only grows on a slow machine, so load cannot break it).
    let (created, refills) = (created.get(), started.elapsed().as_secs_f64());
    assert!(
        f64::from(created) <= 5.0 + refills,
        "{created} POSTs passed in {refills:.2} s"
    );
    emu.handle.set_rate_limits(false);
    assert_eq!(post().await.status(), StatusCode::CREATED);
}

async fn statuses_for_seed(seed: u64) -> Vec<u16> {
    let mut cfg = config();
    cfg.seed = Some(seed);
    cfg.faults.api.push(ApiFaultRule {
        method: None,
        path: "/video/v1/assets".into(),
        rate: 0.5,
        times: None,
        action: ApiFaultAction::Error {
            status: 503,
            retry_after_s: None,
        },
    });
    let emu = TestEmu::with(cfg).await;
    let mut out = Vec::new();
    for _ in 0..30 {
        out.push(emu.get_json("/video/v1/assets").await.0.as_u16());
    }
    out
}

#[tokio::test]
async fn faults_are_deterministic_for_a_seed() {
    let a = statuses_for_seed(11).await;
    assert_eq!(a, statuses_for_seed(11).await);
    assert!(a.contains(&503) && a.contains(&200), "{a:?}");
    assert_ne!(a, statuses_for_seed(12).await);
}
