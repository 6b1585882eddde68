//! The budget on its own, with explicit instants (docs/contract.md §5): the floor, the 20 % share of
//! first attempts, expiry after the window, and the bound in every rolling minute.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;

const MINUTE: Duration = Duration::from_secs(60);

fn default_budget() -> RetryBudget {
    RetryBudget::new(BudgetConfig::default())
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// Events of `sorted` in the rolling minute that ends at `end`, i.e. in `(end − 60 s, end]`.
fn in_minute_to(sorted: &[Instant], end: Instant) -> usize {
    let to_end = sorted.partition_point(|t| *t <= end);
    let before = sorted.partition_point(|t| end.saturating_duration_since(*t) >= MINUTE);
    to_end - before
}

#[test]
fn eleventh_retry_in_a_minute_is_refused_and_refills_after_a_window() {
    let start = Instant::now();
    let mut budget = default_budget();
    for i in 0..10 {
        assert!(budget.try_withdraw(start + secs(i)), "retry {i}");
    }
    assert!(!budget.try_withdraw(start + secs(10)));
    assert_eq!(budget.remaining(start + secs(59)), 0);
    // A retry is held for a full window, up to one bucket (1 s) more: the one spent at 0 s
    // is still held at 60 s (not a moment earlier) and comes back at 61 s.
    assert!(!budget.try_withdraw(start + Duration::from_millis(59_999)));
    assert!(!budget.try_withdraw(start + secs(60)));
    assert!(budget.try_withdraw(start + secs(61)));
    assert!(!budget.try_withdraw(start + secs(61)));
    assert_eq!(budget.remaining(start + secs(130)), 10);
}

#[test]
fn no_rolling_minute_ever_holds_more_than_ten_without_traffic() {
    let start = Instant::now();
    let mut budget = default_budget();
    let mut granted = Vec::new();
    for tenth_of_second in 0..3_000u64 {
        let now = start + Duration::from_millis(tenth_of_second * 100);
        if budget.try_withdraw(now) {
            granted.push(now);
        }
    }
    for at in &granted {
        let in_window = in_minute_to(&granted, *at);
        assert!(
            in_window <= 10,
            "{in_window} retries in the minute to {at:?}"
        );
    }
    assert_eq!(granted.len(), 50, "10 every 61 s over 5 minutes");
}

#[test]
fn the_floor_alone_allows_ten_retries_per_rolling_minute_with_almost_no_traffic() {
    let start = Instant::now();
    let mut budget = default_budget();
    for _ in 0..4 {
        budget.deposit(start); // 4 × 20 % = 0.8 of a retry: nothing beyond the floor
    }
    for i in 0..10 {
        assert!(budget.try_withdraw(start + secs(5 * i)), "retry {i}");
    }
    assert!(
        !budget.try_withdraw(start + secs(59)),
        "the 11th is refused"
    );
    assert_eq!(
        budget.view(start + secs(59)),
        BudgetView {
            retries: 10,
            first_attempts: 4,
            allowance: 10,
            remaining: 0
        }
    );
    // The 5th first attempt makes a whole retry.
    budget.deposit(start + secs(59));
    assert!(budget.try_withdraw(start + secs(59)));
    assert!(!budget.try_withdraw(start + secs(59)));
    // With no traffic at all the floor is there from the start.
    let mut idle = default_budget();
    assert_eq!(idle.remaining(start), 10);
    assert_eq!((0..11).filter(|_| idle.try_withdraw(start)).count(), 10);
    // `percent: 0` is the old fixed rule: traffic adds nothing.
    let mut fixed = RetryBudget::new(BudgetConfig {
        percent: 0,
        ..BudgetConfig::default()
    });
    (0..1_000).for_each(|_| fixed.deposit(start));
    assert_eq!((0..20).filter(|_| fixed.try_withdraw(start)).count(), 10);
}

#[test]
fn deposits_expire_after_the_window_and_retries_outlive_them() {
    let start = Instant::now();
    let mut budget = default_budget();
    (0..100).for_each(|_| budget.deposit(start));
    assert_eq!(budget.remaining(start), 10 + 20);
    assert_eq!(budget.remaining(start + Duration::from_millis(59_999)), 30);
    assert_eq!(budget.remaining(start + MINUTE), 10, "deposits expired");
    assert_eq!(budget.view(start + MINUTE).first_attempts, 0);

    // 30 retries spent at 30 s on the strength of those deposits are still held after the
    // deposits expire, so the floor does not come back before the retries expire too.
    let mut budget = default_budget();
    (0..100).for_each(|_| budget.deposit(start));
    let spent = start + secs(30);
    assert_eq!((0..40).filter(|_| budget.try_withdraw(spent)).count(), 30);
    assert_eq!(budget.remaining(start + MINUTE), 0);
    assert_eq!(budget.remaining(spent + MINUTE), 0);
    assert_eq!(budget.remaining(spent + secs(61)), 10);
}

#[test]
fn memory_does_not_grow_with_traffic() {
    let start = Instant::now();
    let before = std::mem::size_of::<RetryBudget>();
    assert!(before < 2_048, "{before} bytes");
    let mut budget = default_budget();
    for ms in 0..1_000_000u64 {
        budget.deposit(start + Duration::from_millis(ms));
    }
    // 1,000 deposits a second over the last 60 s; nothing else is kept.
    let view = budget.view(start + Duration::from_millis(999_999));
    assert_eq!(view.first_attempts, 60_000);
    assert_eq!(view.allowance, 10 + 12_000);
}

/// Random traffic with bursts and quiet spells: every granted retry respects the rule in the
/// rolling minute that ends with it, exactly (no rounding slack), and every refusal happened
/// with the budget really spent, give or take one bucket.
#[test]
fn every_rolling_minute_holds_at_most_the_floor_plus_20_percent() {
    for seed in 0..5 {
        let mut rng = StdRng::seed_from_u64(seed);
        let start = Instant::now();
        let mut budget = default_budget();
        let (mut firsts, mut grants) = (Vec::new(), Vec::new());
        let mut busy = true;
        for step in 0..60_000u64 {
            let now = start + Duration::from_millis(10 * step);
            if step % 500 == 0 {
                busy = rng.random_bool(0.6);
            }
            if busy && rng.random_bool(0.2) {
                budget.deposit(now);
                firsts.push(now);
            }
            if rng.random_bool(if busy { 0.1 } else { 0.02 }) {
                if budget.try_withdraw(now) {
                    grants.push(now);
                    let retries = in_minute_to(&grants, now);
                    let cap = 10 + in_minute_to(&firsts, now) / 5;
                    assert!(retries <= cap, "seed {seed} at {step}: {retries} > {cap}");
                } else {
                    let since = |t: &Instant, d| now.saturating_duration_since(*t) >= d;
                    let spent = grants.len() - grants.partition_point(|t| since(t, secs(61)));
                    let recent = firsts.len() - firsts.partition_point(|t| since(t, secs(59)));
                    assert!(
                        spent >= 10 + recent / 5,
                        "seed {seed} at {step}: refused early"
                    );
                }
            }
        }
        assert!(
            grants.len() > 1_000,
            "seed {seed}: {} retries",
            grants.len()
        );
    }
}
