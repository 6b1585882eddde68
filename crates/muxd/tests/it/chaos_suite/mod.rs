//! The chaos suite (issue 14): a `muxd emulator` process and a `muxd serve` process on a real
//! database, a seeded workload of uploads from several users through muxd's HTTP API, faults on
//! every side while it runs (webhooks, Mux API, Mux outage, database cut, secret rotation,
//! `kill -9`), then a bounded wait for convergence and invariants checked against the emulator's
//! truth and muxd's database. Off unless `MUXD_CHAOS=1`:
//!
//! ```sh
//! MUXD_CHAOS=1 CI=true cargo test -p muxd --test it chaos_suite -- --nocapture   # 30 uploads
//! MUXD_CHAOS=1 MUXD_CHAOS_UPLOADS=100 MUXD_CHAOS_SEED=7 cargo test -p muxd --test it chaos_suite -- --nocapture
//! MUXD_CHAOS=1 MUXD_CHAOS_UPLOADS=1000 MUXD_CHAOS_DB=postgres cargo test … # long run
//! ```
//!
//! `MUXD_CHAOS_SEED` (default 1), `MUXD_CHAOS_UPLOADS` (default 30), `MUXD_CHAOS_DB`
//! (`sqlite`, `postgres`, `both`; default `both`), `MUXD_CHAOS_CONVERGE_SECS` (default 300).
//! The report is printed and written under `$CARGO_TARGET_TMPDIR/chaos/`.

mod captions;
mod faults;
mod invariants;
mod links;
pub mod procs;
mod replacements;
mod report;
mod run;
mod workload;

/// What one run does, from the environment.
#[derive(Debug, Clone)]
pub struct ChaosConfig {
    pub seed: u64,
    pub uploads: usize,
    pub users: usize,
    pub converge_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChaosDb {
    Sqlite,
    Postgres,
}

impl ChaosDb {
    pub fn name(self) -> &'static str {
        match self {
            ChaosDb::Sqlite => "sqlite",
            ChaosDb::Postgres => "postgres",
        }
    }
}

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name} must be a number, not {v:?}"))
        })
        .unwrap_or(default)
}

/// The run's settings, or `None` (after saying so loudly) when this database is not selected.
fn config_for(db: ChaosDb) -> Option<ChaosConfig> {
    if std::env::var("MUXD_CHAOS").ok().as_deref() != Some("1") {
        eprintln!(
            "\n*** SKIPPED: set MUXD_CHAOS=1 to run the chaos suite ({}); see tests/it/chaos_suite/mod.rs ***\n",
            db.name()
        );
        return None;
    }
    let wanted = std::env::var("MUXD_CHAOS_DB").unwrap_or_else(|_| "both".into());
    if wanted != "both" && wanted != db.name() {
        eprintln!(
            "\n*** SKIPPED: chaos suite on {} (MUXD_CHAOS_DB={wanted}) ***\n",
            db.name()
        );
        return None;
    }
    Some(ChaosConfig {
        seed: env_num("MUXD_CHAOS_SEED", 1),
        uploads: env_num("MUXD_CHAOS_UPLOADS", 30) as usize,
        users: 5,
        converge_secs: env_num("MUXD_CHAOS_CONVERGE_SECS", 300),
    })
}

/// Both tests share the machine: one chaos run at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn chaos(db: ChaosDb) {
    let Some(config) = config_for(db) else {
        return;
    };
    let _turn = ONE_AT_A_TIME.lock().await;
    let report = run::run(db, config).await;
    if let Some(report) = report {
        let violations = report.violations();
        assert!(
            violations.is_empty(),
            "chaos suite on {} found violations: {}",
            db.name(),
            violations.join("; ")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite() {
    chaos(ChaosDb::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres() {
    chaos(ChaosDb::Postgres).await;
}
