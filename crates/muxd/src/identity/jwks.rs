//! Key sets (JWKS): read from a file once, or fetched from `MUXD_JWT_JWKS_URL` and held in
//! memory. A fetched set is fetched at start-up (a failure stops start-up) and again when a token
//! names a key id the held set lacks: the first such refetch at once, later ones at most every
//! [`JWKS_REFETCH_INTERVAL`], one at a time (requests that miss together wait for that one
//! fetch and read its result). A refetch replaces the set, so a key the provider dropped stops
//! verifying; a failed one keeps the held keys, refuses the token and logs a warning.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::DecodingKey;

use super::AuthError;

/// The least time between two refetches of a JWKS URL (the fetch at start-up does not count, so
/// the first unknown key id after start-up fetches at once).
pub const JWKS_REFETCH_INTERVAL: Duration = Duration::from_secs(30);

/// How long one fetch of the JWKS may take, the one at start-up included.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest JWKS document accepted.
const MAX_JWKS_BYTES: usize = 1 << 20;

/// Decoding keys by key id (`kid`), in the JWKS's order.
pub(super) type KeySet = Vec<(Option<String>, DecodingKey)>;

/// The decoding keys of a JWKS document.
pub(super) fn key_set(set: &JwkSet) -> Result<KeySet, jsonwebtoken::errors::Error> {
    set.keys
        .iter()
        .map(|jwk| Ok((jwk.common.key_id.clone(), DecodingKey::from_jwk(jwk)?)))
        .collect()
}

/// The key for a token's `kid`: the key with that id, or the first key when the token names none.
pub(super) fn find<'k>(keys: &'k KeySet, kid: Option<&str>) -> Option<&'k DecodingKey> {
    keys.iter()
        .find(|(id, _)| kid.is_none() || id.as_deref() == kid)
        .map(|(_, key)| key)
}

/// When a fetched JWKS may be fetched again: the first refetch at once, then at most one per
/// [`JWKS_REFETCH_INTERVAL`]. Pure: the caller passes the time.
#[derive(Debug, Default)]
pub(super) struct RefetchLimit {
    /// When the last refetch started (`None`: none since start-up).
    last: Option<Instant>,
}

impl RefetchLimit {
    /// Whether a refetch may start at `now`; if it may, it counts as started.
    pub(super) fn start(&mut self, now: Instant) -> bool {
        let allowed = self
            .last
            .is_none_or(|last| now.saturating_duration_since(last) >= JWKS_REFETCH_INTERVAL);
        if allowed {
            self.last = Some(now);
        }
        allowed
    }
}

/// A JWKS fetched from a URL, held, and fetched again for a key id it lacks.
pub(super) struct RemoteJwks {
    url: String,
    client: reqwest::Client,
    /// The held set; replaced whole by a successful refetch.
    keys: RwLock<Arc<KeySet>>,
    /// Held across a refetch, so requests that miss together wait for one fetch.
    refetch: tokio::sync::Mutex<RefetchLimit>,
}

impl RemoteJwks {
    /// Fetches the JWKS at `url` (start-up); the error names `MUXD_JWT_JWKS_URL`.
    pub(super) async fn load(url: &str) -> anyhow::Result<RemoteJwks> {
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .build()
            .context("building the HTTP client that fetches MUXD_JWT_JWKS_URL")?;
        let keys = fetch(&client, url)
            .await
            .with_context(|| format!("fetching the JWKS at MUXD_JWT_JWKS_URL {url}"))?;
        tracing::info!(url = %url, keys = keys.len(), "JWKS fetched");
        Ok(RemoteJwks {
            url: url.to_owned(),
            client,
            keys: RwLock::new(Arc::new(keys)),
            refetch: tokio::sync::Mutex::new(RefetchLimit::default()),
        })
    }

    fn held(&self) -> Arc<KeySet> {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The key for `kid`; when the held set lacks it, fetches the JWKS again if the
    /// [`RefetchLimit`] allows, and looks in the fresh set.
    pub(super) async fn key(&self, kid: Option<&str>) -> Result<DecodingKey, AuthError> {
        let held = self.held();
        if let Some(key) = find(&held, kid) {
            return Ok(key.clone());
        }
        let mut limit = self.refetch.lock().await;
        // While this request waited, another one's refetch may have replaced the set: its answer
        // is this request's too.
        let current = self.held();
        if !Arc::ptr_eq(&held, &current) {
            return find(&current, kid).cloned().ok_or_else(|| unknown(kid));
        }
        if !limit.start(Instant::now()) {
            tracing::debug!(url = %self.url, ?kid, "unknown key id; the JWKS was fetched again too recently");
            return Err(unknown(kid));
        }
        match fetch(&self.client, &self.url).await {
            Ok(keys) => {
                let keys = Arc::new(keys);
                *self.keys.write().unwrap_or_else(PoisonError::into_inner) = keys.clone();
                tracing::info!(url = %self.url, keys = keys.len(), ?kid, "JWKS fetched again for an unknown key id");
                find(&keys, kid).cloned().ok_or_else(|| unknown(kid))
            }
            Err(error) => {
                let error = format!("{error:#}");
                tracing::warn!(url = %self.url, %error, "could not fetch the JWKS again; keeping the keys held");
                Err(AuthError(format!(
                    "unknown key id {kid:?}; fetching the JWKS failed: {error}"
                )))
            }
        }
    }
}

fn unknown(kid: Option<&str>) -> AuthError {
    AuthError(format!("unknown key id {kid:?}"))
}

/// One fetch of the JWKS at `url`: a 2xx answer holding at least one usable key.
async fn fetch(client: &reqwest::Client, url: &str) -> anyhow::Result<KeySet> {
    let mut response = client.get(url).send().await?.error_for_status()?;
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        body.extend_from_slice(&chunk);
        anyhow::ensure!(
            body.len() <= MAX_JWKS_BYTES,
            "the answer is larger than {MAX_JWKS_BYTES} bytes"
        );
    }
    let set: JwkSet = serde_json::from_slice(&body).context("the answer is not a JWKS document")?;
    let keys = key_set(&set).context("the JWKS holds a key muxd cannot use")?;
    anyhow::ensure!(!keys.is_empty(), "the JWKS holds no keys");
    Ok(keys)
}
