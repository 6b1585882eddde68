//! `muxd dev` as a new user meets it: start the binary with no settings at all, open the URL it
//! prints, sign in, upload a real file through its API to the embedded emulator, and watch the
//! asset reach READY; a request naming another host (DNS rebinding) refused. Also `muxd serve`
//! refusing to start without its secrets.

use reqwest::header::{COOKIE, HOST, LOCATION, ORIGIN, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::media::fixture;
use crate::process::{muxd, start};
use muxd_testkit::databases::{eventually, TempDir};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn muxd_dev_serves_the_page_it_prints_and_an_upload_reaches_ready() {
    let dir = TempDir::new().unwrap();
    let (_running, line) = start(&dir, &["dev"], &[("MUXD_LISTEN", "127.0.0.1:0")], "Open ").await;
    let login = line
        .split("Open ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let base = login.split("/dev/login").next().unwrap().to_owned();

    // Sign in as the demo user: a cookie, and a redirect to the content page.
    let http = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    // A page of another site whose name now resolves to 127.0.0.1 (DNS rebinding) still sends
    // its own name as `Host`: refused, with a sentence saying why. Loopback names are served.
    let port = base.rsplit(':').next().unwrap();
    for host in [
        format!("rebinding.example:{port}"),
        "rebinding.example".into(),
    ] {
        let rebound = http.get(&login).header(HOST, &host).send().await.unwrap();
        assert_eq!(rebound.status(), StatusCode::MISDIRECTED_REQUEST, "{host}");
        let text = rebound.text().await.unwrap();
        assert!(text.contains("localhost"), "{text}");
    }
    for host in [format!("localhost:{port}"), format!("[::1]:{port}")] {
        let by_name = http.get(&login).header(HOST, &host).send().await.unwrap();
        assert_eq!(by_name.status(), StatusCode::SEE_OTHER, "{host}");
    }
    let response = http.get(&login).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = response.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let page = response.headers()[LOCATION].to_str().unwrap().to_owned();
    let html = http.get(format!("{base}{page}")).send().await.unwrap();
    assert_eq!(html.status(), StatusCode::OK);
    assert!(html.text().await.unwrap().contains("Step 4: Content"));

    // The page's own calls: the campaign, an upload, the file PUT, then the status.
    let campaign_id = page
        .trim_start_matches("/campaigns/")
        .trim_end_matches("/content");
    let campaign: Value = http
        .get(format!("{base}/api/campaigns/{campaign_id}"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let influencer = campaign["influencers"][0]["id"].as_str().unwrap();
    let created: Value = http
        .post(format!("{base}/api/mux/create-video-upload"))
        .header(COOKIE, &cookie)
        .header(ORIGIN, base.as_str())
        .json(&json!({"name": "hd.mp4", "fileSize": 1024, "campaignId": campaign_id, "influencerId": influencer, "fileType": "video/mp4"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = created["url"].as_str().expect("an upload URL");
    let put = http
        .put(url)
        .body(fixture("hd-10s-1280x720.mp4"))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::OK);
    let id = created["id"].as_str().unwrap();
    let read = async || -> Value {
        let url = format!("{base}/api/creative-assets/{id}");
        http.get(url)
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    };
    eventually("the upload reaching READY", async || {
        read().await["status"] == "READY"
    })
    .await;
    let asset = read().await;
    assert_eq!(asset["status"], "READY", "{asset}");
    assert_eq!(asset["aspectRatio"], "16:9");
    let media = http
        .get(asset["playbackUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert!(
        media.status().is_success() || media.status().is_redirection(),
        "{}",
        media.status()
    );
    assert!(
        dir.path().join("muxd.db").exists(),
        "muxd dev keeps its SQLite file in the working directory"
    );
}

#[test]
fn muxd_serve_without_secrets_names_each_fix_and_exits_non_zero() {
    let dir = TempDir::new().unwrap();
    let out = muxd(&dir, &["serve"], &[]).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for setting in [
        "MUX_TOKEN_ID",
        "MUX_TOKEN_SECRET",
        "MUX_WEBHOOK_SIGNING_SECRET",
        "MUXD_JWT_HS256_SECRET",
        "MUXD_JWT_ISSUER",
        "MUXD_JWT_AUDIENCE",
    ] {
        assert!(
            stderr.contains(&format!("{setting}: ")),
            "{setting} not named in:\n{stderr}"
        );
    }
    assert!(stderr.contains("Fix:"), "{stderr}");
}
