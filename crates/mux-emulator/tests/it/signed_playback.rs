//! Signed playback ids: streams need a token with `aud` `v`, thumbnails `t`, storyboards `s`;
//! the token must name an existing key, the playback id and an `exp` ahead of the emulator's
//! clock. Each refusal is a 403 naming its reason. Public ids need nothing.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::{header, TestEmu};
use crate::signing::{
    create_key, get, no_redirects, now_s, png_size, ready_playback_id, sign, status_and_reason,
    token,
};

#[tokio::test]
async fn a_valid_token_plays_and_shows_images() {
    let emu = TestEmu::spawn().await;
    let key = create_key(&emu).await;
    let pid = ready_playback_id(&emu, "signed").await;
    let video = token(&key, &pid, "v");

    let hls = no_redirects()
        .get(emu.url(&format!("/stream/{pid}.m3u8")))
        .query(&[("token", &video)])
        .send()
        .await
        .unwrap();
    assert_eq!(hls.status(), StatusCode::FOUND);
    let location = header(&hls, "location").unwrap();
    assert_eq!(location, format!("/stream/{pid}/highest.mp4?token={video}"));
    let mp4 = emu
        .client
        .get(emu.url(&location))
        .header("range", "bytes=0-99")
        .send()
        .await
        .unwrap();
    assert_eq!(
        mp4.status(),
        StatusCode::PARTIAL_CONTENT,
        "Range still works"
    );
    assert_eq!(header(&mp4, "content-type").as_deref(), Some("video/mp4"));

    let thumbnail_token = token(&key, &pid, "t");
    let thumbnail = |query: &'static str| {
        let path = format!("/image/{pid}/thumbnail.png{query}");
        let (emu, token) = (&emu, &thumbnail_token);
        async move { get(emu, &path, Some(token)).await }
    };
    let full = thumbnail("").await;
    assert_eq!(full.status(), StatusCode::OK);
    assert_eq!(header(&full, "content-type").as_deref(), Some("image/png"));
    assert_eq!(
        png_size(&full.bytes().await.unwrap()),
        (320, 240),
        "the video's size"
    );
    let small = thumbnail("?width=160&time=1.5").await;
    assert_eq!(png_size(&small.bytes().await.unwrap()), (160, 120));

    let storyboard = token(&key, &pid, "s");
    let vtt = emu
        .client
        .get(emu.url(&format!("/image/{pid}/storyboard.vtt")))
        .query(&[("token", &storyboard)])
        .send()
        .await
        .unwrap();
    assert_eq!(vtt.status(), StatusCode::OK);
    assert_eq!(header(&vtt, "content-type").as_deref(), Some("text/vtt"));
    let vtt = vtt.text().await.unwrap();
    let tile_url = emu.url(&format!("/image/{pid}/storyboard.jpg?token={storyboard}"));
    assert!(vtt.starts_with("WEBVTT\n"), "{vtt}");
    assert!(
        vtt.contains(&format!("{tile_url}#xywh=0,0,256,192")),
        "{vtt}"
    );
    let tiles = emu.client.get(&tile_url).send().await.unwrap();
    assert_eq!(tiles.status(), StatusCode::OK);
    let cues = vtt.matches(" --> ").count() as u32;
    assert_eq!(
        png_size(&tiles.bytes().await.unwrap()),
        (cues * 256, 192),
        "one row of {cues} tiles"
    );
}

#[tokio::test]
async fn bad_tokens_are_refused_with_their_reason() {
    let emu = TestEmu::spawn().await;
    let key = create_key(&emu).await;
    let pid = ready_playback_id(&emu, "signed").await;
    let other_pid = ready_playback_id(&emu, "signed").await;
    let refused = |path: String, token: Option<String>| {
        let emu = &emu;
        async move { status_and_reason(get(emu, &path, token.as_deref()).await).await }
    };
    let m3u8 = format!("/stream/{pid}.m3u8");
    let mp4 = format!("/stream/{pid}/highest.mp4");
    let thumbnail = format!("/image/{pid}/thumbnail.jpg");
    let storyboard = format!("/image/{pid}/storyboard.vtt");

    for path in [&m3u8, &mp4, &thumbnail, &storyboard] {
        let (status, reason) = refused(path.clone(), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(reason.contains("token is required"), "{path}: {reason}");
    }
    let cases = [
        (&m3u8, token(&key, &pid, "t"), "audience"),
        (&mp4, token(&key, &pid, "s"), "audience"),
        (&thumbnail, token(&key, &pid, "v"), "audience"),
        (&storyboard, token(&key, &pid, "t"), "audience"),
        (&m3u8, token(&key, &other_pid, "v"), "another playback id"),
        (&m3u8, "not.a.jwt".to_owned(), "well-formed"),
        (&m3u8, tampered(&token(&key, &pid, "v")), "signature"),
    ];
    for (path, token, why) in cases {
        let (status, reason) = refused(path.clone(), Some(token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path} {why}");
        assert!(reason.contains(why), "{path}: {reason} should say {why}");
    }

    // Expiry is judged by the emulator's clock.
    let short = sign(&key, &json!({"sub": pid, "aud": "v", "exp": now_s() + 60}));
    let (status, _) = refused(m3u8.clone(), Some(short.clone())).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "valid for another minute (redirect followed)"
    );
    emu.handle.advance_clock(Duration::from_secs(120));
    let (status, reason) = refused(m3u8.clone(), Some(short)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(reason.contains("expired"), "{reason}");

    // A deleted key's tokens stop working.
    let valid = token(&key, &pid, "v");
    let (status, _) = refused(mp4.clone(), Some(valid.clone())).await;
    assert_eq!(status, StatusCode::OK);
    let deleted = emu
        .api(
            Method::DELETE,
            &format!("/system/v1/signing-keys/{}", key["id"].as_str().unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let (status, reason) = refused(mp4, Some(valid)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(reason.contains("does not exist"), "{reason}");
}

/// The token with its signature's first character changed.
fn tampered(token: &str) -> String {
    let (signed, signature) = token.rsplit_once('.').unwrap();
    let first = if signature.starts_with('A') { 'B' } else { 'A' };
    format!("{signed}.{first}{}", &signature[1..])
}

#[tokio::test]
async fn public_ids_need_no_token_and_ignore_one() {
    let emu = TestEmu::spawn().await;
    let pid = ready_playback_id(&emu, "public").await;

    let hls = no_redirects()
        .get(emu.url(&format!("/stream/{pid}.m3u8?token=whatever")))
        .send()
        .await
        .unwrap();
    assert_eq!(hls.status(), StatusCode::FOUND);
    assert_eq!(
        header(&hls, "location"),
        Some(format!("/stream/{pid}/highest.mp4"))
    );
    for image in ["thumbnail.webp", "animated.gif", "storyboard.png"] {
        let r = emu
            .client
            .get(emu.url(&format!("/image/{pid}/{image}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{image}");
        let size = png_size(&r.bytes().await.unwrap());
        if image == "animated.gif" {
            assert_eq!(size, (320, 240), "320 px wide by default");
        }
    }
    let json: serde_json::Value = emu
        .client
        .get(emu.url(&format!("/image/{pid}/storyboard.json?format=png")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        json["url"],
        emu.url(&format!("/image/{pid}/storyboard.png"))
    );
    assert_eq!(json["tiles"][0], json!({"start": 0.0, "x": 0, "y": 0}));
}
