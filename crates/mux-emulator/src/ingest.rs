//! Assets made from a URL (`POST /video/v1/assets`, docs/mux-facts.md §4.1): the input is
//! downloaded into the asset's media file, then processed like an upload's bytes (`processing`).
//! An input that cannot be downloaded ends the asset `errored` `download_failed`.
//!
//! A domain operation above `fetch` and `processing`. Assets still `preparing` when an emulator
//! stopped resume with [`resume`]: processed if their input is on disk, downloaded again if not.

use std::sync::Arc;

use crate::fetch;
use crate::processing;
use crate::state::model::AssetStatus;
use crate::state::Emulator;

/// The largest input downloaded (the emulator has no upload size limit to follow).
const INPUT_CAP: u64 = 4 << 30;

/// Downloads `url` for the asset in the background, then processes it.
pub fn fetch_and_process(emu: &Arc<Emulator>, asset_id: String, url: String) {
    let task_emu = emu.clone();
    emu.spawn(async move {
        let emu = task_emu;
        let dest = emu.input_path(&asset_id);
        match fetch::download(&url, &dest, emu.allow_private_inputs, INPUT_CAP).await {
            Ok(()) if emu.store.asset(&asset_id).is_none() => {
                // Deleted while downloading: nothing will play the file.
                let _ = tokio::fs::remove_file(&dest).await;
            }
            Ok(()) => processing::schedule_finish(&emu, asset_id),
            Err(e) => {
                tracing::info!(asset.id = %asset_id, error = %e, "input download failed");
                let message = format!("could not download the input file: {e}");
                processing::errored(&emu, &asset_id, "download_failed", message);
            }
        }
    });
}

/// Picks up URL-made assets left `preparing` by an earlier run on this data dir.
pub fn resume(emu: &Arc<Emulator>) {
    for asset in emu.store.all_assets() {
        let (AssetStatus::Preparing, Some(url)) = (asset.status, asset.input_url.clone()) else {
            continue;
        };
        tracing::info!(asset.id = %asset.id, "resuming a URL input after a restart");
        if emu.input_path(&asset.id).is_file() {
            processing::schedule_finish(emu, asset.id);
        } else {
            fetch_and_process(emu, asset.id, url);
        }
    }
}
