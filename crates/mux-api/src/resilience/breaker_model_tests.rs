//! Model test: random sequences of admissions, outcomes, cancellations and time steps, run
//! against the breaker and against a small reference model written straight from docs/contract.md §5.
//! After every step the two must agree, and the invariants of docs/resilience.md §6 must
//! hold on the recorded history (not on timing).

use std::time::Duration;

use proptest::prelude::*;
use tokio::time::Instant;

use super::*;
use crate::error::BreakerOutcome;

const THRESHOLD: u32 = 5;
const OPEN: Duration = Duration::from_secs(30);
const MAX_PROBES: u32 = 2;
const TO_CLOSE: u32 = 3;

/// The reference: the spec's sentences, one field per noun.
#[derive(Debug)]
struct Model {
    state: BreakerState,
    /// Bumped on every state change; a call belongs to the epoch that admitted it.
    epoch: u64,
    consecutive_failures: u32,
    open_until: Option<Instant>,
    probes_in_flight: u32,
    probe_successes: u32,
}

impl Model {
    fn new() -> Self {
        Self {
            state: BreakerState::Closed,
            epoch: 0,
            consecutive_failures: 0,
            open_until: None,
            probes_in_flight: 0,
            probe_successes: 0,
        }
    }

    fn change(&mut self, to: BreakerState, now: Instant) {
        self.state = to;
        self.epoch += 1;
        self.consecutive_failures = 0;
        self.probes_in_flight = 0;
        self.probe_successes = 0;
        self.open_until = (to == BreakerState::Open).then_some(now + OPEN);
    }

    /// `Ok(epoch)` if admitted, `Err(time left)` if not.
    fn admit(&mut self, now: Instant) -> Result<u64, Duration> {
        if self.state == BreakerState::Open {
            let until = self.open_until.unwrap();
            if now < until {
                return Err(until - now);
            }
            self.change(BreakerState::HalfOpen, now);
        }
        if self.state == BreakerState::HalfOpen {
            if self.probes_in_flight == MAX_PROBES {
                return Err(Duration::ZERO);
            }
            self.probes_in_flight += 1;
        }
        Ok(self.epoch)
    }

    /// A call of `epoch` ends with `outcome` (`None`: it was cancelled).
    fn end(&mut self, epoch: u64, outcome: Option<BreakerOutcome>, now: Instant) {
        if epoch != self.epoch {
            return; // admitted in an earlier state: late, ignored
        }
        if self.state == BreakerState::HalfOpen {
            self.probes_in_flight -= 1;
        }
        match (self.state, outcome) {
            (BreakerState::Closed, Some(BreakerOutcome::Success)) => self.consecutive_failures = 0,
            (BreakerState::Closed, Some(BreakerOutcome::Failure)) => {
                self.consecutive_failures += 1;
                if self.consecutive_failures == THRESHOLD {
                    self.change(BreakerState::Open, now);
                }
            }
            (BreakerState::HalfOpen, Some(BreakerOutcome::Success)) => {
                self.probe_successes += 1;
                if self.probe_successes == TO_CLOSE {
                    self.change(BreakerState::Closed, now);
                }
            }
            (BreakerState::HalfOpen, Some(BreakerOutcome::Failure)) => {
                self.change(BreakerState::Open, now)
            }
            _ => {}
        }
    }
}

#[derive(Debug, Clone)]
enum Step {
    Acquire,
    End { pick: usize, outcome: u8 },
    Cancel { pick: usize },
    Advance { ms: u64 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        5 => Just(Step::Acquire),
        5 => (any::<usize>(), 0u8..3).prop_map(|(pick, outcome)| Step::End { pick, outcome }),
        1 => any::<usize>().prop_map(|pick| Step::Cancel { pick }),
        2 => (0u64..3_000).prop_map(|ms| Step::Advance { ms }),
        1 => prop_oneof![Just(29_999u64), Just(30_000), Just(1), 20_000u64..40_000].prop_map(|ms| Step::Advance { ms }),
    ]
}

/// Invariants over the history: what must have happened before each transition.
#[derive(Default)]
struct History {
    last_state: Option<BreakerState>,
    /// Counted failures recorded (by current-state calls) since the last transition.
    failures_since_change: u32,
    probe_successes_since_change: u32,
    last_recorded: Option<BreakerOutcome>,
}

impl History {
    fn check(&mut self, transition: Transition) {
        let Transition { from, to } = transition;
        assert_ne!(from, to, "a transition is a real change");
        assert_eq!(
            Some(from),
            self.last_state.or(Some(BreakerState::Closed)),
            "chain of states"
        );
        match (from, to) {
            (BreakerState::Closed, BreakerState::Open) => {
                assert_eq!(self.failures_since_change, THRESHOLD)
            }
            (BreakerState::HalfOpen, BreakerState::Open) => {
                assert_eq!(self.last_recorded, Some(BreakerOutcome::Failure))
            }
            (BreakerState::HalfOpen, BreakerState::Closed) => {
                assert_eq!(self.probe_successes_since_change, TO_CLOSE)
            }
            (BreakerState::Open, BreakerState::HalfOpen) => {}
            other => panic!("illegal transition {other:?}"),
        }
        self.last_state = Some(to);
        self.failures_since_change = 0;
        self.probe_successes_since_change = 0;
    }
}

fn outcome(code: u8) -> BreakerOutcome {
    [
        BreakerOutcome::Success,
        BreakerOutcome::Failure,
        BreakerOutcome::Ignored,
    ][code as usize]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn breaker_matches_the_model_and_keeps_the_invariants(steps in proptest::collection::vec(step(), 1..250)) {
        let mut now = Instant::now();
        let mut breaker = Breaker::new(BreakerConfig::default());
        let mut model = Model::new();
        let mut history = History::default();
        // Calls in flight: the breaker's ticket, the model's epoch, the generation seen at admission.
        let mut in_flight: Vec<(Ticket, u64)> = Vec::new();
        let mut opened_until: Option<Instant> = None;

        for step in steps {
            match step {
                Step::Acquire => {
                    let expected = model.admit(now);
                    match breaker.acquire(now) {
                        Ok((ticket, transition)) => {
                            let epoch = expected.expect("breaker admitted, model refused");
                            if let Some(until) = opened_until {
                                prop_assert!(now >= until, "admitted while open");
                            }
                            if let Some(t) = transition {
                                history.check(t);
                                opened_until = None;
                            }
                            in_flight.push((ticket, epoch));
                        }
                        Err(left) => {
                            prop_assert_eq!(Err(left), expected.map(|_| ()));
                            prop_assert!(left <= OPEN);
                        }
                    }
                }
                Step::End { pick, outcome: code } if !in_flight.is_empty() => {
                    let (ticket, epoch) = in_flight.swap_remove(pick % in_flight.len());
                    let result = outcome(code);
                    let current = ticket.generation == breaker.generation;
                    if current {
                        history.last_recorded = Some(result);
                        match (breaker.view(now).state, result) {
                            (BreakerState::Closed, BreakerOutcome::Failure) => history.failures_since_change += 1,
                            (BreakerState::Closed, BreakerOutcome::Success) => history.failures_since_change = 0,
                            (BreakerState::HalfOpen, BreakerOutcome::Success) => history.probe_successes_since_change += 1,
                            _ => {}
                        }
                    }
                    model.end(epoch, Some(result), now);
                    if let Some(t) = breaker.record(ticket, result, now) {
                        prop_assert!(current, "a late result moved the breaker");
                        history.check(t);
                        if t.to == BreakerState::Open {
                            opened_until = Some(now + OPEN);
                        }
                    }
                }
                Step::Cancel { pick } if !in_flight.is_empty() => {
                    let (ticket, epoch) = in_flight.swap_remove(pick % in_flight.len());
                    model.end(epoch, None, now);
                    breaker.release(ticket);
                }
                Step::Advance { ms } => now += Duration::from_millis(ms),
                _ => {}
            }
            let view = breaker.view(now);
            prop_assert_eq!(view.state, model.state);
            prop_assert!(view.half_open_in_flight <= MAX_PROBES);
            prop_assert_eq!(view.half_open_in_flight, model.probes_in_flight);
            if view.state == BreakerState::Closed {
                prop_assert_eq!(view.failure_count, model.consecutive_failures);
                prop_assert!(view.failure_count < THRESHOLD);
            }
            if view.state == BreakerState::Open {
                prop_assert_eq!(view.retry_after, model.open_until.map(|u| u.saturating_duration_since(now)));
            }
        }
    }
}
