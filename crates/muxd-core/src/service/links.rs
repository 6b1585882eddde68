//! A video from a link (`POST /api/mux/create-video-from-url`): the link is checked
//! ([`LinkProbe`]), the request like an upload's (name, campaign, influencer, type and size when
//! the server says them, the owner's create limits), the row recorded first (passthrough = its id),
//! then Mux is asked to make the asset from the link and fetches the file itself. From there the
//! row follows the lifecycle of any upload: webhooks in any order, the reconciler for what they
//! miss, and Mux's input errors (`download_failed`, `invalid_input`) shown in words. As with
//! uploads, a row whose create Mux surely did not apply is removed at once, and one whose fate is
//! unknown never records its link and is settled by the reconciler (`unsent.rs`).

use mux_api::{AssetMeta, CreateAssetRequest, MuxError};

use super::direct_upload::asset_settings;
use super::link_probe::{kept_form, name_from, LinkProbe};
use super::sync::{asset_events, Resync};
use super::uploads::{CreateError, UploadRequest, Uploads, VideoDetails};
use muxd_domain::AssetId;
use muxd_store::{CreativeAsset, StoreError, User};

/// What a user asks for: the link, and the same details as an upload (the name defaults to the
/// link's file name).
#[derive(Debug, Clone, Default)]
pub struct LinkRequest {
    pub url: String,
    pub name: Option<String>,
    pub details: VideoDetails,
}

/// Creates videos from links. Cheap to clone.
#[derive(Clone, Debug)]
pub struct LinkUploads {
    pub uploads: Uploads,
    pub resync: Resync,
    pub probe: LinkProbe,
}

impl LinkUploads {
    /// Creates the row and asks Mux to make its asset from `request.url`; returns the row as
    /// Mux's answer left it (MUX_PROCESSING).
    pub async fn create(
        &self,
        user: &User,
        request: LinkRequest,
    ) -> Result<CreativeAsset, CreateError> {
        let probed = self
            .probe
            .check(&request.url)
            .await
            .map_err(|why| CreateError::Invalid(format!("url: {why}")))?;
        let name = request
            .name
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| name_from(&probed.url));
        let upload = UploadRequest {
            name,
            file_size: probed.size,
            file_type: probed.kind,
            details: request.details,
        };
        let checked = self.uploads.check(user, &upload, false).await?;
        let id = AssetId::new();
        let new = checked.row(id, user.id);
        self.uploads.insert_counted(&new).await?;
        let meta = AssetMeta {
            title: Some(checked.name),
            creator_id: Some(user.external_id.to_string()),
            external_id: Some(id.to_string()),
        };
        let mut settings = asset_settings(&self.uploads.settings, id, Some(meta), checked.encoding);
        // A created asset's inputs are its own: the file, with what the settings ask of it.
        let mut input = settings.inputs.pop().unwrap_or_default();
        input.url = Some(probed.url.to_string());
        let create = CreateAssetRequest {
            inputs: vec![input],
            settings,
        };
        let asset = match self.uploads.mux.create_asset(&create).await {
            Ok(asset) => asset,
            Err(error) => return Err(self.failed(id, error).await),
        };
        let store = &self.uploads.store;
        store.set_source(id, &kept_form(&probed.url)).await?;
        let row = self.row(id).await?;
        self.resync
            .apply_reads(&row, asset_events(&asset))
            .await
            .map_err(CreateError::Failed)?;
        tracing::info!(asset.id = %id, mux.asset_id = %asset.id, "asset created from a link");
        Ok(self.row(id).await?)
    }

    /// The error for a create Mux did not accept; the row is removed when Mux surely made nothing.
    async fn failed(&self, id: AssetId, error: MuxError) -> CreateError {
        if !error.may_have_been_applied() {
            if let Err(store) = self.uploads.store.remove_unsent(id).await {
                return store.into();
            }
        }
        tracing::warn!(asset.id = %id, error = %error, "creating the Mux asset from a link failed");
        match error {
            // Mux refuses the input itself: the person who pasted it can fix that.
            MuxError::Permanent {
                status: 400,
                messages,
                ..
            } => CreateError::Invalid(format!("Mux refused the link: {}", messages.join("; "))),
            other => other.into(),
        }
    }

    async fn row(&self, id: AssetId) -> Result<CreativeAsset, StoreError> {
        self.uploads
            .store
            .asset(id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("asset {id} vanished after its create")))
    }
}
