//! Webhook delivery faults and retries, observed by an in-test receiver: retries with `attempts`
//! filled, the retry window, duplicates, drops, reordering, delay and wrong signatures.
//!
//! "Nothing arrived" is proven after the emulator's delivery log shows the dispatcher has
//! handled the event, never after a fixed sleep.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use mux_emulator::{Delivery, FaultConfig, Outcome, WebhookFaults};
use serde_json::Value;

use crate::harness::{eventually, TestEmu};
use crate::receiver::{verify, Receiver};
use crate::webhooks::{emu_with, SECRET};

/// Waits until the first delivery in the emulator's log satisfies `done`, and returns it.
async fn first_delivery(emu: &TestEmu, what: &str, done: impl Fn(&Delivery) -> bool) -> Delivery {
    eventually(what, || async {
        emu.handle.deliveries().into_iter().next().filter(&done)
    })
    .await
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_attempts_filled() {
    let receiver = Receiver::spawn().await;
    receiver.script(&[500, 503]);
    let emu = emu_with(&receiver, |_| {}).await;
    emu.create_public_upload("r").await;
    let got = receiver
        .wait_until("three attempts", |r| r.len() >= 3)
        .await;
    let ids: HashSet<String> = got
        .iter()
        .map(|r| r.json()["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 1, "the same event each time");
    for (n, r) in got.iter().enumerate() {
        assert!(
            verify(&r.signature, &r.body, SECRET),
            "attempt {n} is signed afresh"
        );
        let attempts = r.json()["attempts"].as_array().unwrap().clone();
        assert_eq!(attempts.len(), n, "attempt {n} lists the earlier ones");
    }
    let third = got[2].json();
    assert_eq!(third["attempts"][0]["response_status_code"], 500);
    assert_eq!(third["attempts"][1]["response_status_code"], 503);
    assert_eq!(third["attempts"][0]["address"], receiver.url.as_str());
    assert_eq!(third["attempts"][0]["max_attempts"], 30);
    // The receiver saw the third POST before the emulator read its 200 and recorded it.
    let delivery = first_delivery(&emu, "the delivery recorded as delivered", |d| {
        d.outcome == Outcome::Delivered
    })
    .await;
    assert_eq!(delivery.attempts.len(), 3);
}

#[tokio::test]
async fn retries_stop_when_the_window_ends() {
    let receiver = Receiver::spawn().await;
    receiver.script(&[500; 100]);
    let emu = emu_with(&receiver, |c| {
        c.webhook_retry_window = Duration::from_secs(60);
        c.webhook_time_scale = 0.004; // a 240 ms window; retries after 20, 40, 80 ms …
    })
    .await;
    emu.create_public_upload("w").await;
    let d = first_delivery(&emu, "the delivery to fail", |d| {
        d.outcome == Outcome::Failed
    })
    .await;
    // The window counts scheduled delays, so exactly 20 + 40 + 80 ms of retries fit in 240 ms
    // (the next, 160 ms, would end past it), however slowly the attempts themselves ran.
    assert_eq!(
        d.attempts.len(),
        4,
        "the first attempt and three retries with growing delays"
    );
    assert_eq!(receiver.received().len(), 4);
}

#[tokio::test]
async fn duplicates_keep_the_event_id() {
    let receiver = Receiver::spawn().await;
    let emu = emu_with(&receiver, |c| c.faults.webhooks.duplicate_rate = 1.0).await;
    emu.create_public_upload("dup").await;
    let got = receiver.wait_until("two copies", |r| r.len() >= 2).await;
    assert_eq!(got[0].json()["id"], got[1].json()["id"]);
    assert!(emu.handle.deliveries().iter().any(|d| d.duplicate));
}

#[tokio::test]
async fn dropped_events_never_arrive_and_are_recorded() {
    let receiver = Receiver::spawn().await;
    let emu = emu_with(&receiver, |c| c.faults.webhooks.drop_rate = 1.0).await;
    emu.create_public_upload("drop").await;
    // The dispatcher records a dropped delivery instead of sending it.
    let dropped = first_delivery(&emu, "the event recorded as dropped", |_| true).await;
    assert_eq!(dropped.outcome, Outcome::Dropped);
    assert!(dropped.attempts.is_empty());

    // A barrier: events go out in emission order, so once the next one (no faults now) has
    // arrived, the dropped one was handled long ago and will never arrive.
    emu.handle.set_faults(FaultConfig::default());
    let next = emu.create_public_upload("after").await;
    let got = receiver
        .wait_until("the event after the dropped one", |r| !r.is_empty())
        .await;
    assert_eq!(got.len(), 1, "only the event after the dropped one arrived");
    assert_eq!(got[0].json()["data"]["id"], next["id"]);
    assert_eq!(emu.handle.deliveries()[0].outcome, Outcome::Dropped);
    let over_http: Value = emu
        .client
        .get(emu.url("/_emulator/deliveries"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(over_http["data"][0]["outcome"], "dropped");
}

#[tokio::test]
async fn reordering_shuffles_events_within_the_window() {
    let receiver = Receiver::spawn().await;
    // A window far longer than the test, ended by advancing the emulator's clock once all eight
    // events are queued: the batch is exactly those eight however slow the machine is.
    let window = Duration::from_secs(600);
    let emu = emu_with(&receiver, |c| {
        c.seed = Some(3);
        c.faults.webhooks.reorder_window_ms = window.as_millis() as u64;
    })
    .await;
    let mut sent = Vec::new();
    for i in 0..8 {
        sent.push(
            emu.create_public_upload(&format!("o{i}")).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert!(receiver.received().is_empty(), "held for the window");
    emu.handle.advance_clock(window);
    let got = receiver.wait_until("eight events", |r| r.len() >= 8).await;
    let order: Vec<String> = got
        .iter()
        .map(|r| r.json()["data"]["id"].as_str().unwrap().to_owned())
        .collect();
    let mut sorted_got = order.clone();
    sorted_got.sort();
    let mut sorted_sent = sent.clone();
    sorted_sent.sort();
    assert_eq!(sorted_got, sorted_sent, "every event arrives");
    assert_ne!(order, sent, "but not in emission order");
}

#[tokio::test]
async fn delay_and_wrong_secret_faults() {
    let receiver = Receiver::spawn().await;
    let emu = emu_with(&receiver, |c| {
        c.faults.webhooks = WebhookFaults {
            delay_ms: 300,
            wrong_secret_rate: 1.0,
            ..Default::default()
        }
    })
    .await;
    let started = Instant::now();
    emu.create_public_upload("late").await;
    let got = receiver
        .wait_until("a delayed event", |r| !r.is_empty())
        .await;
    assert!(got[0].at.duration_since(started) >= Duration::from_millis(300));
    assert!(
        !verify(&got[0].signature, &got[0].body, SECRET),
        "signed with a wrong secret"
    );
    assert!(emu.handle.deliveries()[0].attempts[0].wrong_signature);
}
