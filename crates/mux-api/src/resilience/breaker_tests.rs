//! Table of the breaker's transitions on an explicit clock (docs/resilience.md §7).

use std::time::Duration;

use tokio::time::Instant;

use super::*;
use crate::error::BreakerOutcome::{Failure, Ignored, Success};

const OPEN: Duration = Duration::from_secs(30);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn breaker() -> Breaker {
    Breaker::new(BreakerConfig::default())
}

/// Admits one call at `now` and records `outcome` for it.
fn call(
    b: &mut Breaker,
    now: Instant,
    outcome: crate::error::BreakerOutcome,
) -> Option<Transition> {
    let (ticket, _) = b.acquire(now).expect("admitted");
    b.record(ticket, outcome, now)
}

fn open_at(b: &mut Breaker, now: Instant) {
    for _ in 0..5 {
        call(b, now, Failure);
    }
    assert_eq!(b.view(now).state, BreakerState::Open);
}

#[test]
fn four_failures_then_a_success_stays_closed_and_resets_the_count() {
    let t0 = Instant::now();
    let mut b = breaker();
    for _ in 0..4 {
        assert_eq!(call(&mut b, t0, Failure), None);
    }
    assert_eq!(b.view(t0).failure_count, 4);
    assert_eq!(call(&mut b, t0, Success), None);
    assert_eq!(b.view(t0).failure_count, 0);
    for _ in 0..4 {
        call(&mut b, t0, Failure);
    }
    assert_eq!(
        b.view(t0).state,
        BreakerState::Closed,
        "4 + 4 failures are not 5 consecutive"
    );
}

#[test]
fn five_consecutive_failures_open_it() {
    let t0 = Instant::now();
    let mut b = breaker();
    for _ in 0..4 {
        call(&mut b, t0, Failure);
    }
    let opened = call(&mut b, t0, Failure);
    assert_eq!(
        opened,
        Some(Transition {
            from: BreakerState::Closed,
            to: BreakerState::Open
        })
    );
    assert_eq!(b.view(t0).retry_after, Some(OPEN));
    assert_eq!(b.view(t0).opened_at, Some(t0));
}

#[test]
fn outcomes_that_are_not_failures_never_trip_it() {
    let t0 = Instant::now();
    let mut b = breaker();
    for _ in 0..50 {
        call(&mut b, t0, Ignored); // 4xx, 429, undecodable bodies
        let (ticket, _) = b.acquire(t0).unwrap();
        b.release(ticket); // cancelled calls
    }
    assert_eq!(b.view(t0).state, BreakerState::Closed);
    assert_eq!(b.view(t0).failure_count, 0);
}

#[test]
fn open_rejects_with_the_time_left_until_exactly_30s() {
    let t0 = Instant::now();
    let mut b = breaker();
    open_at(&mut b, t0);
    assert_eq!(b.acquire(t0).unwrap_err(), OPEN);
    assert_eq!(b.acquire(t0 + ms(10_000)).unwrap_err(), ms(20_000));
    assert_eq!(b.acquire(t0 + ms(29_999)).unwrap_err(), ms(1));
    assert_eq!(b.view(t0 + ms(29_999)).state, BreakerState::Open);
    let (ticket, transition) = b.acquire(t0 + OPEN).expect("first call at 30 s is a probe");
    assert_eq!(
        transition,
        Some(Transition {
            from: BreakerState::Open,
            to: BreakerState::HalfOpen
        })
    );
    assert!(ticket.probe);
    assert_eq!(b.view(t0 + OPEN).state, BreakerState::HalfOpen);
}

#[test]
fn half_open_admits_two_probes_and_rejects_the_third() {
    let t0 = Instant::now();
    let mut b = breaker();
    open_at(&mut b, t0);
    let t = t0 + OPEN;
    let first = b.acquire(t).unwrap().0;
    let second = b.acquire(t).unwrap().0;
    assert_eq!(b.acquire(t), Err(Duration::ZERO), "third concurrent probe");
    assert_eq!(b.view(t).half_open_in_flight, 2);
    b.release(first); // a dropped probe frees its slot without a result
    assert_eq!(b.view(t).half_open_in_flight, 1);
    assert_eq!(b.view(t).state, BreakerState::HalfOpen);
    let third = b.acquire(t).expect("slot freed").0;
    assert_eq!(b.record(second, Success, t), None);
    assert_eq!(b.record(third, Success, t), None);
    assert_eq!(b.view(t).success_count, 2);
}

#[test]
fn three_probe_successes_close_it() {
    let t0 = Instant::now();
    let mut b = breaker();
    open_at(&mut b, t0);
    let t = t0 + OPEN;
    assert_eq!(call(&mut b, t, Success), None);
    assert_eq!(
        call(&mut b, t, Ignored),
        None,
        "a 4xx probe neither closes nor re-opens"
    );
    assert_eq!(call(&mut b, t, Success), None);
    let closed = call(&mut b, t, Success);
    assert_eq!(
        closed,
        Some(Transition {
            from: BreakerState::HalfOpen,
            to: BreakerState::Closed
        })
    );
    assert_eq!(b.view(t).failure_count, 0);
}

#[test]
fn a_failure_on_probe_one_two_or_three_reopens_for_a_fresh_30s() {
    for failing_probe in 0..3 {
        let t0 = Instant::now();
        let mut b = breaker();
        open_at(&mut b, t0);
        let mut t = t0 + OPEN;
        for _ in 0..failing_probe {
            call(&mut b, t, Success);
            t += ms(700);
        }
        let reopened = call(&mut b, t, Failure);
        assert_eq!(
            reopened,
            Some(Transition {
                from: BreakerState::HalfOpen,
                to: BreakerState::Open
            })
        );
        assert_eq!(
            b.acquire(t).unwrap_err(),
            OPEN,
            "probe {failing_probe}: fresh window"
        );
        assert_eq!(b.acquire(t + ms(29_999)).unwrap_err(), ms(1));
        assert!(b.acquire(t + OPEN).is_ok());
        assert_eq!(b.view(t + OPEN).success_count, 0, "successes start again");
    }
}

#[test]
fn late_results_from_an_earlier_state_are_ignored() {
    let t0 = Instant::now();
    let mut b = breaker();
    let (slow_closed_call, _) = b.acquire(t0).unwrap();
    open_at(&mut b, t0);
    // The pre-open call finishes while open: neither a success nor a failure moves it.
    assert_eq!(b.record(slow_closed_call, Success, t0 + ms(5)), None);
    assert_eq!(b.record(slow_closed_call, Failure, t0 + ms(5)), None);
    assert_eq!(
        b.acquire(t0 + ms(5)).unwrap_err(),
        OPEN - ms(5),
        "window not extended"
    );

    // ... and after half-open: it does not count as a probe, nor free a probe slot.
    let t = t0 + OPEN;
    let probe = b.acquire(t).unwrap().0;
    assert_eq!(b.record(slow_closed_call, Failure, t), None);
    b.release(slow_closed_call);
    assert_eq!(b.view(t).half_open_in_flight, 1);
    assert_eq!(b.view(t).state, BreakerState::HalfOpen);

    // A probe that outlives a re-open is late too.
    let other_probe = b.acquire(t).unwrap().0;
    b.record(probe, Failure, t);
    assert_eq!(b.record(other_probe, Success, t + ms(1)), None);
    assert_eq!(b.view(t + ms(1)).state, BreakerState::Open);

    // A closed-era call finishing after the breaker closed again is ignored as well.
    let t = t + OPEN;
    let stale_probe = b.acquire(t).unwrap().0;
    for _ in 0..2 {
        call(&mut b, t, Success);
    }
    b.record(stale_probe, Success, t);
    assert_eq!(b.view(t).state, BreakerState::Closed);
    let before = b.view(t);
    b.record(other_probe, Failure, t);
    assert_eq!(b.view(t), before);
}

#[test]
fn transitions_are_reported_once_per_real_change() {
    let t0 = Instant::now();
    let mut b = breaker();
    let mut transitions = Vec::new();
    let mut note = |t: Option<Transition>| transitions.extend(t);
    for _ in 0..5 {
        note(call(&mut b, t0, Failure));
    }
    for _ in 0..3 {
        let _ = b.acquire(t0 + ms(1)); // rejected calls emit nothing
    }
    let t = t0 + OPEN;
    for _ in 0..3 {
        let (ticket, half_opened) = b.acquire(t).unwrap();
        note(half_opened);
        note(b.record(ticket, Success, t));
    }
    use BreakerState::*;
    assert_eq!(
        transitions,
        [
            Transition {
                from: Closed,
                to: Open
            },
            Transition {
                from: Open,
                to: HalfOpen
            },
            Transition {
                from: HalfOpen,
                to: Closed
            },
        ]
    );
}
