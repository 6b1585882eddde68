//! Adopting an asset made outside muxd: one row per Mux asset however often, and however
//! concurrently, it is adopted. The insert leans on the unique index on `mux_asset_id`
//! (`ON CONFLICT … DO NOTHING`, then read), and records the row's creation in `asset_events`
//! like every change, so the host app hears `asset.created`.

use super::assets::{find_by_keys, CreativeAsset};
use super::transitions::RECORD;
use super::{now_ms, run, Store, StoreError, StoreResult};
use muxd_domain::outbound::EventType;
use muxd_domain::{AssetId, AssetOrigin, AssetStatus, CampaignId, Cause, InfluencerId};
use muxd_domain::{MatchKeys, MuxAssetId, UserId};

/// What an adopted row starts with; the lifecycle fills in the rest from Mux's asset.
#[derive(Clone, Debug)]
pub struct NewAdoption {
    pub id: AssetId,
    pub owner_id: UserId,
    pub campaign_id: Option<CampaignId>,
    pub influencer_id: Option<InfluencerId>,
    pub name: String,
    pub mux_asset_id: MuxAssetId,
}

impl Store {
    /// The row tracking the Mux asset `new.mux_asset_id`, made from `new` (AWAITING_UPLOAD,
    /// origin `adopted`, its creation recorded as caused by `cause`) unless a row already
    /// tracks it: one that knows any of `keys` (the asset id, or the upload or passthrough of
    /// an asset muxd's own upload made). Returns the row and whether it is new.
    pub async fn adopt(
        &self,
        new: &NewAdoption,
        keys: &MatchKeys,
        cause: &Cause,
    ) -> StoreResult<(CreativeAsset, bool)> {
        let mut tx = self.begin().await?;
        if let Some(existing) = find_by_keys(&mut tx.conn(), keys).await? {
            tx.commit().await?;
            return Ok((existing, false));
        }
        let now = now_ms();
        let inserted = run!(&mut tx.conn(), c => sqlx::query(
            "INSERT INTO creative_assets (id, owner_id, campaign_id, influencer_id, name,
                passthrough, mux_asset_id, mux_processing_status, origin, version, created_at,
                updated_at)
             VALUES ($1, $2, $3, $4, $5, $1, $6, $7, $8, 0, $9, $9)
             ON CONFLICT (mux_asset_id) WHERE mux_asset_id IS NOT NULL DO NOTHING",
        )
        .bind(new.id.to_string())
        .bind(new.owner_id.to_string())
        .bind(new.campaign_id.map(|c| c.to_string()))
        .bind(new.influencer_id.map(|i| i.to_string()))
        .bind(&new.name)
        .bind(&*new.mux_asset_id)
        .bind(AssetStatus::AwaitingUpload.as_str())
        .bind(AssetOrigin::Adopted.as_str())
        .bind(now)
        .execute(&mut **c)
        .await
        .map(|done| done.rows_affected()))?;
        if inserted == 1 {
            let status = AssetStatus::AwaitingUpload.as_str();
            run!(&mut tx.conn(), c => sqlx::query(RECORD)
                .bind(new.id.to_string())
                .bind(status)
                .bind(status)
                .bind(cause.kind())
                .bind(cause.reference())
                .bind(now)
                .bind(EventType::Created.as_str())
                .execute(&mut **c)
                .await
                .map(drop))?;
        }
        // Ours, or the row a concurrent adoption of the same asset committed first.
        let by_asset = MatchKeys {
            asset_id: Some(new.mux_asset_id.clone()),
            ..MatchKeys::default()
        };
        let row = find_by_keys(&mut tx.conn(), &by_asset).await?;
        tx.commit().await?;
        let row = row.ok_or_else(|| {
            StoreError::Corrupt(format!("no row tracks asset {}", new.mux_asset_id))
        })?;
        Ok((row, inserted == 1))
    }
}
