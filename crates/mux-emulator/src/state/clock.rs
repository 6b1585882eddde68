//! The emulator's clock: wall time plus an offset that the control API can advance, so tests can
//! make an upload time out (Mux's minimum timeout is 60 s, docs/mux-facts.md §2.1) without waiting.
//!
//! Waits that model time passing at Mux (processing, the webhook reorder window) use
//! [`Clock::sleep`], which also ends when the clock is advanced past its end, so a test drives
//! them by advancing the clock instead of sleeping.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;
use tokio::sync::Notify;

/// A moment on the emulator's clock, for [`Clock::sleep_until`].
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    started: tokio::time::Instant,
    offset_at_start: Duration,
    duration: Duration,
}

#[derive(Default)]
pub struct Clock {
    offset_ms: AtomicU64,
    /// Woken on every `advance`, so sleepers can re-check their end.
    advanced: Notify,
}

impl Clock {
    pub fn advance(&self, by: Duration) {
        self.offset_ms
            .fetch_add(by.as_millis() as u64, Ordering::SeqCst);
        self.advanced.notify_waiters();
    }

    pub fn now(&self) -> SystemTime {
        SystemTime::now() + self.offset()
    }

    pub fn unix_s(&self) -> u64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs()
    }

    pub fn unix_ms(&self) -> u64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis() as u64
    }

    /// ISO-8601 with microseconds, as webhook envelopes carry it (docs/mux-facts.md §5.1).
    pub fn iso(&self) -> String {
        iso(self.now())
    }

    /// The moment `duration` from now on this clock, fixed now (not when first awaited).
    pub fn deadline(&self, duration: Duration) -> Deadline {
        Deadline {
            started: tokio::time::Instant::now(),
            offset_at_start: self.offset(),
            duration,
        }
    }

    /// Waits until `duration` has passed on this clock.
    pub async fn sleep(&self, duration: Duration) {
        self.sleep_until(self.deadline(duration)).await;
    }

    /// Waits until `deadline`: real (monotonic) time plus whatever the clock was advanced by
    /// since the deadline was set.
    pub async fn sleep_until(&self, deadline: Deadline) {
        loop {
            // Registered before reading the offset, so an advance in between is not missed.
            let advanced = self.advanced.notified();
            tokio::pin!(advanced);
            advanced.as_mut().enable();
            let skipped = self.offset().saturating_sub(deadline.offset_at_start);
            let Some(left) = deadline.duration.checked_sub(skipped) else {
                return;
            };
            tokio::select! {
                _ = tokio::time::sleep_until(deadline.started + left) => return,
                _ = advanced => {}
            }
        }
    }

    fn offset(&self) -> Duration {
        Duration::from_millis(self.offset_ms.load(Ordering::SeqCst))
    }
}

pub fn iso(at: SystemTime) -> String {
    let t = OffsetDateTime::from(at);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn sleep_takes_its_full_duration_when_nobody_advances() {
        let clock = Clock::default();
        let started = tokio::time::Instant::now();
        clock.sleep(Duration::from_secs(600)).await;
        assert_eq!(started.elapsed(), Duration::from_secs(600));
    }

    #[tokio::test(start_paused = true)]
    async fn advancing_past_the_end_wakes_a_sleeper() {
        let clock = Arc::new(Clock::default());
        let sleeper = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep(Duration::from_secs(600)).await }
        });
        tokio::task::yield_now().await;
        clock.advance(Duration::from_secs(200));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished(), "200 s of 600 s skipped");
        clock.advance(Duration::from_secs(400));
        let started = tokio::time::Instant::now();
        sleeper.await.unwrap();
        assert_eq!(
            started.elapsed(),
            Duration::ZERO,
            "woken without real time passing"
        );
    }
}
