//! Deleting: an owner's delete is recorded at once (the row turns DELETED, final, and is marked
//! for deletion on Mux); the Mux asset (or the unused upload) is then deleted now if Mux answers,
//! or by the deletion job, retried with a per-row backoff until Mux confirms, so no deletion is
//! ever forgotten and none holds up the others. An upload that can no longer be cancelled became
//! an asset (or ended): muxd asks Mux which asset and deletes that, without waiting for a webhook.

use mux_api::MuxClient;

use super::live::{AssetChanged, LiveHub};
use super::ServiceError;
use muxd_domain::schedule::deletion_backoff;
use muxd_domain::{AssetStatus, Cause};
use muxd_store::{now_ms, CreativeAsset, Store, StoreError, User};

/// Rows finished per sweep.
const SWEEP_BATCH: i64 = 20;

/// Where an owner's deletion stands on Mux.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MuxDeletion {
    Done,
    /// Mux did not confirm yet; the deletion job finishes it.
    Pending,
}

/// Deletes assets. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Deletions {
    pub store: Store,
    pub mux: MuxClient,
    pub live: LiveHub,
}

impl Deletions {
    /// Records `user`'s deletion of `asset` and tries Mux for this asset only; if that fails,
    /// the sweep finishes it.
    pub async fn delete_by_owner(
        &self,
        user: &User,
        asset: &CreativeAsset,
    ) -> Result<MuxDeletion, StoreError> {
        let cause = Cause::User {
            user_id: user.id.to_string(),
        };
        self.store.delete_by_owner(asset.id, &cause).await?;
        self.live.publish(AssetChanged {
            asset_id: asset.id,
            owner_id: asset.owner_id,
            status: AssetStatus::Deleted,
        });
        let Some(deleted) = self.store.asset(asset.id).await? else {
            return Ok(MuxDeletion::Done);
        };
        match self.finish(&deleted).await {
            Ok(true) => Ok(MuxDeletion::Done),
            Ok(false) => Ok(MuxDeletion::Pending),
            Err(error) => {
                tracing::warn!(asset.id = %asset.id, error = %error, "deleting on Mux deferred");
                Ok(MuxDeletion::Pending)
            }
        }
    }

    /// One sweep at `now`: deletes on Mux what owners deleted in muxd and is due. Returns how many
    /// rows were finished; a row whose Mux call fails waits its backoff.
    pub async fn finish_pending(&self, now: i64) -> Result<usize, ServiceError> {
        let mut finished = 0;
        for asset in self.store.pending_deletions(now, SWEEP_BATCH).await? {
            finished += usize::from(self.finish(&asset).await?);
        }
        Ok(finished)
    }

    /// Deletes one owner-deleted row's Mux asset, or cancels its unused upload. Returns whether
    /// the deletion is finished; if not, the row waits its backoff for a later sweep.
    async fn finish(&self, asset: &CreativeAsset) -> Result<bool, ServiceError> {
        match self.delete_on_mux(asset).await {
            Ok(()) => {
                self.store.clear_delete_pending(asset.id).await?;
                Ok(true)
            }
            Err(error) => {
                let wait = deletion_backoff(asset.delete_attempts);
                tracing::warn!(asset.id = %asset.id, error = %error, retry_in_s = wait.as_secs(), "Mux deletion failed; will retry");
                let next_at = now_ms() + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX);
                self.store.defer_deletion(asset.id, next_at).await?;
                Ok(false)
            }
        }
    }

    /// Removes what Mux holds for `asset`: its asset, else its upload (cancelled while waiting,
    /// else the asset it became). Already gone counts as done.
    async fn delete_on_mux(&self, asset: &CreativeAsset) -> Result<(), mux_api::MuxError> {
        let result = match (&asset.facts.mux_asset_id, &asset.mux_upload_id) {
            (Some(asset_id), _) => self.mux.delete_asset(asset_id).await,
            (None, Some(upload_id)) => match self.mux.cancel_upload(upload_id).await {
                // No longer waiting: it became an asset (delete that) or ended by itself.
                Err(error) if error.status() == Some(403) => {
                    match self.mux.get_upload(upload_id).await?.asset_id {
                        Some(asset_id) => self.mux.delete_asset(&asset_id).await,
                        None => Ok(()),
                    }
                }
                other => other.map(drop),
            },
            (None, None) => Ok(()),
        };
        match result {
            Err(error) if error.is_not_found() => Ok(()),
            other => other,
        }
    }
}
