//! Mux webhook signatures (docs/mux-facts.md §6.1): `mux-signature: t=<unix>,v1=<hex>[,v1=<hex>…]`,
//! where each `v1` is HMAC-SHA256 over `"{t}.{raw body}"`. [`verify`] accepts any `v1` made with
//! any configured secret (rotation), compares in constant time, and only then checks that `t` is
//! within the tolerance either way. Nothing here logs or returns a secret or an expected signature.
//!
//! What an anonymous sender can make it cost is bounded: a header over [`MAX_HEADER_BYTES`] or
//! with more than [`MAX_V1`] values is refused before any MAC, and the body is MACed once per
//! configured secret, whatever the number of candidates.

use hmac::digest::CtOutput;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The longest `mux-signature` header accepted.
pub const MAX_HEADER_BYTES: usize = 4096;
/// The most `v1` values one header may carry (Mux sends one; rotation needs two).
pub const MAX_V1: usize = 8;

/// Why a webhook was refused. The first two are the caller's mistake (400); the others mean the
/// request is not from Mux or not fresh (401).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("missing mux-signature header")]
    Missing,
    #[error("malformed mux-signature header: {0}")]
    Malformed(&'static str),
    #[error("no signature matches the payload")]
    Mismatch,
    #[error("timestamp outside the tolerance")]
    Stale,
}

impl SignatureError {
    /// The short label used in metrics and health (`rejected` counts by reason).
    pub fn reason(self) -> &'static str {
        match self {
            Self::Missing => "missing_header",
            Self::Malformed(_) => "malformed_header",
            Self::Mismatch => "bad_signature",
            Self::Stale => "stale_timestamp",
        }
    }

    /// True for the 400 cases (missing or malformed header).
    pub fn is_malformed(self) -> bool {
        matches!(self, Self::Missing | Self::Malformed(_))
    }
}

/// A parsed `mux-signature` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    pub timestamp: i64,
    /// Every `v1` value that is well-formed hex of the right length. Others schemes are ignored.
    pub v1: Vec<[u8; 32]>,
}

impl SignatureHeader {
    /// Splits on `,` then `=`, as the SDKs do (no trimming).
    pub fn parse(header: &str) -> Result<Self, SignatureError> {
        if header.len() > MAX_HEADER_BYTES {
            return Err(SignatureError::Malformed("header too long"));
        }
        let mut timestamp = None;
        let mut v1 = Vec::new();
        let mut saw_v1 = 0;
        for part in header.split(',') {
            let (key, value) = part
                .split_once('=')
                .ok_or(SignatureError::Malformed("expected key=value pairs"))?;
            match key {
                "t" => {
                    let t = value
                        .parse::<i64>()
                        .map_err(|_| SignatureError::Malformed("t is not a unix timestamp"))?;
                    timestamp = Some(t);
                }
                "v1" => {
                    if saw_v1 >= MAX_V1 {
                        return Err(SignatureError::Malformed("too many v1= signatures"));
                    }
                    saw_v1 += 1;
                    let mut bytes = [0u8; 32];
                    if hex::decode_to_slice(value, &mut bytes).is_ok() {
                        v1.push(bytes);
                    }
                }
                _ => {}
            }
        }
        let timestamp = timestamp.ok_or(SignatureError::Malformed("no t= timestamp"))?;
        if saw_v1 == 0 {
            return Err(SignatureError::Malformed("no v1= signature"));
        }
        Ok(Self { timestamp, v1 })
    }
}

/// Computes the `v1` signature of `body` at `timestamp` (for senders and tests).
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    #[cfg(test)]
    tests::MACS.with(|n| n.set(n.get() + 1));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any size");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Verifies `header` over the raw `body` against every secret; returns the signed timestamp.
pub fn verify<S: AsRef<[u8]>>(
    header: Option<&str>,
    body: &[u8],
    secrets: &[S],
    now_unix: i64,
    tolerance_secs: i64,
) -> Result<i64, SignatureError> {
    let header = SignatureHeader::parse(header.ok_or(SignatureError::Missing)?)?;
    let candidates: Vec<CtOutput<Hmac<Sha256>>> = header
        .v1
        .iter()
        .map(|candidate| CtOutput::new((*candidate).into()))
        .collect();
    // One MAC per secret, compared in constant time against every candidate.
    let matched = secrets.iter().any(|secret| {
        let expected = mac(secret.as_ref(), header.timestamp, body).finalize();
        candidates.contains(&expected)
    });
    if !matched {
        return Err(SignatureError::Mismatch);
    }
    if (now_unix - header.timestamp).abs() > tolerance_secs {
        return Err(SignatureError::Stale);
    }
    Ok(header.timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::cell::Cell;

    thread_local! {
        /// MACs computed on this thread (tests run one per thread).
        pub static MACS: Cell<usize> = const { Cell::new(0) };
    }

    fn macs_during(f: impl FnOnce()) -> usize {
        MACS.with(|n| n.set(0));
        f();
        MACS.with(Cell::get)
    }

    #[test]
    fn one_mac_per_secret_whatever_the_number_of_candidates() {
        let body = vec![b'x'; 1 << 20];
        let mut header = String::from("t=10");
        for n in 0..MAX_V1 {
            header.push_str(&format!(",v1={:064x}", n));
        }
        let macs = macs_during(|| {
            let result = verify(Some(&header), &body, &["old", "new"], 10, 300);
            assert_eq!(result, Err(SignatureError::Mismatch));
        });
        assert_eq!(macs, 2, "one MAC per configured secret");
    }

    #[test]
    fn a_header_of_thousands_of_candidates_is_refused_before_any_mac() {
        let body = vec![b'x'; 1 << 20];
        let mut huge = String::from("t=10");
        for _ in 0..5_000 {
            huge.push_str(&format!(",v1={}", "ab".repeat(32)));
        }
        let mut nine = String::from("t=10");
        for _ in 0..=MAX_V1 {
            nine.push_str(&format!(",v1={}", "ab".repeat(32)));
        }
        for header in [huge, nine] {
            let macs = macs_during(|| {
                let result = verify(Some(&header), &body, &["s"], 10, 300);
                assert!(result.unwrap_err().is_malformed());
            });
            assert_eq!(macs, 0);
        }
    }

    const VECTOR: &str = "854ece4c22acef7c66b57d4e504153bc512595e8e9c772ece2a68150548c19a7";

    #[test]
    fn matches_published_test_vectors() {
        assert_eq!(
            sign(b"SuperSecret123", 1565125718, br#"{"test":"body"}"#),
            VECTOR
        );
        assert_eq!(
            sign(b"SuperSecret123", 1591664030, b"payload"),
            "e43496b6aae982c4c2fd6f8e92935f1d90216f1f64d56024e72390acfb988272"
        );
    }

    #[test]
    fn accepts_the_vector_within_tolerance_either_way() {
        let header = format!("t=1565125718,v1={VECTOR}");
        let body = br#"{"test":"body"}"#;
        for now in [1565125718 - 300, 1565125718, 1565125718 + 300] {
            assert_eq!(
                verify(Some(&header), body, &["SuperSecret123"], now, 300),
                Ok(1565125718)
            );
        }
        for now in [1565125718 - 301, 1565125718 + 301] {
            assert_eq!(
                verify(Some(&header), body, &["SuperSecret123"], now, 300),
                Err(SignatureError::Stale)
            );
        }
    }

    #[test]
    fn any_v1_with_any_secret_matches() {
        let body = b"{}";
        let good = sign(b"new", 10, body);
        let header = format!("t=10,v1=invalid-sig,v2=whatever,v1={good}");
        assert_eq!(
            verify(Some(&header), body, &["old", "new"], 10, 300),
            Ok(10)
        );
        assert_eq!(
            verify(Some(&header), body, &["old"], 10, 300),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn a_changed_byte_fails() {
        let header = format!("t=1565125718,v1={VECTOR}");
        let result = verify(
            Some(&header),
            br#"{"test":"bodY"}"#,
            &["SuperSecret123"],
            1565125718,
            300,
        );
        assert_eq!(result, Err(SignatureError::Mismatch));
    }

    #[test]
    fn malformed_headers_are_400_class() {
        for header in ["", "garbage", "t=abc,v1=00", "v1=00", "t=1", "t=1, v1=00"] {
            let err = verify(Some(header), b"", &["s"], 1, 300).unwrap_err();
            assert!(
                err.is_malformed() || err == SignatureError::Mismatch,
                "{header:?} gave {err:?}"
            );
        }
        assert_eq!(
            verify(None, b"", &["s"], 1, 300),
            Err(SignatureError::Missing)
        );
        assert!(SignatureHeader::parse("t=1").unwrap_err().is_malformed());
    }

    proptest! {
        #[test]
        fn header_parser_never_panics(header in ".{0,200}") {
            let _ = SignatureHeader::parse(&header);
        }

        #[test]
        fn signed_bodies_verify_and_others_do_not(body in prop::collection::vec(any::<u8>(), 0..256), flip in any::<prop::sample::Index>(), t in 0i64..4_000_000_000) {
            let header = format!("t={t},v1={}", sign(b"k", t, &body));
            prop_assert_eq!(verify(Some(&header), &body, &["k"], t, 300), Ok(t));
            if !body.is_empty() {
                let mut tampered = body.clone();
                tampered[flip.index(body.len())] ^= 1;
                prop_assert_eq!(verify(Some(&header), &tampered, &["k"], t, 300), Err(SignatureError::Mismatch));
            }
        }
    }
}
