//! The shared circuit breaker: the pure machine of `breaker.rs` behind a mutex, with RAII
//! permits and with every transition logged, counted, broadcast to subscribers and sent to the
//! optional alert hook.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use serde::Serialize;
use tokio::sync::broadcast;
use tokio::time::Instant;

use super::alert::AlertHook;
use super::breaker::{Breaker, BreakerState, BreakerView, Ticket, Transition};
use super::telemetry;
use crate::config::BreakerConfig;
use crate::error::BreakerOutcome;

/// One real state change of the breaker, as subscribers and the alert hook see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BreakerEvent {
    pub from: BreakerState,
    pub to: BreakerState,
    /// Wall-clock time of the change, Unix milliseconds.
    pub at_unix_ms: u64,
    /// When it opened: how long it will reject calls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

impl BreakerEvent {
    /// One line for logs and chat alerts.
    pub fn describe(&self) -> String {
        let mut text = format!(
            "Mux circuit breaker {} → {}",
            self.from.as_str(),
            self.to.as_str()
        );
        match (self.to, self.retry_after_ms) {
            (BreakerState::Open, Some(ms)) => {
                text.push_str(&format!(
                    ": calls to Mux are rejected for {} s",
                    ms.div_ceil(1000)
                ));
            }
            (BreakerState::HalfOpen, _) => text.push_str(": probing Mux"),
            (BreakerState::Closed, _) => text.push_str(": Mux calls back to normal"),
            _ => {}
        }
        text
    }
}

/// The process-wide breaker all Mux calls share.
pub struct CircuitBreaker {
    machine: Mutex<Breaker>,
    events: broadcast::Sender<BreakerEvent>,
    alert: Option<AlertHook>,
    /// The latest transition and how many there were, for health.
    history: Mutex<(Option<BreakerEvent>, u64)>,
}

/// Permission to make one attempt. Record its outcome with [`Permit::record`]; dropping it
/// unrecorded (a cancelled call) frees its half-open slot and changes nothing else.
#[must_use = "a permit must be used for exactly one attempt"]
pub struct Permit<'a> {
    circuit: &'a CircuitBreaker,
    ticket: Option<Ticket>,
}

impl Permit<'_> {
    /// Records the attempt's outcome.
    pub fn record(mut self, outcome: BreakerOutcome) {
        if let Some(ticket) = self.ticket.take() {
            let transition = self.circuit.lock().record(ticket, outcome, Instant::now());
            self.circuit.publish(transition);
        }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            self.circuit.lock().release(ticket);
        }
    }
}

impl CircuitBreaker {
    pub fn new(config: BreakerConfig, alert: Option<AlertHook>) -> Self {
        let (events, _) = broadcast::channel(64);
        telemetry::breaker_state(BreakerState::Closed);
        telemetry::breaker_transitions_known();
        Self {
            machine: Mutex::new(Breaker::new(config)),
            events,
            alert,
            history: Mutex::default(),
        }
    }

    /// The latest transition (if any) and the number of transitions so far.
    pub fn history(&self) -> (Option<BreakerEvent>, u64) {
        super::lock(&self.history).clone()
    }

    /// Asks to make an attempt now; `Err` is the time until the breaker admits probes again.
    pub fn acquire(&self) -> Result<Permit<'_>, Duration> {
        let result = self.lock().acquire(Instant::now());
        match result {
            Ok((ticket, transition)) => {
                self.publish(transition);
                Ok(Permit {
                    circuit: self,
                    ticket: Some(ticket),
                })
            }
            Err(retry_after) => Err(retry_after),
        }
    }

    /// Time left while open (without moving the state); `None` when a call would be admitted.
    pub fn open_for(&self) -> Option<Duration> {
        self.lock().open_for(Instant::now())
    }

    pub fn view(&self) -> BreakerView {
        self.lock().view(Instant::now())
    }

    /// A receiver of every future transition.
    pub fn subscribe(&self) -> broadcast::Receiver<BreakerEvent> {
        self.events.subscribe()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Breaker> {
        super::lock(&self.machine)
    }

    fn publish(&self, transition: Option<Transition>) {
        let Some(Transition { from, to }) = transition else {
            return;
        };
        let retry_after_ms = (to == BreakerState::Open)
            .then(|| self.view().retry_after.map(|d| d.as_millis() as u64))
            .flatten();
        let event = BreakerEvent {
            from,
            to,
            at_unix_ms: unix_ms(SystemTime::now()),
            retry_after_ms,
        };
        match to {
            BreakerState::Open => tracing::warn!(
                breaker.from = from.as_str(),
                breaker.to = to.as_str(),
                breaker.retry_after_ms = retry_after_ms,
                "Mux circuit breaker opened"
            ),
            _ => tracing::info!(
                breaker.from = from.as_str(),
                breaker.to = to.as_str(),
                "Mux circuit breaker changed state"
            ),
        }
        telemetry::breaker_transition(from, to);
        if let Some(alert) = &self.alert {
            alert.notify(&event);
        }
        // No subscribers is fine: the event was logged and counted.
        {
            let mut history = super::lock(&self.history);
            history.0 = Some(event.clone());
            history.1 += 1;
        }
        let _ = self.events.send(event);
    }
}

pub(crate) fn unix_ms(at: SystemTime) -> u64 {
    at.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

#[cfg(test)]
#[path = "circuit_tests.rs"]
mod tests;
