//! Tokens for signed playback ids (docs/mux-facts.md §4.4), checked as Mux documents them: a JWT signed
//! RS256 with a signing key of the System API, naming the key in its header's `kid` (the
//! official Node SDK puts `kid` in the claims instead, which is accepted too), with `sub` = the
//! playback id, `aud` = what is asked for (`v` video, `t` thumbnail, `g` animated GIF, `s`
//! storyboard) and `exp` in the future by the emulator's clock, so tests expire tokens by
//! advancing it. A deleted key's tokens stop working.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;

use crate::state::Emulator;

/// What a request fetches, and so which `aud` its token must carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Video,
    Thumbnail,
    Gif,
    Storyboard,
}

impl Audience {
    fn claim(self) -> &'static str {
        match self {
            Audience::Video => "v",
            Audience::Thumbnail => "t",
            Audience::Gif => "g",
            Audience::Storyboard => "s",
        }
    }
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self {
            Audience::Video => "video",
            Audience::Thumbnail => "thumbnail",
            Audience::Gif => "animated GIF",
            Audience::Storyboard => "storyboard",
        };
        write!(f, "\"{}\" ({what})", self.claim())
    }
}

/// Why a token does not open a signed playback id; the message is the 403's.
#[derive(Debug, thiserror::Error)]
pub enum Denied {
    #[error("This playback id is signed: a token is required (?token=<JWT>)")]
    MissingToken,
    #[error("The token is not a well-formed JWT")]
    Malformed,
    #[error("The token must be signed with RS256, not {0:?}")]
    WrongAlgorithm(Algorithm),
    #[error("The token names no signing key (kid)")]
    NoKeyId,
    #[error("The token's signing key {0} does not exist (or was deleted)")]
    UnknownKey(String),
    #[error("The token's signature does not verify with signing key {0}")]
    BadSignature(String),
    #[error("The token is for another playback id (sub {0:?})")]
    WrongPlaybackId(Option<String>),
    #[error("The token's audience is {got}, but this request needs {expected}")]
    WrongAudience { expected: Audience, got: Value },
    #[error("The token has no exp")]
    NoExpiry,
    #[error("The token expired at {0} (the emulator's clock says {1})")]
    Expired(f64, u64),
}

/// The claims the check reads; others (e.g. `playback_restriction_id`) are ignored.
#[derive(Deserialize)]
struct Claims {
    sub: Option<String>,
    #[serde(default)]
    aud: Value,
    exp: Option<f64>,
    kid: Option<String>,
}

/// Whether `token` opens `playback_id` for `audience` now.
pub fn check(
    emu: &Emulator,
    playback_id: &str,
    audience: Audience,
    token: Option<&str>,
) -> Result<(), Denied> {
    let token = token.ok_or(Denied::MissingToken)?;
    let header = jsonwebtoken::decode_header(token).map_err(|_| Denied::Malformed)?;
    if header.alg != Algorithm::RS256 {
        return Err(Denied::WrongAlgorithm(header.alg));
    }
    let claims = unverified_claims(token)?;
    let kid = header
        .kid
        .or_else(|| claims.kid.clone())
        .ok_or(Denied::NoKeyId)?;
    let key = emu
        .store
        .signing_key(&kid)
        .ok_or_else(|| Denied::UnknownKey(kid.clone()))?;
    verify_signature(token, &key.public_key_pem, &kid)?;
    if claims.sub.as_deref() != Some(playback_id) {
        return Err(Denied::WrongPlaybackId(claims.sub));
    }
    let aud_matches = match &claims.aud {
        Value::String(aud) => aud == audience.claim(),
        Value::Array(auds) => auds.iter().any(|a| a == audience.claim()),
        _ => false,
    };
    if !aud_matches {
        return Err(Denied::WrongAudience {
            expected: audience,
            got: claims.aud,
        });
    }
    let exp = claims.exp.ok_or(Denied::NoExpiry)?;
    let now = emu.clock.unix_s();
    if exp <= now as f64 {
        return Err(Denied::Expired(exp, now));
    }
    Ok(())
}

/// The payload, read before the signature is checked (to find the key when `kid` is a claim);
/// only trusted once `verify_signature` passed.
fn unverified_claims(token: &str) -> Result<Claims, Denied> {
    let payload = token.split('.').nth(1).ok_or(Denied::Malformed)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| Denied::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| Denied::Malformed)
}

/// Checks only the RS256 signature against key `kid` (the claims are checked by `check`, on the
/// emulator's clock).
fn verify_signature(token: &str, public_key_pem: &str, kid: &str) -> Result<(), Denied> {
    let bad_signature = || Denied::BadSignature(kid.to_owned());
    let key = DecodingKey::from_rsa_pem(public_key_pem.as_bytes()).map_err(|_| bad_signature())?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_aud = false;
    match jsonwebtoken::decode::<Value>(token, &key, &validation) {
        Ok(_) => Ok(()),
        Err(e) if *e.kind() == ErrorKind::InvalidSignature => Err(bad_signature()),
        Err(_) => Err(Denied::Malformed),
    }
}
