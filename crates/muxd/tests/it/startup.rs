//! The `muxd` binary as an operator meets it: `muxd migrate` on both backends, and start-up
//! refusing bad settings with a message that names the fix.

use std::process::Command;

use muxd_testkit::databases::{PgDatabase, TempDir};

fn muxd(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_muxd"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    let dir = TempDir::new().unwrap();
    cmd.current_dir(dir.path());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("muxd runs")
}

#[test]
fn migrate_creates_and_migrates_a_sqlite_file_twice() {
    let dir = TempDir::new().unwrap();
    let url = format!("sqlite://{}", dir.path().join("fresh.db").display());
    for _ in 0..2 {
        let out = muxd(&["migrate"], &[("DATABASE_URL", &url)]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("schema up to date"));
    }
    assert!(dir.path().join("fresh.db").exists());
}

#[tokio::test]
async fn migrate_works_on_postgres() {
    let Some(db) = PgDatabase::create().await else {
        return;
    };
    let out = muxd(&["migrate"], &[("DATABASE_URL", db.url.expose())]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn bad_database_url_names_the_setting_and_the_fix() {
    let out = muxd(
        &["migrate"],
        &[("DATABASE_URL", "mysql://root:topsecret@db/muxd")],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("DATABASE_URL"), "{stderr}");
    assert!(
        stderr.contains("Fix: set DATABASE_URL=sqlite://muxd.db"),
        "{stderr}"
    );
    assert!(!stderr.contains("topsecret"), "password leaked: {stderr}");
}

#[test]
fn unreachable_postgres_fails_with_a_redacted_url() {
    let out = muxd(
        &["migrate"],
        &[("DATABASE_URL", "postgres://muxd:topsecret@127.0.0.1:9/muxd")],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .contains("could not connect to the database at postgres://muxd:***@127.0.0.1:9/muxd"),
        "{stderr}"
    );
    assert!(!stderr.contains("topsecret"), "{stderr}");
}
