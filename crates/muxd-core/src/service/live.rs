//! Live asset changes for pages: an in-process broadcast of "this asset changed", published after
//! each committed change. Subscribers (the server-sent events endpoint) filter by owner and read
//! the row itself, so a message carries no state that could go stale. On PostgreSQL the hub also
//! forwards its own changes to the other instances and takes theirs (`live_bridge.rs`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use tokio::sync::{broadcast, mpsc, watch};
use tokio_util::sync::CancellationToken;

use muxd_domain::{AssetId, AssetStatus, Change, UserId};
use muxd_store::assets::CreativeAsset;

/// How many changes a slow subscriber may fall behind before it is told to resync.
const CAPACITY: usize = 1024;

/// One committed change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetChanged {
    pub asset_id: AssetId,
    pub owner_id: UserId,
    pub status: AssetStatus,
}

/// The broadcast hub. Cheap to clone.
#[derive(Debug, Clone)]
pub struct LiveHub {
    sender: broadcast::Sender<AssetChanged>,
    closed: CancellationToken,
    /// Where this instance's own changes also go (the other instances), once attached.
    forward: Arc<OnceLock<mpsc::Sender<AssetChanged>>>,
    /// Set when a change could not be queued for the other instances (their pages must reload).
    forward_dropped: Arc<AtomicBool>,
    /// Bumped when changes may have been missed (the other instances' feed was cut).
    resyncs: Arc<watch::Sender<u64>>,
}

impl Default for LiveHub {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(CAPACITY).0,
            closed: CancellationToken::new(),
            forward: Arc::default(),
            forward_dropped: Arc::default(),
            resyncs: Arc::new(watch::channel(0).0),
        }
    }
}

impl LiveHub {
    /// Announces one change of this instance's (no-op when nobody listens).
    pub fn publish(&self, change: AssetChanged) {
        if let Some(forward) = self.forward.get() {
            if forward.try_send(change.clone()).is_err() {
                self.note_forward_drop();
                tracing::warn!(asset.id = %change.asset_id, "live change not forwarded to other instances (queue full or closed); their pages will be told to reload");
            }
        }
        let _ = self.sender.send(change);
    }

    /// Also sends this instance's changes to `forward` from now on (set once).
    pub fn forward_to(&self, forward: mpsc::Sender<AssetChanged>) {
        let _ = self.forward.set(forward);
    }

    /// Remembers that the other instances missed a change (until [`LiveHub::take_forward_drops`]).
    pub fn note_forward_drop(&self) {
        self.forward_dropped.store(true, Ordering::Relaxed);
    }

    /// Whether a change failed to reach the forward queue since the last call (and forgets it).
    pub fn take_forward_drops(&self) -> bool {
        self.forward_dropped.swap(false, Ordering::Relaxed)
    }

    /// Announces a change another instance made (not forwarded again).
    pub fn deliver_remote(&self, change: AssetChanged) {
        let _ = self.sender.send(change);
    }

    /// Tells every page that changes may have been missed, so it reloads.
    pub fn resync_all(&self) {
        self.resyncs.send_modify(|n| *n += 1);
    }

    /// Notices of [`LiveHub::resync_all`].
    pub fn resyncs(&self) -> watch::Receiver<u64> {
        self.resyncs.subscribe()
    }

    /// Announces each applied lifecycle change. A take's (a card's new file on its way) is its
    /// card's: pages know only the card.
    pub fn publish_all(&self, changes: &[(CreativeAsset, Change)]) {
        for (asset, change) in changes {
            self.publish(AssetChanged {
                asset_id: asset.replaces.unwrap_or(asset.id),
                owner_id: asset.owner_id,
                status: change.to,
            });
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<AssetChanged> {
        self.sender.subscribe()
    }

    /// Ends every live stream (the server is shutting down; pages reconnect elsewhere and
    /// resume from where they were).
    pub fn close(&self) {
        self.closed.cancel();
    }

    /// Resolves once [`LiveHub::close`] is called.
    pub async fn closed(&self) {
        self.closed.cancelled().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change() -> AssetChanged {
        AssetChanged {
            asset_id: AssetId::new(),
            owner_id: UserId::new(),
            status: AssetStatus::Ready,
        }
    }

    #[test]
    fn a_change_that_does_not_fit_the_forward_queue_is_remembered_once() {
        let hub = LiveHub::default();
        let (sender, mut receiver) = mpsc::channel(1);
        hub.forward_to(sender);
        hub.publish(change());
        assert!(!hub.take_forward_drops());
        hub.publish(change());
        assert!(hub.take_forward_drops(), "the second change did not fit");
        assert!(!hub.take_forward_drops(), "told once");
        assert!(receiver.try_recv().is_ok());
    }
}
