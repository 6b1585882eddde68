//! The optional alert hook: a Slack-compatible incoming webhook that gets `{"text": "…"}` on every
//! breaker transition (the guide's "alerts on circuit breaker state changes").
//!
//! Fire-and-forget on a spawned task, with its own short timeout, and deliberately not through
//! the breaker: an alert about Mux being down must not be blocked by Mux being down.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::event::BreakerEvent;

const ALERT_TIMEOUT: Duration = Duration::from_secs(5);

/// Posts breaker transitions to a chat webhook. The URL is a secret (it authorises posting).
#[derive(Clone)]
pub struct AlertHook {
    url: SecretString,
    http: reqwest::Client,
}

impl AlertHook {
    pub fn new(url: SecretString, http: reqwest::Client) -> Self {
        Self { url, http }
    }

    /// Sends the event's description in the background; failures are logged, never returned.
    pub fn notify(&self, event: &BreakerEvent) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let request = self
            .http
            .post(self.url.expose_secret())
            .timeout(ALERT_TIMEOUT)
            .json(&serde_json::json!({ "text": format!("muxd: {}", event.describe()) }));
        runtime.spawn(async move {
            match request.send().await {
                Ok(response) if response.status().is_success() => {}
                Ok(response) => {
                    tracing::warn!(
                        alert.status = response.status().as_u16(),
                        "breaker alert refused"
                    )
                }
                Err(err) => {
                    tracing::warn!(alert.error = %err.without_url(), "breaker alert failed")
                }
            }
        });
    }
}
