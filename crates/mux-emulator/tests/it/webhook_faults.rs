//! Webhook delivery faults and retries, observed by an in-test receiver: retries with `attempts`
//! filled, the retry window, duplicates, drops, reordering, delay and wrong signatures.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use mux_emulator::{Outcome, WebhookFaults};
use serde_json::Value;

use crate::receiver::{verify, Receiver};
use crate::webhooks::{emu_with, SECRET};

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
    tokio::time::sleep(Duration::from_millis(100)).await;
    let delivery = &emu.handle.deliveries()[0];
    assert_eq!(delivery.outcome, Outcome::Delivered);
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
    for _ in 0..100 {
        if emu
            .handle
            .deliveries()
            .first()
            .is_some_and(|d| d.outcome == Outcome::Failed)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let d = &emu.handle.deliveries()[0];
    assert_eq!(d.outcome, Outcome::Failed);
    assert!(
        d.attempts.len() >= 3,
        "retried with growing delays: {}",
        d.attempts.len()
    );
    assert!(d.attempts.len() < 10);
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
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(receiver.received().is_empty());
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
    let emu = emu_with(&receiver, |c| {
        c.seed = 3;
        c.faults.webhooks.reorder_window_ms = 400;
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
