//! What the browser sent to upload URLs, read from Chromium's DevTools network events: each
//! chunk's `Content-Range` and the status it was answered with (none if it never was, e.g. cut
//! off by a reload), so a test can prove which bytes arrived, and that none arrived twice.

use std::collections::HashMap;

use serde_json::Value;

/// One chunk PUT: its bytes (`start..=end`) and the answer's status, if one came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    pub start: u64,
    pub end: u64,
    pub status: Option<u64>,
}

impl Chunk {
    /// Whether the upload URL took it (308: go on; 200/201: complete).
    pub fn accepted(&self) -> bool {
        matches!(self.status, Some(200 | 201 | 308))
    }
}

/// The chunk PUTs among `events` (DevTools `{method, params}`), in the order they were sent.
/// Questions (`Content-Range: bytes */total`) are not chunks and are left out.
pub fn chunks(events: &[Value]) -> Vec<Chunk> {
    let mut sent: Vec<(String, u64, u64)> = Vec::new();
    let mut statuses: HashMap<String, u64> = HashMap::new();
    for event in events {
        let params = &event["params"];
        let id = params["requestId"].as_str().unwrap_or_default().to_owned();
        match event["method"].as_str() {
            Some("Network.requestWillBeSent") if params["request"]["method"] == "PUT" => {
                if let Some((start, end)) = range(&params["request"]["headers"]) {
                    sent.push((id, start, end));
                }
            }
            Some("Network.responseReceived") => {
                if let Some(status) = params["response"]["status"].as_u64() {
                    statuses.insert(id, status);
                }
            }
            _ => {}
        }
    }
    sent.into_iter()
        .map(|(id, start, end)| Chunk {
            start,
            end,
            status: statuses.get(&id).copied(),
        })
        .collect()
}

/// `(start, end)` of a `Content-Range: bytes start-end/total` header (any case), if any.
fn range(headers: &Value) -> Option<(u64, u64)> {
    let value = headers
        .as_object()?
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-range"))?
        .1
        .as_str()?;
    let (start, rest) = value.strip_prefix("bytes ")?.split_once('-')?;
    let end = rest.split('/').next()?;
    Some((start.parse().ok()?, end.parse().ok()?))
}
