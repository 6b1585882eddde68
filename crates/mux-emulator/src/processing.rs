//! "Processing": after the last byte the upload becomes `asset_created` and an asset is created
//! `preparing`; after the configured delay the real file is probed and the asset becomes `ready`
//! or `errored` (docs/mux-facts.md §2.3, §5.2).
//!
//! For an unreadable file the upload stays `asset_created` (its asset exists) and gets
//! `error {type, message}`; the emulator sends `video.asset.errored` and then
//! `video.upload.errored`, because Mux documents the latter as fired "when the asset created by
//! the direct upload fails. Most commonly … a non-video file" (§5.2).
//!
//! Static renditions asked for in `new_asset_settings` are announced after `video.asset.ready`,
//! one `video.asset.static_rendition.created` then `.ready` (or `.skipped`) per file; an errored
//! asset sends none (its files show `errored`).
//!
//! Text tracks (`tracks`) are announced after `video.asset.created` and finish after the asset
//! is ready.
//!
//! Assets made from a URL (`ingest`) share the rest: [`new_asset`], then, once their input is
//! downloaded, [`schedule_finish`]; a failed download ends them through [`errored`].
//!
//! A domain operation: it stands on the core (`state`) and the media probe; the upload URL
//! handlers and `ingest` call it, it calls nothing above. The delay runs on the emulator's clock, so
//! advancing the clock finishes processing early. Assets still `preparing` when an emulator
//! stopped are picked up again by [`resume`] when one starts on the same data dir.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::probe::{probe_file, MediaInfo, ProbeError};
use crate::state::model::{playback_policies, Asset, AssetStatus, PlaybackId, UploadStatus};
use crate::state::static_renditions::{self, FileStatus};
use crate::state::text_tracks::generated_on_inputs;
use crate::state::Emulator;
use crate::tracks;

/// Called once all bytes are in. A cancelled or timed-out upload creates no asset.
pub fn upload_complete(emu: &Arc<Emulator>, upload_id: &str) {
    let asset_id = emu.ids.mux_id();
    let Some((true, upload)) = emu.store.update_upload(upload_id, |u| {
        let waiting = u.status == UploadStatus::Waiting;
        if waiting {
            u.status = UploadStatus::AssetCreated;
            u.asset_id = Some(asset_id.clone());
        }
        waiting
    }) else {
        return;
    };
    let asset = new_asset(
        emu,
        asset_id,
        &upload.new_asset_settings,
        upload.test,
        Some(upload.id.clone()),
    );
    emu.store.insert_asset(asset.clone());
    // The order of the 2022 capture (docs/mux-facts.md §5.2): upload.asset_created, then asset.created.
    emu.emit_upload("video.upload.asset_created", &upload);
    emu.emit_asset("video.asset.created", &asset);
    tracks::announce_created(emu, &asset);
    schedule_finish(emu, asset.id);
}

/// A `preparing` asset with the given settings (already validated, defaults filled): its playback
/// ids, tiers, static renditions, the generated captions asked for on `inputs[0]`. Made from upload `upload_id`, or (with `None`) from a URL.
pub fn new_asset(
    emu: &Emulator,
    asset_id: String,
    settings: &Map<String, Value>,
    test: bool,
    upload_id: Option<String>,
) -> Asset {
    let wanted = settings
        .get("playback_policies")
        .or_else(|| settings.get("playback_policy"))
        .and_then(playback_policies)
        .unwrap_or_default();
    let text = |key: &str| settings.get(key).and_then(Value::as_str).map(str::to_owned);
    Asset {
        id: asset_id,
        created_at: emu.clock.unix_s(),
        status: AssetStatus::Preparing,
        upload_id,
        passthrough: text("passthrough"),
        meta: settings.get("meta").cloned(),
        playback_ids: wanted
            .into_iter()
            .map(|policy| PlaybackId {
                id: emu.ids.mux_id(),
                policy,
            })
            .collect(),
        max_resolution_tier: text("max_resolution_tier").unwrap_or_else(|| "1080p".into()),
        video_quality: text("video_quality").unwrap_or_else(|| "basic".into()),
        test: test
            || settings
                .get("test")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        media: None,
        track_ids: (emu.ids.mux_id(), emu.ids.mux_id()),
        errors: None,
        static_renditions: static_renditions::requested(settings, || emu.ids.mux_id()),
        input_url: None,
        text_tracks: generated_on_inputs(settings.get("inputs"))
            .unwrap_or_default()
            .iter()
            .map(|r| r.track(emu.ids.mux_id()))
            .collect(),
    }
}

/// Processes again every upload asset left `preparing` by an earlier run on this data dir (its
/// upload's bytes are all on disk), after the usual delay from now; URL-made assets resume in
/// `ingest`.
pub fn resume(emu: &Arc<Emulator>) {
    for asset in emu.store.all_assets() {
        if let (AssetStatus::Preparing, Some(_)) = (asset.status, &asset.upload_id) {
            tracing::info!(asset.id = %asset.id, "resuming processing after a restart");
            schedule_finish(emu, asset.id);
        }
    }
}

/// Finishes processing of the asset's media file after the processing delay (on the emulator's
/// clock).
pub fn schedule_finish(emu: &Arc<Emulator>, asset_id: String) {
    let task_emu = emu.clone();
    let done_at = emu.clock.deadline(emu.processing_delay);
    emu.spawn(async move {
        task_emu.clock.sleep_until(done_at).await;
        finish(&task_emu, &asset_id).await;
    });
}

async fn finish(emu: &Arc<Emulator>, asset_id: &str) {
    let Some(asset) = emu.store.asset(asset_id) else {
        return; // deleted while preparing
    };
    let path = emu.media_path(&asset);
    let probed = tokio::task::spawn_blocking(move || probe_file(&path))
        .await
        .unwrap_or_else(|e| Err(ProbeError::Invalid(format!("probe crashed: {e}"))));
    match probed {
        Ok(media) => ready(emu, asset_id, media),
        Err(e) => errored(emu, asset_id, "invalid_input", e.to_string()),
    }
}

fn ready(emu: &Arc<Emulator>, asset_id: &str, media: MediaInfo) {
    let tracks_done_at = emu.clock.deadline(emu.text_track_delay);
    let Some(((), asset)) = emu.store.update_asset(asset_id, |a| {
        a.status = AssetStatus::Ready;
        a.media = Some(media);
    }) else {
        return; // deleted while preparing
    };
    emu.emit_asset("video.asset.ready", &asset);
    emit_static_renditions(emu, &asset);
    tracks::asset_ready(emu, &asset, tracks_done_at);
}

/// After `video.asset.ready`, per requested file: `video.asset.static_rendition.created` (the
/// file `preparing`), then `.ready` (or `.skipped`); `data` is the file plus `asset_id`, and
/// `object` the asset (docs/mux-facts.md §5.2). The emulator has no encoding to wait for.
fn emit_static_renditions(emu: &Emulator, asset: &Asset) {
    for rendition in &asset.static_renditions {
        let status = asset.rendition_status(rendition);
        for shown in [FileStatus::Preparing, status] {
            let mut data = rendition.render(shown, asset.media.as_ref());
            data["asset_id"] = Value::from(asset.id.as_str());
            let event = match shown {
                FileStatus::Preparing => "created",
                FileStatus::Ready => "ready",
                FileStatus::Skipped => "skipped",
                FileStatus::Errored => "errored",
            };
            let event_type = format!("video.asset.static_rendition.{event}");
            emu.emit(&event_type, "asset", &asset.id, data);
        }
    }
}

/// Ends the asset `errored` with `errors {type: kind, messages: [message]}`; an upload's asset
/// also marks its upload (`video.upload.errored`).
pub fn errored(emu: &Emulator, asset_id: &str, kind: &str, message: String) {
    let Some(((), asset)) = emu.store.update_asset(asset_id, |a| {
        a.status = AssetStatus::Errored;
        a.errors = Some((kind.into(), vec![message.clone()]));
        tracks::asset_errored(a);
    }) else {
        return;
    };
    emu.emit_asset("video.asset.errored", &asset);
    let Some(upload_id) = &asset.upload_id else {
        return;
    };
    if let Some(((), upload)) = emu.store.update_upload(upload_id, |u| {
        u.error = Some((kind.into(), message));
    }) {
        emu.emit_upload("video.upload.errored", &upload);
    }
}
