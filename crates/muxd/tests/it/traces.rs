//! Traces, end to end: `muxd serve` as a process with `OTEL_EXPORTER_OTLP_ENDPOINT` pointed at an
//! OTLP/HTTP receiver in this test. A create-upload called with a `traceparent` continues the
//! caller's trace down to its Mux call and the retry of a faulted attempt (and the emulator saw
//! the attempts' own `traceparent`); a webhook's request span holds its ingestion span, which
//! holds its database spans.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::routing::post;
use muxd_core::identity::Identity;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use prost::Message as _;
use serde_json::{json, Value};

use crate::chaos_suite::procs::{free_port, start_emulator, Serve, JWT_SECRET};
use crate::media::fixture;
use muxd_testkit::databases::{eventually, TempDir};

/// One exported span, as the receiver decoded it.
#[derive(Debug, Clone)]
struct Span {
    trace: String,
    id: String,
    parent: String,
    name: String,
    attributes: HashMap<String, String>,
}

/// Every span muxd exported so far.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<Span>>>);

impl Received {
    fn all(&self) -> Vec<Span> {
        self.0.lock().unwrap().clone()
    }

    /// Spans named `name` whose attribute `key` is `value`.
    fn named(&self, name: &str, key: &str, value: &str) -> Vec<Span> {
        self.all()
            .into_iter()
            .filter(|s| s.name == name && s.attributes.get(key).map(String::as_str) == Some(value))
            .collect()
    }

    /// The children of `parent`.
    fn children(&self, parent: &Span) -> Vec<Span> {
        self.all()
            .into_iter()
            .filter(|s| s.trace == parent.trace && s.parent == parent.id)
            .collect()
    }
}

/// An OTLP/HTTP (protobuf) traces receiver on a free port; returns its base URL.
async fn receiver(received: Received) -> String {
    let app = axum::Router::new().route(
        "/v1/traces",
        post(move |body: Bytes| {
            let received = received.clone();
            async move {
                let request = ExportTraceServiceRequest::decode(body).expect("an OTLP request");
                let mut spans = received.0.lock().unwrap();
                for resource in request.resource_spans {
                    for scope in resource.scope_spans {
                        spans.extend(scope.spans.into_iter().map(|s| {
                            Span {
                                trace: hex::encode(&s.trace_id),
                                id: hex::encode(&s.span_id),
                                parent: hex::encode(&s.parent_span_id),
                                name: s.name,
                                attributes: s
                                    .attributes
                                    .into_iter()
                                    .map(|kv| (kv.key, text(kv.value.and_then(|v| v.value))))
                                    .collect(),
                            }
                        }));
                    }
                }
                // OTLP/HTTP's success: an empty ExportTraceServiceResponse.
                Bytes::new()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

fn text(value: Option<AnyValue>) -> String {
    match value {
        Some(AnyValue::StringValue(s)) => s,
        Some(AnyValue::IntValue(i)) => i.to_string(),
        Some(AnyValue::BoolValue(b)) => b.to_string(),
        Some(AnyValue::DoubleValue(d)) => d.to_string(),
        other => format!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_and_a_webhook_are_each_one_trace_down_to_mux_and_the_database() {
    let received = Received::default();
    let collector = receiver(received.clone()).await;
    let dir = TempDir::new().unwrap();
    let port = free_port();
    let hook = format!("http://127.0.0.1:{port}/api/webhooks/mux");
    let (_emulator, emulator) = start_emulator(&dir, 11, &hook).await;
    let database = format!("sqlite://{}", dir.path().join("muxd.db").display());
    let mut serve = Serve::new(&emulator, &database, port, dir.path());
    serve.env("OTEL_EXPORTER_OTLP_ENDPOINT", &collector);
    serve.env("OTEL_BSP_SCHEDULE_DELAY", "100");
    // Every create calls Mux (no spare uploads made ahead).
    serve.env("MUXD_UPLOAD_POOL_SIZE", "0");
    let http = reqwest::Client::new();
    serve.start(&http).await;
    let token = Identity::dev(JWT_SECRET.as_bytes())
        .sign("traced-user", false, 3600)
        .unwrap();

    // Mux's first answer to the create is a 503; the layer retries.
    let fault = json!({"method": "POST", "path": "/video/v1/uploads", "kind": "error", "status": 503, "times": 1});
    let added = http
        .post(format!("{emulator}/_emulator/faults/api"))
        .json(&fault)
        .send()
        .await
        .unwrap();
    assert!(added.status().is_success(), "{}", added.status());

    let caller_trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let caller_span = "00f067aa0ba902b7";
    let created: Value = http
        .post(format!("{}/api/mux/create-video-upload", serve.base))
        .bearer_auth(&token)
        .header("traceparent", format!("00-{caller_trace}-{caller_span}-01"))
        .json(&json!({"name": "traced.mp4", "fileType": "video/mp4", "fileSize": 1024}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = created["url"].as_str().expect("an upload URL");

    let route = "POST /api/mux/create-video-upload";
    // Spans are exported as they end, the request's last.
    eventually("the create's request span exported", async || {
        received
            .all()
            .iter()
            .any(|s| s.trace == caller_trace && s.name == route)
    })
    .await;
    let request = received
        .all()
        .into_iter()
        .find(|s| s.trace == caller_trace && s.name == route)
        .expect("the create's request span, in the caller's trace");
    assert_eq!(request.parent, caller_span, "{request:?}");
    assert_eq!(
        request.attributes["http.route"],
        "/api/mux/create-video-upload"
    );
    let calls: Vec<Span> = received
        .children(&request)
        .into_iter()
        .filter(|s| s.name == "create_upload")
        .collect();
    assert_eq!(calls.len(), 1, "one Mux call under the request: {calls:?}");
    assert_eq!(calls[0].attributes["retries"], "1");
    let mut attempts = received.children(&calls[0]);
    attempts.sort_by(|a, b| a.attributes["attempt"].cmp(&b.attributes["attempt"]));
    let outcomes: Vec<(&str, &str)> = attempts
        .iter()
        .map(|a| {
            (
                a.attributes["attempt"].as_str(),
                a.attributes["outcome"].as_str(),
            )
        })
        .collect();
    assert_eq!(outcomes, [("1", "transient"), ("2", "ok")], "{attempts:?}");
    assert_eq!(attempts[1].attributes["breaker.state"], "CLOSED");

    // Each attempt told Mux its own span as the parent.
    let log: Value = http
        .get(format!("{emulator}/_emulator/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sent: Vec<&str> = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == "POST" && r["path"] == "/video/v1/uploads")
        .filter_map(|r| r["traceparent"].as_str())
        .collect();
    let expected: Vec<String> = attempts
        .iter()
        .map(|a| format!("00-{caller_trace}-{}-01", a.id))
        .collect();
    assert_eq!(sent, expected);

    // The file goes up; Mux's webhooks come back, each its own trace.
    let put = http
        .put(url)
        .body(fixture("tiny-2s-320x240.mp4"))
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success());
    eventually(
        "the ready webhook's request and database spans exported",
        async || {
            received
                .named("webhook.ingest", "event.type", "video.asset.ready")
                .iter()
                .any(|ingest| {
                    let children = received.children(ingest);
                    let request = received.all().into_iter().any(|s| s.id == ingest.parent);
                    request
                        && children.iter().any(|s| s.name == "db.apply")
                        && children.iter().any(|s| s.name == "db.commit")
                })
        },
    )
    .await;
    let ingest = received
        .named("webhook.ingest", "event.type", "video.asset.ready")
        .remove(0);
    assert_eq!(ingest.attributes["outcome"], "applied");
    assert_eq!(
        ingest.attributes["asset.id"],
        created["id"].as_str().unwrap()
    );
    let request = received
        .all()
        .into_iter()
        .find(|s| s.id == ingest.parent && s.trace == ingest.trace)
        .expect("the webhook's request span");
    assert_eq!(request.name, "POST /api/webhooks/mux");
    assert_eq!(request.attributes["http.response.status_code"], "200");
    let commit = received
        .children(&ingest)
        .into_iter()
        .find(|s| s.name == "db.commit")
        .unwrap();
    assert_eq!(commit.attributes["db.system"], "sqlite");
}
