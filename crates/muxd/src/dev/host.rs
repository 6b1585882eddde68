//! `muxd dev` answers only requests addressed to this machine. Its demo sign-in needs no
//! password, so a page of another site that rebinds its own DNS name to 127.0.0.1 (DNS
//! rebinding) could otherwise sign in as the demo admin from the visitor's browser; such a
//! request still names that site in `Host`, and gets 421 Misdirected Request saying why.

use axum::extract::Request;
use axum::http::header::{CONTENT_TYPE, HOST};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use muxd_domain::loopback::is_loopback_authority;

/// Why a request was refused, as the body says it.
const REFUSAL: &str = "muxd dev only answers requests addressed to this machine (localhost, \
127.0.0.1 or [::1], with any port), so that a page of another site cannot reach it by pointing \
its own name at 127.0.0.1; open the URL muxd dev printed.\n";

/// Passes requests whose `Host` (else the URI's authority) is a loopback name or address.
pub async fn loopback_only(request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(HOST)
        .and_then(|value| value.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    if host.is_some_and(is_loopback_authority) {
        next.run(request).await
    } else {
        (
            StatusCode::MISDIRECTED_REQUEST,
            [(CONTENT_TYPE, "text/plain; charset=utf-8")],
            REFUSAL,
        )
            .into_response()
    }
}
