//! The processes the bench starts (`muxd emulator`, `muxd serve`), the database they share, and
//! what the bench reads of them (open-file limit, memory).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use muxd_core::config::DatabaseUrl;
use muxd_testkit::bench::{self};
use muxd_testkit::databases::PgDatabase;

use super::JWT_SECRET;

/// A child process, killed and reaped when dropped (panics included).
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

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

/// (VmRSS, VmHWM) of process `pid` in MiB (NaN where /proc cannot tell).
pub fn memory(pid: u32) -> (f64, f64) {
    let field = |name| bench::status_mib(&pid.to_string(), name).unwrap_or(f64::NAN);
    (field("VmRSS:"), field("VmHWM:"))
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

/// `muxd args…` in `dir` with only `PATH`, `RUST_LOG=warn` and `env` set.
pub fn muxd(dir: &Path, args: &[&str], env: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_muxd"));
    cmd.args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Starts `muxd emulator` on a free port; returns it and its base URL.
pub async fn start_emulator(dir: &Path, webhook: &str) -> (Proc, String) {
    let args = ["emulator", "--port", "0", "--webhook-url", webhook];
    let mut child = muxd(dir, &args, &[])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (found, wanted) = tokio::sync::oneshot::channel();
    // Reads stdout to its end, so the emulator never writes into a closed pipe.
    std::thread::spawn(move || {
        let mut found = Some(found);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(base) = line.split("listening on ").nth(1) {
                if let Some(found) = found.take() {
                    let _ = found.send(base.trim().to_owned());
                }
            }
        }
    });
    let proc = Proc(child);
    let base = tokio::time::timeout(Duration::from_secs(60), wanted).await;
    (
        proc,
        base.unwrap().expect("muxd emulator printed its address"),
    )
}

/// Starts `muxd serve` on `port` and waits (up to 60 s) until it answers HTTP.
pub async fn start_serve(dir: &Path, emulator: &str, database: &str, port: u16) -> Proc {
    let listen = format!("127.0.0.1:{port}");
    let env = [
        ("MUX_BASE_URL", emulator.to_owned()),
        ("MUXD_STREAM_BASE_URL", format!("{emulator}/stream")),
        ("MUX_TOKEN_ID", "emulator".into()),
        ("MUX_TOKEN_SECRET", "emulator-secret".into()),
        ("MUX_WEBHOOK_SIGNING_SECRET", bench::SECRET.into()),
        ("MUXD_JWT_HS256_SECRET", JWT_SECRET.into()),
        // The bench signs its users in with `Identity::dev`'s tokens.
        ("MUXD_JWT_ISSUER", muxd_core::identity::DEV_ISSUER.into()),
        (
            "MUXD_JWT_AUDIENCE",
            muxd_core::identity::DEV_AUDIENCE.into(),
        ),
        ("DATABASE_URL", database.into()),
        ("MUXD_LISTEN", listen.clone()),
        // No spare uploads asked of Mux, no polling of the rows here (they never upload).
        ("MUXD_UPLOAD_POOL_SIZE", "0".into()),
        ("MUXD_RECONCILE_GRACE_SECS", "86400".into()),
        // Each owner holds many streams here; the bounds on open streams are not under test.
        ("MUXD_LIVE_STREAMS_PER_USER", "1000000".into()),
        ("MUXD_LIVE_STREAMS_PER_INSTANCE", "1000000".into()),
    ];
    let log = dir.join(format!("serve-{port}.log"));
    let out = std::fs::File::create(&log).unwrap();
    let mut cmd = muxd(dir, &["serve"], &env);
    cmd.stdout(out.try_clone().unwrap()).stderr(out);
    let mut proc = Proc(cmd.spawn().expect("muxd serve starts"));
    let (http, deadline) = (
        reqwest::Client::new(),
        Instant::now() + Duration::from_secs(60),
    );
    let health = format!("http://{listen}/api/health/mux-system");
    while http.get(&health).send().await.is_err() {
        if let Ok(Some(status)) = proc.0.try_wait() {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            panic!("muxd serve exited with {status}:\n{log}");
        }
        assert!(Instant::now() < deadline, "no answer on {listen}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    proc
}
