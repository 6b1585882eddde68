//! Assets and their playback ids (docs/mux-facts.md §4). Tolerant like uploads: optional fields,
//! unknown fields ignored, unknown statuses mapped to `Unknown`.

use serde::{Deserialize, Serialize};

use super::common::{PlaybackPolicy, Timestamp};
use super::uploads::{AssetMeta, NewAssetSettings};

/// A Mux asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Asset {
    pub id: String,
    #[serde(default)]
    pub status: AssetStatus,
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Seconds; absent while preparing.
    #[serde(default)]
    pub duration: Option<f64>,
    #[serde(default)]
    pub aspect_ratio: Option<String>,
    #[serde(default)]
    pub resolution_tier: Option<String>,
    /// `-1` when unknown.
    #[serde(default)]
    pub max_stored_frame_rate: Option<f64>,
    #[serde(default)]
    pub playback_ids: Vec<PlaybackId>,
    #[serde(default)]
    pub tracks: Vec<Track>,
    /// Only when errored.
    #[serde(default)]
    pub errors: Option<AssetErrors>,
    #[serde(default)]
    pub upload_id: Option<String>,
    #[serde(default)]
    pub passthrough: Option<String>,
    #[serde(default)]
    pub meta: Option<AssetMeta>,
    #[serde(default)]
    pub test: bool,
    /// The static renditions asked for, with their state (absent when none were).
    #[serde(default)]
    pub static_renditions: Option<StaticRenditions>,
    /// `basic`, `plus` or `premium`, as asked at creation.
    #[serde(default)]
    pub video_quality: Option<String>,
    /// `1080p`, `1440p` or `2160p`, as asked at creation.
    #[serde(default)]
    pub max_resolution_tier: Option<String>,
}

/// Body of `POST /video/v1/assets`: an asset Mux makes from files it fetches (docs/mux-facts.md
/// §10), with the same settings as a direct upload's `new_asset_settings`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateAssetRequest {
    pub inputs: Vec<AssetInput>,
    #[serde(flatten)]
    pub settings: NewAssetSettings,
}

/// One input of a new asset: the file Mux fetches (`url`; none for a direct upload's first
/// input, whose file is the upload) and the captions Mux generates from its audio.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub generated_subtitles: Vec<GeneratedSubtitles>,
}

/// A caption track Mux generates from the audio (docs/mux-facts.md §10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneratedSubtitles {
    /// The audio's language, one Mux transcribes (`en`, `es`, …).
    pub language_code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passthrough: Option<String>,
}

/// Body of `POST /video/v1/assets/{id}/tracks`: a caption file Mux fetches from `url`
/// (WebVTT or SRT).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreateTrackRequest {
    pub url: String,
    /// `text`.
    #[serde(rename = "type")]
    pub track_type: String,
    /// `subtitles`.
    pub text_type: String,
    pub language_code: String,
    pub name: String,
    pub closed_captions: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passthrough: Option<String>,
}

impl Asset {
    /// Whether the `highest` MP4 static rendition is ready.
    pub fn mp4_ready(&self) -> bool {
        self.static_renditions
            .as_ref()
            .is_some_and(|r| r.files.iter().any(RenditionFile::is_ready_highest_mp4))
    }
}

/// An asset's `static_renditions`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaticRenditions {
    #[serde(default)]
    pub files: Vec<RenditionFile>,
}

/// One static rendition file (also the `data` of `video.asset.static_rendition.*` webhooks).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenditionFile {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

impl RenditionFile {
    /// True for the `highest` MP4, ready.
    pub fn is_ready_highest_mp4(&self) -> bool {
        self.name.as_deref() == Some("highest.mp4") && self.status.as_deref() == Some("ready")
    }
}

/// `preparing` → `ready` | `errored`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetStatus {
    Preparing,
    Ready,
    Errored,
    #[default]
    #[serde(other)]
    Unknown,
}

/// A playback id as listed on an asset, or as created/fetched under one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaybackId {
    pub id: String,
    pub policy: PlaybackPolicy,
}

/// A media track of an asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Track {
    #[serde(default)]
    pub id: Option<String>,
    /// `video`, `audio` or `text`.
    #[serde(rename = "type", default)]
    pub track_type: Option<String>,
    #[serde(default)]
    pub duration: Option<f64>,
    #[serde(default)]
    pub max_width: Option<u32>,
    #[serde(default)]
    pub max_height: Option<u32>,
    #[serde(default)]
    pub max_frame_rate: Option<f64>,
    #[serde(default)]
    pub max_channels: Option<u32>,
    #[serde(default)]
    pub text_type: Option<String>,
    /// `generated_vod` for captions Mux made from the audio, `uploaded` for a supplied file.
    #[serde(default)]
    pub text_source: Option<String>,
    #[serde(default)]
    pub language_code: Option<String>,
    #[serde(default)]
    pub closed_captions: Option<bool>,
    #[serde(default)]
    pub passthrough: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

/// `errors` on an errored asset (note: plural `messages`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssetErrors {
    #[serde(rename = "type", default)]
    pub error_type: Option<String>,
    #[serde(default)]
    pub messages: Vec<String>,
}

/// Query of `GET /video/v1/assets`: page/limit, or a cursor, optionally by upload id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListAssetsParams {
    pub limit: Option<u32>,
    pub page: Option<u32>,
    pub cursor: Option<String>,
    pub upload_id: Option<String>,
}

/// Body of `PATCH /video/v1/assets/{id}`: only these two fields may change.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateAssetRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passthrough: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<AssetMeta>,
}

/// `GET /video/v1/playback-ids/{id}`: the playback id and what it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaybackIdLookup {
    pub id: String,
    pub policy: PlaybackPolicy,
    pub object: PlaybackObject,
}

/// The owner of a playback id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaybackObject {
    /// `asset` or `live_stream`.
    #[serde(rename = "type")]
    pub object_type: String,
    pub id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_example_asset_parses() {
        let json = r#"{
          "id": "lJ4b", "status": "ready", "created_at": "1609868768", "duration": 23.857167,
          "aspect_ratio": "16:9",
          "playback_ids": [{ "policy": "public", "id": "vAFL" }],
          "tracks": [
            { "type": "video", "max_width": 1920, "max_height": 1080, "max_frame_rate": 29.97, "duration": 23.8238, "id": "RiyQ" },
            { "type": "audio", "max_channels": 2, "duration": 23.823792, "id": "LvIN" } ],
          "resolution_tier": "1080p", "max_resolution_tier": "1080p", "max_stored_resolution": "HD",
          "max_stored_frame_rate": 29.97, "video_quality": "basic", "encoding_tier": "baseline",
          "master_access": "none", "passthrough": "example",
          "progress": { "state": "completed", "progress": 100 } }"#;
        let asset: Asset = serde_json::from_str(json).unwrap();
        assert_eq!(asset.status, AssetStatus::Ready);
        assert_eq!(asset.created_at, Some(Timestamp(1_609_868_768)));
        assert_eq!(asset.playback_ids[0].policy, PlaybackPolicy::Public);
        assert_eq!(asset.tracks[0].max_width, Some(1920));
        assert_eq!(asset.passthrough.as_deref(), Some("example"));
    }

    #[test]
    fn errored_asset_with_numeric_created_at() {
        let json = r#"{"id":"a","upload_id":"u","status":"errored","created_at":1718058159,
            "errors":{"type":"invalid_input","messages":["unreadable"]}}"#;
        let asset: Asset = serde_json::from_str(json).unwrap();
        assert_eq!(asset.status, AssetStatus::Errored);
        assert_eq!(asset.errors.unwrap().messages, ["unreadable"]);
        let odd: Asset = serde_json::from_str(r#"{"id":"b","status":"melting"}"#).unwrap();
        assert_eq!(odd.status, AssetStatus::Unknown);
    }
}
