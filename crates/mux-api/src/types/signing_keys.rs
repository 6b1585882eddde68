//! URL signing keys (`/system/v1/signing-keys`): the RSA keys signed playback tokens are made
//! with.

use serde::Deserialize;

use super::common::Timestamp;

/// A URL signing key. `private_key` (the base64 of a PEM RSA private key) is only in the answer
/// to its creation.
#[derive(Debug, Clone, Deserialize)]
pub struct SigningKey {
    pub id: String,
    #[serde(default)]
    pub private_key: Option<String>,
    #[serde(default)]
    pub created_at: Option<Timestamp>,
}
