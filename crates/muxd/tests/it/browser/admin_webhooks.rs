//! `/admin/webhooks` at work: an admin adds an endpoint pointing at a receiver in the test (a
//! URL muxd refuses first, whose reason the page shows), sees its secret once, sees the delivery
//! of an upload's `asset.ready` fail (the receiver answers 503) in the log with its attempt,
//! replays it once the receiver answers 204 and sees it delivered; then disables, enables and
//! deletes the endpoint through the confirmation dialog. axe checks the page with the secret
//! shown and with a delivery open.

use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use reqwest::Method;
use serde_json::json;

use super::axe::axe_script;
use super::driver::{Browser, Width};
use super::page::ready_video;
use super::wait::until;
use muxd_testkit::app::TestApp;

const ADMIN: Option<(&str, bool)> = Some(("hooks_admin", true));

/// The host app's receiver: answers every POST with the status it is set to, and counts them.
#[derive(Clone)]
struct Receiver {
    status: Arc<AtomicU16>,
    received: Arc<AtomicUsize>,
}

impl Receiver {
    /// Listens on a free port, answering `status`; returns it and its URL.
    async fn start(status: StatusCode) -> (Receiver, String) {
        let receiver = Receiver {
            status: Arc::new(AtomicU16::new(status.as_u16())),
            received: Arc::default(),
        };
        let router = Router::new()
            .route("/hooks", post(receive))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        (receiver, url)
    }

    fn answer(&self, status: StatusCode) {
        self.status.store(status.as_u16(), Ordering::SeqCst);
    }
}

async fn receive(State(receiver): State<Receiver>) -> StatusCode {
    receiver.received.fetch_add(1, Ordering::SeqCst);
    StatusCode::from_u16(receiver.status.load(Ordering::SeqCst)).unwrap()
}

/// A JavaScript expression: the endpoint's row, or `undefined`.
const ENDPOINT_ROW: &str = "document.querySelector('#endpoints tbody tr')";
/// A JavaScript expression: the log's first delivery row, or `null`.
const DELIVERY_ROW: &str = "document.querySelector('#deliveries tbody tr')";

impl Browser {
    /// Presses the button labelled `label` in the row `row` (a JavaScript expression).
    async fn press_in(&self, row: &str, label: &str) {
        self.find_js(&format!(
            "[...({row}).querySelectorAll('button')].find(b => b.textContent === {})",
            json!(label)
        ))
        .await
        .click()
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_admin_adds_an_endpoint_and_replays_a_failed_delivery() {
    let Some(browser) = Browser::start("admin-webhooks", Width::Desktop).await else {
        return;
    };
    let (receiver, url) = Receiver::start(StatusCode::SERVICE_UNAVAILABLE).await;
    // Private URLs allowed (the receiver is on loopback); a failed delivery waits an hour, so
    // only the replay sends it again.
    let app = TestApp::dev_with_settings(&[
        ("MUXD_WEBHOOK_ALLOW_PRIVATE_URLS", "true"),
        ("MUXD_WEBHOOK_RETRY_SCHEDULE", "1h"),
    ])
    .await;
    browser.sign_in(&app, true).await;
    browser.open_admin(&app, "/admin/webhooks").await;
    browser.shot("no-endpoints").await;

    // A URL muxd refuses: the API's reason, in words; nothing is stored.
    browser
        .find("#c-url")
        .await
        .send_keys("ftp://example.com/hooks")
        .await;
    browser
        .find("#create button[type=submit]")
        .await
        .click()
        .await;
    let refusal = browser
        .wait_for(
            "the refusal in words",
            "!document.getElementById('create-error').hidden && document.getElementById('create-error').textContent",
        )
        .await;
    assert_eq!(
        refusal,
        "Could not add the endpoint: url must be http or https, not ftp"
    );
    browser.shot("refused-url").await;

    // The receiver, for asset.ready only: the secret is shown once, and is the stored one.
    browser
        .execute("document.getElementById('c-url').value = '';", json!([]))
        .await;
    browser.find("#c-url").await.send_keys(&url).await;
    browser
        .find("input[value='asset.ready']")
        .await
        .click()
        .await;
    browser
        .find("#c-description")
        .await
        .send_keys("The test's receiver")
        .await;
    browser
        .find("#create button[type=submit]")
        .await
        .click()
        .await;
    let secret = browser
        .wait_for(
            "the secret to be shown",
            "!document.getElementById('secret').hidden && document.getElementById('secret-value').textContent",
        )
        .await;
    browser
        .wait_for("the endpoint to be listed", ENDPOINT_ROW)
        .await;
    browser.find("#copy-secret").await.click().await;
    browser
        .wait_for(
            "the copy button to say what it did",
            "document.getElementById('copy-state').textContent",
        )
        .await;
    browser.shot("secret-once").await;
    if let Some(axe) = axe_script() {
        browser
            .assert_accessible(&axe, "/admin/webhooks with a secret shown")
            .await;
    }
    let (_, endpoints) = app
        .call(Method::GET, "/api/app/webhook-endpoints", ADMIN, None)
        .await;
    let id = endpoints["data"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(endpoints["data"][0]["eventTypes"], json!(["asset.ready"]));
    let path = format!("/api/app/webhook-endpoints/{id}");
    let (_, endpoint) = app.call(Method::GET, &path, ADMIN, None).await;
    assert_eq!(endpoint["secret"], secret);

    // An upload turns READY; its delivery fails (503) and waits.
    ready_video(&app, "hooked.mp4", "tiny-2s-320x240.mp4").await;
    until("the delivery to be tried once", async || {
        let (_, log) = app
            .call(Method::GET, "/api/app/webhook-deliveries", ADMIN, None)
            .await;
        log["data"][0]["attempts"] == 1
    })
    .await;
    browser.find("#f-status").await.send_keys("pending").await;
    browser
        .find("#filters button[type=submit]")
        .await
        .click()
        .await;
    browser
        .wait_for(
            "the pending delivery to be listed",
            &format!("location.search.includes('status=pending') && ({DELIVERY_ROW})?.querySelector('.tag')?.textContent === 'pending'"),
        )
        .await;
    browser
        .find_js(&format!("({DELIVERY_ROW}).querySelector('summary')"))
        .await
        .click()
        .await;
    browser
        .wait_for(
            "the failed attempt to be shown",
            &format!(
                "({DELIVERY_ROW}).querySelector('.attempts li')?.textContent.includes('HTTP 503')"
            ),
        )
        .await;
    browser.shot("pending-503").await;
    if let Some(axe) = axe_script() {
        browser
            .assert_accessible(&axe, "/admin/webhooks with a delivery open")
            .await;
    }

    // The receiver is back: the replay delivers it.
    receiver.answer(StatusCode::NO_CONTENT);
    browser.press_in(DELIVERY_ROW, "Replay").await;
    browser
        .wait_for(
            "the replay to be delivered",
            &format!("({DELIVERY_ROW}).querySelector('.result').textContent === 'Replayed: delivered.' && ({DELIVERY_ROW}).querySelector('.tag').textContent === 'delivered'"),
        )
        .await;
    browser
        .wait_for(
            "the open details to show the replay's attempt",
            &format!("({DELIVERY_ROW}).querySelector('.attempts li:last-child')?.textContent.includes('HTTP 204')"),
        )
        .await;
    browser.shot("replayed-delivered").await;
    assert_eq!(receiver.received.load(Ordering::SeqCst), 2);

    // Disable, enable (focus stays on the button), delete through the dialog.
    browser.press_in(ENDPOINT_ROW, "Disable").await;
    browser
        .wait_for(
            "the endpoint to be disabled, focus on Enable",
            &format!("({ENDPOINT_ROW}).dataset.disabled === 'true' && document.activeElement.textContent === 'Enable'"),
        )
        .await;
    browser.shot("disabled").await;
    browser.press_in(ENDPOINT_ROW, "Enable").await;
    browser
        .wait_for(
            "the endpoint to be enabled",
            &format!("({ENDPOINT_ROW}).dataset.disabled === 'false'"),
        )
        .await;
    browser.press_in(ENDPOINT_ROW, "Delete").await;
    browser
        .wait_for(
            "the delete dialog to open",
            "document.getElementById('delete-dialog').open",
        )
        .await;
    browser.shot("delete-dialog").await;
    browser
        .find("#delete-dialog [data-confirm]")
        .await
        .click()
        .await;
    browser
        .wait_for(
            "the endpoint to be gone",
            &format!("!({ENDPOINT_ROW}) && !document.getElementById('delete-dialog').open"),
        )
        .await;
    browser.shot("deleted").await;
    let (_, endpoints) = app
        .call(Method::GET, "/api/app/webhook-endpoints", ADMIN, None)
        .await;
    assert_eq!(endpoints["data"], json!([]));
}
