//! Where a `CreativeAsset` row came from: muxd's own direct upload, or an asset made outside
//! muxd and adopted. Only an upload row can be "unsent" (its create interrupted before it stored
//! the upload URL); an adopted row never had an upload URL and is complete without one.

use std::str::FromStr;

/// How a row came to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AssetOrigin {
    /// muxd created the row, then Mux's direct upload for it.
    Upload,
    /// The asset was made outside muxd (Mux's dashboard, another tool) and adopted.
    Adopted,
}

impl AssetOrigin {
    /// Every origin.
    pub const ALL: [AssetOrigin; 2] = [Self::Upload, Self::Adopted];

    /// The name stored in the database and shown in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upload => "upload",
            Self::Adopted => "adopted",
        }
    }
}

impl FromStr for AssetOrigin {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|origin| origin.as_str() == text)
            .ok_or_else(|| format!("unknown asset origin {text:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for origin in AssetOrigin::ALL {
            assert_eq!(origin.as_str().parse::<AssetOrigin>().unwrap(), origin);
            let json = serde_json::to_string(&origin).unwrap();
            assert_eq!(json, format!("\"{}\"", origin.as_str()));
        }
        assert!("Upload".parse::<AssetOrigin>().is_err());
    }
}
