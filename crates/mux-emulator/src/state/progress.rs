//! What has arrived so far for each upload's bytes. The upload URL handlers decide what a PUT
//! means; this is only the record they keep, one async lock per upload so PUTs to one upload
//! queue up while PUTs to different uploads run side by side.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What has arrived so far for one upload.
#[derive(Debug, Default)]
pub struct Progress {
    /// Bytes `0..received` are in the file.
    pub received: u64,
    /// The file's size, once a whole PUT or a chunk's `Content-Range` said it.
    pub total: Option<u64>,
    /// Where the last accepted chunk started (an exact resend of it is rewritten in place).
    pub last_chunk_start: u64,
    /// Every byte is here.
    pub complete: bool,
}

/// Every upload's `Progress`, created on first use.
#[derive(Default)]
pub struct ProgressMap {
    all: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Progress>>>>,
}

impl ProgressMap {
    /// The upload's progress; its async lock serialises PUTs to one upload.
    pub fn of(&self, upload_id: &str) -> Arc<tokio::sync::Mutex<Progress>> {
        let mut all = self.all.lock().unwrap_or_else(|p| p.into_inner());
        all.entry(upload_id.to_owned()).or_default().clone()
    }
}
