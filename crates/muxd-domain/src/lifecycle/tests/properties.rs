//! Property tests of the lifecycle: any order of a history's events, with duplicates, ends as
//! the same history delivered in order.

use proptest::prelude::*;

use super::*;
use crate::tracks::{TextTrack, TrackSource, TrackStatus};

/// The in-order event history of one upload along one of the paths Mux can take, each event with
/// the time Mux stamped on it.
fn history() -> impl Strategy<Value = Vec<(LifecycleEvent, i64)>> {
    let created = |a: &str| LifecycleEvent::AssetCreated { asset_id: a.into() };
    let linked = |a: &str| LifecycleEvent::UploadAssetCreated { asset_id: a.into() };
    let errored = LifecycleEvent::AssetErrored {
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
            errored.clone(),
        ],
        vec![
            LifecycleEvent::UploadCreated,
            linked("a"),
            created("a"),
            errored.clone(),
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
        // Conflicting outcomes for one asset, in both orders (docs/contract.md §3).
        vec![
            LifecycleEvent::UploadCreated,
            linked("a"),
            created("a"),
            ready("a"),
            errored.clone(),
        ],
        vec![
            LifecycleEvent::UploadCreated,
            linked("a"),
            created("a"),
            errored,
            ready("a"),
        ],
    ];
    (
        prop::sample::select(paths),
        any::<prop::sample::Index>(),
        0..3u8,
        any::<bool>(),
        any::<bool>(),
        prop::sample::select(track_paths()),
    )
        .prop_map(|(path, cut, deletion, tie, asset_first, tracks)| {
            // Deleted at any point: keep a prefix, then the owner or Mux deletes it.
            let keep = if deletion == 0 {
                path.len()
            } else {
                cut.index(path.len() + 1)
            };
            let mut events: Vec<_> = path.into_iter().take(keep).collect();
            // Text tracks' events (docs/mux-facts.md §10), which move no status.
            events.extend(tracks);
            match deletion {
                1 => events.push(LifecycleEvent::DeletedByOwner),
                2 => events.push(LifecycleEvent::AssetDeleted {
                    asset_id: "a".into(),
                }),
                _ => {}
            }
            let mut timed: Timed = events
                .into_iter()
                .zip(1..)
                .map(|(event, at)| (event, at * 1_000))
                .collect();
            // Mux stamps the upload's and the asset's creation in either order.
            if asset_first {
                let creations: Vec<usize> = (0..timed.len())
                    .filter(|&i| is_creation(&timed[i].0))
                    .collect();
                if let [upload, asset] = creations[..] {
                    let stamp = timed[upload].1;
                    timed[upload].1 = timed[asset].1;
                    timed[asset].1 = stamp;
                }
            }
            // Sometimes the last two events carry the same Mux timestamp.
            if let [.., (_, before), (_, last)] = timed.as_mut_slice() {
                if tie {
                    *last = *before;
                }
            }
            timed
        })
}

/// The text tracks' events of one asset along the paths Mux can take: a generated track that
/// turns ready or is skipped, a supplied one that turns ready and is deleted, or that fails.
fn track_paths() -> Vec<Vec<LifecycleEvent>> {
    let track = |id: &str, source, status| LifecycleEvent::Track {
        asset_id: "a".into(),
        track: TextTrack {
            id: id.into(),
            language: "en".into(),
            name: "English".into(),
            source,
            status,
            error: (status == TrackStatus::Errored).then(|| "bad file".into()),
        },
    };
    let generated = |status| track("t1", TrackSource::Generated, status);
    let supplied = |status| track("t2", TrackSource::Supplied, status);
    vec![
        vec![],
        vec![
            generated(TrackStatus::Preparing),
            generated(TrackStatus::Ready),
        ],
        vec![
            generated(TrackStatus::Preparing),
            generated(TrackStatus::Skipped),
        ],
        vec![
            generated(TrackStatus::Preparing),
            generated(TrackStatus::Ready),
            supplied(TrackStatus::Preparing),
            supplied(TrackStatus::Ready),
            supplied(TrackStatus::Deleted),
        ],
        vec![
            supplied(TrackStatus::Preparing),
            supplied(TrackStatus::Errored),
        ],
    ]
}

/// Events with the time Mux stamped on each.
type Timed = Vec<(LifecycleEvent, i64)>;

/// True for the two events that say Mux created the asset (it has the whole file).
fn is_creation(event: &LifecycleEvent) -> bool {
    matches!(
        event,
        LifecycleEvent::UploadAssetCreated { .. } | LifecycleEvent::AssetCreated { .. }
    )
}

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
        let earliest_creation = in_order
            .iter()
            .filter(|(event, _)| is_creation(event))
            .map(|(_, at)| *at)
            .min();
        prop_assert_eq!(facts.processing_at_ms, earliest_creation);
        prop_assert_eq!(facts, expected);
    }
}
