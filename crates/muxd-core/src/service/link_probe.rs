//! Checking a link before Mux is asked to fetch it: an http(s) URL without credentials whose host
//! is a public address (unless `MUXD_INPUT_ALLOW_PRIVATE_URLS`; the same guard as outbound
//! webhooks, against request forgery), then one `HEAD` that says what the file is when the server
//! tells: a page that is gone or private, a web page instead of a file, a type not accepted, a
//! file over the size limit are refused in words before anything is stored. A server that does
//! not answer `HEAD` (405, 5xx) tells nothing, and Mux's own fetch decides.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use reqwest::redirect::Policy;
use reqwest::{StatusCode, Url};

use super::outbound::guard::{self, PublicResolver};
use muxd_domain::details;

/// The setting that allows private addresses, named in the refusal.
const ALLOW_WITH: &str = "MUXD_INPUT_ALLOW_PRIVATE_URLS";
/// Redirects followed by the `HEAD` at most (a shared-file link usually redirects once or twice).
const MAX_REDIRECTS: usize = 5;

/// What the `HEAD` said about the file, when it said anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probed {
    /// The link as given (checked).
    pub url: Url,
    /// Its size in bytes, when the server says.
    pub size: Option<u64>,
    /// Its MIME type, when the server says one that may be a video.
    pub kind: Option<String>,
}

/// Checks links. Cheap to clone.
#[derive(Clone, Debug)]
pub struct LinkProbe {
    http: reqwest::Client,
    allow_private: bool,
}

impl LinkProbe {
    /// A probe with its own client: no proxy (a proxy would resolve names past the guard), names
    /// resolved to public addresses only unless `allow_private`, redirects to private address
    /// literals refused.
    pub fn new(allow_private: bool) -> reqwest::Result<Self> {
        let redirects = Policy::custom(move |attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if !guard::literal_allowed(attempt.url(), allow_private) {
                attempt.error("a redirect to a private address")
            } else {
                attempt.follow()
            }
        });
        let mut http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .redirect(redirects)
            .user_agent(concat!("muxd/", env!("CARGO_PKG_VERSION")));
        if !allow_private {
            http = http.dns_resolver(Arc::new(PublicResolver));
        }
        Ok(LinkProbe {
            http: http.build()?,
            allow_private,
        })
    }

    /// Checks `raw`; the error is a sentence for the person who pasted it.
    pub async fn check(&self, raw: &str) -> Result<Probed, String> {
        let url = guard::check_url(raw.trim(), self.allow_private, ALLOW_WITH).await?;
        let answer = self
            .http
            .head(url.clone())
            .send()
            .await
            .map_err(|error| format!("muxd could not reach the link ({})", plain(error)))?;
        let status = answer.status();
        match status {
            StatusCode::NOT_FOUND | StatusCode::GONE => {
                return Err(format!(
                    "the link answers {status}: check that it is right and still shared"
                ))
            }
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                return Err(format!(
                    "the link answers {status}: share the file publicly, or paste a link that \
                     carries its own access (a pre-signed link)"
                ))
            }
            _ if !status.is_success() => {
                return Ok(Probed {
                    url,
                    size: None,
                    kind: None,
                })
            }
            _ => {}
        }
        let header = |name| {
            answer
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
        };
        let size = header(CONTENT_LENGTH)
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|size| *size > 0);
        let kind = header(CONTENT_TYPE)
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .filter(|v| !v.is_empty());
        if kind.as_deref() == Some("text/html") {
            return Err(
                "the link is a web page, not a video file: paste the file's direct \
                 download link (for Dropbox, the link ending in ?dl=1)"
                    .into(),
            );
        }
        // A server that does not know the type says octet-stream: Mux's fetch decides.
        let kind = kind.filter(|k| {
            !matches!(
                k.as_str(),
                "application/octet-stream" | "binary/octet-stream"
            )
        });
        Ok(Probed { url, size, kind })
    }
}

/// The link as kept on the row: scheme, host, port and path. A pre-signed link's query is a
/// credential, so it is not stored.
pub fn kept_form(url: &Url) -> String {
    let mut kept = url.clone();
    kept.set_query(None);
    kept.set_fragment(None);
    kept.to_string()
}

/// The name a video from `url` gets when none is given: the file name in its path, else "Video
/// from <host>".
pub fn name_from(url: &Url) -> String {
    let file = url
        .path_segments()
        .and_then(|mut segments| segments.next_back())
        .filter(|s| !s.is_empty())
        .map(percent_decoded);
    match file.and_then(|f| details::name(&f).ok()) {
        Some(name) => name,
        None => format!("Video from {}", url.host_str().unwrap_or("a link")),
    }
}

/// `%XX` escapes decoded, when they make UTF-8; else the text as it is.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

/// An error's chain in one line, without the URL reqwest repeats.
fn plain(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kept_link_drops_its_query_and_fragment() {
        let url =
            Url::parse("https://files.example.com/a/clip.mp4?X-Amz-Signature=s3cr3t#t=4").unwrap();
        assert_eq!(kept_form(&url), "https://files.example.com/a/clip.mp4");
    }

    #[test]
    fn a_video_from_a_link_is_named_after_its_file() {
        let name = |u: &str| name_from(&Url::parse(u).unwrap());
        assert_eq!(
            name("https://x.example/v/Summer%20sale.mp4?dl=1"),
            "Summer sale.mp4"
        );
        assert_eq!(name("https://x.example/"), "Video from x.example");
        assert_eq!(name("https://x.example/bad%FF"), "bad%FF");
    }

    #[tokio::test]
    async fn private_and_odd_links_are_refused_in_words() {
        let probe = LinkProbe::new(false).unwrap();
        let why = probe
            .check("http://127.0.0.1:9/clip.mp4")
            .await
            .unwrap_err();
        assert!(why.contains(ALLOW_WITH), "{why}");
        let why = probe.check("ftp://example.com/clip.mp4").await.unwrap_err();
        assert!(why.contains("http or https"), "{why}");
    }
}
