//! muxd embedded in a host app's page on another origin (issue 11): the page, served by a server
//! of the test's own, loads `<muxd-uploader>` from muxd with the token of a user signed in at
//! the app's identity provider (RS256, its JWKS served over HTTP; muxd under
//! `MUXD_JWT_JWKS_URL`), exchanges that token for muxd's session cookie and follows muxd's live
//! stream. From an origin in `MUXD_CORS_ORIGINS` three real files dropped at once upload, and the
//! uploader alone follows each to READY (or, for the broken one, ERROR): its items end showing the
//! video or the error in words, and it fires `muxd-asset-ready` / `muxd-asset-error`, which the
//! page records; axe finds nothing serious there. From an origin not listed the uploader still
//! loads but never gets an upload URL, says why in words, and muxd creates nothing. The uploader
//! loads in one request from a cold cache.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::axe::axe_script;
use super::driver::{Browser, Width};
use super::host_page::{Embed, HostPage};
use super::page::{fixture_path, upload_card};
use crate::identity_provider::{token, Provider, KEY_A_N, KEY_A_PEM};
use muxd_testkit::app::TestApp;

/// The host app's user, who uploads.
const USER: &str = "user_host_page";
/// The host app's backend, an admin by `MUXD_ADMIN_IDS`.
const BACKEND: &str = "host_backend";
const CAMPAIGN: &str = "camp_embedded";
/// The files the allowed page uploads, and the status each ends in.
const ALLOWED_FILES: [(&str, &str); 3] = [
    ("tiny-2s-320x240.mp4", "READY"),
    ("clip-2s-640x360.webm", "READY"),
    ("truncated.mp4", "ERROR"),
];
const REFUSED_FILE: &str = "hd-10s-1280x720.mp4";

/// The names of the videos `user_token`'s user has on muxd, as the API lists them.
async fn video_names(app: &TestApp, user_token: &str) -> Vec<String> {
    let (status, body) = app
        .call_as(Method::GET, "/api/creative-assets", user_token, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut names: Vec<String> = body["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|asset| asset["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    names.sort();
    names
}

/// The names of [`ALLOWED_FILES`], sorted.
fn allowed_names() -> Vec<String> {
    let mut names: Vec<String> = ALLOWED_FILES.iter().map(|(f, _)| f.to_string()).collect();
    names.sort();
    names
}

/// A JavaScript expression: the page's list item of video `name` in `status`, or `undefined`.
fn listed(name: &str, status: &str) -> String {
    format!(
        "[...document.querySelectorAll('#videos li')].find(li => li.dataset.name === {} && li.dataset.status === {})",
        json!(name),
        json!(status)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_a_page_on_an_allowed_origin_embeds_the_uploader_and_one_not_listed_is_refused() {
    let Some(axe) = axe_script() else {
        return;
    };
    let Some(browser) = Browser::start("embed", Width::Desktop).await else {
        return;
    };
    let provider = Provider::default();
    provider.serve(&[("a", KEY_A_N)]);
    let jwks = provider.start().await;
    let allowed = HostPage::bind().await;
    let refused = HostPage::bind().await;
    let app = TestApp::spawn_with_serve_identity(&[
        ("MUXD_JWT_JWKS_URL", &jwks),
        ("MUXD_CORS_ORIGINS", &allowed.origin),
        ("MUXD_ADMIN_IDS", BACKEND),
    ])
    .await;

    // The app's backend keeps its campaign in step with muxd, under its own id.
    let user_token = token(KEY_A_PEM, "a", USER);
    let body = json!({"name": "Embedded launch", "ownerId": USER});
    let (status, answer) = app
        .call_as(
            Method::PUT,
            &format!("/api/app/campaigns/{CAMPAIGN}"),
            &token(KEY_A_PEM, "a", BACKEND),
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let embed = Embed {
        muxd: app.base.clone(),
        campaign: CAMPAIGN.to_owned(),
        token: user_token.clone(),
        upload_origin: app.emulator.base_url(),
    };
    let (allowed_origin, refused_origin) = (allowed.origin.clone(), refused.origin.clone());
    allowed.serve(embed.clone());
    refused.serve(embed);

    // An allowed origin: signed in by muxd's cookie, live, and the upload turns READY live.
    browser.navigate(&allowed_origin).await;
    browser
        .wait_for(
            "the page to sign in to muxd and follow it live",
            "document.getElementById('session').dataset.state === 'live'",
        )
        .await;
    browser.shot("signed-in-live").await;
    // From a cold cache the uploader is one request: one file, no module it imports.
    let scripts = browser
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.startsWith(arguments[0] + '/static/'));",
            json!([app.base]),
        )
        .await;
    assert_eq!(
        scripts,
        json!([format!("{}/static/muxd-uploader.js", app.base)]),
        "what the page loaded of muxd's files"
    );
    let paths: Vec<String> = ALLOWED_FILES.iter().map(|(f, _)| fixture_path(f)).collect();
    let input = browser.find("muxd-uploader input[type=file]").await;
    input.send_keys(&paths.join("\n")).await;
    for (file, status) in ALLOWED_FILES {
        // The uploader's own item follows the asset to the end and says so in words (and no
        // longer that Mux is processing it).
        let words = if status == "READY" {
            "Ready"
        } else {
            "Error: "
        };
        browser
            .wait_for(
                &format!("the uploader's item of {file} to end {status}"),
                &format!(
                    "({0})?.dataset.assetStatus === {1} && ({0}).querySelector('.muxd-state').textContent.startsWith({2}) && !/processing/i.test(({0}).textContent)",
                    upload_card(file),
                    json!(status),
                    json!(words)
                ),
            )
            .await;
        browser
            .wait_for(
                &format!("{status} to reach the host's own list live"),
                &listed(file, status),
            )
            .await;
    }
    let ready = ALLOWED_FILES.iter().filter(|(_, s)| *s == "READY");
    let played = browser
        .execute(
            &format!(
                "return {}.every(f => document.querySelector('[data-file=\"' + CSS.escape(f) + '\"] .muxd-asset video[src]'));",
                json!(ready.map(|(f, _)| f).collect::<Vec<_>>())
            ),
            json!([]),
        )
        .await;
    assert_eq!(played, true, "each ready item shows its video");
    let events = browser
        .wait_for(
            "the uploader to fire an event per finished video",
            "window.muxdEvents.length === 3 && window.muxdEvents",
        )
        .await;
    let mut fired: Vec<(String, String, String)> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            (text("name"), text("type"), text("status"))
        })
        .collect();
    fired.sort();
    let mut expected: Vec<(String, String, String)> = ALLOWED_FILES
        .iter()
        .map(|(f, s)| {
            let kind = if *s == "READY" {
                "muxd-asset-ready"
            } else {
                "muxd-asset-error"
            };
            (f.to_string(), kind.to_owned(), s.to_string())
        })
        .collect();
    expected.sort();
    assert_eq!(fired, expected, "one event per video, with its view");
    browser.shot("ready-and-error").await;
    browser.assert_accessible(&axe, "the host page").await;
    assert_eq!(video_names(&app, &user_token).await, allowed_names());

    // An origin muxd does not list: the uploader loads, but muxd's API refuses the page.
    browser.navigate(&refused_origin).await;
    browser
        .wait_for(
            "the page to say muxd refused its sign-in",
            "document.getElementById('session').dataset.state === 'refused'",
        )
        .await;
    browser
        .wait_for(
            "the uploader's module to load from muxd (CORS for /static/)",
            "document.querySelector('muxd-uploader input[type=file]')",
        )
        .await;
    browser.pick_file(REFUSED_FILE).await;
    browser.wait_for_upload(REFUSED_FILE, "error").await;
    browser.shot("refused").await;
    let card = browser
        .execute(
            &format!(
                "const card = {}; return {{asset: card.dataset.asset || null, message: card.querySelector('.muxd-message').textContent}};",
                upload_card(REFUSED_FILE)
            ),
            json!([]),
        )
        .await;
    assert_eq!(
        card["asset"],
        Value::Null,
        "the upload got an asset: {card}"
    );
    let message = card["message"].as_str().unwrap();
    assert!(
        message.contains("does not accept calls from this page")
            && message.contains(&refused_origin),
        "the uploader says why in words: {message}"
    );
    assert_eq!(
        video_names(&app, &user_token).await,
        allowed_names(),
        "the refused page created nothing"
    );
}
