//! Creating an upload: check what the user asked for, create the `CreativeAsset` row, create the
//! Mux direct upload through the resilient client (passthrough = the row id) or take a spare
//! from the pool, and hand back the URL. If Mux refuses or is unreachable no orphan row is left:
//! a row whose upload surely was not created is removed at once; one whose fate is unknown (a
//! timeout after sending), like one whose create was interrupted (a crash, a database cut), never
//! records an upload URL, is never shown to its owner (who got none), and is settled by
//! [`Uploads::settle_unsent`] after a grace period: the reconciler finds its upload on Mux (by
//! the upload id a webhook taught the row, else by passthrough), cancels it if Mux made it, and
//! removes the row.

use std::sync::Arc;
use std::time::Duration;

use mux_api::{AssetMeta, ListUploadsParams, MuxClient, MuxError, Upload, UploadStatus};

use super::campaigns::{self, PlacementError};
use super::direct_upload::upload_request;
use super::ingest::Ingestor;
use super::pool::UploadPool;
use super::ServiceError;
use crate::config::UploadSettings;
use crate::domain::{details, AssetId, CampaignId, InfluencerId};
use crate::store::{CreateQuota, CreativeAsset, NewAsset, OverQuota, Store, User};

/// Rows settled per reconcile step at most.
const SETTLE_BATCH: i64 = 50;
/// How far back the newest uploads on Mux are scanned for a passthrough (pages of
/// `SCAN_PAGE_SIZE`): unsent rows are minutes old, so they are among the newest.
const SCAN_PAGES: u32 = 5;
const SCAN_PAGE_SIZE: u32 = 100;

/// What a user asks for (checked here). The campaign and influencer are named by the host app's
/// ids or by muxd's. The size is required: the size limit holds only for what is announced.
#[derive(Debug, Clone, Default)]
pub struct UploadRequest {
    pub name: String,
    pub description: Option<String>,
    pub campaign: Option<String>,
    pub influencer: Option<String>,
    pub file_size: Option<u64>,
    pub file_type: Option<String>,
}

/// A request as checked: what the row will hold.
struct Checked {
    name: String,
    description: Option<String>,
    campaign: Option<CampaignId>,
    influencer: Option<InfluencerId>,
    file_size: i64,
}

/// A created upload: the row and the URL the browser sends the file to.
#[derive(Debug, Clone)]
pub struct CreatedUpload {
    pub asset: CreativeAsset,
    pub upload_id: String,
    pub url: String,
}

/// Why an upload was not created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// The request breaks a rule; the message is a sentence for the user.
    #[error("{0}")]
    Invalid(String),
    /// The user asked for too many uploads in a short time; try again after this long.
    #[error("too many uploads at once; try again in {} s", .0.as_secs().max(1))]
    TooMany(Duration),
    #[error(transparent)]
    Failed(#[from] ServiceError),
}

impl From<crate::store::StoreError> for CreateError {
    fn from(error: crate::store::StoreError) -> Self {
        CreateError::Failed(error.into())
    }
}

impl From<MuxError> for CreateError {
    fn from(error: MuxError) -> Self {
        CreateError::Failed(error.into())
    }
}

/// Creates uploads. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Uploads {
    pub store: Store,
    pub mux: MuxClient,
    pub pool: Arc<UploadPool>,
    pub ingest: Ingestor,
    pub settings: UploadSettings,
}

impl Uploads {
    /// Creates the row and the direct upload for `user`.
    pub async fn create(
        &self,
        user: &User,
        request: UploadRequest,
    ) -> Result<CreatedUpload, CreateError> {
        // 1. Check.
        let checked = self.check(user, &request).await?;
        // 2. A spare upload from the pool, if one is ready: its row id is reserved already.
        let spare = self.pool.take();
        let id = spare.as_ref().map_or_else(AssetId::new, |s| s.id);
        // 3. Record the row first, so every upload Mux ever makes for us has a row to land on;
        // the user's quotas are counted in the same transaction.
        let new = NewAsset {
            id,
            owner_id: user.id,
            campaign_id: checked.campaign,
            influencer_id: checked.influencer,
            name: checked.name.clone(),
            description: checked.description,
            file_size: Some(checked.file_size),
        };
        let quota = CreateQuota {
            per_minute: self.settings.per_user_per_minute,
            per_campaign: self.settings.per_user_per_campaign,
        };
        if let Err(over) = self.store.insert_within_quota(&new, quota).await? {
            if let Some(spare) = spare {
                self.pool.put_back(spare);
            }
            return Err(match over {
                OverQuota::TooMany { wait_ms } => CreateError::TooMany(Duration::from_millis(
                    u64::try_from(wait_ms).unwrap_or(1),
                )),
                OverQuota::Campaign { held } => CreateError::Invalid(format!(
                    "you have {held} videos in this campaign; the limit is {} per person (delete one to upload another)",
                    quota.per_campaign
                )),
            });
        }
        // 4. Otherwise create the direct upload now.
        let upload = match spare {
            Some(spare) => spare.upload,
            None => self.fresh_upload(id, user, checked.name).await?,
        };
        let url = upload.url.clone().unwrap_or_default();
        // 5. Remember the upload, and apply any event that raced ahead of us.
        self.store.set_upload(id, &upload.id, &url).await?;
        self.ingest.settle(id).await?;
        let asset = self.store.asset(id).await?.ok_or_else(|| {
            crate::store::StoreError::Corrupt(format!("asset {id} vanished after its upload"))
        })?;
        tracing::info!(asset.id = %id, upload.id = %upload.id, "direct upload created");
        Ok(CreatedUpload {
            asset,
            upload_id: upload.id,
            url,
        })
    }

    /// What to store, or why the request is refused.
    async fn check(&self, user: &User, request: &UploadRequest) -> Result<Checked, CreateError> {
        let name = details::name(&request.name).map_err(CreateError::Invalid)?;
        let description = match request.description.as_deref() {
            Some(raw) => details::description(raw).map_err(CreateError::Invalid)?,
            None => None,
        };
        let file_size = self.check_file(request.file_size, request.file_type.as_deref())?;
        if request.campaign.is_none() && self.settings.per_user_per_campaign > 0 {
            return Err(CreateError::Invalid(
                "campaignId is required: uploads are counted per campaign here".into(),
            ));
        }
        let place = campaigns::placement(
            &self.store,
            Some(user),
            request.campaign.as_deref(),
            request.influencer.as_deref(),
        )
        .await
        .map_err(|error| match error {
            PlacementError::NoCampaign => {
                CreateError::Invalid("no such campaign, or you may not upload into it".into())
            }
            PlacementError::Archived => {
                CreateError::Invalid("this campaign is archived; it takes no more uploads".into())
            }
            PlacementError::NoInfluencer => {
                CreateError::Invalid("that influencer is not in this campaign".into())
            }
            PlacementError::InfluencerWithoutCampaign => {
                CreateError::Invalid("influencerId needs a campaignId".into())
            }
            PlacementError::Store(error) => error.into(),
        })?;
        Ok(Checked {
            name,
            description,
            campaign: place.campaign.map(|c| c.id),
            influencer: place.influencer,
            file_size,
        })
    }

    /// The announced size and type of a file, checked against the limits: its size to store.
    pub(super) fn check_file(
        &self,
        file_size: Option<u64>,
        file_type: Option<&str>,
    ) -> Result<i64, CreateError> {
        let file_size = match file_size {
            None => return Err(CreateError::Invalid("fileSize is required".into())),
            Some(0) => return Err(CreateError::Invalid("the file is empty".into())),
            Some(size) if size > self.settings.max_upload_bytes => {
                return Err(CreateError::Invalid(format!(
                    "the file is {size} bytes; the limit is {} bytes",
                    self.settings.max_upload_bytes
                )))
            }
            Some(size) => i64::try_from(size).unwrap_or(i64::MAX),
        };
        if let Some(kind) = file_type.filter(|t| !t.is_empty()) {
            if !details::type_accepted(kind, &self.settings.types) {
                return Err(CreateError::Invalid(format!(
                    "{kind} files are not accepted here (accepted: {})",
                    self.settings.types.join(", ")
                )));
            }
        }
        Ok(file_size)
    }

    /// Creates a direct upload for row `id` (passthrough links every later event to the row). If
    /// Mux fails, the row is removed when the upload surely was not created, and marked ERROR
    /// with the reason when it may have been, so no orphan is left and nothing is lost track of.
    pub(super) async fn fresh_upload(
        &self,
        id: AssetId,
        user: &User,
        name: String,
    ) -> Result<Upload, CreateError> {
        let meta = AssetMeta {
            title: Some(name),
            creator_id: Some(user.external_id.clone()),
            external_id: Some(id.to_string()),
        };
        let error = match self
            .mux
            .create_upload(&upload_request(&self.settings, id, Some(meta)))
            .await
        {
            Ok(upload) => return Ok(upload),
            Err(error) => error,
        };
        if !error.may_have_been_applied() {
            self.store.remove_unsent(id).await?;
        }
        tracing::warn!(asset.id = %id, error = %error, "creating the Mux upload failed");
        Err(error.into())
    }

    /// Settles rows created before `cutoff_ms` whose create never recorded an upload URL: finds
    /// their uploads on Mux (by known upload id, else by passthrough, scanning the newest
    /// `SCAN_PAGES` pages of uploads once for all of them), cancels what Mux made, and removes the
    /// rows, whose owners never got a URL. Returns how many rows were settled.
    pub async fn settle_unsent(&self, cutoff_ms: i64) -> Result<usize, ServiceError> {
        let rows = self.store.unsent_before(cutoff_ms, SETTLE_BATCH).await?;
        let mut settled = 0;
        let mut unknown = Vec::new();
        for row in rows {
            match &row.mux_upload_id {
                Some(upload_id) => {
                    self.cancel_if_waiting(upload_id).await?;
                    settled += self.remove(&row).await?;
                }
                None => unknown.push(row),
            }
        }
        if unknown.is_empty() {
            return Ok(settled);
        }
        let mut on_mux = std::collections::HashMap::new();
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
            for upload in uploads {
                let passthrough = upload
                    .new_asset_settings
                    .as_ref()
                    .and_then(|s| s.passthrough.clone());
                if let Some(passthrough) = passthrough {
                    on_mux.insert(passthrough, upload);
                }
            }
            if last_page {
                break;
            }
        }
        for row in unknown {
            if let Some(upload) = on_mux.get(&row.id.to_string()) {
                if upload.status == UploadStatus::Waiting {
                    self.cancel_if_waiting(&upload.id).await?;
                }
            }
            settled += self.remove(&row).await?;
        }
        Ok(settled)
    }

    /// Cancels an upload nobody got the URL of; one no longer waiting (403) or gone is fine.
    async fn cancel_if_waiting(&self, upload_id: &str) -> Result<(), ServiceError> {
        match self.mux.cancel_upload(upload_id).await {
            Ok(_) => Ok(()),
            Err(error) if error.status() == Some(403) || error.is_not_found() => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    /// Removes a settled row; 1 if it was still unsent.
    async fn remove(&self, row: &CreativeAsset) -> Result<usize, ServiceError> {
        let removed = self.store.remove_unsent(row.id).await?;
        if removed {
            tracing::info!(asset.id = %row.id, "settled a create that never delivered its upload URL");
        }
        Ok(usize::from(removed))
    }
}
