//! Webhooks as data: events with Mux's envelope (docs/mux-facts.md §5), signed as Mux signs them
//! (§6.1), the queue they wait in, and the log of every delivery and attempt (§6.3).
//!
//! `Webhooks::emit` queues an event; the dispatcher (`dispatch.rs`, a layer above) takes them from
//! the queue, sends them and records each attempt here as a `Delivery`. Nothing in this module
//! sends anything or imports the rest of the crate.

mod envelope;
pub mod signature;

pub use envelope::Event;

use std::sync::{Mutex, RwLock};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::mpsc;

/// Where events go and how they are signed; changeable at runtime.
#[derive(Debug, Clone, Serialize)]
pub struct Targets {
    pub urls: Vec<String>,
    #[serde(skip)]
    pub signing_secret: String,
}

/// How long and how often a failed delivery is retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Mux retries "for the next 24 hours (with an increasing delay between attempts)".
    pub window: Duration,
    /// Multiplies every retry delay and the window (1.0 = real time; 0.001 compresses 24 h into
    /// 86.4 s for tests).
    pub time_scale: f64,
    /// Per attempt (Mux: 5 s).
    pub attempt_timeout: Duration,
}

/// The outcome of one event's delivery to one endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Not yet answered with a 2xx; retries continue.
    Pending,
    Delivered,
    /// The retry window ended without a 2xx.
    Failed,
    /// The drop fault kept it from being sent.
    Dropped,
}

/// One attempt to deliver an event.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub id: String,
    pub created_at: String,
    /// `None` when no response arrived (connection error or the 5 s timeout).
    pub response_status_code: Option<u16>,
    pub response_body: String,
    pub error: Option<String>,
    /// Signed with a wrong secret by the fault.
    pub wrong_signature: bool,
}

/// One event to one endpoint, with all its attempts.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub event_id: String,
    pub event_type: String,
    pub object_id: String,
    pub url: String,
    /// A second copy made by the duplicate fault.
    pub duplicate: bool,
    pub outcome: Outcome,
    pub attempts: Vec<Attempt>,
}

pub struct Webhooks {
    targets: RwLock<Targets>,
    environment: (String, String),
    retry: RetryPolicy,
    tx: mpsc::UnboundedSender<Event>,
    rx: Mutex<Option<mpsc::UnboundedReceiver<Event>>>,
    deliveries: Mutex<Vec<Delivery>>,
}

impl Webhooks {
    pub fn new(targets: Targets, environment: (String, String), retry: RetryPolicy) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Self {
            targets: RwLock::new(targets),
            environment,
            retry,
            tx,
            rx: Mutex::new(Some(rx)),
            deliveries: Mutex::new(Vec::new()),
        }
    }

    /// Queues an event for every endpoint configured when it is dispatched.
    pub fn emit(&self, event: Event) {
        tracing::debug!(event.type = %event.event_type, object.id = %event.object_id, "webhook event");
        // The receiver lives as long as the dispatcher; after shutdown events are dropped.
        let _ = self.tx.send(event);
    }

    pub fn targets(&self) -> Targets {
        self.targets
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn set_urls(&self, urls: Vec<String>) {
        self.targets.write().unwrap_or_else(|p| p.into_inner()).urls = urls;
    }

    pub fn set_signing_secret(&self, secret: String) {
        self.targets
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .signing_secret = secret;
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.deliveries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The policy failed deliveries are retried under.
    pub(crate) fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// `(name, id)` of `environment` in envelopes.
    pub(crate) fn environment(&self) -> &(String, String) {
        &self.environment
    }

    /// Appends a delivery to the log; returns its index for `update`.
    pub(crate) fn record(&self, delivery: Delivery) -> usize {
        let mut all = self.deliveries.lock().unwrap_or_else(|p| p.into_inner());
        all.push(delivery);
        all.len() - 1
    }

    /// The attempts made so far for the delivery at `index`.
    pub(crate) fn attempts(&self, index: usize) -> Vec<Attempt> {
        self.deliveries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(index)
            .map(|d| d.attempts.clone())
            .unwrap_or_default()
    }

    pub(crate) fn update(&self, index: usize, f: impl FnOnce(&mut Delivery)) {
        if let Some(d) = self
            .deliveries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_mut(index)
        {
            f(d);
        }
    }

    /// The queue's receiving end, for the one dispatcher (`None` once taken).
    pub(crate) fn take_receiver(&self) -> Option<mpsc::UnboundedReceiver<Event>> {
        self.rx.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}
