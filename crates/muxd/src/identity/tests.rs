//! Token checks: HS256, RS256 by PEM and JWKS, issuer and audience, key ids and algorithm confusion;
//! the JWKS URL's refetch limit and key lookup (fetching itself: `tests/it/jwks.rs`).

use super::*;

#[tokio::test]
async fn dev_tokens_round_trip_with_role() {
    let identity = Identity::dev(b"dev-secret");
    let token = identity.sign("user_demo", true, 60).unwrap();
    assert_eq!(
        identity.verify(&token).await.unwrap(),
        Principal {
            external_id: "user_demo".into(),
            admin: true
        }
    );
    let other = Identity::dev(b"another-secret");
    assert!(
        other.verify(&token).await.is_err(),
        "token signed with another secret accepted"
    );
    assert!(identity.verify("not.a.token").await.is_err());
}

#[tokio::test]
async fn issuer_and_audience_are_enforced_when_configured() {
    let settings = IdentitySettings {
        hs256_secret: Some("s".to_owned().into()),
        issuer: Some("https://clerk.example".into()),
        admin_ids: vec!["user_boss".into()],
        ..Default::default()
    };
    let identity = Identity::from_settings(&settings).await.unwrap();
    let token = |iss: &str, sub: &str| {
        let claims = Claims {
            sub: sub.into(),
            exp: u64::MAX / 2,
            role: None,
            iss: Some(iss.into()),
        };
        encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(b"s"),
        )
        .unwrap()
    };
    assert!(identity
        .verify(&token("https://evil.example", "user_a"))
        .await
        .is_err());
    assert!(
        !identity
            .verify(&token("https://clerk.example", "user_a"))
            .await
            .unwrap()
            .admin
    );
    assert!(
        identity
            .verify(&token("https://clerk.example", "user_boss"))
            .await
            .unwrap()
            .admin
    );
    assert!(
        identity.sign("x", false, 1).is_none(),
        "production identity must not sign"
    );
}

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/jwt");

fn rs256(sub: &str, kid: Option<&str>, role: Option<&str>) -> String {
    let pem = std::fs::read(format!("{FIXTURES}/test-private.pem")).unwrap();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(str::to_owned);
    let claims = Claims {
        sub: sub.into(),
        exp: u64::MAX / 2,
        role: role.map(str::to_owned),
        iss: None,
    };
    encode(&header, &claims, &EncodingKey::from_rsa_pem(&pem).unwrap()).unwrap()
}

#[tokio::test]
async fn rs256_tokens_verify_with_a_pem_public_key() {
    let settings = IdentitySettings {
        public_key_file: Some(format!("{FIXTURES}/test-public.pem")),
        ..Default::default()
    };
    let identity = Identity::from_settings(&settings).await.unwrap();
    let principal = identity
        .verify(&rs256("user_clerk_1", None, Some("admin")))
        .await
        .unwrap();
    assert_eq!(
        principal,
        Principal {
            external_id: "user_clerk_1".into(),
            admin: true
        }
    );
    // An HS256 token made with the public key as a secret (algorithm confusion) is refused.
    let pem = std::fs::read(format!("{FIXTURES}/test-public.pem")).unwrap();
    let claims = Claims {
        sub: "user_x".into(),
        exp: u64::MAX / 2,
        role: None,
        iss: None,
    };
    let confused = encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(&pem),
    )
    .unwrap();
    assert!(identity.verify(&confused).await.is_err());
}

#[tokio::test]
async fn rs256_tokens_verify_with_a_jwks_file_by_key_id() {
    let settings = IdentitySettings {
        jwks_file: Some(format!("{FIXTURES}/test-jwks.json")),
        ..Default::default()
    };
    let identity = Identity::from_settings(&settings).await.unwrap();
    assert_eq!(
        identity
            .verify(&rs256("user_a", Some("muxd-test-key"), None))
            .await
            .unwrap()
            .external_id,
        "user_a"
    );
    assert!(
        identity
            .verify(&rs256("user_a", Some("rotated-away"), None))
            .await
            .is_err(),
        "unknown kid accepted"
    );
    let missing = IdentitySettings {
        jwks_file: Some("/nonexistent/jwks.json".into()),
        ..Default::default()
    };
    let error = Identity::from_settings(&missing)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("MUXD_JWT_JWKS_FILE"), "{error}");
}

#[tokio::test]
async fn expired_tokens_are_refused() {
    let identity = Identity::dev(b"k");
    let claims = Claims {
        sub: "u".into(),
        exp: 1,
        role: None,
        iss: Some(DEV_ISSUER.into()),
    };
    let token = encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(b"k"),
    )
    .unwrap();
    assert!(identity.verify(&token).await.is_err());
}

#[test]
fn the_first_refetch_is_at_once_and_later_ones_at_most_every_30_s() {
    let start = std::time::Instant::now();
    let at = |secs: u64| start + std::time::Duration::from_secs(secs);
    let mut limit = jwks::RefetchLimit::default();
    assert!(
        limit.start(at(0)),
        "the first unknown key id after start-up fetches at once"
    );
    assert!(!limit.start(at(0)));
    assert!(!limit.start(at(29)));
    assert!(limit.start(at(30)), "30 s after the last refetch");
    assert!(!limit.start(at(59)), "counted from the refetch at 30 s");
    assert!(limit.start(at(3600)));
    assert_eq!(JWKS_REFETCH_INTERVAL, std::time::Duration::from_secs(30));
}

#[test]
fn a_key_is_found_by_key_id_or_is_the_first_when_the_token_names_none() {
    let keys: KeySet = vec![
        (Some("one".into()), DecodingKey::from_secret(b"1")),
        (None, DecodingKey::from_secret(b"anonymous")),
        (Some("two".into()), DecodingKey::from_secret(b"2")),
    ];
    let claims = Claims {
        sub: "u".into(),
        exp: u64::MAX / 2,
        role: None,
        iss: None,
    };
    let token = encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(b"2"),
    )
    .unwrap();
    let mut validation = Validation::new(Algorithm::HS256);
    validation.iss = None;
    validation.validate_aud = false;
    let verifies = |key: Option<&DecodingKey>| {
        key.is_some_and(|key| decode::<Claims>(&token, key, &validation).is_ok())
    };
    assert!(verifies(find(&keys, Some("two"))));
    assert!(!verifies(find(&keys, Some("one"))));
    assert!(!verifies(find(&keys, None)), "no key id: the first key");
    assert!(find(&keys, None).is_some());
    assert!(find(&keys, Some("three")).is_none());
    assert!(find(&Vec::new(), None).is_none());
}
