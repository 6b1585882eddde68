//! The calls of the app's users, the host app and operators: health, metrics, the session
//! exchange, campaigns put by the host app, uploads that become READY or ERROR through the
//! emulator, reading, editing and watching them; and a check that the schema check itself fails
//! a wrong body.

use reqwest::header::{CONTENT_TYPE, COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::checker::Api;
use super::validate::Validator;
use super::USER;
use crate::media::fixture;

pub async fn operators_and_session(api: &mut Api<'_>) {
    for probe in ["/livez", "/readyz"] {
        let (status, _) = api.check(probe, api.anonymous(Method::GET, probe)).await;
        assert_eq!(status, StatusCode::OK, "{probe}");
    }
    let health = api.anonymous(Method::GET, "/api/health/mux-system");
    assert_eq!(
        api.check("/api/health/mux-system", health).await.0,
        StatusCode::OK
    );
    let (status, _) = api
        .check("/metrics", api.anonymous(Method::GET, "/metrics"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, session) = api
        .check("/api/session", api.user(Method::POST, "/api/session"))
        .await;
    assert_eq!(
        (status, &session["user"]["externalId"]),
        (StatusCode::OK, &json!(USER))
    );
    let (status, _) = api
        .check("/api/session", api.anonymous(Method::POST, "/api/session"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = api
        .check(
            "/api/session",
            api.anonymous(Method::DELETE, "/api/session"),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

/// The host app puts a campaign with an influencer; returns the campaign's app id.
pub async fn host_app(api: &mut Api<'_>) -> String {
    let template = "/api/app/campaigns/{id}";
    let put = api
        .admin(Method::PUT, "/api/app/campaigns/camp-openapi")
        .json(
            &json!({"name": "Launch", "ownerId": USER, "memberIds": ["user_member"],
            "videoQuality": "plus", "maxResolutionTier": "1440p"}),
        );
    assert_eq!(api.check(template, put).await.0, StatusCode::OK);
    let bad = api
        .admin(Method::PUT, "/api/app/campaigns/camp-openapi")
        .json(&json!({"name": "x"}));
    assert_eq!(api.check(template, bad).await.0, StatusCode::BAD_REQUEST);
    let influencer = api
        .admin(
            Method::PUT,
            "/api/app/campaigns/camp-openapi/influencers/inf-1",
        )
        .json(&json!({"name": "Ada", "handle": "@ada"}));
    let template = "/api/app/campaigns/{id}/influencers/{influencer}";
    assert_eq!(api.check(template, influencer).await.0, StatusCode::OK);
    let (status, list) = api
        .check(
            "/api/app/campaigns",
            api.admin(Method::GET, "/api/app/campaigns"),
        )
        .await;
    assert_eq!(
        (status, list["data"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(1))
    );
    let as_user = api.user(Method::GET, "/api/app/campaigns");
    assert_eq!(
        api.check("/api/app/campaigns", as_user).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, campaign) = api
        .check(
            "/api/campaigns/{id}",
            api.user(Method::GET, "/api/campaigns/camp-openapi"),
        )
        .await;
    assert_eq!(
        (status, &campaign["influencers"][0]["appId"]),
        (StatusCode::OK, &json!("inf-1"))
    );
    "camp-openapi".to_owned()
}

/// Uploads one video that becomes READY, one that errors and one left waiting, and reads,
/// edits and watches them as their owner; returns their ids in that order.
pub async fn users(api: &mut Api<'_>, campaign: &str) -> Vec<String> {
    let create = "/api/mux/create-video-upload";
    let mut ids = Vec::new();
    for (file, wanted) in [
        ("tiny-2s-320x240.mp4", "READY"),
        ("not-a-video.txt", "ERROR"),
        ("later.mp4", ""),
    ] {
        let body = json!({"name": file, "fileSize": 1024, "campaignId": campaign, "influencerId": "inf-1"});
        let (status, created) = api
            .check(create, api.user(Method::POST, create).json(&body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let id = created["id"].as_str().unwrap().to_owned();
        if !wanted.is_empty() {
            let url = created["url"].as_str().unwrap();
            let put = api
                .app
                .http
                .put(url)
                .body(fixture(file))
                .send()
                .await
                .unwrap();
            assert_eq!(put.status(), StatusCode::OK);
            let asset = api.app.wait_for(USER, &id, |s| s == wanted).await;
            assert_eq!(asset["status"], wanted, "{asset}");
        }
        ids.push(id);
    }
    let bad = api
        .user(Method::POST, create)
        .json(&json!({"name": "x", "fileSize": 1024, "campaignId": "no-such"}));
    assert_eq!(api.check(create, bad).await.0, StatusCode::BAD_REQUEST);

    let from_url = "/api/mux/create-video-from-url";
    let files = crate::links::file_server().await;
    let link = json!({"url": format!("{files}/files/tiny-2s-320x240.mp4"), "name": "linked"});
    let (status, created) = api
        .check(from_url, api.user(Method::POST, from_url).json(&link))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let linked = api
        .app
        .wait_for(USER, created["id"].as_str().unwrap(), |s| s == "READY")
        .await;
    assert_eq!(linked["status"], "READY", "{linked}");
    let gone = json!({"url": format!("{files}/gone.mp4")});
    let gone = api.user(Method::POST, from_url).json(&gone);
    assert_eq!(api.check(from_url, gone).await.0, StatusCode::BAD_REQUEST);

    let list = "/api/creative-assets";
    let (status, page) = api
        .check(
            list,
            api.user(Method::GET, "/api/creative-assets?campaignId=camp-openapi"),
        )
        .await;
    assert_eq!(
        (status, page["data"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(3))
    );
    let by_cookie = api.anonymous(Method::GET, list).header(
        COOKIE,
        format!("muxd_session={}", api.app.token(USER, false)),
    );
    assert_eq!(api.check(list, by_cookie).await.0, StatusCode::OK);
    assert_eq!(
        api.check(
            list,
            api.user(Method::GET, "/api/creative-assets?limit=many")
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        api.check(list, api.anonymous(Method::GET, list)).await.0,
        StatusCode::UNAUTHORIZED
    );

    let one = "/api/creative-assets/{id}";
    let path = format!("/api/creative-assets/{}", ids[0]);
    let (status, asset) = api.check(one, api.user(Method::GET, &path)).await;
    assert_eq!(
        (status, &asset["status"]),
        (StatusCode::OK, &json!("READY"))
    );
    the_validator_catches_a_wrong_body(api, &asset);
    let missing = format!("/api/creative-assets/{}", uuid::Uuid::new_v4());
    assert_eq!(
        api.check(one, api.user(Method::GET, &missing)).await.0,
        StatusCode::NOT_FOUND
    );
    let rename = api
        .user(Method::PATCH, &path)
        .json(&json!({"name": "renamed.mp4", "description": "the first"}));
    let (status, renamed) = api.check(one, rename).await;
    assert_eq!(
        (status, &renamed["name"]),
        (StatusCode::OK, &json!("renamed.mp4"))
    );
    let unknown = api
        .user(Method::PATCH, &path)
        .json(&json!({"colour": "red"}));
    assert_eq!(api.check(one, unknown).await.0, StatusCode::BAD_REQUEST);

    let replace = "/api/creative-assets/{id}/replace";
    let new_file = json!({"fileSize": 1024, "fileType": "video/mp4"});
    let of_ready = format!("/api/creative-assets/{}/replace", ids[0]);
    let (status, started) = api
        .check(replace, api.user(Method::POST, &of_ready).json(&new_file))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let again = api.user(Method::POST, &of_ready).json(&new_file);
    assert_eq!(api.check(replace, again).await.0, StatusCode::CREATED);
    let of_waiting = format!("/api/creative-assets/{}/replace", ids[2]);
    let not_ready = api.user(Method::POST, &of_waiting).json(&new_file);
    assert_eq!(api.check(replace, not_ready).await.0, StatusCode::CONFLICT);
    let no_size = api.user(Method::POST, &of_ready).json(&json!({}));
    assert_eq!(api.check(replace, no_size).await.0, StatusCode::BAD_REQUEST);
    let of_missing = format!("/api/creative-assets/{}/replace", uuid::Uuid::new_v4());
    let missing = api.user(Method::POST, &of_missing).json(&new_file);
    assert_eq!(api.check(replace, missing).await.0, StatusCode::NOT_FOUND);

    captions(api, &ids[0]).await;

    let live = api.user(Method::GET, "/api/live?since=0");
    assert_eq!(api.check("/api/live", live).await.0, StatusCode::OK);
    let bad_since = api.user(Method::GET, "/api/live?since=yesterday");
    assert_eq!(
        api.check("/api/live", bad_since).await.0,
        StatusCode::BAD_REQUEST
    );
    ids
}

/// The caption routes on ready asset `id`, and the list's search.
async fn captions(api: &mut Api<'_>, id: &str) {
    let one = "/api/creative-assets/{id}/captions/{language}";
    let path = format!("/api/creative-assets/{id}/captions/en");
    let vtt = "WEBVTT\n\n00:00.000 --> 00:01.000\nHello there\n";
    let supply = |api: &Api<'_>, kind: &str| {
        api.user(Method::PUT, &path)
            .header(CONTENT_TYPE, kind)
            .body(vtt)
    };
    let request = supply(api, "text/vtt");
    let (status, asset) = api.check(one, request).await;
    assert_eq!(status, StatusCode::OK, "{asset}");
    // Mux has the file; the emulator turns the track ready 100 ms later, which on a loaded
    // machine can be before this answer's row was read.
    let track = asset["captions"][0]["status"].as_str();
    assert!(matches!(track, Some("preparing" | "ready")), "{asset}");
    let request = supply(api, "text/html");
    assert_eq!(api.check(one, request).await.0, StatusCode::BAD_REQUEST);
    let (status, asset) = api.check(one, api.user(Method::DELETE, &path)).await;
    assert_eq!(
        (status, asset["captions"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(0))
    );
    let gone = api.user(Method::DELETE, &path);
    assert_eq!(api.check(one, gone).await.0, StatusCode::NOT_FOUND);

    let generate = "/api/creative-assets/{id}/captions/{language}/generate";
    let path = format!("/api/creative-assets/{id}/captions/en/generate");
    let (status, asset) = api.check(generate, api.user(Method::POST, &path)).await;
    assert_eq!(status, StatusCode::OK, "{asset}");
    let again = api.user(Method::POST, &path);
    assert_eq!(api.check(generate, again).await.0, StatusCode::CONFLICT);
    let klingon = format!("/api/creative-assets/{id}/captions/tlh/generate");
    let bad = api.user(Method::POST, &klingon);
    assert_eq!(api.check(generate, bad).await.0, StatusCode::BAD_REQUEST);

    let list = "/api/creative-assets";
    let search = api.user(Method::GET, "/api/creative-assets?q=hello%20there");
    assert_eq!(api.check(list, search).await.0, StatusCode::OK);
    let empty = api.user(Method::GET, "/api/creative-assets?q=%20");
    assert_eq!(api.check(list, empty).await.0, StatusCode::BAD_REQUEST);
}

/// The schema check itself fails a body that breaks the document: a status it does not list, a
/// field it does not mention, a required field left out, a wrongly typed one.
fn the_validator_catches_a_wrong_body(api: &Api<'_>, asset: &Value) {
    let validator = Validator {
        document: &api.document,
    };
    let schema = json!({"$ref": "#/components/schemas/AssetView"});
    assert!(validator.errors(&schema, asset).is_empty());
    let broken = |change: &dyn Fn(&mut serde_json::Map<String, Value>)| {
        let mut wrong = asset.as_object().unwrap().clone();
        change(&mut wrong);
        validator.errors(&schema, &Value::Object(wrong))
    };
    assert!(!broken(&|a| {
        a.insert("status".into(), json!("FINISHED"));
    })
    .is_empty());
    assert!(!broken(&|a| {
        a.insert("secret".into(), json!(1));
    })
    .is_empty());
    assert!(!broken(&|a| {
        a.remove("createdAt");
    })
    .is_empty());
    assert!(!broken(&|a| {
        a.insert("stuck".into(), json!("no"));
    })
    .is_empty());
    assert!(!broken(&|a| {
        a.insert("id".into(), json!("not-a-uuid"));
    })
    .is_empty());
}
