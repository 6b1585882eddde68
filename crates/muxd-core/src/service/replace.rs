//! Replacing a video in place: the owner of a READY asset picks a new file for it. The new file
//! is uploaded as a hidden take (`store::replacements`): the asset keeps its id, campaign, name
//! and history and goes on playing its old video until the take is READY, then takes the new
//! Mux asset (the old one is deleted by the deletion job); a take that fails leaves the old video
//! playing and the asset's `replacement` says why. One replacement at a time: a new request
//! supersedes one whose file has not arrived (its upload is cancelled), is refused (409) while
//! Mux processes one, and may start after one failed. A new file counts against the owner's
//! per-minute upload limit (429), not against the per-campaign one.
//! The take's upload is made like any other (`Uploads::fresh_upload`): a create Mux surely did
//! not make removes it, an unsent one is settled by the reconciler like any unsent upload; either
//! way the asset is free at once to take another file (the owner never got a URL).

use std::time::Duration;

use super::uploads::{CreateError, CreatedUpload, Uploads};
use muxd_domain::AssetId;
use muxd_store::replacements::ReplaceRefused;
use muxd_store::{StoreError, User};

/// The new file, as the browser announces it.
#[derive(Debug, Clone, Default)]
pub struct ReplaceRequest {
    pub file_size: Option<u64>,
    pub file_type: Option<String>,
}

/// Why a replacement was not started.
#[derive(Debug, thiserror::Error)]
pub enum ReplaceError {
    /// No such asset of this user.
    #[error("not found")]
    NotFound,
    /// The asset cannot take a new file now; the message is a sentence for the user.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Create(#[from] CreateError),
}

impl From<StoreError> for ReplaceError {
    fn from(error: StoreError) -> Self {
        ReplaceError::Create(error.into())
    }
}

impl Uploads {
    /// Starts replacing `user`'s asset `id` with a new file: the direct upload to send it to,
    /// and the asset as it is now (its replacement uploading).
    pub async fn replace(
        &self,
        user: &User,
        id: AssetId,
        request: ReplaceRequest,
    ) -> Result<CreatedUpload, ReplaceError> {
        let file_size = self.check_file(request.file_size, request.file_type.as_deref())?;
        let take = AssetId::new();
        let (card, _) = match self
            .store
            .start_replacement(
                id,
                user.id,
                take,
                file_size,
                self.settings.per_user_per_minute,
            )
            .await?
        {
            Ok(started) => started,
            Err(ReplaceRefused::NotFound) => return Err(ReplaceError::NotFound),
            Err(ReplaceRefused::NotReady(status)) => {
                return Err(ReplaceError::Conflict(format!(
                    "only a ready video can be replaced; this one is {}",
                    status.as_str()
                )))
            }
            Err(ReplaceRefused::TooMany { wait_ms }) => {
                let wait = Duration::from_millis(u64::try_from(wait_ms).unwrap_or(1));
                return Err(CreateError::TooMany(wait).into());
            }
            Err(ReplaceRefused::Busy) => {
                return Err(ReplaceError::Conflict(
                    "a new file for this video is being processed; wait until it is ready or has failed".into(),
                ))
            }
        };
        // The new file is encoded as the card's was (an adopted card has no record: the defaults).
        let encoding = card.encoding.unwrap_or(self.settings.encoding);
        let upload = match self
            .fresh_upload(take, user, card.name.clone(), encoding)
            .await
        {
            Ok(upload) => upload,
            Err(error) => {
                // The owner got no URL: the card is free again; an unsent take is settled later.
                self.store.release_unsent_take(take).await?;
                return Err(error.into());
            }
        };
        let url = upload.url.clone().unwrap_or_default();
        self.store.set_upload(take, &upload.id, &url).await?;
        self.ingest.settle(take).await?;
        let asset = self.store.asset(id).await?.ok_or_else(|| {
            StoreError::Corrupt(format!("asset {id} vanished while being replaced"))
        })?;
        tracing::info!(asset.id = %id, take.id = %take, upload.id = %upload.id, "replacement upload created");
        Ok(CreatedUpload {
            asset,
            upload_id: upload.id.into(),
            url,
        })
    }
}
