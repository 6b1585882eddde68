//! The API document kept true. On a real muxd (both backends), every operation
//! `GET /api/openapi.json` lists is called at least once, mostly as a client would (uploads go
//! through the emulator and become READY or ERROR); each answer's status must be one the
//! document lists for that operation, in a content type it lists, and a JSON body must match
//! that response's schema, listing every field it sends (`validate`). Every route of
//! `router.rs` but the pages must be documented, so a new route without docs fails here; and
//! `/api/docs` renders the document with no script.

mod validate;

use std::collections::BTreeSet;

use reqwest::header::{CONTENT_TYPE, COOKIE};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{json, Value};

use crate::app::{app_test, TestApp, SIGNING_SECRET};
use crate::app_requests::now_secs;
use crate::media::fixture;
use crate::webhooks::{envelope, header};
use validate::Validator;

const USER: &str = "user_openapi";
const ADMIN: &str = "user_openapi_admin";
/// Routes that serve pages or files, not JSON: not in the document.
const PAGES: [&str; 4] = [
    "/",
    "/campaigns/{id}/content",
    "/static/{file}",
    "/api/docs",
];

/// Calls operations and checks each answer against the document.
struct Api<'a> {
    app: &'a TestApp,
    document: Value,
    /// (method, path template) of each operation called.
    called: BTreeSet<(String, String)>,
}

impl<'a> Api<'a> {
    async fn new(app: &'a TestApp) -> Api<'a> {
        let mut api = Api {
            app,
            document: Value::Null,
            called: BTreeSet::new(),
        };
        // Checked against itself once fetched: the document's own operation says `object`.
        let response = app
            .http
            .get(api.url("/api/openapi.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        api.document = response.json().await.unwrap();
        api.check(
            "/api/openapi.json",
            api.anonymous(Method::GET, "/api/openapi.json"),
        )
        .await;
        api
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.app.base)
    }

    fn anonymous(&self, method: Method, path: &str) -> RequestBuilder {
        self.app.http.request(method, self.url(path))
    }

    fn user(&self, method: Method, path: &str) -> RequestBuilder {
        self.anonymous(method, path)
            .bearer_auth(self.app.token(USER, false))
    }

    fn admin(&self, method: Method, path: &str) -> RequestBuilder {
        self.anonymous(method, path)
            .bearer_auth(self.app.token(ADMIN, true))
    }

    /// Sends `request` (an operation of path `template`) and checks the answer: its status is
    /// documented, in a documented content type, and a JSON body matches the schema. Returns the
    /// status and the JSON body (`null` when there is none).
    async fn check(&mut self, template: &str, request: RequestBuilder) -> (StatusCode, Value) {
        let request = request.build().unwrap();
        let method = request.method().as_str().to_lowercase();
        let what = format!("{} {}", request.method(), request.url().path());
        let operation = &self.document["paths"][template][&method];
        assert!(
            operation.is_object(),
            "{method} {template} is not documented"
        );
        let response = self.app.http.execute(request).await.expect("muxd answers");
        let status = response.status();
        let documented = &operation["responses"][status.as_str()];
        assert!(
            documented.is_object(),
            "{what}: {status} is not documented for it"
        );
        self.called.insert((method, template.to_owned()));
        let media_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_owned());
        let Some(content) = documented["content"].as_object() else {
            let body = response.bytes().await.unwrap();
            assert!(body.is_empty(), "{what}: {status} documents no body");
            return (status, Value::Null);
        };
        let media_type = media_type.unwrap_or_default();
        let schema = &content
            .get(&media_type)
            .unwrap_or_else(|| panic!("{what}: {status} in {media_type:?}, not {content:?}"))
            ["schema"];
        match media_type.as_str() {
            // An endless stream: its type is all there is to check without waiting.
            "text/event-stream" => (status, Value::Null),
            "application/json" => {
                let body: Value = response.json().await.unwrap();
                let errors = Validator {
                    document: &self.document,
                }
                .errors(schema, &body);
                let shown: String = body.to_string().chars().take(2_000).collect();
                assert!(
                    errors.is_empty(),
                    "{what}: {status} body breaks its schema:\n{}\n{shown}",
                    errors.join("\n")
                );
                (status, body)
            }
            _ => {
                let text = response.text().await.unwrap();
                assert!(!text.is_empty(), "{what}: empty {media_type}");
                (status, Value::String(text))
            }
        }
    }

    /// Every (method, path) the document lists.
    fn operations(&self) -> BTreeSet<(String, String)> {
        operations(&self.document)
    }
}

/// Every (method, path) of a document.
fn operations(document: &Value) -> BTreeSet<(String, String)> {
    let mut all = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            all.insert((method.clone(), path.clone()));
        }
    }
    all
}

/// Every (method, path) `router.rs` routes, read from its `.route("…", get(…).post(…))` calls.
fn routed() -> BTreeSet<(String, String)> {
    let source =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/web/router.rs")).unwrap();
    let mut all = BTreeSet::new();
    for call in source.split(".route(").skip(1) {
        let call = call.split(".route_layer(").next().unwrap();
        let path = call.split('"').nth(1).expect("a route's path literal");
        for method in ["get", "put", "post", "patch", "delete"] {
            // `get(handler)` or `.get(handler)`, not a handler named `…::get)`.
            let routed = call.match_indices(&format!("{method}(")).any(|(at, _)| {
                !call[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':')
            });
            if routed {
                all.insert((method.to_owned(), path.to_owned()));
            }
        }
    }
    all
}

#[test]
fn every_route_but_the_pages_is_documented() {
    use utoipa::OpenApi as _;
    let document = serde_json::to_value(muxd::web::openapi::ApiDoc::openapi()).unwrap();
    let routes: BTreeSet<_> = routed()
        .into_iter()
        .filter(|(_, path)| !PAGES.contains(&path.as_str()))
        .collect();
    assert!(routes.len() > 20, "router.rs was not read: {routes:?}");
    let documented = operations(&document);
    let missing: Vec<_> = routes.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "routed but not in the API document: {missing:?}"
    );
    let stale: Vec<_> = documented.difference(&routes).collect();
    assert!(
        stale.is_empty(),
        "in the API document but not routed: {stale:?}"
    );
    let ids: Vec<_> = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .map(|operation| operation["operationId"].as_str().expect("an operationId"))
        .collect();
    assert_eq!(
        ids.len(),
        ids.iter().collect::<BTreeSet<_>>().len(),
        "duplicate operationId: {ids:?}"
    );
}

app_test!(
    every_operation_answers_as_documented,
    |app: TestApp| async move {
        let mut api = Api::new(&app).await;
        operators_and_session(&mut api).await;
        let campaign = host_app(&mut api).await;
        let assets = users(&mut api, &campaign).await;
        admins(&mut api, &assets).await;
        webhooks(&mut api).await;
        ending(&mut api, &campaign, &assets).await;
        let missed: Vec<_> = api.operations().difference(&api.called).cloned().collect();
        assert!(missed.is_empty(), "documented but never called: {missed:?}");
        docs_page(&api).await;
    }
);

async fn operators_and_session(api: &mut Api<'_>) {
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
async fn host_app(api: &mut Api<'_>) -> String {
    let template = "/api/app/campaigns/{id}";
    let put = api
        .admin(Method::PUT, "/api/app/campaigns/camp-openapi")
        .json(&json!({"name": "Launch", "ownerId": USER, "memberIds": ["user_member"]}));
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
async fn users(api: &mut Api<'_>, campaign: &str) -> Vec<String> {
    let create = "/api/mux/create-video-upload";
    let mut ids = Vec::new();
    for (file, wanted) in [
        ("tiny-2s-320x240.mp4", "READY"),
        ("not-a-video.txt", "ERROR"),
        ("later.mp4", ""),
    ] {
        let body = json!({"name": file, "campaignId": campaign, "influencerId": "inf-1"});
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
        .json(&json!({"name": "x", "campaignId": "no-such"}));
    assert_eq!(api.check(create, bad).await.0, StatusCode::BAD_REQUEST);

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

    let live = api.user(Method::GET, "/api/live?since=0");
    assert_eq!(api.check("/api/live", live).await.0, StatusCode::OK);
    let bad_since = api.user(Method::GET, "/api/live?since=yesterday");
    assert_eq!(
        api.check("/api/live", bad_since).await.0,
        StatusCode::BAD_REQUEST
    );
    ids
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

async fn admins(api: &mut Api<'_>, assets: &[String]) {
    let list = "/api/debug/mux-assets";
    let (status, page) = api
        .check(
            list,
            api.admin(Method::GET, "/api/debug/mux-assets?owner=user_openapi"),
        )
        .await;
    assert_eq!(
        (status, page["data"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(3))
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
    assert_eq!((status, &report["checked"]), (StatusCode::OK, &json!(1)));
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
    assert_eq!((status, &report["sampled"]), (StatusCode::OK, &json!(1)));
    assert_eq!(
        api.check(
            times,
            api.admin(Method::GET, "/api/debug/processing-times?days=0")
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );
}

/// Mux's deliveries, the event log and a replay.
async fn webhooks(api: &mut Api<'_>) {
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
async fn ending(api: &mut Api<'_>, campaign: &str, assets: &[String]) {
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

/// `/api/docs` lists every operation, and runs no script.
async fn docs_page(api: &Api<'_>) {
    let response = api
        .anonymous(Method::GET, "/api/docs")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    for (method, path) in api.operations() {
        let shown = format!("<code>{} {}</code>", method.to_uppercase(), path);
        assert!(html.contains(&shown), "the page does not list {shown}");
    }
    for inline in ["<script", "style=", "<style"] {
        assert!(!html.contains(inline), "the page has {inline:?}");
    }
    let handler = html.match_indices(" on").any(|(at, _)| {
        let rest = &html[at + 3..];
        let name = rest.trim_start_matches(|c: char| c.is_ascii_lowercase());
        name.len() < rest.len() && name.starts_with('=')
    });
    assert!(!handler, "the page has an inline event handler");
}
