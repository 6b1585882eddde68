//! Creating an upload: check what the user asked for, create the `CreativeAsset` row, create the
//! Mux direct upload through the resilient client (passthrough = the row id) or take a spare
//! from the pool, and hand back the URL. If Mux refuses or is unreachable no orphan row is left:
//! a row whose upload surely was not created is removed; one whose fate is unknown (a timeout
//! after sending) is kept, marked ERROR with the reason, so nothing is lost track of.

use std::sync::Arc;

use mux_api::{AssetMeta, ErrorKind, MuxClient, MuxError, Upload};

use super::direct_upload::upload_request;
use super::ingest::Ingestor;
use super::pool::UploadPool;
use super::ServiceError;
use crate::config::UploadSettings;
use crate::domain::{details, AssetId, CampaignId, InfluencerId};
use crate::store::{CreativeAsset, NewAsset, Store, User};

/// What a user asks for (ids already parsed; everything else is checked here).
#[derive(Debug, Clone, Default)]
pub struct UploadRequest {
    pub name: String,
    pub description: Option<String>,
    pub campaign: Option<CampaignId>,
    pub influencer: Option<InfluencerId>,
    pub file_size: Option<u64>,
    pub file_type: Option<String>,
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
        let (name, description) = self.check(&request).await?;
        // 2. A spare upload from the pool, if one is ready: its row id is reserved already.
        let spare = self.pool.take();
        let id = spare.as_ref().map_or_else(AssetId::new, |s| s.id);
        // 3. Record the row first, so every upload Mux ever makes for us has a row to land on.
        self.store
            .insert_asset(&NewAsset {
                id,
                owner_id: user.id,
                campaign_id: request.campaign,
                influencer_id: request.influencer,
                name: name.clone(),
                description,
            })
            .await?;
        // 4. Otherwise create the direct upload now.
        let upload = match spare {
            Some(spare) => spare.upload,
            None => self.fresh_upload(id, user, name).await?,
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

    /// The name and description to store, or why the request is refused.
    async fn check(
        &self,
        request: &UploadRequest,
    ) -> Result<(String, Option<String>), CreateError> {
        let name = details::name(&request.name).map_err(CreateError::Invalid)?;
        let description = match request.description.as_deref() {
            Some(raw) => details::description(raw).map_err(CreateError::Invalid)?,
            None => None,
        };
        match request.file_size {
            Some(0) => return Err(CreateError::Invalid("the file is empty".into())),
            Some(size) if size > self.settings.max_upload_bytes => {
                return Err(CreateError::Invalid(format!(
                    "the file is {size} bytes; the limit is {} bytes",
                    self.settings.max_upload_bytes
                )))
            }
            _ => {}
        }
        if let Some(kind) = request.file_type.as_deref().filter(|t| !t.is_empty()) {
            if !(kind.starts_with("video/") || kind.starts_with("audio/")) {
                return Err(CreateError::Invalid(format!(
                    "{kind} is not a video or audio type"
                )));
            }
        }
        match (request.campaign, request.influencer) {
            (Some(campaign), influencer) => {
                if self.store.campaign(campaign).await?.is_none() {
                    return Err(CreateError::Invalid("no such campaign".into()));
                }
                if let Some(influencer) = influencer {
                    let known = self.store.influencers(campaign).await?;
                    if !known.iter().any(|i| i.id == influencer) {
                        return Err(CreateError::Invalid(
                            "that influencer is not in this campaign".into(),
                        ));
                    }
                }
            }
            (None, Some(_)) => {
                return Err(CreateError::Invalid(
                    "influencerId needs a campaignId".into(),
                ))
            }
            (None, None) => {}
        }
        Ok((name, description))
    }

    /// Creates a direct upload for row `id` (passthrough links every later event to the row). If
    /// Mux fails, the row is removed when the upload surely was not created, and marked ERROR
    /// with the reason when it may have been, so no orphan is left and nothing is lost track of.
    async fn fresh_upload(
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
        let surely_not_created = matches!(
            error.kind(),
            ErrorKind::Permanent
                | ErrorKind::BreakerOpen
                | ErrorKind::Throttled
                | ErrorKind::RateLimited
        );
        if surely_not_created {
            self.store.remove_unsent(id).await?;
        } else {
            self.store
                .mark_upload_failed(id, &error.to_string())
                .await?;
        }
        tracing::warn!(asset.id = %id, error = %error, "creating the Mux upload failed");
        Err(error.into())
    }
}
