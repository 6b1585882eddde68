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
use crate::config::WebhookSettings;
use crate::jobs::supervisor::JobsStatus;
use crate::service::adopt::Adoptions;
use crate::service::assets::AssetEdits;
use crate::service::captions::CaptionTracks;
use crate::service::deletion::Deletions;
use crate::service::health_figures::FiguresCache;
use crate::service::ingest::Ingestor;
use crate::service::links::LinkUploads;
use crate::service::live::LiveHub;
use crate::service::live_streams::LiveStreams;
use crate::service::outbound::Outbound;
use crate::service::playback::PlaybackCheck;
use crate::service::sync::Resync;
use crate::service::uploads::Uploads;
use crate::service::webhook_stats::WebhookStats;
use crate::store::Store;

/// The router's state.
#[derive(Clone, FromRef)]
pub struct WebState {
    pub auth: Authenticator,
    pub store: Store,
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
