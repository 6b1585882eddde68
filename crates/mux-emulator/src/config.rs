//! Everything the emulator can be told at start. Webhook targets, the signing secret, faults and
//! rate limits can also change at runtime through `EmulatorHandle` or the control API.

use std::path::PathBuf;
use std::time::Duration;

use crate::faults::FaultConfig;
use crate::transcripts::Transcripts;

/// Settings for one emulator. `Default` gives a quiet, fast emulator with no webhook targets.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// HTTP Basic username every `/video/v1` request must carry.
    pub token_id: String,
    /// HTTP Basic password.
    pub token_secret: String,
    /// Every webhook event is POSTed to each of these.
    pub webhook_urls: Vec<String>,
    /// Key of the `mux-signature` HMAC.
    pub signing_secret: String,
    /// Time between the last uploaded byte and the asset becoming `ready`/`errored`.
    pub processing_delay: Duration,
    /// Where uploaded media and the emulator's state are kept across restarts (created if
    /// missing; an emulator started on it again finds its uploads, assets and media there).
    /// `None` = a fresh temp dir removed when the emulator stops, and nothing survives.
    pub data_dir: Option<PathBuf>,
    /// Seeds every random choice (ids and faults), for reproducible runs. `None` = a random seed
    /// per start. Ids never repeat across restarts on one `data_dir` even under a fixed seed
    /// (each start on it draws from a stream of its own); without a data dir, a fixed seed
    /// repeats its ids on every start.
    pub seed: Option<u64>,
    /// Mux-like rate limits (1 POST/s, 5 other requests/s, with bursts).
    pub rate_limits: bool,
    /// How long failed webhook deliveries are retried (Mux: 24 h).
    pub webhook_retry_window: Duration,
    /// Multiplies webhook retry delays and the window; 1.0 = real time.
    pub webhook_time_scale: f64,
    /// Each webhook attempt's timeout (Mux: 5 s).
    pub webhook_attempt_timeout: Duration,
    /// `environment.name` in webhook envelopes.
    pub environment_name: String,
    /// `environment.id` in webhook envelopes.
    pub environment_id: String,
    pub faults: FaultConfig,
    /// Whether `POST /video/v1/assets` may fetch its input from loopback, private, link-local or
    /// otherwise non-public addresses. Off, such inputs end `errored` `download_failed`, as on
    /// Mux, which cannot reach them; tests serving fixtures on 127.0.0.1 turn it on.
    pub allow_private_inputs: bool,
    /// How long after its asset is ready (or after `generate-subtitles`) a generated text track
    /// turns `ready` (or `skipped`), on the emulator's clock (docs/mux-facts.md §10).
    pub text_track_delay: Duration,
    /// Cue texts of generated captions by the media file's sha256 (lowercase hex); files not in
    /// it get words picked from the hash. `transcripts::from_manifest` reads a fixtures manifest.
    pub transcripts: Transcripts,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            token_id: "emulator".into(),
            token_secret: "emulator-secret".into(),
            webhook_urls: Vec::new(),
            signing_secret: "emulator-signing-secret".into(),
            processing_delay: Duration::from_millis(500),
            data_dir: None,
            seed: None,
            rate_limits: false,
            webhook_retry_window: Duration::from_secs(24 * 3600),
            webhook_time_scale: 1.0,
            webhook_attempt_timeout: Duration::from_secs(5),
            environment_name: "Development".into(),
            environment_id: "emu0001".into(),
            faults: FaultConfig::default(),
            allow_private_inputs: false,
            text_track_delay: Duration::from_secs(1),
            transcripts: Transcripts::new(),
        }
    }
}
