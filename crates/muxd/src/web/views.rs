//! The JSON shapes muxd's own API returns (camelCase, as the guide's app expects), with their
//! OpenAPI schemas derived from the same structs. An asset's view is made by [`Links::view`],
//! which adds its poster and, for a signed playback id, short-lived tokens to its media URLs.

use std::sync::Arc;

use serde::Serialize;
use utoipa::ToSchema;

use super::playback_tokens::PlaybackTokens;
use crate::domain::playback_token::Audience;
use crate::domain::replacement::ReplacementStatus;
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

/// A card's new file while its old video still plays (`POST /api/creative-assets/{id}/replace`):
/// uploading, processing, or failed with Mux's reason (the old video stays).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplacementView {
    pub status: ReplacementStatus,
    pub error: Option<ErrorView>,
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
    /// The `highest` MP4 static rendition (docs/mux-facts.md §4.4), playable without an HLS player;
    /// only once Mux says it is ready (asked for when `MUXD_MP4_RENDITIONS` is on).
    pub mp4_url: Option<String>,
    /// A still of the video, for a poster (once READY).
    pub thumbnail_url: Option<String>,
    /// The storyboard (WebVTT of timed stills) players show while seeking (once READY).
    pub storyboard_url: Option<String>,
    pub duration: Option<f64>,
    pub aspect_ratio: Option<String>,
    pub resolution_tier: Option<String>,
    pub error: Option<ErrorView>,
    /// What Mux warned about the file, in words (e.g. a non-standard format that takes longer).
    pub warnings: Vec<String>,
    pub stuck: bool,
    pub created_at: String,
    pub updated_at: String,
    pub ready_at: Option<String>,
    pub version: i64,
    /// The new file this asset is being replaced with, until it is READY (then this asset plays
    /// it) or after it failed; null when none.
    pub replacement: Option<ReplacementView>,
    /// When this asset last took a new file's video (RFC 3339), if ever.
    pub replaced_at: Option<String>,
}

/// Where an asset's media is: the image host for posters, and the signer of tokens for signed
/// playback ids (their URLs carry `?token=`; public ones need none). Cheap to clone.
#[derive(Clone, Debug)]
pub struct Links {
    pub image_base: String,
    /// Tokens for signed playback ids, when a URL signing key is configured.
    pub tokens: Option<Arc<PlaybackTokens>>,
    /// Whether pages play a video without an MP4 with Mux Player (else a plain `<video>`).
    pub mux_player: bool,
}

impl Links {
    /// `asset` as its owner (or the host app) sees it now. Only callers allowed to see the
    /// asset get a view, so only they get its tokens.
    pub fn view(&self, asset: &CreativeAsset) -> AssetView {
        let mut view = AssetView::unsigned(asset);
        let Some(playback_id) = view
            .playback_id
            .clone()
            .filter(|_| view.playback_url.is_some())
        else {
            return view;
        };
        let mut thumbnail = format!("{}/{playback_id}/thumbnail.png", self.image_base);
        let mut storyboard = format!("{}/{playback_id}/storyboard.vtt", self.image_base);
        let signed = asset.facts.ready.playback_policy.as_deref() == Some("signed");
        if let (true, Some(tokens)) = (signed, &self.tokens) {
            let now_s = crate::store::now_ms() / 1000;
            let token = |audience| tokens.token(&playback_id, audience, now_s);
            let video = token(Audience::Video);
            for url in [&mut view.playback_url, &mut view.mp4_url]
                .into_iter()
                .flatten()
            {
                url.push_str(&format!("?token={video}"));
            }
            thumbnail.push_str(&format!("?token={}", token(Audience::Thumbnail)));
            storyboard.push_str(&format!("?token={}", token(Audience::Storyboard)));
        }
        view.thumbnail_url = Some(thumbnail);
        view.storyboard_url = Some(storyboard);
        view
    }
}

impl AssetView {
    /// The view without poster or tokens (see [`Links::view`]).
    fn unsigned(asset: &CreativeAsset) -> Self {
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
                .filter(|_| asset.facts.status == AssetStatus::Ready && asset.facts.ready.mp4_ready)
                .and_then(|hls| hls.strip_suffix(".m3u8"))
                .map(|base| format!("{base}/highest.mp4")),
            thumbnail_url: None,
            storyboard_url: None,
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
            warnings: asset.facts.warnings.clone(),
            stuck: in_flight && asset.stuck_since.is_some(),
            created_at: rfc3339(asset.created_at),
            updated_at: rfc3339(asset.updated_at),
            ready_at: asset.facts.ready_at_ms.map(rfc3339),
            version: asset.version,
            replacement: asset.replacement.as_ref().map(|r| ReplacementView {
                status: r.status,
                error: r.error.as_ref().map(|e| ErrorView {
                    kind: e.kind.clone(),
                    message: e.message.clone(),
                }),
            }),
            replaced_at: asset.replaced_at.map(rfc3339),
        }
    }
}

/// An outbound webhook's body, in the shape Standard Webhooks recommends: `type`, `timestamp`
/// (when the change was made) and `data`, the asset as its owner sees it when the message was
/// made (moments after the change; order changes of one asset by `data.version`). The swap of a
/// replaced video says so: `data.replaced` is true.
pub fn outbound_payload(links: &Links, change: &PendingChange) -> String {
    let mut data = serde_json::json!(links.view(&change.asset));
    if change.replaced {
        data["replaced"] = serde_json::Value::Bool(true);
    }
    serde_json::json!({
        "type": change.event_type,
        "timestamp": rfc3339(change.at),
        "data": data,
    })
    .to_string()
}
