//! The calls of admins and of Mux: the asset list, resync, the playback-id check, processing
//! times, adopting an asset made outside muxd, webhook deliveries, the event log and replay; then deleting the assets and archiving
//! the campaign.

use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::checker::Api;
use crate::adopt::external_asset;
use crate::webhooks::{envelope, header};
use muxd_testkit::app::now_secs;
use muxd_testkit::app::SIGNING_SECRET;

pub async fn admins(api: &mut Api<'_>, assets: &[String]) {
    let list = "/api/debug/mux-assets";
    let (status, page) = api
        .check(
            list,
            api.admin(Method::GET, "/api/debug/mux-assets?owner=user_openapi"),
        )
        .await;
    // The three uploads and the video from a link.
    assert_eq!(
        (status, page["data"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(4))
    );
    assert_eq!(
        api.check(
            list,
            api.admin(Method::GET, "/api/debug/mux-assets?owner=nobody")
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.check(list, api.user(Method::GET, list)).await.0,
        StatusCode::FORBIDDEN
    );

    let resync = "/api/debug/mux-assets/{id}/resync";
    let path = format!("/api/debug/mux-assets/{}/resync", assets[0]);
    assert_eq!(
        api.check(resync, api.admin(Method::POST, &path)).await.0,
        StatusCode::OK
    );

    let verify = "/api/debug/verify-mux-playback-ids";
    let (status, report) = api.check(verify, api.admin(Method::POST, verify)).await;
    // The READY upload and the video from a link.
    assert_eq!((status, &report["checked"]), (StatusCode::OK, &json!(2)));
    let repair = api
        .admin(Method::POST, verify)
        .json(&json!({"repair": true}));
    assert_eq!(api.check(verify, repair).await.0, StatusCode::OK);
    let malformed = api
        .admin(Method::POST, verify)
        .header(CONTENT_TYPE, "application/json")
        .body("{");
    assert_eq!(
        api.check(verify, malformed).await.0,
        StatusCode::BAD_REQUEST
    );

    let times = "/api/debug/processing-times";
    let (status, report) = api
        .check(
            times,
            api.admin(Method::GET, "/api/debug/processing-times?days=7"),
        )
        .await;
    // The READY upload and the video from a link.
    assert_eq!((status, &report["sampled"]), (StatusCode::OK, &json!(2)));
    assert_eq!(
        api.check(
            times,
            api.admin(Method::GET, "/api/debug/processing-times?days=0")
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );
    adopt(api).await;
}

/// Adopting an asset made outside muxd: new, again, unknown, invalid, not an admin.
async fn adopt(api: &mut Api<'_>) {
    let adopt = "/api/debug/adopt";
    let (asset_id, _) = external_asset(&api.app.emulator.base_url(), "Adopted").await;
    let body = json!({"assetId": asset_id, "ownerId": "user_openapi_adopted"});
    let (status, made) = api
        .check(adopt, api.admin(Method::POST, adopt).json(&body))
        .await;
    assert_eq!(
        (status, &made["origin"]),
        (StatusCode::CREATED, &json!("adopted"))
    );
    let again = api.admin(Method::POST, adopt).json(&body);
    assert_eq!(api.check(adopt, again).await.0, StatusCode::OK);
    let unknown = json!({"assetId": "nosuchasset", "ownerId": "user_openapi_adopted"});
    let unknown = api.admin(Method::POST, adopt).json(&unknown);
    assert_eq!(api.check(adopt, unknown).await.0, StatusCode::NOT_FOUND);
    let invalid = api
        .admin(Method::POST, adopt)
        .json(&json!({"assetId": asset_id, "ownerId": ""}));
    assert_eq!(api.check(adopt, invalid).await.0, StatusCode::BAD_REQUEST);
    let user = api.user(Method::POST, adopt).json(&body);
    assert_eq!(api.check(adopt, user).await.0, StatusCode::FORBIDDEN);
}

/// Mux's deliveries, the event log and a replay.
pub async fn webhooks(api: &mut Api<'_>) {
    let receive = "/api/webhooks/mux";
    let body = envelope(
        "evt-openapi",
        "video.asset.updated",
        1,
        json!({"id": "as-unknown"}),
    );
    let signed = api
        .anonymous(Method::POST, receive)
        .header("mux-signature", header(SIGNING_SECRET, now_secs(), &body))
        .body(body.clone());
    let (status, received) = api.check(receive, signed).await;
    assert_eq!(
        (status, &received["received"]),
        (StatusCode::OK, &json!(true))
    );
    let forged = api
        .anonymous(Method::POST, receive)
        .header("mux-signature", header("not-the-secret", now_secs(), &body))
        .body(body.clone());
    assert_eq!(api.check(receive, forged).await.0, StatusCode::UNAUTHORIZED);
    let unsigned = api.anonymous(Method::POST, receive).body(body);
    assert_eq!(
        api.check(receive, unsigned).await.0,
        StatusCode::BAD_REQUEST
    );

    let events = "/api/debug/webhook-events";
    let (status, log) = api.check(events, api.admin(Method::GET, events)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(log["data"].as_array().unwrap().len() > 1, "{log}");
    let bad = api.admin(Method::GET, "/api/debug/webhook-events?outcome=lost");
    assert_eq!(api.check(events, bad).await.0, StatusCode::BAD_REQUEST);
    let one = "/api/debug/webhook-events/{event_id}";
    let (status, event) = api
        .check(
            one,
            api.admin(Method::GET, "/api/debug/webhook-events/evt-openapi"),
        )
        .await;
    assert_eq!(
        (status, &event["payload"]["type"]),
        (StatusCode::OK, &json!("video.asset.updated"))
    );
    let missing = api.admin(Method::GET, "/api/debug/webhook-events/evt-none");
    assert_eq!(api.check(one, missing).await.0, StatusCode::NOT_FOUND);
    let replay = "/api/debug/webhook-events/{event_id}/replay";
    let path = "/api/debug/webhook-events/evt-openapi/replay";
    let (status, replayed) = api.check(replay, api.admin(Method::POST, path)).await;
    assert_eq!(
        (status, &replayed["eventId"]),
        (StatusCode::OK, &json!("evt-openapi"))
    );
    let missing = api.admin(Method::POST, "/api/debug/webhook-events/evt-none/replay");
    assert_eq!(api.check(replay, missing).await.0, StatusCode::NOT_FOUND);
}

/// Deleting the assets and archiving the campaign.
pub async fn ending(api: &mut Api<'_>, campaign: &str, assets: &[String]) {
    let one = "/api/creative-assets/{id}";
    for id in assets {
        let (status, deleted) = api
            .check(
                one,
                api.user(Method::DELETE, &format!("/api/creative-assets/{id}")),
            )
            .await;
        assert!(
            matches!(status, StatusCode::OK | StatusCode::ACCEPTED),
            "{status}"
        );
        assert_eq!(deleted["deleted"], true);
    }
    let archive = "/api/app/campaigns/{id}/archive";
    let path = format!("/api/app/campaigns/{campaign}/archive");
    let (status, archived) = api.check(archive, api.admin(Method::POST, &path)).await;
    assert_eq!(
        (status, &archived["archived"]),
        (StatusCode::OK, &json!(true))
    );
    let missing = api.admin(Method::POST, "/api/app/campaigns/no-such/archive");
    assert_eq!(api.check(archive, missing).await.0, StatusCode::NOT_FOUND);
}
