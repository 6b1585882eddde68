//! Webhook figures for health: when the last delivery was accepted, and rejections by reason
//! (also counted in Prometheus).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

/// Shared as `Arc<WebhookStats>` between the webhook handler and health.
#[derive(Debug, Default)]
pub struct WebhookStats {
    last_received_ms: AtomicI64,
    rejected: Mutex<BTreeMap<&'static str, u64>>,
}

/// Every reason a delivery is refused for, as the webhook handler reports them.
const REASONS: [&str; 7] = [
    "missing_header",
    "malformed_header",
    "bad_signature",
    "stale_timestamp",
    "too_large",
    "unreadable_body",
    "bad_payload",
];

impl WebhookStats {
    /// Stats with every rejection counter at 0, so an alert sees the first one as an increase.
    pub fn new() -> Self {
        for reason in REASONS {
            metrics::counter!("muxd_webhooks_rejected_total", "reason" => reason).increment(0);
        }
        Self::default()
    }

    pub fn received(&self, at_ms: i64) {
        self.last_received_ms.store(at_ms, Ordering::Relaxed);
        metrics::gauge!("muxd_webhook_last_received_timestamp_seconds").set(at_ms as f64 / 1000.0);
    }

    pub fn rejected(&self, reason: &'static str) {
        metrics::counter!("muxd_webhooks_rejected_total", "reason" => reason).increment(1);
        *self
            .rejected
            .lock()
            .expect("stats lock")
            .entry(reason)
            .or_default() += 1;
    }

    pub fn last_received_ms(&self) -> Option<i64> {
        Some(self.last_received_ms.load(Ordering::Relaxed)).filter(|&t| t > 0)
    }

    pub fn rejected_counts(&self) -> BTreeMap<&'static str, u64> {
        self.rejected.lock().expect("stats lock").clone()
    }
}
