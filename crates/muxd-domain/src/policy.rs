//! Who may play a ready asset, as Mux says (its first playback id's policy): anyone with the URL,
//! or only with a token muxd signs (or Mux's DRM). A policy Mux names that muxd does not know is
//! kept as unknown (none), never guessed.

use std::str::FromStr;

/// A playback id's policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PlaybackPolicy {
    Public,
    Signed,
    Drm,
}

impl PlaybackPolicy {
    /// Every policy.
    pub const ALL: [PlaybackPolicy; 3] = [Self::Public, Self::Signed, Self::Drm];

    /// Mux's name, also the one stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Signed => "signed",
            Self::Drm => "drm",
        }
    }
}

impl FromStr for PlaybackPolicy {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|policy| policy.as_str() == text)
            .ok_or_else(|| format!("unknown playback policy {text:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_ones_are_refused() {
        for policy in PlaybackPolicy::ALL {
            assert_eq!(policy.as_str().parse::<PlaybackPolicy>(), Ok(policy));
        }
        assert!("drm_v2".parse::<PlaybackPolicy>().is_err());
    }
}
