//! Where outbound webhooks may go: http(s) URLs whose host is a public address, unless the
//! operator allows private ones (`MUXD_WEBHOOK_ALLOW_PRIVATE_URLS`), as Svix does against
//! server-side request forgery. An endpoint's URL is checked when it is saved, and again at every
//! connection: the HTTP client resolves names through [`PublicResolver`], which drops private
//! addresses, so a name that later points inside (DNS rebinding) reaches nothing.

use std::net::{IpAddr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;

use muxd_domain::outbound::is_public;

/// The longest endpoint URL accepted.
const MAX_URL: usize = 2_048;

/// Checks `url` as one muxd may send to or have fetched; the error is a sentence naming what is
/// wrong, and for a private address the setting (`allow_with`) that would allow it.
pub async fn check_url(url: &str, allow_private: bool, allow_with: &str) -> Result<Url, String> {
    if url.len() > MAX_URL {
        return Err(format!("url is longer than {MAX_URL} characters"));
    }
    let parsed = Url::parse(url).map_err(|error| format!("url is not a URL ({error})"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "url must be http or https, not {}",
            parsed.scheme()
        ));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("url must not carry a user name or password".into());
    }
    let host = parsed
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or("url has no host")?
        .trim_matches(|c| c == '[' || c == ']')
        .to_owned();
    if allow_private {
        return Ok(parsed);
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addresses: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|error| format!("url's host {host} does not resolve ({error})"))?
            .map(|a| a.ip())
            .collect(),
    };
    match addresses.iter().find(|ip| !is_public(**ip)) {
        Some(ip) => Err(format!(
            "url's host {host} is a private, loopback or link-local address ({ip}); \
             set {allow_with}=true to allow such addresses"
        )),
        None if addresses.is_empty() => Err(format!("url's host {host} has no address")),
        None => Ok(parsed),
    }
}

/// Whether a connection to `url` may be tried (its host, when an address, is public or private
/// ones are allowed; names are checked by [`PublicResolver`]).
pub fn literal_allowed(url: &Url, allow_private: bool) -> bool {
    allow_private
        || url
            .host_str()
            .map(|h| h.trim_matches(|c| c == '[' || c == ']'))
            .and_then(|h| h.parse::<IpAddr>().ok())
            .is_none_or(is_public)
}

/// Resolves names to their public addresses only.
#[derive(Debug)]
pub struct PublicResolver;

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let public: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if public.is_empty() {
                return Err(format!("{} has no public address", name.as_str()).into());
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: &str = "MUXD_WEBHOOK_ALLOW_PRIVATE_URLS";

    #[tokio::test]
    async fn only_public_http_urls_pass_by_default() {
        let refused =
            |url: &'static str| async move { check_url(url, false, W).await.unwrap_err() };
        assert!(refused("ftp://example.com/")
            .await
            .contains("http or https"));
        assert!(refused("not a url").await.contains("not a URL"));
        assert!(refused("http://user:pw@93.184.216.34/")
            .await
            .contains("password"));
        for private in [
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://10.0.0.5/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]:9000/",
            "http://[fd00::1]/",
            "http://198.18.0.1/",
            "http://192.0.0.8/",
            "http://[::7f00:1]/",
            "http://[::ffff:7f00:1]/",
            "http://[64:ff9b::a00:1]/",
            "http://[64:ff9b:1::1]/",
            "http://[2002::1]/",
        ] {
            let why = refused(private).await;
            assert!(
                why.contains("MUXD_WEBHOOK_ALLOW_PRIVATE_URLS"),
                "{private}: {why}"
            );
        }
        assert!(check_url("https://93.184.216.34/hook", false, W)
            .await
            .is_ok());
    }

    #[tokio::test]
    async fn private_urls_pass_when_allowed() {
        assert!(check_url("http://127.0.0.1:8080/hook", true, W)
            .await
            .is_ok());
        assert!(check_url("ftp://127.0.0.1/", true, W).await.is_err());
    }

    #[test]
    fn address_literals_are_checked_at_send_time() {
        let url = |u: &str| Url::parse(u).unwrap();
        assert!(!literal_allowed(&url("http://127.0.0.1/"), false));
        assert!(!literal_allowed(&url("http://[::1]/"), false));
        assert!(!literal_allowed(&url("http://[::7f00:1]/"), false));
        assert!(!literal_allowed(&url("http://198.18.0.1/"), false));
        assert!(literal_allowed(&url("http://127.0.0.1/"), true));
        assert!(literal_allowed(&url("https://example.com/"), false));
        assert!(literal_allowed(&url("https://93.184.216.34/"), false));
    }
}
