//! The shared breaker on tokio's paused clock: RAII permits, cancellation, events, alert hook.

use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::SeedableRng;
use tokio::sync::broadcast::error::TryRecvError;

use super::*;
use crate::config::ClientConfig;
use crate::error::BreakerOutcome::{Failure, Success};
use crate::error::MuxError;
use crate::resilience::{CallSpec, RateClass, Resilience};

const OPEN: Duration = Duration::from_secs(30);

fn open(circuit: &CircuitBreaker) {
    for _ in 0..5 {
        circuit.acquire().expect("closed").record(Failure);
    }
}

#[tokio::test(start_paused = true)]
async fn a_dropped_permit_frees_its_half_open_slot_without_recording() {
    let circuit = CircuitBreaker::new(BreakerConfig::default(), None);
    open(&circuit);
    tokio::time::advance(OPEN - Duration::from_millis(1)).await;
    assert_eq!(
        circuit.acquire().err(),
        Some(Duration::from_millis(1)),
        "29.999 s: still open"
    );
    tokio::time::advance(Duration::from_millis(1)).await;
    let first = circuit.acquire().expect("30 s: first probe");
    let second = circuit.acquire().expect("second probe");
    assert!(
        circuit.acquire().is_err(),
        "third concurrent probe is rejected"
    );
    drop(first);
    assert_eq!(circuit.view().half_open_in_flight, 1);
    assert_eq!(
        circuit.view().success_count,
        0,
        "a dropped probe records nothing"
    );
    let third = circuit
        .acquire()
        .expect("the dropped probe's slot is free again");
    second.record(Success);
    third.record(Success);
    circuit.acquire().unwrap().record(Success);
    assert_eq!(circuit.view().state, BreakerState::Closed);
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_call_through_the_layer_frees_its_probe_slot() {
    let mut config = ClientConfig::new("id", "secret");
    config.rate_limit.enabled = false;
    let layer = Arc::new(Resilience::new(&config, StdRng::seed_from_u64(1), None));
    open(layer.breaker());
    tokio::time::advance(OPEN).await;
    let spec = CallSpec {
        operation: "get_asset",
        class: RateClass::Other,
        deadline: None,
    };
    let hang = |_| async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        Ok::<u32, MuxError>(1)
    };
    // Two probes start and are cancelled by their callers after 1 s.
    for _ in 0..2 {
        let cancelled = tokio::time::timeout(Duration::from_secs(1), layer.run(spec, hang)).await;
        assert!(cancelled.is_err());
    }
    assert_eq!(layer.breaker().view().half_open_in_flight, 0);
    assert_eq!(layer.breaker().view().state, BreakerState::HalfOpen);
    for _ in 0..3 {
        assert_eq!(
            layer.run(spec, |_| async { Ok::<u32, MuxError>(2) }).await,
            Ok(2)
        );
    }
    assert_eq!(layer.breaker().view().state, BreakerState::Closed);
}

#[tokio::test(start_paused = true)]
async fn subscribers_get_each_real_transition_once() {
    let circuit = CircuitBreaker::new(BreakerConfig::default(), None);
    let mut events = circuit.subscribe();
    open(&circuit);
    for _ in 0..3 {
        assert!(circuit.acquire().is_err());
    }
    tokio::time::advance(OPEN).await;
    circuit.acquire().unwrap().record(Failure); // probe 1 fails: re-open
    tokio::time::advance(OPEN).await;
    for _ in 0..3 {
        circuit.acquire().unwrap().record(Success);
    }
    for _ in 0..4 {
        circuit.acquire().unwrap().record(Success); // closed stays closed: no events
    }
    use BreakerState::*;
    let mut seen = Vec::new();
    loop {
        match events.try_recv() {
            Ok(event) => seen.push((event.from, event.to, event.retry_after_ms)),
            Err(TryRecvError::Empty) => break,
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(
        seen,
        [
            (Closed, Open, Some(30_000)),
            (Open, HalfOpen, None),
            (HalfOpen, Open, Some(30_000)),
            (Open, HalfOpen, None),
            (HalfOpen, Closed, None),
        ]
    );
}

#[tokio::test]
async fn the_alert_hook_posts_slack_text_on_transitions() {
    use axum::{routing::post, Json, Router};
    let (sent, mut received) = tokio::sync::mpsc::unbounded_channel::<serde_json::Value>();
    let app = Router::new().route(
        "/hook",
        post(move |Json(body): Json<serde_json::Value>| {
            let sent = sent.clone();
            async move {
                let _ = sent.send(body);
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let hook = AlertHook::new(secrecy::SecretString::from(url), reqwest::Client::new());
    let circuit = CircuitBreaker::new(BreakerConfig::default(), Some(hook));
    open(&circuit);
    let body = tokio::time::timeout(Duration::from_secs(5), received.recv())
        .await
        .unwrap()
        .unwrap();
    let text = body["text"].as_str().unwrap();
    assert!(text.contains("CLOSED → OPEN"), "{text}");
    assert!(text.contains("30 s"), "{text}");
    assert_eq!(
        body.as_object().unwrap().len(),
        1,
        "Slack-compatible: just text"
    );
}
