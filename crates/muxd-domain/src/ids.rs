//! Typed ids for muxd's own rows. Each wraps a UUID so an asset id can never be passed where a
//! user id is expected; `parse` is the only way in from text. And the rule for the ids others
//! choose that muxd stores: an external user id (the identity provider's) and the host app's ids
//! of its campaigns and influencers, each a type of its own with its rule.

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

/// The longest id the host app may give a campaign or an influencer, in bytes.
pub const MAX_APP_ID: usize = 128;

/// A type for ids others choose, kept as text: serialized as the plain string, read as `&str`
/// (`Deref`) where the text itself is wanted (a URL, a bound parameter), compared with a `&str`.
macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl std::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

pub(crate) use text_id;

text_id!(
    /// A user's id at the identity provider (e.g. a Clerk id), as muxd keeps it: trimmed, 1 to
    /// [`MAX_EXTERNAL_USER_ID`] bytes, no control characters.
    ExternalUserId
);
text_id!(
    /// An id the host app gave one of its campaigns or influencers: 1 to [`MAX_APP_ID`] letters,
    /// digits or `- _ . :`.
    AppId
);

impl ExternalUserId {
    /// `raw` trimmed, or `None` if it breaks the rule.
    pub fn parse(raw: &str) -> Option<Self> {
        let id = raw.trim();
        let valid =
            !id.is_empty() && id.len() <= MAX_EXTERNAL_USER_ID && !id.chars().any(char::is_control);
        valid.then(|| Self(id.to_owned()))
    }

    /// An id read back from muxd's own database, where only parsed ids are written.
    pub fn stored(text: String) -> Self {
        Self(text)
    }
}

impl AppId {
    /// `raw` as it is, or `None` if it breaks the rule.
    pub fn parse(raw: &str) -> Option<Self> {
        let valid = (1..=MAX_APP_ID).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
        valid.then(|| Self(raw.to_owned()))
    }

    /// An id read back from muxd's own database, where only parsed ids are written.
    pub fn stored(text: String) -> Self {
        Self(text)
    }
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
    fn external_and_app_ids_keep_to_their_rules() {
        assert_eq!(&*ExternalUserId::parse("  user_2x ").unwrap(), "user_2x");
        assert!(ExternalUserId::parse(" ").is_none());
        assert!(ExternalUserId::parse("a\nb").is_none());
        assert!(ExternalUserId::parse(&"x".repeat(MAX_EXTERNAL_USER_ID + 1)).is_none());
        assert_eq!(&*AppId::parse("camp-1.a:b_c").unwrap(), "camp-1.a:b_c");
        assert!(AppId::parse("").is_none());
        assert!(AppId::parse("has space").is_none());
        assert!(AppId::parse(&"x".repeat(MAX_APP_ID + 1)).is_none());
    }

    #[test]
    fn rejects_non_uuid_passthrough() {
        assert!(AssetId::parse("video-42").is_err());
        assert!(AssetId::parse("").is_err());
    }
}
