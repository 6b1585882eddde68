//! OpenAPI schemas of the domain's types, only with the `openapi` feature (the web's document
//! turns it on; Rust's orphan rule puts a foreign trait's impl beside the type). The ids are UUID
//! strings, and the enums' values are read from the types' own `ALL` and `as_str`, the names
//! their serde derives also use (the unit test holds them together).

use std::borrow::Cow;

use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use crate::encoding::{ResolutionTier, VideoQuality};
use crate::outbound::DeliveryStatus;
use crate::processing::Stage;
use crate::replacement::ReplacementStatus;
use crate::{
    AppId, AssetId, AssetOrigin, AssetStatus, CampaignId, ExternalUserId, InfluencerId, MuxAssetId,
    MuxUploadId, Outcome, PlaybackId, Role, UserId,
};

/// A string schema: `format` and `values` when given.
fn string(description: &str, format: Option<&str>, values: Option<Vec<&str>>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .format(format.map(|f| SchemaFormat::Custom(f.to_owned())))
        .enum_values(values)
        .into()
}

macro_rules! uuid_schema {
    ($($id:ident: $what:literal),* $(,)?) => {$(
        impl PartialSchema for $id {
            fn schema() -> RefOr<Schema> {
                string($what, Some("uuid"), None)
            }
        }

        impl ToSchema for $id {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($id))
            }
        }
    )*};
}

macro_rules! text_id_schema {
    ($($id:ident: $what:literal),* $(,)?) => {$(
        impl PartialSchema for $id {
            fn schema() -> RefOr<Schema> {
                string($what, None, None)
            }
        }

        impl ToSchema for $id {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($id))
            }
        }
    )*};
}

text_id_schema!(
    AppId: "The host app's id of a campaign or an influencer: 1 to 128 letters, digits or - _ . :",
    ExternalUserId: "A user's id at the identity provider.",
    MuxAssetId: "Mux's id of an asset.",
    MuxUploadId: "Mux's id of a direct upload.",
    PlaybackId: "A Mux playback id: what a player's URL names.",
);

uuid_schema!(
    AssetId: "muxd's id of an asset (also the `passthrough` it gives Mux).",
    UserId: "muxd's id of a user.",
    CampaignId: "muxd's id of a campaign.",
    InfluencerId: "muxd's id of an influencer.",
);

macro_rules! enum_schema {
    ($($kind:ident: $what:literal),* $(,)?) => {$(
        impl PartialSchema for $kind {
            fn schema() -> RefOr<Schema> {
                string($what, None, Some($kind::ALL.map($kind::as_str).to_vec()))
            }
        }

        impl ToSchema for $kind {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($kind))
            }
        }
    )*};
}

enum_schema!(
    AssetStatus: "Where an asset is in its life; it only moves forward (DELETED is final).",
    AssetOrigin: "Where an asset's row came from: muxd's own upload, an asset Mux made from a \
        link, or an asset made outside muxd and adopted (the last two never have an upload URL).",
    Stage: "A step on the way to playable: the upload, Mux's processing, or both.",
    VideoQuality: "Mux's video quality, which sets what encoding costs: basic, plus or premium.",
    ResolutionTier: "The highest resolution tier Mux stores and streams the video at.",
    Role: "What a user may do.",
    Outcome: "What muxd did with a webhook event.",
    DeliveryStatus: "Where one delivery of a message to an endpoint stands.",
);

impl PartialSchema for ReplacementStatus {
    fn schema() -> RefOr<Schema> {
        let values = ReplacementStatus::ALL
            .map(ReplacementStatus::as_str)
            .to_vec();
        string(
            "Where a card's new file stands while its old video still plays.",
            None,
            Some(values),
        )
    }
}

impl ToSchema for ReplacementStatus {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ReplacementStatus")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn values<T: PartialSchema>() -> Value {
        serde_json::to_value(T::schema()).unwrap()["enum"].clone()
    }

    #[test]
    fn enum_values_are_what_serde_writes() {
        let serde = |all: Vec<Value>| Value::Array(all);
        assert_eq!(
            values::<AssetStatus>(),
            serde(AssetStatus::ALL.map(|s| json!(s)).to_vec())
        );
        assert_eq!(
            values::<AssetOrigin>(),
            serde(AssetOrigin::ALL.map(|o| json!(o)).to_vec())
        );
        assert_eq!(
            values::<ReplacementStatus>(),
            serde(ReplacementStatus::ALL.map(|s| json!(s)).to_vec())
        );
        assert_eq!(
            values::<Stage>(),
            serde(Stage::ALL.map(|s| json!(s)).to_vec())
        );
        assert_eq!(
            values::<VideoQuality>(),
            serde(VideoQuality::ALL.map(|q| json!(q)).to_vec())
        );
        assert_eq!(
            values::<ResolutionTier>(),
            serde(ResolutionTier::ALL.map(|t| json!(t)).to_vec())
        );
        assert_eq!(
            values::<Role>(),
            serde(Role::ALL.map(|r| json!(r)).to_vec())
        );
        assert_eq!(
            values::<Outcome>(),
            serde(Outcome::ALL.map(|o| json!(o)).to_vec())
        );
        assert_eq!(
            values::<DeliveryStatus>(),
            serde(DeliveryStatus::ALL.map(|s| json!(s)).to_vec())
        );
    }

    #[test]
    fn ids_are_uuid_strings() {
        let schema = serde_json::to_value(AssetId::schema()).unwrap();
        assert_eq!(schema["type"], "string");
        assert_eq!(schema["format"], "uuid");
        assert_eq!(json!(AssetId::new()).as_str().map(str::len), Some(36));
    }
}
