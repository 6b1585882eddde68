//! Background work that keeps promises made to users and operators:
//! - finishing deletions: an owner's delete is recorded at once; the Mux asset (or the unused
//!   upload) is deleted here, retried until Mux confirms, so no deletion is ever forgotten;
//! - forgetting webhook events older than the retention window;
//! - keeping the pool of spare direct uploads filled (`pool.rs`);
//! - reconciling what webhooks missed (`reconcile`).
//!
//! Each job is a `run_once` step (tests call it directly) plus a loop in [`spawn`].

use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::app::{run_loop, AppState};
use crate::store::assets::CreativeAsset;
use crate::store::now_ms;

/// Pause between deletion sweeps when there is nothing (more) to do.
const DELETE_IDLE: Duration = Duration::from_secs(10);
/// Pause after a sweep that failed.
const DELETE_ON_ERROR: Duration = Duration::from_secs(30);
/// Rows finished per sweep.
const DELETE_BATCH: i64 = 20;
/// Pause between retention purges.
const PURGE_IDLE: Duration = Duration::from_secs(3600);
/// Pause between reconcile steps (each polls only what is due).
const RECONCILE_IDLE: Duration = Duration::from_secs(1);
/// Pause after a reconcile step failed (database unavailable).
const RECONCILE_ON_ERROR: Duration = Duration::from_secs(10);
/// Pause between pool refill steps (one spare per step at most, ≈ Mux's POST rate).
const POOL_IDLE: Duration = Duration::from_secs(1);
/// Pause after a refill step failed (Mux unavailable).
const POOL_ON_ERROR: Duration = Duration::from_secs(10);

/// Starts the loops; they stop when `token` is cancelled.
pub fn spawn(app: AppState, token: CancellationToken) -> Vec<JoinHandle<()>> {
    let deleter = app.clone();
    let purger = app.clone();
    let pooler = app.clone();
    let mut loops = Vec::new();
    if let Some(schedule) = app.reconcile.clone() {
        loops.push(tokio::spawn(run_loop(
            "reconcile",
            token.clone(),
            RECONCILE_IDLE,
            RECONCILE_ON_ERROR,
            move || {
                let (app, schedule) = (app.clone(), schedule.clone());
                async move {
                    crate::reconcile::run_once(&app, &schedule, &app.instance, now_ms())
                        .await
                        .map(drop)
                }
            },
        )));
    }
    loops.extend([
        tokio::spawn(run_loop(
            "refill_upload_pool",
            token.clone(),
            POOL_IDLE,
            POOL_ON_ERROR,
            move || {
                let app = pooler.clone();
                async move { app.pool.refill_once(&app.mux, &app.uploads).await.map(drop) }
            },
        )),
        tokio::spawn(run_loop(
            "finish_deletions",
            token.clone(),
            DELETE_IDLE,
            DELETE_ON_ERROR,
            move || {
                let app = deleter.clone();
                async move { finish_deletions(&app).await.map(drop) }
            },
        )),
        tokio::spawn(run_loop(
            "purge_webhook_events",
            token,
            PURGE_IDLE,
            PURGE_IDLE,
            move || {
                let app = purger.clone();
                async move { purge_webhook_events(&app).await.map(drop) }
            },
        )),
    ]);
    loops
}

/// Deletes on Mux what owners deleted in muxd. Returns how many rows were finished; a row whose
/// Mux call fails stays pending for the next sweep.
pub async fn finish_deletions(app: &AppState) -> anyhow::Result<usize> {
    let mut finished = 0;
    for asset in app.store.pending_deletions(DELETE_BATCH).await? {
        finished += usize::from(finish_deletion(app, &asset).await?);
    }
    Ok(finished)
}

/// Deletes one owner-deleted row's Mux asset, or cancels its unused upload. Returns whether the
/// deletion is finished; if not, the row stays pending for a later sweep.
pub async fn finish_deletion(app: &AppState, asset: &CreativeAsset) -> anyhow::Result<bool> {
    let result = match (&asset.facts.mux_asset_id, &asset.mux_upload_id) {
        (Some(asset_id), _) => app.mux.delete_asset(asset_id).await,
        (None, Some(upload_id)) => app.mux.cancel_upload(upload_id).await.map(drop),
        (None, None) => Ok(()),
    };
    match result {
        Ok(()) => {}
        // Already gone on Mux.
        Err(error) if error.is_not_found() => {}
        // The upload can no longer be cancelled: it became an asset. Once the row learns that
        // asset's id (from its webhooks), a later sweep deletes it.
        Err(error) if error.status() == Some(403) && asset.facts.mux_asset_id.is_none() => {
            return Ok(false)
        }
        Err(error) => {
            tracing::warn!(asset.id = %asset.id, error = %error, "Mux deletion failed; will retry");
            return Ok(false);
        }
    }
    app.store.clear_delete_pending(asset.id).await?;
    Ok(true)
}

/// Forgets webhook events past the retention window.
pub async fn purge_webhook_events(app: &AppState) -> anyhow::Result<u64> {
    let retention_ms = i64::try_from(app.webhook.retention.as_millis()).unwrap_or(i64::MAX);
    Ok(app
        .store
        .purge_webhook_events(now_ms().saturating_sub(retention_ms))
        .await?)
}
