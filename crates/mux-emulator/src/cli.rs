//! `muxd emulator`: the emulator alone, configured by flags or environment variables.
//!
//! The `muxd` binary embeds [`EmulatorArgs`] in its own clap command and calls [`run`].

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::EmulatorConfig;
use crate::faults::{ApiFaultAction, ApiFaultRule, FaultConfig, WebhookFaults};

/// Flags of `muxd emulator`; each has an environment fallback.
#[derive(Debug, Clone, clap::Args)]
pub struct EmulatorArgs {
    /// Port to listen on (3017: "30" for HTTP-ish dev ports, "17" for nothing in particular).
    #[arg(long, env = "MUX_EMULATOR_PORT", default_value_t = 3017)]
    pub port: u16,
    /// Address to bind.
    #[arg(long, env = "MUX_EMULATOR_HOST", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,
    /// Basic-auth username clients must send.
    #[arg(long, env = "MUX_TOKEN_ID", default_value = "emulator")]
    pub token_id: String,
    /// Basic-auth password clients must send.
    #[arg(
        long,
        env = "MUX_TOKEN_SECRET",
        default_value = "emulator-secret",
        hide_env_values = true
    )]
    pub token_secret: String,
    /// Webhook endpoint; repeat the flag, or give a comma-separated list in the variable.
    #[arg(
        long = "webhook-url",
        env = "MUX_EMULATOR_WEBHOOK_URLS",
        value_delimiter = ','
    )]
    pub webhook_urls: Vec<String>,
    /// Secret webhooks are signed with.
    #[arg(
        long,
        env = "MUX_WEBHOOK_SIGNING_SECRET",
        default_value = "emulator-signing-secret",
        hide_env_values = true
    )]
    pub signing_secret: String,
    /// Delay between the last uploaded byte and `ready`/`errored`.
    #[arg(long, env = "MUX_EMULATOR_PROCESSING_DELAY_MS", default_value_t = 1000)]
    pub processing_delay_ms: u64,
    /// Keep uploads, assets and media here across restarts (default: a temp dir removed at exit).
    #[arg(long, env = "MUX_EMULATOR_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Seed for ids and faults, for reproducible runs (default: random per start).
    #[arg(long, env = "MUX_EMULATOR_SEED")]
    pub seed: Option<u64>,
    /// Enforce Mux-like rate limits (1 POST/s, 5 others/s, with bursts).
    #[arg(long, env = "MUX_EMULATOR_RATE_LIMITS")]
    pub rate_limits: bool,
    /// Let `POST /video/v1/assets` fetch inputs from loopback/private addresses (Mux cannot).
    #[arg(long, env = "MUX_EMULATOR_ALLOW_PRIVATE_INPUTS")]
    pub allow_private_inputs: bool,
    /// Delay between an asset turning ready and its generated captions turning ready.
    #[arg(long, env = "MUX_EMULATOR_TEXT_TRACK_DELAY_MS", default_value_t = 1000)]
    pub text_track_delay_ms: u64,
    /// A fixtures manifest (like `fixtures/media/manifest.json`) whose `transcript`s generated
    /// captions of those files (known by `sha256`) say.
    #[arg(long, env = "MUX_EMULATOR_TRANSCRIPTS_MANIFEST")]
    pub transcripts_manifest: Option<PathBuf>,
    /// How long failed webhooks are retried, in seconds.
    #[arg(
        long,
        env = "MUX_EMULATOR_WEBHOOK_RETRY_WINDOW_S",
        default_value_t = 86_400
    )]
    pub webhook_retry_window_s: u64,
    /// Multiplies webhook retry delays and window (0.001 makes 24 h last 86 s).
    #[arg(long, env = "MUX_EMULATOR_WEBHOOK_TIME_SCALE", default_value_t = 1.0)]
    pub webhook_time_scale: f64,
    /// Full fault configuration as JSON (the body of `PUT /_emulator/faults`).
    #[arg(long, env = "MUX_EMULATOR_FAULTS")]
    pub faults_json: Option<String>,
    /// Share of API requests answered with `--api-error-status`.
    #[arg(long, env = "MUX_EMULATOR_API_ERROR_RATE", default_value_t = 0.0)]
    pub api_error_rate: f64,
    /// Status for `--api-error-rate` (500, 502, 503 or 429).
    #[arg(long, env = "MUX_EMULATOR_API_ERROR_STATUS", default_value_t = 503)]
    pub api_error_status: u16,
    /// `Retry-After` seconds sent with those errors.
    #[arg(long, env = "MUX_EMULATOR_API_RETRY_AFTER_S")]
    pub api_retry_after_s: Option<u64>,
    /// Latency added to every API request.
    #[arg(long, env = "MUX_EMULATOR_API_LATENCY_MS", default_value_t = 0)]
    pub api_latency_ms: u64,
    /// Share of API requests whose connection is closed without a response.
    #[arg(long, env = "MUX_EMULATOR_API_DROP_RATE", default_value_t = 0.0)]
    pub api_drop_rate: f64,
    #[arg(long, env = "MUX_EMULATOR_WEBHOOK_DROP_RATE", default_value_t = 0.0)]
    pub webhook_drop_rate: f64,
    #[arg(
        long,
        env = "MUX_EMULATOR_WEBHOOK_DUPLICATE_RATE",
        default_value_t = 0.0
    )]
    pub webhook_duplicate_rate: f64,
    #[arg(
        long,
        env = "MUX_EMULATOR_WEBHOOK_REORDER_WINDOW_MS",
        default_value_t = 0
    )]
    pub webhook_reorder_window_ms: u64,
    #[arg(long, env = "MUX_EMULATOR_WEBHOOK_DELAY_MS", default_value_t = 0)]
    pub webhook_delay_ms: u64,
    #[arg(
        long,
        env = "MUX_EMULATOR_WEBHOOK_WRONG_SECRET_RATE",
        default_value_t = 0.0
    )]
    pub webhook_wrong_secret_rate: f64,
}

impl EmulatorArgs {
    /// The configuration these flags describe.
    pub fn config(&self) -> anyhow::Result<EmulatorConfig> {
        let mut faults: FaultConfig = match &self.faults_json {
            Some(json) => {
                serde_json::from_str(json).context("parsing --faults-json / MUX_EMULATOR_FAULTS")?
            }
            None => FaultConfig::default(),
        };
        let api = "/video/**".to_owned();
        let mut rule = |rate: f64, action: ApiFaultAction| {
            if rate > 0.0 {
                faults.api.push(ApiFaultRule {
                    method: None,
                    path: api.clone(),
                    rate,
                    times: None,
                    action,
                });
            }
        };
        rule(
            if self.api_latency_ms > 0 { 1.0 } else { 0.0 },
            ApiFaultAction::Latency {
                ms: self.api_latency_ms,
            },
        );
        rule(self.api_drop_rate, ApiFaultAction::Drop);
        rule(
            self.api_error_rate,
            ApiFaultAction::Error {
                status: self.api_error_status,
                retry_after_s: self.api_retry_after_s,
            },
        );
        if faults.webhooks == WebhookFaults::default() {
            faults.webhooks = WebhookFaults {
                drop_rate: self.webhook_drop_rate,
                duplicate_rate: self.webhook_duplicate_rate,
                reorder_window_ms: self.webhook_reorder_window_ms,
                delay_ms: self.webhook_delay_ms,
                wrong_secret_rate: self.webhook_wrong_secret_rate,
            };
        }
        let transcripts = match &self.transcripts_manifest {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                crate::transcripts::from_manifest(&text)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
            }
            None => Default::default(),
        };
        Ok(EmulatorConfig {
            token_id: self.token_id.clone(),
            token_secret: self.token_secret.clone(),
            webhook_urls: self.webhook_urls.clone(),
            signing_secret: self.signing_secret.clone(),
            processing_delay: Duration::from_millis(self.processing_delay_ms),
            data_dir: self.data_dir.clone(),
            seed: self.seed,
            rate_limits: self.rate_limits,
            webhook_retry_window: Duration::from_secs(self.webhook_retry_window_s),
            webhook_time_scale: self.webhook_time_scale,
            faults,
            allow_private_inputs: self.allow_private_inputs,
            text_track_delay: Duration::from_millis(self.text_track_delay_ms),
            transcripts,
            ..EmulatorConfig::default()
        })
    }
}

/// Runs the emulator until `shutdown` resolves; prints the base URL once listening.
pub async fn run(
    args: EmulatorArgs,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let config = args.config()?;
    let addr = SocketAddr::new(args.host, args.port);
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    let handle = crate::app::start(config, listener)
        .await
        .context("starting the emulator")?;
    println!("Mux emulator listening on {}", handle.base_url());
    println!(
        "  MUX_BASE_URL={}  MUX_TOKEN_ID={}  control API: {}/_emulator/state",
        handle.base_url(),
        args.token_id,
        handle.base_url()
    );
    shutdown.await;
    handle.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: EmulatorArgs,
    }

    #[test]
    fn flags_become_a_config() {
        let cli = Cli::parse_from([
            "emu",
            "--webhook-url",
            "http://a/hook",
            "--webhook-url",
            "http://b/hook",
            "--api-error-rate",
            "0.5",
            "--api-error-status",
            "429",
            "--webhook-duplicate-rate",
            "1",
            "--data-dir",
            "emulator-data",
            "--seed",
            "7",
            "--transcripts-manifest",
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../fixtures/media/manifest.json"
            ),
        ]);
        let config = cli.args.config().unwrap();
        assert_eq!(config.webhook_urls, ["http://a/hook", "http://b/hook"]);
        assert_eq!(config.data_dir, Some(PathBuf::from("emulator-data")));
        assert_eq!(config.seed, Some(7));
        assert_eq!(config.faults.api.len(), 1);
        assert_eq!(config.faults.webhooks.duplicate_rate, 1.0);
        assert_eq!(
            config.transcripts.len(),
            2,
            "the fixtures with a transcript"
        );
    }
}
