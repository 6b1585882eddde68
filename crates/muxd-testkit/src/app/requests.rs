//! `TestApp`'s requests: one helper per muxd endpoint a test calls (as a signed-in user, an
//! admin, anonymous or Mux), so a test reads as the calls a client would make.

use std::time::Duration;

use muxd_domain::signature;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{TestApp, SIGNING_SECRET};

impl TestApp {
    /// A bearer token for `external_id`.
    pub fn token(&self, external_id: &str, admin: bool) -> String {
        self.identity.sign(external_id, admin, 3600).unwrap()
    }

    /// Sends a JSON request as `who` (an external id; `None` = anonymous).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        who: Option<(&str, bool)>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let token = who.map(|(id, admin)| self.token(id, admin));
        self.send(method, path, token.as_deref(), body).await
    }

    /// Sends a JSON request with bearer token `token` (one `TestApp::token` did not sign, e.g. an
    /// identity provider's).
    pub async fn call_as(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.send(method, path, Some(token), body).await
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("muxd answers");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Sends a JSON request as the host app's backend (an admin token).
    pub async fn as_app_backend(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.call(method, path, Some(("app_backend", true)), body)
            .await
    }

    /// Creates an upload for `owner`; returns (row id, upload URL).
    pub async fn create_upload(&self, owner: &str, name: &str) -> (String, String) {
        let (status, body) = self
            .call(
                Method::POST,
                "/api/mux/create-video-upload",
                Some((owner, false)),
                Some(json!({"name": name, "fileType": "video/mp4", "fileSize": 1024})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (
            body["id"].as_str().unwrap().to_owned(),
            body["url"].as_str().unwrap().to_owned(),
        )
    }

    /// Posts a webhook body with an explicit `mux-signature` header (or none).
    pub async fn post_webhook(&self, body: &[u8], header: Option<&str>) -> StatusCode {
        let mut request = self
            .http
            .post(format!("{}/api/webhooks/mux", self.base))
            .body(body.to_vec());
        if let Some(header) = header {
            request = request.header("mux-signature", header);
        }
        request.send().await.expect("muxd answers").status()
    }

    /// Posts a webhook correctly signed now.
    pub async fn post_signed(&self, body: &[u8]) -> StatusCode {
        let t = now_secs();
        self.post_webhook(
            body,
            Some(&format!(
                "t={t},v1={}",
                signature::sign(SIGNING_SECRET.as_bytes(), t, body)
            )),
        )
        .await
    }

    /// Polls the owner's view of asset `id` until `done(status)` or 30 s pass.
    pub async fn wait_for(&self, owner: &str, id: &str, done: impl Fn(&str) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let (_, asset) = self
                .call(
                    Method::GET,
                    &format!("/api/creative-assets/{id}"),
                    Some((owner, false)),
                    None,
                )
                .await;
            if asset["status"].as_str().is_some_and(&done) || tokio::time::Instant::now() > deadline
            {
                return asset;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the owner's view of asset `id` offers its MP4 (Mux says the rendition is
    /// ready moments after the asset) and returns that view.
    pub async fn wait_for_mp4(&self, owner: &str, id: &str) -> Value {
        let path = format!("/api/creative-assets/{id}");
        let mut asset = Value::Null;
        crate::databases::eventually("the MP4 rendition offered", async || {
            asset = self
                .call(Method::GET, &path, Some((owner, false)), None)
                .await
                .1;
            asset["mp4Url"].is_string()
        })
        .await;
        asset
    }

    /// Adds an emulator API fault rule through its control API (as another team's test would).
    pub async fn add_fault(&self, rule: Value) {
        let url = format!("{}/_emulator/faults/api", self.emulator.base_url());
        let response = self.http.post(url).json(&rule).send().await.unwrap();
        assert!(
            response.status().is_success(),
            "{}",
            response.text().await.unwrap()
        );
    }

    /// `GET /metrics` as text.
    pub async fn metrics(&self) -> String {
        let url = format!("{}/metrics", self.base);
        self.http
            .get(url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// `GET /api/health/mux-system` as JSON.
    pub async fn health(&self) -> Value {
        let url = format!("{}/api/health/mux-system", self.base);
        self.http
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// How many webhook events are stored.
    pub async fn stored_events(&self) -> i64 {
        crate::databases::count(&self.store, "SELECT COUNT(*) FROM webhook_events").await
    }
}

/// Now, in the whole Unix seconds a webhook signature carries.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
