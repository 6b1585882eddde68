//! Group commit on a real SQLite store: a batch shares one transaction, and a poisoned event in
//! a batch is kept as `failed` while its neighbours are applied.

use muxd_domain::ExternalUserId;
use serde_json::json;

use super::*;
use crate::config::DatabaseUrl;
use muxd_domain::interpret::interpret_webhook;
use muxd_domain::{AssetId, AssetStatus};
use muxd_store::{NewAsset, Role};

async fn store(dir: &tempfile::TempDir) -> Store {
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = Store::connect(&DatabaseUrl::parse(&url).unwrap())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    store
}

fn writer(store: &Store) -> Writer {
    Writer {
        store: store.clone(),
        live: LiveHub::default(),
        stream_base: "https://stream.example".into(),
    }
}

async fn row(store: &Store, upload: Option<&str>) -> AssetId {
    let user = store
        .upsert_user(&ExternalUserId::parse("user_batch").unwrap(), Role::User)
        .await
        .unwrap();
    let id = AssetId::new();
    let new = NewAsset {
        id,
        owner_id: user.id,
        campaign_id: None,
        influencer_id: None,
        name: "b.mp4".into(),
        description: None,
        file_size: None,
        encoding: None,
    };
    store.insert_asset(&new).await.unwrap();
    if let Some(upload) = upload {
        store.set_upload(id, upload, "https://u").await.unwrap();
    }
    id
}

/// `video.upload.asset_created` for upload `upload` of row `row`.
fn delivery(event_id: &str, row: AssetId, upload: &str) -> Delivery {
    let data = json!({"id": upload, "status": "asset_created", "asset_id": format!("as-{upload}"),
        "new_asset_settings": {"passthrough": row.to_string()}});
    Delivery {
        event_id: event_id.into(),
        event_type: "video.upload.asset_created".into(),
        object_type: Some("upload".into()),
        object_id: Some(upload.into()),
        mux_created_at: Some(1_000),
        received_at: 2_000,
        payload: json!({"id": event_id, "type": "video.upload.asset_created", "data": data})
            .to_string(),
        meaning: interpret_webhook("video.upload.asset_created", &data),
        span: tracing::Span::none(),
    }
}

fn job(delivery: Delivery) -> (Job, oneshot::Receiver<Result<Applied, StoreError>>) {
    let (reply, answer) = oneshot::channel();
    (Job { delivery, reply }, answer)
}

#[tokio::test]
async fn a_poisoned_event_is_kept_as_failed_and_its_neighbours_are_applied() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    let writer = writer(&store);
    // Row `held` owns upload "up-held"; the poisoned event tells row `victim` that "up-held" is
    // its upload, which it cannot learn (another row holds it).
    row(&store, Some("up-held")).await;
    let victim = row(&store, None).await;
    let mut good = Vec::new();
    for n in 0..5 {
        good.push((
            row(&store, Some(&format!("up-{n}"))).await,
            format!("up-{n}"),
        ));
    }
    let mut batch = Vec::new();
    let mut answers = Vec::new();
    for (n, (id, upload)) in good.iter().enumerate() {
        if n == 2 {
            let (poisoned, answer) = job(delivery("evt-poison", victim, "up-held"));
            batch.push(poisoned);
            answers.push(answer);
        }
        let (good, answer) = job(delivery(&format!("evt-{n}"), *id, upload));
        batch.push(good);
        answers.push(answer);
    }
    writer.commit(batch).await;

    let mut outcomes = Vec::new();
    for answer in answers {
        outcomes.push(answer.await.unwrap().unwrap().0);
    }
    let failed = outcomes.iter().filter(|o| **o == Outcome::Failed).count();
    let applied = outcomes.iter().filter(|o| **o == Outcome::Applied).count();
    assert_eq!((failed, applied), (1, 5), "{outcomes:?}");
    assert_eq!(outcomes[2], Outcome::Failed);
    for (id, _) in &good {
        let row = store.asset(*id).await.unwrap().unwrap();
        assert_eq!(row.facts.status, AssetStatus::MuxProcessing);
    }
    let kept = store.webhook_event("evt-poison").await.unwrap().unwrap();
    assert_eq!(kept.outcome, Outcome::Failed);
    assert!(kept.detail.is_some_and(|d| !d.is_empty()));
}

#[tokio::test]
async fn a_batch_is_one_transaction_and_a_later_event_sees_an_earlier_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    let writer = writer(&store);
    let id = row(&store, Some("up-1")).await;
    // The same event twice in one batch: the second is a duplicate of the first, uncommitted.
    let (first, one) = job(delivery("evt-same", id, "up-1"));
    let (second, two) = job(delivery("evt-same", id, "up-1"));
    writer.commit(vec![first, second]).await;
    assert_eq!(one.await.unwrap().unwrap().0, Outcome::Applied);
    assert_eq!(two.await.unwrap().unwrap().0, Outcome::Duplicate);
    let events = store.asset_events(id).await.unwrap();
    let applied = events.iter().filter(|e| e.cause == "webhook").count();
    assert_eq!(applied, 1, "{events:?}");
}

/// A delivery of `event_type` with `data` (the keys it names are those in `data`).
fn event(event_id: &str, event_type: &str, data: serde_json::Value) -> Delivery {
    Delivery {
        event_id: event_id.into(),
        event_type: event_type.into(),
        object_type: Some("asset".into()),
        object_id: data["id"].as_str().map(str::to_owned),
        mux_created_at: Some(1_000),
        received_at: 2_000,
        payload: json!({"id": event_id, "type": event_type, "data": data}).to_string(),
        meaning: interpret_webhook(event_type, &data),
        span: tracing::Span::none(),
    }
}

#[tokio::test]
async fn a_later_event_in_a_batch_finds_its_row_by_what_an_earlier_one_taught_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    let writer = writer(&store);
    // Row `taught` learns its upload and asset ids from the batch's first event; the second
    // names it by that asset id alone, which the row holds only since that first event.
    let taught = row(&store, None).await;
    // Row `moving` turns ready in the batch after its asset was created in the same batch.
    let moving = row(&store, Some("up-m")).await;
    let ready = |id: &str, passthrough: Option<AssetId>| {
        json!({"id": id, "status": "ready", "duration": 3.0, "aspect_ratio": "16:9",
            "playback_ids": [{"id": format!("pb-{id}"), "policy": "public"}],
            "passthrough": passthrough.map(|p| p.to_string())})
    };
    let batch = [
        delivery("evt-teach", taught, "up-t"),
        event("evt-by-asset", "video.asset.ready", ready("as-up-t", None)),
        delivery("evt-created", moving, "up-m"),
        event(
            "evt-ready",
            "video.asset.ready",
            ready("as-up-m", Some(moving)),
        ),
    ];
    let (jobs, answers): (Vec<_>, Vec<_>) = batch.into_iter().map(job).unzip();
    writer.commit(jobs).await;
    for answer in answers {
        let (outcome, _, _) = answer.await.unwrap().unwrap();
        assert_eq!(outcome, Outcome::Applied);
    }
    for id in [taught, moving] {
        let row = store.asset(id).await.unwrap().unwrap();
        assert_eq!(row.facts.status, AssetStatus::Ready, "{id}");
        // Each change starts where the one before it ended: none was made from a stale row.
        let trail = store.asset_events(id).await.unwrap();
        for pair in trail.windows(2) {
            assert_eq!(pair[0].to_status, pair[1].from_status, "{trail:?}");
        }
    }
}
