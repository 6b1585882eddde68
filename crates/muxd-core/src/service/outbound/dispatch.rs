//! The dispatcher: fan marked changes out into deliveries, claim the due ones, send each through
//! its endpoint's breaker, and record what came of it.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use mux_api::resilience::breaker::Breaker;
use mux_api::BreakerConfig;
use mux_api::BreakerOutcome;
use tokio::sync::broadcast;

use super::{guard, signing, Outbound};
use crate::service::live::AssetChanged;
use muxd_store::now_ms;
use muxd_store::outbox::{AttemptRecord, ClaimedDelivery, NextStep};

/// Changes fanned out per transaction.
const FAN_OUT_BATCH: i64 = 500;
/// Deliveries claimed per round.
const CLAIM_BATCH: i64 = 64;
/// Endpoints sent to at once.
const IN_FLIGHT: usize = 16;
/// How long a claimed delivery is this process's: longer than an attempt can take.
const LEASE: Duration = Duration::from_secs(60);
/// How often due retries are looked for when nothing changes.
const TICK: Duration = Duration::from_secs(1);
/// The longest error text kept per attempt.
const MAX_ERROR: usize = 500;
/// The outcomes `muxd_outbound_attempts_total` counts.
const OUTCOMES: [&str; 3] = ["delivered", "retry", "failed"];

/// Shows every outcome of `muxd_outbound_attempts_total` at 0 from the start, so an alert sees
/// the first failure as an increase.
pub fn count_attempts_from_zero() {
    for outcome in OUTCOMES {
        metrics::counter!("muxd_outbound_attempts_total", "outcome" => outcome).increment(0);
    }
}

impl Outbound {
    /// One step of the dispatcher: rounds until nothing more is due, then a wait for the next
    /// change (`changes`, subscribed before the rounds so none is missed) or a second, whichever
    /// comes first, for retries falling due. While no endpoint is enabled, changes are not
    /// waited for (nothing is marked for the outbox then): the step is the tick alone, which
    /// also reads again whether any endpoint is enabled.
    pub async fn step(&self, mut changes: broadcast::Receiver<AssetChanged>) -> anyhow::Result<()> {
        while self.run_once().await? == CLAIM_BATCH as usize {}
        let woken_by_change = match self.listening.load(Ordering::Relaxed) {
            true => tokio::select! {
                _ = changes.recv() => true,
                () = tokio::time::sleep(TICK) => false,
            },
            false => {
                tokio::time::sleep(TICK).await;
                false
            }
        };
        if !woken_by_change {
            let any = self.store.any_endpoint_enabled().await?;
            self.listening.store(any, Ordering::Relaxed);
        }
        Ok(())
    }

    /// One round: fans out every marked change, then sends one batch of due deliveries. Returns
    /// how many deliveries it claimed.
    pub async fn run_once(&self) -> anyhow::Result<usize> {
        while self
            .store
            .fan_out(FAN_OUT_BATCH, |change| (self.render)(change))
            .await?
            == FAN_OUT_BATCH as usize
        {}
        let now = now_ms();
        let token = uuid::Uuid::new_v4().to_string();
        let lease_until = now + i64::try_from(LEASE.as_millis()).unwrap_or(i64::MAX);
        let resting = self.resting_endpoints();
        let claimed = self
            .store
            .claim_deliveries(&token, now, lease_until, CLAIM_BATCH, &resting)
            .await?;
        let count = claimed.len();
        // Endpoints at once, each endpoint's deliveries one after another in the order their
        // changes were made: a healthy endpoint hears of an asset's changes in order.
        let mut by_endpoint: Vec<Vec<ClaimedDelivery>> = Vec::new();
        for delivery in claimed {
            match by_endpoint
                .iter_mut()
                .find(|group| group[0].endpoint_id == delivery.endpoint_id)
            {
                Some(group) => group.push(delivery),
                None => by_endpoint.push(vec![delivery]),
            }
        }
        futures_util::stream::iter(by_endpoint)
            .for_each_concurrent(IN_FLIGHT, |group| async move {
                for delivery in group {
                    if let Err(error) = self.deliver(&delivery).await {
                        tracing::warn!(delivery.id = delivery.id, %error, "could not record an outbound webhook attempt; its lease will end and it will be sent again");
                    }
                }
            })
            .await;
        Ok(count)
    }

    /// The endpoints whose breakers are open: their deliveries wait, unclaimed and unattempted
    /// (breakers live in memory, so a restarted process tries every endpoint again at once).
    fn resting_endpoints(&self) -> Vec<String> {
        let now = tokio::time::Instant::now();
        let breakers = self.breakers.lock().expect("breakers lock");
        breakers
            .iter()
            .filter(|(_, breaker)| breaker.open_for(now).is_some())
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// Sends one delivery, unless its endpoint's breaker turns it away (then it waits,
    /// unattempted).
    async fn deliver(&self, delivery: &ClaimedDelivery) -> anyhow::Result<()> {
        let ticket = {
            let mut breakers = self.breakers.lock().expect("breakers lock");
            let breaker = breakers
                .entry(delivery.endpoint_id.clone())
                .or_insert_with(|| Breaker::new(BreakerConfig::default()));
            breaker.acquire(tokio::time::Instant::now())
        };
        let ticket = match ticket {
            Ok((ticket, _)) => ticket,
            Err(wait) => {
                let at = now_ms() + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX);
                return Ok(self.store.defer_delivery(delivery.id, at).await?);
            }
        };
        let started = Instant::now();
        let at = now_ms();
        let answer = self.send(delivery, at).await;
        let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let (status_code, error, breaker_outcome) = match &answer {
            Ok(status) if status.is_success() => {
                (Some(status.as_u16()), None, BreakerOutcome::Success)
            }
            Ok(status) => (
                Some(status.as_u16()),
                Some(format!("the endpoint answered {status}")),
                if status.is_server_error() {
                    BreakerOutcome::Failure
                } else {
                    BreakerOutcome::Ignored
                },
            ),
            Err(error) => (None, Some(truncate(error)), BreakerOutcome::Failure),
        };
        {
            let mut breakers = self.breakers.lock().expect("breakers lock");
            if let Some(breaker) = breakers.get_mut(&delivery.endpoint_id) {
                breaker.record(ticket, breaker_outcome, tokio::time::Instant::now());
            }
        }
        let attempts = u32::try_from(delivery.attempts + 1).unwrap_or(u32::MAX);
        let next = match breaker_outcome {
            BreakerOutcome::Success => NextStep::Delivered,
            _ => match self.settings.schedule.after(attempts, rand::random()) {
                Some(wait) => NextStep::RetryAt(
                    now_ms() + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX),
                ),
                None => NextStep::GiveUp,
            },
        };
        let outcome = match next {
            NextStep::Delivered => OUTCOMES[0],
            NextStep::RetryAt(_) => OUTCOMES[1],
            NextStep::GiveUp => OUTCOMES[2],
        };
        metrics::counter!("muxd_outbound_attempts_total", "outcome" => outcome).increment(1);
        if next == NextStep::Delivered {
            let since_change = (now_ms() - delivery.message_created_at).max(0) as f64 / 1000.0;
            metrics::histogram!("muxd_outbound_delivery_seconds").record(since_change);
        } else {
            tracing::info!(delivery.id = delivery.id, endpoint.id = %delivery.endpoint_id, attempts, outcome, error = error.as_deref().unwrap_or(""), "outbound webhook not delivered");
        }
        self.store
            .record_attempt(&AttemptRecord {
                delivery_id: delivery.id,
                at,
                status_code,
                error,
                duration_ms,
                next,
            })
            .await?;
        Ok(())
    }

    /// POSTs the message, signed; the receiver's status, or why there is none.
    async fn send(
        &self,
        delivery: &ClaimedDelivery,
        at_ms: i64,
    ) -> Result<reqwest::StatusCode, String> {
        let url = reqwest::Url::parse(&delivery.url).map_err(|e| format!("bad url: {e}"))?;
        if !guard::literal_allowed(&url, self.settings.allow_private) {
            return Err("the endpoint's address is private; set MUXD_WEBHOOK_ALLOW_PRIVATE_URLS=true to allow it".into());
        }
        let timestamp = at_ms / 1000;
        let body = delivery.payload.as_bytes().to_vec();
        let signature = signing::sign(&delivery.secret, &delivery.message_id, timestamp, &body)?;
        let response = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &delivery.message_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await
            .map_err(|error| describe(&error))?;
        Ok(response.status())
    }
}

/// A send error in words, with its causes (reqwest's own text is only the outermost).
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn truncate(text: &str) -> String {
    text.chars().take(MAX_ERROR).collect()
}
