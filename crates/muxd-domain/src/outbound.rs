//! Pure rules of outbound webhooks (muxd → the host app): the event types muxd sends and which
//! change is which, when a failed delivery is tried again, and which addresses an endpoint may
//! not point at (loopback, private, link-local: a server-side request forgery guard).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use ipnet::{Ipv4Net, Ipv6Net};

use super::{AssetStatus, Change};

/// The event types an endpoint can subscribe to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventType {
    /// A direct upload was created: the asset exists, awaiting its file.
    Created,
    /// The file reached Mux; the asset is being prepared.
    Processing,
    /// The asset is playable.
    Ready,
    /// Mux rejected the input or the upload errored.
    Errored,
    /// The upload was cancelled before any file arrived.
    Cancelled,
    /// The upload URL expired unused.
    TimedOut,
    /// The asset was deleted (by its owner or on Mux).
    Deleted,
    /// Anything else the owner or Mux changed (name, description, influencer, details).
    Updated,
}

impl EventType {
    /// Every event type, in lifecycle order.
    pub const ALL: [EventType; 8] = [
        Self::Created,
        Self::Processing,
        Self::Ready,
        Self::Errored,
        Self::Cancelled,
        Self::TimedOut,
        Self::Deleted,
        Self::Updated,
    ];

    /// The name sent in the payload's `type` and used in filters.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "asset.created",
            Self::Processing => "asset.processing",
            Self::Ready => "asset.ready",
            Self::Errored => "asset.errored",
            Self::Cancelled => "asset.cancelled",
            Self::TimedOut => "asset.timed_out",
            Self::Deleted => "asset.deleted",
            Self::Updated => "asset.updated",
        }
    }

    /// The type named `name`, if muxd sends such a type.
    pub fn parse(name: &str) -> Option<EventType> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// The event a lifecycle change is to the host app: its new status when it moved, else an
    /// update (Mux told something new about the asset without moving it).
    pub fn of_change(change: &Change) -> EventType {
        if change.from == change.to {
            return Self::Updated;
        }
        match change.to {
            AssetStatus::AwaitingUpload => Self::Created,
            AssetStatus::MuxProcessing => Self::Processing,
            AssetStatus::Ready => Self::Ready,
            AssetStatus::Error => Self::Errored,
            AssetStatus::Cancelled => Self::Cancelled,
            AssetStatus::TimedOut => Self::TimedOut,
            AssetStatus::Deleted => Self::Deleted,
        }
    }
}

/// The most event types one endpoint's filter may name (more would be a mistake: there are 8).
pub const MAX_FILTER: usize = 16;

/// The delays between attempts: `schedule[n]` is the wait after the (n+1)th failed attempt; when
/// the schedule is spent the delivery has failed for good.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetrySchedule(pub Vec<Duration>);

impl RetrySchedule {
    /// About 24 hours of growing waits, 11 attempts in all: 5 s, 30 s, 2 min, 10 min, 30 min,
    /// 1 h, 2 h, 4 h, 8 h, 8 h.
    pub fn standard() -> RetrySchedule {
        const SECS: [u64; 10] = [5, 30, 120, 600, 1_800, 3_600, 7_200, 14_400, 28_800, 28_800];
        RetrySchedule(SECS.iter().map(|s| Duration::from_secs(*s)).collect())
    }

    /// When to try again after `attempts` failed attempts, with `jitter` in [0, 1) spreading the
    /// wait over ±10 % so endpoints that failed together are not retried together; `None`: give
    /// up.
    pub fn after(&self, attempts: u32, jitter: f64) -> Option<Duration> {
        let base = self
            .0
            .get(usize::try_from(attempts).ok()?.checked_sub(1)?)?;
        Some(base.mul_f64(0.9 + 0.2 * jitter.clamp(0.0, 1.0)))
    }

    /// Parses `5s,30s,2m,1h` (each a whole number of ms, s, m or h).
    pub fn parse(text: &str) -> Result<RetrySchedule, String> {
        let delays = text
            .split(',')
            .map(|part| parse_duration(part.trim()))
            .collect::<Result<Vec<_>, _>>()?;
        if delays.is_empty() {
            return Err("the schedule is empty".into());
        }
        Ok(RetrySchedule(delays))
    }
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("{text:?} has no unit (ms, s, m or h)"))?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} does not start with a whole number"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        "h" => Ok(Duration::from_secs(n * 3_600)),
        _ => Err(format!("{text:?} has an unknown unit (ms, s, m or h)")),
    }
}

/// IPv4 networks that are not the public internet: "this network", private, carrier-grade NAT,
/// loopback, link-local (cloud metadata services), IETF protocol assignments, documentation,
/// the 6to4 relay, benchmarking, multicast, reserved and broadcast. The same list as Svix's
/// request-forgery filter.
const SPECIAL_V4: [Ipv4Net; 16] = [
    Ipv4Net::new_assert(Ipv4Addr::new(0, 0, 0, 0), 8),
    Ipv4Net::new_assert(Ipv4Addr::new(10, 0, 0, 0), 8),
    Ipv4Net::new_assert(Ipv4Addr::new(100, 64, 0, 0), 10),
    Ipv4Net::new_assert(Ipv4Addr::new(127, 0, 0, 0), 8),
    Ipv4Net::new_assert(Ipv4Addr::new(169, 254, 0, 0), 16),
    Ipv4Net::new_assert(Ipv4Addr::new(172, 16, 0, 0), 12),
    Ipv4Net::new_assert(Ipv4Addr::new(192, 0, 0, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(192, 0, 2, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(192, 88, 99, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(192, 168, 0, 0), 16),
    Ipv4Net::new_assert(Ipv4Addr::new(198, 18, 0, 0), 15),
    Ipv4Net::new_assert(Ipv4Addr::new(198, 51, 100, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(203, 0, 113, 0), 24),
    Ipv4Net::new_assert(Ipv4Addr::new(224, 0, 0, 0), 4),
    Ipv4Net::new_assert(Ipv4Addr::new(240, 0, 0, 0), 4),
    Ipv4Net::new_assert(Ipv4Addr::new(255, 255, 255, 255), 32),
];

/// IPv6 networks that are not the public internet: unspecified, loopback, IPv4-compatible
/// (`::a.b.c.d`, which some stacks still route to the IPv4 address), NAT64 (both the well-known
/// and the local-use prefix: they reach IPv4 addresses, private ones included), discard-only,
/// IETF protocol assignments (Teredo among them), documentation, 6to4 (an IPv4 address inside),
/// unique-local, link-local and multicast. IPv4-mapped addresses (`::ffff:a.b.c.d`) are judged
/// by the IPv4 address they carry.
const SPECIAL_V6: [Ipv6Net; 12] = [
    Ipv6Net::new_assert(Ipv6Addr::UNSPECIFIED, 128),
    Ipv6Net::new_assert(Ipv6Addr::LOCALHOST, 128),
    Ipv6Net::new_assert(Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0), 96),
    Ipv6Net::new_assert(Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96),
    Ipv6Net::new_assert(Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48),
    Ipv6Net::new_assert(Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64),
    Ipv6Net::new_assert(Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23),
    Ipv6Net::new_assert(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32),
    Ipv6Net::new_assert(Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16),
    Ipv6Net::new_assert(Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7),
    Ipv6Net::new_assert(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10),
    Ipv6Net::new_assert(Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8),
];

/// Whether `ip` is an address anyone on the internet could reach: in none of the special-purpose
/// networks above (the addresses a request forgery would aim at, cloud metadata services
/// included). An IPv4-mapped IPv6 address is judged by its IPv4 address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => !SPECIAL_V4.iter().any(|net| net.contains(&v4)),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public(IpAddr::V4(v4)),
            None => !SPECIAL_V6.iter().any(|net| net.contains(&v6)),
        },
    }
}

/// Where one delivery of a message to an endpoint stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Not delivered yet: due now or at its next attempt.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Its retry schedule ran out (a replay makes it pending again).
    Failed,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 3] = [
        DeliveryStatus::Pending,
        DeliveryStatus::Delivered,
        DeliveryStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }
}

impl std::str::FromStr for DeliveryStatus {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        DeliveryStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
            .ok_or_else(|| format!("status must be pending, delivered or failed, not {text:?}"))
    }
}

impl TryFrom<String> for DeliveryStatus {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        text.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AssetFacts;

    fn change(from: AssetStatus, to: AssetStatus) -> Change {
        Change {
            from,
            to,
            facts: AssetFacts::awaiting_upload(),
        }
    }

    #[test]
    fn a_change_is_named_by_the_status_it_reached() {
        use AssetStatus::*;
        let named = |from, to| EventType::of_change(&change(from, to)).as_str();
        assert_eq!(named(AwaitingUpload, MuxProcessing), "asset.processing");
        assert_eq!(named(MuxProcessing, Ready), "asset.ready");
        assert_eq!(named(AwaitingUpload, Ready), "asset.ready");
        assert_eq!(named(MuxProcessing, Error), "asset.errored");
        assert_eq!(named(AwaitingUpload, Cancelled), "asset.cancelled");
        assert_eq!(named(AwaitingUpload, TimedOut), "asset.timed_out");
        assert_eq!(named(Ready, Deleted), "asset.deleted");
        assert_eq!(named(Ready, Ready), "asset.updated");
    }

    #[test]
    fn every_type_parses_back_and_nothing_else_does() {
        for kind in EventType::ALL {
            assert_eq!(EventType::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(EventType::parse("asset.readdy"), None);
        assert_eq!(EventType::parse("video.asset.ready"), None);
    }

    #[test]
    fn the_standard_schedule_spans_about_a_day_then_gives_up() {
        let schedule = RetrySchedule::standard();
        let total: Duration = (1..=10).map(|n| schedule.after(n, 0.5).unwrap()).sum();
        assert!(
            (Duration::from_secs(23 * 3_600)..Duration::from_secs(25 * 3_600)).contains(&total),
            "{total:?}"
        );
        assert_eq!(schedule.after(11, 0.5), None);
        assert_eq!(schedule.after(0, 0.5), None);
    }

    #[test]
    fn jitter_spreads_a_wait_over_ten_percent_either_side() {
        let schedule = RetrySchedule(vec![Duration::from_secs(100)]);
        assert_eq!(schedule.after(1, 0.0), Some(Duration::from_secs(90)));
        assert_eq!(schedule.after(1, 0.5), Some(Duration::from_secs(100)));
        assert_eq!(schedule.after(1, 0.999_999).map(|d| d.as_secs()), Some(109));
    }

    #[test]
    fn schedules_parse_from_settings_text() {
        assert_eq!(
            RetrySchedule::parse("200ms, 1s,2m,1h"),
            Ok(RetrySchedule(vec![
                Duration::from_millis(200),
                Duration::from_secs(1),
                Duration::from_secs(120),
                Duration::from_secs(3_600),
            ]))
        );
        assert!(RetrySchedule::parse("5").unwrap_err().contains("no unit"));
        assert!(RetrySchedule::parse("5d")
            .unwrap_err()
            .contains("unknown unit"));
        assert!(RetrySchedule::parse("s").is_err());
    }

    #[test]
    fn every_special_purpose_range_is_not_public() {
        // One address inside each network of the tables, first and last of some.
        for special in [
            "0.1.2.3",
            "10.1.2.3",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.254",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::7f00:1",
            "::a00:1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:198.18.0.1",
            "64:ff9b::a00:1",
            "64:ff9b::808:808",
            "64:ff9b:1::1",
            "100::1",
            "2001::1",
            "2001:1ff::1",
            "2001:db8::1",
            "2002::1",
            "2002:7f00:1::1",
            "fc00::1",
            "fd00::1",
            "fe80::1",
            "febf::1",
            "ff02::1",
        ] {
            assert!(!is_public(special.parse().unwrap()), "{special}");
        }
    }

    #[test]
    fn addresses_next_to_the_ranges_are_public() {
        for public in [
            "93.184.216.34",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.1",
            "172.32.0.1",
            "192.0.1.1",
            "198.17.255.255",
            "198.20.0.1",
            "223.255.255.255",
            "::ffff:1.1.1.1",
            "2606:4700::1111",
            "2001:200::1",
            "2001:db9::1",
            "2003::1",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }
}
