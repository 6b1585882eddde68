//! What muxd asks Mux for: the asset settings of every create (a user's upload, a spare in the
//! pool, a video from a link) and the direct upload around them.

use mux_api::{AssetMeta, CreateUploadRequest, NewAssetSettings, PlaybackPolicy};

use crate::config::UploadSettings;
use crate::domain::encoding::Encoding;
use crate::domain::AssetId;

/// The direct upload muxd asks Mux for: the asset's settings ([`asset_settings`]) and CORS from
/// settings.
pub fn upload_request(
    settings: &UploadSettings,
    id: AssetId,
    meta: Option<AssetMeta>,
    encoding: Encoding,
) -> CreateUploadRequest {
    CreateUploadRequest {
        cors_origin: Some(settings.cors_origin.clone()),
        new_asset_settings: asset_settings(settings, id, meta, encoding),
        ..Default::default()
    }
}

/// The settings of every asset muxd asks Mux for, from an upload or a link: passthrough = the
/// row id, the policy from settings, `encoding`, and, when configured (`MUXD_MP4_RENDITIONS`), a
/// `highest` MP4 static rendition so pages can play it with a plain `<video>` and brands can
/// download it.
pub fn asset_settings(
    settings: &UploadSettings,
    id: AssetId,
    meta: Option<AssetMeta>,
    encoding: Encoding,
) -> NewAssetSettings {
    let policy = if settings.playback_policy == "signed" {
        PlaybackPolicy::Signed
    } else {
        PlaybackPolicy::Public
    };
    let mut extra = serde_json::Map::new();
    if settings.mp4_renditions {
        extra.insert(
            "static_renditions".into(),
            serde_json::json!([{"resolution": "highest"}]),
        );
    }
    NewAssetSettings {
        playback_policies: vec![policy],
        passthrough: Some(id.to_string()),
        video_quality: Some(encoding.quality.as_str().to_owned()),
        max_resolution_tier: Some(encoding.max_tier.as_str().to_owned()),
        meta,
        extra,
    }
}
