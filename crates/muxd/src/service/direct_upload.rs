//! The direct upload muxd asks Mux for, the same for a user's create and for a spare in the pool.

use mux_api::{AssetMeta, CreateUploadRequest, NewAssetSettings, PlaybackPolicy};

use crate::config::UploadSettings;
use crate::domain::AssetId;

/// The direct upload muxd asks Mux for: passthrough = the row id, policy and CORS from settings,
/// and, when configured (`MUXD_MP4_RENDITIONS`), a `highest` MP4 static rendition so pages can
/// play it with a plain `<video>`.
pub fn upload_request(
    settings: &UploadSettings,
    id: AssetId,
    meta: Option<AssetMeta>,
) -> CreateUploadRequest {
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
    CreateUploadRequest {
        cors_origin: Some(settings.cors_origin.clone()),
        new_asset_settings: NewAssetSettings {
            playback_policies: vec![policy],
            passthrough: Some(id.to_string()),
            meta,
            extra,
            ..Default::default()
        },
        ..Default::default()
    }
}
