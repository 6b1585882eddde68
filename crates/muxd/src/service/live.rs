//! Live asset changes for pages: an in-process broadcast of "this asset changed", published after
//! each committed change. Subscribers (the server-sent events endpoint) filter by owner and read
//! the row itself, so a message carries no state that could go stale.

use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use crate::domain::{AssetId, AssetStatus, Change, UserId};
use crate::store::assets::CreativeAsset;

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
}

impl Default for LiveHub {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(CAPACITY).0,
            closed: CancellationToken::new(),
        }
    }
}

impl LiveHub {
    /// Announces one change (no-op when nobody listens).
    pub fn publish(&self, change: AssetChanged) {
        let _ = self.sender.send(change);
    }

    /// Announces each applied lifecycle change.
    pub fn publish_all(&self, changes: &[(CreativeAsset, Change)]) {
        for (asset, change) in changes {
            self.publish(AssetChanged {
                asset_id: asset.id,
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
