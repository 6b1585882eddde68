//! Downloading an asset's input from its URL (docs/mux-facts.md §4.1), as Mux does: rustls, no
//! proxy, bounded connect and read times, a size cap. Unless told otherwise, addresses Mux could
//! not reach (loopback, private, link-local, …) are refused, for the URL's host, every name it
//! resolves to and every redirect. A leaf: it knows files and HTTP, nothing of assets.

use std::error::Error as StdError;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::{redirect, Url};
use tokio::io::AsyncWriteExt;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const READ_TIMEOUT: Duration = Duration::from_secs(30);
const MAX_REDIRECTS: usize = 10;

/// Why an input could not be downloaded; the message goes into the asset's `errors`.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{0} is a loopback, private or otherwise non-public address, which Mux cannot reach")]
    NotPublic(IpAddr),
    #[error("the server answered {0}")]
    Status(reqwest::StatusCode),
    #[error("the file is larger than {0} bytes")]
    TooLarge(u64),
    #[error("{0}")]
    Http(String),
    #[error("could not write the file: {0}")]
    Io(#[from] std::io::Error),
}

/// Downloads `url` into `dest` (written as `dest.part`, renamed once complete).
pub async fn download(
    url: &str,
    dest: &Path,
    allow_private: bool,
    cap: u64,
) -> Result<(), FetchError> {
    let url = Url::parse(url).map_err(|e| FetchError::Http(format!("invalid URL: {e}")))?;
    if !allow_private {
        check_host(&url).await?;
    }
    let mut builder = reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(READ_TIMEOUT)
        .redirect(redirect_policy(allow_private));
    if !allow_private {
        builder = builder.dns_resolver(Arc::new(PublicOnly));
    }
    let client = builder.build().map_err(http)?;
    let response = client.get(url).send().await.map_err(http)?;
    if !response.status().is_success() {
        return Err(FetchError::Status(response.status()));
    }
    if response.content_length().is_some_and(|n| n > cap) {
        return Err(FetchError::TooLarge(cap));
    }
    let part = dest.with_extension("part");
    let mut file = tokio::fs::File::create(&part).await?;
    let mut written = 0u64;
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(http)?;
        written += chunk.len() as u64;
        if written > cap {
            drop(file);
            let _ = tokio::fs::remove_file(&part).await;
            return Err(FetchError::TooLarge(cap));
        }
        file.write_all(&chunk).await?;
    }
    file.sync_all().await?;
    drop(file);
    tokio::fs::rename(&part, dest).await?;
    Ok(())
}

/// A reqwest error with its causes, in words.
fn http(e: reqwest::Error) -> FetchError {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    FetchError::Http(message)
}

/// Refuses a URL whose host is, or resolves to, an address Mux cannot reach.
async fn check_host(url: &Url) -> Result<(), FetchError> {
    if let Some(ip) = literal_ip(url) {
        return public(ip);
    }
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(80);
    let addrs = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| FetchError::Http(format!("could not resolve {host}: {e}")))?;
    addrs.into_iter().try_for_each(|a| public(a.ip()))
}

fn literal_ip(url: &Url) -> Option<IpAddr> {
    let host = url.host_str()?;
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

fn redirect_policy(allow_private: bool) -> redirect::Policy {
    redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= MAX_REDIRECTS {
            return attempt.error("too many redirects");
        }
        match literal_ip(attempt.url()).map(public) {
            Some(Err(refused)) if !allow_private => attempt.error(refused),
            _ => attempt.follow(),
        }
    })
}

/// Resolves names to public addresses only (the names of redirects included).
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            for addr in &addrs {
                public(addr.ip())?;
            }
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok::<_, Box<dyn StdError + Send + Sync>>(addrs)
        })
    }
}

fn public(ip: IpAddr) -> Result<(), FetchError> {
    if is_public(ip) {
        Ok(())
    } else {
        Err(FetchError::NotPublic(ip))
    }
}

/// Whether `ip` is a globally reachable unicast address.
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || a == 0
                || a >= 240
                || (a == 100 && (b & 0xc0) == 64))
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public(v4.into()),
            None => {
                let first = v6.segments()[0];
                !(v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || (first & 0xfe00) == 0xfc00
                    || (first & 0xffc0) == 0xfe80)
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::is_public;

    #[test]
    fn only_global_unicast_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "0.0.0.0",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "2606:4700::1111"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }
}
