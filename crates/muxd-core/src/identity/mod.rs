//! Who is calling: bearer tokens (JWT) from the app's identity provider, checked with a shared
//! HS256 secret, an RS256 PEM key, or a JWKS (e.g. Clerk's). Strict by default: a token must name
//! the configured issuer (`iss`) and audience (`aud`) unless that setting is `*` (warned about
//! when the identity is built); `exp` is required and `exp`/`nbf` are checked with [`LEEWAY`]; a
//! token naming an authorized party (`azp`, Clerk's page origin) must name one of
//! `MUXD_CORS_ORIGINS` when any are set. The token's `sub` is the external user id. Admins are
//! the ids in `MUXD_ADMIN_IDS`, and holders of the claim `MUXD_ADMIN_CLAIM` names, if set; no
//! claim is trusted otherwise. A verified [`Principal`] carries its `exp`, so a live stream ends
//! with its credential. `muxd dev` uses [`Identity::dev`], which also signs (and trusts
//! `role=admin`, the claim it signs for its demo admin).
//!
//! One key source is used, the first configured of: `MUXD_JWT_JWKS_URL`, `MUXD_JWT_JWKS_FILE`,
//! `MUXD_JWT_PUBLIC_KEY_FILE`, `MUXD_JWT_HS256_SECRET`. A JWKS file is read once. A JWKS URL is
//! fetched at start-up ([`Identity::from_settings`] fails, naming the setting, if it cannot be
//! within 10 s) and held in memory for the `max-age` its answer gives (see `jwks.rs`), then
//! fetched again by the next token checked, so a key the provider revokes stops verifying. A
//! token naming a key id the held set lacks fetches it again too (the first time at once, then
//! at most every [`JWKS_REFETCH_INTERVAL`], one fetch however many requests miss together), so a
//! key rotation needs no restart. A failed refetch keeps the held keys and is logged at warn.

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use secrecy::ExposeSecret;
use serde_json::{json, Map, Value};

use crate::config::{Accepted, AdminClaim, IdentitySettings};
use muxd_domain::ExternalUserId;

pub use jwks::JWKS_REFETCH_INTERVAL;
use jwks::{find, key_set, KeySet, RemoteJwks};

/// The issuer of the tokens `muxd dev` signs for its demo users.
pub const DEV_ISSUER: &str = "muxd-dev";
/// The audience of the tokens `muxd dev` signs (a `muxd serve` that accepts them, as tests run
/// it, sets `MUXD_JWT_ISSUER` and `MUXD_JWT_AUDIENCE` to these).
pub const DEV_AUDIENCE: &str = "muxd-dev";

/// The clock skew allowed between muxd and the identity provider on `exp` and `nbf`.
pub const LEEWAY: Duration = Duration::from_secs(30);

/// The latest `exp` a [`Principal`] carries (9999-12-31): `SystemTime` cannot hold every number
/// a token may name.
const LATEST_EXP_SECS: f64 = 253_402_300_799.0;

/// A verified caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub external_id: ExternalUserId,
    pub admin: bool,
    /// When the credential expires (its `exp`).
    pub expires_at: SystemTime,
}

/// Why a token was refused (always a 401; the detail is only logged).
#[derive(Debug, thiserror::Error)]
#[error("invalid bearer token: {0}")]
pub struct AuthError(pub String);

enum Keys {
    Single(DecodingKey),
    /// A JWKS file's keys.
    Set(KeySet),
    /// A JWKS URL's keys, fetched again when stale or for an unknown key id.
    Fetched(RemoteJwks),
}

/// Checks (and in dev, signs) bearer tokens.
pub struct Identity {
    keys: Keys,
    validation: Validation,
    admin_ids: HashSet<String>,
    admin_claim: Option<AdminClaim>,
    /// The `azp` values accepted (empty: any).
    authorized_parties: Vec<String>,
    signer: Option<EncodingKey>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("algorithms", &self.validation.algorithms)
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// Builds the verifier `muxd serve` uses; with `MUXD_JWT_JWKS_URL`, fetches the JWKS first.
    /// The issuer and audience must be set (`*` for any, logged as a warning).
    pub async fn from_settings(settings: &IdentitySettings) -> anyhow::Result<Identity> {
        let issuer = settings.issuer.as_ref().context(
            "MUXD_JWT_ISSUER is not set: set it to the issuer your identity provider puts in `iss`",
        )?;
        let audience = settings.audience.as_ref().context(
            "MUXD_JWT_AUDIENCE is not set: set it to the audience your identity provider puts in `aud`",
        )?;
        let (keys, algorithm) = if let Some(url) = &settings.jwks_url {
            (
                Keys::Fetched(RemoteJwks::load(url).await?),
                Algorithm::RS256,
            )
        } else if let Some(path) = &settings.jwks_file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading MUXD_JWT_JWKS_FILE {path}"))?;
            let set: JwkSet = serde_json::from_str(&text)
                .with_context(|| format!("{path} is not a JWKS document"))?;
            let keys =
                key_set(&set).with_context(|| format!("{path} holds a key muxd cannot use"))?;
            (Keys::Set(keys), Algorithm::RS256)
        } else if let Some(path) = &settings.public_key_file {
            let pem = std::fs::read(path)
                .with_context(|| format!("reading MUXD_JWT_PUBLIC_KEY_FILE {path}"))?;
            let key = DecodingKey::from_rsa_pem(&pem)
                .with_context(|| format!("{path} is not a PEM RSA public key"))?;
            (Keys::Single(key), Algorithm::RS256)
        } else if let Some(secret) = &settings.hs256_secret {
            (
                Keys::Single(DecodingKey::from_secret(secret.expose_secret().as_bytes())),
                Algorithm::HS256,
            )
        } else {
            anyhow::bail!("no JWT key configured (MUXD_JWT_JWKS_URL, MUXD_JWT_JWKS_FILE, MUXD_JWT_PUBLIC_KEY_FILE or MUXD_JWT_HS256_SECRET)");
        };
        if *issuer == Accepted::Any {
            tracing::warn!("MUXD_JWT_ISSUER is `*`: bearer tokens from any issuer the key signs for are accepted; set it to your identity provider's issuer");
        }
        if *audience == Accepted::Any {
            tracing::warn!("MUXD_JWT_AUDIENCE is `*`: bearer tokens minted for any service are accepted; set it to the audience your identity provider puts in `aud` for muxd");
        }
        Ok(Identity {
            keys,
            validation: validation(algorithm, issuer, audience),
            admin_ids: settings.admin_ids.iter().cloned().collect(),
            admin_claim: settings.admin_claim.clone(),
            authorized_parties: settings.authorized_parties.clone(),
            signer: None,
        })
    }

    /// A verifier that also signs: `muxd dev` and tests sign in demo users with it. Its tokens
    /// name [`DEV_ISSUER`] and [`DEV_AUDIENCE`]; an admin's carry `role: "admin"`, trusted here.
    pub fn dev(secret: &[u8]) -> Identity {
        let dev = |value: &str| Accepted::Only(value.to_owned());
        Identity {
            keys: Keys::Single(DecodingKey::from_secret(secret)),
            validation: validation(Algorithm::HS256, &dev(DEV_ISSUER), &dev(DEV_AUDIENCE)),
            admin_ids: HashSet::new(),
            admin_claim: Some(AdminClaim {
                name: "role".into(),
                value: "admin".into(),
            }),
            authorized_parties: Vec::new(),
            signer: Some(EncodingKey::from_secret(secret)),
        }
    }

    /// Verifies a token and says who it is. Only a JWKS URL awaits anything (a refetch of a
    /// stale set, or for an unknown key id; see the module docs).
    pub async fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        let fetched;
        let key = match &self.keys {
            Keys::Single(key) => key,
            Keys::Set(keys) => find(keys, key_id(token)?.as_deref())
                .ok_or_else(|| AuthError("unknown key id".into()))?,
            Keys::Fetched(jwks) => {
                fetched = jwks.key(key_id(token)?.as_deref()).await?;
                &fetched
            }
        };
        let claims = decode::<Map<String, Value>>(token, key, &self.validation)
            .map_err(|e| AuthError(e.to_string()))?
            .claims;
        let sub = claims
            .get("sub")
            .and_then(Value::as_str)
            .ok_or_else(|| AuthError("no sub".into()))?;
        let external_id = ExternalUserId::parse(sub).ok_or_else(|| {
            AuthError("sub is not a user id (empty, too long or not text)".into())
        })?;
        if let Some(azp) = claims.get("azp") {
            let allowed = self.authorized_parties.is_empty()
                || azp
                    .as_str()
                    .is_some_and(|azp| self.authorized_parties.iter().any(|o| o == azp));
            if !allowed {
                return Err(AuthError(format!(
                    "azp {azp} is not one of MUXD_CORS_ORIGINS"
                )));
            }
        }
        // `exp` is required and numeric: the validation above refused a token without one.
        let exp = claims
            .get("exp")
            .and_then(Value::as_f64)
            .unwrap_or(0.0)
            .clamp(0.0, LATEST_EXP_SECS);
        let admin = self.admin_ids.contains(&*external_id)
            || self
                .admin_claim
                .as_ref()
                .is_some_and(|claim| holds(&claims, claim));
        Ok(Principal {
            external_id,
            admin,
            expires_at: UNIX_EPOCH + Duration::from_secs_f64(exp),
        })
    }

    /// Signs a token for `external_id` valid for `ttl_secs` (only on a dev identity).
    pub fn sign(&self, external_id: &str, admin: bool, ttl_secs: u64) -> Option<String> {
        let signer = self.signer.as_ref()?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut claims = json!({
            "sub": external_id,
            "exp": now + ttl_secs,
            "iss": DEV_ISSUER,
            "aud": DEV_AUDIENCE,
        });
        if admin {
            claims["role"] = "admin".into();
        }
        encode(&Header::new(Algorithm::HS256), &claims, signer).ok()
    }
}

/// What a token must be: signed with `algorithm`, `exp` required, `exp` and `nbf` checked with
/// [`LEEWAY`], and the issuer and audience required unless accepted as any.
fn validation(algorithm: Algorithm, issuer: &Accepted, audience: &Accepted) -> Validation {
    let mut validation = Validation::new(algorithm);
    validation.leeway = LEEWAY.as_secs();
    validation.validate_exp = true;
    validation.validate_nbf = true;
    validation.required_spec_claims = HashSet::from(["exp".to_owned()]);
    match issuer {
        Accepted::Any => validation.iss = None,
        Accepted::Only(issuer) => {
            validation.set_issuer(&[issuer]);
            validation.required_spec_claims.insert("iss".into());
        }
    }
    match audience {
        Accepted::Any => validation.validate_aud = false,
        Accepted::Only(audience) => {
            validation.set_audience(&[audience]);
            validation.required_spec_claims.insert("aud".into());
        }
    }
    validation
}

/// Whether `claims` hold the admin claim: a string equal to its value, or an array holding it.
fn holds(claims: &Map<String, Value>, claim: &AdminClaim) -> bool {
    match claims.get(&claim.name) {
        Some(Value::String(value)) => *value == claim.value,
        Some(Value::Array(values)) => values.iter().any(|v| v.as_str() == Some(&claim.value)),
        _ => false,
    }
}

/// The key id (`kid`) a token's header names.
fn key_id(token: &str) -> Result<Option<String>, AuthError> {
    Ok(decode_header(token)
        .map_err(|e| AuthError(e.to_string()))?
        .kid)
}

mod jwks;

#[cfg(test)]
mod tests;
