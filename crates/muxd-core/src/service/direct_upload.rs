//! What muxd asks Mux for: the asset settings of every create (a user's upload, a spare in the
//! pool, a video from a link) and the direct upload around them.

use mux_api::{AssetInput, AssetMeta, CreateUploadRequest, GeneratedSubtitles, NewAssetSettings};

use crate::config::UploadSettings;
use muxd_domain::encoding::Encoding;
use muxd_domain::AssetId;

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
/// row id, the policy from settings, `encoding` (with generated captions asked for on the first
/// input, their passthrough the row id so their track events find the row like the asset's), and,
/// when configured (`MUXD_MP4_RENDITIONS`), a `highest` MP4 static rendition so pages can play it
/// with a plain `<video>` and brands can download it.
pub fn asset_settings(
    settings: &UploadSettings,
    id: AssetId,
    meta: Option<AssetMeta>,
    encoding: Encoding,
) -> NewAssetSettings {
    let policy = settings.playback_policy;
    let mut extra = serde_json::Map::new();
    if settings.mp4_renditions {
        extra.insert(
            "static_renditions".into(),
            serde_json::json!([{"resolution": "highest"}]),
        );
    }
    let inputs = encoding
        .captions
        .language()
        .map(|language| AssetInput {
            url: None,
            generated_subtitles: vec![generated_captions(language, id)],
        })
        .into_iter()
        .collect();
    NewAssetSettings {
        inputs,
        playback_policies: vec![policy],
        passthrough: Some(id.to_string()),
        video_quality: Some(encoding.quality.as_str().to_owned()),
        max_resolution_tier: Some(encoding.max_tier.as_str().to_owned()),
        meta,
        extra,
    }
}

/// The generated caption track muxd asks for in `language`, for row `id`.
pub fn generated_captions(language: &str, id: AssetId) -> GeneratedSubtitles {
    GeneratedSubtitles {
        language_code: language.to_owned(),
        name: format!("{} (generated)", language_name(language)),
        passthrough: Some(id.to_string()),
    }
}

/// The English name of a language Mux generates captions in, for players' caption menus.
pub fn language_name(code: &str) -> &str {
    match code {
        "en" => "English",
        "es" => "Spanish",
        "it" => "Italian",
        "pt" => "Portuguese",
        "de" => "German",
        "fr" => "French",
        "pl" => "Polish",
        "ru" => "Russian",
        "nl" => "Dutch",
        "ca" => "Catalan",
        "tr" => "Turkish",
        "sv" => "Swedish",
        "uk" => "Ukrainian",
        "no" => "Norwegian",
        "fi" => "Finnish",
        "sk" => "Slovak",
        "el" => "Greek",
        "cs" => "Czech",
        "hr" => "Croatian",
        "da" => "Danish",
        "ro" => "Romanian",
        "bg" => "Bulgarian",
        other => other,
    }
}
