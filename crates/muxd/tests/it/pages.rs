//! The pages over HTTP, without a browser: every page carries the Content-Security-Policy and has
//! no inline script or style, everything a page or module loads from `/static/` is served, the
//! admin pages answer anonymous callers and non-admins in words, and the event log's payload view
//! has its endpoint. The uploader is one file (`pages_uploader`).

use reqwest::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::json;

use muxd_testkit::app::{Backend, TestApp};
use muxd_testkit::app_test;

const ADMIN: Option<(&str, bool)> = Some(("page_admin", true));
/// Every admin page.
const ADMIN_PAGES: [&str; 6] = [
    "/admin",
    "/admin/assets",
    "/admin/campaigns",
    "/admin/events",
    "/admin/health",
    "/admin/webhooks",
];
const USER: Option<(&str, bool)> = Some(("page_user", false));

/// GETs `path` as `who`: status, CSP header, content type and body.
async fn fetch(
    app: &TestApp,
    path: &str,
    who: Option<(&str, bool)>,
) -> (StatusCode, String, String, String) {
    let mut request = app.http.get(format!("{}{path}", app.base));
    if let Some((id, admin)) = who {
        request = request.bearer_auth(app.token(id, admin));
    }
    let response = request.send().await.expect("muxd answers");
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (csp, kind) = (header(CONTENT_SECURITY_POLICY), header(CONTENT_TYPE));
    (response.status(), csp, kind, response.text().await.unwrap())
}

/// The values of `attr="…"` in `html` that start with `prefix`.
fn links<'a>(html: &'a str, attr: &str, prefix: &str) -> Vec<&'a str> {
    let needle = format!("{attr}=\"{prefix}");
    html.match_indices(&needle)
        .filter_map(|(at, _)| {
            let start = at + attr.len() + 2;
            html[start..].split('"').next()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_has_the_policy_no_inline_code_and_all_it_loads() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let mut assets = Vec::new();
    for path in ["/", "/campaigns/demo-1/content"]
        .into_iter()
        .chain(ADMIN_PAGES)
    {
        let (status, csp, _, html) = fetch(&app, path, ADMIN).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        for directive in [
            "script-src 'self'",
            "style-src 'self'",
            "connect-src 'self' http: https:",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(
            html.contains(r#"<link rel="icon" href="data:,">"#),
            "{path}: no favicon request"
        );
        assert!(!html.contains(" style="), "{path}: inline style");
        for script in html.split("<script").skip(1) {
            assert!(
                script.starts_with(r#" type="module" src="/static/"#),
                "{path}: inline script"
            );
        }
        assets.extend(
            links(&html, "src", "/static/")
                .into_iter()
                .map(str::to_owned),
        );
        assets.extend(
            links(&html, "href", "/static/")
                .into_iter()
                .map(str::to_owned),
        );
    }
    // The modules' own imports are static files too.
    let mut seen = std::collections::BTreeSet::new();
    while let Some(path) = assets.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let (status, csp, kind, body) = fetch(&app, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!csp.is_empty(), "{path} has the policy");
        let expected = if path.ends_with(".js") {
            "text/javascript"
        } else {
            "text/css"
        };
        assert!(kind.starts_with(expected), "{path}: {kind}");
        for import in body.split("from \"./").skip(1) {
            assets.push(format!("/static/{}", import.split('"').next().unwrap()));
        }
    }
    assert!(
        seen.iter()
            .any(|p| p.starts_with("/static/muxd-uploader.") && p.ends_with(".js")),
        "{seen:?}"
    );
    assert!(
        seen.contains("/static/content-live.js"),
        "content.js's imports followed"
    );
    let (status, _, _, _) = fetch(&app, "/static/nope.js", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_pages_say_why_they_are_not_shown() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    for page in ADMIN_PAGES {
        let (status, csp, _, html) = fetch(&app, page, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{page}");
        assert!(
            html.contains("Sign in first") && html.contains("/dev/login?as=admin"),
            "{html}"
        );
        assert!(!csp.is_empty());
        let (status, _, _, html) = fetch(&app, page, USER).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
        assert!(html.contains("this page is for admins only"), "{html}");
        let (status, _, _, html) = fetch(&app, page, ADMIN).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(
            html.contains(&format!(r#"<a href="{page}" aria-current="page">"#)),
            "{html}"
        );
    }
    let (_, _, _, home) = fetch(&app, "/", None).await;
    for page in ADMIN_PAGES {
        assert!(
            home.contains(&format!(r#"href="{page}""#)),
            "the home page links {page}"
        );
    }
}

app_test!(
    one_event_comes_with_its_payload,
    |app: TestApp| async move {
        let event =
            json!({"type": "video.live_stream.idle", "id": "evt-page", "data": {"id": "ls-1"}});
        assert_eq!(
            app.post_signed(&serde_json::to_vec(&event).unwrap()).await,
            StatusCode::OK
        );

        let path = "/api/debug/webhook-events/evt-page";
        let (status, body) = app.call(Method::GET, path, ADMIN, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["event_id"], "evt-page");
        assert_eq!(body["payload"], event, "the payload as Mux sent it");
        let (status, _) = app.call(Method::GET, path, USER, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let missing = "/api/debug/webhook-events/evt-none";
        let (status, _) = app.call(Method::GET, missing, ADMIN, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);
