//! Mux's ids as muxd keeps them: an asset's, a direct upload's and a playback id. Each is Mux's
//! text, opaque to muxd (it never parses one), but typed, so an upload id can never be passed or
//! stored where an asset id or a playback id is expected. Like the other ids others choose
//! ([`crate::ids`]), they serialize as the plain string and read as `&str`.

use crate::ids::text_id;

text_id!(
    /// A Mux asset's id.
    MuxAssetId
);
text_id!(
    /// A Mux direct upload's id.
    MuxUploadId
);
text_id!(
    /// A Mux playback id: what a player's URL names.
    PlaybackId
);

/// Mux's ids are taken as Mux wrote them: any text Mux sends names its object.
macro_rules! from_mux {
    ($($name:ident),*) => {$(
        impl $name {
            /// The id Mux gave, as Mux wrote it.
            pub fn new(text: impl Into<String>) -> Self {
                Self(text.into())
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
    )*};
}

from_mux!(MuxAssetId, MuxUploadId, PlaybackId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_the_plain_string() {
        let id = MuxAssetId::new("a1B2");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"a1B2\"");
        assert_eq!(id, "a1B2");
        assert_eq!(id.to_string(), "a1B2");
        assert_eq!(&*id, "a1B2");
    }
}
