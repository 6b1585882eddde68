//! The admin pages at work: the webhook event log lists what Mux sent and replays an event; the
//! health page turns degraded while the emulator fails every Mux call, and healthy once it stops;
//! the campaigns page sets what a campaign asks Mux to encode.

use mux_api::BreakerState;
use reqwest::Method;
use serde_json::json;

use super::axe::axe_script;
use super::driver::{Browser, Width};
use super::page::ready_video;
use super::wait::until;
use muxd_testkit::app::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_admin_lists_webhook_events_and_replays_one() {
    let Some(browser) = Browser::start("admin-events", Width::Desktop).await else {
        return;
    };
    let app = TestApp::spawn_dev().await;
    ready_video(&app, "teaser.mp4", "tiny-2s-320x240.mp4").await;
    browser.sign_in(&app, true).await;
    browser.open_admin(&app, "/admin/events").await;
    let ready = "[...document.querySelectorAll('#events tbody tr')].find(r => r.querySelector('th').textContent.startsWith('video.asset.ready'))";
    browser
        .wait_for("the ready event to be listed", ready)
        .await;
    browser.shot("events").await;

    browser
        .find_js(&format!("({ready}).querySelector('button')"))
        .await
        .click()
        .await;
    let result = browser
        .wait_for(
            "the replay's outcome",
            &format!("({ready}).querySelector('.result').textContent.startsWith('Replayed') && ({ready}).querySelector('.result').textContent"),
        )
        .await;
    browser.shot("replayed").await;
    println!("replay: {result}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_admin_health_shows_mux_failing_then_recovering() {
    let Some(browser) = Browser::start("admin-health", Width::Desktop).await else {
        return;
    };
    let app = TestApp::spawn_dev().await;
    browser.sign_in(&app, true).await;
    browser.open_admin(&app, "/admin/health").await;
    let status =
        |want: &str| format!("document.getElementById('overall').dataset.status === '{want}'");
    browser
        .wait_for("health to be healthy", &status("healthy"))
        .await;
    browser.shot("healthy").await;

    // Every Mux call fails. Creating an upload makes muxd call Mux; one is made whenever the
    // breaker is closed (so few that the per-user upload limit is never reached) until the
    // page, which asks every 2 s, shows the trouble.
    app.add_fault(json!({"path": "/video/**", "kind": "error", "status": 503}))
        .await;
    let demo = app.demo.as_ref().unwrap();
    let user = Some((demo.user_external_id.as_str(), false));
    let create = async || {
        let body = json!({"name": "x.mp4", "fileType": "video/mp4", "fileSize": 1024});
        app.call(
            Method::POST,
            "/api/mux/create-video-upload",
            user,
            Some(body),
        )
        .await;
    };
    let page_says = async |want: &str| {
        let script = format!("return {};", status(want));
        browser.execute(&script, json!([])).await == true
    };
    until("health to turn degraded", async || {
        if app.app.mux.breaker_state() == BreakerState::Closed {
            create().await;
        }
        page_says("degraded").await
    })
    .await;
    browser.shot("degraded").await;

    // Mux answers again: one call through the breaker closes it.
    app.emulator.clear_faults();
    until("health to be healthy again", async || {
        if app.app.mux.breaker_state() != BreakerState::Closed {
            create().await;
        }
        page_says("healthy").await
    })
    .await;
    browser.shot("recovered").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_admin_sets_what_a_campaign_asks_mux_to_encode() {
    let Some(browser) = Browser::start("admin-campaigns", Width::Desktop).await else {
        return;
    };
    let app = TestApp::spawn_dev().await;
    let put = json!({"name": "Launch", "ownerId": "brand_owner", "memberIds": ["creator"]});
    let (status, _) = app
        .as_app_backend(Method::PUT, "/api/app/campaigns/camp-ads", Some(put))
        .await;
    assert!(status.is_success());
    browser.sign_in(&app, true).await;
    browser.open_admin(&app, "/admin/campaigns").await;
    let row = "document.querySelector('tr[data-campaign=\"camp-ads\"]')";
    browser
        .wait_for("the campaign's row", &format!("{row} !== null"))
        .await;
    browser.shot("defaults").await;
    browser
        .execute(
            &format!(
                "const r = {row}; r.querySelector('[name=videoQuality]').value = 'premium'; \
                 r.querySelector('[name=maxResolutionTier]').value = '2160p';"
            ),
            json!([]),
        )
        .await;
    browser
        .find_js(&format!("{row}.querySelector('button')"))
        .await
        .click()
        .await;
    browser
        .wait_for(
            "the save to be confirmed",
            &format!("{row}.querySelector('.result').textContent === 'Saved.'"),
        )
        .await;
    browser.shot("saved").await;
    if let Some(axe) = axe_script() {
        browser.assert_accessible(&axe, "/admin/campaigns").await;
    }
    let (_, list) = app
        .as_app_backend(Method::GET, "/api/app/campaigns", None)
        .await;
    let saved = &list["data"][0];
    assert_eq!(saved["videoQuality"], "premium", "{list}");
    assert_eq!(saved["maxResolutionTier"], "2160p", "{list}");
    assert_eq!(saved["memberIds"], json!(["creator"]), "{list}");
}
