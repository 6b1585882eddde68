//! An asset's text tracks (captions and subtitles) as facts of the asset (docs/mux-facts.md §10):
//! each track Mux reports, generated from the audio or supplied as a file, with its language and
//! status. Tracks merge by id in a way that does not depend on arrival order: a track's status only
//! moves up [`TrackStatus`]'s order, and a deleted track stays as a tombstone so a late `ready`
//! cannot bring it back. A track never moves the asset's own status.

use serde::{Deserialize, Serialize};

/// Where a track's text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrackSource {
    /// Mux transcribed the audio (`text_source` `generated_vod`).
    Generated,
    /// A caption file someone supplied (`uploaded`, or embedded in the input).
    Supplied,
}

impl TrackSource {
    /// The name views use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Generated => "generated",
            Self::Supplied => "supplied",
        }
    }
}

/// A text track's state, in the order it can only move along: `preparing` first, one of the
/// three outcomes, and `deleted` last. The outcomes exclude each other at Mux; their order here
/// only makes any set of events settle the same in any order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrackStatus {
    Preparing,
    Ready,
    /// A generated track on a file with no audio (Mux's `video.asset.track.skipped`).
    Skipped,
    Errored,
    Deleted,
}

impl TrackStatus {
    /// The name views and the database use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Preparing => "preparing",
            Self::Ready => "ready",
            Self::Skipped => "skipped",
            Self::Errored => "errored",
            Self::Deleted => "deleted",
        }
    }

    /// The status a `video.asset.track.*` event type's suffix means.
    pub fn of_event(kind: &str) -> Option<Self> {
        Some(match kind {
            "created" => Self::Preparing,
            "ready" => Self::Ready,
            "skipped" => Self::Skipped,
            "errored" => Self::Errored,
            "deleted" => Self::Deleted,
            _ => return None,
        })
    }

    /// The status of a track as an asset read lists it (`status`).
    pub fn of_read(status: &str) -> Option<Self> {
        match status {
            "preparing" => Some(Self::Preparing),
            other => Self::of_event(other).filter(|s| *s != Self::Preparing),
        }
    }
}

/// One text track of an asset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextTrack {
    /// Mux's track id.
    pub id: String,
    /// The language code (`en`, `pt-BR`).
    pub language: String,
    /// The name players show in their captions menu.
    pub name: String,
    pub source: TrackSource,
    pub status: TrackStatus,
    /// Why it failed, in Mux's words, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl TextTrack {
    /// True while the track is (or may become) playable: not failed, skipped or deleted.
    pub fn is_live(&self) -> bool {
        matches!(self.status, TrackStatus::Preparing | TrackStatus::Ready)
    }
}

/// Merges what one event says about `track` into `tracks` (kept sorted by id). Returns whether
/// anything changed. The result is the same whatever order the events came in: a status only
/// moves up, and each other field is filled once (Mux sends the same values for one track).
pub fn merge(tracks: &mut Vec<TextTrack>, track: &TextTrack) -> bool {
    match tracks.binary_search_by(|t| t.id.as_str().cmp(&track.id)) {
        Err(at) => {
            tracks.insert(at, track.clone());
            true
        }
        Ok(at) => {
            let known = &mut tracks[at];
            let before = known.clone();
            if track.status > known.status {
                known.status = track.status;
            }
            fill(&mut known.language, &track.language);
            fill(&mut known.name, &track.name);
            if known.error.is_none() {
                known.error.clone_from(&track.error);
            }
            *known != before
        }
    }
}

/// Sets `slot` to the larger of the two non-empty values, so the merge commutes.
fn fill(slot: &mut String, value: &str) {
    if value > slot.as_str() {
        *slot = value.to_owned();
    }
}

/// The tracks a view shows: every one not deleted, in id order.
pub fn visible(tracks: &[TextTrack]) -> impl Iterator<Item = &TextTrack> {
    tracks.iter().filter(|t| t.status != TrackStatus::Deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(id: &str, status: TrackStatus) -> TextTrack {
        TextTrack {
            id: id.into(),
            language: "en".into(),
            name: "English".into(),
            source: TrackSource::Generated,
            status,
            error: None,
        }
    }

    #[test]
    fn a_status_only_moves_up_and_a_deleted_track_stays_deleted() {
        let mut tracks = Vec::new();
        assert!(merge(&mut tracks, &track("t", TrackStatus::Ready)));
        assert!(!merge(&mut tracks, &track("t", TrackStatus::Preparing)));
        assert!(merge(&mut tracks, &track("t", TrackStatus::Deleted)));
        assert!(!merge(&mut tracks, &track("t", TrackStatus::Ready)));
        assert_eq!(tracks[0].status, TrackStatus::Deleted);
        assert_eq!(visible(&tracks).count(), 0);
    }

    #[test]
    fn tracks_stay_sorted_by_id_and_fields_fill_in_any_order() {
        let mut bare = track("b", TrackStatus::Preparing);
        bare.name.clear();
        let mut one = Vec::new();
        merge(&mut one, &bare);
        merge(&mut one, &track("a", TrackStatus::Ready));
        merge(&mut one, &track("b", TrackStatus::Ready));
        let mut other = Vec::new();
        merge(&mut other, &track("b", TrackStatus::Ready));
        merge(&mut other, &bare);
        merge(&mut other, &track("a", TrackStatus::Ready));
        assert_eq!(one, other);
        assert_eq!(one[0].id, "a");
        assert_eq!(one[1].name, "English");
    }

    #[test]
    fn event_and_read_statuses_are_named_as_mux_names_them() {
        assert_eq!(TrackStatus::of_event("skipped"), Some(TrackStatus::Skipped));
        assert_eq!(TrackStatus::of_event("updated"), None);
        assert_eq!(
            TrackStatus::of_read("preparing"),
            Some(TrackStatus::Preparing)
        );
        assert_eq!(TrackStatus::of_read("created"), None);
        assert_eq!(TrackStatus::of_read("errored"), Some(TrackStatus::Errored));
    }
}
