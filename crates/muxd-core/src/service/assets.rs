//! An owner's edits to their asset (name, description, influencer): so many per user a minute,
//! checked by the same rules as creating, applied in one step with the ownership check, and
//! announced to live pages. An edit that changes nothing writes and announces nothing.

use std::sync::Arc;

use super::live::{AssetChanged, LiveHub};
use super::rate_limit::PerUserLimit;
use super::Refusal;
use muxd_domain::{details, InfluencerId};
use muxd_store::{CreativeAsset, Store, User};

/// What an owner asks to change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct Edit {
    pub name: Option<String>,
    /// `Some("")` clears the description.
    pub description: Option<String>,
    pub influencer: Option<InfluencerId>,
}

/// Owners' edits. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AssetEdits {
    pub store: Store,
    pub live: LiveHub,
    /// Edits per user per minute.
    pub per_user: Arc<PerUserLimit>,
}

impl AssetEdits {
    /// Applies `edit` to `user`'s asset and returns the row as it now is.
    pub async fn edit(
        &self,
        user: &User,
        asset: &CreativeAsset,
        edit: Edit,
    ) -> Result<CreativeAsset, Refusal> {
        self.per_user
            .check(user.id)
            .map_err(|wait| Refusal::TooMany {
                what: "edits",
                wait,
            })?;
        let name = edit
            .name
            .as_deref()
            .map(details::name)
            .transpose()
            .map_err(Refusal::Invalid)?;
        let description = edit
            .description
            .as_deref()
            .map(details::description)
            .transpose()
            .map_err(Refusal::Invalid)?;
        if let Some(influencer) = edit.influencer {
            let campaign = asset
                .campaign_id
                .ok_or_else(|| Refusal::Invalid("this asset has no campaign".into()))?;
            let known = self.store.influencers(campaign).await?;
            if !known.iter().any(|i| i.id == influencer) {
                return Err(Refusal::Invalid(
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
            .ok_or(Refusal::NotFound)?;
        if updated.changed {
            self.live.publish(AssetChanged {
                asset_id: updated.asset.id,
                owner_id: updated.asset.owner_id,
                status: updated.asset.facts.status,
            });
        }
        Ok(updated.asset)
    }
}
