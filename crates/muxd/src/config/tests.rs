//! Start-up validation: every bad setting is named with its fix, and nothing secret leaks.

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
        ("MUXD_JWT_HS256_SECRET", "jwt-secret"),
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
            "MUXD_JWT_HS256_SECRET"
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
fn every_setting_read_is_documented_and_in_the_readme() {
    let source = include_str!("../config.rs");
    let readme = include_str!("../../../../README.md");
    let documented: Vec<&str> = DOCUMENTED.iter().map(|(name, _, _)| *name).collect();
    let read: Vec<&str> = source
        .split("get(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|name| name.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .collect();
    assert!(read.len() >= 15, "found only {read:?}");
    for name in &read {
        assert!(
            documented.contains(name),
            "{name} is read but not in DOCUMENTED"
        );
    }
    for name in &documented {
        assert!(
            readme.contains(&format!("`{name}`")),
            "{name} is missing from README's configuration table"
        );
    }
}
