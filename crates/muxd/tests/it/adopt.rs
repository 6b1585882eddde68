//! Adopting an asset made outside muxd (here, a direct upload made straight through the
//! emulator's API, whose webhooks reach muxd and wait there as unmatched): one row however often
//! and however concurrently it is adopted, by asset id or playback id; READY and playable, owned
//! and placed as asked, listed for its owner; left alone by the reconciler's settling of unsent
//! creates; an asset muxd's own upload made is already tracked; unknown ids are a 404 and bad
//! input a 400 that stores nothing. (`muxd adopt` is in `commands`.)

use std::time::Duration;

use muxd_domain::schedule::Schedule;
use muxd_store::now_ms;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::media::fixture;
use muxd_testkit::app::TestApp;
use muxd_testkit::app_test;
use muxd_testkit::databases::{count, eventually};

const OWNER: &str = "user_adopt";
const ADMIN: Option<(&str, bool)> = Some(("admin_adopt", true));

/// Makes a READY asset on the emulator at `base` the way another tool would: a direct upload
/// through Mux's API (titled `title`), then the file PUT to its URL. Returns the asset id and
/// its playback id.
pub async fn external_asset(base: &str, title: &str) -> (String, String) {
    let http = reqwest::Client::new();
    let defaults = mux_emulator::EmulatorConfig::default();
    let upload: Value = http
        .post(format!("{base}/video/v1/uploads"))
        .basic_auth(&defaults.token_id, Some(&defaults.token_secret))
        .json(&json!({"cors_origin": "*", "new_asset_settings": {
            "playback_policies": ["public"], "passthrough": "dashboard-42",
            "meta": {"title": title}}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (upload_id, url) = (
        upload["data"]["id"].as_str().unwrap(),
        upload["data"]["url"].as_str().unwrap(),
    );
    let put = http.put(url).body(fixture("tiny-2s-320x240.mp4"));
    assert!(put.send().await.unwrap().status().is_success());
    let mut ready = None;
    eventually("Mux finishing the asset", async || {
        let upload: Value = http
            .get(format!("{base}/video/v1/uploads/{upload_id}"))
            .basic_auth(&defaults.token_id, Some(&defaults.token_secret))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let Some(asset_id) = upload["data"]["asset_id"].as_str() else {
            return false;
        };
        let asset: Value = http
            .get(format!("{base}/video/v1/assets/{asset_id}"))
            .basic_auth(&defaults.token_id, Some(&defaults.token_secret))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let playback = asset["data"]["playback_ids"][0]["id"].as_str();
        ready = playback
            .filter(|_| asset["data"]["status"] == "ready")
            .map(|p| (asset_id.to_owned(), p.to_owned()));
        ready.is_some()
    })
    .await;
    ready.unwrap()
}

async fn adopt(app: &TestApp, body: Value) -> (StatusCode, Value) {
    app.call(Method::POST, "/api/debug/adopt", ADMIN, Some(body))
        .await
}

async fn rows(app: &TestApp) -> i64 {
    count(&app.store, "SELECT COUNT(*) FROM creative_assets").await
}

app_test!(
    an_asset_made_outside_muxd_is_adopted_once_and_kept,
    spawn = |backend| TestApp::spawn_with_settings(
        backend,
        &[("MUXD_WEBHOOK_ALLOW_PRIVATE_URLS", "true")]
    ),
    |app: TestApp| async move {
        let campaign = json!({"name": "Launch", "ownerId": OWNER});
        let (status, _) = app
            .as_app_backend(Method::PUT, "/api/app/campaigns/camp-adopt", Some(campaign))
            .await;
        assert_eq!(status, StatusCode::OK);
        // The host app listens (its receiver need not answer: messages are made either way).
        let endpoint = json!({"url": "http://127.0.0.1:9/muxd-events"});
        let (status, _) = app
            .as_app_backend(Method::POST, "/api/app/webhook-endpoints", Some(endpoint))
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let (asset_id, playback_id) = external_asset(&app.emulator.base_url(), "Teaser").await;
        // Mux told muxd of it already; muxd kept the news for a row it did not have.
        let waiting = format!(
            "SELECT COUNT(*) FROM webhook_events WHERE event_type = 'video.asset.ready'
             AND match_asset_id = '{asset_id}' AND outcome = 'unmatched'"
        );
        eventually("the asset's webhooks waiting", async || {
            count(&app.store, &waiting).await == 1
        })
        .await;

        // Two admins adopt it at once: one row.
        let body = json!({"assetId": asset_id, "ownerId": OWNER, "campaignId": "camp-adopt"});
        let (first, second) = tokio::join!(adopt(&app, body.clone()), adopt(&app, body.clone()));
        let mut statuses = [first.0, second.0];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CREATED],
            "{first:?} {second:?}"
        );
        assert_eq!(first.1["asset"]["id"], second.1["asset"]["id"]);
        let made = if first.0 == StatusCode::CREATED {
            first.1
        } else {
            second.1
        };
        let view = &made["asset"];
        let id = view["id"].as_str().unwrap().to_owned();
        assert_eq!(made["origin"], "adopted", "{made}");
        assert_eq!(view["status"], "READY", "{made}");
        assert_eq!(view["name"], "Teaser");
        assert_eq!(view["muxAssetId"], asset_id.as_str());
        assert_eq!(view["playbackId"], playback_id.as_str());
        assert!(
            view["playbackUrl"].as_str().unwrap().ends_with(".m3u8"),
            "{made}"
        );
        let owner = app.store.user_by_external_id(OWNER).await.unwrap().unwrap();
        assert_eq!(made["ownerId"], owner.id.to_string());
        let place = app
            .store
            .campaign_by_ref("camp-adopt")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(view["campaignId"], place.id.to_string());
        assert_eq!(
            count(&app.store, &waiting).await,
            0,
            "the waiting webhooks were applied"
        );

        // Its record: adopted, then what Mux said; the owner lists it.
        let history = app.store.asset_events(id.parse().unwrap()).await.unwrap();
        assert_eq!(history[0].cause, "adopt", "{history:?}");
        assert!(
            history.iter().any(|e| e.to_status.as_str() == "READY"),
            "{history:?}"
        );
        let (_, mine) = app
            .call(
                Method::GET,
                "/api/creative-assets",
                Some((OWNER, false)),
                None,
            )
            .await;
        let listed: Vec<_> = mine["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| &a["id"])
            .collect();
        assert_eq!(listed, [&json!(id)], "{mine}");

        // Again, by asset id and by playback id: the same row, as it is.
        for again in [
            json!({"assetId": asset_id, "ownerId": OWNER}),
            json!({"playbackId": playback_id, "ownerId": "someone_else"}),
        ] {
            let (status, same) = adopt(&app, again).await;
            assert_eq!((status, &same["asset"]["id"]), (StatusCode::OK, &json!(id)));
        }
        assert_eq!(rows(&app).await, 1);
        // The host app hears of it once: created, then ready.
        for kind in ["asset.created", "asset.ready"] {
            let messages = format!(
                "SELECT COUNT(*) FROM outbound_messages WHERE asset_id = '{id}'
                 AND event_type = '{kind}'"
            );
            eventually(kind, async || count(&app.store, &messages).await == 1).await;
        }

        // Settling unsent creates, however late, leaves it alone: it never had an upload URL.
        let schedule = Schedule {
            unsent_grace: Duration::ZERO,
            ..Schedule::default()
        };
        let later = now_ms() + 3_600_000;
        let outcome = app
            .app
            .reconciler(schedule)
            .run_once("a", later)
            .await
            .unwrap();
        assert_eq!(outcome.settled, 0, "{outcome:?}");
        assert!(app.store.unsent_before(later, 10).await.unwrap().is_empty());
        let row = app.store.asset(id.parse().unwrap()).await.unwrap().unwrap();
        assert_eq!(row.facts.status.as_str(), "READY");
    }
);

app_test!(
    unknown_ids_and_bad_input_are_refused_with_nothing_stored,
    |app: TestApp| async move {
        let campaign = json!({"name": "Theirs", "ownerId": "user_other"});
        app.as_app_backend(
            Method::PUT,
            "/api/app/campaigns/camp-theirs",
            Some(campaign),
        )
        .await;
        let (asset_id, _) = external_asset(&app.emulator.base_url(), "Teaser").await;
        for (body, status, words) in [
            (
                json!({"assetId": "nosuchasset", "ownerId": OWNER}),
                404,
                "Mux has no asset nosuchasset",
            ),
            (
                json!({"playbackId": "nosuchplayback", "ownerId": OWNER}),
                404,
                "nosuchplayback",
            ),
            (json!({"assetId": asset_id, "ownerId": " "}), 400, "ownerId"),
            (json!({"assetId": asset_id}), 400, "ownerId"),
            (
                json!({"assetId": asset_id, "ownerId": OWNER, "campaignId": "no-such"}),
                400,
                "campaignId",
            ),
            (
                json!({"assetId": asset_id, "ownerId": OWNER, "campaignId": "camp-theirs"}),
                400,
                "campaignId",
            ),
            (
                json!({"assetId": asset_id, "ownerId": OWNER, "influencerId": "inf"}),
                400,
                "influencerId",
            ),
            (
                json!({"assetId": asset_id, "playbackId": "p", "ownerId": OWNER}),
                400,
                "playbackId",
            ),
            (
                json!({"assetId": "bad/id", "ownerId": OWNER}),
                400,
                "assetId",
            ),
            (
                json!({"assetId": asset_id, "ownerId": OWNER, "name": ""}),
                400,
                "name",
            ),
        ] {
            let (got, reply) = adopt(&app, body.clone()).await;
            assert_eq!(got.as_u16(), status, "{body} → {reply}");
            let message = reply["error"]["message"].as_str().unwrap();
            assert!(message.contains(words), "{body} → {message}");
        }
        let user = Some(("user_not_admin", false));
        let body = json!({"assetId": asset_id, "ownerId": OWNER});
        let (status, _) = app
            .call(Method::POST, "/api/debug/adopt", user, Some(body))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(rows(&app).await, 0);
        let owners = format!("SELECT COUNT(*) FROM users WHERE external_id = '{OWNER}'");
        assert_eq!(count(&app.store, &owners).await, 0, "a user was stored");
    }
);

app_test!(
    an_asset_muxd_uploaded_is_already_tracked,
    |app: TestApp| async move {
        let (id, url) = app.create_upload(OWNER, "mine.mp4").await;
        let put = app.http.put(&url).body(fixture("tiny-2s-320x240.mp4"));
        assert!(put.send().await.unwrap().status().is_success());
        let ready = app.wait_for(OWNER, &id, |s| s == "READY").await;
        let body = json!({"assetId": ready["muxAssetId"], "ownerId": "someone_else"});
        let (status, found) = adopt(&app, body).await;
        assert_eq!(
            (status, &found["asset"]["id"]),
            (StatusCode::OK, &json!(id))
        );
        assert_eq!(found["origin"], "upload");
        assert_eq!(rows(&app).await, 1);
    }
);
