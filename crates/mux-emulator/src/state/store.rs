//! The store of resources: uploads, assets and playback ids; signing keys in `signing_keys`.
//!
//! Everything lives behind one `std::sync::Mutex` held only for short, non-async sections.
//! Lists are newest first, as Mux lists them; the insertion sequence number is also what the
//! asset list cursor encodes.
//!
//! A store opened on a state file (a kept data dir) saves itself there after every change, still
//! under its lock, so saves happen in the order of the changes and before they are answered.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

mod signing_keys;

use super::model::{Asset, PlaybackId, SigningKey, Upload, UploadStatus};
use super::persist::{Resources, StateFile};

/// In memory only, unless made with [`Store::persistent`].
#[derive(Default)]
pub struct Store {
    inner: Mutex<Inner>,
    file: Option<StateFile>,
}

#[derive(Default)]
struct Inner {
    next_seq: u64,
    uploads: HashMap<String, Upload>,
    upload_order: BTreeMap<u64, String>,
    assets: HashMap<String, (u64, Asset)>,
    asset_order: BTreeMap<u64, String>,
    /// playback id → asset id
    playback: HashMap<String, String>,
    /// Oldest first; there are few, so they are found by scanning.
    signing_keys: Vec<SigningKey>,
}

/// One page of assets and the cursor to the next (the sequence number of its last item).
pub struct AssetPage {
    pub assets: Vec<Asset>,
    pub next_cursor: Option<u64>,
}

/// Which assets a list asks for.
pub enum AssetQuery<'a> {
    Page {
        page: usize,
        limit: usize,
        upload_id: Option<&'a str>,
    },
    After {
        cursor: u64,
        limit: usize,
        upload_id: Option<&'a str>,
    },
}

impl Store {
    /// A store holding `resources` that saves itself to `file`; saved once now, so that this
    /// start is counted before any id is handed out.
    pub fn persistent(file: StateFile, resources: Resources) -> std::io::Result<Self> {
        let inner = Inner::from(resources);
        file.save(&inner.resources())?;
        Ok(Self {
            inner: Mutex::new(inner),
            file: Some(file),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Saves the state after a change (a no-op in memory). A failed save is logged: the change
    /// stands, and the next successful save includes it.
    fn changed(&self, s: &Inner) {
        if let Some(file) = &self.file {
            if let Err(e) = file.save(&s.resources()) {
                tracing::error!(error = %e, "could not save the emulator state");
            }
        }
    }

    pub fn insert_upload(&self, upload: Upload) {
        let mut s = self.lock();
        s.next_seq += 1;
        let seq = s.next_seq;
        s.upload_order.insert(seq, upload.id.clone());
        s.uploads.insert(upload.id.clone(), upload);
        self.changed(&s);
    }

    pub fn upload(&self, id: &str) -> Option<Upload> {
        self.lock().uploads.get(id).cloned()
    }

    /// Applies `f` to the upload and returns its result with the updated snapshot.
    pub fn update_upload<R>(
        &self,
        id: &str,
        f: impl FnOnce(&mut Upload) -> R,
    ) -> Option<(R, Upload)> {
        let mut s = self.lock();
        let upload = s.uploads.get_mut(id)?;
        let r = f(upload);
        let snapshot = upload.clone();
        self.changed(&s);
        Some((r, snapshot))
    }

    /// Newest first; `page` starts at 1.
    pub fn list_uploads(&self, page: usize, limit: usize) -> Vec<Upload> {
        let s = self.lock();
        s.upload_order
            .values()
            .rev()
            .skip((page - 1) * limit)
            .take(limit)
            .filter_map(|id| s.uploads.get(id).cloned())
            .collect()
    }

    /// Flips every `waiting` upload whose timeout has passed to `timed_out`; returns them.
    pub fn expire_uploads(&self, now_s: u64) -> Vec<Upload> {
        let mut s = self.lock();
        let expired: Vec<Upload> = s
            .uploads
            .values_mut()
            .filter(|u| u.status == UploadStatus::Waiting && now_s >= u.created_at + u.timeout_s)
            .map(|u| {
                u.status = UploadStatus::TimedOut;
                u.clone()
            })
            .collect();
        if !expired.is_empty() {
            self.changed(&s);
        }
        expired
    }

    pub fn insert_asset(&self, asset: Asset) {
        let mut s = self.lock();
        s.next_seq += 1;
        let seq = s.next_seq;
        for p in &asset.playback_ids {
            s.playback.insert(p.id.clone(), asset.id.clone());
        }
        s.asset_order.insert(seq, asset.id.clone());
        s.assets.insert(asset.id.clone(), (seq, asset));
        self.changed(&s);
    }

    pub fn asset(&self, id: &str) -> Option<Asset> {
        self.lock().assets.get(id).map(|(_, a)| a.clone())
    }

    pub fn update_asset<R>(&self, id: &str, f: impl FnOnce(&mut Asset) -> R) -> Option<(R, Asset)> {
        let mut s = self.lock();
        let (_, asset) = s.assets.get_mut(id)?;
        let r = f(asset);
        let snapshot = asset.clone();
        self.changed(&s);
        Some((r, snapshot))
    }

    pub fn remove_asset(&self, id: &str) -> Option<Asset> {
        let mut s = self.lock();
        let (seq, asset) = s.assets.remove(id)?;
        s.asset_order.remove(&seq);
        for p in &asset.playback_ids {
            s.playback.remove(&p.id);
        }
        self.changed(&s);
        Some(asset)
    }

    pub fn list_assets(&self, query: AssetQuery<'_>) -> AssetPage {
        let s = self.lock();
        let (upper, skip, limit, upload_id) = match query {
            AssetQuery::Page {
                page,
                limit,
                upload_id,
            } => (u64::MAX, (page - 1) * limit, limit, upload_id),
            AssetQuery::After {
                cursor,
                limit,
                upload_id,
            } => (cursor, 0, limit, upload_id),
        };
        let mut matching = s
            .asset_order
            .range(..upper)
            .rev()
            .filter_map(|(seq, id)| s.assets.get(id).map(|(_, a)| (*seq, a)))
            .filter(|(_, a)| upload_id.is_none_or(|u| a.upload_id.as_deref() == Some(u)))
            .skip(skip);
        let page: Vec<(u64, &Asset)> = matching.by_ref().take(limit).collect();
        let more = matching.next().is_some();
        AssetPage {
            next_cursor: page.last().filter(|_| more).map(|(seq, _)| *seq),
            assets: page.into_iter().map(|(_, a)| a.clone()).collect(),
        }
    }

    pub fn asset_by_playback_id(&self, playback_id: &str) -> Option<Asset> {
        let s = self.lock();
        let asset_id = s.playback.get(playback_id)?;
        s.assets.get(asset_id).map(|(_, a)| a.clone())
    }

    pub fn add_playback_id(&self, asset_id: &str, playback: PlaybackId) -> Option<Asset> {
        let mut s = self.lock();
        let (_, asset) = s.assets.get_mut(asset_id)?;
        asset.playback_ids.push(playback.clone());
        let snapshot = asset.clone();
        s.playback.insert(playback.id, asset_id.to_owned());
        self.changed(&s);
        Some(snapshot)
    }

    /// Removes a playback id from its asset; `None` if either is unknown.
    pub fn remove_playback_id(&self, asset_id: &str, playback_id: &str) -> Option<Asset> {
        let mut s = self.lock();
        let (_, asset) = s.assets.get_mut(asset_id)?;
        let before = asset.playback_ids.len();
        asset.playback_ids.retain(|p| p.id != playback_id);
        if asset.playback_ids.len() == before {
            return None;
        }
        let snapshot = asset.clone();
        s.playback.remove(playback_id);
        self.changed(&s);
        Some(snapshot)
    }

    pub fn all_uploads(&self) -> Vec<Upload> {
        self.list_uploads(1, usize::MAX)
    }

    pub fn all_assets(&self) -> Vec<Asset> {
        let s = self.lock();
        s.asset_order
            .values()
            .rev()
            .filter_map(|id| s.assets.get(id).map(|(_, a)| a.clone()))
            .collect()
    }
}

impl Inner {
    /// A copy of everything, for the state file.
    fn resources(&self) -> Resources {
        Resources {
            next_seq: self.next_seq,
            uploads: (self.upload_order.iter())
                .filter_map(|(seq, id)| Some((*seq, self.uploads.get(id)?.clone())))
                .collect(),
            assets: (self.asset_order.values())
                .filter_map(|id| self.assets.get(id).cloned())
                .collect(),
            signing_keys: self.signing_keys.clone(),
        }
    }
}

impl From<Resources> for Inner {
    fn from(saved: Resources) -> Self {
        let mut s = Inner {
            next_seq: saved.next_seq,
            signing_keys: saved.signing_keys,
            ..Inner::default()
        };
        for (seq, upload) in saved.uploads {
            s.next_seq = s.next_seq.max(seq);
            s.upload_order.insert(seq, upload.id.clone());
            s.uploads.insert(upload.id.clone(), upload);
        }
        for (seq, asset) in saved.assets {
            s.next_seq = s.next_seq.max(seq);
            for p in &asset.playback_ids {
                s.playback.insert(p.id.clone(), asset.id.clone());
            }
            s.asset_order.insert(seq, asset.id.clone());
            s.assets.insert(asset.id.clone(), (seq, asset));
        }
        s
    }
}
