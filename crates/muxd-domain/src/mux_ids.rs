//! Mux's ids as muxd keeps them: an asset's, a direct upload's and a playback id. Each is Mux's
//! text, opaque to muxd (it never parses one), but typed, so an upload id can never be passed or
//! stored where an asset id or a playback id is expected. They serialize as the plain string,
//! and read as `&str` (`Deref`) where the text itself is wanted (a URL, a bound parameter).

use std::fmt;
use std::ops::Deref;

macro_rules! mux_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The id Mux gave, as Mux wrote it.
            pub fn new(text: impl Into<String>) -> Self {
                Self(text.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                Self(text)
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                Self(text.to_owned())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

mux_id!(
    /// A Mux asset's id.
    MuxAssetId
);
mux_id!(
    /// A Mux direct upload's id.
    MuxUploadId
);
mux_id!(
    /// A Mux playback id: what a player's URL names.
    PlaybackId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_the_plain_string_and_back() {
        let id = MuxAssetId::new("a1B2");
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"a1B2\"");
        assert_eq!(serde_json::from_str::<MuxAssetId>(&json).unwrap(), id);
        assert_eq!(id, "a1B2");
        assert_eq!(id.to_string(), "a1B2");
    }
}
