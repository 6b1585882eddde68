//! Signed playback tokens, as Mux checks them: an RS256 JWT whose header names the URL signing
//! key (`kid`), whose `sub` is the playback id, `aud` what it opens (`v` video, `t` thumbnail,
//! `s` storyboard) and `exp` when it stops working. The key is the one Mux returned when the
//! signing key was made: the base64 of a PEM RSA private key (a PEM text is taken too).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};

/// What a token opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Audience {
    Video,
    Thumbnail,
    Storyboard,
}

impl Audience {
    fn claim(self) -> &'static str {
        match self {
            Self::Video => "v",
            Self::Thumbnail => "t",
            Self::Storyboard => "s",
        }
    }
}

/// Mints playback tokens with one URL signing key.
#[derive(Clone)]
pub struct PlaybackSigner {
    key_id: String,
    key: EncodingKey,
}

impl std::fmt::Debug for PlaybackSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlaybackSigner")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

#[derive(serde::Serialize)]
struct Claims<'a> {
    sub: &'a str,
    aud: &'static str,
    exp: i64,
    kid: &'a str,
}

impl PlaybackSigner {
    /// The signer of key `key_id` with `private_key` (base64 of the PEM, or the PEM itself);
    /// the error says what is wrong with the key.
    pub fn new(key_id: &str, private_key: &str) -> Result<PlaybackSigner, String> {
        if key_id.trim().is_empty() {
            return Err("the signing key id is empty".into());
        }
        let text = private_key.trim();
        let pem = if text.starts_with("-----BEGIN") {
            text.as_bytes().to_vec()
        } else {
            let compact: String = text.split_whitespace().collect();
            STANDARD
                .decode(compact)
                .map_err(|_| "the private key is neither a PEM nor the base64 of one".to_owned())?
        };
        let key = EncodingKey::from_rsa_pem(&pem)
            .map_err(|error| format!("the private key is not an RSA private key ({error})"))?;
        Ok(PlaybackSigner {
            key_id: key_id.trim().to_owned(),
            key,
        })
    }

    /// A token opening `audience` of `playback_id` until `expires_at` (unix seconds).
    pub fn token(&self, playback_id: &str, audience: Audience, expires_at: i64) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.key_id.clone());
        let claims = Claims {
            sub: playback_id,
            aud: audience.claim(),
            exp: expires_at,
            kid: &self.key_id,
        };
        jsonwebtoken::encode(&header, &claims, &self.key).expect("RS256 signs any claims")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation};

    const PRIVATE: &str = include_str!("../../muxd/tests/it/fixtures/keys/playback-signing.pem");
    const PUBLIC: &str = include_str!("../../muxd/tests/it/fixtures/keys/playback-signing.pub.pem");

    #[derive(serde::Deserialize)]
    struct Read {
        sub: String,
        aud: String,
        exp: i64,
    }

    #[test]
    fn tokens_carry_what_mux_checks() {
        let signer = PlaybackSigner::new("key-1", &STANDARD.encode(PRIVATE)).unwrap();
        let token = signer.token("pb-42", Audience::Thumbnail, 4_000_000_000);
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(
            (header.alg, header.kid.as_deref()),
            (Algorithm::RS256, Some("key-1"))
        );
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&["t"]);
        let key = DecodingKey::from_rsa_pem(PUBLIC.as_bytes()).unwrap();
        let read = jsonwebtoken::decode::<Read>(&token, &key, &validation).unwrap();
        assert_eq!(
            (
                read.claims.sub.as_str(),
                read.claims.aud.as_str(),
                read.claims.exp
            ),
            ("pb-42", "t", 4_000_000_000)
        );
    }

    #[test]
    fn a_pem_is_taken_as_it_is_and_bad_keys_are_refused_in_words() {
        assert!(PlaybackSigner::new("key-1", PRIVATE).is_ok());
        assert!(PlaybackSigner::new("", PRIVATE)
            .unwrap_err()
            .contains("empty"));
        assert!(PlaybackSigner::new("key-1", "not base64!")
            .unwrap_err()
            .contains("neither"));
        assert!(PlaybackSigner::new("key-1", &STANDARD.encode("hello"))
            .unwrap_err()
            .contains("not an RSA private key"));
    }
}
