//! Chunked, resumable uploads as UpChunk sends them (docs/mux-facts.md §3.2): every fixture with chunk
//! sizes that do and don't divide the file, and the ways chunks can go wrong.

use reqwest::StatusCode;

use crate::harness::{assert_matches_manifest, fixture, header, manifest, TestEmu};

/// A chunk size that divides `len` (other than `len` itself, when possible).
fn dividing(len: usize) -> usize {
    (2..=16)
        .find(|d| len % d == 0)
        .map(|d| len / d)
        .unwrap_or(len)
}

/// A chunk size that leaves a shorter last chunk.
fn non_dividing(len: usize) -> usize {
    (len / 3 + 1..len).find(|c| len % c != 0).unwrap_or(len)
}

#[tokio::test]
async fn every_fixture_through_chunked_puts() {
    let emu = TestEmu::spawn().await;
    for entry in manifest() {
        let name = entry["file"].as_str().unwrap();
        let bytes = fixture(name);
        if bytes.is_empty() {
            continue; // a Content-Range cannot describe zero bytes; the single-PUT test covers it
        }
        for chunk in [dividing(bytes.len()), non_dividing(bytes.len())] {
            let upload = emu.create_public_upload(name).await;
            emu.put_chunked(upload["url"].as_str().unwrap(), &bytes, chunk)
                .await;
            let asset = emu.wait_for_asset(upload["id"].as_str().unwrap()).await;
            assert_matches_manifest(&asset, &entry);
            if asset["status"] == "ready" {
                let playback = asset["playback_ids"][0]["id"].as_str().unwrap();
                let served = emu
                    .client
                    .get(emu.url(&format!("/stream/{playback}/highest.mp4")))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(
                    served.bytes().await.unwrap().as_ref(),
                    bytes.as_slice(),
                    "{name} with {chunk}-byte chunks"
                );
            }
        }
    }
}

#[tokio::test]
async fn gaps_overlaps_and_bad_chunks_are_refused_without_corrupting_the_file() {
    let emu = TestEmu::spawn().await;
    let bytes = fixture("tiny-2s-320x240.mp4");
    let total = bytes.len() as u64;
    let upload = emu.create_public_upload("resume").await;
    let url = upload["url"].as_str().unwrap();
    let c = 20_000usize;

    let r = emu.put_chunk(url, &bytes[..c], 0, total).await;
    assert_eq!(r.status(), StatusCode::PERMANENT_REDIRECT);

    // A gap: starts past what arrived.
    let gap = emu
        .put_chunk(url, &bytes[2 * c..3 * c], 2 * c as u64, total)
        .await;
    assert_eq!(gap.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        header(&gap, "range").as_deref(),
        Some("bytes=0-19999"),
        "says where to resume"
    );
    assert!(gap.text().await.unwrap().contains("resend from byte 20000"));

    // An overlap that is not a resend of the last chunk.
    let overlap = emu.put_chunk(url, &bytes[10..c + 10], 10, total).await;
    assert_eq!(overlap.status(), StatusCode::BAD_REQUEST);

    // The total must not change.
    let other_total = emu
        .put_chunk(url, &bytes[c..2 * c], c as u64, total + 1)
        .await;
    assert_eq!(other_total.status(), StatusCode::BAD_REQUEST);

    // A chunk shorter than its Content-Range says is refused and cut off again.
    let short = emu
        .client
        .put(url)
        .header("content-range", format!("bytes {c}-{}/{total}", 2 * c - 1))
        .body(bytes[c..c + 100].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(short.status(), StatusCode::BAD_REQUEST);
    assert_eq!(header(&short, "range").as_deref(), Some("bytes=0-19999"));

    // A malformed header.
    let malformed = emu
        .client
        .put(url)
        .header("content-range", "bytes 0-/x")
        .body(vec![0u8])
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);

    // UpChunk resends the whole last chunk when it did not see the 308: accepted again.
    let resend = emu.put_chunk(url, &bytes[..c], 0, total).await;
    assert_eq!(resend.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(header(&resend, "range").as_deref(), Some("bytes=0-19999"));

    // A status query (`bytes */total`).
    let query = emu
        .client
        .put(url)
        .header("content-range", format!("bytes */{total}"))
        .send()
        .await
        .unwrap();
    assert_eq!(query.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(header(&query, "range").as_deref(), Some("bytes=0-19999"));

    // Resume properly; the result is byte-identical.
    let mut start = c;
    while start < bytes.len() {
        let end = (start + c).min(bytes.len());
        let r = emu
            .put_chunk(url, &bytes[start..end], start as u64, total)
            .await;
        assert!(r.status() == StatusCode::OK || r.status() == StatusCode::PERMANENT_REDIRECT);
        start = end;
    }
    let last_start = (bytes.len() - 1) / c * c;
    let final_resend = emu
        .put_chunk(url, &bytes[last_start..], last_start as u64, total)
        .await;
    assert_eq!(
        final_resend.status(),
        StatusCode::OK,
        "a resent final chunk is answered 200 again"
    );

    let asset = emu.wait_for_asset(upload["id"].as_str().unwrap()).await;
    assert_eq!(asset["status"], "ready");
    let playback = asset["playback_ids"][0]["id"].as_str().unwrap();
    let served = emu
        .client
        .get(emu.url(&format!("/stream/{playback}/highest.mp4")))
        .send()
        .await
        .unwrap();
    assert_eq!(served.bytes().await.unwrap().as_ref(), bytes.as_slice());
    assert_eq!(emu.handle.assets().len(), 1, "exactly one asset");
}
