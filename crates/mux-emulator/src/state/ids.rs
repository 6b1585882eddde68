//! Ids that look like Mux's (44 alphanumerics) and event UUIDs, all from one seeded generator
//! so a seeded run hands out the same ids.

use std::sync::Mutex;

use rand::distr::Alphanumeric;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub struct Ids {
    rng: Mutex<StdRng>,
}

impl Ids {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: Mutex::new(StdRng::seed_from_u64(seed ^ 0x1d5_1d5)),
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

/// Mux ids are alphanumeric; anything else is "Failed to parse ID" (mux-api.md §1.3).
pub fn is_well_formed(id: &str) -> bool {
    !id.is_empty() && id.len() <= 255 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}
