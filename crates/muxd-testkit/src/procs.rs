//! Benchmarks that run muxd as processes of its own (so its CPU, memory and log bytes are muxd's
//! alone): starting `muxd emulator` and `muxd serve`, and what a bench reads of a process on
//! Linux's /proc (CPU time, memory) and of PostgreSQL's server processes.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::bench;

/// A child process, killed and reaped when dropped (panics included).
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `bin args…` (the muxd binary) in `dir` with only `PATH`, `RUST_LOG=warn` and `env` set.
pub fn muxd<V: AsRef<std::ffi::OsStr>>(
    bin: &Path,
    dir: &Path,
    args: &[&str],
    env: &[(&str, V)],
) -> Command {
    let mut cmd = Command::new(bin);
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

/// Starts `muxd emulator` on a free port, sending its webhooks to `webhook`; returns it and its
/// base URL.
pub async fn start_emulator(bin: &Path, dir: &Path, webhook: &str) -> (Proc, String) {
    let args = ["emulator", "--port", "0", "--webhook-url", webhook];
    let mut child = muxd::<&str>(bin, dir, &args, &[])
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

/// A running `muxd serve` and the file its output goes to.
pub struct Serve {
    pub proc: Proc,
    pub log: PathBuf,
}

impl Serve {
    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.proc.0.id()
    }

    /// Bytes it has logged so far.
    pub fn log_bytes(&self) -> u64 {
        std::fs::metadata(&self.log).map_or(0, |m| m.len())
    }
}

/// Starts `muxd serve` on `port` over `database`, calling Mux at `emulator` (with the emulator's
/// credentials, [`bench::SECRET`] as the webhook secret, no spare uploads and no polling of rows
/// that never upload), with `env` besides, and waits (up to 60 s) until it answers HTTP. Its
/// output goes to `serve-<port>.log` in `dir`.
pub async fn start_serve(
    bin: &Path,
    dir: &Path,
    emulator: &str,
    database: &str,
    port: u16,
    env: &[(&str, String)],
) -> Serve {
    let listen = format!("127.0.0.1:{port}");
    let base = [
        ("MUX_BASE_URL", emulator.to_owned()),
        ("MUXD_STREAM_BASE_URL", format!("{emulator}/stream")),
        ("MUX_TOKEN_ID", "emulator".into()),
        ("MUX_TOKEN_SECRET", "emulator-secret".into()),
        ("MUX_WEBHOOK_SIGNING_SECRET", bench::SECRET.into()),
        // Tokens are signed with `Identity::dev`'s issuer and audience.
        ("MUXD_JWT_ISSUER", muxd_core::identity::DEV_ISSUER.into()),
        (
            "MUXD_JWT_AUDIENCE",
            muxd_core::identity::DEV_AUDIENCE.into(),
        ),
        ("DATABASE_URL", database.into()),
        ("MUXD_LISTEN", listen.clone()),
        ("MUXD_UPLOAD_POOL_SIZE", "0".into()),
        ("MUXD_RECONCILE_GRACE_SECS", "86400".into()),
    ];
    let all: Vec<(&str, String)> = base.into_iter().chain(env.iter().cloned()).collect();
    let log = dir.join(format!("serve-{port}.log"));
    let out = std::fs::File::create(&log).unwrap();
    let mut cmd = muxd(bin, dir, &["serve"], &all);
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
    Serve { proc, log }
}

/// (VmRSS, VmHWM) of process `pid` in MiB (NaN where /proc cannot tell).
pub fn memory(pid: u32) -> (f64, f64) {
    let field = |name| bench::status_mib(&pid.to_string(), name).unwrap_or(f64::NAN);
    (field("VmRSS:"), field("VmHWM:"))
}

/// User + system CPU seconds of one /proc `stat` line, if it is a process named `name` (any
/// name when `None`). Clock ticks are Linux's fixed USER_HZ of 100.
fn stat_cpu_secs(stat: &str, name: Option<&str>) -> Option<f64> {
    // pid (comm) state ppid … utime(14) stime(15): fields after the closing parenthesis.
    let (head, rest) = stat.rsplit_once(')')?;
    if name.is_some_and(|name| !head.ends_with(&format!("({name}"))) {
        return None;
    }
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |n: usize| fields.get(n).and_then(|f| f.parse::<u64>().ok());
    Some((field(11)? + field(12)?) as f64 / 100.0)
}

/// CPU seconds process `pid` has used so far (its threads included), if /proc tells.
pub fn cpu_secs(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat_cpu_secs(&stat, None)
}

/// CPU seconds used so far by every PostgreSQL server process on this machine (its sessions and
/// its background workers: the WAL writer, the checkpointer, autovacuum), if /proc tells.
pub fn postgres_cpu_secs() -> Option<f64> {
    let mut total = 0.0;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        if let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) {
            total += stat_cpu_secs(&stat, Some("postgres")).unwrap_or(0.0);
        }
    }
    Some(total)
}

/// Milliseconds of CPU per event between two readings of the same counter.
pub fn cpu_ms_per_event(before: Option<f64>, after: Option<f64>, events: usize) -> Option<f64> {
    Some((after? - before?) * 1000.0 / events as f64)
}
