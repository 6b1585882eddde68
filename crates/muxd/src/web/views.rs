//! The JSON shapes muxd's own API returns (camelCase, as the guide's app expects), with their
//! OpenAPI schemas derived from the same structs. An asset's view is made by [`Links::view`],
//! which adds its poster and, for a signed playback id, short-lived tokens to its media URLs.

use std::sync::Arc;

use serde::Serialize;
use utoipa::ToSchema;

use super::playback_tokens::PlaybackTokens;
use crate::domain::encoding::{ResolutionTier, VideoQuality};
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
    /// The video quality its create asked Mux for (null for an adopted asset).
    pub video_quality: Option<VideoQuality>,
    /// The highest resolution tier its create asked Mux for (null for an adopted asset).
    pub max_resolution_tier: Option<ResolutionTier>,
    /// The MP4 file to save (`?download=`, which Mux answers with `Content-Disposition:
    /// attachment`), once READY and the MP4 rendition is ready.
    pub download_url: Option<String>,
    /// Why a READY video offers no download yet, and how to get one.
    pub download_unavailable: Option<String>,
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
    /// Whether uploads ask Mux for the MP4 rendition downloads are made from.
    pub mp4_renditions: bool,
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
        view.download_url = view.mp4_url.as_deref().map(|mp4| {
            let join = if mp4.contains('?') { '&' } else { '?' };
            format!("{mp4}{join}download={}", download_name(&asset.name))
        });
        if view.download_url.is_none() {
            view.download_unavailable = Some(self.why_no_download().to_owned());
        }
        view
    }

    /// Why a READY video has no MP4 to download, in words for its owner.
    fn why_no_download(&self) -> &'static str {
        if self.mp4_renditions {
            "Mux is still preparing the MP4 file; Download appears here when it is ready."
        } else {
            "Downloads need MP4 files, which this deployment does not ask Mux for: an admin can \
             turn them on with MUXD_MP4_RENDITIONS=true (new uploads get one)."
        }
    }
}

/// The file name a download is saved as: the asset's name, kept to letters, digits, `-`, `_` and
/// `.` (anything else becomes `-`), at most 80 characters, then `.mp4`; URL-safe as it is.
fn download_name(name: &str) -> String {
    let safe: String = name
        .chars()
        .take(80)
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' | '.' => c,
            _ => '-',
        })
        .collect();
    let stem = safe.trim_matches(|c| c == '-' || c == '.');
    let stem = stem.strip_suffix(".mp4").unwrap_or(stem);
    if stem.is_empty() {
        "video.mp4".into()
    } else {
        format!("{stem}.mp4")
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
            video_quality: asset.encoding.map(|e| e.quality),
            max_resolution_tier: asset.encoding.map(|e| e.max_tier),
            download_url: None,
            download_unavailable: None,
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

#[cfg(test)]
mod tests {
    use super::download_name;

    #[test]
    fn a_download_is_named_after_the_video_safely() {
        assert_eq!(
            download_name("Summer sale – take 2"),
            "Summer-sale---take-2.mp4"
        );
        assert_eq!(download_name("clip.mp4"), "clip.mp4");
        assert_eq!(download_name("../../etc/passwd"), "etc-passwd.mp4");
        assert_eq!(download_name("日本語"), "video.mp4");
        assert_eq!(download_name(&"a".repeat(200)).len(), 84);
    }
}
