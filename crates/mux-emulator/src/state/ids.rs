//! Ids that look like Mux's (44 alphanumerics) and event UUIDs, all from one generator seeded by
//! the run's seed and its start number, so that ids never repeat across restarts.
//!
//! With no configured seed the seed is random per start. With one, a run is reproducible, and the
//! start number (counted in a kept data dir's state file, always 1 without one) gives each
//! restart on that dir a stream of its own instead of the same ids again.

use std::sync::Mutex;

use rand::distr::Alphanumeric;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

pub struct Ids {
    rng: Mutex<StdRng>,
}

impl Ids {
    /// The generator of start number `start` (1 = the first) under `seed`.
    pub fn new(seed: u64, start: u64) -> Self {
        let key = Sha256::new()
            .chain_update(b"mux-emulator ids")
            .chain_update(seed.to_le_bytes())
            .chain_update(start.to_le_bytes())
            .finalize();
        Self {
            rng: Mutex::new(StdRng::from_seed(key.into())),
        }
    }

    /// A Mux-style resource id.
    pub fn mux_id(&self) -> String {
        let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        (&mut *rng)
            .sample_iter(&Alphanumeric)
            .take(44)
            .map(char::from)
            .collect()
    }

    /// A v4 UUID (webhook event and attempt ids).
    pub fn uuid(&self) -> uuid::Uuid {
        let bytes: [u8; 16] = self.rng.lock().unwrap_or_else(|p| p.into_inner()).random();
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}

/// Mux ids are alphanumeric; anything else is "Failed to parse ID" (docs/mux-facts.md §1.3).
pub fn is_well_formed(id: &str) -> bool {
    !id.is_empty() && id.len() <= 255 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_ids(seed: u64, start: u64) -> Vec<String> {
        let ids = Ids::new(seed, start);
        (0..3).map(|_| ids.mux_id()).collect()
    }

    #[test]
    fn a_seed_and_start_reproduce_ids_and_the_next_start_does_not() {
        assert_eq!(first_ids(7, 1), first_ids(7, 1));
        assert_ne!(
            first_ids(7, 1),
            first_ids(7, 2),
            "a restart continues elsewhere"
        );
        assert_ne!(first_ids(7, 1), first_ids(8, 1));
        assert!(first_ids(7, 1).iter().all(|id| id.len() == 44));
    }
}
