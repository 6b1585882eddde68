//! A pool of spare direct uploads, so a burst of users beyond Mux's POST rate gets upload URLs at
//! once instead of queueing behind muxd's pacing. Each spare is made with a reserved row id as its
//! passthrough, so when a user takes it the row is created with that id and every event Mux
//! already sent about it (kept as unmatched) applies. Spares cost nothing on Mux until used and
//! expire by themselves; one older than [`MAX_AGE`] is cancelled and replaced, and the pool is
//! cancelled on shutdown. Refills yield to users: none is made within [`QUIET`] of a user's own
//! create, so spares never take a POST slot a waiting user needs, and they go through the Mux
//! client's pacing like every POST, so they never cause a 429.
//!
//! The pool is sized from demand ([`Demand`]): it keeps as many spares as the most users that
//! created within one [`BURST_WINDOW`] during the last [`MEMORY`], at least the configured floor
//! and at most the configured cap. After a burst the pool grows to meet the next one like it;
//! when bursts stop, spares above the target are not replaced as they expire.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use mux_api::{MuxClient, Upload};

use super::direct_upload::upload_request;
use crate::config::UploadSettings;
use muxd_domain::AssetId;

/// A spare older than this is replaced (Mux's default upload timeout is 1 h).
pub const MAX_AGE: Duration = Duration::from_secs(50 * 60);
/// How long after a user's create the pool waits before refilling.
pub const QUIET: Duration = Duration::from_secs(2);
/// Creates this close together count as one burst.
pub const BURST_WINDOW: Duration = Duration::from_secs(10);
/// How long a burst is remembered (a daily peak, such as a campaign launch, recurs).
pub const MEMORY: Duration = Duration::from_secs(24 * 60 * 60);
/// The most create times remembered (a day at about one create a second).
const REMEMBERED: usize = 100_000;

/// One unused direct upload, reserved for the row id it carries as passthrough.
#[derive(Debug, Clone)]
pub struct Spare {
    pub id: AssetId,
    pub upload: Upload,
    made: Instant,
}

/// Recent users' creates (milliseconds on the pool's clock, oldest first), and the most of them
/// within one [`BURST_WINDOW`]: the burst the pool prepares for.
#[derive(Debug, Default)]
pub struct Demand {
    creates: VecDeque<u64>,
    peak: usize,
}

impl Demand {
    /// Notes a create at `at_ms` (times never go backwards).
    pub fn record(&mut self, at_ms: u64) {
        self.forget(at_ms);
        if self.creates.len() == REMEMBERED {
            self.creates.pop_front();
        }
        self.creates.push_back(at_ms);
        let window = BURST_WINDOW.as_millis() as u64;
        let burst = self
            .creates
            .iter()
            .rev()
            .take_while(|&&t| at_ms - t < window)
            .count();
        self.peak = self.peak.max(burst);
    }

    /// The most creates within one burst window among those of the last [`MEMORY`] before `now_ms`.
    pub fn peak(&mut self, now_ms: u64) -> usize {
        self.forget(now_ms);
        self.peak
    }

    /// Drops creates older than [`MEMORY`], and works the peak out again if any went.
    fn forget(&mut self, now_ms: u64) {
        let horizon = now_ms.saturating_sub(MEMORY.as_millis() as u64);
        let before = self.creates.len();
        while self.creates.front().is_some_and(|&t| t < horizon) {
            self.creates.pop_front();
        }
        if self.creates.len() == before {
            return;
        }
        let window = BURST_WINDOW.as_millis() as u64;
        let times = self.creates.make_contiguous();
        let mut first = 0;
        self.peak = 0;
        for (last, &t) in times.iter().enumerate() {
            while t - times[first] >= window {
                first += 1;
            }
            self.peak = self.peak.max(last + 1 - first);
        }
    }
}

/// How many spares to keep: the recent `peak` burst, at least `floor` and at most `cap` (a `floor`
/// of 0 turns the pool off).
pub fn target(floor: usize, cap: usize, peak: usize) -> usize {
    match floor {
        0 => 0,
        _ => peak.min(cap).max(floor),
    }
}

/// The pool: at least `floor` spares, up to `cap` when bursts ask for them; `floor` 0 turns it off.
#[derive(Debug)]
pub struct UploadPool {
    floor: usize,
    cap: usize,
    spares: Mutex<VecDeque<Spare>>,
    demand: Mutex<Demand>,
    started: Instant,
    /// Milliseconds after `started` of the last user create.
    last_user_ms: AtomicU64,
}

impl UploadPool {
    pub fn new(floor: usize, cap: usize) -> Self {
        Self {
            floor,
            cap,
            spares: Mutex::new(VecDeque::new()),
            demand: Mutex::default(),
            started: Instant::now(),
            last_user_ms: AtomicU64::new(0),
        }
    }

    /// How many spares the pool aims to keep now.
    pub fn target(&self) -> usize {
        let now = self.started.elapsed().as_millis() as u64;
        let peak = self.demand.lock().expect("pool lock").peak(now);
        target(self.floor, self.cap, peak)
    }

    /// Takes the freshest-enough spare, if any, and notes that a user is creating.
    pub fn take(&self) -> Option<Spare> {
        let now = self.started.elapsed().as_millis() as u64;
        self.last_user_ms.store(now.max(1), Ordering::Relaxed);
        if self.floor > 0 {
            self.demand.lock().expect("pool lock").record(now);
        }
        let mut spares = self.spares.lock().expect("pool lock");
        while let Some(spare) = spares.pop_front() {
            if spare.made.elapsed() < MAX_AGE {
                return Some(spare);
            }
        }
        None
    }

    /// Gives back a spare taken for a create that was refused, to be taken first next time.
    pub fn put_back(&self, spare: Spare) {
        self.spares.lock().expect("pool lock").push_front(spare);
    }

    /// How many spares are ready.
    pub fn len(&self) -> usize {
        self.spares.lock().expect("pool lock").len()
    }

    /// True when no spare is ready.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One refill step: drops stale spares (cancelling them on Mux) and, unless a user created
    /// recently or the pool holds its [`UploadPool::target`], makes one spare. Returns how many spares are ready afterwards.
    pub async fn refill_once(
        &self,
        mux: &MuxClient,
        settings: &UploadSettings,
    ) -> anyhow::Result<usize> {
        let stale: Vec<Spare> = {
            let mut spares = self.spares.lock().expect("pool lock");
            let (fresh, stale) = spares
                .drain(..)
                .partition(|s: &Spare| s.made.elapsed() < MAX_AGE);
            *spares = fresh;
            stale.into_iter().collect()
        };
        for spare in stale {
            let _ = mux.cancel_upload(&spare.upload.id).await;
        }
        let since_user = self.started.elapsed().saturating_sub(Duration::from_millis(
            self.last_user_ms.load(Ordering::Relaxed),
        ));
        if self.len() >= self.target()
            || (self.last_user_ms.load(Ordering::Relaxed) > 0 && since_user < QUIET)
        {
            return Ok(self.len());
        }
        let id = AssetId::new();
        let upload = mux
            .create_upload(&upload_request(settings, id, None, settings.encoding))
            .await?;
        self.spares.lock().expect("pool lock").push_back(Spare {
            id,
            upload,
            made: Instant::now(),
        });
        Ok(self.len())
    }

    /// Cancels every spare on Mux (at shutdown), so none lingers until it times out.
    pub async fn cancel_all(&self, mux: &MuxClient) {
        let spares: Vec<Spare> = self.spares.lock().expect("pool lock").drain(..).collect();
        for spare in spares {
            let _ = mux.cancel_upload(&spare.upload.id).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1000;

    #[test]
    fn the_peak_is_the_most_creates_within_one_burst_window() {
        let mut demand = Demand::default();
        for at in [0, 1, 2, 3] {
            demand.record(at * S);
        }
        // Four within 10 s; then three more, each 4 s apart, never more than 3 in a window.
        for at in [20, 24, 28] {
            demand.record(at * S);
        }
        assert_eq!(demand.peak(30 * S), 4);
        // 30 users within a second.
        for n in 0..30 {
            demand.record(100 * S + n * 30);
        }
        assert_eq!(demand.peak(101 * S), 30);
    }

    #[test]
    fn a_burst_is_forgotten_after_a_day() {
        let mut demand = Demand::default();
        for n in 0..30 {
            demand.record(n);
        }
        demand.record(MEMORY.as_millis() as u64 / 2);
        assert_eq!(demand.peak(MEMORY.as_millis() as u64 - 1), 30);
        assert_eq!(demand.peak(MEMORY.as_millis() as u64 + 100), 1);
    }

    #[test]
    fn the_target_is_the_peak_between_the_floor_and_the_cap() {
        assert_eq!(target(4, 32, 0), 4);
        assert_eq!(target(4, 32, 30), 30);
        assert_eq!(target(4, 32, 500), 32);
        assert_eq!(target(4, 2, 30), 4, "a cap below the floor keeps the floor");
        assert_eq!(target(0, 32, 30), 0, "a floor of 0 turns the pool off");
    }

    #[test]
    fn a_pool_grows_to_the_burst_it_saw() {
        let pool = UploadPool::new(2, 16);
        assert_eq!(pool.target(), 2);
        for _ in 0..10 {
            assert!(pool.take().is_none());
        }
        assert_eq!(pool.target(), 10);
        let off = UploadPool::new(0, 16);
        for _ in 0..10 {
            assert!(off.take().is_none());
        }
        assert_eq!(off.target(), 0);
    }
}
