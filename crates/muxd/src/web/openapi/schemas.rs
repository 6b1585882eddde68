//! OpenAPI schemas of domain types, written here so `domain` stays free of web concerns: the
//! ids are UUID strings, and the enums' values are read from the types' own `ALL` and
//! `as_str`, the names their serde derives also use (the unit test holds them together).

use std::borrow::Cow;

use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use crate::domain::processing::Stage;
use crate::domain::replacement::ReplacementStatus;
use crate::domain::{AssetId, AssetOrigin, AssetStatus, CampaignId, InfluencerId, UserId};

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

uuid_schema!(
    AssetId: "muxd's id of an asset (also the `passthrough` it gives Mux).",
    UserId: "muxd's id of a user.",
    CampaignId: "muxd's id of a campaign.",
    InfluencerId: "muxd's id of an influencer.",
);

impl PartialSchema for AssetStatus {
    fn schema() -> RefOr<Schema> {
        let values = AssetStatus::ALL.map(AssetStatus::as_str).to_vec();
        string(
            "Where an asset is in its life; it only moves forward (DELETED is final).",
            None,
            Some(values),
        )
    }
}

impl ToSchema for AssetStatus {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("AssetStatus")
    }
}

impl PartialSchema for AssetOrigin {
    fn schema() -> RefOr<Schema> {
        let values = AssetOrigin::ALL.map(AssetOrigin::as_str).to_vec();
        string(
            "Where an asset's row came from: muxd's own upload, or an asset made outside muxd \
            and adopted (which never has an upload URL).",
            None,
            Some(values),
        )
    }
}

impl ToSchema for AssetOrigin {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("AssetOrigin")
    }
}

impl PartialSchema for Stage {
    fn schema() -> RefOr<Schema> {
        let values = Stage::ALL.map(Stage::as_str).to_vec();
        string(
            "A step on the way to playable: the upload, Mux's processing, or both.",
            None,
            Some(values),
        )
    }
}

impl ToSchema for Stage {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Stage")
    }
}

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
    }

    #[test]
    fn ids_are_uuid_strings() {
        let schema = serde_json::to_value(AssetId::schema()).unwrap();
        assert_eq!(schema["type"], "string");
        assert_eq!(schema["format"], "uuid");
        assert_eq!(json!(AssetId::new()).as_str().map(str::len), Some(36));
    }
}
