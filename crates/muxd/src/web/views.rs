//! The JSON shapes muxd's own API returns (camelCase, as the guide's app expects), with their
//! OpenAPI schemas derived from the same structs.

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::time::rfc3339;
use crate::domain::{AssetId, AssetStatus, CampaignId, InfluencerId};
use crate::store::assets::CreativeAsset;
use crate::store::outbox::PendingChange;

/// An error Mux reported for an asset.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorView {
    #[serde(rename = "type")]
    pub kind: String,
    pub message: String,
}

/// One `CreativeAsset` as its owner sees it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssetView {
    pub id: AssetId,
    pub name: String,
    pub description: Option<String>,
    pub status: AssetStatus,
    pub campaign_id: Option<CampaignId>,
    pub influencer_id: Option<InfluencerId>,
    pub mux_upload_id: Option<String>,
    pub mux_asset_id: Option<String>,
    pub upload_url: Option<String>,
    pub playback_id: Option<String>,
    pub playback_url: Option<String>,
    /// The `highest` MP4 static rendition (mux-api.md §4.4), playable without an HLS player.
    pub mp4_url: Option<String>,
    pub duration: Option<f64>,
    pub aspect_ratio: Option<String>,
    pub resolution_tier: Option<String>,
    pub error: Option<ErrorView>,
    pub stuck: bool,
    pub created_at: String,
    pub updated_at: String,
    pub ready_at: Option<String>,
    pub version: i64,
}

impl From<&CreativeAsset> for AssetView {
    fn from(asset: &CreativeAsset) -> Self {
        let in_flight = asset.facts.status.is_in_flight();
        AssetView {
            id: asset.id,
            name: asset.name.clone(),
            description: asset.description.clone(),
            status: asset.facts.status,
            campaign_id: asset.campaign_id,
            influencer_id: asset.influencer_id,
            mux_upload_id: asset.mux_upload_id.clone(),
            mux_asset_id: asset.facts.mux_asset_id.clone(),
            upload_url: asset
                .upload_url
                .clone()
                .filter(|_| asset.facts.status == AssetStatus::AwaitingUpload),
            playback_id: asset.facts.ready.playback_id.clone(),
            playback_url: asset
                .url
                .clone()
                .filter(|_| asset.facts.status == AssetStatus::Ready),
            mp4_url: asset
                .url
                .as_deref()
                .filter(|_| asset.facts.status == AssetStatus::Ready)
                .and_then(|hls| hls.strip_suffix(".m3u8"))
                .map(|base| format!("{base}/highest.mp4")),
            duration: asset.facts.ready.duration_s,
            aspect_ratio: asset.facts.ready.aspect_ratio.clone(),
            resolution_tier: asset.facts.ready.resolution_tier.clone(),
            // A ready asset may also know of an earlier, overruled error: not the user's concern.
            error: asset
                .facts
                .error
                .as_ref()
                .filter(|_| asset.facts.status == AssetStatus::Error)
                .map(|e| ErrorView {
                    kind: e.kind.clone(),
                    message: e.message.clone(),
                }),
            stuck: in_flight && asset.stuck_since.is_some(),
            created_at: rfc3339(asset.created_at),
            updated_at: rfc3339(asset.updated_at),
            ready_at: asset.facts.ready_at_ms.map(rfc3339),
            version: asset.version,
        }
    }
}

/// An outbound webhook's body, in the shape Standard Webhooks recommends: `type`, `timestamp`
/// (when the change was made) and `data`, the asset as its owner sees it when the message was
/// made (moments after the change; order changes of one asset by `data.version`).
pub fn outbound_payload(change: &PendingChange) -> String {
    serde_json::json!({
        "type": change.event_type,
        "timestamp": rfc3339(change.at),
        "data": AssetView::from(&change.asset),
    })
    .to_string()
}
