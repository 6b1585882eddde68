//! The other `muxd` commands as an operator runs them: `muxd emulator` alone answering the Mux
//! API, `muxd doctor` passing or naming the fix, `muxd reconcile --once` finishing an asset
//! whose webhooks never came, and `muxd adopt` taking on an asset made outside muxd, once.

use muxd_domain::ExternalUserId;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::adopt::external_asset;
use crate::media::fixture;
use crate::process::{muxd, start};
use muxd_testkit::databases::{count, eventually, TempDir};

/// The HS256 secret the commands run with (they check no token, but `serve`'s settings need one).
const JWT_SECRET: &str = "commands-test-secret-of-32-bytes-or-more";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn muxd_emulator_runs_alone_and_answers_the_mux_api() {
    let dir = TempDir::new().unwrap();
    let (_running, line) = start(&dir, &["emulator", "--port", "0"], &[], "listening on").await;
    let base = line.rsplit(' ').next().unwrap().to_owned();
    let http = reqwest::Client::new();
    let created = http
        .post(format!("{base}/video/v1/uploads"))
        .basic_auth("emulator", Some("emulator-secret"))
        .json(&json!({"cors_origin": "*", "new_asset_settings": {"playback_policies": ["public"]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let anonymous = http
        .get(format!("{base}/video/v1/uploads"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn muxd_doctor_passes_when_all_is_well_and_names_the_fix_when_not() {
    let emulator = mux_emulator::start_on_ephemeral_port(mux_emulator::EmulatorConfig::default())
        .await
        .unwrap();
    let dir = TempDir::new().unwrap();
    let db = format!("sqlite://{}", dir.path().join("doctor.db").display());
    let base = emulator.base_url();
    let env = |secret: &'static str, audience: &'static str| {
        vec![
            ("DATABASE_URL", db.clone()),
            ("MUX_BASE_URL", base.clone()),
            ("MUX_TOKEN_ID", "emulator".to_owned()),
            ("MUX_TOKEN_SECRET", secret.to_owned()),
            ("MUX_WEBHOOK_SIGNING_SECRET", "s".to_owned()),
            ("MUXD_JWT_HS256_SECRET", JWT_SECRET.to_owned()),
            (
                "MUXD_JWT_ISSUER",
                "https://identity.example.test".to_owned(),
            ),
            ("MUXD_JWT_AUDIENCE", audience.to_owned()),
        ]
    };
    let run = |vars: Vec<(&'static str, String)>| {
        let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        muxd(&dir, &["doctor"], &pairs).output().unwrap()
    };
    assert!(muxd(&dir, &["migrate"], &[("DATABASE_URL", &db)])
        .status()
        .unwrap()
        .success());
    // `output()` blocks this worker; the emulator keeps serving on the other.
    let good = run(env("emulator-secret", "muxd"));
    let text = String::from_utf8_lossy(&good.stdout);
    assert!(good.status.success(), "{text}");
    assert!(text.contains("All checks passed."), "{text}");

    // Any audience works, but is warned about (and does not fail the check).
    let any = run(env("emulator-secret", "*"));
    let text = String::from_utf8_lossy(&any.stdout);
    assert!(any.status.success(), "{text}");
    assert!(
        text.contains("[warn] bearer tokens: MUXD_JWT_AUDIENCE is `*`"),
        "{text}"
    );
    assert!(text.contains("fix: set MUXD_JWT_AUDIENCE to"), "{text}");
    assert!(text.contains("All checks passed, with warnings."), "{text}");

    let bad = run(env("wrong-secret", "muxd"));
    let text = String::from_utf8_lossy(&bad.stdout);
    assert!(!bad.status.success(), "{text}");
    assert!(
        text.contains("Mux refused the access token (401)"),
        "{text}"
    );
    assert!(
        text.contains("fix: check MUX_TOKEN_ID/MUX_TOKEN_SECRET"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn muxd_reconcile_once_finishes_an_asset_whose_webhooks_never_came() {
    // An emulator with no webhook URL: Mux finishes the asset, muxd hears nothing.
    let emulator = mux_emulator::start_on_ephemeral_port(mux_emulator::EmulatorConfig::default())
        .await
        .unwrap();
    let dir = TempDir::new().unwrap();
    let db = format!("sqlite://{}", dir.path().join("rec.db").display());
    let store = muxd_store::Store::connect(&muxd_core::config::DatabaseUrl::parse(&db).unwrap())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let user = store
        .upsert_user(
            &ExternalUserId::parse("user_cli").unwrap(),
            muxd_store::Role::User,
        )
        .await
        .unwrap();
    let id = muxd_domain::AssetId::new();
    let new = muxd_store::NewAsset {
        id,
        owner_id: user.id,
        campaign_id: None,
        influencer_id: None,
        name: "r".into(),
        description: None,
        file_size: None,
        encoding: None,
    };
    store.insert_asset(&new).await.unwrap();
    let http = reqwest::Client::new();
    let upload: Value = http
        .post(format!("{}/video/v1/uploads", emulator.base_url()))
        .basic_auth("emulator", Some("emulator-secret"))
        .json(&json!({"cors_origin": "*", "new_asset_settings": {"playback_policies": ["public"], "passthrough": id.to_string()}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (upload_id, url) = (
        upload["data"]["id"].as_str().unwrap(),
        upload["data"]["url"].as_str().unwrap(),
    );
    store.set_upload(id, upload_id, url).await.unwrap();
    http.put(url)
        .body(fixture("tiny-2s-320x240.mp4"))
        .send()
        .await
        .unwrap();
    // Wait until Mux (the emulator) has finished the asset.
    let ready = async || {
        emulator
            .assets()
            .iter()
            .any(|a| a.status == mux_emulator::AssetStatus::Ready)
    };
    eventually("Mux finishing the asset", ready).await;
    // Quiet for longer than the grace period.
    muxd_testkit::databases::exec(
        &store,
        "UPDATE creative_assets SET updated_at = updated_at - 120000",
    )
    .await;
    store.close().await;

    let base = emulator.base_url();
    let env = [
        ("DATABASE_URL", db.as_str()),
        ("MUX_BASE_URL", base.as_str()),
        ("MUX_TOKEN_ID", "emulator"),
        ("MUX_TOKEN_SECRET", "emulator-secret"),
        ("MUX_WEBHOOK_SIGNING_SECRET", "s"),
        ("MUXD_JWT_HS256_SECRET", JWT_SECRET),
        ("MUXD_JWT_ISSUER", "https://identity.example.test"),
        ("MUXD_JWT_AUDIENCE", "muxd"),
    ];
    // `output()` blocks this worker; the emulator keeps serving on the other.
    let out = muxd(&dir, &["reconcile", "--once"], &env).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("polled 1, changed 1"), "{text}");
    let store = muxd_store::Store::connect(&muxd_core::config::DatabaseUrl::parse(&db).unwrap())
        .await
        .unwrap();
    assert_eq!(
        store.asset(id).await.unwrap().unwrap().facts.status,
        muxd_domain::AssetStatus::Ready
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn muxd_adopt_adopts_by_asset_or_playback_id_once() {
    let emulator = mux_emulator::start_on_ephemeral_port(mux_emulator::EmulatorConfig::default())
        .await
        .unwrap();
    let base = emulator.base_url();
    let (asset_id, playback_id) = external_asset(&base, "From the dashboard").await;
    let dir = TempDir::new().unwrap();
    let db = format!("sqlite://{}", dir.path().join("adopt.db").display());
    let env = [
        ("DATABASE_URL", db.as_str()),
        ("MUX_BASE_URL", base.as_str()),
        ("MUX_TOKEN_ID", "emulator"),
        ("MUX_TOKEN_SECRET", "emulator-secret"),
        ("MUX_WEBHOOK_SIGNING_SECRET", "s"),
        ("MUXD_JWT_HS256_SECRET", JWT_SECRET),
        ("MUXD_JWT_ISSUER", "https://identity.example.test"),
        ("MUXD_JWT_AUDIENCE", "muxd"),
    ];
    let run = |id: &str| {
        // `output()` blocks this worker; the emulator keeps serving on the other.
        let out = muxd(&dir, &["adopt", id, "--owner", "user_cli"], &env)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let errors = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{text}{errors}");
        text
    };
    let first = run(&asset_id);
    assert!(first.contains(": READY, new"), "{first}");
    let row_id = first
        .split_whitespace()
        .nth(1)
        .unwrap()
        .trim_end_matches(':');
    let again = run(&playback_id);
    assert!(
        again.contains(&format!("adopted {row_id}: READY, already tracked")),
        "{again}"
    );

    let out = muxd(&dir, &["adopt", "nosuchasset", "--owner", "user_cli"], &env)
        .output()
        .unwrap();
    let errors = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        errors.contains("Mux has no asset or playback id nosuchasset"),
        "{errors}"
    );

    let store = muxd_store::Store::connect(&muxd_core::config::DatabaseUrl::parse(&db).unwrap())
        .await
        .unwrap();
    let row = store.asset(row_id.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(row.origin, muxd_domain::AssetOrigin::Adopted);
    assert_eq!(row.name, "From the dashboard");
    assert_eq!(
        count(&store, "SELECT COUNT(*) FROM creative_assets").await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn muxd_healthcheck_passes_only_on_a_200_from_readyz() {
    // A stand-in for `muxd serve`: /readyz answers 200 on one listener and 503 on another.
    async fn serve(status: StatusCode) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router =
            axum::Router::new().route("/readyz", axum::routing::get(move || async move { status }));
        tokio::spawn(async move { axum::serve(listener, router).await });
        addr
    }
    let ready = serve(StatusCode::OK).await;
    let draining = serve(StatusCode::SERVICE_UNAVAILABLE).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let dir = TempDir::new().unwrap();
    let check = |listen: String| {
        muxd(&dir, &["healthcheck"], &[("MUXD_LISTEN", &listen)])
            .output()
            .unwrap()
    };
    // 0.0.0.0 (as in the container image) is asked on loopback.
    let ok = check(format!("0.0.0.0:{}", ready.port()));
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let refused = check(draining.to_string());
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("503"));
    assert!(!check(closed.to_string()).status.success());
}
