//! The shared circuit breaker: the pure machine of `breaker.rs` behind a mutex, with RAII
//! permits and with every transition logged, counted, broadcast to subscribers and sent to the
//! optional alert hook.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use tokio::sync::broadcast;
use tokio::time::Instant;

use super::alert::AlertHook;
use super::breaker::{Breaker, BreakerState, BreakerView, Ticket, Transition};
use super::event::{unix_ms, BreakerEvent};
use super::telemetry;
use crate::config::BreakerConfig;
use crate::error::BreakerOutcome;

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

#[cfg(test)]
#[path = "circuit_tests.rs"]
mod tests;
