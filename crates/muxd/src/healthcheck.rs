//! `muxd healthcheck`: the container's `HEALTHCHECK` command. It asks the `muxd serve` running
//! beside it (at `MUXD_LISTEN`, an unspecified address such as `0.0.0.0` taken as loopback)
//! for `GET /readyz` with a short timeout and succeeds only on a 200, so a container image needs
//! no curl. It reads nothing else, so it works whatever else the environment holds.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use anyhow::Context;

use muxd_core::config::table::MUXD_LISTEN;

/// How long the whole request may take; a container runtime's own timeout is longer.
const TIMEOUT: Duration = Duration::from_secs(3);

/// The readiness URL of the muxd listening at `listen`.
pub fn readyz_url(listen: SocketAddr) -> String {
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/readyz", SocketAddr::new(ip, listen.port()))
}

/// Asks `/readyz` once; an error names the URL and what came back.
pub async fn run() -> anyhow::Result<()> {
    let _ = dotenvy::dotenv();
    let listen = std::env::var(MUXD_LISTEN.name).unwrap_or_else(|_| MUXD_LISTEN.default.into());
    let listen: SocketAddr = listen
        .parse()
        .with_context(|| format!("MUXD_LISTEN={listen:?} is not an address"))?;
    let url = readyz_url(listen);
    let client = reqwest::Client::builder().timeout(TIMEOUT).build()?;
    let response = client
        .get(&url)
        .send()
        .await
        .with_context(|| format!("{url}: no answer"))?;
    let status = response.status();
    anyhow::ensure!(status == reqwest::StatusCode::OK, "{url}: {status}");
    println!("{url}: {status}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::readyz_url;

    #[test]
    fn unspecified_addresses_become_loopback() {
        let url = |s: &str| readyz_url(s.parse().unwrap());
        assert_eq!(url("0.0.0.0:3000"), "http://127.0.0.1:3000/readyz");
        assert_eq!(url("[::]:3000"), "http://[::1]:3000/readyz");
        assert_eq!(url("10.0.0.7:8080"), "http://10.0.0.7:8080/readyz");
    }
}
