//! The identity settings: how bearer tokens are checked. Strict by default: `muxd serve` needs
//! the issuer and audience it accepts (`*` accepts any, and is warned about), an HS256 secret of
//! at least [`MIN_HS256_SECRET_BYTES`], a JWKS URL over https (plain http only on this machine),
//! and makes admins only of `MUXD_ADMIN_IDS` unless `MUXD_ADMIN_CLAIM` names a claim to trust.

use secrecy::{ExposeSecret, SecretString};

use super::reader::Reader;
use super::{http_url, table};
use muxd_domain::loopback::is_loopback_host;

/// The shortest HS256 secret accepted: as long as the hash (RFC 7518 §3.2).
pub const MIN_HS256_SECRET_BYTES: usize = 32;

/// How bearer tokens are checked. In dev mode muxd signs its own HS256 tokens.
#[derive(Debug, Clone, Default)]
pub struct IdentitySettings {
    pub hs256_secret: Option<SecretString>,
    pub public_key_file: Option<String>,
    pub jwks_file: Option<String>,
    /// Where the JWKS is fetched from (held for its `max-age`; fetched again for an unknown key id).
    pub jwks_url: Option<String>,
    /// The `iss` accepted (required by `serve`).
    pub issuer: Option<Accepted>,
    /// The `aud` accepted (required by `serve`).
    pub audience: Option<Accepted>,
    pub admin_ids: Vec<String>,
    /// A claim that makes its holder an admin (`MUXD_ADMIN_CLAIM`); none trusted by default.
    pub admin_claim: Option<AdminClaim>,
    /// The `azp` values accepted when a token carries one: `MUXD_CORS_ORIGINS` (none: any).
    pub authorized_parties: Vec<String>,
}

/// Which value of a claim (`iss`, `aud`) is accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// `*`: any value, or none (a deployment that truly accepts every token its key signs).
    Any,
    /// Exactly this value (for `aud`: a token's audiences must include it).
    Only(String),
}

/// A claim trusted to make an admin: `name=value`, matched by a string claim equal to `value`
/// or an array claim containing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminClaim {
    pub name: String,
    pub value: String,
}

impl AdminClaim {
    /// Parses `name=value` (both non-empty, trimmed).
    pub fn parse(text: &str) -> Option<AdminClaim> {
        let (name, value) = text.split_once('=')?;
        let (name, value) = (name.trim(), value.trim());
        (!name.is_empty() && !value.is_empty()).then(|| AdminClaim {
            name: name.to_owned(),
            value: value.to_owned(),
        })
    }
}

/// Reads the identity settings; `serve` requires a key, the issuer and the audience.
pub(super) fn read(read: &mut Reader<'_>, serve: bool) -> IdentitySettings {
    let hs256_secret = read
        .optional(&table::MUXD_JWT_HS256_SECRET)
        .map(SecretString::from);
    if let Some(secret) = &hs256_secret {
        let bytes = secret.expose_secret().len();
        if bytes < MIN_HS256_SECRET_BYTES {
            read.problem(
                &table::MUXD_JWT_HS256_SECRET,
                format!("the secret is {bytes} bytes; at least {MIN_HS256_SECRET_BYTES} are needed, else tokens can be forged by guessing it"),
                "set MUXD_JWT_HS256_SECRET to at least 32 random bytes, e.g. the output of `openssl rand -hex 32` (and sign the app's tokens with it)".into(),
            );
        }
    }
    let jwks_url = read
        .optional(&table::MUXD_JWT_JWKS_URL)
        .map(|_| http_url(read, &table::MUXD_JWT_JWKS_URL));
    if let Some(url) = &jwks_url {
        if !is_https_or_loopback(url) {
            read.problem(
                &table::MUXD_JWT_JWKS_URL,
                format!("{url:?} is not https, so anyone on the way could swap the keys"),
                table::MUXD_JWT_JWKS_URL.expected.into(),
            );
        }
    }
    let public_key_file = read.optional(&table::MUXD_JWT_PUBLIC_KEY_FILE);
    let jwks_file = read.optional(&table::MUXD_JWT_JWKS_FILE);
    if serve
        && hs256_secret.is_none()
        && public_key_file.is_none()
        && jwks_file.is_none()
        && jwks_url.is_none()
    {
        read.problem(
            &table::MUXD_JWT_HS256_SECRET,
            "no way to check bearer tokens is configured".into(),
            table::MUXD_JWT_HS256_SECRET.expected.into(),
        );
    }
    let issuer = accepted(read, &table::MUXD_JWT_ISSUER, serve);
    let audience = accepted(read, &table::MUXD_JWT_AUDIENCE, serve);
    let admin_ids = read.list(&table::MUXD_ADMIN_IDS);
    let admin_claim =
        read.optional(&table::MUXD_ADMIN_CLAIM)
            .and_then(|text| match AdminClaim::parse(&text) {
                Some(claim) => Some(claim),
                None => {
                    read.problem(
                        &table::MUXD_ADMIN_CLAIM,
                        format!("{text:?} is not `name=value`"),
                        table::MUXD_ADMIN_CLAIM.expected.into(),
                    );
                    None
                }
            });
    IdentitySettings {
        hs256_secret,
        public_key_file,
        jwks_file,
        jwks_url,
        issuer,
        audience,
        admin_ids,
        admin_claim,
        authorized_parties: Vec::new(),
    }
}

/// An accepted claim value: `*` is any; missing is a problem when `required`.
fn accepted(read: &mut Reader<'_>, setting: &table::Setting, required: bool) -> Option<Accepted> {
    read.required(setting, required)
        .map(|value| match value.as_str() {
            "*" => Accepted::Any,
            _ => Accepted::Only(value),
        })
}

/// Whether a JWKS may be fetched from `url`: https, or plain http to this machine.
fn is_https_or_loopback(url: &str) -> bool {
    match reqwest::Url::parse(url) {
        Ok(url) if url.scheme() == "https" => true,
        Ok(url) => url.host_str().is_some_and(is_loopback_host),
        Err(_) => false,
    }
}
