//! Who is calling: bearer tokens (JWT) from the app's identity provider, checked with a shared
//! HS256 secret, an RS256 PEM key, or a JWKS (e.g. Clerk's), with issuer and audience when
//! configured. The token's `sub` is the external user id; a `role: "admin"` claim (or membership
//! in `MUXD_ADMIN_IDS`) makes an admin. `muxd dev` uses [`Identity::dev`], which also signs.
//!
//! One key source is used, the first configured of: `MUXD_JWT_JWKS_URL`, `MUXD_JWT_JWKS_FILE`,
//! `MUXD_JWT_PUBLIC_KEY_FILE`, `MUXD_JWT_HS256_SECRET`. A JWKS file is read once. A JWKS URL is
//! fetched at start-up ([`Identity::from_settings`] fails, naming the setting, if it cannot be
//! within 10 s) and held in memory; a token naming a key id the held set lacks fetches it again
//! (the first time at once, then at most every [`JWKS_REFETCH_INTERVAL`], one fetch however many
//! requests miss together) and is checked against the fresh set, which replaces the held one. So
//! a key rotation at the provider needs no restart, and a key it drops stops verifying. A failed
//! refetch keeps the held keys, refuses the token and is logged at warn with the URL (`jwks.rs`).

use std::collections::HashSet;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use crate::config::IdentitySettings;

pub use jwks::JWKS_REFETCH_INTERVAL;
use jwks::{find, key_set, KeySet, RemoteJwks};

/// The issuer of the tokens `muxd dev` signs for its demo users.
pub const DEV_ISSUER: &str = "muxd-dev";

/// A verified caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub external_id: String,
    pub admin: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    iss: Option<String>,
}

/// Why a token was refused (always a 401; the detail is only logged).
#[derive(Debug, thiserror::Error)]
#[error("invalid bearer token: {0}")]
pub struct AuthError(pub String);

enum Keys {
    Single(DecodingKey),
    /// A JWKS file's keys.
    Set(KeySet),
    /// A JWKS URL's keys, fetched again for an unknown key id.
    Fetched(RemoteJwks),
}

/// Checks (and in dev, signs) bearer tokens.
pub struct Identity {
    keys: Keys,
    validation: Validation,
    admin_ids: HashSet<String>,
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
    pub async fn from_settings(settings: &IdentitySettings) -> anyhow::Result<Identity> {
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
        let mut validation = Validation::new(algorithm);
        match &settings.issuer {
            Some(issuer) => validation.set_issuer(&[issuer]),
            None => validation.iss = None,
        }
        match &settings.audience {
            Some(audience) => validation.set_audience(&[audience]),
            None => validation.validate_aud = false,
        }
        Ok(Identity {
            keys,
            validation,
            admin_ids: settings.admin_ids.iter().cloned().collect(),
            signer: None,
        })
    }

    /// A verifier that also signs: `muxd dev` and tests sign in demo users with it.
    pub fn dev(secret: &[u8]) -> Identity {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[DEV_ISSUER]);
        validation.validate_aud = false;
        Identity {
            keys: Keys::Single(DecodingKey::from_secret(secret)),
            validation,
            admin_ids: HashSet::new(),
            signer: Some(EncodingKey::from_secret(secret)),
        }
    }

    /// Verifies a token and says who it is. Only a JWKS URL's unknown key id awaits anything
    /// (a refetch; see the module docs).
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
        let claims = decode::<Claims>(token, key, &self.validation)
            .map_err(|e| AuthError(e.to_string()))?
            .claims;
        if claims.sub.is_empty() {
            return Err(AuthError("empty sub".into()));
        }
        let admin = claims.role.as_deref() == Some("admin") || self.admin_ids.contains(&claims.sub);
        Ok(Principal {
            external_id: claims.sub,
            admin,
        })
    }

    /// Signs a token for `external_id` valid for `ttl_secs` (only on a dev identity).
    pub fn sign(&self, external_id: &str, admin: bool, ttl_secs: u64) -> Option<String> {
        let signer = self.signer.as_ref()?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let claims = Claims {
            sub: external_id.to_owned(),
            exp: now + ttl_secs,
            role: admin.then(|| "admin".to_owned()),
            iss: Some(DEV_ISSUER.to_owned()),
        };
        encode(&Header::new(Algorithm::HS256), &claims, signer).ok()
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
