//! Example-based and property tests of the lifecycle: the order-independence promise of
//! docs/contract.md §3 checked over generated histories of one upload.

use super::*;
use crate::event::ErrorSource;
use crate::PlaybackPolicy;

fn ready(asset: &str) -> LifecycleEvent {
    LifecycleEvent::AssetReady {
        asset_id: asset.into(),
        details: ReadyDetails {
            playback_id: Some("pb-1".into()),
            playback_policy: Some(PlaybackPolicy::Public),
            duration_s: Some(10.0),
            aspect_ratio: Some("16:9".into()),
            resolution_tier: Some("720p".into()),
            mp4_ready: false,
        },
    }
}

fn error(source: ErrorSource) -> ErrorInfo {
    ErrorInfo {
        kind: "invalid_input".into(),
        message: format!("{source:?} said no"),
        source,
    }
}

fn fold(events: &[(LifecycleEvent, i64)]) -> AssetFacts {
    events
        .iter()
        .fold(AssetFacts::awaiting_upload(), |facts, (event, at)| {
            apply(&facts, event, *at).map_or(facts, |change| change.facts)
        })
}

#[test]
fn warnings_merge_as_a_set_and_move_nothing() {
    let warned = |w: &str| LifecycleEvent::Warned {
        asset_id: "a".into(),
        warning: w.into(),
    };
    let facts = fold(&[
        (warned("b"), 1),
        (ready("a"), 2),
        (warned("a"), 3),
        (warned("b"), 4),
    ]);
    assert_eq!(facts.status, AssetStatus::Ready);
    assert_eq!(facts.warnings, ["a", "b"]);
    let other_order = fold(&[(warned("a"), 3), (warned("b"), 4), (ready("a"), 2)]);
    assert_eq!(other_order.warnings, facts.warnings);
    let again = apply(&facts, &warned("a"), 9).filter(|change| is_news(&facts, change));
    assert_eq!(again, None, "a known warning is no news");
}

#[test]
fn the_mp4_is_ready_once_any_event_says_so_in_any_order() {
    let mp4 = LifecycleEvent::Mp4Ready {
        asset_id: "a".into(),
    };
    let before = fold(&[(mp4.clone(), 5), (ready("a"), 4)]);
    let after = fold(&[(ready("a"), 4), (mp4, 5)]);
    assert!(before.ready.mp4_ready && after.ready.mp4_ready);
    assert_eq!(
        (before.status, after.status),
        (AssetStatus::Ready, AssetStatus::Ready)
    );
    let mut read_ready = ready("a");
    if let LifecycleEvent::AssetReady { details, .. } = &mut read_ready {
        details.mp4_ready = true;
    }
    assert!(
        fold(&[(read_ready, 4), (ready("a"), 6)]).ready.mp4_ready,
        "a later read without it does not undo it"
    );
}

#[test]
fn a_refusal_is_final_but_for_the_owners_delete() {
    let refusal = ErrorInfo {
        kind: "duration_limit".into(),
        message: "too long".into(),
        source: ErrorSource::Muxd,
    };
    let facts = fold(&[
        (ready("a"), 4),
        (
            LifecycleEvent::Refused {
                error: refusal.clone(),
            },
            9,
        ),
    ]);
    assert_eq!(
        (facts.status, facts.error.as_ref()),
        (AssetStatus::Error, Some(&refusal))
    );
    assert!(is_refused(&facts));
    // Mux deleting the refused asset, Mux's earlier ready again, or a later Mux error: no news.
    let deleted = LifecycleEvent::AssetDeleted {
        asset_id: "a".into(),
    };
    assert_eq!(apply(&facts, &deleted, 12), None);
    assert_eq!(apply(&facts, &ready("a"), 4), None);
    let mux_error = LifecycleEvent::AssetErrored {
        asset_id: "a".into(),
        error: error(ErrorSource::Asset),
    };
    let after = apply(&facts, &mux_error, 15).map_or(facts.clone(), |c| c.facts);
    assert_eq!(after.error.as_ref(), Some(&refusal));
    // The owner may still delete it.
    let gone = apply(&facts, &LifecycleEvent::DeletedByOwner, 20).unwrap();
    assert_eq!(gone.to, AssetStatus::Deleted);
}

#[test]
fn ready_path_in_order_reaches_ready_with_details() {
    let facts = fold(&[
        (LifecycleEvent::UploadCreated, 1),
        (
            LifecycleEvent::UploadAssetCreated {
                asset_id: "a".into(),
            },
            2,
        ),
        (
            LifecycleEvent::AssetCreated {
                asset_id: "a".into(),
            },
            3,
        ),
        (ready("a"), 4),
    ]);
    assert_eq!(facts.status, AssetStatus::Ready);
    assert_eq!(facts.mux_asset_id.as_deref(), Some("a"));
    assert_eq!(facts.ready.playback_id.as_deref(), Some("pb-1"));
    assert_eq!(
        (
            facts.processing_at_ms,
            facts.ready_at_ms,
            facts.last_event_at_ms
        ),
        (Some(2), Some(4), Some(4))
    );
}

#[test]
fn asset_created_after_ready_only_dates_the_file() {
    let after_ready = fold(&[(ready("a"), 4)]);
    let late = LifecycleEvent::AssetCreated {
        asset_id: "a".into(),
    };
    let change = apply(&after_ready, &late, 3).expect("when Mux had the file is a new fact");
    assert_eq!(
        (change.from, change.to),
        (AssetStatus::Ready, AssetStatus::Ready)
    );
    assert_eq!(change.facts.processing_at_ms, Some(3));
    assert!(is_news(&after_ready, &change));
    assert_eq!(apply(&change.facts, &late, 3), None, "the same event again");
}

#[test]
fn the_earliest_creation_stamp_dates_the_file_in_either_order() {
    let created = (
        LifecycleEvent::AssetCreated {
            asset_id: "a".into(),
        },
        10,
    );
    let linked = (
        LifecycleEvent::UploadAssetCreated {
            asset_id: "a".into(),
        },
        12,
    );
    let one = fold(&[created.clone(), linked.clone()]);
    let two = fold(&[linked, created]);
    assert_eq!(one, two);
    assert_eq!(one.processing_at_ms, Some(10));
    assert_eq!(one.status, AssetStatus::MuxProcessing);
}

#[test]
fn a_later_repeat_of_known_facts_is_no_news() {
    let processing = fold(&[(
        LifecycleEvent::AssetCreated {
            asset_id: "a".into(),
        },
        3,
    )]);
    let again = apply(
        &processing,
        &LifecycleEvent::AssetCreated {
            asset_id: "a".into(),
        },
        9,
    )
    .unwrap();
    assert_eq!(again.facts.last_event_at_ms, Some(9));
    assert!(!is_news(&processing, &again));
    let ready = apply(&processing, &ready("a"), 10).unwrap();
    assert!(is_news(&processing, &ready));
}

#[test]
fn duplicate_event_changes_nothing() {
    let once = fold(&[(ready("a"), 4)]);
    assert_eq!(apply(&once, &ready("a"), 4), None);
}

fn asset_errored(at: i64) -> (LifecycleEvent, i64) {
    let event = LifecycleEvent::AssetErrored {
        asset_id: "a".into(),
        error: error(ErrorSource::Asset),
    };
    (event, at)
}

#[test]
fn outcomes_are_final_for_processing_events() {
    let late = LifecycleEvent::AssetCreated {
        asset_id: "a".into(),
    };
    let errored = fold(&[(late.clone(), 4), asset_errored(5)]);
    let change = apply(&errored, &late, 6).expect("a later event");
    assert_eq!(change.to, AssetStatus::Error);
    assert!(!is_news(&errored, &change));
}

#[test]
fn the_later_stamped_outcome_decides_in_either_order() {
    for (ready_at, error_at, expected) in [
        (4, 5, AssetStatus::Error),
        (5, 4, AssetStatus::Ready),
        // A tie goes by the fixed order: ready outranks errored.
        (5, 5, AssetStatus::Ready),
    ] {
        let one = fold(&[(ready("a"), ready_at), asset_errored(error_at)]);
        let two = fold(&[asset_errored(error_at), (ready("a"), ready_at)]);
        assert_eq!(one, two, "ready@{ready_at} errored@{error_at}");
        assert_eq!(one.status, expected, "ready@{ready_at} errored@{error_at}");
        assert_eq!(one.decided_at_ms, Some(ready_at.max(error_at)));
    }
}

#[test]
fn an_earlier_conflicting_outcome_still_merges_its_facts() {
    let ready_first = fold(&[(ready("a"), 5)]);
    let (late, at) = asset_errored(4);
    let change = apply(&ready_first, &late, at).expect("the error is a new fact");
    assert_eq!(change.to, AssetStatus::Ready);
    assert_eq!(change.facts.error.unwrap().source, ErrorSource::Asset);
}

#[test]
fn a_repaired_playback_id_replaces_the_old_one_only_on_a_ready_row() {
    let repair = LifecycleEvent::PlaybackRepaired {
        playback_id: "pb-2".into(),
    };
    let ready_row = fold(&[(ready("a"), 4)]);
    let change = apply(&ready_row, &repair, 9).expect("a new playback id is news");
    assert_eq!(
        (change.from, change.to),
        (AssetStatus::Ready, AssetStatus::Ready)
    );
    assert_eq!(change.facts.ready.playback_id.as_deref(), Some("pb-2"));
    assert!(is_news(&ready_row, &change));
    assert_eq!(
        apply(&change.facts, &repair, 9),
        None,
        "the same repair twice"
    );

    let errored = fold(&[asset_errored(5)]);
    let untouched = apply(&errored, &repair, 9).map_or(errored.clone(), |c| c.facts);
    assert_eq!(untouched.status, AssetStatus::Error);
    assert_eq!(untouched.ready.playback_id, None);
}

#[test]
fn deletion_is_final() {
    let deleted = fold(&[(LifecycleEvent::DeletedByOwner, 1)]);
    for event in [
        ready("a"),
        LifecycleEvent::UploadCancelled,
        LifecycleEvent::UploadTimedOut,
    ] {
        let status = apply(&deleted, &event, 2).map_or(deleted.status, |c| c.to);
        assert_eq!(
            status,
            AssetStatus::Deleted,
            "{event:?} moved a deleted row"
        );
    }
}

#[test]
fn asset_error_outranks_upload_error_in_any_order() {
    let asset = LifecycleEvent::AssetErrored {
        asset_id: "a".into(),
        error: error(ErrorSource::Asset),
    };
    let upload = LifecycleEvent::UploadErrored {
        error: error(ErrorSource::Upload),
    };
    let one = fold(&[(asset.clone(), 1), (upload.clone(), 2)]);
    let two = fold(&[(upload, 2), (asset, 1)]);
    assert_eq!(one, two);
    assert_eq!(one.error.unwrap().source, ErrorSource::Asset);
}

#[test]
fn a_caption_that_fails_or_is_skipped_leaves_the_video_as_it_was() {
    use crate::tracks::{TextTrack, TrackSource, TrackStatus};
    let track = |status| LifecycleEvent::Track {
        asset_id: "a".into(),
        track: TextTrack {
            id: "t".into(),
            language: "en".into(),
            name: "English".into(),
            source: TrackSource::Generated,
            status,
            error: None,
        },
    };
    let ready_facts = fold(&[(ready("a"), 1)]);
    for status in [TrackStatus::Errored, TrackStatus::Skipped] {
        let change = apply(&ready_facts, &track(status), 2).expect("a track is news");
        assert_eq!(change.to, AssetStatus::Ready);
        assert_eq!(change.facts.tracks[0].status, status);
    }
    // A track event before any asset event fills the asset id and moves nothing.
    let early = fold(&[(track(TrackStatus::Preparing), 1)]);
    assert_eq!(early.status, AssetStatus::AwaitingUpload);
    assert_eq!(early.mux_asset_id.as_deref(), Some("a"));
}

#[test]
fn another_assets_events_change_nothing() {
    use crate::tracks::{TextTrack, TrackSource, TrackStatus};
    let holds_b = fold(&[(ready("b"), 1)]);
    let old_track = LifecycleEvent::Track {
        asset_id: "a".into(),
        track: TextTrack {
            id: "t-of-a".into(),
            language: "en".into(),
            name: "English".into(),
            source: TrackSource::Generated,
            status: TrackStatus::Skipped,
            error: None,
        },
    };
    let deleted = LifecycleEvent::AssetDeleted {
        asset_id: "a".into(),
    };
    for late in [old_track, deleted, ready("a")] {
        assert_eq!(apply(&holds_b, &late, 2), None, "{late:?}");
    }
}

mod properties;
