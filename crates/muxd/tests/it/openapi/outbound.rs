//! The host app's outbound webhook endpoints and their delivery log. The endpoint is registered
//! before the assets are deleted (so their deletions become deliveries) at a public address
//! that nothing answers here: its deliveries stay pending, to be read and replayed.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::checker::Api;
use muxd_testkit::databases::eventually;

const ENDPOINTS: &str = "/api/app/webhook-endpoints";
const ONE: &str = "/api/app/webhook-endpoints/{id}";

/// Registers an endpoint (and is refused a bad one); returns its id.
pub async fn register(api: &mut Api<'_>) -> String {
    let body = json!({"url": "https://93.184.216.34/hooks", "eventTypes": ["asset.deleted"]});
    let (status, made) = api
        .check(ENDPOINTS, api.admin(Method::POST, ENDPOINTS).json(&body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let bad = api
        .admin(Method::POST, ENDPOINTS)
        .json(&json!({"url": "http://127.0.0.1/hooks"}));
    assert_eq!(api.check(ENDPOINTS, bad).await.0, StatusCode::BAD_REQUEST);
    let (status, list) = api
        .check(ENDPOINTS, api.admin(Method::GET, ENDPOINTS))
        .await;
    assert_eq!(
        (status, list["data"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(1))
    );
    made["id"].as_str().unwrap().to_owned()
}

/// Reads the deliveries the deletions made, replays one, then changes and deletes the endpoint.
pub async fn deliveries(api: &mut Api<'_>, endpoint: &str) {
    let log = "/api/app/webhook-deliveries";
    let filtered = format!("{log}?endpointId={endpoint}&status=pending");
    let mut page = Value::Null;
    eventually("the deletions becoming deliveries", async || {
        page = api
            .admin(Method::GET, &filtered)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        page["data"].as_array().is_some_and(|d| !d.is_empty())
    })
    .await;
    let (status, _) = api.check(log, api.admin(Method::GET, &filtered)).await;
    assert_eq!(status, StatusCode::OK);
    let bad = api.admin(Method::GET, &format!("{log}?status=lost"));
    assert_eq!(api.check(log, bad).await.0, StatusCode::BAD_REQUEST);

    let id = page["data"][0]["id"].as_i64().unwrap();
    let detail = "/api/app/webhook-deliveries/{id}";
    let (status, shown) = api
        .check(detail, api.admin(Method::GET, &format!("{log}/{id}")))
        .await;
    assert_eq!(
        (status, &shown["payload"]["type"]),
        (StatusCode::OK, &json!("asset.deleted"))
    );
    let missing = api.admin(Method::GET, &format!("{log}/999999"));
    assert_eq!(api.check(detail, missing).await.0, StatusCode::NOT_FOUND);
    let replay = "/api/app/webhook-deliveries/{id}/replay";
    let (status, replayed) = api
        .check(
            replay,
            api.admin(Method::POST, &format!("{log}/{id}/replay")),
        )
        .await;
    assert_eq!(
        (status, &replayed["status"]),
        (StatusCode::ACCEPTED, &json!("pending"))
    );
    let missing = api.admin(Method::POST, &format!("{log}/999999/replay"));
    assert_eq!(api.check(replay, missing).await.0, StatusCode::NOT_FOUND);

    let path = format!("{ENDPOINTS}/{endpoint}");
    let (status, shown) = api.check(ONE, api.admin(Method::GET, &path)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(shown["secret"].as_str().unwrap().starts_with("whsec_"));
    let pause = api
        .admin(Method::PATCH, &path)
        .json(&json!({"disabled": true}));
    let (status, paused) = api.check(ONE, pause).await;
    assert_eq!(
        (status, &paused["disabled"]),
        (StatusCode::OK, &json!(true))
    );
    let (status, _) = api.check(ONE, api.admin(Method::DELETE, &path)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        api.check(ONE, api.admin(Method::GET, &path)).await.0,
        StatusCode::NOT_FOUND
    );
}
