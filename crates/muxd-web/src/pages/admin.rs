//! The admin pages: `/admin` (what there is), `/admin/assets`, `/admin/campaigns` (what each
//! campaign's uploads ask Mux to encode), `/admin/events`,
//! `/admin/health` and `/admin/webhooks` (the host app's outbound webhook endpoints and their
//! delivery log). Each is a server-rendered shell (navigation, filter forms with the choices
//! muxd knows) whose small script (`static/admin-*.js`) fills it from the admin JSON API. Not
//! signed in: a 401 page with a sign-in hint; signed in without the admin role: a 403 page.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::render;
use crate::auth::AdminUser;
use crate::ApiError;
use muxd_core::service::uploads::Uploads;
use muxd_domain::captions::GENERATED_LANGUAGES;
use muxd_domain::encoding::{ResolutionTier, VideoQuality};
use muxd_domain::outbound::{DeliveryStatus, EventType};
use muxd_domain::AssetStatus;
use muxd_store::Outcome;

#[derive(Template)]
#[template(path = "admin_index.html")]
struct IndexPage {
    /// Which page of the navigation this is (`aria-current`).
    tab: &'static str,
}

#[derive(Template)]
#[template(path = "admin_assets.html")]
struct AssetsPage {
    /// Which page of the navigation this is (`aria-current`).
    tab: &'static str,
    statuses: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "admin_events.html")]
struct EventsPage {
    /// Which page of the navigation this is (`aria-current`).
    tab: &'static str,
    outcomes: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "admin_health.html")]
struct HealthPage {
    /// Which page of the navigation this is (`aria-current`).
    tab: &'static str,
}

#[derive(Template)]
#[template(path = "admin_webhooks.html")]
struct WebhooksPage {
    /// Which page of the navigation this is (`aria-current`).
    tab: &'static str,
    /// The event types an endpoint may subscribe to (a checkbox each).
    event_types: Vec<&'static str>,
    /// The delivery log's status filter.
    statuses: [&'static str; 3],
}

#[derive(Template)]
#[template(path = "admin_campaigns.html")]
struct CampaignsPage {
    /// Which page of the navigation this is (`aria-current`).
    tab: &'static str,
    default_quality: &'static str,
    default_tier: &'static str,
    qualities: Vec<&'static str>,
    tiers: Vec<&'static str>,
    default_captions: &'static str,
    /// `off`, then the languages Mux generates captions in.
    caption_choices: Vec<&'static str>,
}

/// Why a page is not shown, in words.
#[derive(Template)]
#[template(path = "denied.html")]
struct DeniedPage {
    title: &'static str,
    message: String,
    sign_in: bool,
}

/// The page for `admin`, or the page that says why not.
fn page(admin: Result<AdminUser, ApiError>, page: &impl Template) -> Response {
    let denied = match admin {
        Ok(_) => return render(page).into_response(),
        Err(ApiError::Unauthorized) => DeniedPage {
            title: "Sign in first",
            message: "This page is for admins, and you are not signed in.".into(),
            sign_in: true,
        },
        Err(ApiError::Forbidden) => DeniedPage {
            title: "Admins only",
            message: "You are signed in, but this page is for admins only.".into(),
            sign_in: false,
        },
        Err(other) => return other.into_response(),
    };
    let status = match denied.sign_in {
        true => StatusCode::UNAUTHORIZED,
        false => StatusCode::FORBIDDEN,
    };
    (status, render(&denied)).into_response()
}

pub async fn index(admin: Result<AdminUser, ApiError>) -> Response {
    page(admin, &IndexPage { tab: "home" })
}

pub async fn campaigns(
    State(uploads): State<Uploads>,
    admin: Result<AdminUser, ApiError>,
) -> Response {
    let defaults = uploads.settings.encoding;
    page(
        admin,
        &CampaignsPage {
            tab: "campaigns",
            default_quality: defaults.quality.as_str(),
            default_tier: defaults.max_tier.as_str(),
            qualities: VideoQuality::ALL.map(VideoQuality::as_str).to_vec(),
            tiers: ResolutionTier::ALL.map(ResolutionTier::as_str).to_vec(),
            default_captions: defaults.captions.as_str(),
            caption_choices: std::iter::once("off")
                .chain(GENERATED_LANGUAGES.iter().copied())
                .collect(),
        },
    )
}

pub async fn assets(admin: Result<AdminUser, ApiError>) -> Response {
    let statuses = AssetStatus::ALL.iter().map(|s| s.as_str()).collect();
    page(
        admin,
        &AssetsPage {
            tab: "assets",
            statuses,
        },
    )
}

pub async fn events(admin: Result<AdminUser, ApiError>) -> Response {
    let outcomes = Outcome::ALL.iter().map(|o| o.as_str()).collect();
    page(
        admin,
        &EventsPage {
            tab: "events",
            outcomes,
        },
    )
}

pub async fn health(admin: Result<AdminUser, ApiError>) -> Response {
    page(admin, &HealthPage { tab: "health" })
}

pub async fn webhooks(admin: Result<AdminUser, ApiError>) -> Response {
    let event_types = EventType::ALL.iter().map(|t| t.as_str()).collect();
    page(
        admin,
        &WebhooksPage {
            tab: "webhooks",
            event_types,
            statuses: DeliveryStatus::ALL.map(DeliveryStatus::as_str),
        },
    )
}
