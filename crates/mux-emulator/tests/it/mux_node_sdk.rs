//! Tokens minted by Mux's official Node SDK (`@mux/mux-node`, `mux.jwt.signPlaybackId`) open
//! signed playback ids, as they open Mux's. The SDK puts `kid` in the claims, not the header.
//!
//! Needs `node` and the SDK in `target/node-deps` (`.ci/run` installs it). Without them the
//! test prints `SKIPPED: …` and passes, except under `CI=true`, where it fails.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

use reqwest::StatusCode;

use crate::harness::TestEmu;
use crate::signing::{create_key, get, png_size, ready_playback_id};

/// How to get the SDK, as `.ci/run` does it.
const INSTALL: &str = "npm install --prefix target/node-deps @mux/mux-node@15";

/// Signs `$PLAYBACK_ID` for `$TYPE` with `$KEY_ID` and `$KEY_SECRET` (the base64 PEM the API
/// returned), printing the token.
const SIGN: &str = r#"
const Mux = require("@mux/mux-node");
const mux = new Mux({ tokenId: "unused", tokenSecret: "unused" });
const env = process.env;
mux.jwt
  .signPlaybackId(env.PLAYBACK_ID, { keyId: env.KEY_ID, keySecret: env.KEY_SECRET, type: env.TYPE })
  .then((token) => process.stdout.write(token), (e) => { console.error(e); process.exit(1); });
"#;

/// `node_modules` holding the SDK, or `None` (after saying why) if node or the SDK is missing.
fn sdk() -> Option<PathBuf> {
    let modules =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/node-deps/node_modules");
    let node = Command::new("node").arg("--version").output();
    let missing = if !node.is_ok_and(|o| o.status.success()) {
        "node is not installed"
    } else if !modules.join("@mux/mux-node/package.json").is_file() {
        "@mux/mux-node is not in target/node-deps"
    } else {
        return Some(modules);
    };
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{missing}: CI must run the mux-node test ({INSTALL})"
    );
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED: the @mux/mux-node token test: {missing} ({INSTALL}) ***\n"
    );
    None
}

/// A token from the SDK for `playback_id` and `kind` (`video`, `thumbnail`, `storyboard`…).
fn sdk_token(modules: &PathBuf, key: &serde_json::Value, playback_id: &str, kind: &str) -> String {
    let out = Command::new("node")
        .args(["-e", SIGN])
        .env("NODE_PATH", modules)
        .env("PLAYBACK_ID", playback_id)
        .env("KEY_ID", key["id"].as_str().unwrap())
        .env("KEY_SECRET", key["private_key"].as_str().unwrap())
        .env("TYPE", kind)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "the SDK failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn tokens_from_the_official_node_sdk_play() {
    let Some(modules) = sdk() else { return };
    let emu = TestEmu::spawn().await;
    let key = create_key(&emu).await;
    let pid = ready_playback_id(&emu, "signed").await;

    let video = sdk_token(&modules, &key, &pid, "video");
    let played = get(&emu, &format!("/stream/{pid}.m3u8"), Some(&video)).await;
    assert_eq!(played.status(), StatusCode::OK, "m3u8 → redirect → mp4");
    assert_eq!(played.url().path(), format!("/stream/{pid}/highest.mp4"));

    let thumbnail = sdk_token(&modules, &key, &pid, "thumbnail");
    let image = get(
        &emu,
        &format!("/image/{pid}/thumbnail.jpg"),
        Some(&thumbnail),
    )
    .await;
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(png_size(&image.bytes().await.unwrap()), (320, 240));

    let wrong = get(
        &emu,
        &format!("/image/{pid}/storyboard.vtt"),
        Some(&thumbnail),
    )
    .await;
    assert_eq!(
        wrong.status(),
        StatusCode::FORBIDDEN,
        "a thumbnail token is no storyboard token"
    );
}
