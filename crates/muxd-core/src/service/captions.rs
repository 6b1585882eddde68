//! Captions an owner supplies, removes or asks Mux to generate for an asset that is ready
//! (docs/mux-facts.md §10). A supplied file is checked and converted to WebVTT here, kept in
//! `caption_files`, served to Mux at an unguessable URL that expires (`/captions/{id}.vtt`), and
//! Mux makes the track from it; the track of that language it replaces plays until the new one
//! is ready (the captions job, `caption_upkeep.rs`, then deletes the old one). Every track change
//! goes through the lifecycle like a webhook's, so views, history and the host app see it.

use std::sync::Arc;

use base64::Engine as _;
use mux_api::{CreateTrackRequest, GeneratedSubtitles, MuxClient, MuxError};
use rand::RngCore as _;

use super::direct_upload::{generated_captions, language_name};
use super::ingest::publish_committed;
use super::live::LiveHub;
use super::sync::{read_track, Resync};
use super::Refusal;
use super::ServiceError;
use crate::config::UploadSettings;
use muxd_domain::captions::{self, CaptionFormat};
use muxd_domain::encoding::Captions;
use muxd_domain::playback_token::PlaybackSigner;
use muxd_domain::tracks::{TextTrack, TrackStatus};
use muxd_domain::{AssetId, AssetStatus, Cause, LifecycleEvent};
use muxd_store::captions::CaptionFile;
use muxd_store::{now_ms, CreativeAsset, Store, StoreError, User};

/// How long Mux may take to fetch a supplied file.
const FILE_TTL_MS: i64 = 60 * 60 * 1_000;

/// Supplied and generated captions of assets. Cheap to clone.
#[derive(Clone, Debug)]
pub struct CaptionTracks {
    pub store: Store,
    pub mux: MuxClient,
    pub live: LiveHub,
    pub settings: UploadSettings,
    /// Mints tokens for a signed playback id's track files.
    pub signer: Option<Arc<PlaybackSigner>>,
    /// Reads an asset from Mux when a track's webhooks are late.
    pub resync: Resync,
    /// How long a track may stay preparing with no news of its asset before the asset is read
    /// from Mux (the reconciler's grace period).
    pub quiet_ms: i64,
}

impl From<ServiceError> for Refusal {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Store(error) => Refusal::Store(error),
            ServiceError::Mux(error) => Refusal::Mux(error),
        }
    }
}

/// A caption file as it arrived.
#[derive(Debug)]
pub struct SuppliedFile {
    pub language: String,
    /// The name players show; else the language's.
    pub name: Option<String>,
    pub format: CaptionFormat,
    pub body: Vec<u8>,
}

impl CaptionTracks {
    /// Checks `file`, keeps it as WebVTT and asks Mux to make a track of it. Returns the asset
    /// with the new track `preparing` (beside the one of that language it replaces, if any).
    pub async fn supply(
        &self,
        user: &User,
        id: AssetId,
        file: SuppliedFile,
    ) -> Result<CreativeAsset, Refusal> {
        let language = captions::parse_language(&file.language).map_err(Refusal::Invalid)?;
        let name = match file.name.as_deref().map(str::trim) {
            Some(name) if name.is_empty() || name.chars().count() > 100 => {
                return Err(Refusal::Invalid("name must be 1 to 100 characters".into()))
            }
            Some(name) => name.to_owned(),
            None => language_name(language.split('-').next().unwrap_or(&language)).to_owned(),
        };
        let text = std::str::from_utf8(&file.body)
            .map_err(|_| Refusal::Invalid("the file is not UTF-8 text".into()))?;
        let cues = captions::parse(file.format, text)
            .map_err(|error| Refusal::Invalid(format!("the caption file: {error}")))?;
        let asset = self.ready_asset(user, id).await?;
        let Some(public_url) = &self.settings.public_url else {
            return Err(Refusal::Conflict(
                "this muxd takes no caption files: MUXD_PUBLIC_URL, where Mux can fetch them, is not set"
                    .into(),
            ));
        };
        let mux_asset = mux_asset_id(&asset)?;
        let replaces = live_track(&asset, &language).map(|t| t.id.clone());
        let now = now_ms();
        let stored = CaptionFile {
            id: file_token(),
            asset_id: id.to_string(),
            language: language.clone(),
            name: name.clone(),
            body: captions::to_webvtt(&cues),
            created_at: now,
            expires_at: now + FILE_TTL_MS,
            mux_track_id: None,
            replaces_track_id: replaces,
        };
        self.store.insert_caption_file(&stored).await?;
        let request = CreateTrackRequest {
            url: format!("{public_url}/captions/{}.vtt", stored.id),
            track_type: "text".into(),
            text_type: "subtitles".into(),
            language_code: language,
            name,
            closed_captions: false,
            passthrough: Some(id.to_string()),
        };
        let track = match self.mux.create_track(mux_asset, &request).await {
            Ok(track) => track,
            Err(error) => {
                self.store.delete_caption_file(&stored.id).await?;
                return Err(error.into());
            }
        };
        let Some(track_id) = track.id.clone() else {
            return Err(Refusal::Mux(MuxError::Decode {
                status: 201,
                message: "Mux's new track has no id".into(),
            }));
        };
        self.store.set_caption_track(&stored.id, &track_id).await?;
        let tracks = std::iter::once((TrackStatus::Preparing, track));
        self.apply_tracks(&asset, tracks, &user_cause(user)).await
    }

    /// Deletes the captions of `language` (supplied or generated) on Mux and in the asset.
    pub async fn remove(
        &self,
        user: &User,
        id: AssetId,
        language: &str,
    ) -> Result<CreativeAsset, Refusal> {
        let language = captions::parse_language(language).map_err(Refusal::Invalid)?;
        let asset = self.owned(user, id).await?;
        let doomed: Vec<TextTrack> = asset
            .facts
            .tracks
            .iter()
            .filter(|t| t.language == language && t.status != TrackStatus::Deleted)
            .cloned()
            .collect();
        if doomed.is_empty() {
            return Err(Refusal::NotFound);
        }
        let mut asset = asset;
        for track in &doomed {
            asset = self
                .delete_track(&asset, track, &user_cause(user))
                .await?
                .ok_or(Refusal::NotFound)?;
        }
        Ok(asset)
    }

    /// Asks Mux to generate captions in `language` from the asset's audio (for an asset made
    /// without them, e.g. adopted, or before captions were on).
    pub async fn generate(
        &self,
        user: &User,
        id: AssetId,
        language: &str,
    ) -> Result<CreativeAsset, Refusal> {
        let Ok(Captions::Generated(language)) = language.parse::<Captions>() else {
            return Err(Refusal::Invalid(format!(
                "{language:?} is not a language Mux generates captions in"
            )));
        };
        let asset = self.ready_asset(user, id).await?;
        if live_track(&asset, language).is_some() {
            return Err(Refusal::Conflict(format!(
                "this video has {language} captions already; delete them first"
            )));
        }
        let mux_asset = mux_asset_id(&asset)?;
        let read = self.mux.get_asset(mux_asset).await?;
        let audio = read
            .tracks
            .iter()
            .find(|t| t.track_type.as_deref() == Some("audio"))
            .and_then(|t| t.id.clone())
            .ok_or_else(|| Refusal::Conflict("this video has no audio to caption".into()))?;
        let asked: Vec<GeneratedSubtitles> = vec![generated_captions(language, id)];
        let made = self
            .mux
            .generate_subtitles(mux_asset, &audio, &asked)
            .await?;
        let tracks = made.into_iter().map(|t| (TrackStatus::Preparing, t));
        self.apply_tracks(&asset, tracks, &user_cause(user)).await
    }

    /// The body of caption file `token`, while it has not expired.
    pub async fn file(&self, token: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .store
            .caption_file(token, now_ms())
            .await?
            .map(|file| file.body))
    }

    /// Applies what Mux answered about `tracks` to `asset`; the asset as it is after.
    async fn apply_tracks(
        &self,
        asset: &CreativeAsset,
        tracks: impl Iterator<Item = (TrackStatus, mux_api::Track)>,
        cause: &Cause,
    ) -> Result<CreativeAsset, Refusal> {
        let mut asset = asset.clone();
        for (status, track) in tracks {
            if let Some(track) = read_track(status, &track) {
                asset = self
                    .apply(&asset, track, cause)
                    .await?
                    .ok_or(Refusal::NotFound)?;
            }
        }
        Ok(asset)
    }

    /// Deletes `track` of `asset` on Mux (already gone is fine) and records it deleted; the
    /// asset after (`None` if its row is gone).
    pub(super) async fn delete_track(
        &self,
        asset: &CreativeAsset,
        track: &TextTrack,
        cause: &Cause,
    ) -> Result<Option<CreativeAsset>, ServiceError> {
        if let Some(mux_asset) = asset.facts.mux_asset_id.as_deref() {
            match self.mux.delete_track(mux_asset, &track.id).await {
                Err(error) if error.status() != Some(404) => return Err(error.into()),
                _ => {}
            }
        }
        let deleted = TextTrack {
            status: TrackStatus::Deleted,
            ..track.clone()
        };
        self.apply(asset, deleted, cause).await
    }

    /// Applies one track's news to `asset` through the lifecycle and tells live pages; the asset
    /// after (`None` if its row is gone). An asset with no Mux asset has no tracks to change.
    async fn apply(
        &self,
        asset: &CreativeAsset,
        track: TextTrack,
        cause: &Cause,
    ) -> Result<Option<CreativeAsset>, ServiceError> {
        let Some(asset_id) = asset.facts.mux_asset_id.clone() else {
            return Ok(Some(asset.clone()));
        };
        let event = LifecycleEvent::Track { asset_id, track };
        let stream_base = &self.settings.stream_base_url;
        if let Some(change) = self
            .store
            .apply(asset.id, &event, now_ms(), cause, stream_base)
            .await?
        {
            publish_committed(&self.live, &[(asset.clone(), change)]);
        }
        Ok(self.store.asset(asset.id).await?)
    }

    /// `user`'s asset `id` (not a take, not deleted).
    async fn owned(&self, user: &User, id: AssetId) -> Result<CreativeAsset, Refusal> {
        self.store
            .asset(id)
            .await?
            .filter(|a| a.owner_id == user.id && a.replaces.is_none())
            .filter(|a| a.facts.status != AssetStatus::Deleted)
            .ok_or(Refusal::NotFound)
    }

    /// `user`'s asset `id`, which must be ready: Mux adds tracks to ready assets only.
    async fn ready_asset(&self, user: &User, id: AssetId) -> Result<CreativeAsset, Refusal> {
        let asset = self.owned(user, id).await?;
        if asset.facts.status != AssetStatus::Ready {
            return Err(Refusal::Conflict(format!(
                "captions can be added to a ready video; this one is {}",
                asset.facts.status.as_str()
            )));
        }
        Ok(asset)
    }
}

/// The live track of `language` on `asset` (preparing or ready), if any.
fn live_track<'a>(asset: &'a CreativeAsset, language: &str) -> Option<&'a TextTrack> {
    asset
        .facts
        .tracks
        .iter()
        .find(|t| t.language == language && t.is_live())
}

fn mux_asset_id(asset: &CreativeAsset) -> Result<&str, Refusal> {
    asset
        .facts
        .mux_asset_id
        .as_deref()
        .ok_or_else(|| Refusal::Conflict("this video has no Mux asset yet".into()))
}

fn user_cause(user: &User) -> Cause {
    Cause::User {
        user_id: user.id.to_string(),
    }
}

/// 32 random bytes, URL-safe: a caption file's name nobody can guess.
fn file_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
