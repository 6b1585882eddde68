//! Start-up validation: every bad setting is named with its fix, and nothing secret leaks.

use super::values::is_origin;
use super::*;
use secrecy::ExposeSecret;

fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn serve_vars() -> HashMap<String, String> {
    vars(&[
        ("MUX_TOKEN_ID", "tok"),
        ("MUX_TOKEN_SECRET", "hunter2"),
        ("MUX_WEBHOOK_SIGNING_SECRET", "old, new"),
        ("DATABASE_URL", "postgres://muxd:s3cret@db:5432/muxd"),
        (
            "MUXD_JWT_HS256_SECRET",
            "an-hs256-secret-of-32-bytes-or-more",
        ),
        ("MUXD_JWT_ISSUER", "https://clerk.example"),
        ("MUXD_JWT_AUDIENCE", "muxd"),
    ])
}

#[test]
fn dev_needs_nothing_and_defaults_to_sqlite() {
    let settings = Settings::load(&HashMap::new(), Mode::Dev).unwrap();
    assert_eq!(settings.database_url.backend(), Backend::Sqlite);
    assert_eq!(settings.listen.to_string(), "127.0.0.1:3000");
    assert_eq!(settings.webhook.tolerance, Duration::from_secs(300));
    assert_eq!(settings.webhook.max_body_bytes, 1 << 20);
    assert_eq!(settings.log_format, LogFormat::Pretty);
}

#[test]
fn serve_reads_rotated_secrets_and_defaults_to_json_logs() {
    let settings = Settings::load(&serve_vars(), Mode::Serve).unwrap();
    let secrets: Vec<_> = settings
        .webhook
        .secrets
        .iter()
        .map(|s| s.expose_secret().to_owned())
        .collect();
    assert_eq!(secrets, ["old", "new"]);
    assert_eq!(settings.log_format, LogFormat::Json);
}

#[test]
fn serve_without_secrets_names_each_missing_setting_with_a_fix() {
    let err = Settings::load(&HashMap::new(), Mode::Serve).unwrap_err();
    let names: Vec<_> = err.0.iter().map(|p| p.setting).collect();
    assert_eq!(
        names,
        [
            "MUX_TOKEN_ID",
            "MUX_TOKEN_SECRET",
            "MUX_WEBHOOK_SIGNING_SECRET",
            "MUXD_JWT_HS256_SECRET",
            "MUXD_JWT_ISSUER",
            "MUXD_JWT_AUDIENCE",
        ]
    );
    let message = err.to_string();
    assert!(
        message.contains("MUX_WEBHOOK_SIGNING_SECRET: missing. Fix: copy the signing secret"),
        "{message}"
    );
}

#[test]
fn malformed_values_are_all_reported_at_once() {
    let err = Settings::load(
        &vars(&[
            ("DATABASE_URL", "mysql://root:pw@x/db"),
            ("MUXD_LISTEN", "nowhere"),
            ("MUXD_LOG_FORMAT", "xml"),
        ]),
        Mode::Dev,
    )
    .unwrap_err();
    let names: Vec<_> = err.0.iter().map(|p| p.setting).collect();
    assert_eq!(names, ["DATABASE_URL", "MUXD_LISTEN", "MUXD_LOG_FORMAT"]);
    assert!(!err.to_string().contains("pw@"), "password leaked: {err}");
}

#[test]
fn database_url_hides_its_password() {
    let settings = Settings::load(&serve_vars(), Mode::Serve).unwrap();
    let shown = format!("{:?} {}", settings, settings.database_url);
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(
        shown.contains("postgres://muxd:***@db:5432/muxd"),
        "{shown}"
    );
    assert_eq!(
        settings.database_url.expose(),
        "postgres://muxd:s3cret@db:5432/muxd"
    );
}

#[test]
fn database_url_needs_a_target() {
    assert!(DatabaseUrl::parse("sqlite://").is_err());
    assert!(DatabaseUrl::parse("postgres://").is_err());
    assert_eq!(
        DatabaseUrl::parse("sqlite:muxd.db").unwrap().backend(),
        Backend::Sqlite
    );
}

#[test]
fn the_readme_configuration_table_is_the_settings_table() {
    let readme = include_str!("../../../../README.md");
    let expected = table::markdown_table();
    assert!(
        readme.contains(&expected),
        "README's configuration table differs from config/table.rs; paste this into README:\n{expected}"
    );
}

#[test]
fn every_variable_the_code_reads_is_in_the_table() {
    // Settings are read only through table entries; no other code reads the environment.
    let sources = [
        include_str!("mod.rs"),
        include_str!("reader.rs"),
        include_str!("identity.rs"),
        include_str!("mux.rs"),
        include_str!("uploads.rs"),
        include_str!("browser.rs"),
        include_str!("operations.rs"),
        include_str!("bounds.rs"),
        include_str!("values.rs"),
    ];
    for source in sources {
        assert!(
            !source.contains("std::env::var("),
            "config reads a variable by name"
        );
    }
    let names: Vec<&str> = table::SETTINGS.iter().map(|s| s.name).collect();
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "a setting is listed twice");
    let table_source = include_str!("table.rs");
    for setting in table::SETTINGS {
        assert!(table_source.contains(&format!("\"{}\"", setting.name)));
    }
}

#[test]
fn a_password_in_the_query_string_is_redacted_too() {
    let url =
        DatabaseUrl::parse("postgres://db/muxd?user=muxd&password=s3cret&sslmode=require").unwrap();
    let shown = format!("{url} {url:?}");
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(shown.contains("password=***&sslmode=require"), "{shown}");
}

#[test]
fn the_alert_webhook_url_is_a_secret() {
    let mut with_alert = serve_vars();
    with_alert.insert(
        "MUXD_ALERT_WEBHOOK_URL".into(),
        "https://hooks.slack.com/services/T000/B000/XXXXSECRET".into(),
    );
    let settings = Settings::load(&with_alert, Mode::Serve).unwrap();
    assert!(!format!("{settings:?}").contains("XXXXSECRET"));
}

#[test]
fn a_sqlite_url_names_its_file() {
    let path = |url: &str| DatabaseUrl::parse(url).unwrap().sqlite_path();
    assert_eq!(path("sqlite://muxd.db"), Some("muxd.db".into()));
    assert_eq!(path("sqlite:data/m.db?mode=rwc"), Some("data/m.db".into()));
    assert_eq!(path("sqlite:///tmp/x.db"), Some("/tmp/x.db".into()));
    assert_eq!(path("postgres://h/db"), None);
}

#[test]
fn the_reconcile_grace_defaults_to_a_minute_and_refuses_zero() {
    let settings = Settings::load(&HashMap::new(), Mode::Dev).unwrap();
    assert_eq!(settings.reconcile_grace, Duration::from_secs(60));
    let short = vars(&[("MUXD_RECONCILE_GRACE_SECS", "15")]);
    let settings = Settings::load(&short, Mode::Dev).unwrap();
    assert_eq!(settings.reconcile_grace, Duration::from_secs(15));
    let zero = vars(&[("MUXD_RECONCILE_GRACE_SECS", "0")]);
    let error = Settings::load(&zero, Mode::Dev).unwrap_err().to_string();
    assert!(error.contains("MUXD_RECONCILE_GRACE_SECS"), "{error}");
}

#[test]
fn the_bounds_default_and_live_streams_refuse_zero() {
    let bounds = Settings::load(&HashMap::new(), Mode::Dev).unwrap().bounds;
    assert_eq!(bounds.edits_per_user_per_minute, 60);
    assert_eq!(bounds.live_streams_per_user, 8);
    assert_eq!(bounds.live_streams_per_instance, 10_000);
    let off = vars(&[("MUXD_EDITS_PER_USER_PER_MINUTE", "0")]);
    let bounds = Settings::load(&off, Mode::Dev).unwrap().bounds;
    assert_eq!(bounds.edits_per_user_per_minute, 0);
    for name in [
        "MUXD_LIVE_STREAMS_PER_USER",
        "MUXD_LIVE_STREAMS_PER_INSTANCE",
    ] {
        let error = Settings::load(&vars(&[(name, "0")]), Mode::Dev)
            .unwrap_err()
            .to_string();
        assert!(error.contains(name), "{error}");
    }
}

#[test]
fn cors_origins_must_be_origins() {
    assert!(is_origin("https://app.example.com"));
    assert!(is_origin("http://localhost:5173"));
    for bad in [
        "app.example.com",
        "https://app.example.com/",
        "https://*.example.com",
        "https://",
    ] {
        assert!(!is_origin(bad), "{bad}");
    }
}

#[test]
fn upload_types_must_be_mime_types() {
    let mut vars = serve_vars();
    vars.insert("MUXD_UPLOAD_TYPES".into(), "video/mp4, mp4".into());
    let error = Settings::load(&vars, Mode::Serve).unwrap_err().to_string();
    assert!(error.contains("\"mp4\" is not a MIME type"), "{error}");
    vars.remove("MUXD_UPLOAD_TYPES");
    let settings = Settings::load(&vars, Mode::Serve).unwrap();
    assert_eq!(settings.uploads.types, ["video/*", "audio/*"]);
}

#[test]
fn signed_playback_under_serve_needs_a_signing_key_that_is_an_rsa_key() {
    let mut signed = serve_vars();
    signed.insert("MUXD_PLAYBACK_POLICY".into(), "signed".into());
    let error = Settings::load(&signed, Mode::Serve)
        .unwrap_err()
        .to_string();
    assert!(error.contains("MUX_SIGNING_KEY_ID: missing"), "{error}");
    assert!(
        error.contains("MUX_SIGNING_PRIVATE_KEY: missing"),
        "{error}"
    );

    signed.insert("MUX_SIGNING_KEY_ID".into(), "key-1".into());
    signed.insert("MUX_SIGNING_PRIVATE_KEY".into(), "aGVsbG8=".into());
    let error = Settings::load(&signed, Mode::Serve)
        .unwrap_err()
        .to_string();
    assert!(error.contains("not an RSA private key"), "{error}");
    assert!(!error.contains("aGVsbG8"), "the key leaked: {error}");

    let pem = include_str!("../../../muxd/tests/it/fixtures/keys/playback-signing.pem");
    signed.insert("MUX_SIGNING_PRIVATE_KEY".into(), pem.into());
    let settings = Settings::load(&signed, Mode::Serve).unwrap();
    assert_eq!(settings.uploads.signing_key.unwrap().id, "key-1");

    let mut half = serve_vars();
    half.insert("MUX_SIGNING_KEY_ID".into(), "key-1".into());
    let error = Settings::load(&half, Mode::Serve).unwrap_err().to_string();
    assert!(error.contains("only one of"), "{error}");
}

#[test]
fn serve_needs_the_issuer_and_audience_and_a_star_accepts_any() {
    for name in ["MUXD_JWT_ISSUER", "MUXD_JWT_AUDIENCE"] {
        let mut vars = serve_vars();
        vars.remove(name);
        let error = Settings::load(&vars, Mode::Serve).unwrap_err().to_string();
        assert!(
            error.contains(&format!("{name}: missing. Fix: set {name} to the")),
            "{error}"
        );
        assert!(error.contains("or to * to accept any"), "{error}");
        assert!(
            Settings::load(&vars, Mode::Dev).is_ok(),
            "dev signs its own tokens"
        );
        vars.insert(name.into(), "*".into());
        assert!(Settings::load(&vars, Mode::Serve).is_ok(), "{name}=*");
    }
}

#[test]
fn a_short_hs256_secret_is_refused_with_the_fix() {
    let mut vars = serve_vars();
    vars.insert("MUXD_JWT_HS256_SECRET".into(), "x".repeat(31));
    let error = Settings::load(&vars, Mode::Serve).unwrap_err().to_string();
    assert!(
        error.contains("MUXD_JWT_HS256_SECRET: the secret is 31 bytes"),
        "{error}"
    );
    assert!(error.contains("openssl rand -hex 32"), "{error}");
    assert!(
        !error.contains(&"x".repeat(31)),
        "the secret leaked: {error}"
    );
    vars.insert("MUXD_JWT_HS256_SECRET".into(), "x".repeat(32));
    assert!(Settings::load(&vars, Mode::Serve).is_ok());
}

#[test]
fn a_jwks_url_must_be_https_unless_it_is_this_machine() {
    let mut vars = serve_vars();
    vars.remove("MUXD_JWT_HS256_SECRET");
    for (url, ok) in [
        ("https://app.clerk.accounts.dev/.well-known/jwks.json", true),
        ("http://app.clerk.accounts.dev/.well-known/jwks.json", false),
        ("http://10.0.0.5/jwks.json", false),
        ("http://localhost:8080/jwks.json", true),
        ("http://127.0.0.1:8080/jwks.json", true),
        ("http://127.9.9.9/jwks.json", true),
        ("http://[::1]:8080/jwks.json", true),
    ] {
        vars.insert("MUXD_JWT_JWKS_URL".into(), url.into());
        match Settings::load(&vars, Mode::Serve) {
            Ok(_) => assert!(ok, "{url} accepted"),
            Err(error) => {
                let error = error.to_string();
                assert!(!ok, "{url} refused: {error}");
                assert!(error.contains("MUXD_JWT_JWKS_URL"), "{error}");
                assert!(error.contains("Fix: an https URL"), "{error}");
            }
        }
    }
}

#[test]
fn the_admin_claim_is_name_equals_value() {
    let mut vars = serve_vars();
    for bad in ["role", "=admin", "role=", "role:admin"] {
        vars.insert("MUXD_ADMIN_CLAIM".into(), bad.into());
        let error = Settings::load(&vars, Mode::Serve).unwrap_err().to_string();
        assert!(error.contains("MUXD_ADMIN_CLAIM"), "{bad}: {error}");
        assert!(error.contains("e.g. role=admin"), "{bad}: {error}");
    }
    vars.insert("MUXD_ADMIN_CLAIM".into(), "role=admin".into());
    assert!(Settings::load(&vars, Mode::Serve).is_ok());
}
