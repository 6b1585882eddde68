//! Sending webhook events: the dispatcher loop, one attempt, and the retry loop (docs/mux-facts.md §6.3).
//! A domain operation between the core (`state`, which queues events) and the wiring (`app`,
//! which spawns the dispatcher).
//!
//! Faults apply here: drop and duplicate per event and endpoint, reorder by shuffling the events
//! of a window, delay before the first attempt, and a wrong secret per attempt.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;

use crate::state::Emulator;
use crate::webhooks::{signature, Attempt, Delivery, Event, Outcome};

/// First retry after 5 s, doubling up to 1 h: about 30 attempts in 24 h, like the captured
/// `max_attempts: 30` (docs/mux-facts.md §5.3; the real schedule is unpublished).
const FIRST_RETRY: Duration = Duration::from_secs(5);
const MAX_RETRY_DELAY: Duration = Duration::from_secs(3600);
/// How much of a receiver's response body is kept in the attempt record.
const BODY_KEPT: usize = 1024;

/// Runs until shutdown: takes events in emission order and sends each to every endpoint.
pub async fn run_dispatcher(emu: Arc<Emulator>) {
    let Some(mut rx) = emu.webhooks.take_receiver() else {
        return;
    };
    let client = reqwest::Client::builder()
        .timeout(emu.webhooks.retry_policy().attempt_timeout)
        .build()
        .expect("a reqwest client with default TLS builds");
    loop {
        let first = tokio::select! {
            _ = emu.shutdown.cancelled() => return,
            event = rx.recv() => match event { Some(e) => e, None => return },
        };
        let mut batch = vec![first];
        let window_ms = emu.faults.reorder_window_ms();
        if window_ms > 0 {
            // On the emulator's clock, so a test can end the window by advancing it.
            let window = emu.clock.sleep(Duration::from_millis(window_ms));
            tokio::pin!(window);
            loop {
                tokio::select! {
                    _ = emu.shutdown.cancelled() => return,
                    _ = &mut window => break,
                    event = rx.recv() => match event { Some(e) => batch.push(e), None => break },
                }
            }
            // Events already queued when the window ended were emitted within it.
            while let Ok(event) = rx.try_recv() {
                batch.push(event);
            }
            emu.faults.shuffle(&mut batch);
        }
        for event in batch {
            dispatch_event(&emu, &client, Arc::new(event)).await;
        }
    }
}

async fn dispatch_event(emu: &Arc<Emulator>, client: &reqwest::Client, event: Arc<Event>) {
    let mut first_attempts = Vec::new();
    for url in emu.webhooks.targets().urls {
        let decision = emu.faults.decide_webhook();
        let copies = if decision.duplicate { 2 } else { 1 };
        for copy in 0..copies {
            let index = emu.webhooks.record(Delivery {
                event_id: event.id.clone(),
                event_type: event.event_type.clone(),
                object_id: event.object_id.clone(),
                url: url.clone(),
                duplicate: copy > 0,
                outcome: if decision.drop {
                    Outcome::Dropped
                } else {
                    Outcome::Pending
                },
                attempts: Vec::new(),
            });
            if decision.drop {
                tracing::info!(event.id = %event.id, url = %url, "webhook dropped by fault");
                continue;
            }
            let delivery = deliver(
                emu.clone(),
                client.clone(),
                event.clone(),
                url.clone(),
                index,
            );
            match emu.faults.webhook_delay_ms() {
                0 => first_attempts.push(delivery),
                ms => emu.spawn(async move {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    delivery.await;
                }),
            }
        }
    }
    join_all(first_attempts).await;
}

/// The first attempt now; on failure the retry loop continues in its own task.
async fn deliver(
    emu: Arc<Emulator>,
    client: reqwest::Client,
    event: Arc<Event>,
    url: String,
    index: usize,
) {
    if attempt(&emu, &client, &event, &url, index).await {
        return;
    }
    let task_emu = emu.clone();
    emu.spawn(retry_loop(task_emu, client, event, url, index));
}

/// Retries while the next retry still falls inside the window. The window counts the scheduled
/// delays (not the time attempts took), so how many attempts fit is a pure function of the
/// policy, whatever the load on the machine.
async fn retry_loop(
    emu: Arc<Emulator>,
    client: reqwest::Client,
    event: Arc<Event>,
    url: String,
    index: usize,
) {
    let policy = emu.webhooks.retry_policy();
    let window = policy.window.mul_f64(policy.time_scale);
    let mut waited = Duration::ZERO;
    let mut delay = FIRST_RETRY;
    loop {
        let scaled = delay.mul_f64(policy.time_scale);
        if waited + scaled > window {
            emu.webhooks.update(index, |d| d.outcome = Outcome::Failed);
            tracing::warn!(event.id = %event.id, url = %url, "webhook retry window ended");
            return;
        }
        tokio::time::sleep(scaled).await;
        waited += scaled;
        if attempt(&emu, &client, &event, &url, index).await {
            return;
        }
        delay = (delay * 2).min(MAX_RETRY_DELAY);
    }
}

/// One signed POST; records it and returns whether it got a 2xx.
async fn attempt(
    emu: &Emulator,
    client: &reqwest::Client,
    event: &Event,
    url: &str,
    index: usize,
) -> bool {
    let earlier = emu.webhooks.attempts(index);
    let body = event.body(emu.webhooks.environment(), url, &earlier);
    let wrong_signature = emu.faults.wrong_signature();
    let mut secret = emu.webhooks.targets().signing_secret;
    if wrong_signature {
        secret.push_str("-wrong");
    }
    // A fresh timestamp per attempt, as Mux does (docs/mux-facts.md §6.1), from the real clock: a
    // receiver checks it against its own, and an emulator whose clock was advanced (to expire
    // uploads) must still get through.
    let signed_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let header = signature::header_value(&secret, signed_at, &body);
    let mut record = Attempt {
        id: emu.ids.uuid().to_string(),
        created_at: emu.clock.iso(),
        response_status_code: None,
        response_body: String::new(),
        error: None,
        wrong_signature,
    };
    let sent = client
        .post(url)
        .header("content-type", "application/json")
        .header("mux-signature", header)
        .body(body)
        .send()
        .await;
    match sent {
        Ok(response) => {
            record.response_status_code = Some(response.status().as_u16());
            let text = response.text().await.unwrap_or_default();
            record.response_body = text.chars().take(BODY_KEPT).collect();
        }
        Err(e) => record.error = Some(e.to_string()),
    }
    let ok = record
        .response_status_code
        .is_some_and(|s| (200..300).contains(&s));
    emu.webhooks.update(index, |d| {
        d.attempts.push(record);
        if ok {
            d.outcome = Outcome::Delivered;
        }
    });
    ok
}
