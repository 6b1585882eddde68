//! Key sets (JWKS): read from a file once, or fetched from `MUXD_JWT_JWKS_URL` and held in
//! memory. A fetched set is fetched at start-up (a failure stops start-up) and held for the
//! `Cache-Control: max-age` its answer gave ([`max_age`]: clamped to 1 s to an hour; an hour
//! without one). The first token checked after that fetches it again, so a key the provider
//! revoked stops verifying. A token naming a key id the held set lacks fetches it again too: the
//! first such refetch at once, later ones at most every [`JWKS_REFETCH_INTERVAL`]. Refetches run
//! one at a time (requests that need one together wait for that one fetch and read its result).
//! A refetch replaces the set, so a key the provider dropped stops verifying; a failed one keeps
//! the held keys (a stale set is then kept for [`JWKS_REFETCH_INTERVAL`] before the next try)
//! and logs a warning.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::DecodingKey;
use reqwest::header::CACHE_CONTROL;

use super::AuthError;

/// The least time between two refetches for an unknown key id (the fetch at start-up does not
/// count, so the first unknown key id after start-up fetches at once); also how long a stale set
/// is kept after a refetch failed.
pub const JWKS_REFETCH_INTERVAL: Duration = Duration::from_secs(30);

/// How long a fetched set is held when its answer gives no `max-age`, and the longest it is held.
const LONGEST_HOLD: Duration = Duration::from_secs(3600);

/// The shortest hold, whatever the answer says (a `max-age=0` would fetch for every token).
const SHORTEST_HOLD: Duration = Duration::from_secs(1);

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

/// How long to hold a set fetched with this `Cache-Control` header: its `max-age`, between
/// [`SHORTEST_HOLD`] and [`LONGEST_HOLD`]; [`LONGEST_HOLD`] without one. Pure.
pub(super) fn max_age(cache_control: Option<&str>) -> Duration {
    cache_control
        .into_iter()
        .flat_map(|header| header.split(','))
        .find_map(|directive| {
            let (name, value) = directive.trim().split_once('=')?;
            name.eq_ignore_ascii_case("max-age")
                .then(|| value.trim().trim_matches('"').parse::<u64>().ok())
                .flatten()
        })
        .map_or(LONGEST_HOLD, |secs| {
            Duration::from_secs(secs).clamp(SHORTEST_HOLD, LONGEST_HOLD)
        })
}

/// The set held, and until when it is fresh.
pub(super) struct Held {
    keys: KeySet,
    fresh_until: Instant,
}

impl Held {
    /// A set fetched at `now`, fresh for `max_age`.
    pub(super) fn new(keys: KeySet, now: Instant, max_age: Duration) -> Held {
        Held {
            keys,
            fresh_until: now + max_age,
        }
    }

    /// Whether the set must be fetched again before a token is checked against it at `now`.
    /// Pure: the caller passes the time.
    pub(super) fn is_stale(&self, now: Instant) -> bool {
        now >= self.fresh_until
    }
}

/// When a fetched JWKS may be fetched again for an unknown key id: the first refetch at once,
/// then at most one per [`JWKS_REFETCH_INTERVAL`]. Pure: the caller passes the time.
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

/// A JWKS fetched from a URL, held, and fetched again when stale or for a key id it lacks.
pub(super) struct RemoteJwks {
    url: String,
    client: reqwest::Client,
    /// The held set; replaced whole by each refetch.
    held: RwLock<Arc<Held>>,
    /// Held across a refetch, so requests that need one together wait for one fetch.
    refetch: tokio::sync::Mutex<RefetchLimit>,
}

impl RemoteJwks {
    /// Fetches the JWKS at `url` (start-up); the error names `MUXD_JWT_JWKS_URL`.
    pub(super) async fn load(url: &str) -> anyhow::Result<RemoteJwks> {
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .build()
            .context("building the HTTP client that fetches MUXD_JWT_JWKS_URL")?;
        let held = fetch(&client, url)
            .await
            .with_context(|| format!("fetching the JWKS at MUXD_JWT_JWKS_URL {url}"))?;
        tracing::info!(url = %url, keys = held.keys.len(), "JWKS fetched");
        Ok(RemoteJwks {
            url: url.to_owned(),
            client,
            held: RwLock::new(Arc::new(held)),
            refetch: tokio::sync::Mutex::new(RefetchLimit::default()),
        })
    }

    fn held(&self) -> Arc<Held> {
        self.held
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn replace(&self, held: Held) -> Arc<Held> {
        let held = Arc::new(held);
        *self.held.write().unwrap_or_else(PoisonError::into_inner) = held.clone();
        held
    }

    /// The key for `kid`. A stale set is fetched again first; when the set lacks `kid`, it is
    /// fetched again if the [`RefetchLimit`] allows, and the key looked for in the fresh set.
    pub(super) async fn key(&self, kid: Option<&str>) -> Result<DecodingKey, AuthError> {
        let mut held = self.held();
        if held.is_stale(Instant::now()) {
            held = self.refresh(&held).await;
        }
        if let Some(key) = find(&held.keys, kid) {
            return Ok(key.clone());
        }
        let mut limit = self.refetch.lock().await;
        // While this request waited, another one's refetch may have replaced the set: its answer
        // is this request's too.
        let current = self.held();
        if !Arc::ptr_eq(&held, &current) {
            return find(&current.keys, kid)
                .cloned()
                .ok_or_else(|| unknown(kid));
        }
        if !limit.start(Instant::now()) {
            tracing::debug!(url = %self.url, ?kid, "unknown key id; the JWKS was fetched again too recently");
            return Err(unknown(kid));
        }
        match fetch(&self.client, &self.url).await {
            Ok(fetched) => {
                let held = self.replace(fetched);
                tracing::info!(url = %self.url, keys = held.keys.len(), ?kid, "JWKS fetched again for an unknown key id");
                find(&held.keys, kid).cloned().ok_or_else(|| unknown(kid))
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

    /// Fetches the stale set `stale` again (unless another request already did); a failure
    /// keeps its keys for [`JWKS_REFETCH_INTERVAL`] and logs a warning.
    async fn refresh(&self, stale: &Arc<Held>) -> Arc<Held> {
        let _one_at_a_time = self.refetch.lock().await;
        let current = self.held();
        if !Arc::ptr_eq(stale, &current) {
            return current;
        }
        match fetch(&self.client, &self.url).await {
            Ok(fetched) => {
                let held = self.replace(fetched);
                tracing::debug!(url = %self.url, keys = held.keys.len(), "JWKS fetched again: the held set was older than its max-age");
                held
            }
            Err(error) => {
                let error = format!("{error:#}");
                tracing::warn!(url = %self.url, %error, "could not fetch the stale JWKS again; keeping the keys held");
                self.replace(Held::new(
                    current.keys.clone(),
                    Instant::now(),
                    JWKS_REFETCH_INTERVAL,
                ))
            }
        }
    }
}

fn unknown(kid: Option<&str>) -> AuthError {
    AuthError(format!("unknown key id {kid:?}"))
}

/// One fetch of the JWKS at `url`: a 2xx answer holding at least one usable key, held for the
/// answer's `max-age`.
async fn fetch(client: &reqwest::Client, url: &str) -> anyhow::Result<Held> {
    let mut response = client.get(url).send().await?.error_for_status()?;
    let max_age = max_age(
        response
            .headers()
            .get(CACHE_CONTROL)
            .and_then(|value| value.to_str().ok()),
    );
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
    Ok(Held::new(keys, Instant::now(), max_age))
}
