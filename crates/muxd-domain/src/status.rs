//! The statuses a `CreativeAsset` moves through. Names are the system guide's (they are in its
//! SQL); `rank` is what makes the lifecycle monotonic.

use std::fmt;
use std::str::FromStr;

/// Where a `CreativeAsset` is in its life. See docs/contract.md §3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AssetStatus {
    /// Row created, upload URL handed out, no bytes seen by Mux yet.
    AwaitingUpload,
    /// The file reached Mux and an asset is being prepared.
    MuxProcessing,
    /// Playable.
    Ready,
    /// Mux rejected the input or the upload errored.
    Error,
    /// The upload was cancelled before any file arrived.
    Cancelled,
    /// The upload URL expired unused.
    TimedOut,
    /// Deleted by its owner or on Mux. Final.
    Deleted,
}

impl AssetStatus {
    /// Every status, in rank order.
    pub const ALL: [AssetStatus; 7] = [
        Self::AwaitingUpload,
        Self::MuxProcessing,
        Self::Ready,
        Self::Error,
        Self::Cancelled,
        Self::TimedOut,
        Self::Deleted,
    ];

    /// The name stored in the database and shown in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingUpload => "AWAITING_UPLOAD",
            Self::MuxProcessing => "MUX_PROCESSING",
            Self::Ready => "READY",
            Self::Error => "ERROR",
            Self::Cancelled => "CANCELLED",
            Self::TimedOut => "TIMED_OUT",
            Self::Deleted => "DELETED",
        }
    }

    /// A status only ever moves to one of strictly higher rank. The four outcomes of processing
    /// share a rank, so whichever arrives first is final for processing events; deletion outranks
    /// everything.
    pub fn rank(self) -> u8 {
        match self {
            Self::AwaitingUpload => 0,
            Self::MuxProcessing => 1,
            Self::Ready | Self::Error | Self::Cancelled | Self::TimedOut => 2,
            Self::Deleted => 3,
        }
    }

    /// True while the asset may still change without a user acting.
    pub fn is_in_flight(self) -> bool {
        self.rank() < 2
    }
}

impl fmt::Display for AssetStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status name that muxd does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown asset status {0:?}")]
pub struct UnknownStatus(pub String);

impl FromStr for AssetStatus {
    type Err = UnknownStatus;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
            .ok_or_else(|| UnknownStatus(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for status in AssetStatus::ALL {
            assert_eq!(status.as_str().parse::<AssetStatus>().unwrap(), status);
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        assert!("ready".parse::<AssetStatus>().is_err());
    }

    #[test]
    fn only_awaiting_and_processing_are_in_flight() {
        let in_flight: Vec<_> = AssetStatus::ALL
            .into_iter()
            .filter(|s| s.is_in_flight())
            .collect();
        assert_eq!(
            in_flight,
            [AssetStatus::AwaitingUpload, AssetStatus::MuxProcessing]
        );
    }
}
