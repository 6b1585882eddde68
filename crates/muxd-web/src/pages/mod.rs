//! HTML pages, rendered from askama templates (`templates/`), and their static files
//! (`static/`, embedded in the binary): the landing page, the campaign content page ("Step 4:
//! Content": a `<muxd-uploader>` per influencer, asset cards with live status, player, rename,
//! delete) and the admin tools ([`admin`]). Scripts and styles are files, never inline, so every
//! page can carry a strict Content-Security-Policy ([`csp`]).

pub mod admin;
mod bundle;
pub mod csp;
pub mod mux_player;
mod static_files;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_SECURITY_POLICY;
use axum::response::{Html, IntoResponse, Response};

use super::views::Links;
use super::ApiError;
use crate::error::app_id;
pub use static_files::static_file;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    version: &'static str,
}

#[derive(Template)]
#[template(path = "content.html")]
struct ContentPage {
    campaign_id: String,
    /// Load Mux Player, for videos without an MP4.
    mux_player: bool,
    /// Where it is loaded from, and its integrity hash.
    player_url: &'static str,
    player_integrity: &'static str,
    /// The uploader's one file, named by its hash.
    uploader: &'static str,
}

/// Renders `page`; a template error is a 500.
fn render(page: &impl Template) -> Result<Html<String>, ApiError> {
    page.render()
        .map(Html)
        .map_err(|error| ApiError::Internal(error.into()))
}

pub async fn home() -> Result<Html<String>, ApiError> {
    render(&HomePage {
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// The content page of campaign `id` (the host app's id or muxd's; the page's own calls check
/// who may see it).
pub async fn content(
    State(links): State<Links>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let campaign_id = app_id("campaign id", &id)
        .map_err(|_| ApiError::NotFound)?
        .to_string();
    let page = render(&ContentPage {
        campaign_id,
        mux_player: links.mux_player,
        player_url: mux_player::URL,
        player_integrity: mux_player::INTEGRITY,
        uploader: &static_files::UPLOADER.hashed_name,
    })?;
    Ok(match links.mux_player {
        true => ([(CONTENT_SECURITY_POLICY, csp::WITH_MUX_PLAYER)], page).into_response(),
        false => page.into_response(),
    })
}
