//! When to poll an asset next (docs/contract.md §6), as a pure function of the session so far: 2 s while
//! Mux is healthy, 5 s while degraded (breaker not closed or recent errors), error backoff
//! doubling to 30 s, a session that ends after 10 minutes (the asset is then marked stuck and
//! swept at a slower pace), and no more sweeps once the upload's own timeout has long passed.

use std::time::Duration;

/// How long to wait before trying again to finish an owner's deletion on Mux after `attempts`
/// failed tries: 10 s doubling to an hour, so a row Mux keeps refusing is retried for ever but
/// rarely, and never holds up the others.
pub fn deletion_backoff(attempts: i64) -> Duration {
    let exponent = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
    Duration::from_secs(10u64.saturating_mul(1 << exponent)).min(Duration::from_secs(3600))
}

/// The polling figures; `Default` is docs/contract.md §6.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// No event for this long before an in-flight asset gets a polling session.
    pub grace: Duration,
    /// A row whose create never stored its upload id is settled after this long (longer than a
    /// create can take, retries and pacing included).
    pub unsent_grace: Duration,
    pub healthy: Duration,
    pub degraded: Duration,
    /// First error backoff; doubles per consecutive error up to `max_backoff`.
    pub error_base: Duration,
    pub max_backoff: Duration,
    /// A session ends (the asset is marked stuck) after this long.
    pub session: Duration,
    /// How often a stuck asset is swept again.
    pub stuck_sweep: Duration,
    /// Stuck assets are no longer swept once this long has passed since they were created (Mux's
    /// longest upload timeout is 7 days).
    pub give_up_after: Duration,
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            grace: Duration::from_secs(60),
            unsent_grace: Duration::from_secs(120),
            healthy: Duration::from_secs(2),
            degraded: Duration::from_secs(5),
            error_base: Duration::from_secs(2),
            max_backoff: Duration::from_secs(30),
            session: Duration::from_secs(10 * 60),
            stuck_sweep: Duration::from_secs(5 * 60),
            give_up_after: Duration::from_secs(8 * 24 * 3600),
        }
    }
}

impl Schedule {
    /// docs/contract.md §6 with another grace: in-flight assets are polled after `grace` without a
    /// webhook, and interrupted creates are looked up after twice that.
    pub fn with_grace(grace: Duration) -> Self {
        Self {
            grace,
            unsent_grace: grace * 2,
            ..Self::default()
        }
    }
}

/// What one poll of an asset found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollResult {
    /// Mux answered; the asset is still in flight.
    Pending { degraded: bool },
    /// Mux could not be asked (error, breaker open); `failures` counts consecutive ones, this included.
    Failed { failures: u32 },
}

/// What to do with the asset after a poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Poll again `after` this long, within the session.
    PollIn(Duration),
    /// The session is over: mark the asset stuck and sweep it again `after` this long.
    Stuck(Duration),
    /// Stop polling this asset for good (its upload timed out long ago).
    GiveUp,
}

impl Schedule {
    /// The next step, given when the session started and the asset was created.
    pub fn next(&self, result: PollResult, session_age: Duration, asset_age: Duration) -> Next {
        if asset_age >= self.give_up_after {
            return Next::GiveUp;
        }
        if session_age >= self.session {
            return Next::Stuck(self.stuck_sweep);
        }
        Next::PollIn(match result {
            PollResult::Pending { degraded: false } => self.healthy,
            PollResult::Pending { degraded: true } => self.degraded,
            PollResult::Failed { failures } => {
                let doublings = failures.saturating_sub(1).min(16);
                (self.error_base * 2u32.pow(doublings)).min(self.max_backoff)
            }
        })
    }
}

#[cfg(test)]
mod deletion_tests {
    use super::deletion_backoff;
    use std::time::Duration;

    #[test]
    fn deletion_retries_back_off_from_ten_seconds_to_an_hour() {
        let secs: Vec<u64> = (0..12).map(|n| deletion_backoff(n).as_secs()).collect();
        assert_eq!(
            secs,
            [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600, 3600]
        );
        assert_eq!(deletion_backoff(i64::MAX), Duration::from_secs(3600));
        assert_eq!(deletion_backoff(-1), Duration::from_secs(10));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn healthy_and_degraded_intervals() {
        let schedule = Schedule::default();
        assert_eq!(
            schedule.next(PollResult::Pending { degraded: false }, S(0), S(0)),
            Next::PollIn(S(2))
        );
        assert_eq!(
            schedule.next(PollResult::Pending { degraded: true }, S(0), S(0)),
            Next::PollIn(S(5))
        );
    }

    #[test]
    fn error_backoff_doubles_to_the_cap() {
        let schedule = Schedule::default();
        let delays: Vec<_> = (1..=7)
            .map(|failures| schedule.next(PollResult::Failed { failures }, S(0), S(0)))
            .collect();
        let expected: Vec<_> = [2, 4, 8, 16, 30, 30, 30]
            .into_iter()
            .map(|s| Next::PollIn(S(s)))
            .collect();
        assert_eq!(delays, expected);
        assert_eq!(
            schedule.next(PollResult::Failed { failures: u32::MAX }, S(0), S(0)),
            Next::PollIn(S(30))
        );
    }

    #[test]
    fn sessions_end_at_ten_minutes_then_stuck_assets_are_swept_until_given_up() {
        let schedule = Schedule::default();
        let pending = PollResult::Pending { degraded: false };
        assert_eq!(schedule.next(pending, S(599), S(599)), Next::PollIn(S(2)));
        assert_eq!(schedule.next(pending, S(600), S(600)), Next::Stuck(S(300)));
        assert_eq!(
            schedule.next(pending, S(600), S(8 * 24 * 3600)),
            Next::GiveUp
        );
    }

    #[test]
    fn another_grace_moves_both_graces_and_nothing_else() {
        let short = Schedule::with_grace(S(15));
        assert_eq!((short.grace, short.unsent_grace), (S(15), S(30)));
        let default = Schedule::default();
        assert_eq!((default.grace, default.unsent_grace), (S(60), S(120)));
        assert_eq!(
            Schedule {
                grace: default.grace,
                unsent_grace: default.unsent_grace,
                ..short
            },
            default
        );
    }
}
