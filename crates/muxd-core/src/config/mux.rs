//! How muxd reaches Mux and verifies what Mux sends: the API's base URL and token (filled by the
//! emulator in dev mode), and the webhook signing secrets, tolerance and body limit. Read as one
//! section of the settings.

use std::time::Duration;

use secrecy::SecretString;

use super::reader::{self, Reader};
use super::table;
use super::values::http_url;

/// How muxd reaches Mux. In dev mode the token fields are filled by the emulator.
#[derive(Debug, Clone)]
pub struct MuxSettings {
    pub base_url: String,
    pub token_id: String,
    pub token_secret: SecretString,
}

/// How webhooks are verified and kept.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Every secret that may have signed a webhook (rotation: old and new).
    pub secrets: Vec<SecretString>,
    pub tolerance: Duration,
    pub max_body_bytes: usize,
}

impl MuxSettings {
    /// Reads the section; the token is `required` by `muxd serve` (real Mux).
    pub(super) fn read(read: &mut Reader<'_>, required: bool) -> MuxSettings {
        let token_id = read.required(&table::MUX_TOKEN_ID, required);
        let token_secret = read.required(&table::MUX_TOKEN_SECRET, required);
        MuxSettings {
            base_url: http_url(read, &table::MUX_BASE_URL),
            token_id: token_id.unwrap_or_default(),
            token_secret: SecretString::from(token_secret.unwrap_or_default()),
        }
    }
}

impl WebhookSettings {
    /// Reads the section (`None` after recording a problem); the secret is `required` by
    /// `muxd serve`.
    pub(super) fn read(read: &mut Reader<'_>, required: bool) -> Option<WebhookSettings> {
        let secrets = read
            .required(&table::MUX_WEBHOOK_SIGNING_SECRET, required)
            .map(|list| reader::split(&list))
            .unwrap_or_default()
            .into_iter()
            .map(SecretString::from)
            .collect();
        let tolerance_secs: Option<u64> = read.parsed(&table::MUXD_WEBHOOK_TOLERANCE_SECS);
        let max_body_bytes: Option<usize> = read.parsed(&table::MUXD_WEBHOOK_MAX_BODY_BYTES);
        Some(WebhookSettings {
            secrets,
            tolerance: Duration::from_secs(tolerance_secs?),
            max_body_bytes: max_body_bytes?,
        })
    }
}
