//! The control API: state, request log, fault settings; never faulted or logged itself.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::harness::TestEmu;

#[tokio::test]
async fn request_log_over_http_and_the_handle() {
    let emu = TestEmu::spawn().await;
    emu.get_json("/video/v1/assets").await;
    emu.api(Method::POST, "/video/v1/uploads")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    emu.client
        .get(emu.url("/_emulator/state"))
        .send()
        .await
        .unwrap();

    let log = emu.handle.request_log();
    let seen: Vec<(String, String, Option<u16>)> = log
        .iter()
        .map(|r| (r.method.clone(), r.path.clone(), r.status))
        .collect();
    assert_eq!(
        seen,
        [
            ("GET".into(), "/video/v1/assets".into(), Some(200)),
            ("POST".into(), "/video/v1/uploads".into(), Some(201)),
        ],
        "control requests are not logged"
    );
    assert!(log[0].at_ms > 0 && log[0].at_ms <= log[1].at_ms);

    let over_http: Value = emu
        .client
        .get(emu.url("/_emulator/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(over_http["data"].as_array().unwrap().len(), 2);
    assert_eq!(over_http["data"][1]["status"], 201);

    let r = emu
        .client
        .delete(emu.url("/_emulator/requests"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(emu.handle.request_log().is_empty());
    emu.handle.clear_request_log();
}

#[tokio::test]
async fn state_and_faults_are_readable_and_resettable() {
    let emu = TestEmu::spawn().await;
    let upload = emu.create_public_upload("s").await;
    let state: Value = emu
        .client
        .get(emu.url("/_emulator/state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["uploads"][0]["id"], upload["id"]);
    assert!(state["assets"].as_array().unwrap().is_empty());

    let faults = json!({"api": [{"path": "**", "kind": "latency", "ms": 1}], "webhooks": {"drop_rate": 0.5}});
    let r = emu
        .client
        .put(emu.url("/_emulator/faults"))
        .json(&faults)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let got: Value = emu
        .client
        .get(emu.url("/_emulator/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["api"][0]["kind"], "latency");
    assert_eq!(got["webhooks"]["drop_rate"], 0.5);
    assert_eq!(emu.handle.faults().api.len(), 1);

    let r = emu
        .client
        .put(emu.url("/_emulator/faults"))
        .body("{bad")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    emu.client
        .delete(emu.url("/_emulator/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(emu.handle.faults(), mux_emulator::FaultConfig::default());

    let r = emu
        .client
        .get(emu.url("/_emulator/state"))
        .basic_auth("x", Some("y"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "control needs no auth");
}

#[tokio::test]
async fn faults_never_touch_the_control_api() {
    let emu = TestEmu::spawn().await;
    let r = emu
        .client
        .post(emu.url("/_emulator/faults/api"))
        .json(&json!({"kind": "drop"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert!(emu
        .client
        .get(emu.url("/_emulator/health"))
        .send()
        .await
        .unwrap()
        .status()
        .is_success());
    assert!(
        emu.client
            .get(emu.url("/video/v1/assets"))
            .send()
            .await
            .is_err(),
        "but the API is dropped"
    );
}
