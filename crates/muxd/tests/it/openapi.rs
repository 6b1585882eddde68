//! The API document kept true. On a real muxd (both backends), every operation
//! `GET /api/openapi.json` lists is called at least once, mostly as a client would (uploads go
//! through the emulator and become READY or ERROR; the calls are in `users` and `admins`); each
//! answer's status must be one the document lists for that operation, in a content type it
//! lists, and a JSON body must match that response's schema, listing every field it sends
//! (`checker`, `validate`). A JSON route is declared once, with its documentation (`routes!`);
//! only the pages may be routed by hand; and `/api/docs` renders the document with no script.

mod admins;
mod checker;
mod outbound;
mod users;
mod validate;

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use admins::{admins, ending, webhooks};
use checker::Api;
use muxd_testkit::app::TestApp;
use muxd_testkit::app_test;
use users::{host_app, operators_and_session, users};

const USER: &str = "user_openapi";
const ADMIN: &str = "user_openapi_admin";
/// Routes that serve pages or files, not JSON: not in the document.
const PAGES: [&str; 11] = [
    "/",
    "/campaigns/{id}/content",
    "/admin",
    "/admin/assets",
    "/admin/campaigns",
    "/admin/events",
    "/admin/health",
    "/admin/webhooks",
    "/static/{file}",
    "/api/docs",
    // A supplied caption file, fetched by Mux (WebVTT, not JSON).
    "/captions/{file}",
];

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

/// Every (method, path) `router.rs` routes by hand (`.route("…", get(…))`), not by `routes!`.
fn routed_by_hand() -> BTreeSet<(String, String)> {
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../muxd-web/src/router.rs"
    ))
    .unwrap();
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

/// A JSON route is declared once, with `routes!` in `router::api`, which documents it; only the
/// pages and files are routed by hand, and none of them is in the document.
#[test]
fn only_pages_are_routed_outside_the_documented_table() {
    let document = serde_json::to_value(muxd_web::router::document()).unwrap();
    let handmade = routed_by_hand();
    let by_hand: BTreeSet<&str> = handmade.iter().map(|(_, path)| path.as_str()).collect();
    let pages = BTreeSet::from(PAGES);
    let json: Vec<_> = handmade
        .iter()
        .filter(|(_, path)| !pages.contains(path.as_str()))
        .collect();
    assert!(
        json.is_empty(),
        "routed by hand, so undocumented: {json:?}; route it with `routes!` in `router::api`"
    );
    assert_eq!(by_hand, pages, "PAGES names what router.rs routes by hand");
    let documented = operations(&document);
    assert!(documented.len() > 20, "{documented:?}");
    let pages_documented: Vec<_> = documented
        .iter()
        .filter(|(_, path)| pages.contains(path.as_str()))
        .collect();
    assert!(pages_documented.is_empty(), "{pages_documented:?}");
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

#[test]
fn every_operation_answers_500_with_the_shared_error_schema() {
    let document = serde_json::to_value(muxd_web::router::document()).unwrap();
    let schemas = &document["components"]["schemas"];
    assert!(schemas.get("ErrorBody").is_some(), "{schemas}");
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let internal = &operation["responses"]["500"]["content"]["application/json"];
            assert_eq!(
                internal["schema"]["$ref"], "#/components/schemas/ErrorBody",
                "{method} {path}"
            );
        }
    }
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
        let endpoint = outbound::register(&mut api).await;
        ending(&mut api, &campaign, &assets).await;
        outbound::deliveries(&mut api, &endpoint).await;
        let missed: Vec<_> = api.operations().difference(&api.called).cloned().collect();
        assert!(missed.is_empty(), "documented but never called: {missed:?}");
        docs_page(&api).await;
    }
);

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
