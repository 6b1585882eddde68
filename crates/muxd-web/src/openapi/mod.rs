//! muxd's own API, described as an OpenAPI 3.1 document generated from the code: each JSON
//! route's handler carries a `#[utoipa::path]` (method, path, parameters, body, responses,
//! security) and each shape it sends derives `ToSchema`. The route table (`router::api`) routes
//! each handler by that annotation and adds it to the document, so a JSON route is declared once.
//! [`ApiDoc`] holds the rest (title, tags, security schemes); the common error answers are shared
//! sets ([`responses`]). `GET /api/openapi.json` serves the document and `GET /api/docs`
//! ([`page`]) renders it for people. The integration test `openapi` calls every operation and
//! checks each answer against it.
//!
//! To add a JSON route: annotate its handler like its neighbours (statuses it can answer, each
//! error with [`ErrorBody`] or a shared set), add it to `router::api` with `routes!`, and call it
//! in that test.

pub mod page;
pub mod responses;
mod words;

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::Extension;
use serde_json::Value;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToSchema};

use super::auth::SESSION_COOKIE;
use super::error::ErrorBody;

/// What the document says besides its routes (`router::api` adds those).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "muxd",
        description = "muxd's own JSON API: uploads into Mux and the assets they become, the host \
            app's campaigns, admin tools, health, and Mux's webhooks. Every error answer is an \
            `ErrorBody`; any request that takes over 30 s is answered 503 with no body."
    ),
    tags(
        (name = "assets", description = "The app's users (a bearer token or a session cookie): \
            uploads, their assets, the live stream of changes, and campaigns."),
        (name = "session", description = "Exchanging the app's token for muxd's session cookie."),
        (name = "app", description = "The host app's backend (an admin token): its campaigns and \
            influencers, under its own ids; its outbound webhook endpoints and their delivery \
            log."),
        (name = "admin", description = "Admin tools (the admin role): every asset, resync, the \
            playback-id check, adopting an asset made outside muxd, the webhook event log and \
            replay, processing times."),
        (name = "operators", description = "Health and metrics, for anyone."),
        (name = "mux", description = "Mux's webhooks, verified by their signature."),
        (name = "docs", description = "This document."),
    )
)]
pub struct ApiDoc;

/// The security schemes the operations name: a bearer token (the identity provider's JWT) and
/// muxd's session cookie. Admin operations ask for the `admin` role in either.
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut bearer = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .build();
        bearer.description = Some(
            "The identity provider's token (checked with the keys of MUXD_JWT_JWKS_URL, \
             MUXD_JWT_JWKS_FILE, MUXD_JWT_PUBLIC_KEY_FILE or MUXD_JWT_HS256_SECRET, for the \
             issuer MUXD_JWT_ISSUER and audience MUXD_JWT_AUDIENCE); its `sub` is the external \
             user id. Admin operations need the admin role: a `sub` listed in MUXD_ADMIN_IDS, \
             or the claim MUXD_ADMIN_CLAIM names (e.g. `role=admin`), when set."
                .into(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "muxd's session cookie (POST /api/session; `__Host-muxd_session` over https), \
                 or the host app's own (MUXD_SESSION_COOKIE, read first), holding the same token. A write signed in by cookie must \
                 come from muxd's origin or one in MUXD_CORS_ORIGINS.",
            ))),
        );
    }
}

/// Every operation may answer 500 (a bug; details are logged, not sent), so each says so once
/// here rather than in every handler.
struct InternalErrors;

impl Modify for InternalErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                add_internal_error(operation);
            }
        }
    }
}

fn add_internal_error(operation: &mut Operation) {
    let response = ResponseBuilder::new()
        .description("A bug or an unexpected failure")
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(ErrorBody::name())))
                .build(),
        )
        .build();
    operation
        .responses
        .responses
        .entry("500".to_owned())
        .or_insert(RefOr::T(response));
}

/// Completes the document `router::document` gathered from the routes: its security schemes, and
/// the 500 every operation may answer.
pub fn complete(document: &mut utoipa::openapi::OpenApi) {
    Security.modify(document);
    InternalErrors.modify(document);
}

/// The document as served, built once with the router (which hands it to these handlers).
#[derive(Clone)]
pub struct ApiDocument {
    pub json: Arc<Value>,
    bytes: Bytes,
}

impl ApiDocument {
    pub fn new(document: &utoipa::openapi::OpenApi) -> ApiDocument {
        let json = serde_json::to_value(document).expect("the API document serializes");
        let bytes = Bytes::from(json.to_string());
        ApiDocument {
            json: Arc::new(json),
            bytes,
        }
    }
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    operation_id = "getOpenApi",
    tag = "docs",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document of muxd's API", body = Object),
    )
)]
pub async fn openapi_json(Extension(document): Extension<ApiDocument>) -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], document.bytes)
}
