//! Every typed operation against the emulator: uploads, assets, playback ids, errors.

use std::time::Duration;

use mux_api::{
    AssetInput, AssetMeta, AssetStatus, CreateAssetRequest, CreateUploadRequest, ErrorKind,
    ListAssetsParams, ListUploadsParams, MuxError, NewAssetSettings, PlaybackPolicy,
    UpdateAssetRequest, UploadStatus,
};

use crate::harness::TestMux;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/media/tiny-2s-320x240.mp4"
);

fn upload_request(passthrough: &str) -> CreateUploadRequest {
    CreateUploadRequest {
        cors_origin: Some("http://localhost:3000".into()),
        new_asset_settings: NewAssetSettings {
            playback_policies: vec![PlaybackPolicy::Public],
            passthrough: Some(passthrough.into()),
            video_quality: Some("basic".into()),
            ..NewAssetSettings::default()
        },
        timeout: Some(3600),
        test: None,
    }
}

#[tokio::test]
async fn upload_asset_and_playback_id_round_trip() {
    let mux = TestMux::start().await;
    let client = &mux.client;

    // Arrange: an upload, and the file PUT to its URL.
    let upload = client
        .create_upload(&upload_request("row-1"))
        .await
        .unwrap();
    assert_eq!(upload.status, UploadStatus::Waiting);
    assert_eq!(upload.cors_origin.as_deref(), Some("http://localhost:3000"));
    let url = upload.url.clone().expect("a waiting upload has a URL");
    let bytes = std::fs::read(FIXTURE).expect("test media is in the repo");
    let put = reqwest::Client::new()
        .put(url)
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "{}", put.status());

    // Act: follow the upload to its asset, as the reconciler does.
    let mut asset_id = None;
    for _ in 0..100 {
        let current = client.get_upload(&upload.id).await.unwrap();
        if let Some(id) = current.asset_id {
            assert_eq!(current.status, UploadStatus::AssetCreated);
            asset_id = Some(id);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let asset_id = asset_id.expect("the upload became an asset");
    let mut asset = client.get_asset(&asset_id).await.unwrap();
    for _ in 0..100 {
        if asset.status != AssetStatus::Preparing {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        asset = client.get_asset(&asset_id).await.unwrap();
    }

    // Assert: the asset as muxd reads it.
    assert_eq!(asset.status, AssetStatus::Ready, "{asset:?}");
    assert_eq!(asset.upload_id.as_deref(), Some(upload.id.as_str()));
    assert_eq!(asset.passthrough.as_deref(), Some("row-1"));
    assert!(asset.created_at.is_some());
    assert!(asset.duration.unwrap() > 1.5);
    assert_eq!(asset.playback_ids.len(), 1);
    assert!(!asset.tracks.is_empty());

    let by_upload = client
        .list_assets(&ListAssetsParams {
            upload_id: Some(upload.id.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(by_upload.data.len(), 1);
    let uploads = client
        .list_uploads(ListUploadsParams {
            limit: Some(10),
            page: Some(1),
        })
        .await
        .unwrap();
    assert!(uploads.data.iter().any(|u| u.id == upload.id));

    let update = UpdateAssetRequest {
        passthrough: Some("row-1b".into()),
        meta: Some(AssetMeta {
            title: Some("Clip".into()),
            ..AssetMeta::default()
        }),
    };
    let updated = client.update_asset(&asset_id, &update).await.unwrap();
    assert_eq!(updated.passthrough.as_deref(), Some("row-1b"));

    let signed = client
        .create_playback_id(&asset_id, PlaybackPolicy::Signed)
        .await
        .unwrap();
    assert_eq!(signed.policy, PlaybackPolicy::Signed);
    assert_eq!(
        client
            .get_asset_playback_id(&asset_id, &signed.id)
            .await
            .unwrap(),
        signed
    );
    let lookup = client.get_playback_id(&signed.id).await.unwrap();
    assert_eq!(
        (
            lookup.object.object_type.as_str(),
            lookup.object.id.as_str()
        ),
        ("asset", asset_id.as_str())
    );
    client
        .delete_playback_id(&asset_id, &signed.id)
        .await
        .unwrap();
    assert!(client
        .get_playback_id(&signed.id)
        .await
        .unwrap_err()
        .is_not_found());

    let shown = format!("{client:?}");
    assert!(!shown.contains("emulator-secret"), "{shown}");
    assert!(
        !shown.contains("ZW11bGF0b3I6ZW11bGF0b3Itc2VjcmV0"),
        "no encoded credentials: {shown}"
    );

    client.delete_asset(&asset_id).await.unwrap();
    let gone = client.get_asset(&asset_id).await.unwrap_err();
    assert!(gone.is_not_found(), "{gone:?}");
    assert_eq!(client.resilience_snapshot().totals.retries, 0);
}

#[tokio::test]
async fn cancel_and_cursor_listing() {
    let mux = TestMux::start().await;
    let upload = mux
        .client
        .create_upload(&upload_request("row-2"))
        .await
        .unwrap();
    let cancelled = mux.client.cancel_upload(&upload.id).await.unwrap();
    assert_eq!(cancelled.status, UploadStatus::Cancelled);
    let again = mux.client.cancel_upload(&upload.id).await.unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Permanent, "{again:?}");
    let page = mux
        .client
        .list_assets(&ListAssetsParams {
            limit: Some(5),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(page.data.is_empty());
}

#[tokio::test]
async fn wrong_credentials_are_a_permanent_error_sent_once() {
    let mux = TestMux::start_with(Default::default(), |c| {
        c.token_secret = "wrong".to_owned().into()
    })
    .await;
    let err = mux.client.get_upload("abc").await.unwrap_err();
    match &err {
        MuxError::Permanent {
            status: 401,
            error_type,
            ..
        } => assert_eq!(error_type.as_deref(), Some("unauthorized")),
        other => panic!("{other:?}"),
    }
    assert!(!format!("{err:?} {err}").contains("emulator-secret"));
    assert_eq!(mux.hits("/video/v1/uploads/abc").len(), 1, "never retried");
}

#[tokio::test]
async fn create_asset_from_a_url_keeps_its_settings() {
    // Arrange: the "remote" file on 127.0.0.1, which the emulator may fetch when told so.
    let app = axum::Router::new().route(
        "/clip.mp4",
        axum::routing::get(|| async { std::fs::read(FIXTURE).unwrap() }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/clip.mp4", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let emulator = mux_emulator::EmulatorConfig {
        allow_private_inputs: true,
        ..Default::default()
    };
    let mux = TestMux::start_with(emulator, |_| {}).await;

    // Act
    let request = CreateAssetRequest {
        inputs: vec![AssetInput {
            url: Some(url),
            ..AssetInput::default()
        }],
        settings: NewAssetSettings {
            playback_policies: vec![PlaybackPolicy::Public],
            passthrough: Some("by-url".into()),
            video_quality: Some("plus".into()),
            max_resolution_tier: Some("1440p".into()),
            ..NewAssetSettings::default()
        },
    };
    let created = mux.client.create_asset(&request).await.unwrap();
    assert_eq!(created.status, AssetStatus::Preparing);
    let mut asset = created.clone();
    for _ in 0..250 {
        if asset.status != AssetStatus::Preparing {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        asset = mux.client.get_asset(&created.id).await.unwrap();
    }

    // Assert
    assert_eq!(asset.status, AssetStatus::Ready, "{asset:?}");
    assert_eq!(asset.upload_id, None);
    assert_eq!(asset.passthrough.as_deref(), Some("by-url"));
    assert_eq!(asset.video_quality.as_deref(), Some("plus"));
    assert_eq!(asset.max_resolution_tier.as_deref(), Some("1440p"));
}
