//! Upload limits: the file types a client may announce (`MUXD_UPLOAD_TYPES`) and the videos one
//! user may have in one campaign (`MUXD_UPLOADS_PER_USER_PER_CAMPAIGN`); a refused create says
//! why in plain words and leaves no row.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::app::{app_test, TestApp};

const USER: (&str, bool) = ("user_limits", false);
const SETTINGS: &[(&str, &str)] = &[
    ("MUXD_UPLOAD_TYPES", "video/mp4,video/quicktime"),
    ("MUXD_UPLOADS_PER_USER_PER_CAMPAIGN", "2"),
];

async fn create(app: &TestApp, body: Value) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        "/api/mux/create-video-upload",
        Some(USER),
        Some(body),
    )
    .await
}

async fn rows(app: &TestApp) -> usize {
    let (_, list) = app
        .call(Method::GET, "/api/creative-assets", Some(USER), None)
        .await;
    list["data"].as_array().map_or(0, Vec::len)
}

app_test!(
    types_and_the_per_campaign_quota_are_enforced,
    spawn = |backend| TestApp::spawn_with_settings(backend, SETTINGS),
    |app: TestApp| async move {
        let (status, body) =
            create(&app, json!({"name": "a.webm", "fileType": "video/webm"})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(
                "video/webm files are not accepted here (accepted: video/mp4, video/quicktime)"
            ),
            "{message}"
        );
        for kind in ["video/mp4", "video/quicktime", ""] {
            let (status, body) = create(&app, json!({"name": "ok", "fileType": kind})).await;
            assert_eq!(status, StatusCode::CREATED, "{kind}: {body}");
        }
        assert_eq!(rows(&app).await, 3, "the refused create left no row");

        let (status, _) = app
            .call(
                Method::PUT,
                "/api/app/campaigns/c-quota",
                Some(("limits_admin", true)),
                Some(json!({"name": "Quota", "ownerId": USER.0})),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let into = json!({"name": "q.mp4", "fileType": "video/mp4", "campaignId": "c-quota"});
        let (_, first) = create(&app, into.clone()).await;
        let (status, _) = create(&app, into.clone()).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, body) = create(&app, into.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("the limit is 2 per person"),
            "{body}"
        );
        assert_eq!(rows(&app).await, 5);

        // Outside the campaign there is no quota; a deleted video frees a place.
        let (status, _) = create(&app, json!({"name": "free.mp4"})).await;
        assert_eq!(status, StatusCode::CREATED);
        let id = first["id"].as_str().unwrap();
        let (status, _) = app
            .call(
                Method::DELETE,
                &format!("/api/creative-assets/{id}"),
                Some(USER),
                None,
            )
            .await;
        assert!(status.is_success(), "{status}");
        let (status, body) = create(&app, into).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
);
