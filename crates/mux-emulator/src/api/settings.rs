//! The asset settings of `POST /video/v1/uploads` (`new_asset_settings`) and
//! `POST /video/v1/assets` (the body itself): one check for both (docs/mux-facts.md §2.1, §4.1).

use serde_json::{json, Map, Value};

use super::ApiError;
use crate::state::model::playback_policies;
use crate::state::static_renditions;
use crate::state::text_tracks::generated_on_inputs;

/// Checks the fields the emulator acts on and fills Mux's defaults; the rest is echoed.
pub fn validate_settings(mut s: Map<String, Value>) -> Result<Map<String, Value>, ApiError> {
    for key in ["playback_policies", "playback_policy"] {
        if let Some(v) = s.get(key) {
            playback_policies(v).ok_or_else(|| {
                ApiError::InvalidParameters(format!(
                    "{key} must be one or more of public, signed, drm"
                ))
            })?;
        }
    }
    if let Some(p) = s.get("passthrough") {
        validate_passthrough(p)?;
    }
    if let Some(tier) = s.get("max_resolution_tier") {
        if !matches!(tier.as_str(), Some("1080p" | "1440p" | "2160p")) {
            return Err(ApiError::InvalidParameters(
                "max_resolution_tier must be 1080p, 1440p or 2160p".into(),
            ));
        }
    }
    if let Some(q) = s.get("video_quality") {
        if !matches!(q.as_str(), Some("basic" | "plus" | "premium")) {
            return Err(ApiError::InvalidParameters(
                "video_quality must be basic, plus or premium".into(),
            ));
        }
    }
    if let Some(meta) = s.get("meta") {
        validate_meta(meta)?;
    }
    if let Some(renditions) = s.get("static_renditions") {
        static_renditions::validate(renditions).map_err(ApiError::InvalidParameters)?;
        if s.get("mp4_support").is_some_and(|m| m != "none") {
            return Err(ApiError::InvalidParameters(
                "mp4_support cannot be combined with static_renditions".into(),
            ));
        }
    }
    // An upload's `inputs` carries options of its one input, e.g. generated captions (§10).
    generated_on_inputs(s.get("inputs")).map_err(ApiError::InvalidParameters)?;
    s.entry("max_resolution_tier")
        .or_insert_with(|| json!("1080p"));
    s.entry("video_quality").or_insert_with(|| json!("basic"));
    Ok(s)
}

/// `passthrough`: a string of at most 255 bytes (docs/mux-facts.md §2.1).
pub fn validate_passthrough(passthrough: &Value) -> Result<&str, ApiError> {
    (passthrough.as_str().filter(|p| p.len() <= 255)).ok_or_else(|| {
        ApiError::InvalidParameters("passthrough must be a string of at most 255 characters".into())
    })
}

/// `meta`: `{title ≤ 512, creator_id ≤ 128, external_id ≤ 128}`, all strings (docs/mux-facts.md §2.1).
pub fn validate_meta(meta: &Value) -> Result<(), ApiError> {
    let obj = meta
        .as_object()
        .ok_or_else(|| ApiError::InvalidParameters("meta must be an object".into()))?;
    for (key, max) in [("title", 512), ("creator_id", 128), ("external_id", 128)] {
        if let Some(v) = obj.get(key) {
            if v.as_str().is_none_or(|s| s.chars().count() > max) {
                return Err(ApiError::InvalidParameters(format!(
                    "meta.{key} must be a string of at most {max} characters"
                )));
            }
        }
    }
    Ok(())
}
