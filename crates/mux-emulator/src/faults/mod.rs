//! Faults on demand: what the emulator does wrong, on purpose, so clients can prove they cope.
//!
//! One `FaultConfig` (settable at start, through the control API and the library handle) holds
//! API rules (per-endpoint error rates, latency, dropped connections) and webhook faults (drop,
//! duplicate, reorder, delay, wrong signature). Every random choice draws from a `StdRng` seeded
//! from the configured seed, so a given seed and request sequence always fail the same way.

mod rate_limit;
mod rules;

pub use rate_limit::RateLimiter;
pub use rules::{ApiFaultAction, ApiFaultRule};

use std::sync::Mutex;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// All faults, API and webhook. `Default` is "behave perfectly".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaultConfig {
    /// Rules for requests to the emulator (API, upload URLs, playback); first matching rule of
    /// each action kind applies.
    pub api: Vec<ApiFaultRule>,
    pub webhooks: WebhookFaults,
}

/// Webhook delivery faults. Rates are probabilities in `0.0..=1.0`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookFaults {
    /// Chance that an event is never sent to an endpoint (recorded as `dropped`).
    pub drop_rate: f64,
    /// Chance that an event is sent twice (same event `id`).
    pub duplicate_rate: f64,
    /// Events emitted within this window are shuffled before sending; 0 = in order.
    pub reorder_window_ms: u64,
    /// Extra delay before each first attempt.
    pub delay_ms: u64,
    /// Chance that an attempt is signed with a wrong secret.
    pub wrong_secret_rate: f64,
}

/// What the fault rules decided for one request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApiDecision {
    pub latency_ms: u64,
    pub drop: bool,
    /// `(status, Retry-After seconds)`.
    pub error: Option<(u16, Option<u64>)>,
}

/// What the webhook faults decided for one event and endpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WebhookDecision {
    pub drop: bool,
    pub duplicate: bool,
}

/// The live fault settings plus the seeded generator they draw from.
pub struct FaultEngine {
    inner: Mutex<Inner>,
}

struct Inner {
    config: FaultConfig,
    /// Uses left per API rule (`None` = unlimited), parallel to `config.api`.
    remaining: Vec<Option<u32>>,
    rng: StdRng,
}

impl FaultEngine {
    pub fn new(config: FaultConfig, seed: u64) -> Self {
        let remaining = config.api.iter().map(|r| r.times).collect();
        Self {
            inner: Mutex::new(Inner {
                config,
                remaining,
                rng: StdRng::seed_from_u64(seed),
            }),
        }
    }

    pub fn config(&self) -> FaultConfig {
        self.lock().config.clone()
    }

    pub fn set(&self, config: FaultConfig) {
        let mut inner = self.lock();
        inner.remaining = config.api.iter().map(|r| r.times).collect();
        inner.config = config;
    }

    pub fn add_api_rule(&self, rule: ApiFaultRule) {
        let mut inner = self.lock();
        inner.remaining.push(rule.times);
        inner.config.api.push(rule);
    }

    pub fn set_webhook_faults(&self, faults: WebhookFaults) {
        self.lock().config.webhooks = faults;
    }

    /// Decides the faults for one request. Every matching rule draws once from the generator.
    pub fn decide_api(&self, method: &str, path: &str) -> ApiDecision {
        let mut guard = self.lock();
        let Inner {
            config,
            remaining,
            rng,
        } = &mut *guard;
        let mut decision = ApiDecision::default();
        for (rule, left) in config.api.iter().zip(remaining.iter_mut()) {
            if !rule.matches(method, path) || *left == Some(0) {
                continue;
            }
            let hit = rng.random::<f64>() < rule.rate;
            if !hit {
                continue;
            }
            let applied = match rule.action {
                ApiFaultAction::Latency { ms } if decision.latency_ms == 0 => {
                    decision.latency_ms = ms;
                    true
                }
                ApiFaultAction::Drop if !decision.drop && decision.error.is_none() => {
                    decision.drop = true;
                    true
                }
                ApiFaultAction::Error {
                    status,
                    retry_after_s,
                } if !decision.drop && decision.error.is_none() => {
                    decision.error = Some((status, retry_after_s));
                    true
                }
                _ => false,
            };
            if applied {
                if let Some(n) = left.as_mut() {
                    *n -= 1;
                }
            }
        }
        decision
    }

    /// Decides drop/duplicate for one event to one endpoint.
    pub fn decide_webhook(&self) -> WebhookDecision {
        let mut inner = self.lock();
        let w = inner.config.webhooks.clone();
        WebhookDecision {
            drop: inner.rng.random::<f64>() < w.drop_rate,
            duplicate: inner.rng.random::<f64>() < w.duplicate_rate,
        }
    }

    /// Whether this attempt should be signed with a wrong secret.
    pub fn wrong_signature(&self) -> bool {
        let mut inner = self.lock();
        let rate = inner.config.webhooks.wrong_secret_rate;
        inner.rng.random::<f64>() < rate
    }

    pub fn webhook_delay_ms(&self) -> u64 {
        self.lock().config.webhooks.delay_ms
    }

    pub fn reorder_window_ms(&self) -> u64 {
        self.lock().config.webhooks.reorder_window_ms
    }

    /// Shuffles a batch of items (webhook reordering) with the seeded generator.
    pub fn shuffle<T>(&self, items: &mut [T]) {
        use rand::seq::SliceRandom;
        items.shuffle(&mut self.lock().rng);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests;
