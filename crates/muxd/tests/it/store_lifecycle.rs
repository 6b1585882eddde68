//! The lifecycle in the store on both backends: each change applied once, in order, and recorded;
//! errors keep what Mux said; concurrent writers of one row lose nothing.

use muxd_domain::event::ErrorSource;
use muxd_domain::{AssetStatus, ErrorInfo, LifecycleEvent};
use muxd_store::Store;

use crate::store::{ready, seeded, webhook_cause, STREAM};
use muxd_testkit::databases::store_test;

store_test!(
    lifecycle_changes_are_applied_once_and_recorded,
    super::lifecycle_changes_are_applied_once_and_recorded
);
async fn lifecycle_changes_are_applied_once_and_recorded(store: Store) {
    let id = seeded(&store, "up-3").await;
    let created = LifecycleEvent::AssetCreated {
        asset_id: "as-3".into(),
    };
    let change = store
        .apply(id, &created, 10, &webhook_cause(1), STREAM)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (change.from, change.to),
        (AssetStatus::AwaitingUpload, AssetStatus::MuxProcessing)
    );
    assert!(
        store
            .apply(id, &created, 10, &webhook_cause(1), STREAM)
            .await
            .unwrap()
            .is_none(),
        "duplicate changed the row"
    );
    store
        .apply(id, &ready("as-3"), 20, &webhook_cause(2), STREAM)
        .await
        .unwrap()
        .unwrap();
    // A late asset.created after ready, stamped after the first: nothing moves.
    assert!(store
        .apply(id, &created, 15, &webhook_cause(3), STREAM)
        .await
        .unwrap()
        .is_none());

    let asset = store.asset(id).await.unwrap().unwrap();
    assert_eq!(asset.facts.status, AssetStatus::Ready);
    assert_eq!(
        asset.url.as_deref(),
        Some("https://stream.example/pb-1.m3u8")
    );
    assert_eq!(asset.facts.ready.duration_s, Some(2.5));
    assert_eq!(
        (asset.facts.processing_at_ms, asset.facts.ready_at_ms),
        (Some(10), Some(20))
    );
    let history = store.asset_events(id).await.unwrap();
    let steps: Vec<_> = history
        .iter()
        .map(|e| (e.from_status, e.to_status, e.cause.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            // The upload handed out (recorded for the host app as asset.created).
            (
                AssetStatus::AwaitingUpload,
                AssetStatus::AwaitingUpload,
                "user"
            ),
            (
                AssetStatus::AwaitingUpload,
                AssetStatus::MuxProcessing,
                "webhook"
            ),
            (AssetStatus::MuxProcessing, AssetStatus::Ready, "webhook"),
        ]
    );
    assert_eq!(history[2].cause_ref, "test evt-2");
}

store_test!(
    errors_keep_mux_type_and_message,
    super::errors_keep_mux_type_and_message
);
async fn errors_keep_mux_type_and_message(store: Store) {
    let id = seeded(&store, "up-4").await;
    let error = ErrorInfo {
        kind: "invalid_input".into(),
        message: "no moov box".into(),
        source: ErrorSource::Asset,
    };
    let event = LifecycleEvent::AssetErrored {
        asset_id: "as-4".into(),
        error: error.clone(),
    };
    store
        .apply(id, &event, 1, &webhook_cause(1), STREAM)
        .await
        .unwrap()
        .unwrap();
    let asset = store.asset(id).await.unwrap().unwrap();
    assert_eq!(asset.facts.status, AssetStatus::Error);
    assert_eq!(asset.facts.error, Some(error));
    assert_eq!(asset.url, None);
}

store_test!(
    concurrent_writers_lose_nothing,
    super::concurrent_writers_lose_nothing
);
async fn concurrent_writers_lose_nothing(store: Store) {
    let id = seeded(&store, "up-5").await;
    let events = [
        LifecycleEvent::UploadAssetCreated {
            asset_id: "as-5".into(),
        },
        LifecycleEvent::AssetCreated {
            asset_id: "as-5".into(),
        },
        ready("as-5"),
    ];
    // Every event delivered four times, all at once, from separate tasks (separate connections).
    let mut tasks = Vec::new();
    for round in 0..4 {
        for (n, event) in events.iter().enumerate() {
            let (store, event) = (store.clone(), event.clone());
            let at = (n as i64 + 1) * 1_000;
            tasks.push(tokio::spawn(async move {
                store
                    .apply(id, &event, at, &webhook_cause(round), STREAM)
                    .await
                    .unwrap()
            }));
        }
    }
    let mut applied = 0;
    for task in tasks {
        applied += usize::from(task.await.unwrap().is_some());
    }
    let asset = store.asset(id).await.unwrap().unwrap();
    assert_eq!(asset.facts.status, AssetStatus::Ready);
    assert_eq!(asset.facts.mux_asset_id.as_deref(), Some("as-5"));
    assert_eq!(asset.facts.ready.playback_id.as_deref(), Some("pb-1"));
    assert_eq!(asset.facts.ready_at_ms, Some(3_000));
    assert_eq!(asset.facts.last_event_at_ms, Some(3_000));
    let history = store.asset_events(id).await.unwrap();
    assert_eq!(
        history.len(),
        applied + 1,
        "every applied change recorded exactly once, after the upload's creation"
    );
    assert_eq!(
        asset.version,
        1 + applied as i64,
        "one version bump per applied change"
    );
}

store_test!(
    becoming_ready_with_a_track_marks_the_row_for_captions,
    super::becoming_ready_with_a_track_marks_the_row_for_captions
);
/// A track heard of while the asset was processing (the captions job then leaves the row and
/// clears its mark) is looked after again once the asset is READY, even when none of the track's
/// later webhooks comes.
async fn becoming_ready_with_a_track_marks_the_row_for_captions(store: Store) {
    use muxd_domain::tracks::{TextTrack, TrackSource, TrackStatus};
    let id = seeded(&store, "up-9").await;
    let track = LifecycleEvent::Track {
        asset_id: "as-9".into(),
        track: TextTrack {
            id: "t-9".into(),
            language: "en".into(),
            name: "English".into(),
            source: TrackSource::Generated,
            status: TrackStatus::Preparing,
            error: None,
        },
    };
    store
        .apply(id, &track, 10, &webhook_cause(1), STREAM)
        .await
        .unwrap()
        .unwrap();
    let row = store.asset(id).await.unwrap().unwrap();
    assert_eq!(row.facts.status, AssetStatus::AwaitingUpload);
    store.captions_done(id, row.version, None).await.unwrap();
    let due = |store: Store| async move {
        let due = store.captions_due(i64::MAX, 10).await.unwrap();
        due.iter().any(|row| row.id == id)
    };
    assert!(!due(store.clone()).await, "the job cleared the mark");
    store
        .apply(id, &ready("as-9"), 20, &webhook_cause(2), STREAM)
        .await
        .unwrap()
        .unwrap();
    assert!(due(store.clone()).await, "READY with a track marks the row");
}
