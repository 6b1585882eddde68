//! Replacing a video in place: what a card shows of the new file while it is on its way. The new
//! file is a hidden "take" (a row of its own that `replaces` the card); the card keeps playing
//! its old video until the take is READY, and says how the take is doing meanwhile.

use std::str::FromStr;

use super::event::ErrorInfo;
use super::AssetStatus;

/// Where a card's pending replacement stands, as its owner sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplacementStatus {
    /// The upload URL is handed out; Mux has no file yet.
    Uploading,
    /// Mux has the file and is preparing the new asset.
    Processing,
    /// The new file failed (or its upload was cancelled or timed out); the old video stays.
    Error,
}

impl ReplacementStatus {
    /// Every status.
    pub const ALL: [ReplacementStatus; 3] = [Self::Uploading, Self::Processing, Self::Error];

    /// The name stored in the database and shown in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Uploading => "uploading",
            Self::Processing => "processing",
            Self::Error => "error",
        }
    }

    /// What the card shows for a take in `status`: nothing once the take is READY (the card
    /// has become it) or DELETED (given up with its card).
    pub fn of(status: AssetStatus) -> Option<Self> {
        match status {
            AssetStatus::AwaitingUpload => Some(Self::Uploading),
            AssetStatus::MuxProcessing => Some(Self::Processing),
            AssetStatus::Error | AssetStatus::Cancelled | AssetStatus::TimedOut => {
                Some(Self::Error)
            }
            AssetStatus::Ready | AssetStatus::Deleted => None,
        }
    }
}

impl FromStr for ReplacementStatus {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
            .ok_or_else(|| format!("unknown replacement status {text:?}"))
    }
}

/// A card's pending or failed replacement.
#[derive(Clone, Debug, PartialEq)]
pub struct Replacement {
    pub status: ReplacementStatus,
    /// Why it failed, when it did.
    pub error: Option<ErrorInfo>,
}

/// Why a take in `status` failed, in words, given the error Mux reported (if any). A take that
/// never received its file has no error from Mux; the card still says what happened.
pub fn failure(status: AssetStatus, error: Option<&ErrorInfo>) -> Option<(String, String)> {
    match (status, error) {
        (AssetStatus::Error, Some(error)) => Some((error.kind.clone(), error.message.clone())),
        (AssetStatus::Error, None) => Some(("error".into(), "the new file failed".into())),
        (AssetStatus::Cancelled, _) => Some((
            "cancelled".into(),
            "the new file's upload was cancelled before it arrived".into(),
        )),
        (AssetStatus::TimedOut, _) => Some((
            "timed_out".into(),
            "the new file never arrived before its upload URL expired".into(),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::ErrorSource;

    #[test]
    fn names_round_trip_and_every_status_maps() {
        for status in ReplacementStatus::ALL {
            assert_eq!(
                status.as_str().parse::<ReplacementStatus>().unwrap(),
                status
            );
        }
        assert_eq!(
            ReplacementStatus::of(AssetStatus::AwaitingUpload),
            Some(ReplacementStatus::Uploading)
        );
        assert_eq!(ReplacementStatus::of(AssetStatus::Ready), None);
        assert_eq!(
            ReplacementStatus::of(AssetStatus::TimedOut),
            Some(ReplacementStatus::Error)
        );
    }

    #[test]
    fn a_failure_says_why_in_words() {
        let mux = ErrorInfo {
            kind: "invalid_input".into(),
            message: "not a video".into(),
            source: ErrorSource::Asset,
        };
        assert_eq!(
            failure(AssetStatus::Error, Some(&mux)),
            Some(("invalid_input".into(), "not a video".into()))
        );
        assert!(failure(AssetStatus::Cancelled, None).is_some());
        assert_eq!(failure(AssetStatus::MuxProcessing, Some(&mux)), None);
    }
}
