//! A small pool of spare direct uploads, so a burst of users beyond Mux's POST rate gets upload
//! URLs at once instead of queueing behind muxd's pacing. Each spare is made with a reserved row
//! id as its passthrough, so when a user takes it the row is created with that id and every event
//! Mux already sent about it (kept as unmatched) applies. Spares cost nothing on Mux until used
//! and expire by themselves; one older than [`MAX_AGE`] is cancelled and replaced, and the pool is
//! cancelled on shutdown. Refills yield to users: none is made within [`QUIET`] of a user's own
//! create, so spares never take a POST slot a waiting user needs.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use mux_api::{MuxClient, Upload};

use super::direct_upload::upload_request;
use crate::config::UploadSettings;
use crate::domain::AssetId;

/// A spare older than this is replaced (Mux's default upload timeout is 1 h).
pub const MAX_AGE: Duration = Duration::from_secs(50 * 60);
/// How long after a user's create the pool waits before refilling.
pub const QUIET: Duration = Duration::from_secs(2);

/// One unused direct upload, reserved for the row id it carries as passthrough.
#[derive(Debug, Clone)]
pub struct Spare {
    pub id: AssetId,
    pub upload: Upload,
    made: Instant,
}

/// The pool. `size` 0 turns it off.
#[derive(Debug)]
pub struct UploadPool {
    size: usize,
    spares: Mutex<VecDeque<Spare>>,
    started: Instant,
    /// Milliseconds after `started` of the last user create.
    last_user_ms: AtomicU64,
}

impl UploadPool {
    pub fn new(size: usize) -> Self {
        Self {
            size,
            spares: Mutex::new(VecDeque::new()),
            started: Instant::now(),
            last_user_ms: AtomicU64::new(0),
        }
    }

    /// Takes the freshest-enough spare, if any, and notes that a user is creating.
    pub fn take(&self) -> Option<Spare> {
        self.last_user_ms
            .store(self.started.elapsed().as_millis() as u64, Ordering::Relaxed);
        let mut spares = self.spares.lock().expect("pool lock");
        while let Some(spare) = spares.pop_front() {
            if spare.made.elapsed() < MAX_AGE {
                return Some(spare);
            }
        }
        None
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
    /// recently, makes one spare. Returns how many spares are ready afterwards.
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
        if self.len() >= self.size
            || (self.last_user_ms.load(Ordering::Relaxed) > 0 && since_user < QUIET)
        {
            return Ok(self.len());
        }
        let id = AssetId::new();
        let upload = mux
            .create_upload(&upload_request(settings, id, None))
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
