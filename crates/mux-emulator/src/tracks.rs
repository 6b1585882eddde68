//! Text tracks over time (docs/mux-facts.md §10), a domain operation beside `processing`:
//!
//! - Generated captions are made `preparing` with their asset (or by `generate-subtitles` on a
//!   ready one) and announced with `video.asset.track.created`. `text_track_delay` after the
//!   asset is ready (on the emulator's clock) each turns `ready`, its cues made by
//!   `transcripts` from the media's sha256 and duration, or `skipped` when the media has no
//!   audio. If the asset errors they end `errored` with it, without events (as its static
//!   renditions do).
//! - Supplied tracks are fetched from their URL (`fetch`, at most 1 MiB), parsed
//!   (`captions_parse`) and turn `ready`, or `errored` with `download_failed` or `invalid_input`.
//! - A ready track's cues are kept as `media/{track_id}.vtt`, which the stream host serves.
//!
//! Tracks left `preparing` by an earlier run on the same data dir are picked up by [`resume`].

use std::io;
use std::path::Path;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::captions_parse::{self, Cue};
use crate::fetch;
use crate::state::model::{Asset, AssetStatus};
use crate::state::text_tracks::{GeneratedRequest, TextSource, TextTrack, TrackStatus};
use crate::state::{Deadline, Emulator};
use crate::transcripts;

/// The largest caption file fetched.
const TEXT_CAP: u64 = 1 << 20;

/// Sends `video.asset.track.created` for each of a new asset's text tracks.
pub fn announce_created(emu: &Emulator, asset: &Asset) {
    for track in &asset.text_tracks {
        emu.emit_track("video.asset.track.created", &asset.id, track);
    }
}

/// The asset just turned ready: its generated tracks finish at `done_at`, the text track delay
/// after that moment. (Fixed by the caller before the asset showed as ready, so that advancing
/// the clock once the asset is seen ready always counts.)
pub fn asset_ready(emu: &Arc<Emulator>, asset: &Asset, done_at: Deadline) {
    let preparing = preparing_generated(asset);
    if !preparing.is_empty() {
        schedule_generation(emu, asset.id.clone(), preparing, done_at);
    }
}

/// The asset errored: its preparing tracks end `errored` with it (no events).
pub fn asset_errored(asset: &mut Asset) {
    for track in &mut asset.text_tracks {
        if track.status == TrackStatus::Preparing {
            track.status = TrackStatus::Errored;
            track.error = Some((
                "invalid_input".into(),
                vec!["the asset's input could not be processed".into()],
            ));
        }
    }
}

/// `generate-subtitles` on a ready asset: adds `preparing` tracks, announces them, and
/// schedules their generation. `None` if the asset is gone.
pub fn add_generated(
    emu: &Arc<Emulator>,
    asset_id: &str,
    requests: &[GeneratedRequest],
) -> Option<Vec<TextTrack>> {
    let tracks: Vec<TextTrack> = requests.iter().map(|r| r.track(emu.ids.mux_id())).collect();
    emu.store.update_asset(asset_id, |a| {
        a.text_tracks.extend(tracks.iter().cloned());
    })?;
    for track in &tracks {
        emu.emit_track("video.asset.track.created", asset_id, track);
    }
    let ids = tracks.iter().map(|t| t.id.clone()).collect();
    let done_at = emu.clock.deadline(emu.text_track_delay);
    schedule_generation(emu, asset_id.to_owned(), ids, done_at);
    Some(tracks)
}

/// A supplied track (`preparing`, with its `url`): added, announced, then fetched and parsed in
/// the background. `None` if the asset is gone.
pub fn add_supplied(emu: &Arc<Emulator>, asset_id: &str, track: TextTrack) -> Option<()> {
    let url = track.url.clone()?;
    emu.store
        .update_asset(asset_id, |a| a.text_tracks.push(track.clone()))?;
    emu.emit_track("video.asset.track.created", asset_id, &track);
    fetch_supplied(emu, asset_id.to_owned(), track.id, url);
    Some(())
}

/// Removes a text track and its files and sends `video.asset.track.deleted`; `None` if the
/// asset has no such text track.
pub async fn delete(emu: &Emulator, asset_id: &str, track_id: &str) -> Option<TextTrack> {
    let (removed, _) = emu.store.update_asset(asset_id, |a| {
        let at = a.text_tracks.iter().position(|t| t.id == track_id)?;
        Some(a.text_tracks.remove(at))
    })?;
    let track = removed?;
    remove_files(emu, &track.id).await;
    emu.emit_track("video.asset.track.deleted", asset_id, &track);
    Some(track)
}

/// Removes the files of every text track of a deleted asset.
pub async fn remove_all_files(emu: &Emulator, asset: &Asset) {
    for track in &asset.text_tracks {
        remove_files(emu, &track.id).await;
    }
}

async fn remove_files(emu: &Emulator, track_id: &str) {
    for path in [emu.track_path(track_id), emu.track_source_path(track_id)] {
        if let Err(e) = tokio::fs::remove_file(&path).await {
            if e.kind() != io::ErrorKind::NotFound {
                tracing::warn!(error = %e, path = %path.display(), "could not remove a track file");
            }
        }
    }
}

/// Picks up tracks left `preparing` by an earlier run on this data dir: generated ones of ready
/// assets are scheduled again, supplied ones fetched again. (Those of assets still preparing
/// finish when their asset does.)
pub fn resume(emu: &Arc<Emulator>) {
    for asset in emu.store.all_assets() {
        if asset.status != AssetStatus::Ready {
            continue;
        }
        asset_ready(emu, &asset, emu.clock.deadline(emu.text_track_delay));
        for track in &asset.text_tracks {
            if let (TrackStatus::Preparing, TextSource::Uploaded, Some(url)) =
                (track.status, track.text_source, &track.url)
            {
                tracing::info!(track.id = %track.id, "fetching a text track again after a restart");
                fetch_supplied(emu, asset.id.clone(), track.id.clone(), url.clone());
            }
        }
    }
}

fn preparing_generated(asset: &Asset) -> Vec<String> {
    (asset.text_tracks.iter())
        .filter(|t| t.status == TrackStatus::Preparing && t.text_source == TextSource::GeneratedVod)
        .map(|t| t.id.clone())
        .collect()
}

fn schedule_generation(
    emu: &Arc<Emulator>,
    asset_id: String,
    track_ids: Vec<String>,
    done_at: Deadline,
) {
    let task_emu = emu.clone();
    emu.spawn(async move {
        task_emu.clock.sleep_until(done_at).await;
        generate(&task_emu, &asset_id, &track_ids).await;
    });
}

/// Finishes generated tracks: `skipped` without audio, else `ready` with generated cues.
async fn generate(emu: &Emulator, asset_id: &str, track_ids: &[String]) {
    let Some(asset) = emu.store.asset(asset_id) else {
        return; // deleted meanwhile
    };
    let Some(media) = asset.media.clone() else {
        return; // only a ready asset's tracks are scheduled, and it has its media
    };
    if media.audio.is_none() {
        for id in track_ids {
            finish(emu, asset_id, id, Err(None)).await;
        }
        return;
    }
    let path = emu.media_path(&asset);
    let hashed = tokio::task::spawn_blocking(move || sha256_file(&path))
        .await
        .unwrap_or_else(|e| Err(io::Error::other(e.to_string())));
    let outcome = match hashed {
        Ok(sha256) => Ok(transcripts::generate(
            &sha256,
            media.duration_s,
            &emu.transcripts,
        )),
        Err(e) => Err(Some((
            "invalid_input",
            format!("could not read the media: {e}"),
        ))),
    };
    for id in track_ids {
        finish(emu, asset_id, id, outcome.clone()).await;
    }
}

/// Downloads and parses a supplied track's file in the background.
fn fetch_supplied(emu: &Arc<Emulator>, asset_id: String, track_id: String, url: String) {
    let task_emu = emu.clone();
    emu.spawn(async move {
        let emu = task_emu;
        let source = emu.track_source_path(&track_id);
        let outcome = match fetch::download(&url, &source, emu.allow_private_inputs, TEXT_CAP).await
        {
            Ok(()) => parse_file(&source).await,
            Err(e) => Err((
                "download_failed",
                format!("could not download the text track: {e}"),
            )),
        };
        let _ = tokio::fs::remove_file(&source).await;
        finish(&emu, &asset_id, &track_id, outcome.map_err(Some)).await;
    });
}

async fn parse_file(path: &Path) -> Result<Vec<Cue>, (&'static str, String)> {
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| ("download_failed", format!("could not read the file: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        (
            "invalid_input",
            "the text track is not UTF-8 text".to_owned(),
        )
    })?;
    captions_parse::parse(&text)
        .map_err(|e| ("invalid_input", format!("the text track is not valid: {e}")))
}

/// How a preparing track ends: its cues (`ready`), `None` (`skipped`), or an error (`errored`).
type Outcome = Result<Vec<Cue>, Option<(&'static str, String)>>;

/// Writes a ready track's cues, sets its status and sends the event; nothing if the track is
/// gone or no longer preparing.
async fn finish(emu: &Emulator, asset_id: &str, track_id: &str, outcome: Outcome) {
    let mut outcome = outcome;
    if let Ok(cues) = &outcome {
        let written = tokio::fs::write(emu.track_path(track_id), captions_parse::to_webvtt(cues));
        if let Err(e) = written.await {
            outcome = Err(Some((
                "invalid_input",
                format!("could not store the cues: {e}"),
            )));
        }
    }
    let changed = emu.store.update_asset(asset_id, |a| {
        let track = a.text_tracks.iter_mut().find(|t| t.id == track_id)?;
        if track.status != TrackStatus::Preparing {
            return Some(None); // finished already (e.g. before a restart)
        }
        match &outcome {
            Ok(_) => track.status = TrackStatus::Ready,
            Err(None) => track.status = TrackStatus::Skipped,
            Err(Some((kind, message))) => {
                track.status = TrackStatus::Errored;
                track.error = Some(((*kind).to_owned(), vec![message.clone()]));
            }
        }
        Some(Some(track.clone()))
    });
    let track = match changed {
        Some((Some(Some(track)), _)) => track,
        Some((Some(None), _)) => return,
        Some((None, _)) | None => {
            remove_files(emu, track_id).await; // deleted meanwhile
            return;
        }
    };
    let event = match track.status {
        TrackStatus::Ready => "video.asset.track.ready",
        TrackStatus::Skipped => "video.asset.track.skipped",
        _ => "video.asset.track.errored",
    };
    emu.emit_track(event, asset_id, &track);
}

fn sha256_file(path: &Path) -> io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    io::copy(&mut file, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}
