//! Text tracks (docs/mux-facts.md §10): captions Mux generates from the audio
//! (`generated_subtitles` on the first input, or `generate-subtitles` on an audio track) and
//! subtitle files supplied by URL (`POST …/tracks`). Kept on their asset, rendered as Mux's
//! track objects in the asset's `tracks` (after its video and audio tracks) and, with `asset_id`
//! added, as the `data` of the `video.asset.track.*` webhooks.
//!
//! The languages Mux can generate captions in, and the check of a `generated_subtitles` array,
//! live here too, so the upload and asset handlers share them.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// The `language_code`s Mux accepts for generated captions.
pub const GENERATED_LANGUAGES: [&str; 23] = [
    "en", "es", "it", "pt", "de", "fr", "pl", "ru", "nl", "ca", "tr", "sv", "uk", "no", "fi", "sk",
    "el", "cs", "hr", "da", "ro", "bg", "auto",
];

/// Where a track's cues come from (`text_source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextSource {
    /// Generated from the audio (`generated_vod`).
    GeneratedVod,
    /// A file fetched from a URL.
    Uploaded,
}

/// A track's status; the webhook that announces it is `video.asset.track.{ready,errored,skipped}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackStatus {
    Preparing,
    Ready,
    Errored,
    /// A generated track of media with no audio.
    Skipped,
}

/// One text track; its id is fixed when it is made so every snapshot agrees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextTrack {
    pub id: String,
    pub text_source: TextSource,
    pub language_code: String,
    pub name: String,
    pub closed_captions: bool,
    pub passthrough: Option<String>,
    pub status: TrackStatus,
    /// The file a supplied track is fetched from.
    pub url: Option<String>,
    /// `(type, messages)` when errored.
    pub error: Option<(String, Vec<String>)>,
}

impl TextTrack {
    /// Mux's track object.
    pub fn render(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("type".into(), json!("text"));
        m.insert("text_type".into(), json!("subtitles"));
        m.insert("text_source".into(), json!(self.text_source));
        m.insert("language_code".into(), json!(self.language_code));
        m.insert("name".into(), json!(self.name));
        m.insert("closed_captions".into(), json!(self.closed_captions));
        if let Some(p) = &self.passthrough {
            m.insert("passthrough".into(), json!(p));
        }
        m.insert("status".into(), json!(self.status));
        if let Some((kind, messages)) = &self.error {
            m.insert("error".into(), json!({"type": kind, "messages": messages}));
        }
        Value::Object(m)
    }

    /// The webhook `data`: the track object plus `asset_id`.
    pub fn webhook_data(&self, asset_id: &str) -> Value {
        let mut data = self.render();
        data["asset_id"] = json!(asset_id);
        data
    }
}

/// A checked `generated_subtitles` item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedRequest {
    pub language_code: String,
    pub name: String,
    pub passthrough: Option<String>,
}

/// Checks a `generated_subtitles` array: `[{language_code, name?, passthrough?}]` with a
/// language Mux generates. The message says what is wrong.
pub fn validate_generated(v: &Value) -> Result<Vec<GeneratedRequest>, String> {
    let items = v
        .as_array()
        .ok_or("generated_subtitles must be an array of {language_code, name, passthrough}")?;
    items
        .iter()
        .map(|item| {
            let language_code = item
                .get("language_code")
                .and_then(Value::as_str)
                .filter(|l| GENERATED_LANGUAGES.contains(l))
                .ok_or_else(|| {
                    format!(
                        "generated_subtitles[].language_code must be one of {}",
                        GENERATED_LANGUAGES.join(", ")
                    )
                })?;
            let name = optional_text(item, "name", 255)?
                .unwrap_or_else(|| format!("{language_code} (generated)"));
            Ok(GeneratedRequest {
                language_code: language_code.to_owned(),
                name,
                passthrough: optional_text(item, "passthrough", 255)?,
            })
        })
        .collect()
}

/// The generated captions asked for on the first of `inputs` (an array of inputs); none if it is
/// absent. An error if the first input's `generated_subtitles` is malformed.
pub fn generated_on_inputs(inputs: Option<&Value>) -> Result<Vec<GeneratedRequest>, String> {
    match inputs
        .and_then(Value::as_array)
        .and_then(|items| items.first())
        .and_then(|first| first.get("generated_subtitles"))
    {
        Some(requested) => validate_generated(requested),
        None => Ok(Vec::new()),
    }
}

/// `item[key]`, if present a string of at most `max` characters.
pub fn optional_text(item: &Value, key: &str, max: usize) -> Result<Option<String>, String> {
    match item.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.chars().count() <= max => Ok(Some(s.clone())),
        Some(_) => Err(format!(
            "{key} must be a string of at most {max} characters"
        )),
    }
}

impl GeneratedRequest {
    /// The `preparing` track this asks for, with id `id`.
    pub fn track(&self, id: String) -> TextTrack {
        TextTrack {
            id,
            text_source: TextSource::GeneratedVod,
            language_code: self.language_code.clone(),
            name: self.name.clone(),
            closed_captions: false,
            passthrough: self.passthrough.clone(),
            status: TrackStatus::Preparing,
            url: None,
            error: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_subtitles_need_a_known_language() {
        let ok = validate_generated(&json!([{"language_code": "en", "name": "English"}])).unwrap();
        assert_eq!(ok[0].name, "English");
        assert!(validate_generated(&json!([{"language_code": "xx"}])).is_err());
        assert!(validate_generated(&json!([{"name": "no language"}])).is_err());
        assert!(validate_generated(&json!({"language_code": "en"})).is_err());
        assert!(validate_generated(&json!([{"language_code": "en", "passthrough": 3}])).is_err());
        let first = json!([{"generated_subtitles": [{"language_code": "fr"}]}, {"url": "x"}]);
        assert_eq!(
            generated_on_inputs(Some(&first)).unwrap()[0].language_code,
            "fr"
        );
        assert!(generated_on_inputs(None).unwrap().is_empty());
    }

    #[test]
    fn renders_as_a_mux_track() {
        let mut track = validate_generated(
            &json!([{"language_code": "en", "name": "English (generated)", "passthrough": "p"}]),
        )
        .unwrap()[0]
            .track("t1".into());
        assert_eq!(
            track.webhook_data("a1"),
            json!({"id": "t1", "type": "text", "text_type": "subtitles",
                   "text_source": "generated_vod", "language_code": "en",
                   "name": "English (generated)", "closed_captions": false, "passthrough": "p",
                   "status": "preparing", "asset_id": "a1"})
        );
        track.error = Some(("invalid_input".into(), vec!["bad".into()]));
        assert_eq!(track.render()["error"]["messages"][0], "bad");
    }
}
