//! Direct uploads (docs/mux-facts.md §2): what muxd sends to create one and what Mux answers.
//! Every response field but `id` is optional and unknown fields are ignored, so a Mux that grows
//! new fields or statuses does not break us.

use serde::{Deserialize, Serialize};

use super::common::{one_or_many, PlaybackPolicy};

/// Body of `POST /video/v1/uploads`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateUploadRequest {
    /// Origin allowed to PUT from a browser; without it browser uploads fail on CORS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cors_origin: Option<String>,
    pub new_asset_settings: NewAssetSettings,
    /// Seconds the upload URL stays valid (Mux: default 3600, 60..=604800).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<bool>,
}

/// Settings of the asset an upload will create (Mux's `CreateAssetRequest`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewAssetSettings {
    #[serde(default, alias = "playback_policy", deserialize_with = "one_or_many")]
    pub playback_policies: Vec<PlaybackPolicy>,
    /// Free text (≤ 255 chars) echoed on the asset and its webhooks; muxd puts its row id here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passthrough: Option<String>,
    /// `basic`, `plus` or `premium`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_quality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_resolution_tier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<AssetMeta>,
    /// A direct upload's inputs: the first (without `url`) may ask for generated captions. Empty
    /// in a [`CreateAssetRequest`](super::CreateAssetRequest), whose inputs are its own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<super::AssetInput>,
    /// Any other setting, sent and echoed as is.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `meta` on assets: title ≤ 512, creator_id and external_id ≤ 128 chars.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AssetMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

/// A direct upload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Upload {
    pub id: String,
    /// Where the file is PUT; present while `waiting`.
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub status: UploadStatus,
    #[serde(default)]
    pub timeout: Option<u64>,
    #[serde(default)]
    pub cors_origin: Option<String>,
    #[serde(default)]
    pub new_asset_settings: Option<NewAssetSettings>,
    /// Set once `asset_created`.
    #[serde(default)]
    pub asset_id: Option<String>,
    /// Set if asset creation failed (note: singular `message`, unlike asset errors).
    #[serde(default)]
    pub error: Option<UploadError>,
    #[serde(default)]
    pub test: bool,
}

/// Where an upload is in its life.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UploadStatus {
    Waiting,
    AssetCreated,
    Errored,
    Cancelled,
    TimedOut,
    /// A status this client does not know (or none was sent).
    #[default]
    #[serde(other)]
    Unknown,
}

/// `error` on an errored upload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadError {
    #[serde(rename = "type", default)]
    pub error_type: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// Query of `GET /video/v1/uploads`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListUploadsParams {
    pub limit: Option<u32>,
    /// Starts at 1.
    pub page: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_request_serializes_like_the_docs_example() {
        let request = CreateUploadRequest {
            cors_origin: Some("*".into()),
            new_asset_settings: NewAssetSettings {
                playback_policies: vec![PlaybackPolicy::Public],
                video_quality: Some("basic".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"new_asset_settings":{"playback_policies":["public"],"video_quality":"basic"},"cors_origin":"*"})
        );
    }

    #[test]
    fn upload_tolerates_unknown_fields_and_statuses() {
        let json = r#"{"id":"u1","status":"asset_created","asset_id":"a1","timeout":3600,
            "new_asset_settings":{"playback_policy":"public","passthrough":"row-7","normalize_audio":true},
            "brand_new_field":{"x":1}}"#;
        let upload: Upload = serde_json::from_str(json).unwrap();
        assert_eq!(upload.status, UploadStatus::AssetCreated);
        assert_eq!(upload.asset_id.as_deref(), Some("a1"));
        let settings = upload.new_asset_settings.unwrap();
        assert_eq!(settings.playback_policies, [PlaybackPolicy::Public]);
        assert_eq!(settings.passthrough.as_deref(), Some("row-7"));
        assert_eq!(settings.extra["normalize_audio"], serde_json::json!(true));

        let odd: Upload = serde_json::from_str(r#"{"id":"u2","status":"teleported"}"#).unwrap();
        assert_eq!(odd.status, UploadStatus::Unknown);
        let errored: Upload = serde_json::from_str(
            r#"{"id":"u3","status":"errored","error":{"type":"invalid_input","message":"bad file"}}"#,
        )
        .unwrap();
        assert_eq!(errored.error.unwrap().message.as_deref(), Some("bad file"));
    }
}
