//! The Mux operations muxd uses, one method each (docs/mux-facts.md §2 and §4). Every method goes
//! through the resilience layer; ids are checked before they are put into a path.

use reqwest::Method;

use crate::client::MuxClient;
use crate::error::MuxError;
use crate::http::{decode_data, decode_nothing, decode_whole, Request};
use crate::types::{
    Asset, CreateAssetRequest, CreateUploadRequest, ListAssetsParams, ListUploadsParams, Page,
    PlaybackId, PlaybackIdLookup, PlaybackPolicy, SigningKey, UpdateAssetRequest, Upload,
};

impl MuxClient {
    /// `POST /video/v1/uploads`: a new direct upload with its PUT URL.
    pub async fn create_upload(&self, request: &CreateUploadRequest) -> Result<Upload, MuxError> {
        let request = Request::new(Method::POST, "/video/v1/uploads".into()).json(request)?;
        self.call("create_upload", request, decode_data).await
    }

    /// `POST /video/v1/assets`: an asset Mux makes from a file it fetches from a URL; it starts
    /// `preparing`, and an unreachable or unreadable file ends it `errored`.
    pub async fn create_asset(&self, request: &CreateAssetRequest) -> Result<Asset, MuxError> {
        let request = Request::new(Method::POST, "/video/v1/assets".into()).json(request)?;
        self.call("create_asset", request, decode_data).await
    }

    /// `GET /video/v1/uploads/{id}`.
    pub async fn get_upload(&self, upload_id: &str) -> Result<Upload, MuxError> {
        let path = format!("/video/v1/uploads/{}", id(upload_id)?);
        self.call("get_upload", Request::new(Method::GET, path), decode_data)
            .await
    }

    /// `GET /video/v1/uploads?limit=&page=`.
    pub async fn list_uploads(&self, params: ListUploadsParams) -> Result<Page<Upload>, MuxError> {
        let request = Request::new(Method::GET, "/video/v1/uploads".into())
            .param("limit", params.limit)
            .param("page", params.page);
        self.call("list_uploads", request, decode_whole).await
    }

    /// `PUT /video/v1/uploads/{id}/cancel`: only from `waiting` (else a permanent 403).
    pub async fn cancel_upload(&self, upload_id: &str) -> Result<Upload, MuxError> {
        let path = format!("/video/v1/uploads/{}/cancel", id(upload_id)?);
        self.call(
            "cancel_upload",
            Request::new(Method::PUT, path),
            decode_data,
        )
        .await
    }

    /// `POST /system/v1/signing-keys`: a new URL signing key, its private key in this answer
    /// only.
    pub async fn create_signing_key(&self) -> Result<SigningKey, MuxError> {
        let request = Request::new(Method::POST, "/system/v1/signing-keys".into());
        self.call("create_signing_key", request, decode_data).await
    }

    /// `GET /video/v1/assets/{id}`.
    pub async fn get_asset(&self, asset_id: &str) -> Result<Asset, MuxError> {
        let path = format!("/video/v1/assets/{}", id(asset_id)?);
        self.call("get_asset", Request::new(Method::GET, path), decode_data)
            .await
    }

    /// `GET /video/v1/assets` by page, by cursor, or by upload id.
    pub async fn list_assets(&self, params: &ListAssetsParams) -> Result<Page<Asset>, MuxError> {
        let request = Request::new(Method::GET, "/video/v1/assets".into())
            .param("limit", params.limit)
            .param("page", params.page)
            .param("cursor", params.cursor.as_deref())
            .param("upload_id", params.upload_id.as_deref());
        self.call("list_assets", request, decode_whole).await
    }

    /// `PATCH /video/v1/assets/{id}`: passthrough and meta only.
    pub async fn update_asset(
        &self,
        asset_id: &str,
        update: &UpdateAssetRequest,
    ) -> Result<Asset, MuxError> {
        let path = format!("/video/v1/assets/{}", id(asset_id)?);
        let request = Request::new(Method::PATCH, path).json(update)?;
        self.call("update_asset", request, decode_data).await
    }

    /// `DELETE /video/v1/assets/{id}` (204).
    pub async fn delete_asset(&self, asset_id: &str) -> Result<(), MuxError> {
        let path = format!("/video/v1/assets/{}", id(asset_id)?);
        self.call(
            "delete_asset",
            Request::new(Method::DELETE, path),
            decode_nothing,
        )
        .await
    }

    /// `POST /video/v1/assets/{id}/playback-ids`.
    pub async fn create_playback_id(
        &self,
        asset_id: &str,
        policy: PlaybackPolicy,
    ) -> Result<PlaybackId, MuxError> {
        let path = format!("/video/v1/assets/{}/playback-ids", id(asset_id)?);
        let body = serde_json::json!({ "policy": policy });
        let request = Request::new(Method::POST, path).json(&body)?;
        self.call("create_playback_id", request, decode_data).await
    }

    /// `GET /video/v1/assets/{asset}/playback-ids/{playback}`.
    pub async fn get_asset_playback_id(
        &self,
        asset_id: &str,
        playback_id: &str,
    ) -> Result<PlaybackId, MuxError> {
        let path = format!(
            "/video/v1/assets/{}/playback-ids/{}",
            id(asset_id)?,
            id(playback_id)?
        );
        self.call(
            "get_asset_playback_id",
            Request::new(Method::GET, path),
            decode_data,
        )
        .await
    }

    /// `DELETE /video/v1/assets/{asset}/playback-ids/{playback}` (204).
    pub async fn delete_playback_id(
        &self,
        asset_id: &str,
        playback_id: &str,
    ) -> Result<(), MuxError> {
        let path = format!(
            "/video/v1/assets/{}/playback-ids/{}",
            id(asset_id)?,
            id(playback_id)?
        );
        self.call(
            "delete_playback_id",
            Request::new(Method::DELETE, path),
            decode_nothing,
        )
        .await
    }

    /// `GET /video/v1/playback-ids/{id}`: the playback id and the asset (or stream) it serves.
    pub async fn get_playback_id(&self, playback_id: &str) -> Result<PlaybackIdLookup, MuxError> {
        let path = format!("/video/v1/playback-ids/{}", id(playback_id)?);
        self.call(
            "get_playback_id",
            Request::new(Method::GET, path),
            decode_data,
        )
        .await
    }
}

/// Mux ids are URL-safe tokens; anything else (empty, `/`, `..`, spaces) is refused before it
/// can change the path.
pub(crate) fn id(value: &str) -> Result<&str, MuxError> {
    let valid = !value.is_empty()
        && value.len() <= 255
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(value)
    } else {
        Err(MuxError::InvalidRequest {
            message: format!("not a Mux id: {value:?}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::id;

    #[test]
    fn ids_that_could_change_the_path_are_refused() {
        assert!(id("zd01Pe2bNpYhxbrwYABgFE01twZdtv4M00kts2i02GhbGjc").is_ok());
        assert!(id("a-b_c").is_ok());
        for bad in ["", "../assets", "a/b", "a b", "a?x=1", "é"] {
            assert!(id(bad).is_err(), "{bad}");
        }
    }
}
