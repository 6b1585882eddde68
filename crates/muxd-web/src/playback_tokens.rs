//! Playback tokens for asset views, minted once and reused: an RS256 signature costs about a
//! millisecond, and a page of 200 signed assets needs three tokens each, on every list, live
//! change and outbound message. A token is minted valid for an hour and handed out while it has
//! at least half an hour left, so each asset costs three signatures per half hour per instance.

use std::collections::HashMap;
use std::sync::Mutex;

use muxd_domain::playback_token::{Audience, PlaybackSigner};

/// How long a minted token opens its media.
const TTL_SECS: i64 = 3_600;
/// A token is handed out only while it has this long left.
const REUSE_WHILE_SECS: i64 = TTL_SECS / 2;
/// Past this many tokens held, the stale ones are dropped when the next is minted.
const PRUNE_ABOVE: usize = 10_000;

/// Minted tokens by playback id and audience, with their expiry (unix s).
type Minted = HashMap<(String, Audience), (String, i64)>;

/// The signer, with the tokens it minted lately.
#[derive(Debug)]
pub struct PlaybackTokens {
    signer: PlaybackSigner,
    minted: Mutex<Minted>,
}

impl PlaybackTokens {
    pub fn new(signer: PlaybackSigner) -> Self {
        PlaybackTokens {
            signer,
            minted: Mutex::default(),
        }
    }

    /// A token opening `audience` of `playback_id` for at least half an hour after `now_s`.
    pub fn token(&self, playback_id: &str, audience: Audience, now_s: i64) -> String {
        let key = (playback_id.to_owned(), audience);
        let mut minted = self.minted.lock().expect("playback tokens lock");
        if let Some((token, expires)) = minted.get(&key) {
            if expires - now_s >= REUSE_WHILE_SECS {
                return token.clone();
            }
        }
        if minted.len() > PRUNE_ABOVE {
            minted.retain(|_, (_, expires)| *expires - now_s >= REUSE_WHILE_SECS);
        }
        let expires = now_s + TTL_SECS;
        let token = self.signer.token(playback_id, audience, expires);
        minted.insert(key, (token.clone(), expires));
        token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = include_str!("../../muxd/tests/it/fixtures/keys/playback-signing.pem");

    fn expiry(token: &str) -> i64 {
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.insecure_disable_signature_validation();
        validation.validate_aud = false;
        validation.validate_exp = false;
        let key = jsonwebtoken::DecodingKey::from_secret(b"");
        jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation)
            .unwrap()
            .claims["exp"]
            .as_i64()
            .unwrap()
    }

    #[test]
    fn a_token_is_reused_while_it_has_half_an_hour_left() {
        let tokens = PlaybackTokens::new(PlaybackSigner::new("key-1", KEY).unwrap());
        let first = tokens.token("pb-1", Audience::Video, 1_000);
        assert_eq!(expiry(&first), 1_000 + 3_600);
        assert_eq!(tokens.token("pb-1", Audience::Video, 2_800), first);
        assert_ne!(tokens.token("pb-1", Audience::Thumbnail, 2_800), first);
        assert_ne!(tokens.token("pb-2", Audience::Video, 2_800), first);
        let renewed = tokens.token("pb-1", Audience::Video, 2_801);
        assert_eq!(expiry(&renewed), 2_801 + 3_600);
    }
}
