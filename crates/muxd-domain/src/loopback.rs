//! Which names mean "this machine": `localhost` and the loopback addresses (127.0.0.0/8, `::1`).
//! A JWKS URL may be plain http only on such a host (nothing crosses a network), and `muxd dev`
//! serves only requests whose `Host` is one (a page of another site that rebinds its DNS name to
//! 127.0.0.1 still sends its own name).

use std::net::IpAddr;

/// Whether `host` (a URL's host: a name, an IPv4 address or an IPv6 address with or without
/// brackets) is this machine.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether a `Host` header (`host[:port]`, IPv6 in brackets) names this machine.
pub fn is_loopback_authority(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        // `[::1]` or `[::1]:3000`: the host is what the brackets hold.
        Some(rest) => match rest.split_once(']') {
            Some((inside, "")) => inside,
            Some((inside, port)) if port.strip_prefix(':').is_some_and(is_port) => inside,
            _ => return false,
        },
        None => match authority.rsplit_once(':') {
            Some((host, port)) if is_port(port) => host,
            Some(_) => return false,
            None => authority,
        },
    };
    is_loopback_host(host)
}

/// A port number.
fn is_port(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && text.parse::<u16>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_localhost_127_0_0_0_8_and_ipv6_one() {
        for host in [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.1.2.3",
            "::1",
            "[::1]",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "example.com",
            "localhost.example.com",
            "10.0.0.1",
            "0.0.0.0",
            "::",
            "[::2]",
            "",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn a_host_header_is_loopback_with_any_port() {
        for authority in [
            "localhost",
            "localhost:3000",
            "127.0.0.1:3000",
            "127.0.0.1",
            "[::1]",
            "[::1]:3000",
        ] {
            assert!(is_loopback_authority(authority), "{authority}");
        }
        for authority in [
            "evil.example:3000",
            "evil.example",
            "localhost.evil.example",
            "127.0.0.1.nip.io:3000",
            "localhost:http",
            "localhost:",
            "[::1]x",
            "::1",
            "192.168.1.10:3000",
        ] {
            assert!(!is_loopback_authority(authority), "{authority}");
        }
    }
}
