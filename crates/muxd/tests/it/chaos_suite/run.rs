//! One chaos run end to end: database (PostgreSQL behind the chaos proxy, or a SQLite file),
//! emulator and `muxd serve` processes, workload and faults side by side, a bounded wait for
//! convergence (advancing the emulator's clock once so never-sent uploads time out), then the
//! invariants and the report.

use std::path::PathBuf;
use std::time::Duration;

use muxd_core::config::DatabaseUrl;
use muxd_store::Store;
use serde_json::{json, Value};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::captions;
use super::faults::Faults;
use super::invariants::{check_all, mismatches, rows, truth, Check};
use super::procs::{free_port, start_emulator, Serve};
use super::report::Report;
use super::workload::{plan, play_all, Clients, Kind};
use super::{ChaosConfig, ChaosDb};
use muxd_testkit::databases::{PgDatabase, TempDir};
use muxd_testkit::proxy::ChaosProxy;

/// The URL with its `host:port` replaced by `addr`, and that `host:port`.
fn via(url: &str, addr: &str) -> (String, String) {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (userinfo, hostpath) = match rest.split_once('@') {
        Some((u, h)) => (format!("{u}@"), h),
        None => (String::new(), rest),
    };
    let (host, path) = hostpath.split_once('/').unwrap();
    let host = if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:5432")
    };
    (format!("{scheme}://{userinfo}{addr}/{path}"), host)
}

pub async fn run(db: ChaosDb, config: ChaosConfig) -> Option<Report> {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("chaos")
        .join(format!(
            "{}-seed{}-n{}",
            db.name(),
            config.seed,
            config.uploads
        ));
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let files = TempDir::new().unwrap();
    let (mut _pg, mut proxy) = (None, None);
    let (muxd_url, direct_url) = match db {
        ChaosDb::Sqlite => {
            let url = format!("sqlite://{}", files.path().join("muxd.db").display());
            (url.clone(), url)
        }
        ChaosDb::Postgres => {
            let pg = PgDatabase::create().await?;
            let direct = pg.url.expose().to_owned();
            let (_, upstream) = via(&direct, "x");
            let upstream = tokio::net::lookup_host(upstream)
                .await
                .unwrap()
                .next()
                .unwrap();
            let chaos = ChaosProxy::start(upstream).await;
            let (routed, _) = via(&direct, &chaos.addr.to_string());
            (_pg, proxy) = (Some(pg), Some(chaos));
            (routed, direct)
        }
    };
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let port = free_port();
    let webhook_url = format!("http://127.0.0.1:{port}/api/webhooks/mux");
    let (_emulator, emu) = start_emulator(&files, config.seed, &webhook_url).await;
    let mut serve = Serve::new(&emu, &muxd_url, port, &out);
    serve.start(&http).await;
    let store = Store::connect(&DatabaseUrl::parse(&direct_url).unwrap())
        .await
        .expect("the suite reads muxd's database");

    let mut report = Report::default();
    let plan = plan(config.seed, config.uploads, config.users);
    let kinds = Report::tally(
        plan.iter()
            .map(|p| {
                json!(match p.kind {
                    Kind::Send { ref file, .. } => format!("send:{file}"),
                    Kind::NeverSent => "never-sent".into(),
                    Kind::Cancel => "cancel".into(),
                    Kind::Delete { .. } => "send+delete".into(),
                    Kind::HangUp { .. } => "hang-up".into(),
                    Kind::Replace { ref second, .. } => format!("send+replace:{second}"),
                    Kind::Link { ref file } => format!("link:{file}"),
                })
            })
            .collect::<Vec<_>>()
            .iter(),
        |v| v.as_str().unwrap().to_owned(),
    );
    report.line(format!(
        "database={} seed={} uploads={} users={} (rerun: MUXD_CHAOS=1 MUXD_CHAOS_DB={} MUXD_CHAOS_SEED={} MUXD_CHAOS_UPLOADS={})",
        db.name(), config.seed, config.uploads, config.users, db.name(), config.seed, config.uploads
    ));
    report.line(format!("plan: {kinds}"));

    let started = Instant::now();
    let files = crate::links::file_server().await;
    let clients = Clients::new(&serve.base, &emu, &files, started);
    let done = CancellationToken::new();
    let mut faults = Faults {
        http: http.clone(),
        emulator: emu.clone(),
        proxy: proxy.as_ref(),
        started,
        log: Default::default(),
    };
    let users = config.users;
    let finished = done.clone();
    let work = async {
        play_all(&clients, plan, users).await;
        finished.cancel();
        started.elapsed()
    };
    let (workload_took, ()) = tokio::join!(work, faults.play(&mut serve, done));
    let faults_done = started.elapsed();
    report.line(format!(
        "workload {:.1}s, faults stopped at {:.1}s",
        workload_took.as_secs_f64(),
        faults_done.as_secs_f64()
    ));
    for (what, n) in &faults.log.counts {
        report.line(format!("fault: {what} x{n}"));
    }

    // Convergence: poll every second until every row agrees with Mux, no webhook is pending, no
    // deletion is pending and health is healthy, or the deadline passes.
    let converge_from = Instant::now();
    let deadline = converge_from + Duration::from_secs(config.converge_secs);
    let (mut advanced, mut converged) = (false, None);
    let mut last: Vec<String>;
    let health_url = format!("{}/api/health/mux-system", serve.base);
    let mut last_print = Instant::now();
    loop {
        let state = truth(&http, &emu).await;
        let rows = rows(&store).await;
        let pending = state
            .deliveries
            .iter()
            .filter(|d| d["outcome"] == "pending")
            .count();
        let deleting = rows.iter().filter(|r| r.delete_pending != 0).count();
        last = mismatches(&rows, &state);
        last.extend(captions::mismatches(&store, &state).await);
        if last.is_empty() && pending == 0 && deleting == 0 {
            let waiting = rows.iter().any(|r| r.status == "AWAITING_UPLOAD");
            if !advanced && waiting {
                // Never-sent uploads: expire them on Mux, once nothing else is in flight.
                let url = format!("{emu}/_emulator/clock/advance");
                http.post(url)
                    .json(&json!({"seconds": 7200}))
                    .send()
                    .await
                    .unwrap();
                advanced = true;
                report.line(format!(
                    "emulator clock advanced 7200 s at {:.1}s into convergence",
                    converge_from.elapsed().as_secs_f64()
                ));
                continue;
            }
            let health = get_json(&http, &health_url).await;
            if health["status"] == "healthy" {
                converged = Some(converge_from.elapsed());
                break;
            }
        }
        if Instant::now() > deadline {
            break;
        }
        if last_print.elapsed() > Duration::from_secs(15) {
            last_print = Instant::now();
            eprintln!(
                "chaos {}: converging {:.0}s: {} rows disagree with Mux, {pending} webhooks pending, {deleting} deletions pending",
                db.name(),
                converge_from.elapsed().as_secs_f64(),
                last.len()
            );
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    match converged {
        Some(took) => report.line(format!(
            "converged in {:.1}s after the faults stopped",
            took.as_secs_f64()
        )),
        None => report.line(format!(
            "DID NOT CONVERGE within {}s ({} rows disagree with Mux; first: {:?})",
            config.converge_secs,
            last.len(),
            last.first()
        )),
    }

    let state = truth(&http, &emu).await;
    let health = get_json(&http, &health_url).await;
    let seen = clients.seen.lock().unwrap().clone();
    let rows_now = rows(&store).await;
    report.line(format!(
        "rows: {}",
        Report::tally(
            rows_now
                .iter()
                .map(|r| json!(r.status))
                .collect::<Vec<_>>()
                .iter(),
            |v| v.as_str().unwrap().to_owned(),
        )
    ));
    report.line(format!(
        "clients: {} muxd responses ({}), {} without response, {} hang-ups, {} created, {} files sent, {} send failures, {} cancels, {} deletes, {} replacements, {} links, {} emulator calls",
        seen.responses.len(),
        Report::tally(seen.responses.iter().map(|(_, r, s)| json!(format!("{r}:{s}"))).collect::<Vec<_>>().iter(), |v| v.as_str().unwrap().to_owned()),
        seen.conn_errors, seen.hangups, seen.created.len(), seen.sent, seen.upload_errors.len(),
        seen.cancelled.len(), seen.deleted.len(), seen.replaced.len(), seen.linked.len(), seen.emulator_calls
    ));
    let log = get_json(&http, &format!("{emu}/_emulator/requests")).await;
    let log = log["data"].as_array().cloned().unwrap_or_default();
    report.line(format!(
        "Mux API calls (emulator log): {} ({})",
        log.len(),
        Report::tally(log.iter(), |v| v["status"]
            .as_u64()
            .map_or("dropped".into(), |s| s.to_string()))
    ));
    let attempts: usize = state
        .deliveries
        .iter()
        .map(|d| d["attempts"].as_array().map_or(0, Vec::len))
        .sum();
    let wrong: usize = state
        .deliveries
        .iter()
        .flat_map(|d| d["attempts"].as_array().cloned().unwrap_or_default())
        .filter(|a| a["wrong_signature"] == true)
        .count();
    report.line(format!(
        "webhooks: {} deliveries ({}), {} duplicates, {attempts} attempts, {wrong} wrongly signed",
        state.deliveries.len(),
        Report::tally(state.deliveries.iter(), |d| d["outcome"]
            .as_str()
            .unwrap_or("?")
            .to_owned()),
        state
            .deliveries
            .iter()
            .filter(|d| d["duplicate"] == true)
            .count(),
    ));
    report.line(format!(
        "muxd serve started {} times; logs in {}",
        serve.starts,
        out.display()
    ));
    // Not converging is a failure too: something stayed unresolved or undelivered.
    let mut settled = Check::new("converged: rows agree with Mux, nothing pending");
    settled.expect(converged.is_some(), || {
        format!("not within {}s", config.converge_secs)
    });
    report.checks = vec![settled];
    let checks = check_all(&store, &state, &seen, &faults.log, &webhook_url, &health).await;
    report.checks.extend(checks);
    report.checks.push(captions::check(&store, &state).await);
    // The run ends as an orchestrator ends an instance: SIGTERM, and it must be gone in time.
    let mut stopped = Check::new("SIGTERM: exited 0 within the shutdown grace");
    let exit = serve.terminate().await;
    stopped.expect(exit.as_ref().is_ok_and(|e| e.success()), || {
        format!("{exit:?}")
    });
    report.checks.push(stopped);
    report.finish(out.join("report.txt"));
    store.close().await;
    Some(report)
}

/// The JSON `url` answers with.
async fn get_json(http: &reqwest::Client, url: &str) -> Value {
    http.get(url).send().await.unwrap().json().await.unwrap()
}
