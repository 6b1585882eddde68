//! `Api`: calls one documented operation of a running muxd and checks the answer against the
//! document (status listed, content type listed, JSON body matching the schema).

use std::collections::BTreeSet;

use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::Value;

use super::validate::Validator;
use super::{operations, ADMIN, USER};
use muxd_testkit::app::TestApp;

/// Calls operations and checks each answer against the document.
pub struct Api<'a> {
    pub app: &'a TestApp,
    pub document: Value,
    /// (method, path template) of each operation called.
    pub called: BTreeSet<(String, String)>,
}

impl<'a> Api<'a> {
    pub async fn new(app: &'a TestApp) -> Api<'a> {
        let mut api = Api {
            app,
            document: Value::Null,
            called: BTreeSet::new(),
        };
        // Checked against itself once fetched: the document's own operation says `object`.
        let response = app
            .http
            .get(api.url("/api/openapi.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        api.document = response.json().await.unwrap();
        api.check(
            "/api/openapi.json",
            api.anonymous(Method::GET, "/api/openapi.json"),
        )
        .await;
        api
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.app.base)
    }

    pub fn anonymous(&self, method: Method, path: &str) -> RequestBuilder {
        self.app.http.request(method, self.url(path))
    }

    pub fn user(&self, method: Method, path: &str) -> RequestBuilder {
        self.anonymous(method, path)
            .bearer_auth(self.app.token(USER, false))
    }

    pub fn admin(&self, method: Method, path: &str) -> RequestBuilder {
        self.anonymous(method, path)
            .bearer_auth(self.app.token(ADMIN, true))
    }

    /// Sends `request` (an operation of path `template`) and checks the answer: its status is
    /// documented, in a documented content type, and a JSON body matches the schema. Returns the
    /// status and the JSON body (`null` when there is none).
    pub async fn check(&mut self, template: &str, request: RequestBuilder) -> (StatusCode, Value) {
        let request = request.build().unwrap();
        let method = request.method().as_str().to_lowercase();
        let what = format!("{} {}", request.method(), request.url().path());
        let operation = &self.document["paths"][template][&method];
        assert!(
            operation.is_object(),
            "{method} {template} is not documented"
        );
        let response = self.app.http.execute(request).await.expect("muxd answers");
        let status = response.status();
        let documented = &operation["responses"][status.as_str()];
        assert!(
            documented.is_object(),
            "{what}: {status} is not documented for it"
        );
        self.called.insert((method, template.to_owned()));
        let media_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_owned());
        let Some(content) = documented["content"].as_object() else {
            let body = response.bytes().await.unwrap();
            assert!(body.is_empty(), "{what}: {status} documents no body");
            return (status, Value::Null);
        };
        let media_type = media_type.unwrap_or_default();
        let schema = &content
            .get(&media_type)
            .unwrap_or_else(|| panic!("{what}: {status} in {media_type:?}, not {content:?}"))
            ["schema"];
        match media_type.as_str() {
            // An endless stream: its type is all there is to check without waiting.
            "text/event-stream" => (status, Value::Null),
            "application/json" => {
                let body: Value = response.json().await.unwrap();
                let errors = Validator {
                    document: &self.document,
                }
                .errors(schema, &body);
                let shown: String = body.to_string().chars().take(2_000).collect();
                assert!(
                    errors.is_empty(),
                    "{what}: {status} body breaks its schema:\n{}\n{shown}",
                    errors.join("\n")
                );
                (status, body)
            }
            _ => {
                let text = response.text().await.unwrap();
                assert!(!text.is_empty(), "{what}: empty {media_type}");
                (status, Value::String(text))
            }
        }
    }

    /// Every (method, path) the document lists.
    pub fn operations(&self) -> BTreeSet<(String, String)> {
        operations(&self.document)
    }
}
