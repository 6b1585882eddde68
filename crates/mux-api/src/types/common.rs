//! Shapes shared by every Mux resource: the `{"data": …}` envelopes, timestamps that arrive in
//! three forms, playback policies, and the "one or many" lists Mux accepts.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Mux's success envelope: `{"data": …}`.
#[derive(Debug, Deserialize)]
pub(crate) struct Data<T> {
    pub data: T,
}

/// A list response: `{"data": […], "next_cursor": …}` (the cursor only on asset lists).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// A point in time as Unix seconds. Mux sends `created_at` as a string of seconds in REST
/// (`"1609868768"`), a number in webhooks (`1609868768`), and old examples show ISO 8601;
/// all three deserialize. Serializes as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn unix_seconds(self) -> i64 {
        self.0
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Float(f64),
            Text(String),
        }
        let parsed = match Raw::deserialize(deserializer)? {
            Raw::Int(seconds) => Some(seconds),
            Raw::Float(seconds) if seconds.is_finite() => Some(seconds as i64),
            Raw::Float(_) => None,
            Raw::Text(text) => parse_text(&text),
        };
        parsed.map(Timestamp).ok_or_else(|| {
            serde::de::Error::custom("created_at is neither Unix seconds nor ISO 8601")
        })
    }
}

fn parse_text(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<i64>() {
        return Some(seconds);
    }
    if let Ok(seconds) = text.parse::<f64>() {
        return seconds.is_finite().then_some(seconds as i64);
    }
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|at| at.unix_timestamp())
}

/// Who may play a playback id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaybackPolicy {
    Public,
    Signed,
    Drm,
    /// A policy this client does not know yet.
    #[serde(other)]
    Unknown,
}

/// Accepts `"public"` as well as `["public"]` (Mux's docs allow a single string).
pub(crate) fn one_or_many<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany<T> {
        Many(Vec<T>),
        One(T),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::Many(items) => items,
        OneOrMany::One(item) => vec![item],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_every_form() {
        let cases = [
            (r#""1609868768""#, 1_609_868_768),
            ("1609868768", 1_609_868_768),
            ("1609868768.5", 1_609_868_768),
            (r#""2021-01-05T17:46:08Z""#, 1_609_868_768),
            (r#""2021-01-05T18:46:08+01:00""#, 1_609_868_768),
        ];
        for (json, expected) in cases {
            let parsed: Timestamp = serde_json::from_str(json).unwrap();
            assert_eq!(parsed, Timestamp(expected), "{json}");
        }
        assert!(serde_json::from_str::<Timestamp>(r#""yesterday""#).is_err());
        assert_eq!(serde_json::to_string(&Timestamp(5)).unwrap(), "5");
    }

    #[test]
    fn unknown_policy_does_not_fail() {
        let parsed: Vec<PlaybackPolicy> = serde_json::from_str(r#"["public","fancy"]"#).unwrap();
        assert_eq!(parsed, [PlaybackPolicy::Public, PlaybackPolicy::Unknown]);
    }
}
