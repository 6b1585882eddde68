//! Text track operations against the emulator: generated captions asked for at creation, a
//! caption file Mux fetches, generate-subtitles on an audio track, delete, and the track's
//! WebVTT read from the stream host, bounded.

use std::time::Duration;

use mux_api::{
    AssetInput, AssetStatus, CreateAssetRequest, CreateTrackRequest, GeneratedSubtitles, MuxClient,
    MuxError, NewAssetSettings, PlaybackPolicy, Track,
};

use crate::harness::TestMux;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/media/tiny-2s-320x240.mp4"
);
const VTT: &str = "WEBVTT\n\n00:00.000 --> 00:01.000\nHello there\n";

/// Serves the fixture and a caption file on 127.0.0.1; their URLs.
async fn files() -> (String, String) {
    let app = axum::Router::new()
        .route(
            "/clip.mp4",
            axum::routing::get(|| async { std::fs::read(FIXTURE).unwrap() }),
        )
        .route("/en.vtt", axum::routing::get(|| async { VTT }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("{base}/clip.mp4"), format!("{base}/en.vtt"))
}

/// Reads asset `id` until `done` holds of it (or 5 s pass); returns it.
async fn until(
    client: &MuxClient,
    id: &str,
    done: impl Fn(&mux_api::Asset) -> bool,
) -> mux_api::Asset {
    let mut asset = client.get_asset(id).await.unwrap();
    for _ in 0..250 {
        if done(&asset) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        asset = client.get_asset(id).await.unwrap();
    }
    asset
}

fn text_tracks(asset: &mux_api::Asset) -> Vec<&Track> {
    asset
        .tracks
        .iter()
        .filter(|t| t.track_type.as_deref() == Some("text"))
        .collect()
}

#[tokio::test]
async fn captions_are_generated_supplied_deleted_and_read() {
    let (clip, vtt_url) = files().await;
    let mux = TestMux::start_with(
        mux_emulator::EmulatorConfig {
            allow_private_inputs: true,
            text_track_delay: Duration::from_millis(10),
            ..Default::default()
        },
        |_| {},
    )
    .await;
    let asked = GeneratedSubtitles {
        language_code: "en".into(),
        name: "English (generated)".into(),
        passthrough: Some("row-1".into()),
    };
    let request = CreateAssetRequest {
        inputs: vec![AssetInput {
            url: Some(clip),
            generated_subtitles: vec![asked.clone()],
        }],
        settings: NewAssetSettings {
            playback_policies: vec![PlaybackPolicy::Public],
            ..NewAssetSettings::default()
        },
    };
    let created = mux.client.create_asset(&request).await.unwrap();
    let asset = until(&mux.client, &created.id, |a| {
        a.status == AssetStatus::Ready
            && text_tracks(a).first().and_then(|t| t.status.as_deref()) == Some("ready")
    })
    .await;
    let generated = text_tracks(&asset)[0].clone();
    assert_eq!(
        generated.text_source.as_deref(),
        Some("generated_vod"),
        "{generated:?}"
    );
    assert_eq!(generated.passthrough.as_deref(), Some("row-1"));

    // The track's WebVTT from the stream host, and a cap that refuses a longer answer.
    let playback = &asset.playback_ids[0].id;
    let track_id = generated.id.clone().unwrap();
    let url = format!(
        "{}/stream/{playback}/text/{track_id}.vtt",
        mux.emulator.base_url()
    );
    let text = mux.client.fetch_text(&url, 64 * 1024).await.unwrap();
    assert!(text.starts_with("WEBVTT"), "{text}");
    let capped = mux.client.fetch_text(&url, 8).await.unwrap_err();
    assert!(
        matches!(capped, MuxError::InvalidRequest { .. }),
        "{capped:?}"
    );

    // A supplied file, then deleted.
    let supplied = CreateTrackRequest {
        url: vtt_url,
        track_type: "text".into(),
        text_type: "subtitles".into(),
        language_code: "de".into(),
        name: "Deutsch".into(),
        closed_captions: false,
        passthrough: None,
    };
    let track = mux.client.create_track(&asset.id, &supplied).await.unwrap();
    assert_eq!(track.status.as_deref(), Some("preparing"));
    let supplied_id = track.id.unwrap();
    let asset = until(&mux.client, &asset.id, |a| {
        text_tracks(a)
            .iter()
            .any(|t| t.id.as_ref() == Some(&supplied_id) && t.status.as_deref() == Some("ready"))
    })
    .await;
    assert_eq!(text_tracks(&asset).len(), 2, "{asset:?}");
    mux.client
        .delete_track(&asset.id, &supplied_id)
        .await
        .unwrap();
    let gone = mux
        .client
        .delete_track(&asset.id, &supplied_id)
        .await
        .unwrap_err();
    assert_eq!(gone.status(), Some(404), "{gone:?}");

    // Generated again from the audio track, after the first was deleted.
    mux.client.delete_track(&asset.id, &track_id).await.unwrap();
    let audio = asset
        .tracks
        .iter()
        .find(|t| t.track_type.as_deref() == Some("audio"))
        .and_then(|t| t.id.clone())
        .unwrap();
    let made = mux
        .client
        .generate_subtitles(&asset.id, &audio, &[asked])
        .await
        .unwrap();
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].status.as_deref(), Some("preparing"));
    assert!(mux
        .client
        .delete_track(&asset.id, "not a valid id!")
        .await
        .is_err());
}
