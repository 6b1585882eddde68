//! Signing keys in the store: kept oldest first, listed newest first like every Mux list,
//! saved with the rest of the state.

use super::{SigningKey, Store};

impl Store {
    pub fn insert_signing_key(&self, key: SigningKey) {
        let mut s = self.lock();
        s.signing_keys.push(key);
        self.changed(&s);
    }

    pub fn signing_key(&self, id: &str) -> Option<SigningKey> {
        self.lock()
            .signing_keys
            .iter()
            .find(|k| k.id == id)
            .cloned()
    }

    /// Newest first; `page` starts at 1.
    pub fn list_signing_keys(&self, page: usize, limit: usize) -> Vec<SigningKey> {
        let s = self.lock();
        s.signing_keys
            .iter()
            .rev()
            .skip((page - 1) * limit)
            .take(limit)
            .cloned()
            .collect()
    }

    /// Removes a key; `None` if there is no such key.
    pub fn remove_signing_key(&self, id: &str) -> Option<SigningKey> {
        let mut s = self.lock();
        let at = s.signing_keys.iter().position(|k| k.id == id)?;
        let key = s.signing_keys.remove(at);
        self.changed(&s);
        Some(key)
    }
}
