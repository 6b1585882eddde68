//! The content page as a user meets it in a browser: sign in through `/dev/login`, pick a real
//! fixture in an uploader (`<muxd-uploader>`, whose upload panels are `[data-file][data-state]`:
//! in the uploader until muxd made the asset, then inside the asset's card until the file is
//! sent), find asset cards (`[data-asset][data-status]`) by name, press their buttons; and a
//! ready video made through the API, for tests about what the page does with one.

use std::path::PathBuf;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::driver::Browser;
use crate::media::fixture;
use muxd_testkit::app::TestApp;
use muxd_testkit::webdriver::Element;

/// The absolute path of a media fixture (fixtures/media at the repository root), as a file
/// input is given it.
pub fn fixture_path(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/media");
    path.join(name)
        .canonicalize()
        .expect("fixture exists")
        .display()
        .to_string()
}

/// A JavaScript expression: the asset card named `name`, or `undefined`.
pub fn card(name: &str) -> String {
    format!(
        "[...document.querySelectorAll('[data-asset][data-status]')].find(c => c.querySelector('.name')?.textContent === {})",
        json!(name)
    )
}

/// A JavaScript expression: the upload panel of file `name` (in the uploader or in its asset's
/// card), or `null`.
pub fn upload_card(name: &str) -> String {
    format!(
        "document.querySelector('[data-file][data-state][data-file=\"' + CSS.escape({}) + '\"]')",
        json!(name)
    )
}

impl Browser {
    /// Signs in as the demo user (or admin) and waits for the content page to be ready for a file.
    pub async fn sign_in(&self, app: &TestApp, admin: bool) {
        let who = if admin { "admin" } else { "user" };
        self.navigate(&format!("{}/dev/login?as={who}", app.base))
            .await;
        self.wait_until_ready().await;
    }

    /// Waits for the content page to have loaded its campaign and videos.
    pub async fn wait_until_ready(&self) {
        self.wait_for(
            "the content page to offer a file input",
            "document.querySelector('muxd-uploader input[type=file]') && !document.getElementById('influencers').hasAttribute('aria-busy')",
        )
        .await;
        // A page that reloads loses this mark; tests check it to prove nothing reloaded.
        self.execute("window.__sameDocument = true;", json!([]))
            .await;
    }

    /// True while the page has not reloaded since it was last ready.
    pub async fn same_document(&self) -> bool {
        self.execute("return window.__sameDocument === true;", json!([]))
            .await
            == true
    }

    /// Makes the first uploader send chunks of `kib` KiB (its `chunk-size` attribute), so a
    /// small fixture takes several.
    pub async fn set_chunk_kib(&self, kib: u32) {
        let script =
            "document.querySelector('muxd-uploader').setAttribute('chunk-size', arguments[0]);";
        self.execute(script, json!([kib.to_string()])).await;
    }

    /// Picks fixture `name` in the first uploader, as the file dialog would.
    pub async fn pick_file(&self, name: &str) {
        let input = self.find("muxd-uploader input[type=file]").await;
        input.send_keys(&fixture_path(name)).await;
    }

    /// Waits until the uploader's card of `name` is in `state`.
    pub async fn wait_for_upload(&self, name: &str, state: &str) {
        self.wait_for(
            &format!("the upload of {name} to be {state}"),
            &format!(
                "({})?.dataset.state === {}",
                upload_card(name),
                json!(state)
            ),
        )
        .await;
    }

    /// The percentage the uploader's card of `name` shows.
    pub async fn upload_percent(&self, name: &str) -> f64 {
        let js = format!(
            "return ({}).querySelector('progress').value;",
            upload_card(name)
        );
        self.execute(&js, json!([])).await.as_f64().unwrap()
    }

    /// The button labelled `label` of the uploader's card of `name`.
    pub async fn upload_button(&self, name: &str, label: &str) -> Element<'_> {
        self.find_js(&format!(
            "[...({}).querySelectorAll('button')].find(b => b.textContent === {})",
            upload_card(name),
            json!(label)
        ))
        .await
    }

    /// The button labelled `label` of the asset card named `name`.
    pub async fn card_button(&self, name: &str, label: &str) -> Element<'_> {
        self.find_js(&format!(
            "[...({}).querySelectorAll('button')].find(b => b.textContent === {})",
            card(name),
            json!(label)
        ))
        .await
    }

    /// Waits until the card named `name` has status `status` and returns its asset id.
    pub async fn wait_for_card(&self, name: &str, status: &str) -> String {
        let id = self
            .wait_for(
                &format!("{name} to show {status}"),
                &format!(
                    "({0})?.dataset.status === {1} && ({0}).dataset.asset",
                    card(name),
                    json!(status)
                ),
            )
            .await;
        id.as_str().expect("an asset id").to_owned()
    }

    /// Waits until the badge of the card named `name` says `words`.
    pub async fn wait_for_badge(&self, name: &str, words: &str) {
        self.wait_for(
            &format!("the card of {name} to say {words}"),
            &format!(
                "({})?.querySelector('.badge').textContent === {}",
                card(name),
                json!(words)
            ),
        )
        .await;
    }

    /// Waits until the card named `name` has status `status` and is the only trace of that file
    /// on the page: one card, no upload panel or uploader item left for it. Returns its id.
    pub async fn wait_for_one_card(&self, name: &str, status: &str) -> String {
        let id = self.wait_for_card(name, status).await;
        let traces = self
            .execute(
                "const name = arguments[0];
                 const cards = [...document.querySelectorAll('[data-asset][data-status]')]
                   .filter(c => c.querySelector('.name')?.textContent === name).length;
                 const items = [...document.querySelectorAll('[data-file], muxd-uploader li')]
                   .filter(n => n.textContent.includes(name)).length;
                 return {cards, items};",
                json!([name]),
            )
            .await;
        assert_eq!(
            traces,
            json!({"cards": 1, "items": 0}),
            "{name} should show as exactly one card and nothing else"
        );
        id
    }

    /// Waits until no card is named `name`.
    pub async fn wait_for_no_card(&self, name: &str) {
        self.wait_for(
            &format!("the card of {name} to go"),
            &format!("!({})", card(name)),
        )
        .await;
    }
}

/// Uploads fixture `file` as `name` into the demo campaign's first influencer through the API
/// (as the demo user) and waits for READY; returns the asset.
pub async fn ready_video(app: &TestApp, name: &str, file: &str) -> Value {
    let id = send_video(app, name, file).await;
    let demo = app.demo.as_ref().expect("a dev app");
    let asset = app
        .wait_for(&demo.user_external_id, &id, |s| s == "READY")
        .await;
    assert_eq!(asset["status"], "READY", "{asset}");
    asset
}

/// Uploads fixture `file` as `name` into the demo campaign's first influencer through the API
/// (as the demo user); returns the asset's id once Mux has the file.
pub async fn send_video(app: &TestApp, name: &str, file: &str) -> String {
    let demo = app.demo.as_ref().expect("a dev app");
    let user = Some((demo.user_external_id.as_str(), false));
    let campaign = format!("/api/campaigns/{}", demo.campaign_id);
    let (_, campaign) = app.call(Method::GET, &campaign, user, None).await;
    let body = json!({
        "name": name,
        "fileType": "video/mp4",
        "fileSize": fixture(file).len(),
        "campaignId": campaign["id"],
        "influencerId": campaign["influencers"][0]["id"],
    });
    let (status, created) = app
        .call(
            Method::POST,
            "/api/mux/create-video-upload",
            user,
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let put = app.http.put(created["url"].as_str().unwrap());
    let response = put.body(fixture(file)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    created["id"].as_str().unwrap().to_owned()
}
