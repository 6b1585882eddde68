//! The events muxd understands, whatever brought them: a Mux webhook, a poll of the Mux API, or a
//! user. A webhook is turned into [`MatchKeys`] (which row is it about?) and at most one
//! [`LifecycleEvent`] (what happened?) by [`super::interpret::interpret_webhook`].

use super::tracks::TextTrack;
use super::{AssetId, MuxAssetId, MuxUploadId, PlaybackId, PlaybackPolicy};

/// Why Mux says an upload or asset failed. Asset errors outrank upload errors, so the same set of
/// events gives the same stored error whatever order they arrive in.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ErrorInfo {
    /// Mux's error type, e.g. `invalid_input`.
    pub kind: String,
    /// Mux's human-readable message(s), joined with "; ".
    pub message: String,
    /// Which Mux object reported it.
    pub source: ErrorSource,
}

/// Where an [`ErrorInfo`] came from, in increasing order of trust: a Mux upload, a Mux asset,
/// or muxd itself refusing an asset (a limit of this service), which is final.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorSource {
    Upload,
    Asset,
    Muxd,
}

/// What a ready asset tells us about itself.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct ReadyDetails {
    pub playback_id: Option<PlaybackId>,
    pub playback_policy: Option<PlaybackPolicy>,
    pub duration_s: Option<f64>,
    pub aspect_ratio: Option<String>,
    pub resolution_tier: Option<String>,
    /// The `highest` MP4 static rendition is ready to play.
    pub mp4_ready: bool,
}

/// Something that happened to one upload/asset, in muxd's terms.
#[derive(Clone, Debug, PartialEq)]
pub enum LifecycleEvent {
    /// `video.upload.created`, or a poll that found the upload still `waiting`.
    UploadCreated,
    /// `video.upload.asset_created`: the file arrived and Mux made an asset from it.
    UploadAssetCreated { asset_id: MuxAssetId },
    /// `video.upload.cancelled`.
    UploadCancelled,
    /// `video.upload.errored`.
    UploadErrored { error: ErrorInfo },
    /// A poll found the upload `timed_out` (Mux sends no event for this, docs/mux-facts.md §5.2).
    UploadTimedOut,
    /// `video.asset.created` (status `preparing`).
    AssetCreated { asset_id: MuxAssetId },
    /// `video.asset.ready`.
    AssetReady {
        asset_id: MuxAssetId,
        details: ReadyDetails,
    },
    /// `video.asset.errored`.
    AssetErrored {
        asset_id: MuxAssetId,
        error: ErrorInfo,
    },
    /// `video.asset.deleted`.
    AssetDeleted { asset_id: MuxAssetId },
    /// The owner deleted the asset in muxd.
    DeletedByOwner,
    /// The playback-id check replaced a READY asset's broken playback id with this one.
    PlaybackRepaired { playback_id: PlaybackId },
    /// `video.asset.static_rendition.ready` for the `highest` MP4 (or the legacy
    /// `video.asset.static_renditions.ready`): the MP4 can be played.
    Mp4Ready { asset_id: MuxAssetId },
    /// `video.asset.warning` or `video.asset.non_standard_input_detected`: Mux warns about the
    /// input (in words); the status does not move.
    Warned {
        asset_id: MuxAssetId,
        warning: String,
    },
    /// `video.asset.track.*` for a text track, or a track an asset read lists: a fact of the
    /// asset that moves no status.
    Track {
        asset_id: MuxAssetId,
        track: TextTrack,
    },
    /// muxd refused the asset (it breaks one of this service's limits): it ends in error, and
    /// Mux deleting it afterwards (as muxd asks) changes nothing the owner sees.
    Refused { error: ErrorInfo },
}

impl LifecycleEvent {
    /// The Mux asset id the event names, if any.
    pub fn mux_asset_id(&self) -> Option<&MuxAssetId> {
        match self {
            Self::UploadAssetCreated { asset_id }
            | Self::AssetCreated { asset_id }
            | Self::AssetReady { asset_id, .. }
            | Self::AssetErrored { asset_id, .. }
            | Self::AssetDeleted { asset_id }
            | Self::Warned { asset_id, .. }
            | Self::Track { asset_id, .. }
            | Self::Mp4Ready { asset_id } => Some(asset_id),
            Self::UploadCreated
            | Self::UploadCancelled
            | Self::UploadErrored { .. }
            | Self::UploadTimedOut
            | Self::DeletedByOwner
            | Self::PlaybackRepaired { .. }
            | Self::Refused { .. } => None,
        }
    }
}

/// What caused a change, recorded with every transition for the admin view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cause {
    /// A verified Mux webhook (or its replay), by event id and type.
    Webhook {
        event_id: String,
        event_type: String,
    },
    /// The reconciler read the upload or asset from Mux.
    Poll { what: String },
    /// A user acted through the API.
    User { user_id: String },
    /// An admin's repair (e.g. of a broken playback id), by the admin's id.
    Repair { by: String },
    /// One of this service's limits, by name (e.g. `max_duration`).
    Limit { rule: String },
    /// An asset made outside muxd was adopted, by the admin's external id (or `cli`).
    Adopt { by: String },
}

impl Cause {
    /// The short kind stored in `asset_events.cause`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Webhook { .. } => "webhook",
            Self::Poll { .. } => "poll",
            Self::User { .. } => "user",
            Self::Repair { .. } => "repair",
            Self::Limit { .. } => "limit",
            Self::Adopt { .. } => "adopt",
        }
    }

    /// The detail stored in `asset_events.cause_ref`.
    pub fn reference(&self) -> String {
        match self {
            Self::Webhook {
                event_id,
                event_type,
            } => format!("{event_type} {event_id}"),
            Self::Poll { what } => what.clone(),
            Self::User { user_id } | Self::Repair { by: user_id } | Self::Adopt { by: user_id } => {
                user_id.clone()
            }
            Self::Limit { rule } => rule.clone(),
        }
    }
}

/// The ways an event can name its row, in decreasing order of trust (docs/contract.md §3).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MatchKeys {
    /// `new_asset_settings.passthrough` / `passthrough`: muxd's own row id.
    pub passthrough: Option<AssetId>,
    /// The direct upload's id.
    pub upload_id: Option<MuxUploadId>,
    /// The Mux asset id.
    pub asset_id: Option<MuxAssetId>,
}

impl MatchKeys {
    /// True when the event names no row at all.
    pub fn is_empty(&self) -> bool {
        self.passthrough.is_none() && self.upload_id.is_none() && self.asset_id.is_none()
    }
}
