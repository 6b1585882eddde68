//! The host app's campaigns by its own ids, kept by its backend with an admin token: upserts that
//! keep muxd's id, members who may upload (others are told the campaign does not exist), its
//! influencers by the app's ids, uploads and lists that take the app's ids, archiving that stops
//! uploads, and bad input refused by name with nothing stored.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use muxd_testkit::app::TestApp;
use muxd_testkit::app_test;

const OWNER: &str = "user_camp_owner";
const MEMBER: &str = "user_camp_member";
const OUTSIDER: &str = "user_camp_outsider";

/// `who` asks for an upload into the app's campaign `campaign` (and influencer).
async fn upload(
    app: &TestApp,
    who: &str,
    campaign: &str,
    influencer: Option<&str>,
) -> (StatusCode, Value) {
    let mut body = json!({"name": "camp.mp4", "fileType": "video/mp4", "fileSize": 1024, "campaignId": campaign});
    if let Some(influencer) = influencer {
        body["influencerId"] = json!(influencer);
    }
    app.call(
        Method::POST,
        "/api/mux/create-video-upload",
        Some((who, false)),
        Some(body),
    )
    .await
}

app_test!(
    the_app_keeps_its_campaigns_and_says_who_may_upload,
    |app: TestApp| async move {
        let path = "/api/app/campaigns/camp-42";
        let (status, first) = app
            .as_app_backend(
                Method::PUT,
                path,
                Some(json!({"name": "Spring launch", "ownerId": OWNER, "memberIds": [MEMBER]})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{first}");
        assert_eq!(first["appId"], "camp-42");
        assert_eq!(first["ownerId"], OWNER);
        assert_eq!(first["memberIds"], json!([MEMBER]));
        assert_eq!(first["archived"], false);

        // An upsert keeps muxd's id.
        let (_, renamed) = app
            .as_app_backend(
                Method::PUT,
                path,
                Some(json!({"name": "Spring launch 2", "ownerId": OWNER, "memberIds": [MEMBER]})),
            )
            .await;
        assert_eq!(renamed["id"], first["id"]);
        assert_eq!(renamed["name"], "Spring launch 2");

        let influencer = "/api/app/campaigns/camp-42/influencers/inf-7";
        let (status, ada) = app
            .as_app_backend(
                Method::PUT,
                influencer,
                Some(json!({"name": "Ada", "handle": "@ada"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{ada}");
        let (_, again) = app
            .as_app_backend(Method::PUT, influencer, Some(json!({"name": "Ada L."})))
            .await;
        assert_eq!(again["id"], ada["id"]);
        assert_eq!(again["name"], "Ada L.");

        // The member uploads by the app's ids; the row holds muxd's.
        let (status, created) = upload(&app, MEMBER, "camp-42", Some("inf-7")).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert_eq!(created["asset"]["campaignId"], first["id"], "{created}");
        let (_, listed) = app
            .call(
                Method::GET,
                "/api/creative-assets?campaignId=camp-42",
                Some((MEMBER, false)),
                None,
            )
            .await;
        assert_eq!(listed["data"].as_array().unwrap().len(), 1, "{listed}");
        let (status, seen) = app
            .call(
                Method::GET,
                "/api/campaigns/camp-42",
                Some((MEMBER, false)),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{seen}");
        assert_eq!(seen["influencers"][0]["appId"], "inf-7");
        let (status, _) = upload(&app, OWNER, "camp-42", None).await;
        assert_eq!(status, StatusCode::CREATED);

        // Anyone else: no such campaign.
        let (status, refused) = upload(&app, OUTSIDER, "camp-42", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
        let (status, _) = app
            .call(
                Method::GET,
                "/api/campaigns/camp-42",
                Some((OUTSIDER, false)),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Dropped from the members: no more uploads.
        app.as_app_backend(
            Method::PUT,
            path,
            Some(json!({"name": "Spring launch 2", "ownerId": OWNER, "memberIds": []})),
        )
        .await;
        let (status, _) = upload(&app, MEMBER, "camp-42", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // Archived: listed as such, and no uploads even for its owner.
        let (status, archived) = app
            .as_app_backend(Method::POST, "/api/app/campaigns/camp-42/archive", None)
            .await;
        assert_eq!(status, StatusCode::OK, "{archived}");
        assert_eq!(archived["archived"], true);
        let (status, body) = upload(&app, OWNER, "camp-42", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("archived"),
            "{body}"
        );
        let (_, active) = app
            .as_app_backend(Method::GET, "/api/app/campaigns", None)
            .await;
        assert!(
            active["data"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["appId"] != "camp-42"),
            "{active}"
        );
        let (_, old) = app
            .as_app_backend(Method::GET, "/api/app/campaigns?archived=true", None)
            .await;
        assert!(
            old["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["appId"] == "camp-42"),
            "{old}"
        );
    }
);

app_test!(
    bad_campaign_input_is_refused_by_name_and_nothing_is_stored,
    |app: TestApp| async move {
        let good = json!({"name": "Ok", "ownerId": OWNER});
        for (path, body, field) in [
            ("/api/app/campaigns/bad%20id", good.clone(), "campaign id"),
            (
                "/api/app/campaigns/c1",
                json!({"name": " ", "ownerId": OWNER}),
                "name",
            ),
            (
                "/api/app/campaigns/c1",
                json!({"name": "Ok", "ownerId": ""}),
                "ownerId",
            ),
            (
                "/api/app/campaigns/c1",
                json!({"name": "Ok", "ownerId": OWNER, "memberIds": [""]}),
                "memberIds",
            ),
            (
                "/api/app/campaigns/c1",
                json!({"name": "Ok", "ownerId": OWNER, "colour": "red"}),
                "colour",
            ),
        ] {
            let (status, body) = app.as_app_backend(Method::PUT, path, Some(body)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
            assert!(
                body["error"]["message"].as_str().unwrap().contains(field),
                "{field}: {body}"
            );
        }
        let (_, listed) = app
            .as_app_backend(Method::GET, "/api/app/campaigns", None)
            .await;
        assert_eq!(listed["data"], json!([]), "nothing stored");

        let (status, _) = app
            .call(
                Method::PUT,
                "/api/app/campaigns/c1",
                Some((OWNER, false)),
                Some(good),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "only an admin token keeps campaigns"
        );
        let (status, _) = app
            .as_app_backend(Method::POST, "/api/app/campaigns/nope/archive", None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = app
            .as_app_backend(
                Method::PUT,
                "/api/app/campaigns/nope/influencers/i1",
                Some(json!({"name": "X"})),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) = upload(&app, OWNER, "no such id!", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
);
