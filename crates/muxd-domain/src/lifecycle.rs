//! The asset lifecycle as one pure function, [`apply`]: what muxd knows about an asset after one
//! more event. Two rules make the same set of events give the same row in any order, with any
//! duplicates (docs/contract.md §3):
//! - the status only moves to a strictly higher [`AssetStatus::rank`], so late or repeated events
//!   never move a row backwards and READY/ERROR/CANCELLED/TIMED_OUT are final for processing events;
//! - among those four outcomes, the event Mux stamped latest decides (ties: [`outcome_order`]), so
//!   conflicting outcomes (`ready` and `errored` for one asset) settle the same in any order;
//! - facts (asset id, playback id, media figures, error) merge by fixed rules that do not depend
//!   on arrival order: fill what is missing, keep the more trusted error, the earliest creation
//!   and ready times and the latest event time, and Mux's warnings as a sorted set;
//! - text tracks merge by id ([`super::tracks::merge`]): a track's status only moves forward, and
//!   no track event moves the asset's status, so a caption that fails leaves the video as it was.

use super::event::{ErrorInfo, ErrorSource, LifecycleEvent, ReadyDetails};
use super::tracks::{self, TextTrack};
use super::{AssetStatus, MuxAssetId};

/// What muxd knows about one asset: the lifecycle-owned columns of a `creative_assets` row.
#[derive(Clone, Debug, PartialEq)]
pub struct AssetFacts {
    pub status: AssetStatus,
    pub mux_asset_id: Option<MuxAssetId>,
    pub ready: ReadyDetails,
    pub error: Option<ErrorInfo>,
    /// When Mux created the asset, which is when it had the whole file (unix ms): the earliest
    /// stamp of `video.upload.asset_created` and `video.asset.created`.
    pub processing_at_ms: Option<i64>,
    /// When Mux said the asset became ready (unix ms).
    pub ready_at_ms: Option<i64>,
    /// The newest event applied (unix ms).
    pub last_event_at_ms: Option<i64>,
    /// When Mux stamped the outcome event (ready, errored, cancelled, timed out) that decides
    /// the status (unix ms); a conflicting outcome wins only if stamped later.
    pub decided_at_ms: Option<i64>,
    /// What Mux warned about the input, in words (sorted, each once).
    pub warnings: Vec<String>,
    /// The asset's text tracks, by id (deleted ones kept as tombstones).
    pub tracks: Vec<TextTrack>,
}

impl AssetFacts {
    /// A freshly created row: upload URL handed out, nothing heard from Mux.
    pub fn awaiting_upload() -> Self {
        Self {
            status: AssetStatus::AwaitingUpload,
            mux_asset_id: None,
            ready: ReadyDetails::default(),
            error: None,
            processing_at_ms: None,
            ready_at_ms: None,
            last_event_at_ms: None,
            decided_at_ms: None,
            warnings: Vec::new(),
            tracks: Vec::new(),
        }
    }
}

/// The result of applying an event that changed something.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub from: AssetStatus,
    pub to: AssetStatus,
    pub facts: AssetFacts,
}

/// The status an event argues for; [`apply`] only takes it if it outranks the current one.
fn target_status(event: &LifecycleEvent) -> AssetStatus {
    match event {
        LifecycleEvent::UploadCreated => AssetStatus::AwaitingUpload,
        LifecycleEvent::UploadAssetCreated { .. } | LifecycleEvent::AssetCreated { .. } => {
            AssetStatus::MuxProcessing
        }
        LifecycleEvent::AssetReady { .. } => AssetStatus::Ready,
        LifecycleEvent::AssetErrored { .. }
        | LifecycleEvent::UploadErrored { .. }
        | LifecycleEvent::Refused { .. } => AssetStatus::Error,
        LifecycleEvent::UploadCancelled => AssetStatus::Cancelled,
        LifecycleEvent::UploadTimedOut => AssetStatus::TimedOut,
        LifecycleEvent::AssetDeleted { .. } | LifecycleEvent::DeletedByOwner => {
            AssetStatus::Deleted
        }
        LifecycleEvent::PlaybackRepaired { .. } => AssetStatus::Ready,
        // A warning, a rendition or a track moves nothing; `apply` only merges it.
        LifecycleEvent::Warned { .. }
        | LifecycleEvent::Mp4Ready { .. }
        | LifecycleEvent::Track { .. } => AssetStatus::AwaitingUpload,
    }
}

/// How conflicting outcomes stamped at the same instant are decided: the higher wins. A playable
/// asset beats an error (a poll would show the error later, stamped later), and any asset beats
/// the upload's own cancellation or time-out.
pub fn outcome_order(status: AssetStatus) -> u8 {
    match status {
        AssetStatus::Ready => 4,
        AssetStatus::Error => 3,
        AssetStatus::TimedOut => 2,
        AssetStatus::Cancelled => 1,
        AssetStatus::AwaitingUpload | AssetStatus::MuxProcessing | AssetStatus::Deleted => 0,
    }
}

/// True for the four outcomes of processing, which share a rank and are decided by time.
fn is_outcome(status: AssetStatus) -> bool {
    outcome_order(status) > 0
}

/// Applies `event`, which happened at `at_ms`, to `current`. `None` means nothing changed (a
/// duplicate, or a late event with nothing new), so the caller records no transition.
pub fn apply(current: &AssetFacts, event: &LifecycleEvent, at_ms: i64) -> Option<Change> {
    if is_refused(current) && matches!(event, LifecycleEvent::AssetDeleted { .. }) {
        // Mux deleting what muxd refused (as muxd asked) is not news to its owner.
        return None;
    }
    if let (Some(held), Some(named)) = (current.mux_asset_id.as_ref(), event.mux_asset_id()) {
        if held != named {
            // Another asset's news (a card's old asset, late, once a take took its place): the
            // row holds one asset, and only that asset's events describe it.
            return None;
        }
    }
    let target = target_status(event);
    let mut next = current.clone();
    if let LifecycleEvent::PlaybackRepaired { playback_id } = event {
        if current.status == AssetStatus::Ready {
            next.ready.playback_id = Some(playback_id.clone());
        }
    } else if let LifecycleEvent::Mp4Ready { .. } = event {
        next.ready.mp4_ready = true;
    } else if let LifecycleEvent::Warned { warning, .. } = event {
        if let Err(at) = next.warnings.binary_search(warning) {
            next.warnings.insert(at, warning.clone());
        }
    } else if let LifecycleEvent::Track { track, .. } = event {
        tracks::merge(&mut next.tracks, track);
    } else if is_outcome(target) {
        decide_outcome(&mut next, target, at_ms);
    } else if target.rank() > current.status.rank() {
        next.status = target;
    }
    if next.mux_asset_id.is_none() {
        next.mux_asset_id = event.mux_asset_id().cloned();
    }
    match event {
        LifecycleEvent::UploadAssetCreated { .. } | LifecycleEvent::AssetCreated { .. } => {
            next.processing_at_ms = Some(next.processing_at_ms.map_or(at_ms, |t| t.min(at_ms)));
        }
        LifecycleEvent::AssetReady { details, .. } => {
            merge_ready(&mut next.ready, details);
            next.ready_at_ms = Some(next.ready_at_ms.map_or(at_ms, |t| t.min(at_ms)));
        }
        LifecycleEvent::AssetErrored { error, .. }
        | LifecycleEvent::UploadErrored { error }
        | LifecycleEvent::Refused { error }
            if next
                .error
                .as_ref()
                .is_none_or(|old| error.source > old.source) =>
        {
            next.error = Some(error.clone());
        }
        _ => {}
    }
    next.last_event_at_ms = Some(next.last_event_at_ms.map_or(at_ms, |t| t.max(at_ms)));
    if next == *current {
        return None;
    }
    Some(Change {
        from: current.status,
        to: next.status,
        facts: next,
    })
}

/// True when `change` tells more than that an event happened later: a poll that finds what muxd
/// already knows (the same status, stamped later) is no news, and must not be recorded as a
/// transition. An earlier stamp of the asset's creation is news: it dates when Mux had the file
/// (in the usual order it comes with the move to MUX_PROCESSING, in the same write).
pub fn is_news(current: &AssetFacts, change: &Change) -> bool {
    let mut facts = change.facts.clone();
    facts.last_event_at_ms = current.last_event_at_ms;
    facts.decided_at_ms = current.decided_at_ms;
    facts != *current
}

/// True when muxd refused the asset: it ended in error by one of this service's limits.
pub fn is_refused(facts: &AssetFacts) -> bool {
    facts.status == AssetStatus::Error
        && facts
            .error
            .as_ref()
            .is_some_and(|e| e.source == ErrorSource::Muxd)
}

/// Takes outcome `target`, stamped `at_ms`, if it is later than the deciding one (ties by
/// [`outcome_order`]). The decision is a maximum over all outcome events, so it does not depend on
/// arrival order; it is kept even on a deleted row, which stays deleted.
fn decide_outcome(next: &mut AssetFacts, target: AssetStatus, at_ms: i64) {
    let key = (at_ms, outcome_order(target));
    let decided = next
        .decided_at_ms
        .map(|at| (at, outcome_order(next.status)));
    let beats = match decided {
        Some(decided) if is_outcome(next.status) => key > decided,
        Some((at, _)) => at_ms > at,
        None => true,
    };
    if !beats {
        return;
    }
    next.decided_at_ms = Some(at_ms);
    if next.status.rank() <= target.rank() {
        next.status = target;
    }
}

fn merge_ready(into: &mut ReadyDetails, from: &ReadyDetails) {
    fn fill<T: Clone>(slot: &mut Option<T>, value: &Option<T>) {
        if slot.is_none() {
            slot.clone_from(value);
        }
    }
    fill(&mut into.playback_id, &from.playback_id);
    fill(&mut into.playback_policy, &from.playback_policy);
    fill(&mut into.duration_s, &from.duration_s);
    fill(&mut into.aspect_ratio, &from.aspect_ratio);
    fill(&mut into.resolution_tier, &from.resolution_tier);
    into.mp4_ready |= from.mp4_ready;
}

#[cfg(test)]
mod tests;
