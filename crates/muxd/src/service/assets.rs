//! An owner's edits to their asset (name, description, influencer): checked by the same rules as
//! creating, applied in one step with the ownership check, and announced to live pages.

use super::live::{AssetChanged, LiveHub};
use crate::domain::{details, InfluencerId};
use crate::store::{CreativeAsset, Store, StoreError, User};

/// What an owner asks to change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct Edit {
    pub name: Option<String>,
    /// `Some("")` clears the description.
    pub description: Option<String>,
    pub influencer: Option<InfluencerId>,
}

/// Why an edit was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// The edit breaks a rule; the message is a sentence for the user.
    #[error("{0}")]
    Invalid(String),
    /// Not the caller's asset, or deleted.
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Owners' edits. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AssetEdits {
    pub store: Store,
    pub live: LiveHub,
}

impl AssetEdits {
    /// Applies `edit` to `user`'s asset and returns the new row.
    pub async fn edit(
        &self,
        user: &User,
        asset: &CreativeAsset,
        edit: Edit,
    ) -> Result<CreativeAsset, EditError> {
        let name = edit
            .name
            .as_deref()
            .map(details::name)
            .transpose()
            .map_err(EditError::Invalid)?;
        let description = edit
            .description
            .as_deref()
            .map(details::description)
            .transpose()
            .map_err(EditError::Invalid)?;
        if let Some(influencer) = edit.influencer {
            let campaign = asset
                .campaign_id
                .ok_or_else(|| EditError::Invalid("this asset has no campaign".into()))?;
            let known = self.store.influencers(campaign).await?;
            if !known.iter().any(|i| i.id == influencer) {
                return Err(EditError::Invalid(
                    "that influencer is not in this asset's campaign".into(),
                ));
            }
        }
        let updated = self
            .store
            .update_details(
                asset.id,
                user.id,
                name.as_deref(),
                description.as_ref().map(Option::as_deref),
                edit.influencer,
            )
            .await?
            .ok_or(EditError::NotFound)?;
        self.live.publish(AssetChanged {
            asset_id: updated.id,
            owner_id: updated.owner_id,
            status: updated.facts.status,
        });
        Ok(updated)
    }
}
