//! The circuit breaker as a pure state machine over an injected `now` (docs/resilience.md
//! §1.7). No locks, no clock, no I/O: `circuit.rs` wraps it with a mutex, RAII permits and events.
//!
//! - Closed: a counted failure adds one, a success resets; the `failure_threshold`-th consecutive
//!   failure opens it for `open_duration`.
//! - Open: every call is rejected with the time left; the first call at or after the end of the
//!   window turns it Half-Open and is admitted as a probe.
//! - Half-Open: at most `half_open_max_in_flight` probes at once; `half_open_successes_to_close`
//!   successes close it; any probe failure re-opens it for a fresh `open_duration`.
//! - Every transition bumps the generation; results of calls admitted under an earlier generation
//!   change nothing (late results), and a permit released without a result only frees its slot.

use std::time::Duration;

use tokio::time::Instant;

use crate::config::BreakerConfig;
use crate::error::BreakerOutcome;

/// The three states, for snapshots, metrics and events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

impl BreakerState {
    /// `CLOSED`, `OPEN`, `HALF_OPEN` (the guide's health JSON spelling).
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "CLOSED",
            BreakerState::Open => "OPEN",
            BreakerState::HalfOpen => "HALF_OPEN",
        }
    }

    /// Gauge value: 0 closed, 1 half-open, 2 open.
    pub fn gauge(self) -> f64 {
        match self {
            BreakerState::Closed => 0.0,
            BreakerState::HalfOpen => 1.0,
            BreakerState::Open => 2.0,
        }
    }
}

/// A state change, returned by the machine so the wrapper can log, count and publish it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: BreakerState,
    pub to: BreakerState,
}

/// Proof of admission: which generation admitted the call and whether it is a probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    generation: u64,
    probe: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Closed { failures: u32, successes: u64 },
    Open { until: Instant },
    HalfOpen { in_flight: u32, successes: u32 },
}

/// The pure breaker.
#[derive(Debug, Clone)]
pub struct Breaker {
    config: BreakerConfig,
    state: State,
    generation: u64,
    opened_at: Option<Instant>,
}

/// Counters a snapshot shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerView {
    pub state: BreakerState,
    /// Consecutive counted failures while closed.
    pub failure_count: u32,
    /// Successes since the last failure while closed; probe successes while half-open.
    pub success_count: u64,
    /// Time left while open.
    pub retry_after: Option<Duration>,
    pub opened_at: Option<Instant>,
    pub half_open_in_flight: u32,
}

impl Breaker {
    pub fn new(config: BreakerConfig) -> Self {
        Self {
            config,
            state: State::Closed {
                failures: 0,
                successes: 0,
            },
            generation: 0,
            opened_at: None,
        }
    }

    /// Asks to make a call at `now`. `Err` carries the time until the open window ends.
    /// The `Transition` is `Some` when this call turned an open breaker half-open.
    pub fn acquire(&mut self, now: Instant) -> Result<(Ticket, Option<Transition>), Duration> {
        let transition = match self.state {
            State::Open { until } if now < until => return Err(until - now),
            State::Open { .. } => self.move_to(State::HalfOpen {
                in_flight: 0,
                successes: 0,
            }),
            _ => None,
        };
        match &mut self.state {
            State::HalfOpen { in_flight, .. } => {
                if *in_flight >= self.config.half_open_max_in_flight {
                    // All probe slots are taken; one frees within a request timeout.
                    return Err(Duration::ZERO);
                }
                *in_flight += 1;
                Ok((
                    Ticket {
                        generation: self.generation,
                        probe: true,
                    },
                    transition,
                ))
            }
            _ => Ok((
                Ticket {
                    generation: self.generation,
                    probe: false,
                },
                None,
            )),
        }
    }

    /// Records the result of an admitted call. Late results (earlier generation) change nothing.
    pub fn record(
        &mut self,
        ticket: Ticket,
        outcome: BreakerOutcome,
        now: Instant,
    ) -> Option<Transition> {
        if ticket.generation != self.generation {
            return None;
        }
        let config = &self.config;
        match (&mut self.state, outcome) {
            (
                State::Closed {
                    failures,
                    successes,
                },
                BreakerOutcome::Success,
            ) => {
                *failures = 0;
                *successes += 1;
                None
            }
            (
                State::Closed {
                    failures,
                    successes,
                },
                BreakerOutcome::Failure,
            ) => {
                *failures += 1;
                *successes = 0;
                if *failures >= config.failure_threshold {
                    self.open(now)
                } else {
                    None
                }
            }
            (
                State::HalfOpen {
                    in_flight,
                    successes,
                },
                outcome,
            ) if ticket.probe => {
                *in_flight = in_flight.saturating_sub(1);
                match outcome {
                    BreakerOutcome::Success => {
                        *successes += 1;
                        if *successes >= config.half_open_successes_to_close {
                            self.move_to(State::Closed {
                                failures: 0,
                                successes: 0,
                            })
                        } else {
                            None
                        }
                    }
                    BreakerOutcome::Failure => self.open(now),
                    BreakerOutcome::Ignored => None,
                }
            }
            _ => None,
        }
    }

    /// Gives a permit back without a result (the call was cancelled or dropped).
    pub fn release(&mut self, ticket: Ticket) {
        if ticket.generation != self.generation || !ticket.probe {
            return;
        }
        if let State::HalfOpen { in_flight, .. } = &mut self.state {
            *in_flight = in_flight.saturating_sub(1);
        }
    }

    /// The state as seen at `now` (an expired open window still reads Open until a call comes).
    pub fn view(&self, now: Instant) -> BreakerView {
        let (state, failure_count, success_count, retry_after, half_open_in_flight) =
            match self.state {
                State::Closed {
                    failures,
                    successes,
                } => (BreakerState::Closed, failures, successes, None, 0),
                State::Open { until } => (
                    BreakerState::Open,
                    0,
                    0,
                    Some(until.saturating_duration_since(now)),
                    0,
                ),
                State::HalfOpen {
                    in_flight,
                    successes,
                } => (
                    BreakerState::HalfOpen,
                    0,
                    u64::from(successes),
                    None,
                    in_flight,
                ),
            };
        BreakerView {
            state,
            failure_count,
            success_count,
            retry_after,
            opened_at: self.opened_at,
            half_open_in_flight,
        }
    }

    /// Time left before an open breaker admits a probe; `None` if it would admit a call now.
    pub fn open_for(&self, now: Instant) -> Option<Duration> {
        match self.state {
            State::Open { until } if now < until => Some(until - now),
            _ => None,
        }
    }

    fn open(&mut self, now: Instant) -> Option<Transition> {
        self.opened_at = Some(now);
        self.move_to(State::Open {
            until: now + self.config.open_duration,
        })
    }

    fn move_to(&mut self, next: State) -> Option<Transition> {
        let from = self.state_name();
        self.state = next;
        self.generation += 1;
        let to = self.state_name();
        if to != BreakerState::Open {
            self.opened_at = None;
        }
        Some(Transition { from, to })
    }

    fn state_name(&self) -> BreakerState {
        match self.state {
            State::Closed { .. } => BreakerState::Closed,
            State::Open { .. } => BreakerState::Open,
            State::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }
}

#[cfg(test)]
#[path = "breaker_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "breaker_model_tests.rs"]
mod model_tests;
