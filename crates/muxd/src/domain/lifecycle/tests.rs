//! Example-based and property tests of the lifecycle: the order-independence promise of
//! design.md §3 checked over generated histories of one upload.

use proptest::prelude::*;

use super::*;
use crate::domain::event::ErrorSource;

fn ready(asset: &str) -> LifecycleEvent {
    LifecycleEvent::AssetReady {
        asset_id: asset.into(),
        details: ReadyDetails {
            playback_id: Some("pb-1".into()),
            playback_policy: Some("public".into()),
            duration_s: Some(10.0),
            aspect_ratio: Some("16:9".into()),
            resolution_tier: Some("720p".into()),
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
        (facts.ready_at_ms, facts.last_event_at_ms),
        (Some(4), Some(4))
    );
}

#[test]
fn asset_created_after_ready_changes_nothing() {
    let after_ready = fold(&[(ready("a"), 4)]);
    let late = LifecycleEvent::AssetCreated {
        asset_id: "a".into(),
    };
    assert_eq!(apply(&after_ready, &late, 3), None);
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

#[test]
fn ready_and_error_are_final_for_processing_events() {
    let errored = fold(&[(
        LifecycleEvent::AssetErrored {
            asset_id: "a".into(),
            error: error(ErrorSource::Asset),
        },
        5,
    )]);
    let change = apply(&errored, &ready("a"), 6).expect("facts still merge");
    assert_eq!(change.to, AssetStatus::Error);
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

/// The in-order event history of one upload along one of the paths Mux can take, each event with
/// the time Mux stamped on it.
fn history() -> impl Strategy<Value = Vec<(LifecycleEvent, i64)>> {
    let created = |a: &str| LifecycleEvent::AssetCreated { asset_id: a.into() };
    let linked = |a: &str| LifecycleEvent::UploadAssetCreated { asset_id: a.into() };
    let asset_errored = LifecycleEvent::AssetErrored {
        asset_id: "a".into(),
        error: error(ErrorSource::Asset),
    };
    let upload_errored = LifecycleEvent::UploadErrored {
        error: error(ErrorSource::Upload),
    };
    let paths = vec![
        vec![
            LifecycleEvent::UploadCreated,
            linked("a"),
            created("a"),
            ready("a"),
        ],
        vec![
            LifecycleEvent::UploadCreated,
            linked("a"),
            created("a"),
            asset_errored.clone(),
        ],
        vec![
            LifecycleEvent::UploadCreated,
            linked("a"),
            created("a"),
            asset_errored,
            upload_errored.clone(),
        ],
        vec![LifecycleEvent::UploadCreated, upload_errored],
        vec![
            LifecycleEvent::UploadCreated,
            LifecycleEvent::UploadCancelled,
        ],
        vec![
            LifecycleEvent::UploadCreated,
            LifecycleEvent::UploadTimedOut,
        ],
    ];
    (
        prop::sample::select(paths),
        any::<prop::sample::Index>(),
        0..3u8,
    )
        .prop_map(|(path, cut, deletion)| {
            // Deleted at any point: keep a prefix, then the owner or Mux deletes it.
            let keep = if deletion == 0 {
                path.len()
            } else {
                cut.index(path.len() + 1)
            };
            let mut events: Vec<_> = path.into_iter().take(keep).collect();
            match deletion {
                1 => events.push(LifecycleEvent::DeletedByOwner),
                2 => events.push(LifecycleEvent::AssetDeleted {
                    asset_id: "a".into(),
                }),
                _ => {}
            }
            events
                .into_iter()
                .zip(1..)
                .map(|(event, at)| (event, at * 1_000))
                .collect()
        })
}

/// Events with the time Mux stamped on each.
type Timed = Vec<(LifecycleEvent, i64)>;

/// A history plus a shuffled copy with random duplicates.
fn history_and_delivery() -> impl Strategy<Value = (Timed, Timed)> {
    history().prop_flat_map(|events| {
        let n = events.len();
        let dupes = prop::collection::vec(0..n, 0..=n * 2);
        (Just(events), dupes).prop_flat_map(|(events, dupes)| {
            let mut delivered = events.clone();
            delivered.extend(dupes.into_iter().map(|i| events[i].clone()));
            (Just(events), Just(delivered).prop_shuffle())
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn any_order_with_duplicates_ends_as_in_order((in_order, delivered) in history_and_delivery()) {
        let expected = fold(&in_order);
        let mut facts = AssetFacts::awaiting_upload();
        for (event, at) in &delivered {
            if let Some(change) = apply(&facts, event, *at) {
                prop_assert!(change.to.rank() >= change.from.rank(), "moved backwards: {change:?}");
                facts = change.facts;
            }
        }
        prop_assert_eq!(facts, expected);
    }
}
