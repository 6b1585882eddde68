//! Settling unsent rows: creates that never recorded where their file comes from (the upload URL
//! handed out, or the link Mux fetches), because they were interrupted or Mux failed ambiguously.
//! Their owners never got an answer, so nothing of theirs is lost by removing them; what Mux may
//! have made for them is found (by the upload or asset id a webhook taught the row, else by
//! passthrough among the newest uploads and assets) and cancelled or deleted, so no orphan is left
//! on Mux and no event waits for a row forever.

use std::collections::HashMap;

use mux_api::{ListAssetsParams, ListUploadsParams, UploadStatus};

use super::uploads::Uploads;
use super::ServiceError;
use muxd_store::CreativeAsset;

/// Rows settled per reconcile step at most.
const SETTLE_BATCH: i64 = 50;
/// How far back the newest uploads and assets on Mux are scanned for a passthrough (pages of
/// `SCAN_PAGE_SIZE`): unsent rows are minutes old, so they are among the newest.
const SCAN_PAGES: u32 = 5;
const SCAN_PAGE_SIZE: u32 = 100;

/// What Mux made for a row that names nothing yet, found by passthrough.
#[derive(Default)]
struct Found {
    /// Waiting uploads by passthrough.
    uploads: HashMap<String, String>,
    /// Assets by passthrough.
    assets: HashMap<String, String>,
}

impl Uploads {
    /// Settles rows created before `cutoff_ms` that never recorded an upload URL or link: cancels
    /// or deletes what Mux made for them and removes the rows. Returns how many were settled.
    pub async fn settle_unsent(&self, cutoff_ms: i64) -> Result<usize, ServiceError> {
        let rows = self.store.unsent_before(cutoff_ms, SETTLE_BATCH).await?;
        let mut settled = 0;
        let mut unknown = Vec::new();
        for row in rows {
            if let Some(upload_id) = &row.mux_upload_id {
                self.cancel_if_waiting(upload_id).await?;
            } else if let Some(asset_id) = &row.facts.mux_asset_id {
                self.delete_if_there(asset_id).await?;
            } else {
                unknown.push(row);
                continue;
            }
            settled += self.remove(&row).await?;
        }
        if unknown.is_empty() {
            return Ok(settled);
        }
        let found = self.scan().await?;
        for row in unknown {
            let passthrough = row.id.to_string();
            if let Some(upload_id) = found.uploads.get(&passthrough) {
                self.cancel_if_waiting(upload_id).await?;
            }
            if let Some(asset_id) = found.assets.get(&passthrough) {
                self.delete_if_there(asset_id).await?;
            }
            settled += self.remove(&row).await?;
        }
        Ok(settled)
    }

    /// The newest uploads still waiting and the newest assets, by passthrough.
    async fn scan(&self) -> Result<Found, ServiceError> {
        let mut found = Found::default();
        for page in 1..=SCAN_PAGES {
            let uploads = self
                .mux
                .list_uploads(ListUploadsParams {
                    limit: Some(SCAN_PAGE_SIZE),
                    page: Some(page),
                })
                .await?
                .data;
            let last_page = uploads.len() < SCAN_PAGE_SIZE as usize;
            for upload in uploads
                .into_iter()
                .filter(|u| u.status == UploadStatus::Waiting)
            {
                let passthrough = upload.new_asset_settings.and_then(|s| s.passthrough);
                if let Some(passthrough) = passthrough {
                    found.uploads.insert(passthrough, upload.id);
                }
            }
            if last_page {
                break;
            }
        }
        for page in 1..=SCAN_PAGES {
            let params = ListAssetsParams {
                limit: Some(SCAN_PAGE_SIZE),
                page: Some(page),
                ..Default::default()
            };
            let assets = self.mux.list_assets(&params).await?.data;
            let last_page = assets.len() < SCAN_PAGE_SIZE as usize;
            for asset in assets {
                if let Some(passthrough) = asset.passthrough {
                    found.assets.insert(passthrough, asset.id);
                }
            }
            if last_page {
                break;
            }
        }
        Ok(found)
    }

    /// Cancels an upload nobody got the URL of; one no longer waiting (403) or gone is fine.
    async fn cancel_if_waiting(&self, upload_id: &str) -> Result<(), ServiceError> {
        match self.mux.cancel_upload(upload_id).await {
            Ok(_) => Ok(()),
            Err(error) if error.status() == Some(403) || error.is_not_found() => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    /// Deletes an asset nobody was told of; one already gone is fine.
    async fn delete_if_there(&self, asset_id: &str) -> Result<(), ServiceError> {
        match self.mux.delete_asset(asset_id).await {
            Ok(()) => Ok(()),
            Err(error) if error.is_not_found() => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    /// Removes a settled row; 1 if it was still unsent.
    async fn remove(&self, row: &CreativeAsset) -> Result<usize, ServiceError> {
        let removed = self.store.remove_unsent(row.id).await?;
        if removed {
            tracing::info!(asset.id = %row.id, "settled a create that never recorded where its file comes from");
        }
        Ok(usize::from(removed))
    }
}
