//! Text tracks (docs/mux-facts.md §10): caption files Mux fetches, captions it generates from an
//! audio track, deleting a track, and reading a track's WebVTT from the stream host. Every call
//! goes through the resilience layer like the API's other operations.

use reqwest::Method;

use crate::client::MuxClient;
use crate::error::MuxError;
use crate::http::{decode_data, decode_nothing, Request};
use crate::ops::id;
use crate::types::{CreateTrackRequest, GeneratedSubtitles, Track};

impl MuxClient {
    /// `POST /video/v1/assets/{id}/tracks`: Mux fetches the caption file at `request.url` and
    /// makes a text track of it (`preparing`, then `ready` or `errored`). The asset must be ready.
    pub async fn create_track(
        &self,
        asset_id: &str,
        request: &CreateTrackRequest,
    ) -> Result<Track, MuxError> {
        let path = format!("/video/v1/assets/{}/tracks", id(asset_id)?);
        let request = Request::new(Method::POST, path).json(request)?;
        self.call("create_track", request, decode_data).await
    }

    /// `DELETE /video/v1/assets/{id}/tracks/{track_id}` (204).
    pub async fn delete_track(&self, asset_id: &str, track_id: &str) -> Result<(), MuxError> {
        let path = format!(
            "/video/v1/assets/{}/tracks/{}",
            id(asset_id)?,
            id(track_id)?
        );
        let request = Request::new(Method::DELETE, path);
        self.call("delete_track", request, decode_nothing).await
    }

    /// `POST /video/v1/assets/{id}/tracks/{audio_track_id}/generate-subtitles`: captions Mux
    /// generates from an existing asset's audio track; the new text tracks, `preparing`.
    pub async fn generate_subtitles(
        &self,
        asset_id: &str,
        audio_track_id: &str,
        subtitles: &[GeneratedSubtitles],
    ) -> Result<Vec<Track>, MuxError> {
        let path = format!(
            "/video/v1/assets/{}/tracks/{}/generate-subtitles",
            id(asset_id)?,
            id(audio_track_id)?
        );
        let body = serde_json::json!({ "generated_subtitles": subtitles });
        let request = Request::new(Method::POST, path).json(&body)?;
        self.call("generate_subtitles", request, decode_data).await
    }

    /// `GET` of a text file Mux serves on the stream host (a track's `.vtt` or `.txt`, with its
    /// token for a signed playback id), at most `max_bytes` of it; not UTF-8 is a decode error.
    pub async fn fetch_text(&self, url: &str, max_bytes: usize) -> Result<String, MuxError> {
        let request = Request::file(url.to_owned(), max_bytes);
        self.call("fetch_text", request, |status, body| {
            String::from_utf8(body.to_vec()).map_err(|e| MuxError::Decode {
                status,
                message: e.to_string(),
            })
        })
        .await
    }
}
