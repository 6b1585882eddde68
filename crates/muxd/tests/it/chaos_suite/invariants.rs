//! What must hold once the faults stop: read the emulator's truth (`/_emulator/state`,
//! `/_emulator/deliveries`) and muxd's tables directly, then check each invariant, counting its
//! checks and naming each violation.

use std::collections::{HashMap, HashSet};

use muxd_store::{Db, Store};
use serde_json::Value;

use super::faults::FaultLog;
use super::workload::Seen;

/// One invariant: how often it was checked and what broke it.
#[derive(Debug)]
pub struct Check {
    pub name: &'static str,
    pub checks: usize,
    pub violations: Vec<String>,
}

impl Check {
    pub fn new(name: &'static str) -> Check {
        Check {
            name,
            checks: 0,
            violations: Vec::new(),
        }
    }
    pub fn expect(&mut self, ok: bool, why: impl FnOnce() -> String) {
        self.checks += 1;
        if !ok {
            self.violations.push(why());
        }
    }
}

/// A `creative_assets` row as the checks need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub id: String,
    pub status: String,
    pub upload_id: Option<String>,
    pub asset_id: Option<String>,
    pub delete_pending: i64,
    pub created_at: i64,
    /// For a take (a card's new file), the card.
    pub replaces: Option<String>,
    pub replaced_at: Option<i64>,
    pub replacement_status: Option<String>,
}

/// Mux's side, from the emulator's control API.
pub struct Truth {
    pub uploads: HashMap<String, Value>,
    pub assets: HashMap<String, Value>,
    pub deliveries: Vec<Value>,
}

pub async fn truth(http: &reqwest::Client, emulator: &str) -> Truth {
    let get = |path: &str| {
        let url = format!("{emulator}/_emulator/{path}");
        async move {
            http.get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let state = get("state").await;
    let by_id = |list: &Value| -> HashMap<String, Value> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|v| (v["id"].as_str().unwrap().to_owned(), v.clone()))
            .collect()
    };
    Truth {
        uploads: by_id(&state["uploads"]),
        assets: by_id(&state["assets"]),
        deliveries: get("deliveries").await["data"].as_array().unwrap().clone(),
    }
}

macro_rules! fetch_all {
    ($store:expr, $ty:ty, $sql:expr) => {
        match $store.db() {
            Db::Sqlite(pool) => sqlx::query_as::<_, $ty>($sql).fetch_all(pool).await,
            Db::Postgres(pool) => sqlx::query_as::<_, $ty>($sql).fetch_all(pool).await,
        }
        .expect("chaos suite reads muxd's database")
    };
}

pub async fn rows(store: &Store) -> Vec<Row> {
    fetch_all!(
        store,
        Row,
        "SELECT id, mux_processing_status AS status, mux_upload_id AS upload_id, \
         mux_asset_id AS asset_id, \
         CAST(CASE WHEN mux_delete_pending THEN 1 ELSE 0 END AS BIGINT) AS delete_pending, \
         created_at, replaces, replaced_at, replacement_status \
         FROM creative_assets"
    )
}

/// What Mux's asset `asset` (or its absence) makes its row.
fn of_asset(asset: Option<&Value>) -> &'static str {
    match asset.map(|a| a["status"].as_str().unwrap_or_default()) {
        None => "DELETED",
        Some("ready") => "READY",
        Some("errored") => "ERROR",
        Some(_) => "MUX_PROCESSING",
    }
}

/// The status Mux's state implies for `row`, or why there is none. A replaced card plays the
/// asset it holds, which its first upload did not make.
pub fn expected(row: &Row, truth: &Truth) -> Result<&'static str, String> {
    if let (Some(asset), Some(_)) = (&row.asset_id, row.replaced_at) {
        return Ok(of_asset(truth.assets.get(asset)));
    }
    let Some(upload_id) = &row.upload_id else {
        // A video from a link has its asset from the start, and no upload.
        return match &row.asset_id {
            Some(asset) => Ok(of_asset(truth.assets.get(asset))),
            None => Err("no upload id (interrupted create)".into()),
        };
    };
    let Some(upload) = truth.uploads.get(upload_id) else {
        return Err(format!("upload {upload_id} unknown to Mux"));
    };
    Ok(match upload["status"].as_str().unwrap_or_default() {
        "waiting" => "AWAITING_UPLOAD",
        "cancelled" => "CANCELLED",
        "timed_out" => "TIMED_OUT",
        "errored" => "ERROR",
        _ => of_asset(
            upload["asset_id"]
                .as_str()
                .and_then(|a| truth.assets.get(a)),
        ),
    })
}

/// Rows whose status disagrees with Mux (convergence waits for none).
pub fn mismatches(rows: &[Row], truth: &Truth) -> Vec<String> {
    rows.iter()
        .filter_map(|row| {
            let settled_interrupted = row.upload_id.is_none()
                && row.asset_id.is_none()
                && matches!(row.status.as_str(), "ERROR" | "CANCELLED" | "DELETED");
            match expected(row, truth) {
                _ if settled_interrupted => None,
                _ if row.status == "DELETED" => {
                    // The asset it holds (a replaced card's old one, for a take that was swapped
                    // in), else the one its upload made.
                    let asset = row.asset_id.as_deref().or_else(|| {
                        row.upload_id
                            .as_ref()
                            .and_then(|u| truth.uploads.get(u).and_then(|u| u["asset_id"].as_str()))
                    });
                    asset
                        .filter(|a| truth.assets.contains_key(*a))
                        .map(|a| format!("row {} DELETED but asset {a} still on Mux", row.id))
                }
                Ok(want) if want == row.status => None,
                Ok(want) => Some(format!(
                    "row {} is {} but Mux says {want}",
                    row.id, row.status
                )),
                Err(why) => Some(format!("row {} is {}: {why}", row.id, row.status)),
            }
        })
        .collect()
}

fn rank(status: &str) -> u8 {
    match status {
        "AWAITING_UPLOAD" => 0,
        "MUX_PROCESSING" => 1,
        "DELETED" => 3,
        _ => 2,
    }
}

/// Every invariant, in report order.
pub async fn check_all(
    store: &Store,
    truth: &Truth,
    seen: &Seen,
    faults: &FaultLog,
    webhook_url: &str,
    health: &Value,
) -> Vec<Check> {
    let rows = rows(store).await;
    let mut status = Check::new("row status equals Mux");
    for row in &rows {
        status.checks += 1;
        status
            .violations
            .extend(mismatches(std::slice::from_ref(row), truth));
    }

    let mut unique = Check::new("no two rows share an upload id or asset id");
    for (what, ids) in [
        (
            "upload",
            rows.iter()
                .filter_map(|r| r.upload_id.clone())
                .collect::<Vec<_>>(),
        ),
        (
            "asset",
            rows.iter().filter_map(|r| r.asset_id.clone()).collect(),
        ),
    ] {
        let mut set = HashSet::new();
        for id in ids {
            unique.expect(set.insert(id.clone()), || {
                format!("{what} id {id} on two rows")
            });
        }
    }

    let mut orphans = Check::new("every Mux asset has its row");
    let known: HashSet<&str> = rows.iter().filter_map(|r| r.upload_id.as_deref()).collect();
    let ids: HashSet<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    for asset in truth.assets.values() {
        let upload = asset["upload_id"].as_str().unwrap_or_default();
        let passthrough = asset["passthrough"].as_str().unwrap_or_default();
        orphans.expect(known.contains(upload) || ids.contains(passthrough), || {
            format!("asset {} (upload {upload}) has no row", asset["id"])
        });
    }

    let stored: Vec<(String,)> =
        fetch_all!(store, (String,), "SELECT event_id FROM webhook_events");
    let mut stored_count: HashMap<String, usize> = HashMap::new();
    for (id,) in stored {
        *stored_count.entry(id).or_default() += 1;
    }
    let mut hooks = Check::new("every acknowledged webhook stored exactly once");
    let acknowledged: HashSet<&str> = truth
        .deliveries
        .iter()
        .filter(|d| d["outcome"] == "delivered" && d["url"] == webhook_url)
        .filter_map(|d| d["event_id"].as_str())
        .collect();
    for id in acknowledged {
        let n = stored_count.get(id).copied().unwrap_or(0);
        hooks.expect(n == 1, || {
            format!("acknowledged event {id} stored {n} times")
        });
    }

    let events: Vec<(String, String, String)> = fetch_all!(
        store,
        (String, String, String),
        "SELECT asset_id, from_status, to_status FROM asset_events ORDER BY asset_id, id"
    );
    let mut by_row: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
    for (asset, from, to) in &events {
        by_row.entry(asset).or_default().push((from, to));
    }
    let mut history = Check::new("status changes recorded in asset_events, never backwards");
    for row in &rows {
        let trail = by_row.get(row.id.as_str()).cloned().unwrap_or_default();
        let mut at = "AWAITING_UPLOAD";
        for (from, to) in &trail {
            history.expect(*from == at, || {
                format!("row {}: event from {from} but row was {at}", row.id)
            });
            history.expect(rank(to) >= rank(from), || {
                format!("row {}: moved backwards {from} -> {to}", row.id)
            });
            at = to;
        }
        history.expect(at == row.status, || {
            format!(
                "row {}: is {} but its events end at {at}",
                row.id, row.status
            )
        });
    }

    let mut http = Check::new("no 5xx from muxd except 503 in a fault window");
    for (at, route, code) in &seen.responses {
        http.expect(*code < 500 || (*code == 503 && faults.covers(*at)), || {
            format!("{route} answered {code} at {at:.1}s")
        });
    }

    let mut deleted = Check::new("a user-deleted asset is gone from Mux");
    for id in &seen.deleted {
        let row = rows.iter().find(|r| &r.id == id);
        let gone = row.is_some_and(|r| {
            r.status == "DELETED"
                && !truth.assets.values().any(|a| {
                    r.upload_id.is_some() && a["upload_id"].as_str() == r.upload_id.as_deref()
                })
                && r.asset_id
                    .as_ref()
                    .is_none_or(|a| !truth.assets.contains_key(a))
        });
        deleted.expect(gone, || {
            format!(
                "row {id} deleted by its user: {:?}, asset still on Mux or row not DELETED",
                row.map(|r| &r.status)
            )
        });
    }

    let mut healthy = Check::new("health ends healthy");
    healthy.expect(health["status"] == "healthy", || {
        let body = health.to_string();
        format!(
            "health is {}: {}",
            health["status"],
            &body[..body.len().min(600)]
        )
    });
    let replaced = super::replacements::check(&rows, truth, seen);
    let linked = super::links::check(&rows, seen);
    vec![
        status, unique, orphans, hooks, history, http, deleted, replaced, linked, healthy,
    ]
}
