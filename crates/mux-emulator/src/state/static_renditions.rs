//! Static renditions (MP4/M4A files) requested with `new_asset_settings.static_renditions`
//! (docs/mux-facts.md §2.1), kept on the asset and rendered as Mux's file objects (§4.3): in the
//! asset's `static_renditions.files`, and as the `data` of the per-file
//! `video.asset.static_rendition.*` webhooks (§5.2), which add `asset_id`.
//!
//! A file's status follows its asset: `preparing` while the asset is, `errored` with it, and
//! once it is ready `ready`, or `skipped` when the media lacks what the file needs (an M4A of a
//! video-only file, an MP4 of an audio-only one). The legacy `mp4_support` makes no files here.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::probe::MediaInfo;

/// The resolutions Mux accepts in `static_renditions[].resolution`.
pub const RESOLUTIONS: [&str; 10] = [
    "highest",
    "audio-only",
    "2160p",
    "1440p",
    "1080p",
    "720p",
    "540p",
    "480p",
    "360p",
    "270p",
];

/// One requested file; its id is fixed when the asset is created so every snapshot agrees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaticRendition {
    pub id: String,
    pub resolution: String,
    /// The rendition's own passthrough (`static_renditions[].passthrough`), not the asset's.
    pub passthrough: Option<String>,
}

/// A file's status (the webhook that announces it is `video.asset.static_rendition.{status}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    Preparing,
    Ready,
    Skipped,
    Errored,
}

impl StaticRendition {
    /// `highest.mp4`, `audio.m4a`, `720p.mp4`, …
    pub fn name(&self) -> String {
        match self.resolution.as_str() {
            "audio-only" => "audio.m4a".into(),
            r => format!("{r}.mp4"),
        }
    }

    fn is_audio(&self) -> bool {
        self.resolution == "audio-only"
    }

    /// What the file becomes once its asset is ready with `media`.
    pub fn ready_status(&self, media: &MediaInfo) -> FileStatus {
        let has_source = if self.is_audio() {
            media.audio.is_some()
        } else {
            media.video.is_some()
        };
        if has_source {
            FileStatus::Ready
        } else {
            FileStatus::Skipped
        }
    }

    /// Mux's file object with `status`; the size of the video for a ready `highest` MP4 (which
    /// is the upload itself).
    pub fn render(&self, status: FileStatus, media: Option<&MediaInfo>) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("name".into(), json!(self.name()));
        m.insert(
            "ext".into(),
            json!(if self.is_audio() { "m4a" } else { "mp4" }),
        );
        m.insert("resolution".into(), json!(self.resolution));
        let standard = self.is_audio() || self.resolution == "highest";
        m.insert(
            "type".into(),
            json!(if standard { "standard" } else { "advanced" }),
        );
        m.insert("status".into(), json!(status));
        let video = media.and_then(|m| m.video.as_ref());
        if let (FileStatus::Ready, "highest", Some(v)) = (status, self.resolution.as_str(), video) {
            m.insert("width".into(), json!(v.width));
            m.insert("height".into(), json!(v.height));
        }
        if let Some(p) = &self.passthrough {
            m.insert("passthrough".into(), json!(p));
        }
        Value::Object(m)
    }
}

/// Checks `static_renditions` of `new_asset_settings`: an array of `{resolution, passthrough?}`
/// with known resolutions, each at most once. The message says what is wrong.
pub fn validate(v: &Value) -> Result<(), String> {
    let items = v
        .as_array()
        .ok_or("static_renditions must be an array of {resolution, passthrough}")?;
    let mut seen = Vec::new();
    for item in items {
        let resolution = item
            .get("resolution")
            .and_then(Value::as_str)
            .filter(|r| RESOLUTIONS.contains(r))
            .ok_or_else(|| {
                format!(
                    "static_renditions[].resolution must be one of {}",
                    RESOLUTIONS.join(", ")
                )
            })?;
        if seen.contains(&resolution) {
            return Err(format!("static_renditions lists {resolution} twice"));
        }
        seen.push(resolution);
        if let Some(p) = item.get("passthrough") {
            if p.as_str().is_none_or(|p| p.len() > 255) {
                return Err(
                    "static_renditions[].passthrough must be a string of at most 255 characters"
                        .into(),
                );
            }
        }
    }
    Ok(())
}

/// The renditions asked for by validated settings, each with an id from `next_id`.
pub fn requested(
    settings: &Map<String, Value>,
    mut next_id: impl FnMut() -> String,
) -> Vec<StaticRendition> {
    settings
        .get("static_renditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|item| {
            let resolution = item.get("resolution")?.as_str()?.to_owned();
            Some(StaticRendition {
                id: next_id(),
                resolution,
                passthrough: item
                    .get("passthrough")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_resolutions_duplicates_and_passthrough() {
        assert!(
            validate(&json!([{"resolution": "highest"}, {"resolution": "audio-only"}])).is_ok()
        );
        assert!(validate(&json!([{"resolution": "4k"}])).is_err());
        assert!(validate(&json!({"resolution": "highest"})).is_err());
        assert!(validate(&json!([{"resolution": "720p"}, {"resolution": "720p"}])).is_err());
        assert!(validate(&json!([{"resolution": "highest", "passthrough": 1}])).is_err());
    }

    #[test]
    fn names_and_types_follow_mux() {
        let file = |resolution: &str| StaticRendition {
            id: "r".into(),
            resolution: resolution.into(),
            passthrough: None,
        };
        let highest = file("highest").render(FileStatus::Preparing, None);
        assert_eq!(
            highest,
            json!({"id": "r", "name": "highest.mp4", "ext": "mp4", "resolution": "highest",
                   "type": "standard", "status": "preparing"})
        );
        let audio = file("audio-only").render(FileStatus::Ready, None);
        assert_eq!(
            (audio["name"].clone(), audio["ext"].clone()),
            (json!("audio.m4a"), json!("m4a"))
        );
        assert_eq!(
            file("720p").render(FileStatus::Ready, None)["type"],
            "advanced"
        );
    }
}
