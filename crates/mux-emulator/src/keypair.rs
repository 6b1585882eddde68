//! RSA key pairs for the System API's signing keys: Mux hands out a 2048-bit RSA private key as
//! the base64 of a PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`), which the SDKs decode and sign
//! playback tokens with (RS256). The emulator keeps only the public half.
//!
//! A leaf: it knows nothing of the emulator's state or HTTP.

use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey, LineEnding};
use rsa::rand_core::OsRng;
use rsa::{RsaPrivateKey, RsaPublicKey};

/// The key size Mux's signing keys have.
const BITS: usize = 2048;

/// A fresh key pair, both halves as PKCS#1 PEM.
pub struct KeyPair {
    pub private_pem: String,
    pub public_pem: String,
}

/// Generates a key pair. Slow (tens to hundreds of milliseconds): call it off the async runtime.
pub fn generate() -> Result<KeyPair, rsa::Error> {
    let private = RsaPrivateKey::new(&mut OsRng, BITS)?;
    let public_pem = RsaPublicKey::from(&private).to_pkcs1_pem(LineEnding::LF)?;
    let private_pem = private.to_pkcs1_pem(LineEnding::LF)?;
    Ok(KeyPair {
        private_pem: private_pem.to_string(),
        public_pem,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_halves_are_pkcs1_pem() {
        let pair = generate().unwrap();
        assert!(pair
            .private_pem
            .starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
        assert!(pair
            .public_pem
            .starts_with("-----BEGIN RSA PUBLIC KEY-----\n"));
    }
}
