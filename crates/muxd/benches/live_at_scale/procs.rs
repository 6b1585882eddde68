//! The processes the bench starts (`muxd emulator`, `muxd serve`, with this bench's settings), the
//! database they share, and the open-file limit they need.

use std::path::Path;
use std::process::Command;

use muxd_core::config::DatabaseUrl;
use muxd_testkit::databases::PgDatabase;
use muxd_testkit::procs::{self, Proc, Serve};

use super::JWT_SECRET;

/// This process's open-file limit (soft, hard), the soft one raised to the hard one first if
/// `needed` would not fit (std has no setrlimit; children started later inherit it).
pub fn open_file_limit(needed: u64) -> Option<(u64, u64)> {
    let read = || -> Option<(u64, u64)> {
        let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
        let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
        let mut n = line.split_whitespace().skip(3).map(|v| v.parse().ok());
        Some((n.next()??, n.next()??))
    };
    let (soft, hard) = read()?;
    if soft < needed && hard > soft {
        let (pid, nofile) = (
            std::process::id().to_string(),
            format!("--nofile={hard}:{hard}"),
        );
        let _ = Command::new("prlimit")
            .args(["--pid", pid.as_str(), nofile.as_str()])
            .status();
    }
    read()
}

/// A fresh PostgreSQL database if the server is reachable, else a SQLite file in `dir`.
pub async fn database(dir: &Path) -> (DatabaseUrl, Option<PgDatabase>) {
    match PgDatabase::create().await {
        Some(database) => (database.url.clone(), Some(database)),
        None => {
            println!("PostgreSQL unreachable: SQLite, one instance");
            let url = format!("sqlite://{}", dir.join("live.db").display());
            (DatabaseUrl::parse(&url).unwrap(), None)
        }
    }
}

/// Starts `muxd serve` on `port` for this bench: its users sign in with [`JWT_SECRET`], and each
/// owner may hold many streams (the bounds on open streams are not under test).
pub async fn start_serve(dir: &Path, emulator: &str, database: &str, port: u16) -> Serve {
    let env = [
        ("MUXD_JWT_HS256_SECRET", JWT_SECRET.into()),
        ("MUXD_LIVE_STREAMS_PER_USER", "1000000".into()),
        ("MUXD_LIVE_STREAMS_PER_INSTANCE", "1000000".into()),
    ];
    let bin = Path::new(env!("CARGO_BIN_EXE_muxd"));
    procs::start_serve(bin, dir, emulator, database, port, &env).await
}

/// Starts `muxd emulator`, sending its webhooks to `webhook`.
pub async fn start_emulator(dir: &Path, webhook: &str) -> (Proc, String) {
    procs::start_emulator(Path::new(env!("CARGO_BIN_EXE_muxd")), dir, webhook).await
}
