//! Token checks: HS256, RS256 by PEM and JWKS, issuer and audience, key ids and algorithm confusion;
//! the admin claim; the JWKS URL's refetch limit, hold time and key lookup (fetching itself, and
//! the token rules end to end: `tests/it/jwks.rs`, `tests/it/strict_identity.rs`).

use super::*;

const ISSUER: &str = "https://clerk.example";
const AUDIENCE: &str = "muxd";

/// Settings that check [`ISSUER`] and [`AUDIENCE`], with `keys` set by the caller.
fn strict(keys: IdentitySettings) -> IdentitySettings {
    IdentitySettings {
        issuer: Some(Accepted::Only(ISSUER.into())),
        audience: Some(Accepted::Only(AUDIENCE.into())),
        ..keys
    }
}

/// A token of `claims` signed with `key` (HS256 unless the header says otherwise).
fn sign(header: &Header, claims: &Value, key: &EncodingKey) -> String {
    encode(header, claims, key).unwrap()
}

#[tokio::test]
async fn a_subject_that_is_not_a_user_id_is_refused() {
    let identity = Identity::dev(b"dev-secret");
    for sub in ["", "   ", "a\u{7}b", &"x".repeat(256)] {
        let token = identity.sign(sub, false, 60).unwrap();
        assert!(identity.verify(&token).await.is_err(), "{sub:?}");
    }
    let token = identity.sign(&"x".repeat(255), false, 60).unwrap();
    assert!(identity.verify(&token).await.is_ok());
}

#[tokio::test]
async fn dev_tokens_round_trip_with_role() {
    let identity = Identity::dev(b"dev-secret");
    let token = identity.sign("user_demo", true, 60).unwrap();
    let principal = identity.verify(&token).await.unwrap();
    assert_eq!(principal.external_id, "user_demo");
    assert!(principal.admin, "dev trusts role=admin");
    let left = principal
        .expires_at
        .duration_since(SystemTime::now())
        .unwrap();
    assert!(
        left <= Duration::from_secs(60) && left > Duration::from_secs(55),
        "{left:?}"
    );
    assert!(
        !identity
            .verify(&identity.sign("u", false, 60).unwrap())
            .await
            .unwrap()
            .admin
    );
    let other = Identity::dev(b"another-secret");
    assert!(
        other.verify(&token).await.is_err(),
        "token signed with another secret accepted"
    );
    assert!(identity.verify("not.a.token").await.is_err());
}

#[tokio::test]
async fn issuer_and_audience_are_required_and_admins_are_listed_or_hold_the_trusted_claim() {
    let secret = "s".repeat(32);
    let settings = strict(IdentitySettings {
        hs256_secret: Some(secret.clone().into()),
        admin_ids: vec!["user_boss".into()],
        ..Default::default()
    });
    let identity = Identity::from_settings(&settings).await.unwrap();
    let key = EncodingKey::from_secret(secret.as_bytes());
    let token = |claims: Value| sign(&Header::default(), &claims, &key);
    let claims =
        |sub: &str| json!({"sub": sub, "exp": u64::MAX / 2, "iss": ISSUER, "aud": AUDIENCE});
    let mut evil = claims("user_a");
    evil["iss"] = "https://evil.example".into();
    assert!(identity.verify(&token(evil)).await.is_err());
    let mut elsewhere = claims("user_a");
    elsewhere["aud"] = "another-service".into();
    assert!(identity.verify(&token(elsewhere)).await.is_err());
    for missing in ["iss", "aud", "exp", "sub"] {
        let mut without = claims("user_a");
        without.as_object_mut().unwrap().remove(missing);
        assert!(
            identity.verify(&token(without)).await.is_err(),
            "no {missing}"
        );
    }
    let user = identity.verify(&token(claims("user_a"))).await.unwrap();
    assert!(!user.admin);
    let mut role = claims("user_a");
    role["role"] = "admin".into();
    assert!(
        !identity.verify(&token(role.clone())).await.unwrap().admin,
        "a role claim is not trusted by default"
    );
    assert!(
        identity
            .verify(&token(claims("user_boss")))
            .await
            .unwrap()
            .admin
    );
    assert!(
        identity.sign("x", false, 1).is_none(),
        "production identity must not sign"
    );

    let trusting = Identity::from_settings(&IdentitySettings {
        admin_claim: Some(AdminClaim {
            name: "role".into(),
            value: "admin".into(),
        }),
        ..settings.clone()
    })
    .await
    .unwrap();
    assert!(trusting.verify(&token(role)).await.unwrap().admin);

    let missing = IdentitySettings {
        issuer: None,
        ..settings
    };
    let error = Identity::from_settings(&missing)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("MUXD_JWT_ISSUER"), "{error}");
}

#[test]
fn the_admin_claim_is_a_string_equal_to_its_value_or_an_array_holding_it() {
    let claim = AdminClaim::parse("roles=admin").unwrap();
    let holds = |value: Value| {
        let claims = json!({ "roles": value });
        holds(claims.as_object().unwrap(), &claim)
    };
    assert!(holds(json!("admin")));
    assert!(holds(json!(["editor", "admin"])));
    assert!(!holds(json!("administrator")));
    assert!(!holds(json!(["editor"])));
    assert!(!holds(json!({"admin": true})));
    assert!(!holds(json!(true)));
    assert_eq!(AdminClaim::parse("role"), None);
    assert_eq!(AdminClaim::parse(" =admin"), None);
}

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../muxd/tests/fixtures/jwt");

fn rs256(sub: &str, kid: Option<&str>, role: Option<&str>) -> String {
    let pem = std::fs::read(format!("{FIXTURES}/test-private.pem")).unwrap();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(str::to_owned);
    let mut claims = json!({"sub": sub, "exp": u64::MAX / 2, "iss": ISSUER, "aud": AUDIENCE});
    if let Some(role) = role {
        claims["role"] = role.into();
    }
    sign(&header, &claims, &EncodingKey::from_rsa_pem(&pem).unwrap())
}

#[tokio::test]
async fn rs256_tokens_verify_with_a_pem_public_key() {
    let settings = strict(IdentitySettings {
        public_key_file: Some(format!("{FIXTURES}/test-public.pem")),
        admin_claim: AdminClaim::parse("role=admin"),
        ..Default::default()
    });
    let identity = Identity::from_settings(&settings).await.unwrap();
    let principal = identity
        .verify(&rs256("user_clerk_1", None, Some("admin")))
        .await
        .unwrap();
    assert_eq!(principal.external_id, "user_clerk_1");
    assert!(principal.admin);
    // An HS256 token made with the public key as a secret (algorithm confusion) is refused.
    let pem = std::fs::read(format!("{FIXTURES}/test-public.pem")).unwrap();
    let claims = json!({"sub": "user_x", "exp": u64::MAX / 2, "iss": ISSUER, "aud": AUDIENCE});
    let confused = sign(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(&pem),
    );
    assert!(identity.verify(&confused).await.is_err());
}

#[tokio::test]
async fn rs256_tokens_verify_with_a_jwks_file_by_key_id() {
    let settings = strict(IdentitySettings {
        jwks_file: Some(format!("{FIXTURES}/test-jwks.json")),
        ..Default::default()
    });
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
    let missing = strict(IdentitySettings {
        jwks_file: Some("/nonexistent/jwks.json".into()),
        ..Default::default()
    });
    let error = Identity::from_settings(&missing)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("MUXD_JWT_JWKS_FILE"), "{error}");
}

#[tokio::test]
async fn exp_and_nbf_are_checked_with_a_30_s_leeway() {
    let identity = Identity::dev(b"k");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let token = |exp: u64, nbf: Option<u64>| {
        let mut claims = json!({"sub": "u", "exp": exp, "iss": DEV_ISSUER, "aud": DEV_AUDIENCE});
        if let Some(nbf) = nbf {
            claims["nbf"] = nbf.into();
        }
        sign(&Header::default(), &claims, &EncodingKey::from_secret(b"k"))
    };
    assert!(identity.verify(&token(1, None)).await.is_err());
    assert!(identity.verify(&token(now - 60, None)).await.is_err());
    assert!(
        identity.verify(&token(now - 10, None)).await.is_ok(),
        "within the leeway"
    );
    assert!(identity
        .verify(&token(now + 60, Some(now + 120)))
        .await
        .is_err());
    assert!(identity
        .verify(&token(now + 60, Some(now + 10)))
        .await
        .is_ok());
    assert_eq!(LEEWAY, Duration::from_secs(30));
}

#[tokio::test]
async fn an_azp_must_be_one_of_the_origins_when_any_are_configured() {
    let secret = "s".repeat(32);
    let settings = strict(IdentitySettings {
        hs256_secret: Some(secret.clone().into()),
        authorized_parties: vec!["https://app.example".into()],
        ..Default::default()
    });
    let key = EncodingKey::from_secret(secret.as_bytes());
    let token = |azp: Value| {
        let claims =
            json!({"sub": "u", "exp": u64::MAX / 2, "iss": ISSUER, "aud": AUDIENCE, "azp": azp});
        sign(&Header::default(), &claims, &key)
    };
    let identity = Identity::from_settings(&settings).await.unwrap();
    assert!(identity
        .verify(&token(json!("https://app.example")))
        .await
        .is_ok());
    assert!(identity
        .verify(&token(json!("https://evil.example")))
        .await
        .is_err());
    assert!(identity
        .verify(&token(json!(["https://app.example"])))
        .await
        .is_err());
    assert!(
        identity.verify(&token(Value::Null)).await.is_err(),
        "a null azp names none of them"
    );
    let anywhere = Identity::from_settings(&IdentitySettings {
        authorized_parties: Vec::new(),
        ..settings
    })
    .await
    .unwrap();
    assert!(anywhere
        .verify(&token(json!("https://evil.example")))
        .await
        .is_ok());
}

#[tokio::test]
async fn a_star_accepts_any_issuer_and_audience() {
    let secret = "s".repeat(32);
    let settings = IdentitySettings {
        hs256_secret: Some(secret.clone().into()),
        issuer: Some(Accepted::Any),
        audience: Some(Accepted::Any),
        ..Default::default()
    };
    let identity = Identity::from_settings(&settings).await.unwrap();
    let key = EncodingKey::from_secret(secret.as_bytes());
    for claims in [
        json!({"sub": "u", "exp": u64::MAX / 2}),
        json!({"sub": "u", "exp": u64::MAX / 2, "iss": "anyone", "aud": ["any", "thing"]}),
    ] {
        let token = sign(&Header::default(), &claims, &key);
        assert!(identity.verify(&token).await.is_ok(), "{claims}");
    }
}

#[test]
fn the_first_refetch_is_at_once_and_later_ones_at_most_every_30_s() {
    let start = std::time::Instant::now();
    let at = |secs: u64| start + Duration::from_secs(secs);
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
    assert_eq!(JWKS_REFETCH_INTERVAL, Duration::from_secs(30));
}

#[test]
fn a_fetched_set_is_held_for_its_max_age_between_a_second_and_an_hour() {
    let secs = Duration::from_secs;
    assert_eq!(jwks::max_age(Some("public, max-age=600")), secs(600));
    assert_eq!(jwks::max_age(Some("max-age=60, must-revalidate")), secs(60));
    assert_eq!(jwks::max_age(Some("Max-Age=\"5\"")), secs(5));
    assert_eq!(jwks::max_age(Some("s-maxage=5, max-age=7")), secs(7));
    assert_eq!(
        jwks::max_age(Some("max-age=0")),
        secs(1),
        "at least a second"
    );
    assert_eq!(
        jwks::max_age(Some("max-age=604800")),
        secs(3600),
        "at most an hour"
    );
    assert_eq!(jwks::max_age(Some("no-cache")), secs(3600));
    assert_eq!(jwks::max_age(Some("max-age=soon")), secs(3600));
    assert_eq!(jwks::max_age(None), secs(3600), "hourly without one");

    let fetched = std::time::Instant::now();
    let held = jwks::Held::new(Vec::new(), fetched, secs(60));
    assert!(!held.is_stale(fetched));
    assert!(!held.is_stale(fetched + secs(59)));
    assert!(held.is_stale(fetched + secs(60)), "older than its max-age");
}

#[test]
fn a_key_is_found_by_key_id_or_is_the_first_when_the_token_names_none() {
    let keys: KeySet = vec![
        (Some("one".into()), DecodingKey::from_secret(b"1")),
        (None, DecodingKey::from_secret(b"anonymous")),
        (Some("two".into()), DecodingKey::from_secret(b"2")),
    ];
    let claims = json!({"sub": "u", "exp": u64::MAX / 2});
    let token = sign(&Header::default(), &claims, &EncodingKey::from_secret(b"2"));
    let validation = validation(Algorithm::HS256, &Accepted::Any, &Accepted::Any);
    let verifies = |key: Option<&DecodingKey>| {
        key.is_some_and(|key| decode::<Value>(&token, key, &validation).is_ok())
    };
    assert!(verifies(find(&keys, Some("two"))));
    assert!(!verifies(find(&keys, Some("one"))));
    assert!(!verifies(find(&keys, None)), "no key id: the first key");
    assert!(find(&keys, None).is_some());
    assert!(find(&keys, Some("three")).is_none());
    assert!(find(&Vec::new(), None).is_none());
}
