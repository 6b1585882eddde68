//! `POST /api/mux/create-video-upload` when things go wrong: bad input gets a clear 400 and no
//! row; Mux refusing leaves no orphan row; Mux failing in a way that may have created the upload
//! leaves a visible ERROR row with the reason (nothing is lost track of).

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::app::{app_test, TestApp};

const USER: Option<(&str, bool)> = Some(("user_uploads", false));

async fn my_assets(app: &TestApp) -> Vec<Value> {
    let (_, list) = app
        .call(Method::GET, "/api/creative-assets", USER, None)
        .await;
    list["data"].as_array().unwrap().clone()
}

async fn add_fault(app: &TestApp, rule: Value) {
    let url = format!("{}/_emulator/faults/api", app.emulator.base_url());
    assert!(app
        .http
        .post(url)
        .json(&rule)
        .send()
        .await
        .unwrap()
        .status()
        .is_success());
}

app_test!(
    bad_input_gets_a_clear_400_and_no_row,
    |app: TestApp| async move {
        let cases = [
            (json!({}), "name is required"),
            (json!({"name": "   "}), "name is required"),
            (json!({"name": "x".repeat(256)}), "at most 255"),
            (
                json!({"name": "a.pdf", "fileType": "application/pdf"}),
                "not a video or audio type",
            ),
            (json!({"name": "a.mp4", "fileSize": 0}), "the file is empty"),
            (
                json!({"name": "a.mp4", "fileSize": 20_000_000_000u64}),
                "the limit is",
            ),
            (
                json!({"name": "a.mp4", "campaignId": "nope"}),
                "campaignId is not a valid id",
            ),
            (
                json!({"name": "a.mp4", "campaignId": uuid::Uuid::new_v4()}),
                "no such campaign",
            ),
            (
                json!({"name": "a.mp4", "influencerId": uuid::Uuid::new_v4()}),
                "needs a campaignId",
            ),
        ];
        for (body, message) in cases {
            let (status, reply) = app
                .call(
                    Method::POST,
                    "/api/mux/create-video-upload",
                    USER,
                    Some(body.clone()),
                )
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {reply}");
            assert!(
                reply["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains(message),
                "{body}: {reply}"
            );
        }
        let response = app
            .http
            .post(format!("{}/api/mux/create-video-upload", app.base))
            .bearer_auth(app.token("user_uploads", false))
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let reply: Value = response.json().await.unwrap();
        assert_eq!(reply["error"]["type"], "invalid_parameters", "{reply}");
        assert!(
            my_assets(&app).await.is_empty(),
            "a refused request left a row"
        );
        assert!(
            app.emulator.uploads().is_empty(),
            "a refused request reached Mux"
        );
    }
);

app_test!(
    mux_refusing_leaves_no_orphan_row,
    |app: TestApp| async move {
        add_fault(
            &app,
            json!({"method": "POST", "path": "/video/v1/uploads", "kind": "error", "status": 400}),
        )
        .await;
        let (status, reply) = app
            .call(
                Method::POST,
                "/api/mux/create-video-upload",
                USER,
                Some(json!({"name": "a.mp4"})),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_GATEWAY, "{reply}");
        assert_eq!(reply["error"]["type"], "mux_rejected");
        assert!(
            my_assets(&app).await.is_empty(),
            "an orphan row was left behind"
        );
    }
);

app_test!(
    mux_failing_ambiguously_leaves_a_visible_error_row,
    |app: TestApp| async move {
        add_fault(
            &app,
            json!({"method": "POST", "path": "/video/v1/uploads", "kind": "error", "status": 503}),
        )
        .await;
        let (status, reply) = app
            .call(
                Method::POST,
                "/api/mux/create-video-upload",
                USER,
                Some(json!({"name": "a.mp4"})),
            )
            .await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{reply}");
        let assets = my_assets(&app).await;
        assert_eq!(assets.len(), 1, "{assets:?}");
        assert_eq!(assets[0]["status"], "ERROR");
        assert_eq!(assets[0]["error"]["type"], "upload_not_created");
        // Mux recovers: the next user succeeds.
        app.emulator.clear_faults();
        let (status, reply) = app
            .call(
                Method::POST,
                "/api/mux/create-video-upload",
                USER,
                Some(json!({"name": "b.mp4"})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{reply}");
    }
);
