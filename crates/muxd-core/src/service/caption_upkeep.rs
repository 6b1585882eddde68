//! The captions job's step ([`CaptionTracks::run_once`]): every asset whose text tracks changed,
//! or that became READY with tracks or captions asked for (`captions_due`, set by the lifecycle's
//! write), gets what the change asks for: the transcript of
//! each ready track fetched from Mux (bounded, through the resilience layer) and indexed for
//! search, the index of a track that is gone dropped, and a supplied track's predecessor deleted
//! once the new one is ready. A track still preparing (or asked for and unheard of) keeps the
//! mark; when the asset has heard nothing for a while, it is read from Mux, so a lost track
//! webhook is found.

use mux_api::{ErrorKind, MuxError};

use super::captions::CaptionTracks;
use super::ServiceError;
use muxd_domain::captions::{self, CaptionFormat};
use muxd_domain::playback_token::Audience;
use muxd_domain::tracks::{TextTrack, TrackSource, TrackStatus};
use muxd_domain::{AssetStatus, Cause, PlaybackPolicy};
use muxd_store::{now_ms, CreativeAsset};

/// Assets looked at per step.
const BATCH: i64 = 32;
/// The largest transcript taken (WebVTT).
const MAX_TRANSCRIPT_BYTES: usize = 2 * 1024 * 1024;
/// How long a token for fetching a signed asset's track opens it.
const TOKEN_SECS: i64 = 600;

impl CaptionTracks {
    /// One step of the captions job at `now` (unix ms): how many assets it looked at.
    pub async fn run_once(&self, now: i64) -> Result<usize, ServiceError> {
        self.store.prune_caption_files(now).await?;
        let due = self.store.captions_due(now, BATCH).await?;
        for asset in &due {
            let look_again = match self.settle(asset, now).await {
                Ok(look_again) => look_again,
                Err(ServiceError::Mux(error))
                    if matches!(error.kind(), ErrorKind::Permanent | ErrorKind::Decode) =>
                {
                    // Trying again would get the same answer; the next change looks again.
                    tracing::warn!(asset = %asset.id, %error, "captions: Mux refused; left as is");
                    None
                }
                Err(error) => {
                    tracing::warn!(asset = %asset.id, %error, "captions: will try again");
                    Some(now + self.quiet_ms / 2)
                }
            };
            self.store
                .captions_done(asset.id, asset.version, look_again)
                .await?;
        }
        Ok(due.len())
    }

    /// Does what `asset`'s tracks ask; when to look again, if a track is still preparing (or an
    /// asked-for one unheard of, until Mux has been read once). Only a
    /// READY asset's captions are searched (a take's become its card's at the swap, which marks
    /// the card); any other's index is dropped.
    async fn settle(&self, asset: &CreativeAsset, now: i64) -> Result<Option<i64>, ServiceError> {
        if asset.facts.status != AssetStatus::Ready || asset.replaces.is_some() {
            for track in self.store.transcript_tracks(asset.id).await? {
                self.store.remove_transcript(asset.id, &track).await?;
            }
            return Ok(None);
        }
        let tracks = &asset.facts.tracks;
        let preparing = tracks.iter().any(|t| t.status == TrackStatus::Preparing);
        // Captions were asked for and muxd has heard of no such track: its webhooks may be lost.
        let unheard = asset
            .encoding
            .as_ref()
            .and_then(|e| e.captions.language())
            .is_some_and(|language| {
                !tracks
                    .iter()
                    .any(|t| t.source == TrackSource::Generated && t.language == language)
            });
        let quiet = now - asset.updated_at >= self.quiet_ms;
        if (preparing || unheard) && quiet {
            // Its webhooks are late or lost: what Mux says now comes through the lifecycle,
            // and a change marks the asset again (a track Mux does not have is not asked for
            // again).
            self.resync.asset(asset.id).await?;
        }
        self.retire_replaced(asset).await?;
        self.index_transcripts(asset).await?;
        Ok((preparing || (unheard && !quiet)).then_some(now + self.quiet_ms))
    }

    /// For each supplied file whose track Mux has finished: once ready, the track it replaces is
    /// deleted; either way the file is no longer needed.
    async fn retire_replaced(&self, asset: &CreativeAsset) -> Result<(), ServiceError> {
        for file in self.store.caption_files_of(asset.id).await? {
            let Some(track) = find(&asset.facts.tracks, file.mux_track_id.as_deref()) else {
                continue;
            };
            if track.status == TrackStatus::Preparing {
                continue;
            }
            let old = find(&asset.facts.tracks, file.replaces_track_id.as_deref());
            if let (TrackStatus::Ready, Some(old)) = (track.status, old.filter(|t| t.is_live())) {
                let cause = Cause::Poll {
                    what: "captions: replaced by a supplied file".into(),
                };
                self.delete_track(asset, old, &cause).await?;
            }
            self.store.delete_caption_file(&file.id).await?;
        }
        Ok(())
    }

    /// Indexes the transcript of each ready track not indexed yet, and drops the index of tracks
    /// that are no longer ready (deleted, or gone with a replaced file).
    async fn index_transcripts(&self, asset: &CreativeAsset) -> Result<(), ServiceError> {
        let indexed = self.store.transcript_tracks(asset.id).await?;
        let ready: Vec<&TextTrack> = asset
            .facts
            .tracks
            .iter()
            .filter(|t| t.status == TrackStatus::Ready)
            .collect();
        for track in &ready {
            if !indexed.contains(&track.id) {
                let cues = self.transcript(asset, track).await?;
                self.store
                    .index_transcript(asset.id, &track.id, &track.language, &cues)
                    .await?;
            }
        }
        for id in indexed
            .iter()
            .filter(|id| !ready.iter().any(|t| &t.id == *id))
        {
            self.store.remove_transcript(asset.id, id).await?;
        }
        Ok(())
    }

    /// The cues of `track`, read from the stream host (empty when the asset cannot be played).
    async fn transcript(
        &self,
        asset: &CreativeAsset,
        track: &TextTrack,
    ) -> Result<Vec<captions::Cue>, ServiceError> {
        let Some(playback_id) = asset.facts.ready.playback_id.as_deref() else {
            return Ok(Vec::new());
        };
        let mut url = format!(
            "{}/{playback_id}/text/{}.vtt",
            self.settings.stream_base_url.trim_end_matches('/'),
            track.id
        );
        if asset.facts.ready.playback_policy == Some(PlaybackPolicy::Signed) {
            let Some(signer) = &self.signer else {
                return Ok(Vec::new());
            };
            let expires = now_ms() / 1_000 + TOKEN_SECS;
            url.push_str("?token=");
            url.push_str(&signer.token(playback_id, Audience::Video, expires));
        }
        let text = self.mux.fetch_text(&url, MAX_TRANSCRIPT_BYTES).await?;
        captions::parse(CaptionFormat::WebVtt, &text).map_err(|error| {
            ServiceError::Mux(MuxError::Decode {
                status: 200,
                message: format!("the transcript of track {}: {error}", track.id),
            })
        })
    }
}

fn find<'a>(tracks: &'a [TextTrack], id: Option<&str>) -> Option<&'a TextTrack> {
    id.and_then(|id| tracks.iter().find(|t| t.id == id))
}
