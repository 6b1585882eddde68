//! HTML pages, rendered from askama templates (`templates/`), and their static files
//! (`static/`, embedded in the binary): the landing page and the campaign content page
//! ("Step 4: Content": upload per influencer with progress, asset cards with live status,
//! player, rename, delete). Scripts are files, never inline.

use askama::Template;
use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::ApiError;
use crate::web::error::app_id;

/// The static files pages load: (name, content type, body).
const STATIC_FILES: &[(&str, &str, &str)] = &[
    (
        "content.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../static/content.js"),
    ),
    (
        "content.css",
        "text/css; charset=utf-8",
        include_str!("../../../static/content.css"),
    ),
    (
        "api-docs.css",
        "text/css; charset=utf-8",
        include_str!("../../../static/api-docs.css"),
    ),
];

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    version: &'static str,
}

#[derive(Template)]
#[template(path = "content.html")]
struct ContentPage {
    campaign_id: String,
}

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
pub async fn content(Path(id): Path<String>) -> Result<Html<String>, ApiError> {
    let campaign_id = app_id("campaign id", &id).map_err(|_| ApiError::NotFound)?;
    render(&ContentPage { campaign_id })
}

/// `GET /static/{file}`: one of [`STATIC_FILES`].
pub async fn static_file(Path(name): Path<String>) -> Response {
    match STATIC_FILES.iter().find(|(file, _, _)| *file == name) {
        Some((_, content_type, body)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
