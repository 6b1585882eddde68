//! The parts of Mux's webhook envelope muxd reads (docs/mux-facts.md §5.1); everything else stays in the
//! stored payload.

use serde::Deserialize;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use muxd_domain::interpret::{interpret_webhook, Interpretation};

/// A webhook's envelope.
#[derive(Debug, Deserialize)]
pub struct Envelope {
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub created_at: Option<Value>,
    pub object: Option<ObjectRef>,
    #[serde(default)]
    pub data: Value,
}

/// The envelope's `object`.
#[derive(Debug, Deserialize)]
pub struct ObjectRef {
    #[serde(rename = "type")]
    pub object_type: Option<String>,
    pub id: Option<String>,
}

impl Envelope {
    /// What the event means for muxd.
    pub fn meaning(&self) -> Interpretation {
        interpret_webhook(&self.event_type, &self.data)
    }

    /// When Mux says it happened, in unix ms.
    pub fn created_at_ms(&self) -> Option<i64> {
        self.created_at.as_ref().and_then(created_at_ms)
    }
}

/// Mux's envelope `created_at`: an ISO-8601 string, or (older payloads) unix seconds.
fn created_at_ms(value: &Value) -> Option<i64> {
    match value {
        Value::String(text) => OffsetDateTime::parse(text, &Rfc3339)
            .ok()
            .map(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX))
            .or_else(|| text.parse::<i64>().ok().map(|s| s * 1000)),
        Value::Number(n) => n.as_i64().map(|s| s * 1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn created_at_accepts_iso_and_unix_seconds() {
        assert_eq!(
            created_at_ms(&json!("2024-06-10T22:24:01.561000Z")),
            Some(1_718_058_241_561)
        );
        assert_eq!(
            created_at_ms(&json!(1_656_362_193)),
            Some(1_656_362_193_000)
        );
        assert_eq!(created_at_ms(&json!("1656362193")), Some(1_656_362_193_000));
        assert_eq!(created_at_ms(&json!("yesterday")), None);
    }
}
