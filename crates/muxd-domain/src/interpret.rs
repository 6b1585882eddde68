//! What a Mux webhook means for muxd: its match keys (passthrough, upload id, asset id) and the
//! lifecycle event it implies, read from the event's `data` (docs/mux-facts.md §5).

use serde_json::Value;

use super::event::{ErrorInfo, ErrorSource, LifecycleEvent, MatchKeys, ReadyDetails};
use super::tracks::{TextTrack, TrackSource, TrackStatus};
use super::{AssetId, MuxAssetId, MuxUploadId, PlaybackId};

/// A webhook read for its meaning: which row, and what happened (if anything muxd tracks).
#[derive(Clone, Debug, PartialEq)]
pub struct Interpretation {
    pub keys: MatchKeys,
    pub event: Option<LifecycleEvent>,
}

/// Reads a Mux webhook's `type` and `data` (docs/mux-facts.md §5.2). Every `video.upload.*` and
/// `video.asset.*` type is understood; those that do not move the lifecycle (warnings, tracks,
/// renditions, `updated`) still yield match keys so they are logged against their row.
pub fn interpret_webhook(event_type: &str, data: &Value) -> Interpretation {
    let text = |value: &Value, key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
    if let Some(kind) = event_type.strip_prefix("video.upload.") {
        let keys = MatchKeys {
            passthrough: passthrough(data.get("new_asset_settings")),
            upload_id: text(data, "id").map(MuxUploadId::new),
            asset_id: text(data, "asset_id").map(MuxAssetId::new),
        };
        let event = match kind {
            "created" => Some(LifecycleEvent::UploadCreated),
            "asset_created" => keys
                .asset_id
                .clone()
                .map(|asset_id| LifecycleEvent::UploadAssetCreated { asset_id }),
            "cancelled" => Some(LifecycleEvent::UploadCancelled),
            "errored" => Some(LifecycleEvent::UploadErrored {
                error: upload_error(data),
            }),
            _ => None,
        };
        return Interpretation { keys, event };
    }
    if let Some(kind) = event_type.strip_prefix("video.asset.") {
        // Track and per-file rendition events carry the track/file as `data`, with `asset_id`.
        let nested = kind.starts_with("track.") || kind.starts_with("static_rendition.");
        let asset_id = if nested {
            text(data, "asset_id")
        } else {
            text(data, "id")
        }
        .map(MuxAssetId::new);
        let keys = MatchKeys {
            passthrough: passthrough(Some(data)),
            upload_id: text(data, "upload_id").map(MuxUploadId::new),
            asset_id: asset_id.clone(),
        };
        let event = asset_id.and_then(|asset_id| match kind {
            "created" => Some(LifecycleEvent::AssetCreated { asset_id }),
            "ready" => Some(LifecycleEvent::AssetReady {
                asset_id,
                details: ready_details(data),
            }),
            "errored" => Some(LifecycleEvent::AssetErrored {
                asset_id,
                error: asset_error(data),
            }),
            "deleted" => Some(LifecycleEvent::AssetDeleted { asset_id }),
            "static_rendition.ready" if is_ready_highest_mp4(data) => {
                Some(LifecycleEvent::Mp4Ready { asset_id })
            }
            "static_renditions.ready" => Some(LifecycleEvent::Mp4Ready { asset_id }),
            "warning" => warning(data).map(|warning| LifecycleEvent::Warned { asset_id, warning }),
            _ if nested && kind.starts_with("track.") => TrackStatus::of_event(&kind[6..])
                .and_then(|status| text_track(status, data))
                .map(|track| LifecycleEvent::Track { asset_id, track }),
            "non_standard_input_detected" => Some(LifecycleEvent::Warned {
                asset_id,
                warning: non_standard_input(data),
            }),
            _ => None,
        });
        return Interpretation { keys, event };
    }
    Interpretation {
        keys: MatchKeys::default(),
        event: None,
    }
}

/// A `video.asset.warning`'s `data.warning {type, message}` in words.
fn warning(data: &Value) -> Option<String> {
    let warning = data.get("warning")?;
    let text = |key| {
        warning
            .get(key)
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
    };
    text("message").or_else(|| text("type")).map(str::to_owned)
}

/// What `non_standard_input_reasons` (e.g. `{"video_codec": "hevc"}`) means for the owner.
fn non_standard_input(data: &Value) -> String {
    let reasons: Vec<String> = data
        .get("non_standard_input_reasons")
        .and_then(Value::as_object)
        .map(|reasons| {
            reasons
                .iter()
                .map(|(what, value)| {
                    let value = value
                        .as_str()
                        .map_or_else(|| value.to_string(), str::to_owned);
                    format!("{} {value}", what.replace('_', " "))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut text =
        "The file is not in a standard format, so Mux converts it first, which takes longer"
            .to_owned();
    if !reasons.is_empty() {
        text.push_str(&format!(" ({})", reasons.join(", ")));
    }
    text.push('.');
    text
}

/// A text track from a track object (a `video.asset.track.*` event's `data`, or one of an asset
/// read's `tracks`) with the status its event or read says; `None` for audio and video tracks or
/// a track without an id.
pub fn text_track(status: TrackStatus, track: &Value) -> Option<TextTrack> {
    let text = |key: &str| track.get(key).and_then(Value::as_str);
    let is_text =
        text("type") == Some("text") || (text("type").is_none() && text("text_type").is_some());
    if !is_text {
        return None;
    }
    let source = match text("text_source") {
        Some(source) if source.starts_with("generated") => TrackSource::Generated,
        _ => TrackSource::Supplied,
    };
    let error = track.get("error").map(|e| {
        let messages: Vec<&str> = e
            .get("messages")
            .and_then(Value::as_array)
            .map(|m| m.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        match messages.is_empty() {
            true => e
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("unknown")
                .to_owned(),
            false => messages.join("; "),
        }
    });
    Some(TextTrack {
        id: text("id")?.to_owned(),
        language: text("language_code").unwrap_or_default().to_owned(),
        name: text("name").unwrap_or_default().to_owned(),
        source,
        status,
        error: error.filter(|_| status == TrackStatus::Errored),
    })
}

fn passthrough(settings: Option<&Value>) -> Option<AssetId> {
    let raw = settings?.get("passthrough")?.as_str()?;
    AssetId::parse(raw).ok()
}

/// Reads an asset's readiness facts; shared with the reconciler's reading of `GET /assets/{id}`.
pub fn ready_details(asset: &Value) -> ReadyDetails {
    let first_playback = asset
        .get("playback_ids")
        .and_then(Value::as_array)
        .and_then(|ids| ids.first());
    let text = |value: Option<&Value>, key: &str| {
        value
            .and_then(|v| v.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    ReadyDetails {
        playback_id: text(first_playback, "id").map(PlaybackId::new),
        playback_policy: text(first_playback, "policy").and_then(|p| p.parse().ok()),
        duration_s: asset.get("duration").and_then(Value::as_f64),
        aspect_ratio: text(Some(asset), "aspect_ratio"),
        resolution_tier: text(Some(asset), "resolution_tier"),
        mp4_ready: asset
            .get("static_renditions")
            .and_then(|r| r.get("files"))
            .and_then(Value::as_array)
            .is_some_and(|files| files.iter().any(is_ready_highest_mp4)),
    }
}

/// True for a static rendition file that is the `highest` MP4, ready.
fn is_ready_highest_mp4(file: &Value) -> bool {
    file.get("name").and_then(Value::as_str) == Some("highest.mp4")
        && file.get("status").and_then(Value::as_str) == Some("ready")
}

/// An asset's `errors {type, messages[]}`.
pub fn asset_error(asset: &Value) -> ErrorInfo {
    let errors = asset.get("errors");
    let messages = errors
        .and_then(|e| e.get("messages"))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("; ")
        });
    error_info(errors, messages, ErrorSource::Asset)
}

/// An upload's `error {type, message}` (singular, unlike assets: docs/mux-facts.md §2.2).
pub fn upload_error(upload: &Value) -> ErrorInfo {
    let error = upload.get("error");
    let message = error
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    error_info(error, message, ErrorSource::Upload)
}

fn error_info(error: Option<&Value>, message: Option<String>, source: ErrorSource) -> ErrorInfo {
    ErrorInfo {
        kind: error
            .and_then(|e| e.get("type"))
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_owned(),
        message: message
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "Mux gave no reason".to_owned()),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn upload_asset_created_yields_all_three_keys() {
        let row = AssetId::new();
        let data = json!({"id": "up1", "status": "asset_created", "asset_id": "as1",
            "new_asset_settings": {"passthrough": row.to_string()}});
        let got = interpret_webhook("video.upload.asset_created", &data);
        assert_eq!(
            got.keys,
            MatchKeys {
                passthrough: Some(row),
                upload_id: Some("up1".into()),
                asset_id: Some("as1".into())
            }
        );
        assert_eq!(
            got.event,
            Some(LifecycleEvent::UploadAssetCreated {
                asset_id: "as1".into()
            })
        );
    }

    #[test]
    fn asset_ready_reads_playback_and_media_facts() {
        let data = json!({"id": "as1", "upload_id": "up1", "status": "ready", "duration": 2.0,
            "aspect_ratio": "4:3", "resolution_tier": "720p", "passthrough": "not-a-uuid",
            "playback_ids": [{"id": "pb1", "policy": "public"}]});
        let got = interpret_webhook("video.asset.ready", &data);
        assert_eq!(got.keys.passthrough, None, "foreign passthrough is ignored");
        assert_eq!(got.keys.upload_id.as_deref(), Some("up1"));
        let Some(LifecycleEvent::AssetReady { asset_id, details }) = got.event else {
            panic!("expected AssetReady, got {:?}", got.event);
        };
        assert_eq!(asset_id, "as1");
        assert_eq!(details.playback_id.as_deref(), Some("pb1"));
        assert_eq!(details.duration_s, Some(2.0));
        assert_eq!(details.aspect_ratio.as_deref(), Some("4:3"));
    }

    #[test]
    fn warnings_are_kept_in_words() {
        let warned =
            json!({"id": "as1", "warning": {"type": "deprecated", "message": "Audio was trimmed"}});
        assert_eq!(
            interpret_webhook("video.asset.warning", &warned).event,
            Some(LifecycleEvent::Warned {
                asset_id: "as1".into(),
                warning: "Audio was trimmed".into()
            })
        );
        let odd = json!({"id": "as1", "status": "preparing",
            "non_standard_input_reasons": {"video_codec": "hevc", "audio_codec": "opus"}});
        let Some(LifecycleEvent::Warned { warning, .. }) =
            interpret_webhook("video.asset.non_standard_input_detected", &odd).event
        else {
            panic!("expected Warned");
        };
        assert_eq!(
            warning,
            "The file is not in a standard format, so Mux converts it first, which takes longer \
             (audio codec opus, video codec hevc)."
        );
        let empty = json!({"id": "as1", "warning": {}});
        assert_eq!(interpret_webhook("video.asset.warning", &empty).event, None);
    }

    #[test]
    fn errors_keep_mux_type_and_messages() {
        let data =
            json!({"id": "as1", "errors": {"type": "invalid_input", "messages": ["a", "b"]}});
        let Some(LifecycleEvent::AssetErrored { error, .. }) =
            interpret_webhook("video.asset.errored", &data).event
        else {
            panic!("expected AssetErrored");
        };
        assert_eq!(error.kind, "invalid_input");
        assert_eq!(error.message, "a; b");
        let upload =
            json!({"id": "up1", "error": {"type": "invalid_input", "message": "bad file"}});
        let Some(LifecycleEvent::UploadErrored { error }) =
            interpret_webhook("video.upload.errored", &upload).event
        else {
            panic!("expected UploadErrored");
        };
        assert_eq!(
            (error.kind.as_str(), error.source),
            ("invalid_input", ErrorSource::Upload)
        );
    }

    #[test]
    fn text_track_events_are_tracks_of_their_asset_and_others_are_nothing() {
        let data = json!({"id": "track1", "asset_id": "as1", "type": "text",
            "text_source": "generated_vod", "language_code": "en", "name": "English",
            "error": {"type": "invalid_input", "messages": ["no speech"]}});
        let got = interpret_webhook("video.asset.track.errored", &data);
        assert_eq!(got.keys.asset_id.as_deref(), Some("as1"));
        let Some(LifecycleEvent::Track { asset_id, track }) = got.event else {
            panic!("expected a track: {:?}", got.event);
        };
        assert_eq!(asset_id, "as1");
        assert_eq!(
            (track.source, track.status, track.error.as_deref()),
            (
                TrackSource::Generated,
                TrackStatus::Errored,
                Some("no speech")
            )
        );
        let skipped = interpret_webhook("video.asset.track.skipped", &data).event;
        assert!(
            matches!(skipped, Some(LifecycleEvent::Track { track, .. }) if track.status == TrackStatus::Skipped && track.error.is_none())
        );
        let audio = json!({"id": "track2", "asset_id": "as1", "type": "audio"});
        assert_eq!(
            interpret_webhook("video.asset.track.ready", &audio).event,
            None
        );
        assert_eq!(
            interpret_webhook("video.asset.track.updated", &data).event,
            None
        );
    }

    #[test]
    fn unknown_families_name_nothing() {
        let got = interpret_webhook("video.live_stream.active", &json!({"id": "ls1"}));
        assert!(got.keys.is_empty());
        assert_eq!(got.event, None);
    }
}
