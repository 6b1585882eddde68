//! A `creative_assets` row as stored ([`AssetRow`], decoded by sqlx) and its conversion into the
//! typed [`CreativeAsset`].

use super::assets::CreativeAsset;
use super::rows::{parse, parse_opt};
use super::{StoreError, StoreResult};
use muxd_domain::encoding::Encoding;
use muxd_domain::event::ErrorSource;
use muxd_domain::lifecycle::AssetFacts;
use muxd_domain::replacement::Replacement;
use muxd_domain::{ErrorInfo, MuxAssetId, MuxUploadId, PlaybackId, ReadyDetails};

/// A `creative_assets` row as stored.
#[derive(sqlx::FromRow)]
pub struct AssetRow {
    id: String,
    owner_id: String,
    campaign_id: Option<String>,
    influencer_id: Option<String>,
    name: String,
    description: Option<String>,
    passthrough: String,
    mux_upload_id: Option<String>,
    upload_url: Option<String>,
    mux_asset_id: Option<String>,
    mux_processing_status: String,
    url: Option<String>,
    playback_id: Option<String>,
    playback_policy: Option<String>,
    error_type: Option<String>,
    error_message: Option<String>,
    error_source: Option<String>,
    duration_s: Option<f64>,
    aspect_ratio: Option<String>,
    resolution_tier: Option<String>,
    processing_at: Option<i64>,
    ready_at: Option<i64>,
    last_event_at: Option<i64>,
    decided_at: Option<i64>,
    mux_delete_pending: bool,
    delete_attempts: i64,
    stuck_since: Option<i64>,
    poll_started_at: Option<i64>,
    poll_failures: i64,
    version: i64,
    created_at: i64,
    updated_at: i64,
    file_size: Option<i64>,
    origin: String,
    warnings: Option<String>,
    mp4_ready: bool,
    video_quality: Option<String>,
    max_resolution_tier: Option<String>,
    source_url: Option<String>,
    replaces: Option<String>,
    replaced_at: Option<i64>,
    replacement_status: Option<String>,
    replacement_error_type: Option<String>,
    replacement_error_message: Option<String>,
    text_tracks: Option<String>,
    captions: Option<String>,
}

impl TryFrom<AssetRow> for CreativeAsset {
    type Error = StoreError;

    fn try_from(row: AssetRow) -> StoreResult<CreativeAsset> {
        let error = row.error_type.map(|kind| ErrorInfo {
            kind,
            message: row.error_message.unwrap_or_default(),
            source: match row.error_source.as_deref() {
                Some("upload") => ErrorSource::Upload,
                Some("muxd") => ErrorSource::Muxd,
                _ => ErrorSource::Asset,
            },
        });
        Ok(CreativeAsset {
            id: parse("id", &row.id)?,
            owner_id: parse("owner_id", &row.owner_id)?,
            campaign_id: parse_opt("campaign_id", row.campaign_id.as_deref())?,
            influencer_id: parse_opt("influencer_id", row.influencer_id.as_deref())?,
            name: row.name,
            description: row.description,
            passthrough: row.passthrough,
            mux_upload_id: row.mux_upload_id.map(MuxUploadId::new),
            upload_url: row.upload_url,
            url: row.url,
            facts: AssetFacts {
                status: parse("mux_processing_status", &row.mux_processing_status)?,
                mux_asset_id: row.mux_asset_id.map(MuxAssetId::new),
                ready: ReadyDetails {
                    playback_id: row.playback_id.map(PlaybackId::new),
                    // Earlier versions stored "unknown" for a policy Mux named that muxd did
                    // not know: none, as it is read from Mux now.
                    playback_policy: row.playback_policy.and_then(|p| p.parse().ok()),
                    duration_s: row.duration_s,
                    aspect_ratio: row.aspect_ratio,
                    resolution_tier: row.resolution_tier,
                    mp4_ready: row.mp4_ready,
                },
                error,
                processing_at_ms: row.processing_at,
                ready_at_ms: row.ready_at,
                last_event_at_ms: row.last_event_at,
                decided_at_ms: row.decided_at,
                warnings: match row.warnings.as_deref() {
                    Some(json) => serde_json::from_str(json).map_err(|error| {
                        StoreError::Corrupt(format!("asset {}: warnings: {error}", row.id))
                    })?,
                    None => Vec::new(),
                },
                tracks: match row.text_tracks.as_deref() {
                    Some(json) => serde_json::from_str(json).map_err(|error| {
                        StoreError::Corrupt(format!("asset {}: text_tracks: {error}", row.id))
                    })?,
                    None => Vec::new(),
                },
            },
            mux_delete_pending: row.mux_delete_pending,
            delete_attempts: row.delete_attempts,
            stuck_since: row.stuck_since,
            poll_started_at: row.poll_started_at,
            poll_failures: row.poll_failures,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
            file_size: row.file_size,
            origin: parse("origin", &row.origin)?,
            encoding: match (row.video_quality, row.max_resolution_tier) {
                (Some(quality), Some(tier)) => Some(Encoding {
                    quality: parse("video_quality", &quality)?,
                    max_tier: parse("max_resolution_tier", &tier)?,
                    captions: parse_opt("captions", row.captions.as_deref())?.unwrap_or_default(),
                }),
                _ => None,
            },
            source_url: row.source_url,
            replaces: parse_opt("replaces", row.replaces.as_deref())?,
            replaced_at: row.replaced_at,
            replacement: parse_opt("replacement_status", row.replacement_status.as_deref())?.map(
                |status| Replacement {
                    status,
                    error: row.replacement_error_type.map(|kind| ErrorInfo {
                        kind,
                        message: row.replacement_error_message.unwrap_or_default(),
                        source: ErrorSource::Asset,
                    }),
                },
            ),
        })
    }
}

/// Rows as read, to [`CreativeAsset`]s.
pub fn decode_all(rows: Vec<AssetRow>) -> StoreResult<Vec<CreativeAsset>> {
    rows.into_iter().map(CreativeAsset::try_from).collect()
}
