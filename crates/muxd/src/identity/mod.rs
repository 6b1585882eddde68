//! Who is calling: bearer tokens (JWT) from the app's identity provider, checked with a shared
//! HS256 secret, an RS256 PEM key, or a JWKS file (e.g. Clerk's), with issuer and audience when
//! configured. The token's `sub` is the external user id; a `role: "admin"` claim (or membership
//! in `MUXD_ADMIN_IDS`) makes an admin. `muxd dev` uses [`Identity::dev`], which also signs.

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
    Set(Vec<(Option<String>, DecodingKey)>),
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
    /// Builds the verifier `muxd serve` uses.
    pub fn from_settings(settings: &IdentitySettings) -> anyhow::Result<Identity> {
        let (keys, algorithm) = if let Some(path) = &settings.jwks_file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading MUXD_JWT_JWKS_FILE {path}"))?;
            let set: JwkSet = serde_json::from_str(&text)
                .with_context(|| format!("{path} is not a JWKS document"))?;
            let keys = set
                .keys
                .iter()
                .map(|jwk| Ok((jwk.common.key_id.clone(), DecodingKey::from_jwk(jwk)?)))
                .collect::<Result<Vec<_>, jsonwebtoken::errors::Error>>()
                .with_context(|| format!("{path} holds a key muxd cannot use"))?;
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
            anyhow::bail!("no JWT key configured (MUXD_JWT_JWKS_FILE, MUXD_JWT_PUBLIC_KEY_FILE or MUXD_JWT_HS256_SECRET)");
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

    /// Verifies a token and says who it is.
    pub fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        let key = match &self.keys {
            Keys::Single(key) => key,
            Keys::Set(keys) => {
                let kid = decode_header(token)
                    .map_err(|e| AuthError(e.to_string()))?
                    .kid;
                keys.iter()
                    .find(|(id, _)| kid.is_none() || *id == kid)
                    .map(|(_, key)| key)
                    .ok_or_else(|| AuthError("unknown key id".into()))?
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

    /// Whether this identity signs its own session tokens (`muxd dev`): only then does muxd
    /// accept a token from its session cookie, which nothing else sets.
    pub fn issues_sessions(&self) -> bool {
        self.signer.is_some()
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

#[cfg(test)]
mod tests;
