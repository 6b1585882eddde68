//! Wiring, the top of the crate: builds the core state from the config, the router, and the
//! background tasks (accept loop, webhook dispatcher, timeout sweep), resumes processing that a
//! restart on a kept data dir interrupted, and hands back an `EmulatorHandle`. Nothing in the crate imports this module except `cli` and `lib.rs`.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::config::EmulatorConfig;
use crate::dispatch::run_dispatcher;
use crate::handle::EmulatorHandle;
use crate::state::{DataDir, Emulator};
use crate::{ingest, processing, routes, server, tracks};

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("could not read the listener's address: {0}")]
    Listener(#[source] std::io::Error),
    /// The data dir could not be created, or its state file read or written.
    #[error("could not prepare the data dir: {0}")]
    DataDir(#[source] std::io::Error),
}

/// How often uploads past their timeout are flipped to `timed_out` even if nobody asks.
const TIMEOUT_SWEEP: Duration = Duration::from_millis(500);

/// Starts an emulator serving on `listener`; it runs until the handle is shut down or dropped.
pub async fn start(
    mut config: EmulatorConfig,
    listener: TcpListener,
) -> Result<EmulatorHandle, StartError> {
    let addr = listener.local_addr().map_err(StartError::Listener)?;
    let host = if addr.ip().is_unspecified() {
        Ipv4Addr::LOCALHOST.into()
    } else {
        addr.ip()
    };
    let base_url = format!("http://{}", SocketAddr::new(host, addr.port()));
    let data_dir = prepare_data_dir(config.data_dir.take()).map_err(StartError::DataDir)?;
    let emu = Arc::new(Emulator::new(config, base_url, data_dir).map_err(StartError::DataDir)?);
    emu.tasks.spawn(server::serve(
        listener,
        routes::router(emu.clone()),
        emu.shutdown.clone(),
    ));
    emu.tasks.spawn(run_dispatcher(emu.clone()));
    emu.spawn(sweep_timeouts(emu.clone()));
    processing::resume(&emu);
    ingest::resume(&emu);
    tracks::resume(&emu);
    tracing::info!(base_url = %emu.base_url, "mux emulator listening");
    Ok(EmulatorHandle {
        _stop_on_drop: emu.shutdown.clone().drop_guard(),
        emu,
        addr,
    })
}

/// Binds `127.0.0.1:0` and starts there.
pub async fn start_on_ephemeral_port(config: EmulatorConfig) -> Result<EmulatorHandle, StartError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .map_err(StartError::Listener)?;
    start(config, listener).await
}

/// The configured directory, or a fresh temp dir, with its `media/` folder created.
fn prepare_data_dir(configured: Option<std::path::PathBuf>) -> std::io::Result<DataDir> {
    let dir = match configured {
        Some(path) => DataDir::kept(path),
        None => DataDir::temporary(tempfile::Builder::new().prefix("mux-emulator-").tempdir()?),
    };
    std::fs::create_dir_all(dir.media())?;
    Ok(dir)
}

/// Runs until shutdown: flips uploads past their timeout every `TIMEOUT_SWEEP`.
async fn sweep_timeouts(emu: Arc<Emulator>) {
    loop {
        tokio::time::sleep(TIMEOUT_SWEEP).await;
        emu.expire_due();
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Map;

    use super::*;
    use crate::state::model::{Upload, UploadStatus};

    /// Virtual time (`start_paused`): timers fire in order, with no real waiting.
    #[tokio::test(start_paused = true)]
    async fn the_sweep_times_out_uploads_nobody_asks_about() {
        let data_dir = prepare_data_dir(None).unwrap();
        let emu = Arc::new(
            Emulator::new(
                EmulatorConfig::default(),
                "http://emulator.test".into(),
                data_dir,
            )
            .unwrap(),
        );
        emu.store.insert_upload(Upload {
            id: "u1".into(),
            token: "t".into(),
            url: "http://emulator.test/upload/u1?token=t".into(),
            status: UploadStatus::Waiting,
            timeout_s: 60,
            cors_origin: None,
            new_asset_settings: Map::new(),
            asset_id: None,
            error: None,
            test: false,
            created_at: emu.clock.unix_s(),
        });
        let status = || emu.store.upload("u1").unwrap().status;
        tokio::spawn(sweep_timeouts(emu.clone()));
        // Past the timeout, but nothing has looked yet (advance alone does not expire).
        emu.clock.advance(Duration::from_secs(61));
        assert_eq!(status(), UploadStatus::Waiting);

        // In virtual time this returns only after the sweep's first tick (at TIMEOUT_SWEEP) ran.
        tokio::time::sleep(TIMEOUT_SWEEP * 2).await;
        assert_eq!(status(), UploadStatus::TimedOut, "the sweep flipped it");
    }
}
