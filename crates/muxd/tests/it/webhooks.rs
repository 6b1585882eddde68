//! `POST /api/webhooks/mux` over real HTTP on both backends: every signature case (docs/contract.md §4,
//! docs/resilience.md §7) and unknown types; the envelopes and signatures the webhook tests
//! share. Dedupe and delivery order are in `webhook_deliveries`.

use muxd_domain::signature;
use muxd_store::Outcome;
use serde_json::{json, Value};

use muxd_testkit::app::now_secs;
use muxd_testkit::app::{TestApp, OLD_SIGNING_SECRET, SIGNING_SECRET};
use muxd_testkit::app_test;

/// A webhook body as Mux sends it: event `event_id` of type `kind` at second `second`.
pub fn envelope(event_id: &str, kind: &str, second: u32, data: Value) -> Vec<u8> {
    let object_type = if kind.starts_with("video.upload.") {
        "upload"
    } else {
        "asset"
    };
    serde_json::to_vec(&json!({
        "type": kind, "id": event_id, "created_at": format!("2026-11-23T10:00:{second:02}.000000Z"),
        "object": {"type": object_type, "id": data["id"]},
        "environment": {"name": "Test", "id": "t1"}, "data": data,
        "attempts": [], "request_id": null, "accessor": null, "accessor_source": null
    }))
    .unwrap()
}

/// A `mux-signature` header for `body` signed with `secret` at Unix second `t`.
pub fn header(secret: &str, t: i64, body: &[u8]) -> String {
    format!("t={t},v1={}", signature::sign(secret.as_bytes(), t, body))
}

/// A refused signature case: its name, the body sent, the body signed (they differ only when
/// tampered), its header from the Unix second it is posted at (`None`: no header), and the
/// status muxd must answer.
type Refused<'a> = (
    &'a str,
    &'a [u8],
    &'a [u8],
    fn(i64, &[u8]) -> Option<String>,
    u16,
);
/// An accepted signature case: its name, and its header from the Unix second it is posted at.
type Accepted = (&'static str, fn(i64, &[u8]) -> String);

app_test!(
    signature_cases_answer_the_right_status_and_store_nothing_when_rejected,
    |app: TestApp| async move {
        let body = envelope("evt-sig", "video.asset.updated", 1, json!({"id": "as-x"}));
        // Timestamps are whole seconds. Each case signs just before it posts and keeps 10 s of
        // margin either side of the 300 s tolerance (±310 s refused, ±290 s accepted), so it holds
        // unless one request takes 10 s; the exact ±300/±301 boundary is unit-tested on a fixed
        // clock in `muxd_domain::signature`.
        let mut tampered = body.clone();
        tampered[10] ^= 1;
        let oversized = vec![b' '; 70_000];
        let rejected: [Refused; 8] = [
            (
                "tampered body",
                &tampered,
                &body,
                |now, b| Some(header(SIGNING_SECRET, now, b)),
                401,
            ),
            (
                "wrong secret",
                &body,
                &body,
                |now, b| Some(header("not-the-secret", now, b)),
                401,
            ),
            (
                "310 s old",
                &body,
                &body,
                |now, b| Some(header(SIGNING_SECRET, now - 310, b)),
                401,
            ),
            (
                "310 s ahead",
                &body,
                &body,
                |now, b| Some(header(SIGNING_SECRET, now + 310, b)),
                401,
            ),
            ("missing header", &body, &body, |_, _| None, 400),
            (
                "garbled header",
                &body,
                &body,
                |_, _| Some("sha256=deadbeef".into()),
                400,
            ),
            (
                "no v1",
                &body,
                &body,
                |now, _| Some(format!("t={now}")),
                400,
            ),
            (
                "oversized body",
                &oversized,
                &oversized,
                |now, b| Some(header(SIGNING_SECRET, now, b)),
                413,
            ),
        ];
        for (case, sent, signed, sign, expected) in rejected {
            let status = app
                .post_webhook(sent, sign(now_secs(), signed).as_deref())
                .await;
            assert_eq!(status.as_u16(), expected, "{case}");
            assert_eq!(app.stored_events().await, 0, "{case} reached the database");
        }
        let malformed = b"{not json";
        let signed = header(SIGNING_SECRET, now_secs(), malformed);
        assert_eq!(
            app.post_webhook(malformed, Some(&signed)).await.as_u16(),
            400,
            "malformed JSON"
        );
        assert_eq!(
            app.stored_events().await,
            0,
            "malformed JSON reached the database"
        );

        // Accepted: near the boundaries, the rotated secret, several v1 with one good.
        let accepted: [Accepted; 4] = [
            ("290 s old", |now, b| header(SIGNING_SECRET, now - 290, b)),
            ("290 s ahead", |now, b| header(SIGNING_SECRET, now + 290, b)),
            ("previous secret", |now, b| {
                header(OLD_SIGNING_SECRET, now, b)
            }),
            ("several v1", |now, b| {
                let good = signature::sign(SIGNING_SECRET.as_bytes(), now, b);
                format!("t={now},v1=00ff,v1={good}")
            }),
        ];
        for (case, sign) in accepted {
            let status = app
                .post_webhook(&body, Some(&sign(now_secs(), &body)))
                .await;
            assert_eq!(status.as_u16(), 200, "{case}");
        }
        assert_eq!(app.stored_events().await, 1, "one event id, stored once");
        let rejected = app.app.webhook_stats.rejected_counts();
        assert_eq!(rejected.get("bad_signature"), Some(&2));
        assert_eq!(rejected.get("too_large"), Some(&1));
    }
);

app_test!(
    unknown_types_are_stored_and_ignored,
    |app: TestApp| async move {
        let body = envelope(
            "evt-live",
            "video.live_stream.active",
            1,
            json!({"id": "ls-1"}),
        );
        assert_eq!(app.post_signed(&body).await.as_u16(), 200);
        let stored = app.store.webhook_event("evt-live").await.unwrap().unwrap();
        assert_eq!(stored.outcome, Outcome::Ignored);
    }
);

/// A request without a signature is refused from its headers alone: here its body never comes
/// (16 of 4,096 announced bytes, then nothing), and the 400 comes at once all the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_without_a_signature_is_refused_before_its_body_is_read() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = TestApp::spawn(muxd_testkit::app::Backend::Sqlite)
        .await
        .unwrap();
    let address = app.base.trim_start_matches("http://");
    let mut socket = tokio::net::TcpStream::connect(address).await.unwrap();
    socket
        .write_all(
            b"POST /api/webhooks/mux HTTP/1.1\r\nhost: muxd\r\ncontent-type: application/json\r\n\
              content-length: 4096\r\n\r\n{\"type\": \"video.",
        )
        .await
        .unwrap();
    let mut answer = vec![0; 4096];
    let read = tokio::time::timeout(std::time::Duration::from_secs(3), socket.read(&mut answer))
        .await
        .expect("answered without waiting for the body")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    let rejected = app.app.webhook_stats.rejected_counts();
    assert_eq!(rejected.get("missing_header"), Some(&1), "{rejected:?}");
}
