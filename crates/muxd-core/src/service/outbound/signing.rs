//! Standard Webhooks signatures (standardwebhooks.com): a secret is `whsec_` and the base64 of a
//! random key; a message is signed by HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}`
//! and sent as `webhook-signature: v1,<base64 MAC>`, so the host app verifies it with any
//! Standard Webhooks library.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The prefix of every secret.
const PREFIX: &str = "whsec_";
/// Key lengths accepted from an admin (bytes); muxd makes 32-byte keys.
const KEY_BYTES: std::ops::RangeInclusive<usize> = 24..=64;

/// A new random secret.
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    format!("{PREFIX}{}", STANDARD.encode(key))
}

/// Checks a secret an admin chose; the error is a sentence naming what is wrong.
pub fn check_secret(secret: &str) -> Result<(), String> {
    key(secret).map(drop)
}

fn key(secret: &str) -> Result<Vec<u8>, String> {
    if secret.is_empty() {
        return Err("secret must not be empty (leave it out and muxd makes one)".into());
    }
    let encoded = secret
        .strip_prefix(PREFIX)
        .ok_or_else(|| format!("secret must start with {PREFIX}"))?;
    let key = STANDARD
        .decode(encoded)
        .map_err(|_| format!("secret must be {PREFIX} followed by base64"))?;
    if !KEY_BYTES.contains(&key.len()) {
        return Err(format!(
            "secret's key must be {} to {} bytes (it is {})",
            KEY_BYTES.start(),
            KEY_BYTES.end(),
            key.len()
        ));
    }
    Ok(key)
}

/// The `webhook-signature` header of `body` sent as message `id` at `timestamp` (unix seconds).
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Result<String, String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(&key(secret)?).expect("HMAC takes any key length");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    Ok(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_the_specifications_example() {
        // The example in the Standard Webhooks specification (spec/standard-webhooks.md).
        let signature = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn new_secrets_are_valid_and_different() {
        let (a, b) = (new_secret(), new_secret());
        assert!(check_secret(&a).is_ok() && check_secret(&b).is_ok());
        assert_ne!(a, b);
    }

    #[test]
    fn bad_secrets_are_refused_in_words() {
        assert!(check_secret("").unwrap_err().contains("empty"));
        assert!(check_secret("abc").unwrap_err().contains("whsec_"));
        assert!(check_secret("whsec_!!!").unwrap_err().contains("base64"));
        assert!(check_secret("whsec_c2hvcnQ=")
            .unwrap_err()
            .contains("bytes"));
    }
}
