//! Creating an upload: check what the user asked for, create the `CreativeAsset` row, create the
//! Mux direct upload through the resilient client (passthrough = the row id) or take a spare
//! from the pool, and hand back the URL. If Mux refuses or is unreachable no orphan row is left:
//! a row whose upload surely was not created is removed at once; one whose fate is unknown (a
//! timeout after sending), like one whose create was interrupted (a crash, a database cut), never
//! records an upload URL, is never shown to its owner (who got none), and is settled by
//! [`Uploads::settle_unsent`] (`unsent.rs`) after a grace period.

use std::sync::Arc;
use std::time::Duration;

use mux_api::{AssetMeta, MuxClient, MuxError, Upload};

use super::campaigns::{self, PlacementError};
use super::direct_upload::upload_request;
use super::ingest::Ingestor;
use super::pool::UploadPool;
use super::ServiceError;
use crate::config::UploadSettings;
use muxd_domain::encoding::{Captions, Encoding};
use muxd_domain::{details, AssetId, CampaignId, InfluencerId, MuxUploadId, UserId};
use muxd_store::{CreateQuota, CreativeAsset, NewAsset, OverQuota, Store, User};

/// What a user asks for (checked here). The size is required: the size limit holds only for what
/// is announced.
#[derive(Debug, Clone, Default)]
pub struct UploadRequest {
    pub name: String,
    pub file_size: Option<u64>,
    pub file_type: Option<String>,
    pub details: VideoDetails,
}

/// What a user says of a new video besides its name and file, however it arrives (an upload or a
/// link). The campaign and influencer are named by the host app's ids or by muxd's.
#[derive(Debug, Clone, Default)]
pub struct VideoDetails {
    pub description: Option<String>,
    pub campaign: Option<String>,
    pub influencer: Option<String>,
    /// Generated captions for this video, instead of its campaign's (else the deployment's).
    pub captions: Option<Captions>,
}

/// A request as checked: what the row will hold.
pub(super) struct Checked {
    pub name: String,
    pub description: Option<String>,
    pub campaign: Option<CampaignId>,
    pub influencer: Option<InfluencerId>,
    /// The size in bytes, when known.
    pub file_size: Option<i64>,
    /// What the campaign (else the deployment) asks of Mux's encoding.
    pub encoding: Encoding,
}

impl Checked {
    /// The row a checked request makes: `id`, owned by `owner`.
    pub(super) fn row(&self, id: AssetId, owner: UserId) -> NewAsset {
        NewAsset {
            id,
            owner_id: owner,
            campaign_id: self.campaign,
            influencer_id: self.influencer,
            name: self.name.clone(),
            description: self.description.clone(),
            file_size: self.file_size,
            encoding: Some(self.encoding),
        }
    }
}

/// A created upload: the row and the URL the browser sends the file to.
#[derive(Debug, Clone)]
pub struct CreatedUpload {
    pub asset: CreativeAsset,
    pub upload_id: MuxUploadId,
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

impl From<muxd_store::StoreError> for CreateError {
    fn from(error: muxd_store::StoreError) -> Self {
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
        let checked = self.check(user, &request, true).await?;
        // 2. A spare upload from the pool, if one is ready and encodes as this one must: its row
        // id is reserved already.
        let spare = if checked.encoding == self.settings.encoding {
            self.pool.take()
        } else {
            None
        };
        let id = spare.as_ref().map_or_else(AssetId::new, |s| s.id);
        // 3. Record the row first, so every upload Mux ever makes for us has a row to land on;
        // the user's quotas are counted in the same transaction.
        let new = checked.row(id, user.id);
        if let Err(refused) = self.insert_counted(&new).await {
            if let Some(spare) = spare {
                self.pool.put_back(spare);
            }
            return Err(refused);
        }
        // 4. Otherwise create the direct upload now.
        let upload = match spare {
            Some(spare) => spare.upload,
            None => {
                self.fresh_upload(id, user, checked.name, checked.encoding)
                    .await?
            }
        };
        let url = upload.url.clone().unwrap_or_default();
        // 5. Remember the upload, and apply any event that raced ahead of us.
        self.store.set_upload(id, &upload.id, &url).await?;
        self.ingest.settle(id).await?;
        let asset = self.store.asset(id).await?.ok_or_else(|| {
            muxd_store::StoreError::Corrupt(format!("asset {id} vanished after its upload"))
        })?;
        tracing::info!(asset.id = %id, upload.id = %upload.id, "direct upload created");
        Ok(CreatedUpload {
            asset,
            upload_id: upload.id.into(),
            url,
        })
    }

    /// Inserts `new`, counted against its owner's create limits in the same transaction.
    pub(super) async fn insert_counted(&self, new: &NewAsset) -> Result<(), CreateError> {
        let quota = CreateQuota {
            per_minute: self.settings.per_user_per_minute,
            per_campaign: self.settings.per_user_per_campaign,
        };
        match self.store.insert_within_quota(new, quota).await? {
            Ok(_) => Ok(()),
            Err(OverQuota::TooMany { wait_ms }) => Err(CreateError::TooMany(
                Duration::from_millis(u64::try_from(wait_ms).unwrap_or(1)),
            )),
            Err(OverQuota::Campaign { held }) => Err(CreateError::Invalid(format!(
                "you have {held} videos in this campaign; the limit is {} per person (delete one to upload another)",
                quota.per_campaign
            ))),
        }
    }

    /// What to store, or why the request is refused. The size is required when `size_required`
    /// (a file the browser announces); else it is checked when known.
    pub(super) async fn check(
        &self,
        user: &User,
        request: &UploadRequest,
        size_required: bool,
    ) -> Result<Checked, CreateError> {
        let name = details::name(&request.name).map_err(CreateError::Invalid)?;
        let asked = &request.details;
        let description = match asked.description.as_deref() {
            Some(raw) => details::description(raw).map_err(CreateError::Invalid)?,
            None => None,
        };
        let file_size = if size_required {
            Some(self.check_file(request.file_size, request.file_type.as_deref())?)
        } else {
            self.check_known_file(request.file_size, request.file_type.as_deref())?
        };
        if asked.campaign.is_none() && self.settings.per_user_per_campaign > 0 {
            return Err(CreateError::Invalid(
                "campaignId is required: uploads are counted per campaign here".into(),
            ));
        }
        let place = campaigns::placement(
            &self.store,
            Some(user),
            asked.campaign.as_deref(),
            asked.influencer.as_deref(),
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
        let mut encoding = match &place.campaign {
            Some(campaign) => self.settings.encoding.with(campaign.encoding()),
            None => self.settings.encoding,
        };
        encoding.captions = asked.captions.unwrap_or(encoding.captions);
        Ok(Checked {
            name,
            description,
            campaign: place.campaign.map(|c| c.id),
            influencer: place.influencer,
            file_size,
            encoding,
        })
    }

    /// The announced size and type of a file, checked against the limits: its size to store.
    pub(super) fn check_file(
        &self,
        file_size: Option<u64>,
        file_type: Option<&str>,
    ) -> Result<i64, CreateError> {
        if file_size.is_none() {
            return Err(CreateError::Invalid("fileSize is required".into()));
        }
        self.check_known_file(file_size, file_type)
            .map(Option::unwrap_or_default)
    }

    /// Checks what is known of a file whose size may be unknown (a link's, when its server does
    /// not say): the size when known, the type when known.
    pub(super) fn check_known_file(
        &self,
        file_size: Option<u64>,
        file_type: Option<&str>,
    ) -> Result<Option<i64>, CreateError> {
        let file_size = match file_size {
            None => None,
            Some(0) => return Err(CreateError::Invalid("the file is empty".into())),
            Some(size) if size > self.settings.max_upload_bytes => {
                return Err(CreateError::Invalid(format!(
                    "the file is {size} bytes; the limit is {} bytes",
                    self.settings.max_upload_bytes
                )))
            }
            Some(size) => Some(i64::try_from(size).unwrap_or(i64::MAX)),
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
        encoding: Encoding,
    ) -> Result<Upload, CreateError> {
        let meta = AssetMeta {
            title: Some(name),
            creator_id: Some(user.external_id.to_string()),
            external_id: Some(id.to_string()),
        };
        let error = match self
            .mux
            .create_upload(&upload_request(&self.settings, id, Some(meta), encoding))
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
}
