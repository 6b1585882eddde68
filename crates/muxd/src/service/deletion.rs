//! Deleting: an owner's delete is recorded at once (the row turns DELETED, final, and is marked
//! for deletion on Mux); the Mux asset (or the unused upload) is then deleted now if Mux answers,
//! or by the deletion job, retried until Mux confirms, so no deletion is ever forgotten.

use mux_api::MuxClient;

use super::live::{AssetChanged, LiveHub};
use super::ServiceError;
use crate::domain::{AssetStatus, Cause};
use crate::store::{CreativeAsset, Store, StoreError, User};

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

    /// One sweep: deletes on Mux what owners deleted in muxd. Returns how many rows were
    /// finished; a row whose Mux call fails stays pending for the next sweep.
    pub async fn finish_pending(&self) -> Result<usize, ServiceError> {
        let mut finished = 0;
        for asset in self.store.pending_deletions(SWEEP_BATCH).await? {
            finished += usize::from(self.finish(&asset).await?);
        }
        Ok(finished)
    }

    /// Deletes one owner-deleted row's Mux asset, or cancels its unused upload. Returns whether
    /// the deletion is finished; if not, the row stays pending for a later sweep.
    async fn finish(&self, asset: &CreativeAsset) -> Result<bool, ServiceError> {
        let result = match (&asset.facts.mux_asset_id, &asset.mux_upload_id) {
            (Some(asset_id), _) => self.mux.delete_asset(asset_id).await,
            (None, Some(upload_id)) => self.mux.cancel_upload(upload_id).await.map(drop),
            (None, None) => Ok(()),
        };
        match result {
            Ok(()) => {}
            // Already gone on Mux.
            Err(error) if error.is_not_found() => {}
            // The upload can no longer be cancelled: it became an asset. Once the row learns that
            // asset's id (from its webhooks), a later sweep deletes it.
            Err(error) if error.status() == Some(403) && asset.facts.mux_asset_id.is_none() => {
                return Ok(false)
            }
            Err(error) => {
                tracing::warn!(asset.id = %asset.id, error = %error, "Mux deletion failed; will retry");
                return Ok(false);
            }
        }
        self.store.clear_delete_pending(asset.id).await?;
        Ok(true)
    }
}
