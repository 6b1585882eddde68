//! `muxd dev` as a new user meets it: start the binary with no settings at all, open the URL it
//! prints, sign in, upload a real file through its API to the embedded emulator, and watch the
//! asset reach READY. Also `muxd serve` refusing to start without its secrets.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::app::fixture;
use crate::harness::{eventually, TempDir};

/// Kills the child on drop, so a failing test leaves nothing running.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn muxd(dir: &TempDir, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_muxd"));
    cmd.args(args)
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Starts `muxd args…` and waits for the first stdout line containing `needle`. The rest of
/// stdout keeps being read, so the child never writes into a closed pipe.
async fn start(
    dir: &TempDir,
    args: &[&str],
    env: &[(&str, &str)],
    needle: &'static str,
) -> (Running, String) {
    let mut child = muxd(dir, args, env).stdout(Stdio::piped()).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let (found, wanted) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut found = Some(found);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains(needle) {
                if let Some(found) = found.take() {
                    let _ = found.send(line);
                }
            }
        }
    });
    let line = tokio::time::timeout(Duration::from_secs(60), wanted)
        .await
        .unwrap_or_else(|_| panic!("muxd {args:?} never printed {needle:?}"))
        .unwrap_or_else(|_| panic!("muxd {args:?} exited before printing {needle:?}"));
    (running, line)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn muxd_dev_serves_the_page_it_prints_and_an_upload_reaches_ready() {
    let dir = TempDir::new().unwrap();
    let (_running, line) = start(&dir, &["dev"], &[("MUXD_LISTEN", "127.0.0.1:0")], "Open ").await;
    let login = line
        .split("Open ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let base = login.split("/dev/login").next().unwrap().to_owned();

    // Sign in as the demo user: a cookie, and a redirect to the content page.
    let http = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let response = http.get(&login).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = response.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let page = response.headers()[LOCATION].to_str().unwrap().to_owned();
    let html = http.get(format!("{base}{page}")).send().await.unwrap();
    assert_eq!(html.status(), StatusCode::OK);
    assert!(html.text().await.unwrap().contains("Step 4: Content"));

    // The page's own calls: the campaign, an upload, the file PUT, then the status.
    let campaign_id = page
        .trim_start_matches("/campaigns/")
        .trim_end_matches("/content");
    let campaign: Value = http
        .get(format!("{base}/api/campaigns/{campaign_id}"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let influencer = campaign["influencers"][0]["id"].as_str().unwrap();
    let created: Value = http
        .post(format!("{base}/api/mux/create-video-upload"))
        .header(COOKIE, &cookie)
        .json(&json!({"name": "hd.mp4", "campaignId": campaign_id, "influencerId": influencer, "fileType": "video/mp4"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = created["url"].as_str().expect("an upload URL");
    let put = http
        .put(url)
        .body(fixture("hd-10s-1280x720.mp4"))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::OK);
    let id = created["id"].as_str().unwrap();
    let read = async || -> Value {
        let url = format!("{base}/api/creative-assets/{id}");
        http.get(url)
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    };
    eventually("the upload reaching READY", async || {
        read().await["status"] == "READY"
    })
    .await;
    let asset = read().await;
    assert_eq!(asset["status"], "READY", "{asset}");
    assert_eq!(asset["aspectRatio"], "16:9");
    let media = http
        .get(asset["playbackUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert!(
        media.status().is_success() || media.status().is_redirection(),
        "{}",
        media.status()
    );
    assert!(
        dir.path().join("muxd.db").exists(),
        "muxd dev keeps its SQLite file in the working directory"
    );
}

#[test]
fn muxd_serve_without_secrets_names_each_fix_and_exits_non_zero() {
    let dir = TempDir::new().unwrap();
    let out = muxd(&dir, &["serve"], &[]).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for setting in [
        "MUX_TOKEN_ID",
        "MUX_TOKEN_SECRET",
        "MUX_WEBHOOK_SIGNING_SECRET",
        "MUXD_JWT_HS256_SECRET",
    ] {
        assert!(
            stderr.contains(&format!("{setting}: ")),
            "{setting} not named in:\n{stderr}"
        );
    }
    assert!(stderr.contains("Fix:"), "{stderr}");
}

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
    let env = |secret: &'static str| {
        vec![
            ("DATABASE_URL", db.clone()),
            ("MUX_BASE_URL", base.clone()),
            ("MUX_TOKEN_ID", "emulator".to_owned()),
            ("MUX_TOKEN_SECRET", secret.to_owned()),
            ("MUX_WEBHOOK_SIGNING_SECRET", "s".to_owned()),
            ("MUXD_JWT_HS256_SECRET", "j".to_owned()),
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
    let good = run(env("emulator-secret"));
    let text = String::from_utf8_lossy(&good.stdout);
    assert!(good.status.success(), "{text}");
    assert!(text.contains("All checks passed"), "{text}");

    let bad = run(env("wrong-secret"));
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
    let store = muxd::store::Store::connect(&muxd::config::DatabaseUrl::parse(&db).unwrap())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let user = store
        .upsert_user("user_cli", muxd::store::Role::User)
        .await
        .unwrap();
    let id = muxd::domain::AssetId::new();
    let new = muxd::store::NewAsset {
        id,
        owner_id: user.id,
        campaign_id: None,
        influencer_id: None,
        name: "r".into(),
        description: None,
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
    crate::harness::exec(
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
        ("MUXD_JWT_HS256_SECRET", "j"),
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
    let store = muxd::store::Store::connect(&muxd::config::DatabaseUrl::parse(&db).unwrap())
        .await
        .unwrap();
    assert_eq!(
        store.asset(id).await.unwrap().unwrap().facts.status,
        muxd::domain::AssetStatus::Ready
    );
}
