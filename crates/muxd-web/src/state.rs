//! What handlers may reach: one field per service, so a handler's signature names exactly what it
//! uses (`State(uploads): State<Uploads>`), never the whole app. `app.rs` fills it in.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::FromRef;
use metrics_exporter_prometheus::PrometheusHandle;
use mux_api::MuxClient;

use super::auth::Authenticator;
use super::health::probes::Probes;
use super::views::Links;
use muxd_core::config::WebhookSettings;
use muxd_core::jobs::supervisor::JobsStatus;
use muxd_core::service::adopt::Adoptions;
use muxd_core::service::app_campaigns::Campaigns;
use muxd_core::service::asset_reads::AssetReads;
use muxd_core::service::assets::AssetEdits;
use muxd_core::service::captions::CaptionTracks;
use muxd_core::service::deletion::Deletions;
use muxd_core::service::health_figures::FiguresCache;
use muxd_core::service::ingest::Ingestor;
use muxd_core::service::links::LinkUploads;
use muxd_core::service::live::LiveHub;
use muxd_core::service::live_streams::LiveStreams;
use muxd_core::service::outbound::Outbound;
use muxd_core::service::playback::PlaybackCheck;
use muxd_core::service::sync::Resync;
use muxd_core::service::uploads::Uploads;
use muxd_core::service::webhook_stats::WebhookStats;

/// The router's state.
#[derive(Clone, FromRef)]
pub struct WebState {
    pub auth: Authenticator,
    /// Assets as owners and admins read them.
    pub reads: AssetReads,
    pub campaigns: Campaigns,
    pub uploads: Uploads,
    /// Videos Mux makes from links.
    pub links_in: LinkUploads,
    pub edits: AssetEdits,
    pub deletions: Deletions,
    pub live: LiveHub,
    /// The open live streams, within their bounds.
    pub streams: LiveStreams,
    pub intake: WebhookIntake,
    pub resync: Resync,
    pub adoptions: Adoptions,
    pub outbound: Outbound,
    /// Posters and playback tokens for asset views.
    pub links: Links,
    pub playback: PlaybackCheck,
    /// Captions owners supply, remove or have generated.
    pub captions: CaptionTracks,
    pub health: HealthSources,
    pub probes: Probes,
    pub metrics: PrometheusHandle,
}

/// What the webhook endpoint needs besides the ingestor.
#[derive(Clone, Debug)]
pub struct WebhookIntake {
    pub settings: Arc<WebhookSettings>,
    pub stats: Arc<WebhookStats>,
    pub ingest: Ingestor,
}

/// What health reads besides the database.
#[derive(Clone, Debug)]
pub struct HealthSources {
    pub mux: MuxClient,
    pub figures: FiguresCache,
    pub webhook_stats: Arc<WebhookStats>,
    pub secrets_configured: usize,
    pub jobs: JobsStatus,
    pub started: Instant,
}
