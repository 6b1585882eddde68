//! Typed ids for muxd's own rows. Each wraps a UUID so an asset id can never be passed where a
//! user id is expected; `parse` is the only way in from text. And the rule for the ids others
//! choose that muxd stores: an external user id (the identity provider's).

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh random id.
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }

            /// Parses the canonical hyphenated form; anything else is an error.
            pub fn parse(text: &str) -> Result<Self, uuid::Error> {
                Uuid::parse_str(text).map(Self)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.hyphenated())
            }
        }
    };
}

uuid_id!(
    /// A `CreativeAsset` row; also the `passthrough` muxd gives Mux for that row's upload.
    AssetId
);
uuid_id!(
    /// muxd's internal user id, mapped from an external id (e.g. a Clerk id) on first sight.
    UserId
);
uuid_id!(
    /// A campaign whose content page collects uploads.
    CampaignId
);
uuid_id!(
    /// One creator (influencer) of a campaign.
    InfluencerId
);

/// The longest external user id accepted, in bytes.
pub const MAX_EXTERNAL_USER_ID: usize = 255;

/// An external user id (the identity provider's, e.g. a Clerk id), trimmed: 1 to
/// [`MAX_EXTERNAL_USER_ID`] bytes, no control characters; `None` if it breaks the rule.
pub fn external_user_id(raw: &str) -> Option<String> {
    let id = raw.trim();
    let valid =
        !id.is_empty() && id.len() <= MAX_EXTERNAL_USER_ID && !id.chars().any(char::is_control);
    valid.then(|| id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn display_then_parse_round_trips(bytes in any::<[u8; 16]>()) {
            let id = AssetId(Uuid::from_bytes(bytes));
            prop_assert_eq!(AssetId::parse(&id.to_string()).unwrap(), id);
        }

        #[test]
        fn parse_never_panics(text in ".{0,64}") {
            let _ = AssetId::parse(&text);
        }
    }

    #[test]
    fn rejects_non_uuid_passthrough() {
        assert!(AssetId::parse("video-42").is_err());
        assert!(AssetId::parse("").is_err());
    }
}
