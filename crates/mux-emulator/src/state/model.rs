//! The resources the emulator keeps: uploads, assets, playback ids and signing keys, and how each
//! renders as Mux JSON (docs/mux-facts.md §2.2 upload, §4.3 asset). REST renders `created_at` as a numeric string,
//! webhook `data` as a number (§5.3); `Render` says which.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::static_renditions::{FileStatus, StaticRendition};
use super::text_tracks::TextTrack;
use crate::probe::MediaInfo;

/// Where a snapshot is going: the two differ only in the type of `created_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Render {
    Rest,
    Webhook,
}

impl Render {
    fn created_at(self, unix_s: u64) -> Value {
        match self {
            Render::Rest => Value::String(unix_s.to_string()),
            Render::Webhook => Value::from(unix_s),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UploadStatus {
    Waiting,
    AssetCreated,
    Errored,
    Cancelled,
    TimedOut,
}

/// A direct upload (docs/mux-facts.md §2.2).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Upload {
    pub id: String,
    /// The secret part of the upload URL.
    pub token: String,
    pub url: String,
    pub status: UploadStatus,
    pub timeout_s: u64,
    pub cors_origin: Option<String>,
    /// Echoed as given, with defaults filled.
    pub new_asset_settings: Map<String, Value>,
    pub asset_id: Option<String>,
    /// `{type, message}` (singular, unlike asset errors) when the asset failed.
    pub error: Option<(String, String)>,
    pub test: bool,
    pub created_at: u64,
}

/// The upload URL of upload `id` on an emulator at `base_url`.
pub fn upload_url(base_url: &str, id: &str, token: &str) -> String {
    format!("{base_url}/upload/{id}?token={token}")
}

impl Upload {
    /// The upload object; it has no `created_at`, so REST and webhooks render it alike.
    pub fn render(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("status".into(), json!(self.status));
        m.insert("timeout".into(), json!(self.timeout_s));
        m.insert(
            "new_asset_settings".into(),
            Value::Object(self.new_asset_settings.clone()),
        );
        if self.status == UploadStatus::Waiting {
            m.insert("url".into(), json!(self.url));
        }
        if let Some(origin) = &self.cors_origin {
            m.insert("cors_origin".into(), json!(origin));
        }
        if let Some(asset_id) = &self.asset_id {
            m.insert("asset_id".into(), json!(asset_id));
        }
        if let Some((kind, message)) = &self.error {
            m.insert("error".into(), json!({"type": kind, "message": message}));
        }
        if self.test {
            m.insert("test".into(), json!(true));
        }
        Value::Object(m)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetStatus {
    Preparing,
    Ready,
    Errored,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaybackId {
    pub id: String,
    pub policy: String,
}

/// The playback policies Mux knows (docs/mux-facts.md §2.1).
pub const PLAYBACK_POLICIES: [&str; 3] = ["public", "signed", "drm"];

/// The playback policies of `new_asset_settings` (array, or a single string as the docs allow);
/// `None` if any is unknown.
pub fn playback_policies(v: &Value) -> Option<Vec<String>> {
    let list: Vec<&Value> = match v {
        Value::Array(items) => items.iter().collect(),
        single @ Value::String(_) => vec![single],
        _ => return None,
    };
    list.into_iter()
        .map(|p| {
            p.as_str()
                .filter(|p| PLAYBACK_POLICIES.contains(p))
                .map(str::to_owned)
        })
        .collect()
}

/// An asset made from a direct upload or from a URL (docs/mux-facts.md §4.3).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Asset {
    pub id: String,
    pub created_at: u64,
    pub status: AssetStatus,
    pub upload_id: Option<String>,
    pub passthrough: Option<String>,
    pub meta: Option<Value>,
    pub playback_ids: Vec<PlaybackId>,
    pub max_resolution_tier: String,
    pub video_quality: String,
    pub test: bool,
    /// Filled when ready.
    pub media: Option<MediaInfo>,
    /// Track ids, fixed at creation so every snapshot agrees: (video, audio).
    pub track_ids: (String, String),
    /// `(type, messages)` when errored.
    pub errors: Option<(String, Vec<String>)>,
    /// The static renditions asked for; absent from state files written before they existed.
    #[serde(default)]
    pub static_renditions: Vec<StaticRendition>,
    /// The URL the asset was made from (`POST /video/v1/assets`); `None` for uploads.
    #[serde(default)]
    pub input_url: Option<String>,
    /// Generated and supplied text tracks, oldest first; absent from older state files.
    #[serde(default)]
    pub text_tracks: Vec<TextTrack>,
}

impl Asset {
    pub fn render(&self, render: Render) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("created_at".into(), render.created_at(self.created_at));
        m.insert("status".into(), json!(self.status));
        m.insert("playback_ids".into(), json!(self.playback_ids));
        m.insert("mp4_support".into(), json!("none"));
        m.insert("master_access".into(), json!("none"));
        m.insert(
            "max_resolution_tier".into(),
            json!(self.max_resolution_tier),
        );
        m.insert("video_quality".into(), json!(self.video_quality));
        m.insert(
            "encoding_tier".into(),
            json!(encoding_tier(&self.video_quality)),
        );
        let ingest_type = match self.input_url {
            Some(_) => "on_demand_url",
            None => "on_demand_direct_upload",
        };
        m.insert("ingest_type".into(), json!(ingest_type));
        m.insert("progress".into(), self.progress());
        for (key, value) in [
            ("upload_id", self.upload_id.as_ref().map(|v| json!(v))),
            ("passthrough", self.passthrough.as_ref().map(|v| json!(v))),
            ("meta", self.meta.clone()),
        ] {
            if let Some(value) = value {
                m.insert(key.into(), value);
            }
        }
        if self.test {
            m.insert("test".into(), json!(true));
        }
        let mut tracks = Vec::new();
        if let Some(media) = self
            .media
            .as_ref()
            .filter(|_| self.status == AssetStatus::Ready)
        {
            self.render_media(media, &mut m, &mut tracks);
        }
        tracks.extend(self.text_tracks.iter().map(TextTrack::render));
        if !tracks.is_empty() || self.status == AssetStatus::Ready {
            m.insert("tracks".into(), Value::Array(tracks));
        }
        if let Some((kind, messages)) = &self.errors {
            m.insert("errors".into(), json!({"type": kind, "messages": messages}));
        }
        if !self.static_renditions.is_empty() {
            let files: Vec<Value> = self
                .static_renditions
                .iter()
                .map(|r| r.render(self.rendition_status(r), self.media.as_ref()))
                .collect();
            m.insert("static_renditions".into(), json!({"files": files}));
        }
        Value::Object(m)
    }

    /// A requested file's status, which follows the asset's (see `static_renditions`).
    pub fn rendition_status(&self, rendition: &StaticRendition) -> FileStatus {
        match (self.status, &self.media) {
            (AssetStatus::Preparing, _) => FileStatus::Preparing,
            (AssetStatus::Errored, _) => FileStatus::Errored,
            (AssetStatus::Ready, Some(media)) => rendition.ready_status(media),
            (AssetStatus::Ready, None) => FileStatus::Ready,
        }
    }

    fn progress(&self) -> Value {
        match self.status {
            AssetStatus::Preparing => json!({"state": "ingesting", "progress": 0}),
            AssetStatus::Ready => json!({"state": "completed", "progress": 100}),
            AssetStatus::Errored => json!({"state": "errored", "progress": -1}),
        }
    }

    /// The media's fields, and its video and audio tracks pushed to `tracks`.
    fn render_media(&self, media: &MediaInfo, m: &mut Map<String, Value>, tracks: &mut Vec<Value>) {
        m.insert("duration".into(), json!(media.duration_s));
        match &media.video {
            Some(v) => {
                m.insert("aspect_ratio".into(), json!(media.aspect_ratio()));
                m.insert(
                    "resolution_tier".into(),
                    json!(resolution_tier(
                        v.width,
                        v.height,
                        &self.max_resolution_tier
                    )),
                );
                m.insert(
                    "max_stored_resolution".into(),
                    json!(stored_resolution(v.width, v.height)),
                );
                m.insert("max_stored_frame_rate".into(), json!(v.frame_rate));
                tracks.push(
                    json!({"type": "video", "id": self.track_ids.0, "duration": media.duration_s,
                    "max_width": v.width, "max_height": v.height, "max_frame_rate": v.frame_rate}),
                );
            }
            None => {
                m.insert("resolution_tier".into(), json!("audio-only"));
                m.insert("max_stored_resolution".into(), json!("Audio only"));
            }
        }
        if let Some(a) = &media.audio {
            tracks.push(
                json!({"type": "audio", "id": self.track_ids.1, "duration": media.duration_s,
                "max_channels": a.channels, "status": "ready", "primary": true,
                "name": "Default", "language_code": "und"}),
            );
        }
    }

    /// The asset's audio track id, if its media has audio.
    pub fn audio_track_id(&self) -> Option<&str> {
        let media = self.media.as_ref()?;
        media.audio.as_ref().map(|_| self.track_ids.1.as_str())
    }
}

/// A signing key of the System API. Only its public half is kept: Mux hands out the private key
/// once, on create, and so does the emulator.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SigningKey {
    pub id: String,
    pub created_at: u64,
    /// PKCS#1 PEM (`-----BEGIN RSA PUBLIC KEY-----`), what playback tokens are verified with.
    pub public_key_pem: String,
}

impl SigningKey {
    /// `{id, created_at}` with `created_at` a numeric string, like every REST resource.
    pub fn render(&self) -> Value {
        json!({"id": self.id, "created_at": Render::Rest.created_at(self.created_at)})
    }
}

fn encoding_tier(video_quality: &str) -> &'static str {
    match video_quality {
        "plus" => "smart",
        "premium" => "premium",
        _ => "baseline",
    }
}

/// Mux's tier for the stored rendition: by the shorter side, at least 720p, capped by the
/// asset's `max_resolution_tier`.
pub fn resolution_tier(width: u32, height: u32, max_tier: &str) -> &'static str {
    let short = width.min(height);
    let natural = match short {
        0..=720 => 720,
        721..=1080 => 1080,
        1081..=1440 => 1440,
        _ => 2160,
    };
    let cap = match max_tier {
        "2160p" => 2160,
        "1440p" => 1440,
        _ => 1080,
    };
    match natural.min(cap) {
        720 => "720p",
        1080 => "1080p",
        1440 => "1440p",
        _ => "2160p",
    }
}

fn stored_resolution(width: u32, height: u32) -> &'static str {
    match width.min(height) {
        0..=719 => "SD",
        720..=1080 => "HD",
        1081..=1440 => "FHD",
        _ => "UHD",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_follow_the_shorter_side_and_the_cap() {
        assert_eq!(resolution_tier(320, 240, "1080p"), "720p");
        assert_eq!(resolution_tier(1080, 1920, "1080p"), "1080p");
        assert_eq!(resolution_tier(3840, 2160, "1080p"), "1080p");
        assert_eq!(resolution_tier(3840, 2160, "2160p"), "2160p");
    }
}
