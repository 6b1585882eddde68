//! What a read of Mux's API means for the lifecycle: an upload or asset as returned by
//! `GET /uploads/{id}` / `GET /assets/{id}`, turned into the same [`LifecycleEvent`]s a webhook
//! would give, so polling and webhooks share one transition function. Then [`Resync::asset`]
//! reads both for one row and applies them (admin resync; the reconciler's step), through
//! [`Resync::apply_reads`], which adoption also uses for the asset it read.

use mux_api::{
    Asset, AssetStatus as MuxAssetStatus, MuxClient, PlaybackPolicy, Upload, UploadStatus,
};

use super::ingest::{publish_committed, Ingestor};
use super::live::LiveHub;
use super::ServiceError;
use muxd_domain::event::ErrorSource;
use muxd_domain::interpret::text_track;
use muxd_domain::tracks::{TextTrack, TrackStatus};
use muxd_domain::{AssetId, Cause, Change, ErrorInfo, LifecycleEvent, MuxAssetId, ReadyDetails};
use muxd_store::{now_ms, CreativeAsset, Store};

/// The event an upload read implies.
pub fn upload_event(upload: &Upload) -> Option<LifecycleEvent> {
    match upload.status {
        UploadStatus::Waiting => Some(LifecycleEvent::UploadCreated),
        UploadStatus::AssetCreated => {
            upload
                .asset_id
                .as_deref()
                .map(|asset_id| LifecycleEvent::UploadAssetCreated {
                    asset_id: asset_id.into(),
                })
        }
        UploadStatus::Errored => Some(LifecycleEvent::UploadErrored {
            error: ErrorInfo {
                kind: upload
                    .error
                    .as_ref()
                    .and_then(|e| e.error_type.clone())
                    .unwrap_or_else(|| "unknown".into()),
                message: upload
                    .error
                    .as_ref()
                    .and_then(|e| e.message.clone())
                    .unwrap_or_else(|| "Mux gave no reason".into()),
                source: ErrorSource::Upload,
            },
        }),
        UploadStatus::Cancelled => Some(LifecycleEvent::UploadCancelled),
        UploadStatus::TimedOut => Some(LifecycleEvent::UploadTimedOut),
        UploadStatus::Unknown => None,
    }
}

/// What an asset read says, each event with what was read: its status, then each text track.
pub fn asset_events(asset: &Asset) -> Vec<(&'static str, LifecycleEvent)> {
    let tracks = asset.tracks.iter().filter_map(|track| {
        let status = TrackStatus::of_read(track.status.as_deref()?)?;
        Some(LifecycleEvent::Track {
            asset_id: asset.id.as_str().into(),
            track: read_track(status, track)?,
        })
    });
    asset_event(asset)
        .into_iter()
        .chain(tracks)
        .map(|event| ("asset", event))
        .collect()
}

/// A text track as Mux's API answered it (an asset read, a track made or generated), with the
/// status that answer means; `None` for audio and video tracks. Read by the same rules as a track
/// webhook's `data` ([`text_track`]).
pub fn read_track(status: TrackStatus, track: &mux_api::Track) -> Option<TextTrack> {
    text_track(status, &serde_json::to_value(track).ok()?)
}

/// The event an asset read's status implies.
fn asset_event(asset: &Asset) -> Option<LifecycleEvent> {
    let asset_id = MuxAssetId::from(asset.id.as_str());
    match asset.status {
        MuxAssetStatus::Preparing => Some(LifecycleEvent::AssetCreated { asset_id }),
        MuxAssetStatus::Ready => {
            let playback = asset.playback_ids.first();
            Some(LifecycleEvent::AssetReady {
                asset_id,
                details: ReadyDetails {
                    playback_id: playback.map(|p| p.id.as_str().into()),
                    playback_policy: playback.and_then(|p| policy(p.policy)),
                    duration_s: asset.duration,
                    aspect_ratio: asset.aspect_ratio.clone(),
                    resolution_tier: asset.resolution_tier.clone(),
                    mp4_ready: asset.mp4_ready(),
                },
            })
        }
        MuxAssetStatus::Errored => Some(LifecycleEvent::AssetErrored {
            asset_id,
            error: ErrorInfo {
                kind: asset
                    .errors
                    .as_ref()
                    .and_then(|e| e.error_type.clone())
                    .unwrap_or_else(|| "unknown".into()),
                message: asset
                    .errors
                    .as_ref()
                    .map(|e| e.messages.join("; "))
                    .filter(|m| !m.is_empty())
                    .unwrap_or_else(|| "Mux gave no reason".into()),
                source: ErrorSource::Asset,
            },
        }),
        MuxAssetStatus::Unknown => None,
    }
}

fn policy(policy: PlaybackPolicy) -> Option<muxd_domain::PlaybackPolicy> {
    match policy {
        PlaybackPolicy::Public => Some(muxd_domain::PlaybackPolicy::Public),
        PlaybackPolicy::Signed => Some(muxd_domain::PlaybackPolicy::Signed),
        PlaybackPolicy::Drm => Some(muxd_domain::PlaybackPolicy::Drm),
        PlaybackPolicy::Unknown => None,
    }
}

/// Reads assets from Mux and applies what Mux says. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Resync {
    pub store: Store,
    pub mux: MuxClient,
    pub ingest: Ingestor,
    pub live: LiveHub,
    pub stream_base: String,
}

impl Resync {
    /// Reads row `id`'s upload, then its asset, from Mux and applies what they say. Returns the
    /// changes applied (none if the row already knew everything).
    pub async fn asset(&self, id: AssetId) -> Result<Vec<Change>, ServiceError> {
        let Some(row) = self.store.asset(id).await? else {
            return Ok(Vec::new());
        };
        let mut events = Vec::new();
        let mut asset_id = row.facts.mux_asset_id.clone();
        if let Some(upload_id) = &row.mux_upload_id {
            let upload = self.mux.get_upload(upload_id).await?;
            asset_id = asset_id.or_else(|| upload.asset_id.as_deref().map(Into::into));
            events.extend(upload_event(&upload).map(|e| ("upload", e)));
        }
        if let Some(asset_id) = asset_id {
            let asset = self.mux.get_asset(&asset_id).await?;
            events.extend(asset_events(&asset));
        }
        self.apply_reads(&row, events).await
    }

    /// Applies what reads of Mux said about `row` (each event with what was read: `upload` or
    /// `asset`), then any webhook that waits for the row. Returns the changes applied.
    pub async fn apply_reads(
        &self,
        row: &CreativeAsset,
        events: Vec<(&str, LifecycleEvent)>,
    ) -> Result<Vec<Change>, ServiceError> {
        let mut changes = Vec::new();
        // What muxd already knows is no news; the store applies only news.
        for (what, event) in events {
            let cause = Cause::Poll {
                what: format!("GET {what}"),
            };
            if let Some(change) = self
                .store
                .apply(row.id, &event, now_ms(), &cause, &self.stream_base)
                .await?
            {
                publish_committed(&self.live, &[(row.clone(), change.clone())]);
                changes.push(change);
            }
        }
        self.ingest.settle(row.id).await?;
        Ok(changes)
    }
}
